package load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.StartupException;
import warehouse.KafkaPartition;
import warehouse.PartitionProgress;

/**
 * Makes the loader's consumer group resume where the warehouse stopped. The warehouse, not Kafka,
 * records what was loaded: its offsets are written in the same transaction as the data, and the
 * group's committed offsets are only a copy made after each batch. They disagree after a crash
 * between the two commits (the group is behind: the load reads again and skips), or when the
 * warehouse was replaced or restored from a backup (the group is ahead: the load would miss every
 * change in between). Run before the load route starts; the group may have members already (other loaders of it),
 * and is then left as it is: a consumer given partitions reads them from the warehouse's offsets (PartitionHandover).
 */
public final class ConsumerGroupPositions {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroupPositions.class);
    private static final long TIMEOUT_SECONDS = 30;
    /** The way back that leaves the source as it is. */
    private static final String REBUILD = " Nothing was loaded. Rebuild the warehouse from a fresh snapshot of the"
            + " source, as docs/operations.md, \"When it stops\", describes; the source is left as it is.";

    private ConsumerGroupPositions() {
    }

    /** The partitions of those of {@code topics} that exist; a topic the capture has not created yet has none. */
    public static Set<KafkaPartition> existingPartitions(Admin admin, Set<String> topics) throws InterruptedException {
        try {
            Set<String> existing = new HashSet<>(admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            existing.retainAll(topics);
            Set<KafkaPartition> partitions = new HashSet<>();
            admin.describeTopics(existing).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach((topic, d) ->
                    d.partitions().forEach(p -> partitions.add(new KafkaPartition(topic, p.partition()))));
            return partitions;
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("Cannot list the partitions of " + topics + " in Kafka: " + e.getMessage(), e);
        }
    }

    /** Those of {@code topics} that exist and have had records written to them. */
    public static Set<String> topicsWithRecords(Admin admin, Set<String> topics) throws InterruptedException {
        Set<KafkaPartition> partitions = existingPartitions(admin, topics);
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(new TopicPartition(p.topic(), p.partition()), OffsetSpec.latest()));
            Set<String> withRecords = new HashSet<>();
            admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach((tp, end) -> {
                if (end.offset() > 0) {
                    withRecords.add(tp.topic());
                }
            });
            return withRecords;
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("Cannot read the end offsets of " + topics + " in Kafka: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until {@code group} has no member, for a warehouse that one loader process at a time may write (Snowpipe
     * Streaming). A crashed loader stays a member until its session expires (10 s); one still there after
     * {@code patience} is another loader, running.
     *
     * @param why what a second loader would do to this warehouse, and the way to run several
     */
    public static void awaitNoOtherLoader(Admin admin, String group, Duration patience, String why)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Collection<MemberDescription> members;
            try {
                members = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).members();
            } catch (ExecutionException | TimeoutException e) {
                throw new StartupException("Cannot describe consumer group " + group + " in Kafka: " + e.getMessage(), e);
            }
            if (members.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new StartupException("Consumer group " + group + " has loaders already (" + members.stream()
                        .map(m -> m.clientId() + " on " + m.host()).distinct().collect(Collectors.joining(", "))
                        + "), still after " + patience.toSeconds() + " s: another process loads this warehouse. " + why);
            }
            Thread.sleep(500);
        }
    }

    public static void alignWith(Admin admin, String group, Set<String> topics, Map<KafkaPartition, PartitionProgress> loaded)
            throws InterruptedException {
        alignWith(admin, group, topics, () -> loaded);
    }

    /**
     * As above, with the warehouse's progress read after the group's offsets: another loader of the group may be
     * loading, and commits its offsets only after the warehouse has them, so the group is never seen ahead of it.
     */
    public static void alignWith(Admin admin, String group, Set<String> topics,
                                 Callable<Map<KafkaPartition, PartitionProgress>> warehouseProgress)
            throws InterruptedException {
        try {
            Map<TopicPartition, Long> committed = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .forEach((tp, offset) -> {
                        if (topics.contains(tp.topic()) && offset != null) {
                            committed.put(tp, offset.offset());
                        }
                    });
            Map<KafkaPartition, PartitionProgress> loaded = read(warehouseProgress);
            Map<TopicPartition, Long> warehouse = new HashMap<>();
            loaded.forEach((p, progress) -> {
                if (topics.contains(p.topic())) {
                    warehouse.put(new TopicPartition(p.topic(), p.partition()), progress.nextOffset());
                }
            });
            refuseOffsetsKafkaDoesNotHave(admin, warehouse);
            refuseUnloadedPartitionsCutShort(admin, topics, warehouse);

            Map<TopicPartition, OffsetAndMetadata> moves = new HashMap<>();
            List<String> described = new ArrayList<>();
            List<String> ahead = new ArrayList<>();
            warehouse.forEach((tp, next) -> {
                Long kafka = committed.get(tp);
                if (kafka == null || kafka.longValue() != next) {
                    moves.put(tp, new OffsetAndMetadata(next));
                    described.add(tp + " at " + next + " (the group had " + (kafka == null ? "none" : kafka) + ")");
                    if (kafka != null && kafka > next) {
                        ahead.add(tp + " (group at " + kafka + ", warehouse at " + next + ")");
                    }
                }
            });
            // Partitions the warehouse never loaded are read from their start.
            Set<TopicPartition> fromStart = new HashSet<>(committed.keySet());
            fromStart.removeAll(warehouse.keySet());
            fromStart.forEach(tp -> {
                described.add(tp + " from its start (the group had " + committed.get(tp) + ")");
                ahead.add(tp + " (group at " + committed.get(tp) + ", warehouse never loaded it)");
            });
            if (moves.isEmpty() && fromStart.isEmpty()) {
                return;
            }
            try {
                if (!moves.isEmpty()) {
                    admin.alterConsumerGroupOffsets(group, moves).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
                if (!fromStart.isEmpty()) {
                    admin.deleteConsumerGroupOffsets(group, fromStart).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
            } catch (ExecutionException e) {
                // Kafka moves a group's offsets only while it has no members: another loader runs, or the
                // session of one that crashed has not expired yet.
                if (!ahead.isEmpty()) {
                    throw new StartupException("Consumer group " + group + " has committed past what the warehouse"
                            + " loaded on " + String.join(", ", ahead) + ", and it cannot be moved back while it has"
                            + " members (" + e.getCause().getMessage() + "). Stop any other loader of this group, or"
                            + " wait 10 s for a crashed one's session to expire, then"
                            + " start again");
                }
                LOG.info("The loader resumes from consumer group {}'s own offsets, behind the warehouse's: what was"
                        + " loaded already is read again and skipped", group);
                return;
            }
            LOG.info("The loader resumes where the warehouse stopped: {}", String.join("; ", described));
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            LOG.warn("Could not compare consumer group {} with the warehouse's offsets ({}); it resumes from its own"
                    + " committed offsets, and changes loaded already are skipped", group, cause.toString());
        }
    }

    private static Map<KafkaPartition, PartitionProgress> read(Callable<Map<KafkaPartition, PartitionProgress>> progress) {
        try {
            return progress.call();
        } catch (Exception e) {
            throw new StartupException("Cannot read how far the warehouse has loaded each Kafka partition: " + e.getMessage(), e);
        }
    }

    /**
     * A partition the warehouse has loaded nothing of is read from its start. Where Kafka no longer holds its first
     * records (retention, or a warehouse new beside an old topic: a container started on a fresh disk while the
     * capture's position is kept in the source), loading from what is left would step over them.
     */
    private static void refuseUnloadedPartitionsCutShort(Admin admin, Set<String> topics, Map<TopicPartition, Long> warehouse)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        for (KafkaPartition p : existingPartitions(admin, topics)) {
            TopicPartition tp = new TopicPartition(p.topic(), p.partition());
            if (!warehouse.containsKey(tp)) {
                earliest.put(tp, OffsetSpec.earliest());
            }
        }
        if (earliest.isEmpty()) {
            return;
        }
        var starts = admin.listOffsets(earliest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start : starts.entrySet()) {
            if (start.getValue().offset() > 0) {
                throw new StartupException("The warehouse has loaded nothing of " + start.getKey() + ", but Kafka's"
                        + " partition starts at offset " + start.getValue().offset() + ": the changes before it were deleted"
                        + " (retention), and a warehouse loaded from what is left would miss them." + REBUILD);
            }
        }
    }

    /**
     * The warehouse's offsets must still mean what they meant when it loaded them. A partition whose topic is
     * gone, that ends before the warehouse's offset, or whose first record Kafka still holds is after it, was
     * deleted and created again, lost with the broker's data, or cut by retention: loading on would take new
     * changes for loaded ones, or step over changes never loaded.
     */
    private static void refuseOffsetsKafkaDoesNotHave(Admin admin, Map<TopicPartition, Long> warehouse)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (warehouse.isEmpty()) {
            return;
        }
        Set<String> topics = new HashSet<>(admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        for (TopicPartition tp : warehouse.keySet()) {
            if (!topics.contains(tp.topic())) {
                throw new StartupException("The warehouse has loaded " + tp + " up to offset " + warehouse.get(tp)
                        + " but Kafka has no topic " + tp.topic() + ": it was deleted, or the broker lost its data."
                        + REBUILD);
            }
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        warehouse.keySet().forEach(tp -> {
            latest.put(tp, OffsetSpec.latest());
            earliest.put(tp, OffsetSpec.earliest());
        });
        var ends = admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        var starts = admin.listOffsets(earliest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        for (Map.Entry<TopicPartition, Long> w : warehouse.entrySet()) {
            long end = ends.get(w.getKey()).offset();
            long start = starts.get(w.getKey()).offset();
            if (w.getValue() > end) {
                throw new StartupException("The warehouse has loaded " + w.getKey() + " up to offset " + w.getValue()
                        + " but Kafka's partition ends at " + end + ": the topic was created anew, and its changes"
                        + " would be taken as loaded." + REBUILD);
            }
            if (start > w.getValue()) {
                throw new StartupException("The warehouse has loaded " + w.getKey() + " up to offset " + w.getValue()
                        + " but Kafka's partition now starts at " + start + ": the changes at offsets " + w.getValue()
                        + " to " + (start - 1) + " were deleted (retention) before the warehouse loaded them."
                        + REBUILD);
            }
        }
    }
}
