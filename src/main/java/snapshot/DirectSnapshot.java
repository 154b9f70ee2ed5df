package snapshot;

import capture.KeyPartitioner;
import capture.PositionStorage;
import capture.StartPosition;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.ReplicationSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.StartupException;
import source.SourceDatabase;
import warehouse.ChangeEvent;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.SnapshotLoad;
import warehouse.SnapshotLoad.CsvBatch;
import warehouse.SnapshotLoad.RowPartitions;
import warehouse.SnapshotLoad.SnapshotMark;
import warehouse.SourcePosition;
import warehouse.StageRows.StageRow;
import warehouse.StageText;
import warehouse.TableId;
import warehouse.TableSchema;

/**
 * The initial snapshot, read by the pipeline itself straight into the warehouse, instead of by Debezium through Kafka
 * (flightcdc.capture.snapshot=direct): the rows the captured tables hold at the replication slot's starting point, then
 * every change after it through the capture as always.
 *
 * <p>The slot is made with an exported snapshot, as Debezium's own snapshot does: what a transaction on that snapshot
 * sees is exactly what committed before the slot's first change. Readers, each in such a transaction, select ranges of
 * the tables' pages (ctid ranges; a partitioned table's partitions one by one), each value rendered as the loader's stage
 * holds it (StageTextSql), and the warehouse loads them in batches as snapshot reads (op 'r') at the slot's LSN: a
 * warehouse that reads CSV itself (SnapshotLoad#csvDirectory) a range at a time from a file PostgreSQL's COPY wrote,
 * asking the snapshot for each row's partition when the change topics have several (SnapshotLoad.RowPartitions). Then
 * Debezium is given that LSN as its stored position: it streams every transaction that commits after it.
 *
 * <p>Exactly once: the warehouse records the snapshot's LSN when it begins, and that it finished in its last
 * transaction (SnapshotLoad). The exported snapshot lives only as long as this run, so a run stopped in the middle
 * cannot go on from there: the next one drops the slot, removes the rows loaded so far, and begins again. A run
 * stopped after the mark but before Debezium stored its first position finds the mark finished and the slot where the
 * snapshot left it, and only stores the position.
 *
 * <p>A snapshot row's history row carries its key's partition, as its Kafka record would have, and a negative offset
 * (-1 for the first row read, -2 for the next, ...), which no Kafka record has: it comes before every change of its key.
 */
public final class DirectSnapshot {

    private static final Logger LOG = LoggerFactory.getLogger(DirectSnapshot.class);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Pages in one range a reader selects: 16 MB of heap, about 90,000 rows of flight_state. */
    static final long RANGE_PAGES = 2048;
    /** Rows the warehouse loads in one transaction. */
    static final int BATCH_ROWS = 25_000;
    private static final int FETCH_ROWS = 10_000;
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Key types whose value in the record key Debezium writes is the stage text: a string, or a number. */
    private static final Set<ColumnType> PARTITIONABLE_KEYS = EnumSet.of(ColumnType.TEXT, ColumnType.SMALLINT,
            ColumnType.INTEGER, ColumnType.BIGINT);

    private final SourceDatabase source;
    private final SnapshotLoad warehouse;
    private final List<TableSchema> tables;
    private final Function<TableId, String> topicFor;
    private final KeyPartitioner partitioner;
    private final int readers;
    private final String slot;
    private final String publication;
    /** Every table the publication holds: the captured ones, and the heartbeat table when heartbeats are on. */
    private final List<TableId> published;
    /** How far the snapshot is, in a line: for the health checks answered while it runs. */
    private volatile String progress = "Direct snapshot: about to begin";
    private volatile double fractionDone = Double.NaN;

    /**
     * @param tables the captured tables, as the warehouse has them
     * @param published the tables the publication must hold, as Debezium would make it
     */
    public DirectSnapshot(SourceDatabase source, SnapshotLoad warehouse, List<TableSchema> tables,
                          Function<TableId, String> topicFor, KeyPartitioner partitioner, int readers, String slot,
                          String publication, List<TableId> published) {
        this.source = source;
        this.warehouse = warehouse;
        this.tables = List.copyOf(tables);
        this.topicFor = topicFor;
        this.partitioner = partitioner;
        this.readers = readers;
        this.slot = slot;
        this.publication = publication;
        this.published = List.copyOf(published);
    }

