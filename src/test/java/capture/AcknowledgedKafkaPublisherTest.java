package capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import e2e.FreePorts;
import embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On a real broker that stops answering: what the capture has handed to Kafka and not had acknowledged stays within
 * its budget counted before compression, however well the changes compress, and once the broker answers again every
 * change arrives once.
 */
class AcknowledgedKafkaPublisherTest {

    private static final String TOPIC = "throttled.public.flight_state";
    private static final long BUDGET_BYTES = 1 << 20;
    private static final int CHANGES_TEACHING_THE_RATIO = 20_000;
    /** About 3 MiB as they are, about 0.5 MiB compressed: within Kafka's 1 MiB buffer, three times the budget. */
    private static final int CHANGES_WHILE_THROTTLED = 5_000;

    @Test
    @Timeout(180)
    void whatAwaitsKafkasAnswerIsBoundedBeforeCompressionAndArrivesOnceKafkaAnswers() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "kafka")), "publisher-");
        List<String> halts = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger acknowledged = new AtomicInteger();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, FreePorts.pair());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
             DefaultCamelContext camel = new DefaultCamelContext()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            camel.start();
            AcknowledgedKafkaPublisher publisher = new AcknowledgedKafkaPublisher(100_000, BUDGET_BYTES,
                    Duration.ofSeconds(60), Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    "kafka:" + TOPIC + "?brokers=" + broker.bootstrapServers()
                            + "&requestRequiredAcks=all&enableIdempotence=true&compressionCodec=lz4"
                            + "&keySerializer=org.apache.kafka.common.serialization.ByteArraySerializer"
                            + "&valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer"
                            // Small batches, so that the producer learns the changes' compression ratio in a few MiB.
                            + "&producerBatchSize=16384&lingerMs=5&bufferMemorySize=" + BUDGET_BYTES + "&maxBlockMs=60000",
                    halts::add, topic -> acknowledged.incrementAndGet(), new CaptureRestarts());
            publisher.setCamelContext(camel);
            publisher.start();
            try {
                for (int i = 0; i < CHANGES_TEACHING_THE_RATIO; i++) {
                    publisher.process(change(camel, i));
                }
                publisher.tracker().awaitAcknowledged(Duration.ofSeconds(60));

                throttleProducers(admin, 1024.0);
                AtomicInteger handedOver = new AtomicInteger();
                Thread capture = new Thread(() -> {
                    for (int i = CHANGES_TEACHING_THE_RATIO; i < CHANGES_TEACHING_THE_RATIO + CHANGES_WHILE_THROTTLED; i++) {
                        publisher.process(change(camel, i));
                        handedOver.incrementAndGet();
                    }
                }, "capture");
                capture.start();
                awaitStill(handedOver, capture);
                assertThat(capture.isAlive()).as("the capture waits for Kafka's answers").isTrue();
                // Each change held costs its bytes and a kibibyte for what the heap keeps with it (InFlightBudget).
                assertThat((long) publisher.tracker().inFlight() * (change(camel, 0).getMessage().getBody(byte[].class).length + 1024))
                        .as("changes awaiting Kafka's answer, before compression").isLessThanOrEqualTo(BUDGET_BYTES + 2048);

                throttleProducers(admin, null);
                capture.join(Duration.ofSeconds(120).toMillis());
                assertThat(capture.isAlive()).isFalse();
                publisher.tracker().awaitAcknowledged(Duration.ofSeconds(60));
            } finally {
                publisher.stop();
            }
            assertThat(publisher.tracker().failure()).isEmpty();
            assertThat(halts).isEmpty();
            int sent = CHANGES_TEACHING_THE_RATIO + CHANGES_WHILE_THROTTLED;
            assertThat(acknowledged.get()).isEqualTo(sent);
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            assertThat(admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get().offset())
                    .as("records in the topic: every change once").isEqualTo(sent);
        }
    }

    /** A flight_state insert as the capture hands it over: its topic, its key and its envelope. */
    private static Exchange change(DefaultCamelContext camel, int n) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(KafkaConstants.OVERRIDE_TOPIC, TOPIC);
        exchange.getMessage().setHeader(KafkaConstants.KEY, FlightStateInserts.key(n));
        exchange.getMessage().setBody(FlightStateInserts.value(n));
        return exchange;
    }

    /** Every producer may send {@code bytesPerSecond} (the broker delays its answers to hold them to it); null: no limit. */
    private static void throttleProducers(Admin admin, Double bytesPerSecond) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(
                new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.CLIENT_ID, null)),
                List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond))))).all().get();
    }

    /** Until {@code count} has not moved for two seconds, or {@code thread} has ended. */
    private static void awaitStill(AtomicInteger count, Thread thread) {
        int[] last = {-1};
        long[] since = {System.nanoTime()};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            int now = count.get();
            if (now != last[0]) {
                last[0] = now;
                since[0] = System.nanoTime();
            }
            return !thread.isAlive() || System.nanoTime() - since[0] > Duration.ofSeconds(2).toNanos();
        });
    }
}
