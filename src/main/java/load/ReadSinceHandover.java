package load;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leaves out of a batch the records its consumer read before Kafka last moved its partitions. camel-kafka gathers a
 * batch over several polls and keeps what it gathered when a poll hands partitions over. Such a record may be of a
 * partition the consumer no longer reads, or of one it was given again and sought back to the warehouse's progress
 * (PartitionHandover): loaded with what is read after, it would let TransactionBoundaries take a transaction for
 * complete without the changes it forgot at the handover, and the warehouse's offsets would pass them. Every record left
 * out is read again, by whichever loader Kafka gave its partition to, from where the warehouse loaded it up to.
 */
public final class ReadSinceHandover {

    private static final Logger LOG = LoggerFactory.getLogger("load");

    /** The records of {@code records}, a batch of one consumer, that it read since Kafka last moved its partitions. */
    public List<Exchange> only(List<Exchange> records) {
        if (records.isEmpty() || !(consumerOf(records.get(0)) instanceof HandoverKafkaClients.HandedOverConsumer consumer)) {
            return records;
        }
        List<Exchange> current = new ArrayList<>(records.size());
        Set<String> before = new TreeSet<>();
        for (Exchange record : records) {
            Message m = record.getMessage();
            if (consumer.readSinceHandover(m.getHeader(HandoverKafkaClients.HANDOVER_HEADER, byte[].class))) {
                current.add(record);
            } else {
                before.add(m.getHeader(KafkaConstants.TOPIC, String.class) + "/" + m.getHeader(KafkaConstants.PARTITION, Integer.class));
            }
        }
        if (current.size() < records.size()) {
            LOG.info("Left out {} records of {} read before Kafka moved partitions: they are read again from where the"
                    + " warehouse loaded them", records.size() - current.size(), before);
        }
        return current;
    }

    static Object consumerOf(Exchange record) {
        DefaultKafkaManualCommit manual = record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, DefaultKafkaManualCommit.class);
        return manual == null ? null : manual.getCamelExchangePayload().consumer;
    }
}
