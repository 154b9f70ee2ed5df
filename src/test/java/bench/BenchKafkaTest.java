package bench;

import static org.assertj.core.api.Assertions.assertThat;

import e2e.FreePorts;
import embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** On a real broker: the bench's clocks count a topic's records, and asking for a topic not made yet does not make it. */
class BenchKafkaTest {

    @Test
    void countsEveryPartitionsRecordsAndLeavesAMissingTopicMissing() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "kafka")), "bench-kafka-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, FreePorts.pair());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
             BenchKafka kafka = new BenchKafka(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            assertThat(kafka.records("changes")).isZero();
            assertThat(admin.listTopics().names().get()).doesNotContain("changes");

            admin.createTopics(List.of(new NewTopic("changes", 3, (short) 1))).all().get();
            send(broker, 0, 1, 2, 0, 1, 2, 0);
            assertThat(kafka.records("changes")).isEqualTo(7);
            assertThat(kafka.bytes("changes")).isPositive();

            send(broker, 2);
            assertThat(kafka.records("changes")).as("read again, with the partitions it knows").isEqualTo(8);
        }
    }

    /** One record to each of these partitions of "changes". */
    private static void send(EmbeddedKafkaBroker broker, int... partitions) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (int partition : partitions) {
                producer.send(new ProducerRecord<>("changes", partition, "k", "v"));
            }
        }
    }
}
