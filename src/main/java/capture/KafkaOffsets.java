package capture;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * Commits a loaded batch's Kafka offsets: for each partition, the last record of the batch.
 * Runs on the consumer thread, after the warehouse transaction, as camel-kafka requires.
 */
public final class KafkaOffsets {

    public void commit(List<Exchange> records) {
        Map<String, KafkaManualCommit> lastPerPartition = new LinkedHashMap<>();
        for (Exchange record : records) {
            KafkaManualCommit commit = record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            if (commit != null) {
                lastPerPartition.put(record.getMessage().getHeader(KafkaConstants.TOPIC) + "/"
                        + record.getMessage().getHeader(KafkaConstants.PARTITION), commit);
            }
        }
        lastPerPartition.values().forEach(KafkaManualCommit::commit);
    }
}
