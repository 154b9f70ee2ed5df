package warehouse;

/**
 * A Kafka record the warehouse set aside instead of applying: not a change event it can read, or a
 * change it refused (a value that does not fit its column, a missing key). It is kept with the
 * reason and the record as received, and the pipeline goes on with the next change.
 */
public record DeadLetter(String topic, int partition, long offset, String table, Cause cause, String reason,
                         String event) {

    /** Why, in a few words fit for a metric's label: {@code reason} says it in full. */
    public enum Cause {
        /** Not a change event (or transaction marker) the loader can read. */
        UNREADABLE,
        /** A change of a table the warehouse has no tables for. */
        NO_TABLE,
        /** A value the warehouse's column cannot hold exactly, found before it is written. */
        REFUSED_VALUE,
        /** A row the warehouse itself refused as it was written. */
        REFUSED_BY_WAREHOUSE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A Kafka record that is not a change the loader can read. */
    public static DeadLetter unreadable(String topic, int partition, long offset, String reason, String record) {
        return new DeadLetter(topic, partition, offset, null, Cause.UNREADABLE, reason, record);
    }

    public static DeadLetter of(ChangeEvent change, Cause cause, String reason) {
        return new DeadLetter(change.topic(), change.partition(), change.offset(), change.table().toString(), cause, reason,
                change.raw());
    }
}
