package load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualSyncCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory.CamelExchangePayload;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory.KafkaRecordPayload;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import warehouse.ChangeBatch;
import warehouse.KafkaPartition;

class KafkaOffsetsTest {

    private static final TopicPartition FLIGHTS_0 = new TopicPartition("flightcdc.public.flight_state", 0);

    private final RebalancingConsumer consumer = new RebalancingConsumer();
    private final KafkaOffsets offsets = new KafkaOffsets();

    @Test
    void commitsTheOffsetsTheWarehouseStoredWithTheLoad() {
        offsets.commit(List.of(record()), loadedUpTo(120));

        assertThat(consumer.committed(Set.of(FLIGHTS_0))).containsEntry(FLIGHTS_0, new OffsetAndMetadata(120));
    }

    /**
     * Kafka gave the partition to another loader while this one wrote the load: the warehouse has the load and its
     * offsets, and the other loader reads the partition from there, so the load has not failed.
     */
    @Test
    void aCommitRefusedBecauseTheGroupMovedThePartitionIsNotAFailedLoad() {
        consumer.rebalanced = true;

        offsets.commit(List.of(record()), loadedUpTo(120));

        assertThat(consumer.committed(Set.of(FLIGHTS_0))).isEmpty();
    }

    private Exchange record() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, new DefaultKafkaManualSyncCommit(
                new CamelExchangePayload(exchange, consumer, "load", null), new KafkaRecordPayload(FLIGHTS_0, 119, 1000),
                null));
        return exchange;
    }

    private static ChangeBatch loadedUpTo(long next) {
        return new ChangeBatch(List.of(), List.of(), Map.of(new KafkaPartition(FLIGHTS_0.topic(), 0), next));
    }

    /** A consumer whose group may have moved its partitions to another member. */
    private static final class RebalancingConsumer extends MockConsumer<Object, Object> {

        boolean rebalanced;

        RebalancingConsumer() {
            super(OffsetResetStrategy.EARLIEST);
            assign(List.of(FLIGHTS_0));
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (rebalanced) {
                throw new CommitFailedException("the group has rebalanced and assigned the partitions to another member");
            }
            super.commitSync(offsets);
        }
    }
}
