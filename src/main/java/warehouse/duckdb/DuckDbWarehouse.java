package warehouse.duckdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.ChangeBatch;
import warehouse.DerivedViews;
import warehouse.KafkaPartition;
import warehouse.LoadResult;
import warehouse.PartitionProgress;
import warehouse.SnapshotLoad;
import warehouse.TableSchema;
import warehouse.Warehouse;
import warehouse.jdbc.MergeWarehouse;
import warehouse.jdbc.ParallelWriters;

/**
 * The embedded DuckDB warehouse: a file, loaded by the shared {@link MergeWarehouse} with DuckDB's
 * dialect and its appender for staging, by as many writers at once as the loader has consumers
 * ({@link ParallelWriters}; DuckDB lets connections of one process write at once, and their keys are
 * disjoint). What it adds is opening the file and readers that share it, since DuckDB lets only one process
 * at a time open the file.
 */
public final class DuckDbWarehouse implements Warehouse {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDbWarehouse.class);

    private final Path file;
    /** DuckDB's memory_limit, e.g. 64MB; empty for DuckDB's own default. */
    private final Optional<String> memoryLimit;
    /** The loader's connection: a new one after DuckDB invalidated the database (see MergeWarehouse#load). */
    private volatile DuckDBConnection connection;
    private final ParallelWriters loader;
    private final BackgroundCheckpoints checkpoints;
    private volatile Runnable afterLoad = () -> { };

    private DuckDbWarehouse(Path file, DerivedViews views, int writers, Optional<String> memoryLimit)
            throws SQLException {
        this.file = file;
        this.memoryLimit = memoryLimit;
        // A direct snapshot's CSV files beside the database: the next start clears what a run cut off left there.
        Path csvDirectory = file.toAbsolutePath().resolveSibling(file.getFileName() + ".snapshot");
        this.loader = ParallelWriters.of(writers, this::connect, new DuckDbDialect(),
                sql -> new DuckDbAppenderStager(sql, csvDirectory), views);
        this.checkpoints = new BackgroundCheckpoints(file, BackgroundCheckpoints.START_BYTES, () -> connection.duplicate());
        loader.afterLoad(() -> {
            afterLoad.run();
            checkpoints.afterLoad();
        });
    }

    /** Connections of one process to one file share its database. */
    private DuckDBConnection connect() throws SQLException {
        DuckDBConnection opened = (DuckDBConnection) DuckDbConnections.open(file);
        if (memoryLimit.isPresent()) {
            // Set on the database rather than given when opening: DuckDB refuses a second connection of the process to
            // the file with a configuration other than the first's (verify's, a query's), and the limit is the
            // database's, whichever connection sets it.
            try (Statement statement = opened.createStatement()) {
                statement.execute("SET memory_limit = '" + memoryLimit.get() + "'");
            } catch (SQLException e) {
                opened.close();
                throw new MemoryLimitRefused("DuckDB refused flightcdc.warehouse.duckdb-memory-limit "
                        + memoryLimit.get() + ": " + String.valueOf(e.getMessage()).strip()
                        + ". Fix: give it as a size, e.g. 64MB or 2GB", e);
            }
        }
        // Above where the checkpoints beside the loader start: DuckDB checkpoints in a commit only when they cannot.
        try (Statement statement = opened.createStatement()) {
            statement.execute("SET checkpoint_threshold = '" + BackgroundCheckpoints.DUCKDB_THRESHOLD + "'");
        } catch (SQLException e) {
            opened.close();
            throw e;
        }
        connection = opened;
        return opened;
    }

    /** A warehouse with no views but its tables. */
    public static DuckDbWarehouse open(Path file) throws SQLException {
        return open(file, DerivedViews.NONE);
    }

    /** A warehouse that creates {@code views} over its tables when it prepares them. */
    public static DuckDbWarehouse open(Path file, DerivedViews views) throws SQLException {
        return open(file, views, 1);
    }

    /** ... and takes up to {@code writers} batches at once. */
    public static DuckDbWarehouse open(Path file, DerivedViews views, int writers) throws SQLException {
        return open(file, views, writers, Optional.empty());
    }

    /** ... with DuckDB's memory_limit {@code memoryLimit} (e.g. 64MB), or DuckDB's own default where it is empty. */
    public static DuckDbWarehouse open(Path file, DerivedViews views, int writers, Optional<String> memoryLimit)
            throws SQLException {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (java.io.IOException e) {
            throw new SQLException("Cannot create the folder of the DuckDB warehouse " + file + " (" + e + "). Fix: give"
                    + " flightcdc.warehouse.duckdb-path a folder this user can create and write", e);
        }
        try {
            DuckDbWarehouse warehouse = new DuckDbWarehouse(file, views, writers, memoryLimit);
            LOG.info("DuckDB warehouse open at {}{}", file.toAbsolutePath(),
                    memoryLimit.map(limit -> ", DuckDB's memory limited to " + limit).orElse(""));
            return warehouse;
        } catch (MemoryLimitRefused e) {
            throw e;
        } catch (SQLException e) {
            throw new SQLException("Cannot open the DuckDB warehouse " + file + " (is another process using it?"
                    + " DuckDB allows one writer): " + String.valueOf(e.getMessage()).strip() + ". Fix: stop the other"
                    + " pipeline, or give this one a warehouse of its own with flightcdc.warehouse.duckdb-path", e);
        }
    }

    /** The setting's value is at fault, not the file: its message says so, unlike a file that cannot be opened. */
    private static final class MemoryLimitRefused extends SQLException {
        MemoryLimitRefused(String message, SQLException cause) {
            super(message, cause);
        }
    }

    /** A connection for queries, sharing this database; the caller closes it. */
    public Connection newReader() throws SQLException {
        return connection.duplicate();
    }

    @Override
    public void prepare(List<TableSchema> schemas) throws SQLException {
        loader.prepare(schemas);
    }

    @Override
    public LoadResult load(ChangeBatch batch) throws SQLException, InterruptedException {
        try {
            return loader.load(batch);
        } catch (SQLException e) {
            throw outOfMemory(e).orElseThrow(() -> e);
        }
    }

    /**
     * DuckDB's out-of-memory, with what to change: its own message names only its SQL ({@code SET memory_limit}), and
     * from the appender not even that ("Failed to append: could not allocate block of size ...").
     */
    private Optional<SQLException> outOfMemory(SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (!message.contains("could not allocate") && !message.contains("Out of Memory Error")) {
            return Optional.empty();
        }
        return Optional.of(new SQLException("DuckDB ran out of memory loading a batch, under "
                + memoryLimit.map(limit -> "flightcdc.warehouse.duckdb-memory-limit=" + limit)
                        .orElse("its own memory limit (80% of the machine's memory)")
                + "; the batch is retried and nothing past it is committed: " + message.strip() + ". Fix: "
                + memoryLimit.map(limit -> "raise flightcdc.warehouse.duckdb-memory-limit, or leave it empty for DuckDB's own")
                        .orElse("give the machine more memory, or the loader smaller batches (flightcdc.load.max-batch)"),
                e.getSQLState(), e.getErrorCode(), e));
    }

    /** See {@link ParallelWriters#afterLoad}. */
    public void afterLoad(Runnable observer) {
        this.afterLoad = observer == null ? () -> { } : observer;
    }

    @Override
    public Map<KafkaPartition, PartitionProgress> progress() {
        return loader.progress();
    }

    @Override
    public Map<KafkaPartition, PartitionProgress> progressReadAgain() throws SQLException {
        return loader.progressReadAgain();
    }

    @Override
    public Optional<SnapshotLoad> directSnapshot() {
        return loader.directSnapshot();
    }

    @Override
    public void close() throws SQLException {
        checkpoints.close();
        loader.close();
    }
}
