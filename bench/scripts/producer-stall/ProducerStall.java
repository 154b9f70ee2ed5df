package capture;

import embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * How much a Kafka producer configured as the capture's (lz4, 256 KiB batches, a 32 MiB buffer) takes, before
 * compression, from a sender when the broker stops answering: first with a fresh producer, then after 300,000 changes
 * have taught it their compression ratio. The broker is made to stop answering by a produce quota of 1 KiB/s (it delays
 * its answers). See capture/InFlightBudget. Arguments: the broker's log directory, its port.
 */
public final class ProducerStall {

    public static void main(String[] args) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Path.of(args[0]), Integer.parseInt(args[1]));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            for (int taught : new int[] {0, 300_000}) {
                // A topic each: the producer learns a ratio per topic, for the whole JVM.
                String topic = "stall" + taught + ".public.flight_state";
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
                throttle(admin, null);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                        ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                        ProducerConfig.LINGER_MS_CONFIG, 20,
                        ProducerConfig.BUFFER_MEMORY_CONFIG, 32L << 20,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000));
                try {
                    int n = 0;
                    for (; n < taught; n++) {
                        producer.send(record(topic, n));
                    }
                    producer.flush();
                    throttle(admin, 1024.0);
                    long bytes = 0;
                    int taken = 0;
                    while (true) {
                        ProducerRecord<byte[], byte[]> record = record(topic, n++);
                        long start = System.nanoTime();
                        try {
                            producer.send(record);
                        } catch (Exception e) {
                            break;
                        }
                        if (System.nanoTime() - start > 500_000_000L) {
                            break;
                        }
                        taken++;
                        bytes += record.key().length + record.value().length;
                    }
                    System.out.printf("after %,d changes: the 32 MiB buffer took %,d changes, %,d MiB before compression"
                            + " (%,d bytes each), before a send waited%n", taught, taken, bytes >> 20, bytes / taken);
                } finally {
                    // What it holds would take the throttled broker hours: dropped, not waited for.
                    producer.close(Duration.ZERO);
                }
            }
        }
    }

    /** Every producer may send {@code bytesPerSecond}, the broker delaying its answers to hold it to that; null: no limit. */
    private static void throttle(Admin admin, Double bytesPerSecond) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(
                new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.CLIENT_ID, null)),
                List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond))))).all().get();
        Thread.sleep(2_000);
    }

    /** A flight_state insert as the capture publishes it (see the tests' FlightStateInserts). */
    private static ProducerRecord<byte[], byte[]> record(String topic, int n) {
        return new ProducerRecord<>(topic, FlightStateInserts.key(n), FlightStateInserts.value(n));
    }
}
