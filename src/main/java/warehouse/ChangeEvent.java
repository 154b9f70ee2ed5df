package warehouse;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One row change as read from Kafka: where it sits in Kafka, where it came from in the source,
 * the row image (the new row, the old one for a delete, none for a truncate of the whole table) as
 * Debezium encoded it, and the record
 * value as received, kept for the dead-letter table should the warehouse refuse the change.
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
        String raw) {

    public long lsn() {
        return position.lsn();
    }

    /** Snapshot reads are a fresh read of the table, not a change in the source's stream. */
    public boolean streamed() {
        return operation != Operation.READ;
    }

    /** Debezium's op codes. */
    public enum Operation {
        CREATE("c"), UPDATE("u"), DELETE("d"), READ("r"), TRUNCATE("t");

        private final String code;

        Operation(String code) {
            this.code = code;
        }

        public String code() {
            return code;
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
