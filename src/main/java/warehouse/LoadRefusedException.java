package warehouse;

/**
 * A batch the loader cannot load without losing or inventing changes, whatever the retries: Kafka no longer
 * holds what the warehouse was loaded from. Nothing of the batch was written; the message says what happened
 * and how to recover.
 */
public class LoadRefusedException extends RuntimeException {

    public LoadRefusedException(String message) {
        super(message);
    }
}