    /**
     * Takes the snapshot, or finds it taken, and stores Debezium's position where it was read. Called at a first start
     * only: no position stored yet.
     *
     * @param positions where Debezium's position is kept
     * @param topicPrefix Debezium's topic.prefix
     * @param topicsHoldRecords whether the change topics hold records already
     */
    public Optional<Result> run(PositionStorage positions, String topicPrefix, boolean topicsHoldRecords)
            throws SQLException, InterruptedException {
        Optional<SnapshotMark> mark = warehouse.mark();
        OptionalLong slotConfirmed = slotConfirmedLsn();
        switch (Start.of(mark, slotConfirmed, topicsHoldRecords)) {
            case STREAM_FROM_MARK -> {
                StartPosition.store(positions, topicPrefix, mark.orElseThrow().lsn());
                LOG.info("Direct snapshot at LSN {} finished before; the capture streams on from there",
                        lsn(mark.orElseThrow().lsn()));
                return Optional.empty();
            }
            case REFUSE -> throw new StartupException("flightcdc.capture.snapshot is direct, but the change topics already"
                    + " hold records, and no capture position is stored: a direct snapshot is taken only at a first start."
                    + " Fix: set flightcdc.capture.snapshot=debezium for this start (its snapshot replaces what the topics"
                    + " hold), or start from empty topics");
            case TAKE -> {
            }
        }
        refuseWhatCannotBeRead();
        if (slotConfirmed.isPresent()) {
            // No position of the pipeline's refers to it: the slot of a snapshot cut off, whose exported snapshot is gone.
            LOG.warn("Dropping replication slot '{}', which no stored capture position refers to: a direct snapshot needs"
                    + " a slot made with its own snapshot", slot);
            try (Connection c = source.newConnection(); PreparedStatement drop = c.prepareStatement(
                    "SELECT pg_drop_replication_slot(?)")) {
                drop.setString(1, slot);
                drop.execute();
            }
        }
        createPublicationIfMissing();
        return Optional.of(take(positions, topicPrefix));
    }

    /**
     * A snapshot taken: its rows, how long it took from making the slot until the warehouse marked it finished, and the
     * CPU time of the threads it read and loaded on, which end with it. Bound in the registry as {@value #RESULT} (the
     * bench reads it).
     */
    public record Result(long rows, long nanos, long threadCpuNanos) {
    }

    /** How far the snapshot is, as its log says it every few seconds: what the pipeline waits for while it runs. */
    public String progress() {
        return progress;
    }

    /** How much of the rows are loaded, 0 to 1; NaN until they are counted, 1 once all are. */
    public double fractionDone() {
        return fractionDone;
    }

    /** The registry name of the {@link Result} of a snapshot this run took. */
    public static final String RESULT = "directSnapshotResult";

    /** What a first start (no capture position stored) does. */
    enum Start {
        /**
         * A snapshot finished, and the slot is still where it was read: only the position was not stored (the run
         * stopped in between). Debezium streams from the snapshot's LSN.
         */
        STREAM_FROM_MARK,
        /**
         * The topics hold records a loader may not have loaded yet, which would be applied over the snapshot's rows (or
         * a capture ran since the snapshot without storing a position): the start is refused.
         */
        REFUSE,
        /** Take a snapshot: none was, or one was cut off, or its slot moved on or is gone. */
        TAKE;

        static Start of(Optional<SnapshotMark> mark, OptionalLong slotConfirmed, boolean topicsHoldRecords) {
            if (topicsHoldRecords) {
                return REFUSE;
            }
            boolean slotWhereRead = slotConfirmed.isPresent() && mark.isPresent()
                    && slotConfirmed.getAsLong() <= mark.get().lsn();
            return mark.isPresent() && mark.get().finished() && slotWhereRead ? STREAM_FROM_MARK : TAKE;
        }
    }

