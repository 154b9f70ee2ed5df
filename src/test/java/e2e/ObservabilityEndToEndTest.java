package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.BackgroundPipeline;
import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedServices;
import embedded.EmbeddedPostgresServer;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import observe.GrafanaDashboard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postgresql.PGConnection;
import source.SourceDatabase;

/**
 * The pipeline's health and Prometheus metrics, read over HTTP as an operator's probe and Prometheus read them, while
 * it runs on a PostgreSQL and a Kafka broker of the test's own. Changes are written as users write them (COPY, bulk
 * statements from psql), and each stage's counters must equal exactly what was written: a change lost or doubled
 * anywhere shows. Every metric the Grafana dashboard (docker/grafana) names must be in the scrape. Then Kafka stops, and readiness must go DOWN saying so, and come back UP with it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityEndToEndTest {

    private static final Path DIR = PipelineTestSupport.newDirectory("observability-");
    private static final int POSTGRES_PORT = FreePorts.one();
    private static final int KAFKA_PORT = FreePorts.pair();
    private static final int HTTP_PORT = FreePorts.one();
    private static final int COPIED = 400;
    private static final int UPDATED = 150;
    private static final int DELETED = 60;

    private static EmbeddedPostgresServer postgres;
    private static EmbeddedKafkaBroker kafka;
    private static BackgroundPipeline pipeline;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startPipeline() throws Exception {
        postgres = EmbeddedPostgresServer.start(DIR.resolve("postgres"), POSTGRES_PORT);
        kafka = EmbeddedKafkaBroker.start(DIR.resolve("kafka"), KAFKA_PORT);
        try (SourceDatabase source = SourceDatabase.of(postgres)) {
            source.migrate();
        }
        pipeline = BackgroundPipeline.start(Map.of(
                "flightcdc.data-dir", DIR.resolve("pipeline").toString(),
                "flightcdc.source.jdbc-url", postgres.jdbcUrl(),
                "flightcdc.source.password", postgres.password(),
                "flightcdc.kafka.bootstrap-servers", kafka.bootstrapServers(),
                // The poll runs against a simulator without aircraft: it writes nothing but what a test hands it.
                "flightcdc.simulator.aircraft", "0",
                "flightcdc.simulator.port", String.valueOf(FreePorts.one()),
                "flightcdc.opensky.poll-interval-ms", "1000",
                "flightcdc.load.max-wait-ms", "100",
                "flightcdc.monitor.interval-ms", "1000",
                "flightcdc.http.port", String.valueOf(HTTP_PORT)), Duration.ofMinutes(2));
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void eachStagesCountersEqualWhatWasWritten() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/observe/health/ready").statusCode() == 200);
        try (Connection c = postgres.connect()) {
            StringBuilder csv = new StringBuilder();
            for (int i = 0; i < COPIED; i++) {
                // In the future, so that no poll deletes them as stale.
                csv.append(String.format("%06x,OBS%04d,2099-01-01 12:%02d:%02d+00%n", 0xa00000 + i, i, i / 60 % 60, i % 60));
            }
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY flight_state (icao24, callsign, last_contact) FROM STDIN WITH (FORMAT csv)",
                    new StringReader(csv.toString()));
        }
        Psql.run(POSTGRES_PORT, postgres.user(), postgres.password(), "postgres", DIR.resolve("psql.log"),
                "-c", "UPDATE flight_state SET callsign = 'MOVED' WHERE icao24 < '" + String.format("%06x", 0xa00000 + UPDATED) + "'",
                "-c", "DELETE FROM flight_state WHERE icao24 >= '" + String.format("%06x", 0xa00000 + COPIED - DELETED) + "'");
        // One poll answered with a state vector whose latitude is out of range: refused, and kept in rejected_state.
        pipeline.bean("embeddedServices", EmbeddedServices.class).openSky().orElseThrow().faults().malformedBody("""
                {"time": 1, "states": [["abcdef", null, "France", null, 1, null, 91.5, null, true,
                  null, null, null, null, null, null, false, 2]]}""");
        CatchUps.ofFlightState(postgres, kafka.bootstrapServers()).awaitLoaded(Duration.ofMinutes(2));

        String flights = "table=\"public.flight_state\"";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String scrape = get("/observe/metrics").body();
            assertThat(value(scrape, "flightcdc_captured_changes_total", "op=\"c\"", flights)).isEqualTo(COPIED);
            assertThat(value(scrape, "flightcdc_captured_changes_total", "op=\"u\"", flights)).isEqualTo(UPDATED);
            assertThat(value(scrape, "flightcdc_captured_changes_total", "op=\"d\"", flights)).isEqualTo(DELETED);
            assertThat(value(scrape, "flightcdc_loaded_changes_total", "op=\"c\"", flights)).isEqualTo(COPIED);
            assertThat(value(scrape, "flightcdc_loaded_changes_total", "op=\"u\"", flights)).isEqualTo(UPDATED);
            assertThat(value(scrape, "flightcdc_loaded_changes_total", "op=\"d\"", flights)).isEqualTo(DELETED);
            // Each delete is followed by its tombstone, which Kafka acknowledges too.
            assertThat(value(scrape, "flightcdc_published_changes_total", "topic=\"flightcdc.public.flight_state\""))
                    .isEqualTo(COPIED + UPDATED + 2 * DELETED);
            // Three transactions: the COPY and psql's two statements.
            assertThat(value(scrape, "flightcdc_published_changes_total", "topic=\"flightcdc.transaction\"")).isEqualTo(3);
            assertThat(value(scrape, "flightcdc_commit_to_visible_seconds_count")).isEqualTo(COPIED + UPDATED + DELETED);
            assertThat(value(scrape, "flightcdc_load_batch_changes_sum")).isEqualTo(COPIED + UPDATED + DELETED);
            assertThat(value(scrape, "flightcdc_consumer_lag_records", "topic=\"flightcdc.public.flight_state\"")).isZero();
            assertThat(sum(scrape, "flightcdc_dead_lettered_total")).isZero();
            assertThat(sum(scrape, "flightcdc_skipped_changes_total")).isZero();
            assertThat(value(scrape, "flightcdc_slot_retained_wal_bytes")).isPositive();
            assertThat(value(scrape, "flightcdc_poll_rejected_total", "reason=\"latitude\"")).isEqualTo(1);
            assertThat(value(scrape, "flightcdc_poll_rows_total", "outcome=\"inserted\"")).isZero();
            assertThat(value(scrape, "jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
        });
    }

    @Test
    @Order(2)
    void everyMetricTheGrafanaDashboardNamesIsInTheScrape() throws Exception {
        // JVM's GC pauses appear with the first collection after the pipeline started (this JVM's, the pipeline runs in it).
        System.gc();
        Set<String> named = GrafanaDashboard.metricNames(GrafanaDashboard.FLIGHT_CDC);
        assertThat(named).isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Set<String> scraped = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(get("/observe/metrics").body())
                    .results().map(m -> m.group(1)).collect(Collectors.toSet());
            assertThat(named).allSatisfy(name -> assertThat(scraped).as("metrics scraped").contains(name));
        });
    }

    /** Camel tells an event notifier that takes exchange events of every change the capture carries: none may. */
    @Test
    @Order(2)
    void noEventNotifierIsToldOfEveryExchange() {
        assertThat(pipeline.context().getManagementStrategy().getEventNotifiers())
                .isNotEmpty()
                .allSatisfy(notifier -> assertThat(notifier.isIgnoreExchangeEvents()).as(notifier.getClass().getName()).isTrue());
    }

    @Test
    @Order(3)
    void readinessGoesDownSayingKafkaCannotBeReachedAndUpWhenItIsBack() throws Exception {
        assertThat(get("/observe/health/live").statusCode()).isEqualTo(200);
        kafka.close();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> ready = get("/observe/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("DOWN").contains("Kafka at " + kafka.bootstrapServers() + " cannot be reached");
        });
        // A part that is down is no reason to restart the process.
        assertThat(get("/observe/health/live").statusCode()).isEqualTo(200);

        kafka = EmbeddedKafkaBroker.start(DIR.resolve("kafka"), KAFKA_PORT);
        await().atMost(Duration.ofSeconds(90)).until(() -> get("/observe/health/ready").statusCode() == 200);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of every series of {@code metric}. */
    private static double sum(String scrape, String metric) {
        return Pattern.compile("(?m)^" + metric + "(\\{[^}]*})? (\\S+)$").matcher(scrape).results()
                .mapToDouble(series -> Double.parseDouble(series.group(2))).sum();
    }

    /** The value of the one series of {@code metric} whose labels include all of {@code labels}, as Prometheus reads it. */
    private static double value(String scrape, String metric, String... labels) {
        Matcher line = Pattern.compile("(?m)^" + metric + "(\\{[^}]*})? (\\S+)$").matcher(scrape);
        while (line.find()) {
            String found = line.group(1) == null ? "" : line.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= found.contains(label);
            }
            if (all) {
                return Double.parseDouble(line.group(2));
            }
        }
        throw new AssertionError("No series " + metric + " with " + String.join(", ", labels) + " in the scrape");
    }
}
