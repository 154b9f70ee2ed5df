package capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.data.Struct;

/**
 * The partition of a change: Kafka's default for a keyed record (murmur2 of the key's bytes, made positive,
 * modulo the partition count), so that a consumer that partitions by key the way Kafka does agrees. The capture
 * chooses it rather than leaving it to the producer because it must know where each change goes
 * ({@link TransactionOrder} numbers a transaction's changes per partition and ends the transaction in each
 * partition it touched), and because the count is fixed for the run: the topics were checked to have it at start
 * ({@link ChangeTopics}), where a producer would follow a count changed under it and send a key's later changes to
 * another partition than its earlier ones. A record without a key (a TRUNCATE) goes to partition 0.
 */
public record KeyPartitioner(int partitions) {

    public KeyPartitioner {
        if (partitions < 1) {
            throw new IllegalArgumentException("a topic has at least one partition, got " + partitions);
        }
    }

    public int partitionOf(byte[] key) {
        return key == null || partitions == 1 ? 0 : Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /** The partition of a record whose key is {@code key}, in the JSON the capture writes keys in (ConnectJson). */
    public int partitionOf(Struct key) {
        try {
            return partitions == 1 ? 0 : partitionOf(ConnectJson.bytes(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
