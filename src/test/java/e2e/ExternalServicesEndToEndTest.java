package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;
import static org.awaitility.Awaitility.await;

import capture.SnapshotProgress;
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
 * through the ones it was given (started by the test, standing in for a user's servers). Their
 * database already holds rows when the pipeline first starts: Debezium's initial snapshot carries them.
 * One pipeline serves every test here, as one would serve their servers.
 *
 * <p>One test body, two providers of the servers: {@link ExternalServicesOnEmbeddedServersEndToEndTest} (PostgreSQL 17 and a Kafka broker of the
 * project's own, everywhere) and {@link ExternalServicesOnContainersEndToEndTest} (the postgres:17 and apache/kafka images, wherever a Docker
 * engine runs, as on GitHub's runners).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ExternalServicesEndToEndTest extends PipelineTestSupport {

    private static final int PRE_EXISTING_ROWS = 20_000;

    /** Where the test's stand-ins for a user's servers are, and how to stop them. */
    protected record TheirServers(String jdbcUrl, String user, String password, String bootstrapServers,
                                  AutoCloseable stop) {
        Connection connect() throws java.sql.SQLException {
            return java.sql.DriverManager.getConnection(jdbcUrl, user, password);
        }
    }

    private Path dir;
    private TheirServers their;

    /** Starts their servers, their files (if any) in {@code dir}. Called once, before the pipeline starts. */
    protected abstract TheirServers startTheirServers(Path dir);

    /**
     * Their servers, started on first use: Camel asks for {@link #pipelineSettings()} from its constructor, before this
     * class's fields could be set by one of its own.
     */
    private TheirServers their() {
        if (their == null) {
            dir = newDirectory(getClass().getSimpleName() + "-");
            their = startTheirServers(dir);
            fillTheirTableBeforeThePipelineStarts();
        }
        return their;
    }

    /** Their database is in use already: the pipeline's first start must carry what it holds. */
    private void fillTheirTableBeforeThePipelineStarts() {
        try (SourceDatabase theirs = new SourceDatabase(their.jdbcUrl(), their.user(), their.password());
             Connection c = theirs.dataSource().getConnection();
             Statement s = c.createStatement()) {
            theirs.migrate();
            s.execute("""
                    INSERT INTO flight_state (icao24, callsign, last_contact, velocity)
                    SELECT 'old' || lpad(g::text, 5, '0'), 'OLD' || g, now() - g * interval '1 second', g / 10.0
                    FROM generate_series(1, %d) g""".formatted(PRE_EXISTING_ROWS));
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void stopThePipelineThenTheirServices() throws Exception {
        // With one pipeline per class, Camel would stop it only after this method: it must not outlive its servers.
        context.stop();
        their().stop().close();
    }

    @Override
    protected Properties pipelineSettings() {
        TheirServers their = their();
        return settings(dir.resolve("pipeline"),
                "flightcdc.source.jdbc-url", their.jdbcUrl(),
                "flightcdc.source.user", their.user(),
                "flightcdc.source.password", their.password(),
                "flightcdc.kafka.bootstrap-servers", their.bootstrapServers(),
                "flightcdc.opensky.poll-enabled", "false");
    }

    @Test
    void carriesChangesThroughTheConfiguredServersAndStartsNoneOfItsOwn() throws Exception {
        assertThat(context.getRouteController().getRouteStatus(OpenSkyPollRoute.ROUTE_ID).isStarted()).isFalse();
        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'flightcdc' AND active") == 1);

        try (Connection c = their().connect(); Statement s = c.createStatement()) {
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
        assertThat(dir.resolve("pipeline/postgres")).doesNotExist();
        assertThat(dir.resolve("pipeline/kafka")).doesNotExist();
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


    private long count(String sql) throws Exception {
        try (Connection c = their().connect();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
