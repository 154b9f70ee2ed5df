package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import source.SourceDatabase;

/**
 * The source changes under a running pipeline in ways that make the capture miss changes: the replication slot is
 * dropped, a captured table is renamed. The application must stop with the reason and exit code 1, never create
 * the slot anew and stream on past the gap, and refuse to start again until the warehouse is rebuilt. The
 * application runs in a JVM of its own, against a PostgreSQL the test owns.
 */
class SourceDriftEndToEndTest {

    private static final Pattern STARTED = Pattern.compile("Apache Camel .* started in");
    private static final Duration START = Duration.ofSeconds(120);
    /** The application's embedded Kafka, the same for each of its runs on one data folder. */
    private static final int KAFKA_PORT = FreePorts.pair();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aReplicationSlotDroppedWhileTheCaptureRunsHaltsItAndIsNotCreatedAgain() throws Exception {
        Path dir = newDirectory("slot-dropped-");
        try (EmbeddedPostgresServer postgres = source(dir)) {
            try (ChildJvm app = run(dir, postgres, "run-1.log")) {
                app.awaitLine(STARTED, START);
                CatchUps.ofFlightState(postgres, "127.0.0.1:" + KAFKA_PORT).awaitStreaming(START);
                sql(postgres, "INSERT INTO flight_state (icao24, last_contact) VALUES ('before', now())");

                // An operator frees the slot: its walsender is ended, then it is dropped before Debezium reconnects.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                    sql(postgres, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                            + " WHERE slot_name = 'flightcdc' AND active_pid IS NOT NULL");
                    sql(postgres, "SELECT pg_drop_replication_slot('flightcdc')");
                    return true;
                });
                sql(postgres, "INSERT INTO flight_state (icao24, last_contact) VALUES ('lost', now())");

                assertThat(app.awaitExit(Duration.ofMinutes(2))).as("exit code of a halted run").isEqualTo(1);
                assertThat(app.lines()).anyMatch(line -> line.contains("The pipeline stops")
                        && line.contains("Replication slot 'flightcdc' does not exist"));
            }
            assertThat(count(postgres, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'flightcdc'"))
                    .as("slots made anew past the gap").isZero();

            try (ChildJvm again = run(dir, postgres, "run-2.log")) {
                assertThat(again.awaitExit(START)).as("exit code of a refused start").isEqualTo(2);
                assertThat(again.lines()).anyMatch(line -> line.contains("does not exist")
                        && line.contains("rebuild the warehouse from a new snapshot"));
            }
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aCapturedTableRenamedWhileThePipelineRunsHaltsIt() throws Exception {
        Path dir = newDirectory("table-renamed-");
        try (EmbeddedPostgresServer postgres = source(dir);
             ChildJvm app = run(dir, postgres, "run-1.log")) {
            app.awaitLine(STARTED, START);
            CatchUps.ofFlightState(postgres, "127.0.0.1:" + KAFKA_PORT).awaitStreaming(START);

            // Debezium filters by name: the renamed table's changes would be dropped without a word.
            sql(postgres, "ALTER TABLE flight_state RENAME TO flight_state_old");
            sql(postgres, "INSERT INTO flight_state_old (icao24, last_contact) VALUES ('unseen', now())");

            assertThat(app.awaitExit(Duration.ofMinutes(2))).as("exit code of a halted run").isEqualTo(1);
            assertThat(app.lines()).anyMatch(line -> line.contains("The pipeline stops")
                    && line.contains("does not publish public.flight_state"));
        }
    }

    private static Path newDirectory(String prefix) throws Exception {
        return Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), prefix);
    }

    private static EmbeddedPostgresServer source(Path dir) throws SQLException {
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one());
        try (SourceDatabase source = SourceDatabase.of(postgres)) {
            source.migrate();
        }
        return postgres;
    }

    /** {@code flight-cdc run} against the test's PostgreSQL, checking the source every second. */
    private static ChildJvm run(Path dir, EmbeddedPostgresServer postgres, String log) {
        return ChildJvm.flightCdc(dir.resolve(log), List.of("run", "--no-poll", "--routes", dir.resolve("no-routes").toString(),
                        "--data-dir", dir.resolve("app").toString(), "--postgres-url", postgres.jdbcUrl(),
                        "-D", "flightcdc.kafka.embedded-port=" + KAFKA_PORT,
                        "-D", "flightcdc.monitor.interval-ms=1000"),
                Map.of("FLIGHTCDC_SOURCE_PASSWORD", postgres.password()));
    }


    private static void sql(EmbeddedPostgresServer postgres, String sql) throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(EmbeddedPostgresServer postgres, String sql) throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
