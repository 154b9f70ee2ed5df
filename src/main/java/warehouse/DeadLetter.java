package warehouse;

/**
 * A Kafka record the warehouse set aside instead of applying: not a change event it can read, or a
 * change it refused (a value that does not fit its column, a missing key). It is kept with the
 * reason and the record as received, and the pipeline goes on with the next change.
 */
public record DeadLetter(String topic, int partition, long offset, String table, String reason, String event) {

    public static DeadLetter of(ChangeEvent change, String reason) {
        return new DeadLetter(change.topic(), change.partition(), change.offset(), change.table().toString(), reason,
                change.raw());
    }
}
