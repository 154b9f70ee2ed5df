package warehouse.jdbc;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import warehouse.ChangeBatch;
import warehouse.DerivedViews;
import warehouse.Dialect;
import warehouse.KafkaPartition;
import warehouse.LoadResult;
import warehouse.MergeSqlGenerator;
import warehouse.PartitionProgress;
import warehouse.SnapshotLoad;
import warehouse.StageRows.StageRow;
import warehouse.TableSchema;
import warehouse.Warehouse;

/**
 * One warehouse loaded by several {@link MergeWarehouse} writers at once, each with a connection and staging
 * tables of its own: the loader's consumers (flightcdc.load.consumers) each write their batches while the others
 * do. Their partitions are disjoint, and so are the keys they write (a key's changes are all in one partition).
 *
 * <p>A partition is written by one writer at a time, and each reads the progress the writers share only while it
 * holds the partition: when Kafka moves a partition from one consumer to another, a batch the first was still
 * writing is committed before the second plans its own, which then skips what the first loaded. New columns are
 * prepared while no batch is written.
 */
public final class ParallelWriters implements Warehouse {

    /** Makes writer {@code writer}, numbered from 0, with its statements and the progress the writers share. */
    @FunctionalInterface
    interface WriterFactory {
        MergeWarehouse open(int writer, MergeSqlGenerator sql, Map<KafkaPartition, PartitionProgress> loaded)
                throws SQLException;
    }

    private final List<MergeWarehouse> writers = new ArrayList<>();
    private final BlockingQueue<MergeWarehouse> idle;
    private final Map<KafkaPartition, PartitionProgress> loaded = new ConcurrentHashMap<>();
    private final Map<KafkaPartition, ReentrantLock> partitionLocks = new ConcurrentHashMap<>();
    /** Loads share it; preparing tables takes it alone. */
    private final ReadWriteLock tables = new ReentrantReadWriteLock();

    /**
     * @param count how many batches may be written at once
     */
    ParallelWriters(int count, Dialect dialect, WriterFactory factory) throws SQLException {
        idle = new ArrayBlockingQueue<>(count);
        MergeSqlGenerator sql = new MergeSqlGenerator(dialect);
        try {
            for (int writer = 0; writer < count; writer++) {
                MergeWarehouse opened = factory.open(writer, sql.forWriter(writer), loaded);
                writers.add(opened);
                idle.add(opened);
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(e);
            throw e;
        }
    }

    /** For writers made as {@link MergeWarehouse} makes itself, each with a connection from {@code connector}. */
    public static ParallelWriters of(int count, MergeWarehouse.Connector connector, Dialect dialect,
                                     Function<MergeSqlGenerator, Stager> stager, DerivedViews views)
            throws SQLException {
        return new ParallelWriters(count, dialect, (writer, sql, loaded) ->
                new MergeWarehouse(connector, dialect, sql, stager.apply(sql), views, loaded, writer == 0));
    }

    @Override
    public void prepare(List<TableSchema> schemas) throws SQLException {
        tables.writeLock().lock();
        try {
            for (MergeWarehouse writer : writers) {
                writer.prepare(schemas);
            }
        } finally {
            tables.writeLock().unlock();
        }
    }

    @Override
    public LoadResult load(ChangeBatch batch) throws SQLException, InterruptedException {
        List<ReentrantLock> held = lockPartitionsOf(batch);
        tables.readLock().lock();
        MergeWarehouse writer = null;
        try {
            writer = idle.take();
            return writer.load(batch);
        } finally {
            if (writer != null) {
                idle.add(writer);
            }
            tables.readLock().unlock();
            held.forEach(ReentrantLock::unlock);
        }
    }

    /** In one order (topic, partition), so that two batches never wait for each other. */
    private List<ReentrantLock> lockPartitionsOf(ChangeBatch batch) {
        TreeSet<KafkaPartition> partitions = new TreeSet<>(Comparator.comparing(KafkaPartition::topic)
                .thenComparingInt(KafkaPartition::partition));
        partitions.addAll(batch.nextOffsets().keySet());
        batch.changes().forEach(c -> partitions.add(new KafkaPartition(c.topic(), c.partition())));
        batch.unreadable().forEach(d -> partitions.add(new KafkaPartition(d.topic(), d.partition())));
        List<ReentrantLock> held = new ArrayList<>(partitions.size());
        for (KafkaPartition partition : partitions) {
            ReentrantLock lock = partitionLocks.computeIfAbsent(partition, p -> new ReentrantLock());
            lock.lock();
            held.add(lock);
        }
        return held;
    }

    /** See {@link MergeWarehouse#afterLoad}: told on the writing thread after each batch any writer commits. */
    public void afterLoad(Runnable observer) {
        writers.forEach(w -> w.afterLoad(observer));
    }

    @Override
    public Map<KafkaPartition, PartitionProgress> progress() {
        return Map.copyOf(loaded);
    }

    /** The writers share the progress: one reads it for all. */
    @Override
    public Map<KafkaPartition, PartitionProgress> progressReadAgain() throws SQLException {
        return writers.get(0).progressReadAgain();
    }

    /**
     * Its mark through the first writer, its batches through every writer at once: a direct snapshot runs before the
     * capture publishes, so the loaders have nothing else to write meanwhile, and its batches are each a transaction of
     * their own, whose rows no other batch holds.
     */
    @Override
    public Optional<SnapshotLoad> directSnapshot() {
        SnapshotLoad marks = writers.get(0);
        return Optional.of(new SnapshotLoad() {
            @Override
            public Optional<SnapshotMark> mark() throws SQLException {
                return marks.mark();
            }

            @Override
            public void begin(long lsn, List<TableSchema> snapshotted) throws SQLException {
                marks.begin(lsn, snapshotted);
            }

            @Override
            public void load(TableSchema table, List<StageRow> rows) throws SQLException, InterruptedException {
                onIdleWriter(writer -> writer.load(table, rows));
            }

            @Override
            public Optional<Path> csvDirectory() {
                return marks.csvDirectory();
            }

            @Override
            public void loadCsv(TableSchema table, CsvBatch batch) throws SQLException, InterruptedException {
                onIdleWriter(writer -> writer.loadCsv(table, batch));
            }

            @Override
            public int parallelism() {
                return writers.size();
            }

            @Override
            public void finish(long lsn, long rows) throws SQLException {
                marks.finish(lsn, rows);
            }
        });
    }

    /** A writer's work, which may fail as a load does. */
    @FunctionalInterface
    private interface WriterWork {
        void on(MergeWarehouse writer) throws SQLException, InterruptedException;
    }

    /** Does {@code work} on a writer no other thread has meanwhile, once one is idle. */
    private void onIdleWriter(WriterWork work) throws SQLException, InterruptedException {
        tables.readLock().lock();
        MergeWarehouse writer = null;
        try {
            writer = idle.take();
            work.on(writer);
        } finally {
            if (writer != null) {
                idle.add(writer);
            }
            tables.readLock().unlock();
        }
    }

    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (MergeWarehouse writer : writers) {
            try {
                writer.close();
            } catch (SQLException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void closeQuietly(Exception cause) {
        try {
            close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
