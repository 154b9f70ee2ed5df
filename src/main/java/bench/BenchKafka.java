package bench;

import app.BackgroundPipeline;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import settings.PipelineSettings;

/**
 * The bench's own Kafka clients, named so that their CPU counts as the bench's, not the pipeline's: what its clocks and
 * results read of a topic. The clocks read a topic's records every 20 ms from the broker they measure, so a reading is
 * one ListOffsets request, on a consumer in no group, with the partitions and their leaders already known; Admin's
 * describeTopics and listOffsets took four requests a reading (DescribeCluster, DescribeTopicPartitions, Metadata,
 * ListOffsets), a fifth of the embedded broker's request handling in a bench run.
 */
final class BenchKafka implements AutoCloseable {

    private final Admin admin;
    private final Consumer<byte[], byte[]> consumer;
    /** Each topic's partitions, once it has them: the bench's topics keep theirs. */
    private final Map<String, List<TopicPartition>> partitions = new HashMap<>();

    BenchKafka(Map<String, Object> clientProperties) {
        Map<String, Object> admin = new HashMap<>(clientProperties);
        admin.put(AdminClientConfig.CLIENT_ID_CONFIG, ThreadCpu.BENCH_CLIENT_ID);
        Map<String, Object> consumer = new HashMap<>(clientProperties);
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, ThreadCpu.BENCH_CLIENT_ID);
        // Asking for a topic the capture has not made yet must not make it, with the broker's default partitions.
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.admin = Admin.create(admin);
        this.consumer = new KafkaConsumer<>(consumer);
    }

    /** Clients of the pipeline's Kafka, as the pipeline resolved it. */
    static BenchKafka of(BackgroundPipeline pipeline) {
        return new BenchKafka(pipeline.bean("settings", PipelineSettings.class).kafka()
                .clientProperties(pipeline.property("flightcdc.kafka.bootstrap-servers")));
    }

    /**
     * Records in the topic: the sum of its partitions' end offsets (it is new, so they start at 0); 0 before it exists.
     * Synchronized: a consumer takes one thread at a time.
     */
    synchronized long records(String topic) {
        List<TopicPartition> known = partitions.get(topic);
        if (known == null) {
            List<PartitionInfo> found = consumer.partitionsFor(topic);
            if (found == null || found.isEmpty()) {
                return 0; // created with the first change
            }
            known = found.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            partitions.put(topic, known);
        }
        return consumer.endOffsets(known).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Bytes the topic's partitions take in the brokers' logs (record batches with their headers); 0 before it exists. */
    long bytes(String topic) throws Exception {
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

    @Override
    public void close() {
        consumer.close();
        admin.close();
    }
}
