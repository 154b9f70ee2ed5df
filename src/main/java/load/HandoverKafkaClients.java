package load;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.function.Function;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The load route's Kafka consumers, each told when the group moves partitions ({@link PartitionHandover}).
 * camel-kafka subscribes its consumers with a rebalance listener of its own and takes none from the route; this
 * factory's consumers add theirs to it, after it, so that their seeks are the last word.
 *
 * <p>Each record a consumer returns carries, in header {@value #HANDOVER_HEADER}, how many times Kafka had moved the
 * consumer's partitions when it was read: camel-kafka's batching gathers a batch over several polls, and keeps what it
 * gathered when partitions move in between, so that a batch may hold records read before a handover
 * ({@link ReadSinceHandover} leaves those out).
 *
 * <p>The last record of each poll carries, in header {@value #POLL_HEADER}, the poll's number among those that returned
 * records: a batch that ends with the last poll's last record holds the last of what the consumer has read
 * ({@link Undelivered}).
 */
public final class HandoverKafkaClients extends DefaultKafkaClientFactory {

    /** The header holding a record's handover count, eight bytes. */
    static final String HANDOVER_HEADER = "flightcdc.handovers";
    /** The header of a poll's last record, holding the poll's number, eight bytes. */
    static final String POLL_HEADER = "flightcdc.poll";

    private final Function<Consumer<?, ?>, ? extends ConsumerRebalanceListener> handover;

    /**
     * @param handover the handover of one consumer (a PartitionHandover), made as it subscribes (the route is built
     *     before its beans are)
     */
    public HandoverKafkaClients(Function<Consumer<?, ?>, ? extends ConsumerRebalanceListener> handover) {
        this.handover = handover;
    }

    @Override
    public Consumer getConsumer(Properties kafkaProps) {
        return new HandedOverConsumer(kafkaProps, handover);
    }

    /** A consumer that counts the times Kafka moved its partitions, and stamps each record it reads with the count. */
    static final class HandedOverConsumer extends KafkaConsumer<Object, Object> {

        private final Function<Consumer<?, ?>, ? extends ConsumerRebalanceListener> handover;
        /** Moved on the consumer's thread, inside its poll; read there too, when its batches are loaded. */
        private volatile long handovers;
        /** The polls that returned records; moved and read on the consumer's thread. */
        private long polls;

        HandedOverConsumer(Properties properties, Function<Consumer<?, ?>, ? extends ConsumerRebalanceListener> handover) {
            super(properties);
            this.handover = handover;
        }

        @Override
        public void subscribe(Collection<String> topics, ConsumerRebalanceListener camels) {
            super.subscribe(topics, new Listeners(camels, handover.apply(this), () -> handovers++));
        }

        @Override
        public ConsumerRecords<Object, Object> poll(Duration timeout) {
            ConsumerRecords<Object, Object> records = super.poll(timeout);
            byte[] stamp = ByteBuffer.allocate(Long.BYTES).putLong(handovers).array();
            ConsumerRecord<Object, Object> last = null;
            for (ConsumerRecord<Object, Object> record : records) {
                record.headers().add(HANDOVER_HEADER, stamp);
                last = record;
            }
            if (last != null) {
                last.headers().add(POLL_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(++polls).array());
            }
            return records;
        }

        /** Whether a record stamped {@code stamp} is the last one this consumer has read. */
        boolean lastRead(byte[] stamp) {
            return stamp != null && stamp.length == Long.BYTES && ByteBuffer.wrap(stamp).getLong() == polls;
        }

        /**
         * Whether Kafka may hold records of a partition number this consumer reads, in any topic, beyond what it has
         * read: as far as the last fetch of it told, or not known yet (not fetched since the consumer was given it).
         */
        boolean mayHoldMore(int partition) {
            for (TopicPartition tp : assignment()) {
                if (tp.partition() == partition) {
                    OptionalLong lag = currentLag(tp);
                    if (lag.isEmpty() || lag.getAsLong() > 0) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Whether a record stamped {@code stamp} was read since Kafka last moved this consumer's partitions. */
        boolean readSinceHandover(byte[] stamp) {
            return stamp != null && stamp.length == Long.BYTES && ByteBuffer.wrap(stamp).getLong() == handovers;
        }
    }

    /** camel-kafka's listener, then the handover's, then the count: each partition moved counts before a record is read. */
    private record Listeners(ConsumerRebalanceListener camels, ConsumerRebalanceListener handover, Runnable moved)
            implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            camels.onPartitionsRevoked(partitions);
            handover.onPartitionsRevoked(partitions);
            moved.run();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            camels.onPartitionsAssigned(partitions);
            handover.onPartitionsAssigned(partitions);
            moved.run();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            camels.onPartitionsLost(partitions);
            handover.onPartitionsLost(partitions);
            moved.run();
        }
    }
}
