package warehouse;

import static warehouse.MetadataColumn.KAFKA_OFFSET;
import static warehouse.MetadataColumn.KAFKA_PARTITION;
import static warehouse.MetadataColumn.KAFKA_TOPIC;
import static warehouse.MetadataColumn.LSN;
import static warehouse.MetadataColumn.OP;
import static warehouse.MetadataColumn.SOURCE_TS_MS;
import static warehouse.MetadataColumn.UNAVAILABLE;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import warehouse.MetadataColumn.Presence;

/**
 * The one place the loader's SQL is written, for every dialect. A batch is first staged (source
 * columns as text, as Debezium's JSON gave them), then appended to the history table with its
 * metadata, then merged into the current-state table using the last change per key.
 */
public final class MergeSqlGenerator {

    public static final String DEAD_LETTER_TABLE = "_flightcdc_dead_letter";

    /** How far each Kafka partition is loaded (PartitionProgress), stored with the data it describes. */
    public static final String PROGRESS_TABLE = "_flightcdc_kafka_offsets";

    /** The direct snapshot's mark (SnapshotLoad): one row, of the last one begun. */
    public static final String SNAPSHOT_TABLE = "_flightcdc_direct_snapshot";

    /** The progress table's key. */
    private static final List<String> PROGRESS_KEY = List.of("topic", "partition");

    /**
     * The progress table's columns, in the order its select returns them and its upsert takes them: the next
     * offset, the newest source position applied, and the last position skipped while the capture emits again
     * changes already applied (each position: last commit LSN, LSN, transaction order; see SourcePosition).
     * Tables made before the transaction order also hold {@code newest_order}, which nothing reads any more.
     */
    private static final List<String> PROGRESS_COLUMNS = List.of(
            "topic", "partition", "next_offset", "newest_last_commit_lsn", "newest_lsn", "newest_tx_order",
            "replayed_last_commit_lsn", "replayed_lsn", "replayed_tx_order");

    /** The next offset a loader last knew of a partition, beside the row it stores: see {@link #advanceProgress}. */
    private static final String KNOWN_OFFSET = "known_next_offset";

    /** Columns the progress table gained after the first release, which created it without them. */
    private static final List<String> PROGRESS_COLUMNS_ADDED_LATER = PROGRESS_COLUMNS.subList(3, PROGRESS_COLUMNS.size());

    private final Dialect d;
    /** Tells apart the staging tables of writers that load one warehouse at once. */
    private final String stageSuffix;

    public MergeSqlGenerator(Dialect dialect) {
        this(dialect, "");
    }

    private MergeSqlGenerator(Dialect dialect, String stageSuffix) {
        this.d = dialect;
        this.stageSuffix = stageSuffix;
    }

    /** The statements of writer {@code writer} of several loading at once: its staging tables are its own. */
    public MergeSqlGenerator forWriter(int writer) {
        return new MergeSqlGenerator(d, writer == 0 ? "" : "_" + writer);
    }

    public String currentTable(TableSchema t) {
        return t.id().name();
    }

    public String historyTable(TableSchema t) {
        return t.id().name() + "_history";
    }

    public String stageTable(TableSchema t) {
        return "_stage_" + t.id().name() + stageSuffix;
    }

    public String createCurrentTable(TableSchema t) {
        String columns = t.columns().stream()
                .map(c -> d.quote(c.name()) + " " + d.type(c))
                .collect(Collectors.joining(",\n  "));
        String key = d.declaresPrimaryKey() ? ",\n  PRIMARY KEY (" + quotedList(t.primaryKey()) + ")" : "";
        return "CREATE TABLE IF NOT EXISTS " + d.quote(currentTable(t)) + " (\n  " + columns + key + "\n)";
    }

    /** Every change in source order, with its operation, source position, commit time and load time. */
    public String createHistoryTable(TableSchema t) {
        List<String> columns = new ArrayList<>();
        MetadataColumn.HISTORY.forEach(c -> columns.add(c.declaration(d, Presence.EVERY_CHANGE)));
        t.columns().forEach(c -> columns.add(d.quote(c.name()) + " " + d.type(c)));
        return "CREATE TABLE IF NOT EXISTS " + d.quote(historyTable(t)) + " (\n  "
                + String.join(",\n  ", columns) + "\n)";
    }

