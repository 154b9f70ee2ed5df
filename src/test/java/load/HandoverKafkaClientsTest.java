package load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import e2e.FreePorts;
import embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * On a real broker: a loader's consumer stamps each record with how many times Kafka had moved its partitions, so that
 * the records camel-kafka gathered into a batch before a handover are told from those read after it.
 */
class HandoverKafkaClientsTest {

    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final ConsumerRebalanceListener NOTHING = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }
    };

    @Test
    void recordsReadBeforeTheGroupMovedTheConsumersPartitionsAreToldFromThoseReadAfter() throws Exception {
        try (EmbeddedKafkaBroker broker = brokerWithTopic("handover-")) {
            produce(broker, 20);
            HandoverKafkaClients clients = new HandoverKafkaClients(consumer -> NOTHING);
            try (var first = (HandoverKafkaClients.HandedOverConsumer) clients.getConsumer(properties(broker))) {
                first.subscribe(List.of(TOPIC), NOTHING);
                List<ConsumerRecord<Object, Object>> before = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    first.poll(Duration.ofMillis(100)).forEach(before::add);
                    return before.size() == 20;
                });
                byte[] stamp = before.get(0).headers().lastHeader(HandoverKafkaClients.HANDOVER_HEADER).value();
                assertThat(before).allSatisfy(r -> assertThat(first.readSinceHandover(
                        r.headers().lastHeader(HandoverKafkaClients.HANDOVER_HEADER).value())).isTrue());

                try (var second = (HandoverKafkaClients.HandedOverConsumer) clients.getConsumer(properties(broker))) {
                    second.subscribe(List.of(TOPIC), NOTHING);
                    await().atMost(Duration.ofSeconds(60)).until(() -> {
                        first.poll(Duration.ofMillis(100));
                        second.poll(Duration.ofMillis(100));
                        return first.assignment().size() == 1 && second.assignment().size() == 1;
                    });
                    assertThat(first.readSinceHandover(stamp)).as("a record read before the second consumer joined").isFalse();

                    produce(broker, 20);
                    List<ConsumerRecord<Object, Object>> after = new ArrayList<>();
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        first.poll(Duration.ofMillis(100)).forEach(after::add);
                        return !after.isEmpty();
                    });
                    assertThat(after).allSatisfy(r -> assertThat(first.readSinceHandover(
                            r.headers().lastHeader(HandoverKafkaClients.HANDOVER_HEADER).value())).isTrue());
                }
            }
            try (var unstamped = new HandoverKafkaClients.HandedOverConsumer(properties(broker), c -> NOTHING)) {
                assertThat(unstamped.readSinceHandover(null)).as("a record without a stamp").isFalse();
            }
        }
    }

    /**
     * What load.Undelivered asks the consumer: whether a record is the last one it has read (camel-kafka hands a poll's
     * records over in batches of its own), and whether Kafka may hold more of a partition number than it has read.
     */
    @Test
    void theConsumerToldWhichRecordItReadLastAndWhetherKafkaHoldsMore() throws Exception {
        try (EmbeddedKafkaBroker broker = brokerWithTopic("undelivered-")) {
            produce(broker, 40);
            Properties fewAtATime = properties(broker);
            fewAtATime.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5);
            List<Boolean> whenGiven = new ArrayList<>();
            HandoverKafkaClients clients = new HandoverKafkaClients(consumer -> new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    whenGiven.add(((HandoverKafkaClients.HandedOverConsumer) consumer).mayHoldMore(0));
                }
            });
            try (var consumer = (HandoverKafkaClients.HandedOverConsumer) clients.getConsumer(fewAtATime)) {
                consumer.subscribe(List.of(TOPIC), NOTHING);
                List<List<ConsumerRecord<Object, Object>>> polls = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    List<ConsumerRecord<Object, Object>> records = new ArrayList<>();
                    consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                    if (!records.isEmpty()) {
                        polls.add(records);
                    }
                    return !polls.isEmpty();
                });
                assertThat(whenGiven).as("given, never fetched: not known, so maybe").containsExactly(true);
                List<ConsumerRecord<Object, Object>> firstPoll = polls.get(0);
                assertThat(firstPoll).hasSize(5);
                assertThat(firstPoll.subList(0, 4)).allSatisfy(r -> assertThat(r.headers().lastHeader(
                        HandoverKafkaClients.POLL_HEADER)).as("a record before the poll's last").isNull());
                byte[] firstEnd = firstPoll.get(4).headers().lastHeader(HandoverKafkaClients.POLL_HEADER).value();
                assertThat(consumer.lastRead(firstEnd)).isTrue();
                assertThat(consumer.mayHoldMore(firstPoll.get(4).partition())).as("35 records not read yet").isTrue();

                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    List<ConsumerRecord<Object, Object>> records = new ArrayList<>();
                    consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                    if (!records.isEmpty()) {
                        polls.add(records);
                    }
                    return polls.stream().mapToInt(List::size).sum() == 40;
                });
                assertThat(consumer.lastRead(firstEnd)).as("the first poll's last record, once the consumer read on").isFalse();
                List<ConsumerRecord<Object, Object>> lastPoll = polls.get(polls.size() - 1);
                assertThat(consumer.lastRead(lastPoll.get(lastPoll.size() - 1).headers()
                        .lastHeader(HandoverKafkaClients.POLL_HEADER).value())).isTrue();
                consumer.poll(Duration.ofMillis(200));
                assertThat(consumer.mayHoldMore(0) || consumer.mayHoldMore(1)).as("everything read").isFalse();
                assertThat(consumer.mayHoldMore(7)).as("a partition number the consumer does not read").isFalse();
                assertThat(consumer.lastRead(null)).isFalse();
            }
        }
    }

    /** A broker of its own, with the topic in two partitions. */
    private static EmbeddedKafkaBroker brokerWithTopic(String prefix) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "kafka")), prefix);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, FreePorts.pair());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
            return broker;
        } catch (Exception e) {
            broker.close();
            throw e;
        }
    }

    private static Properties properties(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "handover");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }

    private static void produce(EmbeddedKafkaBroker broker, int records) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i));
            }
        }
    }
}
