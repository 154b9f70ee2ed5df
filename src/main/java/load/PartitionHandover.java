package load;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.KafkaPartition;
import warehouse.PartitionProgress;
import warehouse.Warehouse;

/**
 * What a loader's consumer does when Kafka moves partitions between the loaders of the consumer group (threads of one
 * process; several processes would too): one that loses partitions forgets what it held of them, and one given partitions
 * forgets them too, reads the warehouse's progress again and reads each partition from there. Another loader may have
 * loaded it since this one last did, and the warehouse's offsets, stored with the data, never pass a record held back
 * (see TransactionBoundaries), so nothing is skipped and nothing is loaded twice. A loader that goes on writing a
 * partition it lost is stopped by the warehouse (warehouse.ProgressMovedException).
 *
 * <p>Runs on the consumer's thread, inside its poll, while it loads nothing.
 */
public final class PartitionHandover implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger("load");
    private static final Comparator<TopicPartition> BY_NAME = Comparator.comparing(TopicPartition::toString);

    private final Consumer<?, ?> consumer;
    private final TransactionBoundaries boundaries;
    private final Warehouse warehouse;
    private final Set<String> changeTopics;
    private final java.util.function.Consumer<String> halt;

    /**
     * @param changeTopics the topics whose progress every warehouse stores with the data
     * @param halt stops the pipeline with the reason given (app.PipelineHalt)
     */
    public PartitionHandover(Consumer<?, ?> consumer, TransactionBoundaries boundaries, Warehouse warehouse,
                             Set<String> changeTopics, java.util.function.Consumer<String> halt) {
        this.consumer = consumer;
        this.boundaries = boundaries;
        this.warehouse = warehouse;
        this.changeTopics = changeTopics;
        this.halt = halt;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        boundaries.forget(numbers(partitions));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        boundaries.forget(numbers(partitions));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        boundaries.forget(numbers(partitions));
        Map<KafkaPartition, PartitionProgress> loaded;
        boolean warehouseRead = true;
        try {
            loaded = warehouse.progressReadAgain();
        } catch (Exception e) {
            // The group's offsets are never past the warehouse's: what is read again is skipped, and a load planned from
            // progress another loader moved on since is refused by the warehouse and planned again.
            LOG.warn("Given partitions {} but could not read the warehouse's progress ({}): they are read from the"
                    + " consumer group's offsets", numbers(partitions), e.toString());
            loaded = Map.of();
            warehouseRead = false;
        }
        List<TopicPartition> fromGroup = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            PartitionProgress progress = loaded.get(new KafkaPartition(tp.topic(), tp.partition()));
            if (progress != null) {
                consumer.seek(tp, progress.nextOffset());
            } else {
                fromGroup.add(tp);
            }
        }
        // The warehouse stores no progress for a partition it loaded nothing of: it is read from its start. Snowpipe
        // Streaming stores none for the transaction topic either, whose partitions are read from the group's offset. A
        // change topic's partition the group has committed, but this warehouse holds nothing of, is refused.
        if (!fromGroup.isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(fromGroup));
            List<TopicPartition> fromStart = new ArrayList<>();
            Map<TopicPartition, Long> loadedElsewhere = new TreeMap<>(BY_NAME);
            for (TopicPartition tp : fromGroup) {
                OffsetAndMetadata offset = committed.get(tp);
                if (offset == null) {
                    fromStart.add(tp);
                } else if (warehouseRead && changeTopics.contains(tp.topic()) && offset.offset() > 0) {
                    loadedElsewhere.put(tp, offset.offset());
                } else {
                    consumer.seek(tp, offset.offset());
                }
            }
            if (!fromStart.isEmpty()) {
                consumer.seekToBeginning(fromStart);
            }
            if (!loadedElsewhere.isEmpty()) {
                refuse(partitions, loadedElsewhere);
                return;
            }
        }
        LOG.info("Given partitions {} of {} topics: each is read from where the warehouse loaded it up to",
                numbers(partitions), partitions.stream().map(TopicPartition::topic).distinct().count());
    }

    /**
     * A loader commits a partition's offset only after the warehouse stored it with the data, so a group that has loaded
     * part of a partition of which this warehouse holds nothing loaded it into another warehouse. From the group's
     * offset, this one would miss everything before it; from the start, it would hold only the stretches its loaders
     * happened to be given. Nothing given is read: the partitions stay paused until the pipeline has stopped.
     */
    private void refuse(Collection<TopicPartition> given, Map<TopicPartition, Long> loadedElsewhere) {
        consumer.pause(given);
        halt.accept("The consumer group has loaded " + loadedElsewhere.entrySet().stream()
                .map(e -> e.getKey() + " up to offset " + e.getValue()).collect(Collectors.joining(", "))
                + ", but the warehouse holds nothing of " + (loadedElsewhere.size() == 1 ? "it" : "them") + ": another"
                + " loader of the group loads another warehouse, or this warehouse was replaced while the group's loaders"
                + " ran. Nothing of them was loaded here. Fix: give each warehouse a consumer group of its own"
                + " (flightcdc.kafka.consumer-group); for a warehouse replaced on purpose, stop every loader of the group,"
                + " then start again: the start reads the group back to what the warehouse holds");
    }

    private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
        Set<Integer> numbers = new TreeSet<>();
        partitions.forEach(tp -> numbers.add(tp.partition()));
        return numbers;
    }
}
