package warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One row change as read from Kafka: where it sits in Kafka, where it came from in the source,
 * the row image (the new row, the old one for a delete, none for a truncate of the whole table) as
 * Debezium encoded it, and the record value as received (UTF-8 JSON), kept for the dead-letter table should the
 * warehouse refuse the change.
 *
 * <p>A change held a long time (a part of a large source transaction, see load.TransactionBoundaries) may keep only its
 * record value, packed ({@link #withoutRow}): the value is inflated, and its row image read again, each time either is
 * asked for.
 *
 * @param value the record value in UTF-8, as Kafka holds it (not copied: not to be changed), or null when it is kept
 *     packed ({@code packedValue})
 */
public record ChangeEvent(
        String topic,
        int partition,
        long offset,
        TableId table,
        Operation operation,
        SourcePosition position,
        Long txId,
        long sourceTsMs,
        JsonNode row,
        byte[] value,
        PackedText packedValue) {

    /** @param raw the record value as text, or null */
    public ChangeEvent(String topic, int partition, long offset, TableId table, Operation operation,
                       SourcePosition position, Long txId, long sourceTsMs, JsonNode row, String raw) {
        this(topic, partition, offset, table, operation, position, txId, sourceTsMs, row,
                raw == null ? null : raw.getBytes(StandardCharsets.UTF_8), null);
    }

    /** The record value in UTF-8, inflated when this change was held packed ({@link #withoutRow}). */
    @Override
    public byte[] value() {
        return value != null || packedValue == null ? value : packedValue.bytes();
    }

    /** The record value as text: made when asked (a dead letter), as the load itself reads the bytes. */
    public String raw() {
        byte[] bytes = value();
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** The row image, read again from the record value when this change was held without it ({@link #withoutRow}). */
    @Override
    public JsonNode row() {
        return row != null ? row : ChangeEventDecoder.rowImage(value());
    }

    /**
     * This change holding only its record value, deflated against {@code dictionary} (another record value of its
     * table, in UTF-8): a flight state's update keeps in about 250 bytes instead of its tree and text, about 3.3 KB.
     */
    public ChangeEvent withoutRow(byte[] dictionary) {
        if (row == null || value == null || operation.emptiesTable()) {
            return this;
        }
        return new ChangeEvent(topic, partition, offset, table, operation, position, txId, sourceTsMs, null, null,
                PackedText.pack(value, dictionary));
    }

    /** Equal when every component is, the record value by its bytes (a record compares arrays by reference). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ChangeEvent c && partition == c.partition && offset == c.offset
                && sourceTsMs == c.sourceTsMs && Objects.equals(topic, c.topic) && Objects.equals(table, c.table)
                && operation == c.operation && Objects.equals(position, c.position) && Objects.equals(txId, c.txId)
                && Objects.equals(row, c.row) && Arrays.equals(value, c.value)
                && Objects.equals(packedValue, c.packedValue);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset, table, operation, position, txId, sourceTsMs, row,
                Arrays.hashCode(value), packedValue);
    }

    @Override
    public String toString() {
        return "ChangeEvent[" + topic + "-" + partition + "@" + offset + " " + operation + " " + table + " " + position + "]";
    }

    public long lsn() {
        return position.lsn();
    }

    /** Snapshot reads and the start of a snapshot are a fresh read of the table, not changes in the source's stream. */
    public boolean streamed() {
        return operation != Operation.READ && operation != Operation.SNAPSHOT_START;
    }

    /**
     * A copy of a TRUNCATE in a partition other than the first: the capture sends a TRUNCATE to every partition, where
     * each copy empties that partition's rows, and partition 0's stands for it in the history and the counts.
     */
    public boolean truncateCopy() {
        return operation.emptiesTable() && partition != 0;
    }

    /** Debezium's op codes. */
    public enum Operation {
        CREATE("c"), UPDATE("u"), DELETE("d"), READ("r"), TRUNCATE("t"),
        /**
         * A snapshot of the table begins again, over rows an earlier one left in the topic: a truncate that the
         * capture writes itself, marked as part of the snapshot (see capture.SnapshotStart). Its rows replace them.
         */
        SNAPSHOT_START("t");

        private final String code;

        Operation(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        /** Empties the table's current state: everything before it is gone, everything after it applies. */
        public boolean emptiesTable() {
            return this == TRUNCATE || this == SNAPSHOT_START;
        }

        public static Operation fromCode(String code) {
            for (Operation op : values()) {
                if (op.code.equals(code)) {
                    return op;
                }
            }
            throw new IllegalArgumentException("unknown Debezium op '" + code + "'");
        }
    }
}