    public String createStageTable(TableSchema t) {
        List<String> columns = new ArrayList<>();
        MetadataColumn.STAGE.forEach(c -> columns.add(c.declaration(d)));
        t.columns().forEach(c -> columns.add(d.quote(c.name()) + " " + d.textType()));
        columns.add(UNAVAILABLE.declaration(d));
        return d.createStageTable(d.quote(stageTable(t)), String.join(", ", columns));
    }

    /** Names its columns: a warehouse table may hold columns the source has dropped since. */
    public String insertHistoryFromStage(TableSchema t) {
        return insertHistory(t, "", typedColumns(t)) + "\nFROM " + d.quote(stageTable(t)) + "\nORDER BY " + kafkaOrder("");
    }

    /**
     * As {@link #insertHistoryFromStage}, for a stage where some changes lack values (see StageRows): those
     * are taken from the current state as it was before the batch, so the history holds each change
     * with the values the source row had. A change lacking a value for a key the current state does not
     * hold fails the statement, and the loader sets it aside, rather than recording a NULL.
     */
    public String insertHistoryFromStageTakingUnavailable(TableSchema t) {
        // The stage holds text: its key cast as the column, which PostgreSQL needs to compare it with a bigint.
        String key = t.primaryKey().stream()
                .map(k -> "c." + d.quote(k) + " = " + d.castFromText("s." + d.quote(k), t.columns().get(t.indexOf(k))))
                .collect(Collectors.joining(" AND "));
        String missingRow = "c." + d.quote(t.primaryKey().get(0)) + " IS NULL";
        List<String> values = new ArrayList<>();
        for (int i = 0; i < t.columns().size(); i++) {
            Column c = t.columns().get(i);
            String cast = d.castFromText("s." + d.quote(c.name()), c);
            if (t.primaryKey().contains(c.name())) {
                values.add(cast + " AS " + d.quote(c.name()));
                continue;
            }
            String failure = d.fail("'column " + c.name().replace("'", "''") + ": the change does not carry its value"
                    + " (an unchanged TOASTed value, or a column a delete leaves out under REPLICA IDENTITY DEFAULT) and"
                    + " the warehouse holds no row of its key to take it from (Kafka offset ' || CAST(s."
                    + KAFKA_OFFSET.quoted(d) + " AS " + d.textType() + ") || ')'", c);
            values.add("CASE WHEN " + unavailable("s", i) + " THEN CASE WHEN " + missingRow + " THEN " + failure
                    + " ELSE c." + d.quote(c.name()) + " END ELSE " + cast + " END AS " + d.quote(c.name()));
        }
        return insertHistory(t, "s.", String.join(", ", values)) + "\nFROM " + d.quote(stageTable(t))
                + " AS s\nLEFT JOIN " + d.quote(currentTable(t)) + " AS c ON " + key + "\nORDER BY " + kafkaOrder("s.");
    }

    /**
     * INSERT INTO the history its columns, SELECT the metadata from the stage's row {@code prefix}, then the source
     * columns' {@code values}. The stage holds the commit time as Debezium gives it, and no load time.
     */
    private String insertHistory(TableSchema t, String prefix, String values) {
        String columns = Stream.concat(MetadataColumn.HISTORY.stream().map(MetadataColumn::columnName),
                t.columns().stream().map(Column::name)).map(d::quote).collect(Collectors.joining(", "));
        String metadata = MetadataColumn.HISTORY.stream().map(c -> switch (c) {
            case SOURCE_TS -> d.epochMillisToTimestamptz(prefix + SOURCE_TS_MS.quoted(d));
            case LOADED_AT -> d.currentTimestamp();
            default -> prefix + c.quoted(d);
        }).collect(Collectors.joining(", "));
        return "INSERT INTO " + d.quote(historyTable(t)) + " (" + columns + ")\nSELECT " + metadata + ",\n  " + values;
    }

    /** The order Kafka holds a stage's changes in: each partition's in source order. */
    private String kafkaOrder(String prefix) {
        return prefix + KAFKA_PARTITION.quoted(d) + ", " + prefix + KAFKA_OFFSET.quoted(d);
    }

    /** Whether the staged row {@code alias} lacks the value of the source column at {@code index}. */
    private String unavailable(String alias, int index) {
        return "substr(" + alias + "." + UNAVAILABLE.quoted(d) + ", " + (index + 1) + ", 1) = '" + StageRows.UNAVAILABLE + "'";
    }

