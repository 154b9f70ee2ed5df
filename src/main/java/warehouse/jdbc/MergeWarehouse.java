package warehouse.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.Column;
import warehouse.DeadLetter;
import warehouse.DerivedViews;
import warehouse.Dialect;
import warehouse.KafkaPartition;
import warehouse.LoadPlan;
import warehouse.LoadResult;
import warehouse.MergeSqlGenerator;
import warehouse.PartitionProgress;
import warehouse.ProgressMovedException;
import warehouse.SnapshotLoad;
import warehouse.SourcePosition;
import warehouse.StageRows;
import warehouse.StageRows.StageRow;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.Warehouse;

/**
 * A warehouse loaded over JDBC with the shared MERGE, whatever the dialect. One connection writes; a
 * batch is written to a staging table by the {@link Stager}, then copied to the history and applied to
 * the current state ({@link MergeSqlGenerator#applyStage}), and the batch's Kafka offsets and newest source positions are stored, all in one
 * transaction. Changes the warehouse refuses go to the dead-letter table and the rest of the batch is
 * applied.
 *
 * <p>All DDL runs in {@link #prepare}, outside the load transactions: a warehouse such as Snowflake
 * commits on DDL. That includes the {@link DerivedViews} it is given, made once the tables exist.
 */
public final class MergeWarehouse implements Warehouse, SnapshotLoad {

    private static final Logger LOG = LoggerFactory.getLogger(MergeWarehouse.class);
    /** Stored as the newest position of a partition from which no streamed change was applied yet. */
    private static final SourcePosition NONE_APPLIED = new SourcePosition(-1, -1, 0L);
    /**
     * The most changes of a run rendered and staged at once (see {@link #write}): twice the loader's default batch
     * ({@code flightcdc.load.max-batch}), so that a batch with the changes held back released with it is one slice, and a
     * large source transaction released whole is several.
     */
    static final int SLICE = 20_000;

    private final Connector connector;
    private Connection connection;
    private final Dialect dialect;
    private final MergeSqlGenerator sql;
    private final Stager stager;
    private final DerivedViews views;
    private final Map<TableId, PreparedTable> tables = new LinkedHashMap<>();
    /** Every schema prepared, to prepare again on a new connection. */
    private final Map<TableId, TableSchema> schemas = new LinkedHashMap<>();
    /**
     * How far each partition is loaded, mirrored from the progress table; shared by the writers that load one
     * warehouse at once ({@link ParallelWriters}), which write a partition one at a time.
     */
    private final Map<KafkaPartition, PartitionProgress> loaded;
    /**
     * The progress's upsert for each number of partitions a batch moves, prepared once on the connection: it runs with
     * every batch, and preparing it took about as long as running it (DuckDB, bench/results/2026-12-04-duckdb-apply-statements.md).
     */
    private final Map<Integer, PreparedStatement> progressUpserts = new HashMap<>();
    private volatile Runnable afterLoad = () -> { };
    private final boolean tellsOfTables;
    /** Whether the connection was lost for good and not yet replaced. */
    private boolean lost;

    /** Opens the warehouse's connection: at the start, and again when the warehouse lost it. */
    @FunctionalInterface
    public interface Connector {
        Connection connect() throws SQLException;
    }

    /**
     * Writes through a connection from {@code connector}: this warehouse's only writer, which {@link #close}
     * closes. A connection lost for good ({@link Dialect#lostConnection}) is replaced with a new one.
     */
    public MergeWarehouse(Connector connector, Dialect dialect, Stager stager, DerivedViews views) throws SQLException {
        this(connector, dialect, new MergeSqlGenerator(dialect), stager, views, new ConcurrentHashMap<>());
    }

    /**
     * One of several writers of one warehouse: {@code sql} names staging tables of its own, and {@code loaded} is
     * the progress they share.
     */
    MergeWarehouse(Connector connector, Dialect dialect, MergeSqlGenerator sql, Stager stager, DerivedViews views,
                   Map<KafkaPartition, PartitionProgress> loaded) throws SQLException {
        this(connector, dialect, sql, stager, views, loaded, true);
    }

    /** @param tellsOfTables whether this writer logs preparing and closing the tables: the first of several does */
    MergeWarehouse(Connector connector, Dialect dialect, MergeSqlGenerator sql, Stager stager, DerivedViews views,
                   Map<KafkaPartition, PartitionProgress> loaded, boolean tellsOfTables) throws SQLException {
        this.tellsOfTables = tellsOfTables;
        this.connector = connector;
        this.connection = connector.connect();
        this.dialect = dialect;
        this.sql = sql;
        this.stager = stager;
        this.views = views;
        this.loaded = loaded;
    }

