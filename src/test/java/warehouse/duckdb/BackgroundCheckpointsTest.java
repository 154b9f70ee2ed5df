package warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real DuckDB file whose own checkpoints in commits are put out of reach ({@code checkpoint_threshold} 1 GB), so that
 * the WAL shrinks only by the checkpoints started beside the loader.
 */
class BackgroundCheckpointsTest {

    private static final long START = 1L << 20;

    @TempDir
    Path dir;
    private Path file;
    private DuckDBConnection loader;
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private BackgroundCheckpoints checkpoints;

    @BeforeEach
    void open() throws Exception {
        file = dir.resolve("w.duckdb");
        loader = (DuckDBConnection) DuckDbConnections.open(file);
        try (Statement s = loader.createStatement()) {
            s.execute("SET checkpoint_threshold = '1GB'");
            s.execute("CREATE TABLE history (id BIGINT, text VARCHAR)");
        }
        checkpoints = new BackgroundCheckpoints(file, START, () -> {
            threads.add(Thread.currentThread().getName());
            return loader.duplicate();
        });
    }

    @AfterEach
    void close() throws Exception {
        checkpoints.close();
        loader.close();
    }

    @Test
    void aWalPastTheStartIsCheckpointedOnAThreadOfItsOwnAndKeepsEveryRow() throws Exception {
        long rows = commitRows(0, 20_000);
        assertThat(walBytes()).isGreaterThanOrEqualTo(START);

        checkpoints.afterLoad();

        await().atMost(Duration.ofSeconds(30)).until(() -> checkpoints.done() == 1);
        assertThat(walBytes()).isLessThan(START);
        assertThat(threads).containsExactly("warehouse-checkpoint");
        assertThat(count()).isEqualTo(rows);
    }

    @Test
    void belowTheStartNothingIsStarted() throws Exception {
        commitRows(0, 10);
        assertThat(walBytes()).isLessThan(START);

        checkpoints.afterLoad();
        checkpoints.close(); // waits for anything started

        assertThat(threads).isEmpty();
        assertThat(checkpoints.done()).isZero();
    }

    @Test
    void refusedBesideAnUncommittedUpdateAndTriedAgainAfterTheNextLoad() throws Exception {
        long rows = commitRows(0, 20_000);
        try (Connection other = loader.duplicate()) {
            // DuckDB checkpoints beside uncommitted inserts and deletes, not beside an update or a schema change.
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("UPDATE history SET text = 'updated' WHERE id < 10");
            }

            checkpoints.afterLoad();
            await().atMost(Duration.ofSeconds(30)).until(() -> checkpoints.refused() == 1);
            assertThat(checkpoints.done()).isZero();
            assertThat(walBytes()).isGreaterThanOrEqualTo(START);

            other.commit();
        }
        checkpoints.afterLoad();

        await().atMost(Duration.ofSeconds(30)).until(() -> checkpoints.done() == 1);
        assertThat(walBytes()).isLessThan(START);
        assertThat(count()).isEqualTo(rows);
        try (Statement s = loader.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM history WHERE text = 'updated'")) {
            r.next();
            assertThat(r.getLong(1)).isEqualTo(10);
        }
    }

    /** Commits rows {@code from} to {@code to} - 1, of about 100 bytes each; returns how many the table then holds. */
    private long commitRows(int from, int to) throws Exception {
        try (Statement s = loader.createStatement()) {
            s.execute("INSERT INTO history SELECT range, repeat('x', 100) || range FROM range(" + from + ", " + to + ")");
        }
        return count();
    }

    private long count() throws Exception {
        try (Statement s = loader.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM history")) {
            r.next();
            return r.getLong(1);
        }
    }

    private long walBytes() throws Exception {
        Path wal = dir.resolve("w.duckdb.wal");
        return Files.exists(wal) ? Files.size(wal) : 0;
    }
}