    /**
     * Applies the last staged change of each key: a delete removes the row, anything else
     * replaces it. Kafka keeps a key's changes in one partition in source order, so the highest
     * offset is the newest change.
     */
    public String mergeFromStage(TableSchema t) {
        String latest = latestPerKey(t, OP.quoted(d) + ", " + typedColumns(t));
        String on = sameKeys(t.primaryKey(), "t", "s");
        String set = t.columns().stream().filter(c -> !t.primaryKey().contains(c.name()))
                .map(c -> d.quote(c.name()) + " = s." + d.quote(c.name()))
                .collect(Collectors.joining(", "));
        String names = t.columns().stream().map(c -> d.quote(c.name())).collect(Collectors.joining(", "));
        String values = t.columns().stream().map(c -> "s." + d.quote(c.name())).collect(Collectors.joining(", "));
        return "MERGE INTO " + d.quote(currentTable(t)) + " AS t\nUSING (\n  " + latest + "\n) AS s\nON " + on
                + "\nWHEN MATCHED AND s." + OP.quoted(d) + " = 'd' THEN DELETE"
                + (set.isEmpty() ? "" : "\nWHEN MATCHED THEN UPDATE SET " + set)
                + "\nWHEN NOT MATCHED AND s." + OP.quoted(d) + " <> 'd' THEN INSERT (" + names + ") VALUES (" + values + ")";
    }

    /**
     * What applies a stage to the current state, in order: {@link #mergeFromStage}, or, where the dialect
     * {@linkplain Dialect#replacesRowsRatherThanMerges replaces rows rather than merging}, {@link #deleteStagedKeys}
     * then {@link #insertNewestFromStage}. Either way the current state ends with the newest change of each key
     * applied.
     */
    public List<String> applyStage(TableSchema t) {
        return d.replacesRowsRatherThanMerges()
                ? List.of(deleteStagedKeys(t), insertNewestFromStage(t))
                : List.of(mergeFromStage(t));
    }

    /** Deletes from the current state every row with a key the stage holds: the rows the stage replaces or deletes. */
    public String deleteStagedKeys(TableSchema t) {
        String keys = t.primaryKey().stream()
                .map(k -> d.castFromText(d.quote(k), t.columns().get(t.indexOf(k))) + " AS " + d.quote(k))
                .collect(Collectors.joining(", "));
        String on = sameKeys(t.primaryKey(), "t", "s");
        return "DELETE FROM " + d.quote(currentTable(t)) + " AS t USING (SELECT DISTINCT " + keys + " FROM "
                + d.quote(stageTable(t)) + ") AS s WHERE " + on;
    }

    /** After {@link #deleteStagedKeys}: the newest staged change of each key, unless it is a delete, as the key's row. */
    public String insertNewestFromStage(TableSchema t) {
        String names = t.columns().stream().map(c -> d.quote(c.name())).collect(Collectors.joining(", "));
        return "INSERT INTO " + d.quote(currentTable(t)) + " (" + names + ")\nSELECT " + names + " FROM (\n  "
                + latestPerKey(t, OP.quoted(d) + ", " + typedColumns(t)) + "\n) AS s\nWHERE s." + OP.quoted(d) + " <> 'd'";
    }

    /**
     * A direct snapshot's rows into the current state it emptied (SnapshotLoad), taken from the history rows the same
     * transaction just wrote from the stage: each value cast once. Each key once, so an INSERT, which costs less than a
     * MERGE, and fails, rather than overwriting, should a key come twice. Binds: the snapshot's LSN, then the batch's
     * lowest and highest offsets (a batch's offsets are a run of their own).
     */
    public String insertCurrentFromSnapshotHistory(TableSchema t) {
        String names = t.columns().stream().map(c -> d.quote(c.name())).collect(Collectors.joining(", "));
        return "INSERT INTO " + d.quote(currentTable(t)) + " (" + names + ")\nSELECT " + names + "\nFROM "
                + d.quote(historyTable(t)) + "\nWHERE " + LSN.quoted(d) + " = ? AND " + OP.quoted(d) + " = 'r' AND "
                + KAFKA_OFFSET.quoted(d) + " BETWEEN ? AND ?";
    }

