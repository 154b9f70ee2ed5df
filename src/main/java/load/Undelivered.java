package load;

import java.util.List;
import java.util.function.IntPredicate;
import org.apache.camel.Exchange;

/**
 * Whether the consumer that read a batch may have more of a partition number to deliver: the rest of its last poll,
 * which camel-kafka hands over in batches of its own, or records Kafka holds beyond what it has fetched.
 * TransactionBoundaries holds changes on past its limit while their transactions may be waiting only for these.
 */
public final class Undelivered {

    /** For {@code records}, a batch of one consumer: whether a partition number it reads may have more to deliver. */
    public IntPredicate of(List<Exchange> records) {
        if (records.isEmpty() || !(ReadSinceHandover.consumerOf(records.get(records.size() - 1))
                instanceof HandoverKafkaClients.HandedOverConsumer consumer)) {
            return partition -> false;
        }
        byte[] poll = records.get(records.size() - 1).getMessage().getHeader(HandoverKafkaClients.POLL_HEADER, byte[].class);
        if (!consumer.lastRead(poll)) {
            return partition -> true; // the rest of what the consumer has read comes with the next batch
        }
        return consumer::mayHoldMore;
    }
}
