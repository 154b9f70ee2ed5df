package source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import javax.sql.DataSource;
import opensky.LogLines;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.replication.PGReplicationStream;
import settings.StartupException;
import warehouse.TableId;

/** Each way the source can be unfit for replication stops the start with what is wrong and the fix. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicationPreflightTest {

    private static final List<TableId> CAPTURED = List.of(new TableId("public", "flight_state"));
    private static final List<TableId> CAPTURED_WITH_PARTITIONED = List.of(new TableId("public", "flight_state"),
            new TableId("public", "reading"));

    private Path dir;
    private TestSource postgres;
    /** The last commit LSN in Debezium's stored position, as the capture's offset store would tell. */
    private OptionalLong storedLastCommit = OptionalLong.empty();
    private SourceDatabase source;

    @BeforeAll
    void start() throws Exception {
        postgres = TestSource.start("preflight");
        source = postgres.database();
        dir = postgres.dir();
    }

    @AfterAll
    void stop() throws Exception {
        postgres.close();
    }

    @AfterEach
    void dropSlotsAndPublications() throws Exception {
        storedLastCommit = OptionalLong.empty();
        sql(source.dataSource(), "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots");
        sql(source.dataSource(), "DROP PUBLICATION IF EXISTS flightcdc");
    }

    @Test
    void aFirstRunOnAFitServerPasses() {
        assertThatCode(() -> preflight(source.dataSource(), dir.resolve("never-ran.dat")).check()).doesNotThrowAnyException();
    }

    @Test
    void aServerWithoutLogicalDecoding() throws Exception {
        try (EmbeddedPostgres replica = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("replica"))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("wal_level", "replica")
                .start()) {
            assertFails(preflight(replica.getPostgresDatabase(), dir.resolve("never-ran.dat")),
                    "PostgreSQL runs with wal_level = replica, but change data capture needs logical decoding."
                            + " Fix: ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL.");
        }
    }

    @Test
    void aRoleWithoutReplication() throws Exception {
        sql(source.dataSource(), "DROP ROLE IF EXISTS cdc; CREATE ROLE cdc LOGIN PASSWORD 'cdc-password'");

        assertFails(preflight(as("cdc", "cdc-password", "postgres"), dir.resolve("never-ran.dat")),
                "Role cdc may not stream changes: it has neither REPLICATION nor SUPERUSER."
                        + " Fix, as a superuser: ALTER ROLE cdc REPLICATION;");
    }

    /** A replication user that owns nothing: what sql/roles/source-role.sql makes, less what each test takes away. */
    private DataSource leastPrivileged() throws Exception {
        sql(source.dataSource(), """
                DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'lean') THEN EXECUTE 'DROP OWNED BY lean'; END IF; END $$;
                DROP ROLE IF EXISTS lean;
                CREATE ROLE lean LOGIN REPLICATION PASSWORD 'lean-password';
                CREATE TABLE IF NOT EXISTS flightcdc.heartbeat (id int PRIMARY KEY, beat_at timestamptz NOT NULL);
                GRANT USAGE ON SCHEMA public, flightcdc TO lean; GRANT SELECT ON flight_state TO lean""");
        return as("lean", "lean-password", "postgres");
    }

    private ReplicationPreflight withHeartbeat(DataSource dataSource) {
        return new ReplicationPreflight(dataSource, "flightcdc", "flightcdc", CAPTURED,
                Optional.of(new TableId("flightcdc", "heartbeat")), stored(dir.resolve("never-ran.dat")));
    }

    @Test
    void aRoleThatMayNotReadACapturedTable() throws Exception {
        DataSource lean = leastPrivileged();
        sql(source.dataSource(), "REVOKE SELECT ON flight_state FROM lean");

        assertFails(withHeartbeat(lean), "Role lean may not read public.flight_state, which it captures (the first"
                + " snapshot reads it). Fix, as its owner: GRANT SELECT ON public.flight_state TO lean;");
    }

    @Test
    void aRoleThatMayNotCreateThePublicationItNeeds() throws Exception {
        DataSource lean = leastPrivileged();

        assertFails(withHeartbeat(lean), "Publication 'flightcdc' does not exist, and role lean may not create it: it lacks"
                + " CREATE on database postgres and ownership of public.flight_state, flightcdc.heartbeat (PostgreSQL"
                + " lets only a table's owner publish it). Fix, as a superuser: CREATE PUBLICATION flightcdc FOR TABLE"
                + " public.flight_state WITH (publish_via_partition_root = true); ALTER PUBLICATION flightcdc OWNER TO"
                + " lean; (sql/roles/source-role.sql does it; the pipeline adds its heartbeat table itself)");
    }

    @Test
    void aRoleThatOwnsThePublicationAddsItsHeartbeatTableItself() throws Exception {
        DataSource lean = leastPrivileged();
        sql(source.dataSource(), """
                ALTER TABLE flightcdc.heartbeat OWNER TO lean;
                CREATE PUBLICATION flightcdc FOR TABLE flight_state WITH (publish_via_partition_root = true)""");
        assertFails(withHeartbeat(lean), "Publication 'flightcdc' does not publish the heartbeat table flightcdc.heartbeat,"
                + " and role lean may not add it: the publication is not its own. Fix, as a superuser: ALTER PUBLICATION"
                + " flightcdc OWNER TO lean; (or ALTER PUBLICATION flightcdc ADD TABLE flightcdc.heartbeat;)");

        sql(source.dataSource(), "ALTER PUBLICATION flightcdc OWNER TO lean");
        assertThatCode(() -> withHeartbeat(lean).check()).doesNotThrowAnyException();
        assertThat(single("SELECT string_agg(schemaname || '.' || tablename, ', ' ORDER BY tablename)"
                + " FROM pg_publication_tables WHERE pubname = 'flightcdc'")).isEqualTo("public.flight_state, flightcdc.heartbeat");
    }

    @Test
    void aMissingSlotAfterThePipelineRan() throws Exception {
        Path offsets = Files.writeString(dir.resolve("debezium-offsets.dat"), "a stored position");

        assertFails(preflight(source.dataSource(), offsets),
                "Replication slot 'flightcdc' does not exist, but Debezium's position in " + offsets
                        + " shows the pipeline ran before: changes made since the slot went missing may be lost."
                        + " Fix: rebuild the warehouse from a new snapshot (docs/operations.md, \"When it stops\"; the source is left"
                        + " as it is), or set flightcdc.source.slot to the slot this pipeline used.");
    }

    /** Dropped and created again while the pipeline ran (by Debezium on its own), or read by another client. */
    @Test
    void aSlotConfirmedPastThePositionThePipelineStored() throws Exception {
        Path offsets = Files.writeString(dir.resolve("debezium-offsets.dat"), "a stored position");
        String stored = single("SELECT pg_current_wal_lsn()::text");
        sql(source.dataSource(), "CREATE TABLE IF NOT EXISTS scratch (payload text); INSERT INTO scratch VALUES ('x')");
        sql(source.dataSource(), "SELECT pg_create_logical_replication_slot('flightcdc', 'pgoutput')");
        String confirmed = single("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'flightcdc'");
        storedLastCommit = OptionalLong.of(ReplicationPreflight.lsn(stored));

        assertFails(preflight(source.dataSource(), offsets),
                "Replication slot 'flightcdc' is confirmed up to " + confirmed + ", past " + stored + " where the"
                        + " pipeline stopped: it was dropped and created again, or something else read from it, and the"
                        + " changes in between cannot be read again. Fix: rebuild the warehouse from a new snapshot"
                        + " (docs/operations.md, \"When it stops\"; the source is left as it is).");
    }

    @Test
    void aSlotConfirmedUpToThePositionThePipelineStoredPasses() throws Exception {
        sql(source.dataSource(), "SELECT pg_create_logical_replication_slot('flightcdc', 'pgoutput')");
        storedLastCommit = OptionalLong.of(ReplicationPreflight.lsn(
                single("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'flightcdc'")));

        assertThatCode(() -> preflight(source.dataSource(), dir.resolve("ran.dat")).checkSlot()).doesNotThrowAnyException();
    }

    /** A second pipeline on the same slot: the two would confirm each other's positions and each miss changes. */
    @Test
    void aSlotAnotherClientStreamsFromIsRefusedAfterWaitingForItAndFreeOnceItStops() throws Exception {
        sql(source.dataSource(), "CREATE PUBLICATION flightcdc FOR TABLE flight_state");
        sql(source.dataSource(), "SELECT pg_create_logical_replication_slot('flightcdc', 'pgoutput')");
        Properties replication = new Properties();
        PGProperty.USER.set(replication, "postgres");
        PGProperty.PASSWORD.set(replication, postgres.password());
        PGProperty.REPLICATION.set(replication, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(replication, "10");
        PGProperty.PREFER_QUERY_MODE.set(replication, "simple");
        PGProperty.APPLICATION_NAME.set(replication, "other-pipeline");
        try (Connection other = DriverManager.getConnection(postgres.jdbcUrl(), replication);
             PGReplicationStream stream = other.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                     .logical().withSlotName("flightcdc").withSlotOption("proto_version", 1)
                     .withSlotOption("publication_names", "flightcdc").start()) {
            assertThatThrownBy(() -> preflight(source.dataSource(), dir.resolve("first.dat")).awaitSlotFree(Duration.ofSeconds(1)))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("Replication slot 'flightcdc' is in use by another client (process ")
                    .hasMessageContaining("other-pipeline")
                    .hasMessageContaining("give this pipeline a slot of its own with flightcdc.source.slot");
        }

        assertThatCode(() -> preflight(source.dataSource(), dir.resolve("first.dat")).awaitSlotFree(Duration.ofSeconds(30)))
                .doesNotThrowAnyException();
    }

    @Test
    void anInvalidatedSlot() throws Exception {
        sql(source.dataSource(), "SELECT pg_create_logical_replication_slot('flightcdc', 'pgoutput')");
        sql(source.dataSource(), "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'; SELECT pg_reload_conf()");
        try {
            sql(source.dataSource(), "CREATE TABLE IF NOT EXISTS scratch (payload text)");
            // PostgreSQL invalidates a slot at a checkpoint, once the WAL it holds exceeds the limit.
            for (int i = 0; i < 20 && !"lost".equals(walStatus("flightcdc")); i++) {
                sql(source.dataSource(), "INSERT INTO scratch SELECT repeat('x', 100) FROM generate_series(1, 1000);"
                        + " SELECT pg_switch_wal(); CHECKPOINT");
            }
            assertThat(walStatus("flightcdc")).isEqualTo("lost");
        } finally {
            sql(source.dataSource(), "ALTER SYSTEM RESET max_slot_wal_keep_size; SELECT pg_reload_conf()");
        }

        assertFails(preflight(source.dataSource(), dir.resolve("never-ran.dat")),
                "Replication slot 'flightcdc' was invalidated by PostgreSQL (wal_removed): WAL it had not delivered yet"
                        + " is gone, so changes were lost. Fix: SELECT pg_drop_replication_slot('flightcdc'); then rebuild"
                        + " the warehouse from a new snapshot (docs/operations.md, \"When it stops\"; the source is left as it is).");
    }

    @Test
    void aSlotOfAnotherPlugin() throws Exception {
        sql(source.dataSource(), "SELECT pg_create_logical_replication_slot('flightcdc', 'test_decoding')");

        assertFails(preflight(source.dataSource(), dir.resolve("never-ran.dat")),
                "Replication slot 'flightcdc' decodes with test_decoding, but the pipeline reads pgoutput."
                        + " Fix: set flightcdc.source.slot to another name, or drop the slot if nothing uses it:"
                        + " SELECT pg_drop_replication_slot('flightcdc');");
    }

    @Test
    void aSlotOfAnotherDatabase() throws Exception {
        sql(source.dataSource(), "DROP DATABASE IF EXISTS elsewhere; CREATE DATABASE elsewhere");
        sql(as("postgres", postgres.password(), "elsewhere"), "SELECT pg_create_logical_replication_slot('flightcdc', 'pgoutput')");

        assertFails(preflight(source.dataSource(), dir.resolve("never-ran.dat")),
                "Replication slot 'flightcdc' belongs to database 'elsewhere', but the pipeline captures database"
                        + " 'postgres' (slot names are server-wide). Fix: set flightcdc.source.slot to another name, or"
                        + " drop the slot if nothing uses it: SELECT pg_drop_replication_slot('flightcdc');");
    }

    @Test
    void aPublicationWithoutACapturedTable() throws Exception {
        sql(source.dataSource(), "CREATE PUBLICATION flightcdc FOR TABLE rejected_state");

        assertFails(preflight(source.dataSource(), dir.resolve("never-ran.dat")),
                "Publication 'flightcdc' does not publish public.flight_state, which the pipeline captures."
                        + " Fix: ALTER PUBLICATION flightcdc ADD TABLE public.flight_state; or DROP PUBLICATION"
                        + " flightcdc; so it is recreated.");
    }

    @Test
    void aPublicationOfAllTables() throws Exception {
        sql(source.dataSource(), "CREATE PUBLICATION flightcdc FOR ALL TABLES");

        assertFails(preflight(source.dataSource(), dir.resolve("never-ran.dat")),
                "Publication 'flightcdc' publishes all tables, but Debezium keeps a publication of the captured tables"
                        + " only and will not alter it. Fix: DROP PUBLICATION flightcdc; so it is recreated, or set"
                        + " flightcdc.source.publication to another name.");
    }

    @Test
    void aPublicationThatNamesAPartitionedTablesChangesAfterItsPartitions() throws Exception {
        createPartitionedTable();
        sql(source.dataSource(), "CREATE PUBLICATION flightcdc FOR TABLE flight_state, reading");

        assertFails(preflight(source.dataSource(), dir.resolve("never-ran.dat"), CAPTURED_WITH_PARTITIONED),
                "Publication 'flightcdc' publishes the changes of the partitioned table public.reading under the names"
                        + " of its partitions, so the pipeline would not see them. Fix: ALTER PUBLICATION flightcdc SET"
                        + " (publish_via_partition_root = true);");
    }

    @Test
    void aPublicationThroughThePartitionRootPasses() throws Exception {
        createPartitionedTable();
        sql(source.dataSource(), "CREATE PUBLICATION flightcdc FOR TABLE flight_state, reading"
                + " WITH (publish_via_partition_root = true)");

        assertThatCode(() -> preflight(source.dataSource(), dir.resolve("never-ran.dat"),
                CAPTURED_WITH_PARTITIONED).check()).doesNotThrowAnyException();
    }

    @Test
    void aPartitionWhoseReplicaIdentityIsNotItsPartitionedTablesIsWarnedOf() throws Exception {
        createPartitionedTable();
        sql(source.dataSource(), """
                CREATE TABLE IF NOT EXISTS reading_us PARTITION OF reading FOR VALUES IN ('us');
                ALTER TABLE reading REPLICA IDENTITY FULL;
                ALTER TABLE reading_eu REPLICA IDENTITY FULL""");

        try (LogLines log = new LogLines(Level.WARN)) {
            preflight(source.dataSource(), dir.resolve("never-ran.dat"), CAPTURED_WITH_PARTITIONED).check();

            assertThat(log.all()).containsExactly("WARN source.ReplicationPreflight: Partition reading_us of public.reading"
                    + " has REPLICA IDENTITY DEFAULT, but public.reading has FULL: PostgreSQL does not pass a partitioned"
                    + " table's replica identity to its partitions, and the partition's decides what its deletes carry of"
                    + " the old row into the history. Fix: ALTER TABLE reading_us REPLICA IDENTITY FULL;");
        } finally {
            sql(source.dataSource(), "ALTER TABLE reading REPLICA IDENTITY DEFAULT; ALTER TABLE reading_eu REPLICA IDENTITY DEFAULT");
        }
    }

    private void createPartitionedTable() throws Exception {
        sql(source.dataSource(), """
                CREATE TABLE IF NOT EXISTS reading (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
                CREATE TABLE IF NOT EXISTS reading_eu PARTITION OF reading FOR VALUES IN ('eu')""");
    }

    private ReplicationPreflight preflight(DataSource dataSource, Path offsets) {
        return preflight(dataSource, offsets, CAPTURED);
    }

    private ReplicationPreflight preflight(DataSource dataSource, Path offsets, List<TableId> captured) {
        return new ReplicationPreflight(dataSource, "flightcdc", "flightcdc", captured, Optional.empty(), stored(offsets));
    }

    /** A position kept in {@code file}, stored when the file exists; its last commit is the test's to set. */
    private StoredPosition stored(Path file) {
        return new StoredPosition(file.toString(), () -> Files.exists(file), () -> storedLastCommit);
    }

    private static void assertFails(ReplicationPreflight preflight, String message) {
        assertThatThrownBy(preflight::check).isInstanceOf(StartupException.class).hasMessage(message);
    }

    private DataSource as(String user, String password, String database) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(postgres.jdbcUrl().replaceFirst("/postgres\\b", "/" + database));
        dataSource.setUser(user);
        dataSource.setPassword(password);
        return dataSource;
    }

    private String single(String query) throws Exception {
        try (var c = source.dataSource().getConnection(); var s = c.createStatement(); var rs = s.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String walStatus(String slot) throws Exception {
        try (Connection c = source.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void sql(DataSource dataSource, String statements) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }
}