    @Override
    public synchronized void prepare(List<TableSchema> schemas) throws SQLException {
        schemas.forEach(t -> this.schemas.put(t.id(), t));
        // Prepared again after the DDL below, which may alter the progress table.
        forgetProgressUpserts();
        try (Statement s = connection.createStatement()) {
            for (String lock : dialect.beforeDdl()) {
                s.execute(lock);
            }
            try {
                makeTables(s, schemas);
            } finally {
                for (String unlock : dialect.afterDdl()) {
                    s.execute(unlock);
                }
            }
            readProgress(s);
        }
        if (tellsOfTables) {
            LOG.info("Warehouse tables ready: {}", tables.keySet());
        }
    }

    /** The DDL of {@link #prepare}; a warehouse such as PostgreSQL takes it one loader at a time (Dialect#beforeDdl). */
    private void makeTables(Statement s, List<TableSchema> schemas) throws SQLException {
        s.execute(sql.createProgressTable());
        // Added after the first release: warehouses made before it gain the columns here.
        for (String column : sql.addProgressColumns()) {
            s.execute(column);
        }
        s.execute(sql.createDeadLetterTable());
        for (TableSchema t : schemas) {
            TableSchema clash = tables.values().stream().map(PreparedTable::schema)
                    .filter(o -> o.id().name().equals(t.id().name()) && !o.id().equals(t.id())).findFirst().orElse(null);
            if (clash != null) {
                throw new IllegalArgumentException("Tables " + clash.id() + " and " + t.id()
                        + " would share the warehouse table " + t.id().name() + "; capture only one of them");
            }
            s.execute(sql.createCurrentTable(t));
            s.execute(sql.createHistoryTable(t));
            for (Column c : t.columns()) {
                for (String widen : sql.addColumn(t, c)) {
                    s.execute(widen);
                }
            }
            s.execute(sql.dropStageTable(t));
            s.execute(sql.createStageTable(t));
            tables.put(t.id(), new PreparedTable(t, sql.clearStage(t), sql.insertHistoryFromStage(t),
                    sql.applyStage(t), sql.insertHistoryFromStageTakingUnavailable(t),
                    sql.mergeFromStageKeepingUnavailable(t), sql.truncateCurrent(t), sql.insertCurrentFromSnapshotHistory(t)));
        }
        for (String view : views.createStatements(dialect, Collections.unmodifiableMap(this.schemas))) {
            s.execute(view);
        }
    }

    /**
     * Applies a batch in one transaction. When the connection is lost for good, a new one is made, and
     * the batch fails: what it wrote was rolled back, and it is tried again on the new connection.
     */
    @Override
    public synchronized LoadResult load(ChangeBatch batch) throws SQLException {
        if (lost) {
            reconnect();
        }
        try {
            return loadOnce(batch);
        } catch (ProgressMovedException e) {
            refreshProgress();
            throw e;
        } catch (SQLException e) {
            if (dialect.lostConnection(e)) {
                lost = true;
                LOG.warn("The warehouse connection is lost ({}): connecting again; the batch that failed is retried",
                        firstLine(e));
                try {
                    reconnect();
                } catch (SQLException again) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        }
    }

    /** Closes the lost connection, opens a new one and prepares the tables on it; the progress is read again. */
    private void reconnect() throws SQLException {
        forgetProgressUpserts();
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("Closing the lost warehouse connection failed too: {}", e.getMessage());
        }
        try {
            connection = connector.connect();
            tables.clear();
            prepare(List.copyOf(schemas.values()));
        } catch (SQLException e) {
            throw new SQLException("Cannot connect to the warehouse again (" + firstLine(e) + "); tried again with the"
                    + " next attempt at the batch", e);
        }
        lost = false;
        LOG.info("Connected to the warehouse again");
    }

