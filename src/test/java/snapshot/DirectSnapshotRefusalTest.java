package snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capture.KeyPartitioner;
import capture.PositionFile;
import e2e.FreePorts;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import settings.StartupException;
import source.SourceCatalog;
import source.SourceDatabase;
import warehouse.SnapshotLoad;
import warehouse.StageRows.StageRow;
import warehouse.TableId;
import warehouse.TableSchema;

/**
 * What a direct snapshot cannot read exactly stops the start, before anything is made in the source or the warehouse,
 * with every reason at once and the fix; so does a first start whose change topics already hold records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectSnapshotRefusalTest {

    private EmbeddedPostgresServer server;
    private SourceDatabase source;

    @BeforeAll
    void startServer(@TempDir Path dir) throws Exception {
        server = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one());
        source = SourceDatabase.of(server);
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE odd (id integer PRIMARY KEY, starts timetz, price money, days date[], note text);
                    CREATE TABLE parent (id integer PRIMARY KEY);
                    CREATE TABLE child (extra text) INHERITS (parent);
                    CREATE TABLE dated (day date PRIMARY KEY, note text)""");
        }
    }

    @AfterAll
    void stopServer() throws Exception {
        source.close();
        server.close();
    }

    @Test
    void columnsNotCarriedExactlyAndInheritedTablesRefuseTheStartWithEveryReason(@TempDir Path dir) throws Exception {
        PositionFile positions = new PositionFile(dir.resolve("offsets.dat"));
        assertThatThrownBy(() -> snapshot(1, "odd", "parent").run(positions, "flightcdc", false))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("public.odd.starts: time with time zone is not carried")
                .hasMessageContaining("public.odd.price: its type reaches the warehouse as Debezium's text of it")
                .hasMessageContaining("public.odd.days: arrays of date are not carried")
                .hasMessageContaining("public.parent has tables that inherit from it")
                .hasMessageNotContaining("public.odd.note")
                .hasMessageEndingWith("Fix: set flightcdc.capture.snapshot=debezium");
        assertNothingMade(positions);
    }

    @Test
    void aKeyWhosePartitionIsNotKnownRefusesOverSeveralPartitionsOnly(@TempDir Path dir) throws Exception {
        PositionFile positions = new PositionFile(dir.resolve("offsets.dat"));
        assertThatThrownBy(() -> snapshot(2, "dated").run(positions, "flightcdc", false))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("public.dated's key is not of text or integer columns")
                .hasMessageContaining("flightcdc.kafka.partitions is 2");
        assertNothingMade(positions);
    }

    @Test
    void changeTopicsHoldingRecordsRefuseTheStart(@TempDir Path dir) throws Exception {
        PositionFile positions = new PositionFile(dir.resolve("offsets.dat"));
        assertThatThrownBy(() -> snapshot(1, "dated").run(positions, "flightcdc", true))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("the change topics already hold records, and no capture position is stored")
                .hasMessageContaining("Fix: set flightcdc.capture.snapshot=debezium for this start");
        assertNothingMade(positions);
    }

    private DirectSnapshot snapshot(int partitions, String... tables) throws Exception {
        SourceCatalog catalog = new SourceCatalog(source.dataSource());
        List<TableSchema> schemas = new ArrayList<>();
        for (String table : tables) {
            schemas.add(catalog.describe(new TableId("public", table)));
        }
        return new DirectSnapshot(source, NO_SNAPSHOT_YET, schemas, t -> "flightcdc." + t, new KeyPartitioner(partitions), 1,
                "direct_refused", "direct_refused", schemas.stream().map(TableSchema::id).toList());
    }

    /** No slot, no publication, no position: a refused start leaves the source and the capture as they were. */
    private void assertNothingMade(PositionFile positions) throws Exception {
        assertThat(positions.read()).isEmpty();
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM pg_replication_slots)"
                     + " + (SELECT count(*) FROM pg_publication)")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    /** A warehouse that has taken no direct snapshot, and must not be asked to begin one. */
    private static final SnapshotLoad NO_SNAPSHOT_YET = new SnapshotLoad() {
        @Override
        public Optional<SnapshotMark> mark() {
            return Optional.empty();
        }

        @Override
        public void begin(long lsn, List<TableSchema> tables) {
            throw new AssertionError("a refused snapshot began");
        }

        @Override
        public void load(TableSchema table, List<StageRow> rows) {
            throw new AssertionError("a refused snapshot loaded rows");
        }

        @Override
        public void finish(long lsn, long rows) {
            throw new AssertionError("a refused snapshot finished");
        }
    };
}
