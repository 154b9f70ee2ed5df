package warehouse.duckdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints the DuckDB file on a thread of its own while the loader waits for its next batch, before DuckDB would do
 * it in the loader's commit.
 *
 * <p>Why: DuckDB checkpoints in the commit that takes its WAL past {@code checkpoint_threshold} (16 MiB), on the
 * committing thread. At 10,000 changes/s that was every 5 s, and the batch it landed in took 150–350 ms more than the
 * others; that batch's transactions were the latency's p99 (bench/results/2026-12-06-a9d02bb-p99-at-10000-checkpoints.md).
 * Once a load leaves the WAL at {@link #START_BYTES} or more, a {@code CHECKPOINT} runs on a connection of its own.
 *
 * <p>DuckDB 2.0 checkpoints beside transactions that have inserted or deleted rows and not yet committed, and refuses
 * beside one that has updated rows or changed the schema ("Cannot CHECKPOINT: there are other write transactions
 * active"): then it is tried again after the next load. Should it be refused every time, DuckDB's own checkpoint in the
 * commit still bounds the WAL, as before. What a checkpoint writes and when it is durable is DuckDB's alone: this only
 * chooses the moment and the thread.
 */
final class BackgroundCheckpoints implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundCheckpoints.class);

    /** DuckDB's own default threshold: as often as DuckDB would checkpoint by itself, each one no larger. */
    static final long START_BYTES = 16L << 20;

    /**
     * DuckDB's {@code checkpoint_threshold} beside it: half as much again, room for a few batches to find a pause before
     * the commit would checkpoint.
     */
    static final String DUCKDB_THRESHOLD = "24MB";

    /** How DuckDB begins its refusal of a checkpoint beside another transaction's uncommitted writes. */
    private static final String REFUSED_BESIDE_WRITERS = "Cannot CHECKPOINT";

    /** Opens a connection to the database, for the checkpoint to run on; the checkpoint closes it. */
    interface Connections {
        Connection open() throws SQLException;
    }

    private final Path wal;
    private final long startBytes;
    private final Connections connections;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "warehouse-checkpoint");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /**
     * @param database    the DuckDB file; its WAL is the file beside it named with {@code .wal} added
     * @param startBytes  the WAL's size from which a checkpoint is started
     */
    BackgroundCheckpoints(Path database, long startBytes, Connections connections) {
        this.wal = database.toAbsolutePath().resolveSibling(database.getFileName() + ".wal");
        this.startBytes = startBytes;
        this.connections = connections;
    }

    /** Told on the loader's thread after each batch it committed: starts a checkpoint if the WAL is that large. */
    void afterLoad() {
        if (walBytes() >= startBytes && running.compareAndSet(false, true)) {
            try {
                thread.execute(this::checkpoint);
            } catch (RuntimeException e) {
                running.set(false); // closing: the next start's first load checks again
            }
        }
    }

    private void checkpoint() {
        try (Connection connection = connections.open(); Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT");
            done.incrementAndGet();
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains(REFUSED_BESIDE_WRITERS)) {
                refused.incrementAndGet();
            } else {
                // Not lost: DuckDB checkpoints in a commit all the same once the WAL reaches its threshold.
                LOG.warn("DuckDB's checkpoint beside the loader failed ({}); DuckDB checkpoints in the loader's commits"
                        + " instead, as it does by itself", String.valueOf(e.getMessage()).strip());
            }
        } finally {
            running.set(false);
        }
    }

    private long walBytes() {
        try {
            return Files.size(wal);
        } catch (IOException e) {
            return 0; // none since the last checkpoint, or not readable: DuckDB's own checkpoints go on
        }
    }

    /** Checkpoints made beside the loader. */
    long done() {
        return done.get();
    }

    /** Checkpoints DuckDB refused beside another transaction's writes, each tried again after the next load. */
    long refused() {
        return refused.get();
    }

    /** Waits for a checkpoint under way: the database is not to be closed under it. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("DuckDB's checkpoint beside the loader has not finished in 60 s; closing the warehouse regardless");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
