package capture;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import warehouse.ChangeEvent;
import warehouse.ChangeEventDecoder;

/** Turns a batch of Kafka records (camel-kafka's batching mode) into change events, dropping tombstones. */
public final class ChangeBatchDecoder {

    private final ChangeEventDecoder decoder = new ChangeEventDecoder();

    public List<ChangeEvent> decode(List<Exchange> records) {
        List<ChangeEvent> changes = new ArrayList<>(records.size());
        for (Exchange record : records) {
            Message m = record.getMessage();
            String topic = m.getHeader(KafkaConstants.TOPIC, String.class);
            int partition = m.getHeader(KafkaConstants.PARTITION, Integer.class);
            long offset = m.getHeader(KafkaConstants.OFFSET, Long.class);
            try {
                decoder.decode(topic, partition, offset, m.getBody(String.class)).ifPresent(changes::add);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Kafka record " + topic + "/" + partition + "@" + offset
                        + " is not a change event: " + e.getMessage(), e);
            }
        }
        return changes;
    }
}
