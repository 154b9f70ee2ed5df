package load;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.ChangeBatch;

/**
 * Commits a load's Kafka offsets: for each partition, the offset the warehouse stored with the load. That
 * is not always past the last record delivered: records held back for the rest of their transaction (see
 * load.TransactionBoundaries) are not loaded yet, and must be delivered again after a restart.
 * Runs on the consumer thread, after the warehouse transaction, as camel-kafka requires.
 */
public final class KafkaOffsets {

    private static final Logger LOG = LoggerFactory.getLogger("load");

    public void commit(List<Exchange> records, ChangeBatch loaded) {
        if (records.isEmpty() || loaded.nextOffsets().isEmpty()) {
            return;
        }
        DefaultKafkaManualCommit manual = records.get(0).getMessage()
                .getHeader(KafkaConstants.MANUAL_COMMIT, DefaultKafkaManualCommit.class);
        if (manual == null) {
            return;
        }
        Consumer<?, ?> consumer = manual.getCamelExchangePayload().consumer;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        loaded.nextOffsets().forEach((p, next) -> offsets.put(new TopicPartition(p.topic(), p.partition()),
                new OffsetAndMetadata(next)));
        try {
            consumer.commitSync(offsets);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The warehouse has the load and its offsets: the loader Kafka gives the partitions reads them from there.
            LOG.info("The consumer group moved partitions while this load was written: its offsets are not committed"
                    + " to Kafka ({}); the warehouse stored them with the data", e.getMessage());
        }
    }
}
