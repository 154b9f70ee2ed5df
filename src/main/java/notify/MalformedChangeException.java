package notify;

/** A Kafka record on a change topic that is not a Debezium change: a notifier skips it and goes on. */
public class MalformedChangeException extends IllegalArgumentException {

    public MalformedChangeException(String problem) {
        super("not a Debezium change: " + problem);
    }
}
