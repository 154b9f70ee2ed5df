package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka broker and then PostgreSQL restart while changes stream: the pipeline waits for each,
 * resumes by itself, and every change committed in the source reaches the warehouse exactly once.
 * Both servers belong to the test (as a user's servers would), so it can stop and start them.
 */
class ServiceRestartEndToEndTest extends PipelineTestSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceRestartEndToEndTest.class);
    private static final Path DIR;
    private static final int POSTGRES_PORT = FreePorts.one();
    private static final int KAFKA_PORT = FreePorts.pair();
    private static EmbeddedPostgresServer postgres;
    private static EmbeddedKafkaBroker kafka;

    static {
        DIR = newDirectory("restarts-");
        postgres = EmbeddedPostgresServer.start(DIR.resolve("postgres"), POSTGRES_PORT);
        kafka = EmbeddedKafkaBroker.start(DIR.resolve("kafka"), KAFKA_PORT);
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    protected Properties pipelineSettings() {
        return settings(DIR.resolve("pipeline"),
                "flightcdc.source.jdbc-url", postgres.jdbcUrl(),
                "flightcdc.source.password", postgres.password(),
                "flightcdc.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "flightcdc.opensky.poll-enabled", "false");
    }

    @Test
    void nothingIsLostOrDoubledWhenKafkaAndThenPostgresRestartDuringStreaming() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'flightcdc' AND active") == 1);
        source("""
                CREATE TABLE change_audit (op text, icao24 text);
                CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'DELETE' THEN INSERT INTO change_audit VALUES ('d', OLD.icao24);
                  ELSIF TG_OP = 'UPDATE' THEN INSERT INTO change_audit VALUES ('u', NEW.icao24);
                  ELSE INSERT INTO change_audit VALUES ('c', NEW.icao24);
                  END IF;
                  RETURN NULL;
                END $$;
                CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON flight_state
                  FOR EACH ROW EXECUTE FUNCTION audit()""");

        try (ChangeWriter writer = new ChangeWriter()) {
            writer.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions.get() >= 100);

            LOG.info("Stopping Kafka with {} transactions written", writer.transactions.get());
            kafka.close();
            Thread.sleep(5_000);
            kafka = EmbeddedKafkaBroker.start(DIR.resolve("kafka"), KAFKA_PORT);
            long afterKafka = writer.transactions.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions.get() >= afterKafka + 100);

            // The writer pauses while PostgreSQL is away: a commit whose answer is lost is not ours to retry.
            writer.pause();
            LOG.info("Stopping PostgreSQL with {} transactions written", writer.transactions.get());
            postgres.close();
            Thread.sleep(3_000);
            postgres = EmbeddedPostgresServer.start(DIR.resolve("postgres"), POSTGRES_PORT);
            writer.resume();
            long afterPostgres = writer.transactions.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.transactions.get() >= afterPostgres + 100);
        }

        long changes = count("SELECT count(*) FROM change_audit");
        LOG.info("{} changes written; waiting for the warehouse", changes);
        assertThat(changes).isGreaterThan(2_000);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(warehouse("SELECT count(*) FROM flight_state_history").get(0)).isEqualTo(String.valueOf(changes)));

        assertThat(warehouse("SELECT _op, count(*) FROM flight_state_history GROUP BY _op ORDER BY _op"))
                .isEqualTo(source("SELECT op, count(*) FROM change_audit GROUP BY op ORDER BY op"));
        assertThat(warehouse("SELECT count(*) FROM (SELECT _lsn, _op, icao24 FROM flight_state_history"
                + " GROUP BY ALL HAVING count(*) > 1)")).containsExactly("0");
        String state = "SELECT icao24, callsign, velocity FROM flight_state ORDER BY icao24";
        assertThat(warehouse(state)).isEqualTo(source(state));
        assertThat(warehouse("SELECT count(*) FROM _flightcdc_dead_letter")).containsExactly("0");
    }

    /** Writes inserts, updates and deletes in small transactions until closed. */
    private static final class ChangeWriter implements AutoCloseable {
        final AtomicLong transactions = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicBoolean paused = new AtomicBoolean();
        private final Thread thread = new Thread(this::write, "change-writer");
        private volatile boolean idle;

        void start() {
            thread.start();
        }

        void pause() {
            paused.set(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> idle);
        }

        void resume() {
            paused.set(false);
        }

        private void write() {
            long n = 0;
            while (running.get()) {
                if (paused.get()) {
                    idle = true;
                    sleep(20);
                    continue;
                }
                idle = false;
                try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
                    while (running.get() && !paused.get()) {
                        long base = n * 5;
                        s.execute("BEGIN;"
                                + "INSERT INTO flight_state (icao24, callsign, last_contact) SELECT 'r' || (" + base
                                + " + g), 'NEW', now() FROM generate_series(0, 4) g;"
                                + "UPDATE flight_state SET callsign = 'UPD', velocity = " + n
                                + " WHERE icao24 IN ('r" + base + "', 'r" + (base + 1) + "');"
                                + "DELETE FROM flight_state WHERE icao24 = 'r" + (base + 2) + "';"
                                + "COMMIT");
                        n++;
                        transactions.incrementAndGet();
                    }
                } catch (SQLException e) {
                    // Only the Kafka restart happens while writing; PostgreSQL stays up then.
                    throw new IllegalStateException("writer failed after " + n + " transactions", e);
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long count(String sql) throws Exception {
        return Long.parseLong(source(sql).get(0));
    }

    private static List<String> source(String sql) throws Exception {
        try (Connection c = postgres.connect()) {
            return rows(c, sql);
        }
    }

    private List<String> warehouse(String sql) throws Exception {
        try (Connection c = warehouseConnection()) {
            return rows(c, sql);
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return rows;
            }
            try (ResultSet rs = s.getResultSet()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> cells = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        Object v = rs.getObject(i);
                        cells.add(v instanceof Number num ? String.valueOf(num.longValue() == num.doubleValue()
                                ? String.valueOf(num.longValue()) : String.valueOf(num.doubleValue())) : String.valueOf(v));
                    }
                    rows.add(String.join("|", cells));
                }
            }
        }
        return rows;
    }
}