    private LoadResult loadOnce(ChangeBatch batch) throws SQLException {
        long started = System.nanoTime();
        LoadPlan plan = LoadPlan.of(batch, loaded, tables::containsKey);
        List<ChangeEvent> applied;
        List<DeadLetter> deadLetters = new ArrayList<>(plan.deadLetters());
        try {
            List<DeadLetter> refused = write(plan.changes(), plan.deadLetters(), plan.progress());
            applied = without(plan.changes(), refused);
            deadLetters.addAll(refused);
        } catch (SQLException e) {
            if (!dialect.refusesData(e)) {
                throw e;
            }
            LOG.warn("The warehouse refused a batch of {} changes ({}); loading it in parts to set aside the changes"
                    + " at fault", plan.changes().size(), firstLine(e));
            applied = new ArrayList<>();
            writeSettingAsideRefused(plan.changes(), applied, deadLetters);
            write(List.of(), plan.deadLetters(), plan.progress());
        }
        loaded.putAll(plan.progress());
        afterLoad.run();
        return LoadResult.of(batch, plan, applied, deadLetters, started);
    }

    /** {@code changes} but those {@code setAside} names. */
    private static List<ChangeEvent> without(List<ChangeEvent> changes, List<DeadLetter> setAside) {
        if (setAside.isEmpty()) {
            return changes;
        }
        Set<RecordAt> refused = new HashSet<>();
        setAside.forEach(d -> refused.add(new RecordAt(d.topic(), d.partition(), d.offset())));
        return changes.stream().filter(c -> !refused.contains(new RecordAt(c.topic(), c.partition(), c.offset()))).toList();
    }

    /** Where a Kafka record is. */
    private record RecordAt(String topic, int partition, long offset) {
    }

    /**
     * Runs {@code observer} on the loader's thread each time a batch is committed, right after: the
     * benchmark times with it when changes became visible. {@link #progress} already tells how far.
     */
    public void afterLoad(Runnable observer) {
        this.afterLoad = observer == null ? () -> { } : observer;
    }

    @Override
    public synchronized Map<KafkaPartition, PartitionProgress> progress() {
        return Map.copyOf(loaded);
    }

    /**
     * Loads {@code changes} in halves, each in its own transaction and in order, down to the single
     * changes the warehouse refuses, which go to the dead-letter table. A batch with one bad change
     * costs about log2(batch) extra transactions, and every other change is still applied.
     */
    private void writeSettingAsideRefused(List<ChangeEvent> changes, List<ChangeEvent> applied,
                                          List<DeadLetter> deadLetters) throws SQLException {
        Map<KafkaPartition, PartitionProgress> progress = LoadPlan.progressAfter(changes, loaded);
        try {
            List<DeadLetter> refused = write(changes, List.of(), progress);
            applied.addAll(without(changes, refused));
            deadLetters.addAll(refused);
            loaded.putAll(progress);
        } catch (SQLException e) {
            if (!dialect.refusesData(e)) {
                throw e;
            }
            if (changes.size() > 1) {
                int half = changes.size() / 2;
                writeSettingAsideRefused(changes.subList(0, half), applied, deadLetters);
                writeSettingAsideRefused(changes.subList(half, changes.size()), applied, deadLetters);
                return;
            }
            DeadLetter refused = DeadLetter.of(changes.get(0), DeadLetter.Cause.REFUSED_BY_WAREHOUSE, firstLine(e));
            write(List.of(), List.of(refused), progress);
            deadLetters.add(refused);
            loaded.putAll(progress);
        }
    }

    /**
     * Writes {@code changes}, {@code deadLetters} and {@code progress} in one transaction. A change with a value the
     * warehouse cannot hold exactly is set aside with the dead letters, found as it is rendered, before any SQL of its
     * slice runs: a table whose every change is refused (say, for a time with time zone column) costs no failed
     * transactions.
     *
     * <p>A run of changes to a table is staged and applied {@link #SLICE} changes at a time, each slice applied before
     * the next is rendered, so that a batch of a large source transaction holds one slice's renderings in the heap, not
     * the batch's. What a slice takes from the current state (a value its changes lack) is what the slices before it
     * left there, as it would be were they one run.
     *
     * @return the changes set aside for a value the warehouse refuses
     */
    private List<DeadLetter> write(List<ChangeEvent> changes, List<DeadLetter> deadLetters,
                                   Map<KafkaPartition, PartitionProgress> progress) throws SQLException {
        if (progress.isEmpty()) {
            return List.of();
        }
        Map<TableId, List<ChangeEvent>> byTable = new LinkedHashMap<>();
        changes.forEach(e -> byTable.computeIfAbsent(e.table(), t -> new ArrayList<>()).add(e));
        List<DeadLetter> refused = new ArrayList<>();
        inTransaction(s -> {
            for (Map.Entry<TableId, List<ChangeEvent>> entry : byTable.entrySet()) {
                PreparedTable table = tables.get(entry.getKey());
                for (List<ChangeEvent> run : splitAtTruncates(entry.getValue())) {
                    ChangeEvent first = run.get(0);
                    if (first.operation().emptiesTable()) {
                        truncate(s, table, first);
                        continue;
                    }
                    for (int from = 0; from < run.size(); from += SLICE) {
                        List<StageRow> rows = StageRows.loadable(table.schema(), run.subList(from, Math.min(run.size(), from + SLICE)),
                                (change, why) -> refused.add(DeadLetter.of(change, DeadLetter.Cause.REFUSED_VALUE, why)));
                        if (!rows.isEmpty()) {
                            apply(s, table, rows);
                        }
                    }
                }
            }
            storeDeadLetters(deadLetters);
            storeDeadLetters(refused);
            storeProgress(progress);
        });
        // Said once the record is safely set aside, not on each try of a transaction that fails.
        for (List<DeadLetter> stored : List.of(deadLetters, refused)) {
            stored.forEach(d -> LOG.warn("Kafka record {}/{}@{} set aside in {}: {}", d.topic(), d.partition(),
                    d.offset(), MergeSqlGenerator.DEAD_LETTER_TABLE, d.reason()));
        }
        return refused;
    }

