package warehouse;

import static warehouse.MetadataColumn.KAFKA_OFFSET;
import static warehouse.MetadataColumn.KAFKA_PARTITION;
import static warehouse.MetadataColumn.KAFKA_TOPIC;
import static warehouse.MetadataColumn.LAST_COMMIT_LSN;
import static warehouse.MetadataColumn.LOADED_AT;
import static warehouse.MetadataColumn.LSN;
import static warehouse.MetadataColumn.OP;
import static warehouse.MetadataColumn.REJECTED_EVENT;
import static warehouse.MetadataColumn.REJECTED_REASON;
import static warehouse.MetadataColumn.UNAVAILABLE;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import warehouse.MetadataColumn.Presence;

/**
 * The SQL of the append-only mode (Snowpipe Streaming), for every dialect. The writer only appends: each
 * Kafka record becomes one row of the table's raw change table, and everything else is derived from it
 * by queries, so that a warehouse that cannot update rows still offers what the MERGE mode keeps in
 * tables: the history of every change (a view), the current state (a view with no lag, and in Snowflake a
 * dynamic table), and the records set aside (a view).
 *
 * <p>What MERGE mode decides before writing, these queries decide when read: Debezium's re-emitted
 * changes after a crash land in the change table a second time and are dropped by the history view, and
 * the current state is the last change per key after the table's newest TRUNCATE.
 *
 * <p>What MERGE mode writes in one transaction, the writer appends to each change table on its own, so a
 * source transaction may be committed in one table before another. After each load the writer appends
 * the highest last commit LSN it carried to the load watermark table ({@link #LOADED_THROUGH_TABLE}), once
 * every table's rows of it are committed; the derived objects show only changes at or below the highest
 * watermark, and snapshot reads, which belong to no transaction.
 */
public final class ChangeLogSqlGenerator {

    /**
     * One row per load that carried streamed changes: the highest last commit LSN among them, written once
     * every change table has committed them, and when. Shared by every table of the pipeline.
     */
    public static final String LOADED_THROUGH_TABLE = "_flightcdc_loaded_through";

    private final Dialect d;
    private final boolean throughLoadWatermark;

    public ChangeLogSqlGenerator(Dialect dialect) {
        this(dialect, true);
    }

    private ChangeLogSqlGenerator(Dialect dialect, boolean throughLoadWatermark) {
        this.d = dialect;
        this.throughLoadWatermark = throughLoadWatermark;
    }

    /**
     * The queries as the first streaming migrations deployed them, showing every committed change, before
     * the load watermark: a versioned migration must stay as deployed, so its file is still made from these.
     */
    public ChangeLogSqlGenerator withoutLoadWatermark() {
        return new ChangeLogSqlGenerator(d, false);
    }

    public String changeTable(TableSchema t) {
        return t.id().name() + "_changes";
    }

    public String historyView(TableSchema t) {
        return t.id().name() + "_history";
    }

    public String liveView(TableSchema t) {
        return t.id().name() + "_live";
    }

    /** Where a warehouse materialises the current state (Snowflake: a dynamic table), named as in MERGE mode. */
    public String currentTable(TableSchema t) {
        return t.id().name();
    }

    /**
     * Everything nullable but where the record sits in Kafka and when it arrived: a record set aside may
     * lack all the rest. No DEFAULTs, as Snowpipe Streaming does not fill them. A row with
     * {@code _rejected_reason} set is a Kafka record set aside: its source columns NULL, the record as
     * received in {@code _rejected_event}.
     */
    public String createChangeTable(TableSchema t) {
        List<String> columns = new ArrayList<>();
        MetadataColumn.CHANGE_TABLE.forEach(c -> columns.add(c.declaration(d, Presence.EVERY_RECORD)));
        if (!t.replicaIdentityFull()) {
            // Only such a table's changes lack values: the names of those they lack, written NULL. The history
            // carries each forward from the key's latest change that had it.
            columns.add(UNAVAILABLE.quoted(d) + " " + d.textListType());
        }
        t.columns().forEach(c -> columns.add(d.quote(c.name()) + " " + d.type(c)));
        return "CREATE TABLE IF NOT EXISTS " + d.quote(changeTable(t)) + " (\n  " + String.join(",\n  ", columns) + "\n)";
    }

    /** No DEFAULTs, as Snowpipe Streaming does not fill them; every watermark has both columns. */
    public String createLoadedThroughTable() {
        String columns = MetadataColumn.LOADED_THROUGH.stream().map(c -> c.declaration(d) + " NOT NULL")
                .collect(Collectors.joining(",\n  "));
        return "CREATE TABLE IF NOT EXISTS " + d.quote(LOADED_THROUGH_TABLE) + " (\n  " + columns + "\n)";
    }