    /**
     * As {@link #mergeFromStage}, for a stage where some changes lack values (see StageRows): the current
     * state keeps the value it has for those. (A change lacking a value for a key the current state does
     * not hold never gets here: {@link #insertHistoryFromStageTakingUnavailable} refuses it first.)
     */
    public String mergeFromStageKeepingUnavailable(TableSchema t) {
        String latest = latestPerKey(t, OP.quoted(d) + ", " + UNAVAILABLE.quoted(d) + ", " + typedColumns(t));
        String on = sameKeys(t.primaryKey(), "t", "s");
        List<String> set = new ArrayList<>();
        for (int i = 0; i < t.columns().size(); i++) {
            String name = d.quote(t.columns().get(i).name());
            if (!t.primaryKey().contains(t.columns().get(i).name())) {
                set.add(name + " = CASE WHEN " + unavailable("s", i) + " THEN t." + name + " ELSE s." + name + " END");
            }
        }
        String names = t.columns().stream().map(c -> d.quote(c.name())).collect(Collectors.joining(", "));
        String values = t.columns().stream().map(c -> "s." + d.quote(c.name())).collect(Collectors.joining(", "));
        return "MERGE INTO " + d.quote(currentTable(t)) + " AS t\nUSING (\n  " + latest + "\n) AS s\nON " + on
                + "\nWHEN MATCHED AND s." + OP.quoted(d) + " = 'd' THEN DELETE"
                + (set.isEmpty() ? "" : "\nWHEN MATCHED THEN UPDATE SET " + String.join(", ", set))
                + "\nWHEN NOT MATCHED AND s." + OP.quoted(d) + " <> 'd' THEN INSERT (" + names + ") VALUES (" + values + ")";
    }

    /**
     * {@code columns} of the staged change with the highest offset of each key. A subquery, not QUALIFY, which
     * PostgreSQL lacks; the row number it adds is a column the MERGE never reads.
     */
    private String latestPerKey(TableSchema t, String columns) {
        return "SELECT * FROM (\n    SELECT " + columns + ",\n      row_number() OVER (PARTITION BY "
                + quotedList(t.primaryKey()) + " ORDER BY " + KAFKA_OFFSET.quoted(d) + " DESC) AS " + d.quote("_newest")
                + "\n    FROM " + d.quote(stageTable(t)) + "\n  ) AS staged WHERE " + d.quote("_newest") + " = 1";
    }

    /** Records the warehouse set aside, with the reason and the record as received. */
    public String createDeadLetterTable() {
        return "CREATE TABLE IF NOT EXISTS " + d.quote(DEAD_LETTER_TABLE) + " (\n  "
                + d.quote("dead_at") + " " + d.timestamptzType() + " NOT NULL,\n  "
                + d.quote("kafka_topic") + " " + d.textType() + " NOT NULL,\n  "
                + d.quote("kafka_partition") + " " + d.integerType() + " NOT NULL,\n  "
                + d.quote("kafka_offset") + " " + d.bigintType() + " NOT NULL,\n  "
                + d.quote("source_table") + " " + d.textType() + ",\n  "
                + d.quote("reason") + " " + d.textType() + " NOT NULL,\n  "
                + d.quote("event") + " " + d.textType() + "\n)";
    }

    /** Parameters: topic, partition, offset, source table, reason, event. */
    public String insertDeadLetter() {
        return "INSERT INTO " + d.quote(DEAD_LETTER_TABLE) + " VALUES (" + d.currentTimestamp() + ", ?, ?, ?, ?, ?, ?)";
    }

    /**
     * Parameters: one per column of {@link #stageColumns}, in that order. A plain INSERT, for a warehouse
     * without a bulk appender: Snowflake's driver uploads a large batch of these binds as a file itself.
     */
    public String insertIntoStage(TableSchema t) {
        List<String> columns = stageColumns(t);
        return "INSERT INTO " + d.quote(stageTable(t)) + " (" + quotedList(columns) + ") VALUES ("
                + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
    }

    /** Created with every column; a table from before some of them gains them with {@link #addProgressColumns}. */
    public String createProgressTable() {
        String columns = PROGRESS_COLUMNS.stream()
                .map(c -> d.quote(c) + " " + progressType(c) + (c.equals("next_offset") ? " NOT NULL" : ""))
                .collect(Collectors.joining(",\n  "));
        return "CREATE TABLE IF NOT EXISTS " + d.quote(PROGRESS_TABLE) + " (\n  " + columns
                + ",\n  PRIMARY KEY (" + quotedList(PROGRESS_KEY) + ")\n)";
    }

