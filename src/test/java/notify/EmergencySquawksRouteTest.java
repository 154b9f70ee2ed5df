package notify;

import static notify.DebeziumChanges.delete;
import static notify.DebeziumChanges.insert;
import static notify.DebeziumChanges.update;
import static notify.SquawkReports.ROUTE_ID;
import static notify.SquawkReports.awaitReading;
import static notify.SquawkReports.logged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import e2e.FreePorts;
import embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import opensky.LogLines;
import org.apache.camel.ServiceStatus;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The sample YAML route on a real Kafka broker, loaded as a user's route is: by camel Main, through
 * camel.main.routes-include-pattern of the shipped application.properties, with no Java route beside it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmergencySquawksRouteTest {

    /** The webhook's path holds a token, as Slack's and Teams' do: it must never reach the log. */
    private static final String TOKEN = "T0KEN-never-logged";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedKafkaBroker broker;

    private record Post(String method, String contentType, List<String> headers, Map<?, ?> body) {
    }

    @BeforeAll
    void startKafka() throws IOException {
        // Not a @TempDir: the broker halts the JVM if its log directory vanishes while it runs.
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "kafka")), "squawks-");
        broker = EmbeddedKafkaBroker.start(dir, FreePorts.pair());
    }

    @AfterAll
    void stopKafka() {
        broker.close();
    }

    @Test
    void reportsEachEmergencyWhenItStartsInTheLogAndToTheWebhookAndGoesOnPastWhatItCannotRead() throws Exception {
        String topic = newChangeTopic("posted");
        List<Post> posts = new CopyOnWriteArrayList<>();
        HttpServer webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/hooks/" + TOKEN, exchange -> {
            posts.add(new Post(exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"),
                    List.copyOf(exchange.getRequestHeaders().keySet()),
                    JSON.readValue(exchange.getRequestBody().readAllBytes(), Map.class)));
            // The first report fails, as a webhook that is briefly away would: the next ones must still go.
            exchange.sendResponseHeaders(posts.size() == 1 ? 500 : 204, -1);
            exchange.close();
        });
        webhook.start();
        String url = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hooks/" + TOKEN;
        // Before the route's first start: its group starts at the end of the topic, past this one.
        publish(topic, insert("old001", "7700"));

        Main main = squawksMain("posted", "flightcdc.squawks.webhook-url", url);
        try (LogLines log = new LogLines(Level.INFO)) {
            main.start();
            assertThat(main.getCamelContext().getRoutes()).extracting(r -> r.getRouteId()).containsExactly(ROUTE_ID);
            assertThat(main.getCamelContext().getRouteController().getRouteStatus(ROUTE_ID)).isEqualTo(ServiceStatus.Started);
            awaitReading(broker.bootstrapServers(), "posted-squawks");

            publish(topic,
                    insert("abc001", "7700"),
                    update("abc001", "7700", "7700"),
                    update("abc002", "1200", "7600"),
                    delete("abc001", "7700"),
                    null,
                    "{\"before\": null, \"after\": ",
                    update("abc003", null, "7500"));

            await().atMost(Duration.ofSeconds(30)).until(() -> posts.size() == 3);
            assertThat(logged(log, "INFO")).containsExactly(
                    "Emergency squawk 7700 (emergency): icao24 abc001, callsign AFR1234, at 48.85, 2.35",
                    "Emergency squawk 7600 (radio failure): icao24 abc002, callsign AFR1234, at 48.85, 2.35",
                    "Emergency squawk 7500 (hijacking): icao24 abc003, callsign AFR1234, at 48.85, 2.35");
            assertThat(logged(log, "WARN")).containsExactly(
                    "Emergency squawk not posted: flightcdc.squawks.webhook-url answered HTTP 500",
                    "Skipped record 6 of " + topic + "-0: not a Debezium change: not JSON: "
                            + "Unexpected end-of-input within/between Object entries");
            assertThat(log.all()).noneMatch(line -> line.contains(TOKEN));
        } finally {
            main.stop();
            webhook.stop(0);
        }

        assertThat(posts).extracting(Post::method, Post::contentType).containsOnly(
                tuple("POST", "application/json"));
        assertThat(posts).flatExtracting(Post::headers).noneMatch(header -> header.toLowerCase().startsWith("kafka"));
        assertThat(posts).extracting(Post::body).containsExactly(
                report("abc001", "7700", "emergency"),
                report("abc002", "7600", "radio failure"),
                report("abc003", "7500", "hijacking"));
    }

    @Test
    void withNoWebhookUrlItOnlyLogs() throws Exception {
        String topic = newChangeTopic("logged");
        Main main = squawksMain("logged");
        try (LogLines log = new LogLines(Level.INFO)) {
            main.start();
            awaitReading(broker.bootstrapServers(), "logged-squawks");

            publish(topic, update("abc004", "2000", "7700"), insert("abc005", "7600"));

            await().atMost(Duration.ofSeconds(30)).until(() -> logged(log, "INFO").size() == 2);
            assertThat(logged(log, "INFO")).allMatch(line -> line.startsWith("Emergency squawk "));
            assertThat(logged(log, "WARN")).isEmpty();
        } finally {
            main.stop();
        }
    }

    @Test
    void turnedOffItIsLoadedButNeitherStartedNorReading() throws Exception {
        Main main = squawksMain("off", "flightcdc.squawks.enabled", "false");
        try {
            main.start();
            assertThat(main.getCamelContext().getRouteController().getRouteStatus(ROUTE_ID)).isEqualTo(ServiceStatus.Stopped);
        } finally {
            main.stop();
        }
    }

    /** A camel Main with the shipped application.properties, reading {@code prefix}'s topic in a group of its own. */
    private Main squawksMain(String prefix, String... settings) {
        Main main = new Main();
        main.addOverrideProperty("flightcdc.kafka.bootstrap-servers", broker.bootstrapServers());
        main.addOverrideProperty("flightcdc.kafka.topic-prefix", prefix);
        main.addOverrideProperty("flightcdc.squawks.consumer-group", prefix + "-squawks");
        for (int i = 0; i < settings.length; i += 2) {
            main.addOverrideProperty(settings[i], settings[i + 1]);
        }
        return main;
    }

    /** The change topic of flight_state under {@code prefix}, as the capture makes it. */
    private String newChangeTopic(String prefix) throws ExecutionException, InterruptedException {
        String topic = prefix + ".public.flight_state";
        try (Admin kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        return topic;
    }

    /** Each value in order, keyed as the capture keys them; null is a tombstone. */
    private void publish(String topic, String... values) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, "{\"icao24\":\"abc\"}", value)).get();
            }
        }
    }

    private static Map<String, Object> report(String icao24, String squawk, String meaning) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("icao24", icao24);
        report.put("callsign", "AFR1234");
        report.put("squawk", squawk);
        report.put("meaning", meaning);
        report.put("latitude", 48.85);
        report.put("longitude", 2.35);
        return report;
    }
}