    /** Stages {@code rows}, copies them to the history and applies them to the current state. */
    private void apply(Statement s, PreparedTable table, List<StageRow> rows) throws SQLException {
        // Only rows that lack values pay for the join with the current state.
        boolean lacking = rows.stream().anyMatch(r -> r.unavailable() != null);
        // A batch that failed after staging may have left rows behind: start from an empty stage.
        s.execute(table.clearStage());
        stager.stage(connection, table.schema(), rows);
        s.execute(lacking ? table.insertHistoryTakingUnavailable() : table.insertHistory());
        for (String apply : lacking ? List.of(table.mergeKeepingUnavailable()) : table.apply()) {
            s.execute(apply);
        }
        s.execute(table.clearStage());
    }

    /** Work of one transaction, on a statement of the warehouse's connection. */
    @FunctionalInterface
    private interface Work {
        void run(Statement s) throws SQLException;
    }

    /** Runs {@code work} in a transaction of its own: committed when it returns, rolled back when it throws. */
    private void inTransaction(Work work) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            work.run(s);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            // A connection lost for good refuses these too: the failure to tell is the first one. Each is tried, so
            // that the connection is not left without auto-commit and without a transaction either.
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            try {
                connection.setAutoCommit(true);
            } catch (SQLException autoCommit) {
                e.addSuppressed(autoCommit);
            }
            throw e;
        }
        connection.setAutoCommit(true);
    }

    @Override
    public Optional<SnapshotLoad> directSnapshot() {
        return Optional.of(this);
    }

    @Override
    public synchronized Optional<SnapshotMark> mark() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql.createSnapshotTable());
            try (ResultSet rs = s.executeQuery(sql.selectSnapshot())) {
                return rs.next() ? Optional.of(new SnapshotMark(rs.getLong(1), rs.getBoolean(2))) : Optional.empty();
            }
        }
    }

    @Override
    public synchronized void begin(long lsn, List<TableSchema> snapshotted) throws SQLException {
        Optional<SnapshotMark> earlier = mark();
        inTransaction(s -> {
            for (TableSchema table : snapshotted) {
                if (earlier.isPresent() && !earlier.get().finished()) {
                    try (PreparedStatement delete = connection.prepareStatement(sql.deleteSnapshotHistory(table))) {
                        delete.setLong(1, earlier.get().lsn());
                        delete.executeUpdate();
                    }
                }
                s.execute(sql.clearCurrent(table));
            }
            s.execute(sql.deleteSnapshot());
            try (PreparedStatement insert = connection.prepareStatement(sql.insertSnapshot())) {
                insert.setLong(1, lsn);
                insert.executeUpdate();
            }
        });
    }

    @Override
    public synchronized void load(TableSchema snapshotted, List<StageRow> rows) throws SQLException {
        loadSnapshot(snapshotted, rows.size(), rows.get(0).change().lsn(),
                rows.stream().mapToLong(r -> r.change().offset()).min().orElseThrow(),
                rows.stream().mapToLong(r -> r.change().offset()).max().orElseThrow(),
                table -> {
                    stager.stage(connection, table, rows);
                    return rows.size();
                });
    }

    @Override
    public Optional<Path> csvDirectory() {
        return stager.csvDirectory();
    }

    @Override
    public synchronized void loadCsv(TableSchema snapshotted, CsvBatch batch) throws SQLException {
        loadSnapshot(snapshotted, batch.rows(), batch.lsn(), batch.lastOffset(), batch.firstOffset(),
                table -> stager.stageCsv(connection, table, batch));
    }

    /** Fills the stage with a batch's rows; returns how many. */
    @FunctionalInterface
    private interface Staging {
        long stage(TableSchema table) throws SQLException;
    }

    /**
     * A direct snapshot's batch of {@code rows} rows, at offsets {@code lowest} to {@code highest}, in one transaction:
     * staged, then into the history, and the current state from those history rows.
     */
    private void loadSnapshot(TableSchema snapshotted, long rows, long lsn, long lowest, long highest, Staging staging)
            throws SQLException {
        PreparedTable table = tables.get(snapshotted.id());
        inTransaction(s -> {
            s.execute(table.clearStage());
            long staged = staging.stage(table.schema());
            if (staged != rows) {
                throw new SQLException("A direct snapshot's batch of " + rows + " rows of " + snapshotted.id() + " staged "
                        + staged + " rows");
            }
            s.execute(table.insertHistory());
            try (PreparedStatement insert = connection.prepareStatement(table.insertCurrent())) {
                insert.setLong(1, lsn);
                insert.setLong(2, lowest);
                insert.setLong(3, highest);
                if (insert.executeUpdate() != rows) {
                    throw new SQLException("A direct snapshot's batch of " + rows + " rows of " + snapshotted.id()
                            + " did not make as many rows of its current state: its offsets are not a run of their own");
                }
            }
            s.execute(table.clearStage());
        });
    }

    @Override
    public synchronized void finish(long lsn, long rows) throws SQLException {
        inTransaction(s -> {
            try (PreparedStatement update = connection.prepareStatement(sql.finishSnapshot())) {
                update.setLong(1, rows);
                update.setLong(2, lsn);
                if (update.executeUpdate() != 1) {
                    throw new SQLException("The direct snapshot at LSN " + lsn + " is no longer the one recorded in "
                            + MergeSqlGenerator.SNAPSHOT_TABLE + ": another process began one since");
                }
            }
        });
    }

    /**
     * The changes before a TRUNCATE must be applied before it and those after it, after: each
     * truncate is a run of its own between runs of row changes.
     */
    private static List<List<ChangeEvent>> splitAtTruncates(List<ChangeEvent> changes) {
        List<List<ChangeEvent>> runs = new ArrayList<>();
        List<ChangeEvent> run = new ArrayList<>();
        for (ChangeEvent e : changes) {
            if (e.operation().emptiesTable()) {
                if (!run.isEmpty()) {
                    runs.add(run);
                    run = new ArrayList<>();
                }
                runs.add(List.of(e));
            } else {
                run.add(e);
            }
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }

    private void storeDeadLetters(List<DeadLetter> deadLetters) throws SQLException {
        if (deadLetters.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.insertDeadLetter())) {
            for (DeadLetter d : deadLetters) {
                ps.setString(1, d.topic());
                ps.setInt(2, d.partition());
                ps.setLong(3, d.offset());
                Binds.setString(ps, 4, d.table());
                ps.setString(5, d.reason());
                Binds.setString(ps, 6, d.event());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Stores the progress only where this loader knows the partition's row as it is ({@link MergeSqlGenerator#advanceProgress}):
     * a partition another loader has loaded since is not written over, and the whole batch is rolled back.
     */
    private void storeProgress(Map<KafkaPartition, PartitionProgress> progress) throws SQLException {
        List<Map.Entry<KafkaPartition, PartitionProgress>> rows = List.copyOf(progress.entrySet());
        PreparedStatement ps = progressUpserts.get(rows.size());
        if (ps == null) {
            ps = connection.prepareStatement(sql.advanceProgress(rows.size()));
            progressUpserts.put(rows.size(), ps);
        }
        int column = 1;
        for (Map.Entry<KafkaPartition, PartitionProgress> p : rows) {
            ps.setString(column, p.getKey().topic());
            ps.setInt(column + 1, p.getKey().partition());
            ps.setLong(column + 2, p.getValue().nextOffset());
            if (p.getValue().newest() == null && p.getValue().newestKnown()) {
                bindPosition(ps, column + 3, NONE_APPLIED);
            } else {
                bindPosition(ps, column + 3, p.getValue().newest());
            }
            bindPosition(ps, column + 6, p.getValue().replayedUpTo());
            PartitionProgress known = loaded.get(p.getKey());
            Binds.setLong(ps, column + 9, known == null ? null : known.nextOffset());
            column += 10;
        }
        int stored = ps.executeUpdate();
        if (stored != rows.size()) {
            throw new ProgressMovedException(rows.stream().map(Map.Entry::getKey).toList());
        }
    }

    private void forgetProgressUpserts() {
        for (PreparedStatement upsert : progressUpserts.values()) {
            try {
                upsert.close();
            } catch (SQLException e) {
                LOG.debug("Closing a prepared progress upsert failed: {}", e.getMessage());
            }
        }
        progressUpserts.clear();
    }

    /** Reads the progress table again, as after a load another loader had moved on ({@link ProgressMovedException}). */
    @Override
    public synchronized Map<KafkaPartition, PartitionProgress> progressReadAgain() throws SQLException {
        refreshProgress();
        return progress();
    }

    private void refreshProgress() throws SQLException {
        try (Statement s = connection.createStatement()) {
            readProgress(s);
        }
    }

    private void readProgress(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql.selectProgress())) {
            while (rs.next()) {
                // Never back: another writer may have stored a partition's progress since the table was read.
                loaded.merge(new KafkaPartition(rs.getString(1), rs.getInt(2)), progress(rs),
                        (known, read) -> read.nextOffset() > known.nextOffset() ? read : known);
            }
        }
    }

    /**
     * A progress row. Its newest position is stored as {@link #NONE_APPLIED} while no streamed change was applied,
     * and is NULL in a row of a release before positions were stored, which says nothing about what was applied.
     */
    private static PartitionProgress progress(ResultSet rs) throws SQLException {
        long next = rs.getLong(3);
        SourcePosition newest = position(rs, 4);
        SourcePosition replayedUpTo = position(rs, 7);
        if (NONE_APPLIED.equals(newest)) {
            return new PartitionProgress(next, null, replayedUpTo);
        }
        return newest == null && next > 0 ? PartitionProgress.newestUnknown(next) : new PartitionProgress(next, newest, replayedUpTo);
    }

    /** A source position from three columns (last commit LSN, LSN, transaction order), null when they are. */
    private static SourcePosition position(ResultSet rs, int first) throws SQLException {
        long lastCommitLsn = rs.getLong(first);
        if (rs.wasNull()) {
            return null;
        }
        long lsn = rs.getLong(first + 1);
        long order = rs.getLong(first + 2);
        return new SourcePosition(lastCommitLsn, lsn, rs.wasNull() ? null : order);
    }

    private static void bindPosition(PreparedStatement ps, int first, SourcePosition position) throws SQLException {
        Binds.setLong(ps, first, position == null ? null : position.lastCommitLsn());
        Binds.setLong(ps, first + 1, position == null ? null : position.lsn());
        Binds.setLong(ps, first + 2, position == null ? null : position.order());
    }

    private static String firstLine(SQLException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage().strip();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * Empties the rows of the TRUNCATE's partition ({@link MergeSqlGenerator#truncateCurrent}). The capture sends a
     * copy to every partition: the history keeps partition 0's, so that it holds the TRUNCATE once.
     */
    private void truncate(Statement s, PreparedTable table, ChangeEvent truncate) throws SQLException {
        if (!truncate.truncateCopy()) {
            s.execute(table.clearStage());
            stager.stage(connection, table.schema(), StageRows.loadable(table.schema(), List.of(truncate), (change, why) -> {
                throw new IllegalStateException("A TRUNCATE has no values to refuse: " + why);
            }));
            s.execute(table.insertHistory());
            s.execute(table.clearStage());
        }
        try (PreparedStatement delete = connection.prepareStatement(table.truncate())) {
            delete.setString(1, truncate.topic());
            delete.setInt(2, truncate.partition());
            delete.executeUpdate();
        }
    }

    /** A captured table and the statements that load it, generated once. */
    private record PreparedTable(TableSchema schema, String clearStage, String insertHistory, List<String> apply,
                                 String insertHistoryTakingUnavailable, String mergeKeepingUnavailable,
                                 String truncate, String insertCurrent) {
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
        if (tellsOfTables) {
            LOG.info("Warehouse closed");
        }
    }
}