    /**
     * Every change once, with MERGE mode's history columns. After a crash Debezium emits again the changes
     * after its last stored position, so Kafka holds them a second time at higher offsets; they are the
     * same change at the same source position, and the first delivery is kept. A primary-key update, a
     * delete and a create from one WAL record, differs in its operation and key.
     */
    public String historyQuery(TableSchema t) {
        if (!t.replicaIdentityFull()) {
            return historyCarryingValuesForward(t);
        }
        return "SELECT " + quotedList(historyColumns(t)) + "\n" + fromShownChanges(t, "\n")
                + "\nQUALIFY " + firstDelivery(t);
    }

    /**
     * FROM the change table WHERE the rows the derived objects show: changes, not records set aside, that the
     * load watermark covers, or that belong to no transaction (snapshot reads, and the truncate that starts a
     * snapshot, have no last commit LSN: they show even before the first watermark). Both deliveries of a
     * change emitted again share its last commit LSN, so the filter keeps both or neither and the history's
     * dedupe is unchanged. The watermark comes from a join, as the newest truncate does (see currentStateQuery).
     */
    private String fromShownChanges(TableSchema t, String separator, String... conditions) {
        List<String> where = new ArrayList<>(List.of(conditions));
        where.add(REJECTED_REASON.quoted(d) + " IS NULL");
        StringBuilder from = new StringBuilder("FROM " + d.quote(changeTable(t)));
        if (throughLoadWatermark) {
            String loadedThrough = d.quote("_loaded_through");
            from.append(separator).append("CROSS JOIN (SELECT coalesce(max(").append(LAST_COMMIT_LSN.quoted(d))
                    .append("), 0) AS ").append(loadedThrough).append(" FROM ").append(d.quote(LOADED_THROUGH_TABLE))
                    .append(") AS lt");
            where.add("coalesce(" + LAST_COMMIT_LSN.quoted(d) + ", 0) <= lt." + loadedThrough);
        }
        return from.append(separator).append("WHERE ").append(String.join(" AND ", where)).toString();
    }

    private String firstDelivery(TableSchema t) {
        List<String> identity = new ArrayList<>(names(List.of(LAST_COMMIT_LSN, LSN, OP)));
        identity.addAll(t.primaryKey());
        return "row_number() OVER (PARTITION BY " + quotedList(identity) + " ORDER BY " + kafkaOrder() + ") = 1";
    }

