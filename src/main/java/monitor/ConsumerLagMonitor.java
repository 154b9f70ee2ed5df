package monitor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many changes in Kafka the warehouse loader has not committed yet: the sum over the captured
 * topics' partitions of end offset minus the loader group's committed offset. Past a threshold it
 * is reported, since the warehouse then lags the source by that much.
 */
public final class ConsumerLagMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagMonitor.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Admin admin;
    private final String group;
    private final List<String> topics;
    private final int warnAbove;
    private final Consumer<Map<TopicPartition, Long>> observer;
    private volatile OptionalLong lag = OptionalLong.empty();

    ConsumerLagMonitor(Admin admin, String group, List<String> topics, int warnAbove,
                       Consumer<Map<TopicPartition, Long>> observer) {
        this.admin = admin;
        this.group = group;
        this.topics = List.copyOf(topics);
        this.warnAbove = warnAbove;
        this.observer = observer;
    }

    /**
     * A monitor with its own Kafka admin client; it connects on the first check.
     *
     * @param kafkaClient the cluster and how to speak to it (PipelineSettings.Kafka#clientProperties)
     * @param observer told each measurement, per partition (the metrics)
     */
    public static ConsumerLagMonitor connect(Map<String, Object> kafkaClient, String group, List<String> topics, int warnAbove,
                                             Consumer<Map<TopicPartition, Long>> observer) {
        return new ConsumerLagMonitor(KafkaAdmin.create(kafkaClient, "flightcdc-monitor", TIMEOUT), group, topics, warnAbove,
                observer);
    }

    /** Measures the lag and logs it (a warning above the threshold). */
    public long check() throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, Long> byPartition = measure();
        observer.accept(byPartition);
        long measured = byPartition.values().stream().mapToLong(Long::longValue).sum();
        lag = OptionalLong.of(measured);
        if (measured > warnAbove) {
            LOG.warn("Warehouse loader (consumer group '{}') is {} changes behind Kafka (warning above {}): the"
                    + " warehouse lags the source. Check that the load route is running and the warehouse accepts"
                    + " its batches; a larger flightcdc.load.max-batch helps it catch up.", group, measured, warnAbove);
        } else {
            LOG.debug("Warehouse loader (consumer group '{}') is {} changes behind Kafka", group, measured);
        }
        return measured;
    }

    /** The lag at the last check, for metrics; empty before the first. */
    public OptionalLong consumerLag() {
        return lag;
    }

    private Map<TopicPartition, Long> measure() throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> existing = await(admin.listTopics().names());
        // A topic appears with the first change of its table: until then nothing is behind.
        List<String> present = topics.stream().filter(existing::contains).toList();
        if (present.isEmpty()) {
            return Map.of();
        }
        List<TopicPartition> partitions = await(admin.describeTopics(present).allTopicNames()).values().stream()
                .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                .toList();
        Map<TopicPartition, OffsetAndMetadata> committed =
                await(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest());
        // The loader starts a partition it never committed at its earliest offset.
        Map<TopicPartition, Long> start = offsets(
                partitions.stream().filter(tp -> committed.get(tp) == null).toList(), OffsetSpec.earliest());
        return partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> {
            OffsetAndMetadata done = committed.get(tp);
            return Math.max(0, end.get(tp) - (done == null ? start.get(tp) : done.offset()));
        }));
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        return await(admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> spec))).all())
                .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    private static <T> T await(KafkaFuture<T> future)
            throws ExecutionException, InterruptedException, TimeoutException {
        return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
