package bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import warehouse.KafkaPartition;
import warehouse.PartitionProgress;
import warehouse.duckdb.DuckDbWarehouse;

/** How many records a stage holds, as the benchmark's clocks read them. */
final class RecordCounts {

    private RecordCounts() {
    }

    /** Records in the topic: the sum of its partitions' end offsets (it is new, so they start at 0); 0 before it exists. */
    static long inTopic(Admin admin, String topic) throws Exception {
        Map<String, TopicDescription> described;
        try {
            described = admin.describeTopics(List.of(topic)).allTopicNames().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return 0; // created with the first change
            }
            throw e;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.get(topic).partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }

    /** Bytes the topic's partitions take in the brokers' logs (record batches with their headers); 0 before it exists. */
    static long topicBytes(Admin admin, String topic) throws Exception {
        List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
        long bytes = 0;
        for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
            for (LogDirDescription dir : dirs.values()) {
                bytes += dir.replicaInfos().entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                        .mapToLong(e -> e.getValue().size()).sum();
            }
        }
        return bytes;
    }

    /** {@link #loaded} per partition of a topic of {@code partitions}. */
    static PartitionCounts loadedByPartition(DuckDbWarehouse warehouse, String topic, int partitions) {
        long[] loaded = new long[partitions];
        warehouse.progress().forEach((partition, progress) -> {
            if (partition.topic().equals(topic)) {
                loaded[partition.partition()] = progress.nextOffset();
            }
        });
        return PartitionCounts.of(loaded);
    }

    /** Records of the topic the warehouse has loaded, tombstones included: its stored next offsets. */
    static long loaded(DuckDbWarehouse warehouse, String topic) {
        long loaded = 0;
        for (Map.Entry<KafkaPartition, PartitionProgress> p : warehouse.progress().entrySet()) {
            if (p.getKey().topic().equals(topic)) {
                loaded += p.getValue().nextOffset();
            }
        }
        return loaded;
    }
}