    /**
     * The history of a table without REPLICA IDENTITY FULL, whose changes may lack values (an update its
     * unchanged TOASTed ones, a delete all but its key): each lacking value is the one of the key's latest
     * earlier change that had it, as MERGE mode takes it from its current state. Per column, the offset of
     * that change is found first ({@code _from_<n>}: the latest offset so far with the value), then its value
     * is the first of the rows sharing that offset. A value no earlier change had stays NULL; the placeholder
     * is never written to the change table.
     */
    private String historyCarryingValuesForward(TableSchema t) {
        String key = quotedList(t.primaryKey());
        String order = kafkaOrder();
        List<String> from = new ArrayList<>();
        List<String> carried = new ArrayList<>();
        for (int i = 0; i < t.columns().size(); i++) {
            Column c = t.columns().get(i);
            String name = d.quote(c.name());
            if (t.primaryKey().contains(c.name())) {
                carried.add(name);
                continue;
            }
            String source = d.quote("_from_" + (i + 1));
            String lacks = d.listContains(UNAVAILABLE.quoted(d), "'" + c.name().replace("'", "''") + "'");
            from.add("max(CASE WHEN " + UNAVAILABLE.quoted(d) + " IS NULL OR NOT " + lacks + " THEN " + KAFKA_OFFSET.quoted(d)
                    + " END) OVER (PARTITION BY " + key + " ORDER BY " + order
                    + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS " + source);
            carried.add("first_value(" + name + ") OVER (PARTITION BY " + key + ", " + source + " ORDER BY " + order
                    + ") AS " + name);
        }
        String history = quotedList(names(MetadataColumn.HISTORY));
        String deduplicated = "SELECT " + history + ", " + UNAVAILABLE.quoted(d) + ", "
                + quotedList(columnNames(t)) + "\n    " + fromShownChanges(t, "\n    ")
                + "\n    QUALIFY " + firstDelivery(t);
        return "SELECT " + history + ",\n  " + String.join(",\n  ", carried)
                + "\nFROM (\n  SELECT *,\n    " + String.join(",\n    ", from)
                + "\n  FROM (\n    " + deduplicated + "\n  ) AS delivered\n) AS sourced";
    }

    public String createHistoryView(TableSchema t) {
        return createView(historyView(t), historyQuery(t));
    }

    /**
     * The source table as it stands: the last change per key, as MergeSqlGenerator applies it (Kafka keeps
     * a key's changes in one partition in source order, so the highest offset is the newest), of those
     * after the newest TRUNCATE; a key whose last change is a delete is gone.
     *
     * <p>A TRUNCATE takes an ACCESS EXCLUSIVE lock, so every change to the table before it has a lower LSN
     * and every change after it a higher one; the truncate rows themselves are at or below it and drop out
     * too. The newest truncate comes from a join rather than a subquery in WHERE, which Snowflake cannot
     * refresh incrementally in a dynamic table; it is the newest of the changes shown, so that a truncate
     * the load watermark does not cover yet empties nothing before the rest of its transaction shows.
     */
    public String currentStateQuery(TableSchema t) {
        String truncatedAt = d.quote("_truncated_at");
        String latest = "SELECT h." + OP.quoted(d) + ", " + qualifiedList("h", columnNames(t))
                + "\n  FROM (\n    " + historyQuery(t).replace("\n", "\n    ") + "\n  ) AS h"
                + "\n  CROSS JOIN (SELECT max(" + LSN.quoted(d) + ") AS " + truncatedAt + " "
                + fromShownChanges(t, " ", OP.quoted(d) + " = 't'") + ") AS tr"
                + "\n  WHERE tr." + truncatedAt + " IS NULL OR h." + LSN.quoted(d) + " > tr." + truncatedAt
                + "\n  QUALIFY row_number() OVER (PARTITION BY " + qualifiedList("h", t.primaryKey()) + " ORDER BY h."
                + KAFKA_OFFSET.quoted(d) + " DESC) = 1";
        return "SELECT " + quotedList(columnNames(t)) + "\nFROM (\n  " + latest + "\n) AS latest\nWHERE "
                + OP.quoted(d) + " <> 'd'";
    }

    /** The current state with no lag: computed from the change table when read. */
    public String createLiveView(TableSchema t) {
        return createView(liveView(t), currentStateQuery(t));
    }

    /** The records set aside, with the columns of MERGE mode's dead-letter table. */
    public String deadLetterQuery(List<TableSchema> tables) {
        return tables.stream().map(t -> "SELECT " + LOADED_AT.quoted(d) + " AS " + d.quote("dead_at") + ", "
                        + KAFKA_TOPIC.quoted(d) + " AS " + d.quote("kafka_topic") + ", "
                        + KAFKA_PARTITION.quoted(d) + " AS " + d.quote("kafka_partition") + ", "
                        + KAFKA_OFFSET.quoted(d) + " AS " + d.quote("kafka_offset") + ", "
                        + "'" + t.id().toString().replace("'", "''") + "' AS " + d.quote("source_table") + ", "
                        + REJECTED_REASON.quoted(d) + " AS " + d.quote("reason") + ", "
                        + REJECTED_EVENT.quoted(d) + " AS " + d.quote("event")
                        + "\nFROM " + d.quote(changeTable(t)) + "\nWHERE " + REJECTED_REASON.quoted(d) + " IS NOT NULL")
                .collect(Collectors.joining("\nUNION ALL\n"));
    }

    public String createDeadLetterView(List<TableSchema> tables) {
        return createView(MergeSqlGenerator.DEAD_LETTER_TABLE, deadLetterQuery(tables));
    }

    private String createView(String name, String query) {
        return "CREATE OR REPLACE VIEW " + d.quote(name) + " AS\n" + query;
    }

    private static List<String> historyColumns(TableSchema t) {
        return Stream.concat(names(MetadataColumn.HISTORY).stream(), columnNames(t).stream()).toList();
    }

    private static List<String> names(List<MetadataColumn> columns) {
        return columns.stream().map(MetadataColumn::columnName).toList();
    }

    /** The order Kafka holds the change table's rows in: each partition's in source order. */
    private String kafkaOrder() {
        return KAFKA_PARTITION.quoted(d) + ", " + KAFKA_OFFSET.quoted(d);
    }

    private static List<String> columnNames(TableSchema t) {
        return t.columns().stream().map(Column::name).toList();
    }

    private String quotedList(List<String> names) {
        return names.stream().map(d::quote).collect(Collectors.joining(", "));
    }

    private String qualifiedList(String alias, List<String> names) {
        return names.stream().map(n -> alias + "." + d.quote(n)).collect(Collectors.joining(", "));
    }
}
