package warehouse;

import java.sql.SQLException;
import java.util.Collection;

/**
 * A load rolled back because another loader stored progress for some of its partitions since this loader last read
 * it: Kafka gave the partitions to another loader of the consumer group, with progress of its own, while this one
 * was too slow to answer or thought gone. Nothing of the batch was written;
 * the loader has read the progress again, and the batch, tried again, skips what the other loaded.
 */
public final class ProgressMovedException extends SQLException {

    public ProgressMovedException(Collection<KafkaPartition> partitions) {
        super("Another loader has loaded some of " + partitions + " since this one read how far the warehouse had"
                + " loaded them (Kafka moved them to another loader of the group): nothing of this batch was written; it"
                + " is tried again from the warehouse's progress");
    }
}
