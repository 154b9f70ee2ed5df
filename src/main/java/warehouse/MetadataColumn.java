package warehouse;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The loader's own columns, which it writes beside the source columns: the one place they are named. The
 * SQL generators declare, insert and select them from here, and the writers (the stagers, the Snowpipe
 * Streaming rows) take each one's value from here, in the order of the table's list below, so that a
 * column's name, type, order and value cannot drift apart between them. The Snowflake migrations
 * under snowflake/ are made from the generators: renaming or reordering a column here changes deployed
 * tables.
 */
public enum MetadataColumn {

    OP("_op", Type.TEXT, Presence.EVERY_CHANGE, e -> e.operation().code()),
    LAST_COMMIT_LSN("_last_commit_lsn", Type.BIGINT, Presence.EVERY_CHANGE, e -> e.position().lastCommitLsn()),
    LSN("_lsn", Type.BIGINT, Presence.EVERY_CHANGE, ChangeEvent::lsn),
    /** Null for a change outside a transaction: a snapshot read. */
    TX_ID("_tx_id", Type.BIGINT, Presence.SOME, ChangeEvent::txId),
    /** The commit time as Debezium gives it, in the stage; the tables hold {@link #SOURCE_TS}. */
    SOURCE_TS_MS("_source_ts_ms", Type.BIGINT, Presence.EVERY_CHANGE, ChangeEvent::sourceTsMs),
    SOURCE_TS("_source_ts", Type.TIMESTAMPTZ, Presence.EVERY_CHANGE, e -> Instant.ofEpochMilli(e.sourceTsMs())),
    /** The loader's clock, not the change's: no value of its own. */
    LOADED_AT("_loaded_at", Type.TIMESTAMPTZ, Presence.EVERY_RECORD, null),
    KAFKA_TOPIC("_kafka_topic", Type.TEXT, Presence.EVERY_RECORD, ChangeEvent::topic),
    KAFKA_PARTITION("_kafka_partition", Type.INTEGER, Presence.EVERY_RECORD, ChangeEvent::partition),
    KAFKA_OFFSET("_kafka_offset", Type.BIGINT, Presence.EVERY_RECORD, ChangeEvent::offset),
    /** Why a record was set aside, in a row of the change table that holds one instead of a change. */
    REJECTED_REASON("_rejected_reason", Type.TEXT, Presence.SOME, null),
    /** The record set aside, as received. */
    REJECTED_EVENT("_rejected_event", Type.TEXT, Presence.SOME, null),
    /**
     * Null, or which source values the change lacks (see StageRows): after the source columns in the stage, as
     * one character per source column; before them in the change table, as a list of names.
     */
    UNAVAILABLE("_unavailable", Type.TEXT, Presence.SOME, null);

    /**
     * MERGE mode's staging table, before the source columns; the stagers write these values in this order. None is
     * a timestamp: the stage takes the commit time as Debezium gives it, converted when copied to the history.
     */
    public static final List<MetadataColumn> STAGE = List.of(
            OP, LSN, TX_ID, SOURCE_TS_MS, KAFKA_TOPIC, KAFKA_PARTITION, KAFKA_OFFSET);

    /**
     * The history, before the source columns: MERGE mode's table, and the change log's view of the same shape, so
     * that the same analytics views read either.
     */
    public static final List<MetadataColumn> HISTORY = List.of(
            OP, LSN, TX_ID, SOURCE_TS, LOADED_AT, KAFKA_TOPIC, KAFKA_PARTITION, KAFKA_OFFSET);

    /** The change log's change table, before the source columns: the contract with the Snowpipe Streaming writer. */
    public static final List<MetadataColumn> CHANGE_TABLE = List.of(OP, LAST_COMMIT_LSN, LSN, TX_ID, SOURCE_TS,
            LOADED_AT, KAFKA_TOPIC, KAFKA_PARTITION, KAFKA_OFFSET, REJECTED_REASON, REJECTED_EVENT);

    /** The load watermark table: the highest last commit LSN of a load, and when it was loaded. */
    public static final List<MetadataColumn> LOADED_THROUGH = List.of(LAST_COMMIT_LSN, LOADED_AT);

    /** The warehouse type a column holds, and so the Java type of its value: what a writer binds it as. */
    public enum Type {
        /** A String. */
        TEXT,
        /** A Long. */
        BIGINT,
        /** An Integer. */
        INTEGER,
        /** An Instant. */
        TIMESTAMPTZ;

        public String in(Dialect d) {
            return switch (this) {
                case TEXT -> d.textType();
                case BIGINT -> d.bigintType();
                case INTEGER -> d.integerType();
                case TIMESTAMPTZ -> d.timestamptzType();
            };
        }
    }

    /**
     * Which rows have a value: a table declares a column NOT NULL when every row it holds has one. A table of
     * changes (the history) holds {@link #EVERY_CHANGE}; the change table also holds the records set aside,
     * which have only {@link #EVERY_RECORD}.
     */
    public enum Presence {
        /** Every Kafka record the loader writes: a change, or a record set aside. */
        EVERY_RECORD,
        /** Every change, not a record set aside. */
        EVERY_CHANGE,
        SOME;

        boolean covers(Presence rows) {
            return compareTo(rows) <= 0;
        }
    }

    private final String columnName;
    private final Type type;
    private final Presence presence;
    private final Function<ChangeEvent, Object> value;

    MetadataColumn(String columnName, Type type, Presence presence, Function<ChangeEvent, Object> value) {
        this.columnName = columnName;
        this.type = type;
        this.presence = presence;
        this.value = value;
    }

    public String columnName() {
        return columnName;
    }

    public Type type() {
        return type;
    }

    public String quoted(Dialect d) {
        return d.quote(columnName);
    }

    /** As a table's DDL declares it, without constraints: a staging table checks nothing. */
    public String declaration(Dialect d) {
        return quoted(d) + " " + type.in(d);
    }

    /** As a table's DDL declares it, NOT NULL in a table whose every row is one of {@code rows}. */
    public String declaration(Dialect d, Presence rows) {
        return declaration(d) + (presence.covers(rows) ? " NOT NULL" : "");
    }

    /** Whether a change carries the value itself ({@link #value}); the others are the writer's to give. */
    public boolean ofChange() {
        return value != null;
    }

    /**
     * The value of {@code change}, as the Java type of the column's {@link #type}; null for one without.
     *
     * @throws UnsupportedOperationException for a column whose value is not the change's ({@link #ofChange})
     */
    public Object value(ChangeEvent change) {
        if (value == null) {
            throw new UnsupportedOperationException(columnName + " is not a value of the change");
        }
        return value.apply(change);
    }
}
