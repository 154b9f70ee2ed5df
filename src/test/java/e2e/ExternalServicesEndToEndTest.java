package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;
import static org.awaitility.Awaitility.await;

import capture.SnapshotProgress;
import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import routes.OpenSkyPollRoute;
import source.SourceDatabase;

/**
 * Configuring a PostgreSQL URL and Kafka bootstrap servers switches those pieces to external
 * servers: the pipeline starts no embedded PostgreSQL or Kafka of its own and carries changes
 * through the ones it was given (here started by the test, standing in for a user's servers). Their
 * database already holds rows when the pipeline first starts: Debezium's initial snapshot carries them.
 * One pipeline serves every test here, as one would serve their servers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExternalServicesEndToEndTest extends PipelineTestSupport {

    private static final int PRE_EXISTING_ROWS = 20_000;
    private static final Path DIR;
    private static final EmbeddedPostgresServer EXTERNAL_POSTGRES;
    private static final EmbeddedKafkaBroker EXTERNAL_KAFKA;

    static {
        DIR = newDirectory("external-");
        EXTERNAL_POSTGRES = EmbeddedPostgresServer.start(DIR.resolve("their-postgres"), FreePorts.one());
        EXTERNAL_KAFKA = EmbeddedKafkaBroker.start(DIR.resolve("their-kafka"), FreePorts.pair());
        fillTheirTableBeforeThePipelineStarts();
    }

    /** Their database is in use already: the pipeline's first start must carry what it holds. */
    private static void fillTheirTableBeforeThePipelineStarts() {
        try (SourceDatabase theirs = SourceDatabase.of(EXTERNAL_POSTGRES);
             Connection c = theirs.dataSource().getConnection();
             Statement s = c.createStatement()) {
            theirs.migrate();
            s.execute("""
                    INSERT INTO flight_state (icao24, callsign, last_contact, velocity)
                    SELECT 'old' || lpad(g::text, 5, '0'), 'OLD' || g, now() - g * interval '1 second', g / 10.0
                    FROM generate_series(1, %d) g""".formatted(PRE_EXISTING_ROWS));
        } catch (java.sql.SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @AfterAll
    void stopThePipelineThenTheirServices() throws Exception {
        // With one pipeline per class, Camel would stop it only after this method: it must not outlive its servers.
        context.stop();
        EXTERNAL_KAFKA.close();
        EXTERNAL_POSTGRES.close();
    }

    @Override
    protected Properties pipelineSettings() {
        return settings(DIR.resolve("pipeline"),
                "flightcdc.source.jdbc-url", EXTERNAL_POSTGRES.jdbcUrl(),
                "flightcdc.source.password", EXTERNAL_POSTGRES.password(),
                "flightcdc.kafka.bootstrap-servers", EXTERNAL_KAFKA.bootstrapServers(),
                "flightcdc.opensky.poll-enabled", "false");
    }

    @Test
    void carriesChangesThroughTheConfiguredServersAndStartsNoneOfItsOwn() throws Exception {
        assertThat(context.getRouteController().getRouteStatus(OpenSkyPollRoute.ROUTE_ID).isStarted()).isFalse();
        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'flightcdc' AND active") == 1);

        try (Connection c = EXTERNAL_POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO flight_state (icao24, callsign, last_contact) VALUES ('ext001', 'THEIRS  ', now())");
            s.execute("UPDATE flight_state SET callsign = 'MOVED   ' WHERE icao24 = 'ext001'");
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            try (Connection c = warehouseConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("""
                         SELECT callsign, (SELECT count(*) FROM flight_state_history WHERE icao24 = 'ext001')
                         FROM flight_state WHERE icao24 = 'ext001'""")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("MOVED   ");
                assertThat(rs.getLong(2)).isEqualTo(2);
            }
        });
        assertThat(DIR.resolve("pipeline/postgres")).doesNotExist();
        assertThat(DIR.resolve("pipeline/kafka")).doesNotExist();
    }

    @Test
    void rowsTheDatabaseHeldBeforeTheFirstStartArriveThroughTheInitialSnapshot() throws Exception {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            try (Connection c = warehouseConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("""
                         SELECT count(*), count(DISTINCT icao24), count(*) FILTER (WHERE _op = 'r'),
                                (SELECT count(*) FROM flight_state WHERE icao24 LIKE 'old%')
                         FROM flight_state_history WHERE icao24 LIKE 'old%'""")) {
                rs.next();
                assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                        .containsOnly((long) PRE_EXISTING_ROWS);
            }
        });
        SnapshotProgress snapshot = context.getRegistry().lookupByNameAndType("snapshotProgress", SnapshotProgress.class);
        // PostgreSQL's statistics give an estimate (rows per page analysed, times the pages now), not a count.
        assertThat(snapshot.expectedTotal()).isPresent();
        assertThat(snapshot.expectedTotal().getAsLong()).isCloseTo(PRE_EXISTING_ROWS, withPercentage(1));
        assertThat(snapshot.summary()).map(SnapshotProgress.Summary::rows).hasValue((long) PRE_EXISTING_ROWS);
    }


    private static long count(String sql) throws Exception {
        try (Connection c = EXTERNAL_POSTGRES.connect();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
