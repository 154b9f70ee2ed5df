package e2e;

import static org.assertj.core.api.Assertions.assertThat;

import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * psql's bulk statements as a user runs them, against {@code run --no-poll} in a JVM with the options the release's
 * launcher and {@code ./mvnw} give it ({@code .mvn/jvm.config}: the default heap): an INSERT … SELECT of 60,000 rows and
 * an UPDATE of all of them, each a transaction of more changes than the loader holds back whole
 * ({@code flightcdc.load.max-transaction-changes}, 50,000) and so loaded in parts, three clients at once updating 20,000
 * rows each, a {@code \copy} of 20,000 rows and a DELETE of 30,000. Such statements once ran the default heap out of
 * memory (a batch of every held change rendered at once, each held change with its tree and text). Every change arrives
 * exactly once (a trigger in the source recorded them), and the JVM never runs out of heap.
 */
class BulkStatementsEndToEndTest {

    private static final Logger LOG = LoggerFactory.getLogger("bulk");
    private static final Pattern STARTED = Pattern.compile("Apache Camel .* started in");
    private static final List<ChangeAudit.Table> TABLES = List.of(ChangeAudit.FLIGHT_STATE);
    private static final String COLUMNS = "icao24, callsign, origin_country, time_position, last_contact, longitude,"
            + " latitude, baro_altitude, on_ground, velocity, true_track, vertical_rate, geo_altitude, squawk, spi,"
            + " position_source, category";
    private static final int ROWS = 60_000;
    private static final int COPIED = 20_000;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void bulkStatementsOfTensOfThousandsOfRowsArriveExactlyOnceUnderTheDefaultHeap() throws Exception {
        assertThat(Psql.installed()).as(Psql.MISSING).isPresent();
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "bulk-");
        List<String> jvm = new ArrayList<>(Files.readAllLines(Path.of(".mvn", "jvm.config")));
        jvm.removeIf(String::isBlank);
        assertThat(jvm).as("the default heap, as .mvn/jvm.config and the launcher set it").anyMatch(o -> o.startsWith("-Xmx"));
        jvm.addAll(List.of("-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + dir.resolve("gc.log")));
        int port = FreePorts.one();
        try (EmbeddedPostgresServer source = EmbeddedPostgresServer.start(dir.resolve("postgres"), port)) {
            HistoryVerdict.prepare(source, TABLES);
            AppRun app = AppRun.of(dir, source);
            try (ChildJvm running = ChildJvm.start(dir.resolve("run.log"), jvm, "cli.FlightCdc", app.run(),
                    app.environment())) {
                running.awaitLine(STARTED, Duration.ofMinutes(2));
                CatchUps.ofFlightState(source, app.kafka()).awaitStreaming(Duration.ofMinutes(2));

                psql(source, port, dir, "insert", "INSERT INTO flight_state (" + COLUMNS + ") SELECT to_hex(1000000 + g),"
                        + " 'CS' || g, 'Country', now(), now(), g % 360 - 180, g % 180 - 90, g % 12000, false, g % 300,"
                        + " g % 360, 0, g % 12000, '1000', false, 0, 1 FROM generate_series(1, " + ROWS + ") g");
                psql(source, port, dir, "update-all",
                        "UPDATE flight_state SET callsign = 'U' || icao24, velocity = velocity + 1");
                CompletableFuture.allOf(IntStream.range(0, 3).mapToObj(k -> CompletableFuture.runAsync(() -> psql(source,
                        port, dir, "client-" + k, "UPDATE flight_state SET callsign = 'K" + k + "' || icao24 WHERE icao24 IN"
                                + " (SELECT icao24 FROM flight_state ORDER BY icao24 OFFSET " + k * 20_000 + " LIMIT 20000)")))
                        .toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
                Path csv = dir.resolve("copy.csv");
                Files.write(csv, IntStream.rangeClosed(1, COPIED).mapToObj(g -> Integer.toHexString(0x200000 + g)
                        + ",CSV" + g + ",Copyland,2026-12-04 12:00:00+00,2026-12-04 12:00:01+00,1.5,2.5,100,true,10,20,0,110,"
                        + "7000,false,1,2").toList());
                psql(source, port, dir, "copy", "\\copy flight_state (" + COLUMNS + ") FROM '" + csv.toAbsolutePath()
                        + "' WITH (FORMAT csv)");
                psql(source, port, dir, "delete", "DELETE FROM flight_state WHERE icao24 IN (SELECT icao24 FROM flight_state"
                        + " ORDER BY icao24 LIMIT 30000)");

                CatchUps.ofFlightState(source, app.kafka()).awaitLoaded(Duration.ofMinutes(4));
                running.stop();
                assertThat(running.lines()).as("the pipeline's JVM never ran out of heap")
                        .noneMatch(l -> l.contains("OutOfMemoryError"));
            }

            int verified = ChildJvm.verify(dir.resolve("verify.log"), app.location(), app.environment());
            HistoryVerdict verdict = HistoryVerdict.of(source, dir.resolve("app/warehouse.duckdb"), TABLES);
            List<String> collections = Files.readAllLines(dir.resolve("gc.log"));
            LOG.info("Bulk statements under {}: history {} missing, {} extra, {} duplicated; {} transactions loaded in"
                            + " parts; {} full collections", jvm.get(0), verdict.missing().size(), verdict.extra().size(),
                    verdict.duplicatedPositions(), verdict.loadedInParts().size(),
                    collections.stream().filter(l -> l.contains("Pause Full")).count());

            assertThat(verified).as("flight-cdc verify: the warehouse equals the source").isZero();
            assertThat(verdict.missing()).as("source changes missing from the history").isEmpty();
            assertThat(verdict.extra()).as("history rows beyond the source's changes").isEmpty();
            assertThat(verdict.duplicatedPositions()).as("(lsn, op, key) loaded more than once").isZero();
            assertThat(verdict.loadedInParts()).as("the INSERT and the UPDATE of all rows, over the limit held whole")
                    .hasSize(2);
        }
    }

    private static void psql(EmbeddedPostgresServer source, int port, Path dir, String name, String command) {
        try {
            Psql.run(port, source.user(), source.password(), "postgres", dir.resolve("psql-" + name + ".log"),
                    "-c", command);
        } catch (Exception e) {
            throw new IllegalStateException("psql " + name + " failed", e);
        }
    }
}
