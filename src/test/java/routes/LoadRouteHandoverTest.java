package routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.PipelineHalt;
import e2e.FreePorts;
import embedded.EmbeddedKafkaBroker;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import load.LoadProgress;
import load.TransactionBoundaries;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaClientFactory;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import settings.PipelineSettings;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.KafkaPartition;
import warehouse.PartitionProgress;
import warehouse.QueryRows;
import warehouse.SchemaEvolution;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * The load route on a real broker and a DuckDB warehouse, with Kafka moving the loader's partitions while camel-kafka
 * gathers a batch over several polls. camel-kafka keeps what it gathered across the handover and hands it to the route
 * afterwards: a transaction's last change and its end, read before the handover, would reach a load that forgot the
 * transaction's first changes at the handover, be taken for the whole transaction, and move the warehouse's offsets past
 * the first changes for good.
 *
 * <p>The batches are cut by their count alone ({@link #BATCH}): the first holds the transaction's BEGIN and first changes,
 * and the rest of the transaction is one record short of a second batch when its last record is read. That read asks the
 * group to rebalance; the consumer's next poll goes through the handover, which sends it back to the start of the
 * partitions (the warehouse holds nothing of the transaction yet), and what it reads again fills the second batch up:
 * records read before the handover and after it, in one batch.
 */
class LoadRouteHandoverTest {

    private static final String CHANGES = "flightcdc.public.flight_state";
    private static final String TRANSACTIONS = "flightcdc.transaction";
    private static final TableSchema FLIGHT_STATE = new TableSchema(new TableId("public", "flight_state"),
            List.of(new Column("icao24", ColumnType.TEXT, false)), List.of("icao24"));
    /**
     * flightcdc.load.max-batch: camel-kafka hands the route a batch as soon as it has gathered this many records, so
     * that what each batch holds does not depend on how Kafka's polls split the records.
     */
    private static final int BATCH = 9;
    /**
     * flightcdc.load.max-wait-ms: camel-kafka also hands over what it has gathered once this long has passed since its
     * last batch, or after a poll this long that read nothing. Should that cut the second batch short, it does so after
     * the handover (the rest of the transaction is read in one poll, which asks for the rebalance), and the batch still
     * holds what was read before it. Stopping the route waits for a poll this long.
     */
    private static final int BATCH_WAIT_MS = 1000;
    /** The changes of the one source transaction: with its BEGIN and END, a batch and a half. */
    private static final int TRANSACTION_CHANGES = 12;
    private static final int FIRST_PART = BATCH - 1;
    private static final long TX_ID = 7;
    private static final long LAST_COMMIT_BEFORE = 100;
    /** load.HandoverKafkaClients' stamp: how many times Kafka had moved the consumer's partitions when it read a record. */
    private static final String HANDOVER_STAMP = "flightcdc.handovers";

    @Test
    void aBatchGatheredAcrossAPartitionHandoverLosesNoChange() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "kafka")), "load-handover-");
        HandoverWhileGathering handover = new HandoverWhileGathering();
        List<Batch> batches = new CopyOnWriteArrayList<>();
        AtomicInteger halts = new AtomicInteger();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), FreePorts.pair());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
             Producer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     // What is sent between two flushes leaves in one request, one record batch for each partition,
                     // so that one poll of the loader reads it all.
                     ProducerConfig.LINGER_MS_CONFIG, 60_000,
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
             DuckDbWarehouse warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"));
             LoadProgress progress = new LoadProgress(Duration.ofMinutes(1));
             DefaultCamelContext context = new DefaultCamelContext()) {
            admin.createTopics(List.of(new NewTopic(CHANGES, 1, (short) 1), new NewTopic(TRANSACTIONS, 1, (short) 1)))
                    .all().get();
            warehouse.prepare(List.of(FLIGHT_STATE));
            PipelineSettings settings = settings(context, broker);
            TransactionBoundaries boundaries = new TransactionBoundaries(true, 1000, settings.kafka()::topicFor,
                    warehouse::progress);
            StandaloneLoadRoute.addTo(context, LoadRoute.ROUTE_ID, settings, boundaries,
                    new SchemaEvolution(table -> FLIGHT_STATE, warehouse, List.of(FLIGHT_STATE)), warehouse, progress,
                    new PipelineHalt(halts::incrementAndGet));
            // Each batch as camel-kafka hands it to the route, before the route leaves anything out.
            AdviceWith.adviceWith(context, LoadRoute.ROUTE_ID, load -> load.weaveAddFirst()
                    .process(exchange -> batches.add(Batch.of(exchange, handover.asked()))));
            KafkaEndpoint kafka = context.getEndpoints().stream().filter(KafkaEndpoint.class::isInstance)
                    .map(KafkaEndpoint.class::cast).findFirst().orElseThrow();
            kafka.setKafkaClientFactory(handover.around(kafka.getKafkaClientFactory()));
            context.start();

            send(producer, IntStream.rangeClosed(1, FIRST_PART).mapToObj(LoadRouteHandoverTest::change).toList(), begin());
            // The first batch is in: the load holds its changes, waiting for the rest of their transaction.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(boundaries::heldChanges, held -> held == FIRST_PART);

            send(producer, IntStream.rangeClosed(FIRST_PART + 1, TRANSACTION_CHANGES).mapToObj(LoadRouteHandoverTest::change)
                    .toList(), end());
            // Whether the records read before the handover are left out or not, the warehouse's offsets end past the
            // transaction, and nothing more is loaded.
            await().atMost(Duration.ofSeconds(10)).until(() -> nextOffset(warehouse, CHANGES) == TRANSACTION_CHANGES
                    && nextOffset(warehouse, TRANSACTIONS) == 2);

            // The case under test did happen: were camel-kafka to hand over, or drop, what it gathered before a handover,
            // the test would pass with or without the records read before it left out. The BEGIN is read before the
            // handover only. The rebalance is asked for once the last change and the end have both been read: a batch
            // holding them that comes after the ask was handed over after the next poll, which went through the handover.
            long beforeHandover = batches.stream().flatMap(b -> b.stampOf(TRANSACTIONS, 0).stream()).findFirst().orElseThrow();
            assertThat(batches).as("a batch handed to the route after Kafka moved the partitions, holding the"
                    + " transaction's last change and its end as read before the handover").anySatisfy(batch -> {
                        assertThat(batch.afterRebalanceAsked()).isTrue();
                        assertThat(batch.stampOf(CHANGES, TRANSACTION_CHANGES - 1)).hasValue(beforeHandover);
                        assertThat(batch.stampOf(TRANSACTIONS, 1)).hasValue(beforeHandover);
                    });
            try (Connection reader = warehouse.newReader()) {
                assertThat(QueryRows.of(reader, "SELECT _kafka_offset FROM flight_state_history ORDER BY _kafka_offset"))
                        .as("the Kafka offset of each change of the transaction in the warehouse's history")
                        .containsExactlyElementsOf(IntStream.range(0, TRANSACTION_CHANGES).mapToObj(String::valueOf).toList());
                assertThat(QueryRows.of(reader, "SELECT count(*) FROM flight_state")).containsExactly(
                        String.valueOf(TRANSACTION_CHANGES));
            }
            assertThat(halts).hasValue(0);
        }
    }

    private static PipelineSettings settings(DefaultCamelContext context, EmbeddedKafkaBroker broker) {
        context.getPropertiesComponent().setLocation("classpath:application.properties");
        Map<String, String> overrides = Map.of(
                "flightcdc.kafka.bootstrap-servers", broker.bootstrapServers(),
                "flightcdc.load.topics", CHANGES + "," + TRANSACTIONS,
                "flightcdc.load.max-batch", String.valueOf(BATCH),
                "flightcdc.load.max-wait-ms", String.valueOf(BATCH_WAIT_MS));
        overrides.forEach(context.getPropertiesComponent()::addOverrideProperty);
        return PipelineSettings.from(context.getPropertiesComponent()::resolveProperty);
    }

    private static long nextOffset(DuckDbWarehouse warehouse, String topic) {
        PartitionProgress progress = warehouse.progress().get(new KafkaPartition(topic, 0));
        return progress == null ? -1 : progress.nextOffset();
    }

    /** Sends the records, then waits until the broker has them all. */
    private static void send(Producer<String, String> producer, List<ProducerRecord<String, String>> changes,
                             ProducerRecord<String, String> marker) {
        List<ProducerRecord<String, String>> records = new ArrayList<>(changes);
        records.add(marker);
        records.forEach(producer::send);
        producer.flush();
    }

    /** The transaction's change numbered {@code order} among its changes, as Debezium's PostgreSQL connector writes it. */
    private static ProducerRecord<String, String> change(int order) {
        String icao24 = String.format("a%05d", order);
        long lsn = LAST_COMMIT_BEFORE + order;
        return new ProducerRecord<>(CHANGES, "{\"icao24\":\"" + icao24 + "\"}", "{\"before\":null,\"after\":{\"icao24\":\""
                + icao24 + "\"},\"source\":{\"connector\":\"postgresql\",\"name\":\"flightcdc\",\"ts_ms\":1,\"snapshot\":"
                + "\"false\",\"schema\":\"public\",\"table\":\"flight_state\",\"txId\":" + TX_ID + ",\"lsn\":" + lsn
                + ",\"sequence\":\"[\\\"" + LAST_COMMIT_BEFORE + "\\\",\\\"" + lsn + "\\\"]\"},\"transaction\":{\"id\":\""
                + TX_ID + "\",\"total_order\":" + order + ",\"data_collection_order\":" + order + "},\"op\":\"c\",\"ts_ms\":2}");
    }

    private static ProducerRecord<String, String> begin() {
        return new ProducerRecord<>(TRANSACTIONS, "{\"id\":\"" + TX_ID + "\"}", "{\"status\":\"BEGIN\",\"id\":\"" + TX_ID
                + "\",\"event_count\":null,\"data_collections\":null,\"ts_ms\":1}");
    }

    private static ProducerRecord<String, String> end() {
        return new ProducerRecord<>(TRANSACTIONS, "{\"id\":\"" + TX_ID + "\"}", "{\"status\":\"END\",\"id\":\"" + TX_ID
                + "\",\"event_count\":" + TRANSACTION_CHANGES + ",\"data_collections\":[{\"data_collection\":"
                + "\"public.flight_state\",\"event_count\":" + TRANSACTION_CHANGES + "}],\"ts_ms\":1,\"last_commit_lsn\":"
                + LAST_COMMIT_BEFORE + "}");
    }

    /** A batch as the route received it: each record's topic, offset and handover stamp. */
    private record Batch(boolean afterRebalanceAsked, List<Read> reads) {

        static Batch of(Exchange exchange, boolean afterRebalanceAsked) {
            List<Read> reads = new ArrayList<>();
            for (Object record : exchange.getMessage().getBody(List.class)) {
                Message m = ((Exchange) record).getMessage();
                byte[] stamp = m.getHeader(HANDOVER_STAMP, byte[].class);
                reads.add(new Read(m.getHeader(KafkaConstants.TOPIC, String.class), m.getHeader(KafkaConstants.OFFSET, Long.class),
                        ByteBuffer.wrap(stamp).getLong()));
            }
            return new Batch(afterRebalanceAsked, reads);
        }

        Optional<Long> stampOf(String topic, long offset) {
            return reads.stream().filter(r -> r.topic().equals(topic) && r.offset() == offset).map(Read::stamp).findFirst();
        }
    }

    private record Read(String topic, long offset, long stamp) {
    }

    /**
     * Makes Kafka move the loader's partitions while camel-kafka gathers a batch: once the loader's consumer has read
     * the transaction's last change and its end, which camel-kafka keeps for a batch not yet full, the consumer asks its
     * group to rebalance, and goes through it in its next poll. The consumer stays the route's own (its client factory
     * makes it, with its partition handover): it only carries {@link Interceptor} besides.
     */
    static final class HandoverWhileGathering {

        private static final String CONFIG = "flightcdc.test.handover-while-gathering";

        /** The transaction's last change and its END, by partition and offset. */
        private final Set<String> awaited = new HashSet<>(Set.of(CHANGES + "/" + (TRANSACTION_CHANGES - 1), TRANSACTIONS + "/1"));
        private final AtomicBoolean asked = new AtomicBoolean();
        private volatile Consumer<?, ?> consumer;

        boolean asked() {
            return asked.get();
        }

        KafkaClientFactory around(KafkaClientFactory route) {
            return new KafkaClientFactory() {
                @Override
                public Producer getProducer(Properties properties) {
                    return route.getProducer(properties);
                }

                @Override
                public Consumer getConsumer(Properties properties) {
                    Properties withInterceptor = new Properties();
                    withInterceptor.putAll(properties);
                    withInterceptor.put(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, Interceptor.class.getName());
                    // Kafka gives an interceptor its consumer's configuration, not the consumer.
                    withInterceptor.put(CONFIG, HandoverWhileGathering.this);
                    Consumer<?, ?> made = route.getConsumer(withInterceptor);
                    consumer = made;
                    return made;
                }

                @Override
                public String getBrokers(KafkaConfiguration configuration) {
                    return route.getBrokers(configuration);
                }
            };
        }

        /** On the consumer's thread, inside its poll: the only place the consumer may be asked to rebalance from. */
        private void read(ConsumerRecords<?, ?> records) {
            for (ConsumerRecord<?, ?> record : records) {
                awaited.remove(record.topic() + "/" + record.offset());
            }
            if (awaited.isEmpty() && asked.compareAndSet(false, true)) {
                consumer.enforceRebalance();
            }
        }

        /** Created by Kafka from its class name, one for each consumer. */
        public static final class Interceptor implements ConsumerInterceptor<Object, Object> {

            private HandoverWhileGathering handover;

            @Override
            public void configure(Map<String, ?> configs) {
                handover = (HandoverWhileGathering) configs.get(CONFIG);
            }

            @Override
            public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
                handover.read(records);
                return records;
            }

            @Override
            public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
            }

            @Override
            public void close() {
            }
        }
    }
}
