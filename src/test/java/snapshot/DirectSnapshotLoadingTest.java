package snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capture.KeyPartitioner;
import capture.PositionFile;
import e2e.FreePorts;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import source.SourceCatalog;
import source.SourceDatabase;
import warehouse.SnapshotLoad;
import warehouse.StageRows.StageRow;
import warehouse.TableId;
import warehouse.TableSchema;

/**
 * A direct snapshot loads its batches on as many threads as the warehouse writes at once, and the first batch the
 * warehouse fails to load stops it with the warehouse's error: not finished, no capture position stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectSnapshotLoadingTest {

    /** Three batches of DirectSnapshot.BATCH_ROWS, the last one short. */
    private static final int ROWS = 2 * DirectSnapshot.BATCH_ROWS + 10;

    private EmbeddedPostgresServer server;
    private SourceDatabase source;

    @BeforeAll
    void startServer(@TempDir Path dir) throws Exception {
        server = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one());
        source = SourceDatabase.of(server);
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE many (id integer PRIMARY KEY, note text)");
            s.execute("INSERT INTO many SELECT g, 'row ' || g FROM generate_series(1, " + ROWS + ") g");
        }
    }

    @AfterAll
    void stopServer() throws Exception {
        source.close();
        server.close();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void twoBatchesAreLoadedAtOnceAndAFailedOneStopsTheSnapshot(@TempDir Path dir) throws Exception {
        CountDownLatch bothLoading = new CountDownLatch(2);
        AtomicInteger loads = new AtomicInteger();
        SnapshotLoad warehouse = new SnapshotLoad() {
            @Override
            public Optional<SnapshotMark> mark() {
                return Optional.empty();
            }

            @Override
            public void begin(long lsn, List<TableSchema> tables) {
            }

            /** The first two batches wait for each other: with one thread loading they never meet. */
            @Override
            public void load(TableSchema table, List<StageRow> rows) throws SQLException, InterruptedException {
                int load = loads.incrementAndGet();
                if (load <= 2) {
                    bothLoading.countDown();
                    if (!bothLoading.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("batch " + load + " was not loaded beside another");
                    }
                }
                if (load == 2) {
                    throw new SQLException("the warehouse's disk is full (test)");
                }
            }

            @Override
            public int parallelism() {
                return 2;
            }

            @Override
            public void finish(long lsn, long rows) {
                throw new AssertionError("a snapshot that failed to load finished");
            }
        };
        TableSchema many = new SourceCatalog(source.dataSource()).describe(new TableId("public", "many"));
        PositionFile positions = new PositionFile(dir.resolve("offsets.dat"));
        DirectSnapshot snapshot = new DirectSnapshot(source, warehouse, List.of(many), t -> "flightcdc." + t,
                new KeyPartitioner(1), 1, "direct_loading", "direct_loading", List.of(many.id()));

        long started = System.nanoTime();
        assertThatThrownBy(() -> snapshot.run(positions, "flightcdc", false))
                .isInstanceOf(SQLException.class)
                .hasMessage("the warehouse's disk is full (test)");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(bothLoading.getCount()).isZero();
        assertThat(positions.read()).isEmpty();
    }
}
