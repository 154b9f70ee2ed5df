package load;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeEventDecoder;
import warehouse.DeadLetter;
import warehouse.KafkaPartition;
import warehouse.TransactionEnd;

/**
 * Turns a batch of Kafka records (camel-kafka's batching mode) into change events, dropping
 * tombstones, and the records of the transaction topic into transaction ends. A record that is
 * neither is not allowed to stop the pipeline: it goes to the dead-letter table with the reason.
 */
public final class ChangeBatchDecoder {

    private final ChangeEventDecoder decoder = new ChangeEventDecoder();
    private final String transactionTopic;

    /** @param transactionTopic where the capture publishes the end of each transaction */
    public ChangeBatchDecoder(String transactionTopic) {
        this.transactionTopic = transactionTopic;
    }

    public ChangeBatch decode(List<Exchange> records) {
        List<ChangeEvent> changes = new ArrayList<>(records.size());
        List<DeadLetter> unreadable = new ArrayList<>();
        Map<KafkaPartition, Long> nextOffsets = new HashMap<>();
        List<TransactionEnd> ends = new ArrayList<>();
        for (Exchange record : records) {
            Message m = record.getMessage();
            String topic = m.getHeader(KafkaConstants.TOPIC, String.class);
            int partition = m.getHeader(KafkaConstants.PARTITION, Integer.class);
            long offset = m.getHeader(KafkaConstants.OFFSET, Long.class);
            // The bytes as Kafka holds them (routes.LoadRoute's deserializer), null for a tombstone. getBody(byte[].class)
            // would ask Camel's type converters first, and for a null body tries each of them in turn: about 40 KB of
            // garbage a tombstone.
            Object body = m.getBody();
            byte[] value = body == null || body instanceof byte[] ? (byte[]) body : m.getBody(byte[].class);
            nextOffsets.merge(new KafkaPartition(topic, partition), offset + 1, Math::max);
            boolean marker = topic.equals(transactionTopic);
            try {
                if (marker) {
                    decoder.decodeTransactionEnd(topic, partition, offset, value).ifPresent(ends::add);
                } else {
                    decoder.decode(topic, partition, offset, value).ifPresent(changes::add);
                }
            } catch (IllegalArgumentException e) {
                unreadable.add(DeadLetter.unreadable(topic, partition, offset,
                        (marker ? "not a transaction marker: " : "not a change event: ") + e.getMessage(),
                        value == null ? null : new String(value, StandardCharsets.UTF_8)));
            }
        }
        return new ChangeBatch(changes, unreadable, nextOffsets, ends);
    }
}
