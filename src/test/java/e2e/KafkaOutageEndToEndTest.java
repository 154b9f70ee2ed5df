package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import capture.CaptureRestarts;
import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import source.SourceDatabase;

/**
 * Kafka is away for longer than the capture's producer may block, while changes of about 100 KB and small ones
 * flow: its 32 MB buffer fills and it refuses a change. The capture must not skip them, nor wait for a restart by hand:
 * it stops storing positions, restarts from the last one whose changes are all in Kafka, again and again while
 * the broker is away, and carries on once it is back. Every change reaches the warehouse's history exactly once.
 */
class KafkaOutageEndToEndTest extends PipelineTestSupport {

    private static final Path DIR = newDirectory("kafka-outage-");
    private static final int KAFKA_PORT = FreePorts.pair();
    private static final EmbeddedPostgresServer POSTGRES = EmbeddedPostgresServer.start(DIR.resolve("postgres"), FreePorts.one());
    private static EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(DIR.resolve("kafka"), KAFKA_PORT);
    /** A change of 100 KB in Kafka; PostgreSQL compresses it to little in its WAL, which keeps the capture quick. */
    private static final String LARGE = "repeat('x', 100000)";

    @AfterAll
    static void stopServices() throws Exception {
        kafka.close();
        POSTGRES.close();
    }

    @Override
    protected Properties pipelineSettings() {
        try (SourceDatabase source = SourceDatabase.of(POSTGRES); Connection c = source.dataSource().getConnection()) {
            source.migrate();
            ChangeAudit.install(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return settings(DIR.resolve("pipeline"),
                "flightcdc.source.jdbc-url", POSTGRES.jdbcUrl(),
                "flightcdc.source.password", POSTGRES.password(),
                "flightcdc.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "flightcdc.kafka.max-block-ms", "2000",
                "flightcdc.opensky.poll-enabled", "false");
    }

    @Test
    void theCaptureRestartsByItselfUntilKafkaIsBackAndEveryChangeArrivesOnce() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'flightcdc' AND active") == 1);
        try (CapturedLog log = new CapturedLog(CaptureRestarts.class); Writer writer = new Writer()) {
            writer.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions.get() >= 20);
            // A capture that never stored a position would take its initial snapshot again on restart.
            CatchUps.ofFlightState(POSTGRES, kafka.bootstrapServers()).awaitCaptured(Duration.ofMinutes(1));

            kafka.close();
            // 45 MB of large changes: more than the producer's 32 MB buffer holds, so it refuses one.
            writer.largeRowsLeft.set(450);
            await().atMost(Duration.ofMinutes(3)).until(() -> log.warnings().stream().anyMatch(w -> w.contains("restarts from it")));
            kafka = EmbeddedKafkaBroker.start(DIR.resolve("kafka"), KAFKA_PORT);
            long back = writer.transactions.get();
            await().atMost(Duration.ofMinutes(1)).until(() -> writer.transactions.get() >= back + 20);
        }

        long changes = count("SELECT count(*) FROM change_audit");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            try (Connection w = warehouseConnection(); Statement s = w.createStatement();
                 var rs = s.executeQuery("SELECT count(*) FROM flight_state_history")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(changes);
            }
        });
        Map<String, Long> recorded;
        try (Connection c = POSTGRES.connect()) {
            recorded = ChangeAudit.recorded(c);
        }
        try (Connection w = warehouseConnection()) {
            assertThat(ChangeAudit.loaded(w)).isEqualTo(recorded);
        }
    }

    /** Inserts a small row in each transaction, and a large one while some are asked for, about 30 a second, until closed. */
    private static final class Writer implements AutoCloseable {
        final AtomicLong transactions = new AtomicLong();
        final AtomicLong largeRowsLeft = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(this::write, "large-writer");

        void start() {
            thread.start();
        }

        private void write() {
            try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
                for (long n = 0; running.get(); n++) {
                    s.execute("BEGIN;"
                            + (largeRowsLeft.getAndDecrement() > 0 ? "INSERT INTO flight_state (icao24, callsign, origin_country, last_contact)"
                            + " VALUES ('large" + n + "', 'L" + n + "', " + LARGE + ", now());" : "")
                            + "INSERT INTO flight_state (icao24, callsign, last_contact) VALUES ('small" + n + "', 'S" + n
                            + "', now());"
                            + "COMMIT");
                    transactions.incrementAndGet();
                    Thread.sleep(25);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (SQLException e) {
                throw new IllegalStateException("writer failed after " + transactions.get() + " transactions", e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