    /** Widens a progress table made by the first release, which had only the key and the next offset. */
    public List<String> addProgressColumns() {
        return PROGRESS_COLUMNS_ADDED_LATER.stream()
                .map(c -> "ALTER TABLE " + d.quote(PROGRESS_TABLE) + " ADD COLUMN IF NOT EXISTS " + d.quote(c) + " "
                        + progressType(c))
                .toList();
    }

    /**
     * Returns topic, partition, next offset, then the newest source position applied (last commit LSN, LSN,
     * transaction order; null until a streamed change was applied, the order null for one without transaction
     * metadata), then the last position skipped as emitted again (null when no re-emission is under way).
     */
    public String selectProgress() {
        return "SELECT " + quotedList(PROGRESS_COLUMNS) + " FROM " + d.quote(PROGRESS_TABLE);
    }

    /**
     * Moves on the progress of {@code partitions} partitions, each only from where this loader last knew it: the
     * fence between loaders that share a warehouse. A partition Kafka moved to another loader, with progress of its
     * own, may have been loaded past that since; its row is then left alone, and the statement
     * changes fewer rows than it was given, which the loader takes as the sign to roll back and plan again.
     *
     * <p>Parameters, row after row: the columns as {@link #selectProgress} returns them, then the next offset the
     * loader last knew, NULL where it knew of no row. A standard MERGE rather than DuckDB's INSERT OR REPLACE,
     * which Snowflake lacks; each parameter is cast to its column's type so that a NULL has one. A MERGE that waits
     * for another's lock on the table reads the row that one committed (Snowflake loses no concurrent updates);
     * DuckDB refuses the second of two concurrent updates of a row instead.
     */
    public String advanceProgress(int partitions) {
        String row = PROGRESS_COLUMNS.stream()
                .map(c -> "CAST(? AS " + progressType(c) + ") AS " + d.quote(c))
                .collect(Collectors.joining(", ")) + ", CAST(? AS " + d.bigintType() + ") AS " + d.quote(KNOWN_OFFSET);
        String on = sameKeys(PROGRESS_KEY, "t", "s");
        String set = PROGRESS_COLUMNS.stream().filter(c -> !PROGRESS_KEY.contains(c))
                .map(c -> d.quote(c) + " = s." + d.quote(c))
                .collect(Collectors.joining(", "));
        String values = PROGRESS_COLUMNS.stream().map(c -> "s." + d.quote(c)).collect(Collectors.joining(", "));
        String rows = String.join("\n  UNION ALL SELECT ", Collections.nCopies(partitions, row));
        return "MERGE INTO " + d.quote(PROGRESS_TABLE) + " AS t\nUSING (SELECT " + rows + ") AS s\nON " + on
                + "\nWHEN MATCHED AND t." + d.quote("next_offset") + " = s." + d.quote(KNOWN_OFFSET)
                + " THEN UPDATE SET " + set
                + "\nWHEN NOT MATCHED AND s." + d.quote(KNOWN_OFFSET) + " IS NULL THEN INSERT ("
                + quotedList(PROGRESS_COLUMNS) + ") VALUES (" + values + ")";
    }

    private String progressType(String column) {
        return switch (column) {
            case "topic" -> d.textType();
            case "partition" -> d.integerType();
            default -> d.bigintType();
        };
    }

    /**
     * A TRUNCATE in the source empties the current state; the history keeps it as a change of its own. With topics of
     * several partitions, each partition's loader applies the TRUNCATE at its own place in the stream (the capture puts
     * a copy in every partition), so it empties only the rows of its partition: a key's changes all go to one partition,
     * and the history says which ({@code _kafka_topic}, {@code _kafka_partition}). With one partition, every row.
     * Binds: the topic, the partition.
     */
    public String truncateCurrent(TableSchema t) {
        String on = sameKeys(t.primaryKey(), "c", "h");
        return "DELETE FROM " + d.quote(currentTable(t)) + " AS c USING (SELECT DISTINCT " + quotedList(t.primaryKey())
                + " FROM " + d.quote(historyTable(t)) + " WHERE " + KAFKA_TOPIC.quoted(d) + " = ? AND "
                + KAFKA_PARTITION.quoted(d) + " = ?) AS h WHERE " + on;
    }