    private Result take(PositionStorage positions, String topicPrefix) throws SQLException, InterruptedException {
        long started = System.nanoTime();
        Path files = warehouse.csvDirectory().orElse(null);
        if (files != null) {
            try {
                deleteFiles(files);
                Files.createDirectories(files);
            } catch (IOException e) {
                throw new SQLException("The direct snapshot cannot make its directory " + files + " (" + e + "). Fix: give"
                        + " it room for a few ranges of the tables, beside the warehouse", e);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(readers, task -> {
            Thread reader = new Thread(task, "direct-snapshot-reader");
            reader.setDaemon(true);
            return reader;
        });
        List<Reader> opened = new ArrayList<>();
        long lsn;
        try {
            // The exported snapshot can be taken up only while the connection that made the slot is open and idle.
            try (Connection exporter = source.newReplicationConnection()) {
                ReplicationSlotInfo made = exporter.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot()
                        .logical().withSlotName(slot).withOutputPlugin("pgoutput").make();
                lsn = made.getConsistentPoint().asLong();
                for (int i = 0; i < readers; i++) {
                    opened.add(new Reader(source.newConnection(), made.getSnapshotName(), files));
                }
            }
            LOG.info("Direct snapshot of {} begins at LSN {}, read by {} connection{}{}, loaded by {} writer{}",
                    tables.stream().map(TableSchema::id).toList(), lsn(lsn), readers, readers == 1 ? "" : "s",
                    files == null ? "" : " into CSV files the warehouse reads", warehouse.parallelism(),
                    warehouse.parallelism() == 1 ? "" : "s");
            warehouse.begin(lsn, tables);
            progress = "Direct snapshot at LSN " + lsn(lsn) + ": counting the tables' rows";
            Copied copied = copy(pool, opened, lsn, started);
            fractionDone = 1;
            progress = "Direct snapshot: " + String.format(Locale.ROOT, "%,d", copied.rows()) + " rows loaded; marking it"
                    + " finished";
            long rows = copied.rows();
            warehouse.finish(lsn, rows);
            long nanos = System.nanoTime() - started;
            StartPosition.store(positions, topicPrefix, lsn);
            double seconds = nanos / 1e9;
            // What the warehouse took of it (each writer, on average) tells which side bounds the rate: the loading, or
            // the reading.
            LOG.info(String.format(Locale.ROOT, "Direct snapshot done: %,d rows in %.1f s (%,.0f rows/s; the warehouse"
                    + " loading %.1f s of it); the capture streams from LSN %s", rows, seconds,
                    rows / Math.max(seconds, 1e-9), copied.loadNanos() / 1e9, lsn(lsn)));
            return new Result(rows, nanos, copied.threadCpuNanos());
        } finally {
            pool.shutdownNow();
            for (Reader reader : opened) {
                reader.close();
            }
            if (files != null) {
                try {
                    deleteFiles(files);
                } catch (IOException e) {
                    LOG.warn("Could not delete the direct snapshot's directory {}: {}", files, e.toString());
                }
            }
        }
    }

    /** The CSV files of ranges not loaded (a snapshot that failed, or a run cut off), and their directory. */
    private static void deleteFiles(Path files) throws IOException {
        if (!Files.isDirectory(files)) {
            return;
        }
        try (Stream<Path> left = Files.list(files)) {
            for (Path file : left.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.delete(files);
    }

    /**
     * The rows loaded, how long the warehouse's writers were busy loading them (each, on average), and the CPU time of
     * the threads that read and loaded them.
     */
    private record Copied(long rows, long loadNanos, long threadCpuNanos) {
    }

    /**
     * Reads every range on the readers' threads and loads their batches on as many threads as the warehouse writes
     * batches at once; this one reports the progress, and stops the others at the first failure.
     */
    private Copied copy(ExecutorService pool, List<Reader> readerList, long lsn, long started)
            throws SQLException, InterruptedException {
        Map<TableId, Long> expected = counts(readerList.get(0).connection);
        long total = expected.values().stream().mapToLong(Long::longValue).sum();
        ConcurrentLinkedQueue<Range> ranges = new ConcurrentLinkedQueue<>(ranges(readerList.get(0).connection));
        int writers = warehouse.parallelism();
        BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(readers + writers);
        CountDownLatch read = new CountDownLatch(readerList.size());
        AtomicLong rowsRead = new AtomicLong();
        Loaded loaded = new Loaded();
        long sourceTsMs = System.currentTimeMillis();
        for (Reader reader : readerList) {
            pool.execute(() -> {
                try {
                    for (Range range = ranges.poll(); range != null; range = ranges.poll()) {
                        reader.read(range, lsn, sourceTsMs, rowsRead, batches);
                    }
                } catch (Exception | Error e) {
                    batches.clear();
                    batches.offer(Batch.failed(e));
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                } finally {
                    loaded.threadCpuNanos.addAndGet(Math.max(0, THREADS.getCurrentThreadCpuTime()));
                    read.countDown();
                }
            });
        }
        ExecutorService loaders = Executors.newFixedThreadPool(writers, task -> {
            Thread loader = new Thread(task, "direct-snapshot-loader");
            loader.setDaemon(true);
            return loader;
        });
        try {
            CompletionService<Void> loading = new ExecutorCompletionService<>(loaders);
            for (int i = 0; i < writers; i++) {
                loading.submit(() -> {
                    try {
                        loadBatches(batches, read, loaded);
                    } finally {
                        loaded.threadCpuNanos.addAndGet(Math.max(0, THREADS.getCurrentThreadCpuTime()));
                    }
                    return null;
                });
            }
            long lastReport = System.nanoTime();
            for (int finished = 0; finished < writers; ) {
                Future<Void> writer = loading.poll(100, TimeUnit.MILLISECONDS);
                if (writer == null) {
                    long rows = loaded.rows.get();
                    progress = progress(rows, total, System.nanoTime() - started);
                    fractionDone = total == 0 ? 1 : Math.min(1, (double) rows / total);
                    if (System.nanoTime() - lastReport > PROGRESS_NANOS) {
                        lastReport = System.nanoTime();
                        LOG.info(progress);
                    }
                    continue;
                }
                try {
                    writer.get();
                    finished++;
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof SQLException sql ? sql : new SQLException(
                            "The direct snapshot could not load the warehouse: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            loaders.shutdownNow();
        }
        for (TableSchema table : tables) {
            long rows = loaded.perTable.getOrDefault(table.id(), new AtomicLong()).get();
            if (rows != expected.get(table.id())) {
                throw new IllegalStateException("The direct snapshot loaded " + rows + " rows of " + table.id()
                        + ", which held " + expected.get(table.id()) + " at its LSN: it is not marked finished,"
                        + " and the next start begins it again. Please report this, with the log");
            }
        }
        return new Copied(loaded.rows.get(), loaded.nanos.get() / writers, loaded.threadCpuNanos.get());
    }

    /** What the loading threads loaded, together, and the CPU time the snapshot's threads took (each, once it ends). */
    private static final class Loaded {
        final AtomicLong rows = new AtomicLong();
        final AtomicLong nanos = new AtomicLong();
        final AtomicLong threadCpuNanos = new AtomicLong();
        final Map<TableId, AtomicLong> perTable = new ConcurrentHashMap<>();
    }

    /** Loads batches until the readers are done and none is left, or one of them failed. */
    private void loadBatches(BlockingQueue<Batch> batches, CountDownLatch read, Loaded loaded)
            throws SQLException, InterruptedException {
        while (true) {
            Batch batch = batches.poll(100, TimeUnit.MILLISECONDS);
            if (batch == null) {
                if (read.getCount() == 0 && batches.isEmpty()) {
                    return;
                }
                continue;
            }
            if (batch.failure() != null) {
                // Put back for the other loading threads, so that each of them stops too.
                batches.offer(batch);
                throw new SQLException("The direct snapshot could not read the source: " + batch.failure().getMessage()
                        + " (the next start begins it again)", batch.failure());
            }
            long loading = System.nanoTime();
            long rows;
            if (batch.csv() != null) {
                warehouse.loadCsv(batch.table(), batch.csv());
                rows = batch.csv().rows();
                try {
                    Files.delete(batch.csv().file());
                } catch (IOException e) {
                    LOG.warn("Could not delete {}, which is loaded: {}", batch.csv().file(), e.toString());
                }
            } else {
                warehouse.load(batch.table(), batch.rows());
                rows = batch.rows().size();
            }
            loaded.nanos.addAndGet(System.nanoTime() - loading);
            loaded.rows.addAndGet(rows);
            loaded.perTable.computeIfAbsent(batch.table().id(), t -> new AtomicLong()).addAndGet(rows);
        }
    }

    private static String progress(long loaded, long total, long nanos) {
        double rate = loaded / (nanos / 1e9);
        return String.format(Locale.ROOT, "Direct snapshot: %,d of %,d rows (%d%%), %,.0f rows/s%s", loaded, total,
                total == 0 ? 100 : loaded * 100 / total, rate,
                rate > 0 ? ", about " + Math.round((total - loaded) / rate) + " s left" : "");
    }

    /** Each table's pages in ranges: of each partition for a partitioned table, of the table itself otherwise. */
    private List<Range> ranges(Connection c) throws SQLException {
        List<Range> ranges = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT format('%I.%I', n.nspname, r.relname), pg_relation_size(r.oid) / current_setting('block_size')::int
                FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
                WHERE r.relkind = 'r' AND r.oid IN (
                    SELECT relid FROM pg_partition_tree(format('%I.%I', ?, ?)::regclass) WHERE isleaf
                    UNION SELECT format('%I.%I', ?, ?)::regclass)""")) {
            for (TableSchema table : tables) {
                ps.setString(1, table.id().schema());
                ps.setString(2, table.id().name());
                ps.setString(3, table.id().schema());
                ps.setString(4, table.id().name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String relation = rs.getString(1);
                        long pages = rs.getLong(2);
                        // Pages a row visible to the snapshot is on all exist by now; the last range is open anyway.
                        for (long from = 0; from < Math.max(pages, 1); from += RANGE_PAGES) {
                            ranges.add(new Range(table, relation, from, from + RANGE_PAGES >= pages ? -1 : from + RANGE_PAGES));
                        }
                    }
                }
            }
        }
        return ranges;
    }

    /**
     * Each table's rows on the snapshot: what the progress reports count towards, and what must have been loaded, so
     * that a range left out, or read twice, stops the start rather than leaving the warehouse short. A count scans the
     * table at PostgreSQL's own pace, far above the load's.
     */
    private Map<TableId, Long> counts(Connection c) throws SQLException {
        Map<TableId, Long> counts = new HashMap<>();
        try (Statement s = c.createStatement()) {
            for (TableSchema table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quote(table.id().schema()) + "."
                        + quote(table.id().name()))) {
                    rs.next();
                    counts.put(table.id(), rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** The checks that need the source: its version, and the tables' columns, inheritance and keys. */
    private void refuseWhatCannotBeRead() throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection c = source.newConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
                rs.next();
                if (rs.getInt(1) < 140000) {
                    problems.add("the source is PostgreSQL " + rs.getInt(1) / 10000 + "; a direct snapshot needs 14 or later"
                            + " (exact epochs, and reads by page range)");
                }
            }
            for (TableSchema table : tables) {
                for (Column column : table.columns()) {
                    StageText.neverCarried(column).ifPresent(why -> problems.add(table.id() + "." + column.name() + ": " + why));
                }
                unknownTypes(c, table.id()).forEach(column -> problems.add(table.id() + "." + column
                        + ": its type reaches the warehouse as Debezium's text of it, which only Debezium writes"));
                if (inheritedBy(c, table.id())) {
                    problems.add(table.id() + " has tables that inherit from it, whose rows a read of it would include");
                }
                if (partitioner.partitions() > 1 && !table.primaryKey().stream().allMatch(k -> table.columns().stream()
                        .anyMatch(col -> col.name().equals(k) && !col.array() && PARTITIONABLE_KEYS.contains(col.type())))) {
                    problems.add(table.id() + "'s key is not of text or integer columns, whose Kafka partition a direct"
                            + " snapshot knows (flightcdc.kafka.partitions is " + partitioner.partitions() + ")");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new StartupException("flightcdc.capture.snapshot is direct, but it cannot read every row exactly: "
                    + String.join("; ", problems) + ". Fix: set flightcdc.capture.snapshot=debezium");
        }
    }

    /**
     * Columns whose type (an array's element type, a domain's base type) is neither an enum nor one ColumnType knows:
     * the warehouse holds them as text, and only Debezium's own text of such a value (money, hstore, point) is that.
     */
    private static List<String> unknownTypes(Connection c, TableId table) throws SQLException {
        List<String> unknown = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                WITH RECURSIVE col AS (
                    SELECT a.attname, CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END AS type
                    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                    WHERE a.attrelid = format('%I.%I', ?, ?)::regclass AND a.attnum > 0 AND NOT a.attisdropped),
                base AS (
                    SELECT attname, type FROM col
                    UNION ALL
                    SELECT b.attname, t.typbasetype FROM base b JOIN pg_type t ON t.oid = b.type WHERE t.typtype = 'd')
                SELECT b.attname, t.typname, t.typtype FROM base b JOIN pg_type t ON t.oid = b.type
                WHERE t.typtype <> 'd'""")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!"e".equals(rs.getString(3)) && ColumnType.fromPostgres(rs.getString(2)).isEmpty()) {
                        unknown.add(rs.getString(1));
                    }
                }
            }
        }
        return unknown;
    }

    private static boolean inheritedBy(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                WHERE i.inhparent = format('%I.%I', ?, ?)::regclass AND p.relkind = 'r'""")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /** The slot's confirmed LSN; empty when there is no such slot. */
    private OptionalLong slotConfirmedLsn() throws SQLException {
        try (Connection c = source.newConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(LogSequenceNumber.valueOf(rs.getString(1)).asLong()) : OptionalLong.empty();
            }
        }
    }

    /**
     * The publication as Debezium makes it (publication.autocreate.mode=filtered), made before the slot: pgoutput
     * decodes with the publications as they were when each change was written, and would not know one made after.
     */
    private void createPublicationIfMissing() throws SQLException {
        try (Connection c = source.newConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE PUBLICATION " + quote(publication) + " FOR TABLE " + published.stream()
                        .map(t -> quote(t.schema()) + "." + quote(t.name())).collect(Collectors.joining(", "))
                        + " WITH (publish_via_partition_root = true)");
            }
            LOG.info("Created publication '{}' for {}", publication, published);
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String lsn(long lsn) {
        return LogSequenceNumber.valueOf(lsn).asString();
    }

    /** Pages {@code fromPage} up to {@code toPage} (-1: to the end) of {@code relation}, which holds rows of {@code table}. */
    private record Range(TableSchema table, String relation, long fromPage, long toPage) {
    }

    /** Rows of a table for one warehouse transaction, in Java or in a CSV file, or what a reader failed with. */
    private record Batch(TableSchema table, List<StageRow> rows, CsvBatch csv, Throwable failure) {
        static Batch failed(Throwable e) {
            return new Batch(null, List.of(), null, e);
        }
    }

    /** A connection in a transaction on the exported snapshot, reading ranges. */
    private final class Reader {

        private final Connection connection;
        /** Where it copies ranges to as CSV, for the warehouse to read; null: it reads rows in Java. */
        private final Path files;

        Reader(Connection connection, String snapshotName, Path files) throws SQLException {
            this.connection = connection;
            this.files = files;
            try (Statement s = connection.createStatement()) {
                s.execute(StageTextSql.SESSION);
                // A reader waits, idle in its transaction, while the warehouse loads what it read.
                s.execute("SET idle_in_transaction_session_timeout = 0");
                connection.setAutoCommit(false);
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                s.execute("SET TRANSACTION SNAPSHOT '" + snapshotName.replace("'", "''") + "'");
            } catch (SQLException | RuntimeException e) {
                close();
                throw e;
            }
        }

        void read(Range range, long lsn, long sourceTsMs, AtomicLong rowsRead, BlockingQueue<Batch> batches)
                throws SQLException, InterruptedException, IOException {
            TableSchema table = range.table();
            String topic = topicFor.apply(table.id());
            String select = "SELECT " + table.columns().stream().map(col -> StageTextSql.of(col, quote(col.name())))
                    .collect(Collectors.joining(", ")) + " FROM ONLY " + range.relation()
                    + " WHERE ctid >= '(" + range.fromPage() + ",0)'::tid"
                    + (range.toPage() < 0 ? "" : " AND ctid < '(" + range.toPage() + ",0)'::tid");
            RowPartitions partitions = partitionsOf(table);
            if (files != null) {
                copy(table, topic, partitions, select, lsn, sourceTsMs, rowsRead, batches);
                return;
            }
            SourcePosition position = new SourcePosition(lsn, lsn, null);
            int width = table.columns().size();
            try (Statement s = connection.createStatement()) {
                s.setFetchSize(FETCH_ROWS);
                try (ResultSet rs = s.executeQuery(select)) {
                    List<String[]> rows = new ArrayList<>(BATCH_ROWS);
                    while (rs.next()) {
                        String[] values = new String[width];
                        for (int i = 0; i < width; i++) {
                            values[i] = rs.getString(i + 1);
                        }
                        rows.add(values);
                        if (rows.size() == BATCH_ROWS) {
                            batches.put(batch(table, topic, partitions, position, sourceTsMs, rows, rowsRead));
                            rows = new ArrayList<>(BATCH_ROWS);
                        }
                    }
                    if (!rows.isEmpty()) {
                        batches.put(batch(table, topic, partitions, position, sourceTsMs, rows, rowsRead));
                    }
                }
            }
        }

        /**
         * The range as CSV into a file of its own, by PostgreSQL's COPY: one batch, its rows numbered by a run of offsets
         * of their own.
         */
        private void copy(TableSchema table, String topic, RowPartitions partitions, String select, long lsn,
                          long sourceTsMs, AtomicLong rowsRead, BlockingQueue<Batch> batches)
                throws SQLException, InterruptedException, IOException {
            Path file = Files.createTempFile(files, "range-", ".csv");
            long rows;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                rows = connection.unwrap(PGConnection.class).getCopyAPI()
                        .copyOut("COPY (" + select + ") TO STDOUT (FORMAT csv)", out);
            }
            if (rows == 0) {
                Files.delete(file);
                return;
            }
            long before = rowsRead.getAndAdd(rows);
            batches.put(new Batch(table, null, new CsvBatch(file, rows, topic, partitions, lsn, sourceTsMs,
                    -(before + 1)), null));
        }

        /** The rows as snapshot reads, numbered by a run of offsets of their own: -1 for the first row read, -2, ... */
        private Batch batch(TableSchema table, String topic, RowPartitions partitions, SourcePosition position,
                            long sourceTsMs, List<String[]> rows, AtomicLong rowsRead) {
            long before = rowsRead.getAndAdd(rows.size());
            List<StageRow> staged = new ArrayList<>(rows.size());
            for (String[] values : rows) {
                ChangeEvent read = new ChangeEvent(topic, partitions.of(values), -(++before), table.id(),
                        ChangeEvent.Operation.READ, position, null, sourceTsMs, null, null);
                staged.add(new StageRow(read, values, null));
            }
            return new Batch(table, staged, null, null);
        }

        void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Closing a direct snapshot reader failed: {}", e.getMessage());
            }
        }
    }

    /**
     * The partition of each row of {@code table}: its record key's, as the capture partitions a change (KeyPartitioner),
     * from its key columns' stage text. Only keys of PARTITIONABLE_KEYS come here when there are several partitions.
     */
    private RowPartitions partitionsOf(TableSchema table) {
        if (partitioner.partitions() == 1) {
            return new RowPartitions.One(0);
        }
        Schema keySchema = keySchema(table);
        return new RowPartitions.ByKey(table.primaryKey().stream().mapToInt(table::indexOf).toArray(),
                key -> partitioner.partitionOf(key(keySchema, key)));
    }

    /** The schema of the record key Debezium writes for a row of {@code table}: its key columns, as Connect types. */
    private static Schema keySchema(TableSchema table) {
        SchemaBuilder key = SchemaBuilder.struct();
        for (String name : table.primaryKey()) {
            key.field(name, switch (table.columns().get(table.indexOf(name)).type()) {
                case SMALLINT -> Schema.INT16_SCHEMA;
                case INTEGER -> Schema.INT32_SCHEMA;
                case BIGINT -> Schema.INT64_SCHEMA;
                default -> Schema.STRING_SCHEMA;
            });
        }
        return key.build();
    }

    /** The record key whose columns' stage text is {@code values}. */
    private static Struct key(Schema schema, String[] values) {
        Struct key = new Struct(schema);
        for (int i = 0; i < values.length; i++) {
            Field field = schema.fields().get(i);
            String value = values[i];
            key.put(field, switch (field.schema().type()) {
                case INT16 -> Short.valueOf(value);
                case INT32 -> Integer.valueOf(value);
                case INT64 -> Long.valueOf(value);
                default -> value;
            });
        }
        return key;
    }
}
