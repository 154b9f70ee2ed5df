package load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import e2e.FreePorts;
import embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import settings.StartupException;
import warehouse.KafkaPartition;
import warehouse.PartitionProgress;

/** On a real broker: the loader's group is moved to the warehouse's offsets before the load starts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsumerGroupPositionsTest {

    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    private EmbeddedKafkaBroker broker;
    private Admin admin;

    @BeforeAll
    void startBroker() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "kafka")), "positions-");
        broker = EmbeddedKafkaBroker.start(dir, FreePorts.pair());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        produce(TOPIC, 10);
    }

    private void produce(String topic, int records) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
        }
    }

    @AfterAll
    void stopBroker() {
        admin.close();
        broker.close();
    }

    @Test
    void aGroupAheadOfTheWarehouseIsMovedBackToIt() throws Exception {
        commit("ahead", 10);

        ConsumerGroupPositions.alignWith(admin, "ahead", Set.of(TOPIC), loadedUpTo(4));

        assertThat(committed("ahead")).isEqualTo(4L);
    }

    @Test
    void aGroupThatCommittedWhatTheWarehouseNeverLoadedRereadsFromTheStart() throws Exception {
        commit("fresh-warehouse", 7);

        ConsumerGroupPositions.alignWith(admin, "fresh-warehouse", Set.of(TOPIC), Map.of());

        assertThat(committed("fresh-warehouse")).isNull();
    }

    @Test
    void aGroupInStepWithTheWarehouseIsLeftAlone() throws Exception {
        commit("in-step", 6);

        ConsumerGroupPositions.alignWith(admin, "in-step", Set.of(TOPIC), loadedUpTo(6));

        assertThat(committed("in-step")).isEqualTo(6L);
    }

    @Test
    void aWarehouseThatLoadedPastTheEndOfThePartitionStopsTheStartWithTheFix() {
        assertThatThrownBy(() -> ConsumerGroupPositions.alignWith(admin, "recreated", Set.of(TOPIC), loadedUpTo(12)))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("up to offset 12")
                .hasMessageContaining("ends at 10")
                .hasMessageContaining("fresh snapshot of the source");
    }

    @Test
    void aWarehouseLoadedFromATopicThatIsGoneStopsTheStartWithTheFix() {
        String gone = "flightcdc.public.gone";
        Map<KafkaPartition, PartitionProgress> loaded = Map.of(new KafkaPartition(gone, 0), new PartitionProgress(5, null, null));

        assertThatThrownBy(() -> ConsumerGroupPositions.alignWith(admin, "gone", Set.of(gone), loaded))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("Kafka has no topic " + gone)
                .hasMessageContaining("fresh snapshot of the source");
    }

    @Test
    void changesRetentionDeletedBeforeTheWarehouseLoadedThemStopTheStartWithTheFix() throws Exception {
        String expired = "flightcdc.public.expired";
        TopicPartition tp = new TopicPartition(expired, 0);
        admin.createTopics(List.of(new NewTopic(expired, 1, (short) 1))).all().get();
        produce(expired, 10);
        // What retention does to old segments: the partition now starts at offset 8.
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(8))).all().get();
        Map<KafkaPartition, PartitionProgress> loaded = Map.of(new KafkaPartition(expired, 0), new PartitionProgress(5, null, null));

        assertThatThrownBy(() -> ConsumerGroupPositions.alignWith(admin, "expired", Set.of(expired), loaded))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("now starts at 8")
                .hasMessageContaining("offsets 5 to 7 were deleted");
    }

    @Test
    void aNewWarehouseBesideATopicRetentionCutShortStopsTheStartWithTheFix() throws Exception {
        String cut = "flightcdc.public.cut";
        TopicPartition tp = new TopicPartition(cut, 0);
        admin.createTopics(List.of(new NewTopic(cut, 1, (short) 1))).all().get();
        produce(cut, 10);
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(3))).all().get();

        assertThatThrownBy(() -> ConsumerGroupPositions.alignWith(admin, "cut", Set.of(cut), Map.of()))
                .isInstanceOf(StartupException.class)
                .hasMessage("The warehouse has loaded nothing of " + cut + "-0, but Kafka's partition starts at offset 3:"
                        + " the changes before it were deleted (retention), and a warehouse loaded from what is left would"
                        + " miss them. Nothing was loaded. Rebuild the warehouse from a fresh snapshot of the source, as"
                        + " docs/operations.md, \"When it stops\", describes; the source is left as it is.");
    }

    @Test
    void aGroupAheadOfTheWarehouseThatHasMembersStopsTheStartWithTheFix() throws Exception {
        commit("busy-ahead", 10);
        try (KafkaConsumer<String, String> member = member("busy-ahead")) {
            assertThatThrownBy(() -> ConsumerGroupPositions.alignWith(admin, "busy-ahead", Set.of(TOPIC), loadedUpTo(4)))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("committed past what the warehouse loaded on " + TP)
                    .hasMessageContaining("Stop any other loader of this group");
        }
    }

    @Test
    void aGroupBehindTheWarehouseThatHasMembersIsLeftToSkipWhatWasLoaded() throws Exception {
        commit("busy-behind", 2);
        try (KafkaConsumer<String, String> member = member("busy-behind")) {
            ConsumerGroupPositions.alignWith(admin, "busy-behind", Set.of(TOPIC), loadedUpTo(6));
        }

        assertThat(committed("busy-behind")).isEqualTo(2L);
    }

    /**
     * Another loader of the group commits its offsets only after the warehouse stored them. Read in that order, the
     * group is never seen ahead of the warehouse while it loads; read the other way round, one load between the two
     * reads would have refused the start.
     */
    @Test
    void theGroupsOffsetsAreReadBeforeTheWarehousesProgress() throws Exception {
        List<String> reads = new ArrayList<>();
        try (Admin recording = new ForwardingAdmin(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers())) {
            @Override
            public ListConsumerGroupOffsetsResult listConsumerGroupOffsets(Map<String, ListConsumerGroupOffsetsSpec> specs,
                                                                          ListConsumerGroupOffsetsOptions options) {
                reads.add("group");
                return super.listConsumerGroupOffsets(specs, options);
            }
        }) {
            ConsumerGroupPositions.alignWith(recording, "in-order", Set.of(TOPIC), () -> {
                reads.add("warehouse");
                return loadedUpTo(4);
            });
        }

        assertThat(reads).containsExactly("group", "warehouse");
    }

    @Test
    void aWarehouseOfOneLoaderWaitsForTheGroupToBeEmptyAndRefusesALoaderStillThere() throws Exception {
        ConsumerGroupPositions.awaitNoOtherLoader(admin, "nobody-yet", Duration.ofSeconds(1), "the fix");

        try (KafkaConsumer<String, String> member = member("one-loader")) {
            assertThatThrownBy(() -> ConsumerGroupPositions.awaitNoOtherLoader(admin, "one-loader", Duration.ofSeconds(1),
                    "Fix: stop it."))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("Consumer group one-loader has loaders already (consumer-one-loader-")
                    .hasMessageContaining("another process loads this warehouse. Fix: stop it.");
        }
        // Closed, it has left the group: a loader that crashed instead is waited for until its session expires.
        ConsumerGroupPositions.awaitNoOtherLoader(admin, "one-loader", Duration.ofSeconds(15), "the fix");
    }

    /** A live member of {@code group}, as a loader that crashed moments ago still is. */
    private KafkaConsumer<String, String> member(String group) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
        consumer.subscribe(List.of(TOPIC));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(100));
            return !consumer.assignment().isEmpty();
        });
        return consumer;
    }

    private static Map<KafkaPartition, PartitionProgress> loadedUpTo(long next) {
        return Map.of(new KafkaPartition(TOPIC, 0), new PartitionProgress(next, null, null));
    }

    private void commit(String group, long offset) throws Exception {
        admin.alterConsumerGroupOffsets(group, Map.of(TP, new OffsetAndMetadata(offset))).all().get();
    }

    private Long committed(String group) throws Exception {
        OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(TP);
        return offset == null ? null : offset.offset();
    }
}