    public String createSnapshotTable() {
        return "CREATE TABLE IF NOT EXISTS " + d.quote(SNAPSHOT_TABLE) + " (" + d.quote("slot_lsn") + " " + d.bigintType()
                + " NOT NULL, " + d.quote("began_at") + " " + d.timestamptzType() + " NOT NULL, " + d.quote("finished_at")
                + " " + d.timestamptzType() + ", " + d.quote("rows_loaded") + " " + d.bigintType() + ")";
    }

    /** Returns the LSN, and whether it finished (a finish time), of each snapshot recorded: at most one. */
    public String selectSnapshot() {
        return "SELECT " + d.quote("slot_lsn") + ", " + d.quote("finished_at") + " IS NOT NULL FROM " + d.quote(SNAPSHOT_TABLE);
    }

    public String deleteSnapshot() {
        return "DELETE FROM " + d.quote(SNAPSHOT_TABLE);
    }

    /** Binds: the LSN. */
    public String insertSnapshot() {
        return "INSERT INTO " + d.quote(SNAPSHOT_TABLE) + " (" + d.quote("slot_lsn") + ", " + d.quote("began_at")
                + ") VALUES (?, " + d.currentTimestamp() + ")";
    }

    /** Binds: the rows loaded, the LSN. */
    public String finishSnapshot() {
        return "UPDATE " + d.quote(SNAPSHOT_TABLE) + " SET " + d.quote("finished_at") + " = " + d.currentTimestamp() + ", "
                + d.quote("rows_loaded") + " = ? WHERE " + d.quote("slot_lsn") + " = ?";
    }

    /**
     * The history's rows of the direct snapshot at an LSN: snapshot reads, at negative offsets, which no Kafka record
     * has (see snapshot/DirectSnapshot). Binds: the LSN.
     */
    public String deleteSnapshotHistory(TableSchema t) {
        return "DELETE FROM " + d.quote(historyTable(t)) + " WHERE " + LSN.quoted(d) + " = ? AND " + OP.quoted(d)
                + " = 'r' AND " + KAFKA_OFFSET.quoted(d) + " < 0";
    }

    /** Every row of the current state, which a direct snapshot replaces. */
    public String clearCurrent(TableSchema t) {
        return d.clearTable(d.quote(currentTable(t)));
    }

    /** Widens the current-state and history tables with a column the source gained. */
    public List<String> addColumn(TableSchema t, Column c) {
        return List.of(
                "ALTER TABLE " + d.quote(currentTable(t)) + " ADD COLUMN IF NOT EXISTS " + d.quote(c.name()) + " " + d.type(c),
                "ALTER TABLE " + d.quote(historyTable(t)) + " ADD COLUMN IF NOT EXISTS " + d.quote(c.name()) + " " + d.type(c));
    }

    /** The staging table holds nothing between batches; it is made anew to match the table's columns now. */
    public String dropStageTable(TableSchema t) {
        return "DROP TABLE IF EXISTS " + d.quote(stageTable(t));
    }

    public String clearStage(TableSchema t) {
        return d.clearTable(d.quote(stageTable(t)));
    }

    private String typedColumns(TableSchema t) {
        return t.columns().stream()
                .map(c -> d.castFromText(d.quote(c.name()), c) + " AS " + d.quote(c.name()))
                .collect(Collectors.joining(", "));
    }

    /** Rows {@code left} and {@code right} have the same {@code keys}: an ON or WHERE condition. */
    private String sameKeys(List<String> keys, String left, String right) {
        return keys.stream().map(k -> left + "." + d.quote(k) + " = " + right + "." + d.quote(k))
                .collect(Collectors.joining(" AND "));
    }

    private String quotedList(List<String> names) {
        return names.stream().map(d::quote).collect(Collectors.joining(", "));
    }

    /**
     * Stage column order: {@link MetadataColumn#STAGE} first, then the source columns, then
     * {@link MetadataColumn#UNAVAILABLE}; the loader appends in this order.
     */
    public static List<String> stageColumns(TableSchema t) {
        return Stream.of(MetadataColumn.STAGE.stream().map(MetadataColumn::columnName), t.columns().stream().map(Column::name),
                Stream.of(UNAVAILABLE.columnName())).flatMap(s -> s).toList();
    }
}
