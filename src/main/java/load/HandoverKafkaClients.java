package load;

import java.util.Collection;
import java.util.Properties;
import java.util.function.Function;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The load route's Kafka consumers, each told when the group moves partitions ({@link PartitionHandover}).
 * camel-kafka subscribes its consumers with a rebalance listener of its own and takes none from the route; this
 * factory's consumers add theirs to it, after it, so that their seeks are the last word.
 */
public final class HandoverKafkaClients extends DefaultKafkaClientFactory {

    private final Function<Consumer<?, ?>, PartitionHandover> handover;

    /** @param handover the handover of one consumer, made as it subscribes (the route is built before its beans are) */
    public HandoverKafkaClients(Function<Consumer<?, ?>, PartitionHandover> handover) {
        this.handover = handover;
    }

    @Override
    public Consumer getConsumer(Properties kafkaProps) {
        return new KafkaConsumer<Object, Object>(kafkaProps) {
            @Override
            public void subscribe(Collection<String> topics, ConsumerRebalanceListener camels) {
                super.subscribe(topics, new Both(camels, handover.apply(this)));
            }
        };
    }

    private record Both(ConsumerRebalanceListener first, ConsumerRebalanceListener then) implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            first.onPartitionsRevoked(partitions);
            then.onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            first.onPartitionsAssigned(partitions);
            then.onPartitionsAssigned(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            first.onPartitionsLost(partitions);
            then.onPartitionsLost(partitions);
        }
    }
}
