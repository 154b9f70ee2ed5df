package routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.PipelineHalt;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import load.ChangeBatchDecoder;
import load.LoadProgress;
import monitor.LoadHealth;
import load.TransactionBoundaries;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeEvent.Operation;
import warehouse.DeadLetter;
import warehouse.KafkaPartition;
import warehouse.LoadRefusedException;
import warehouse.LoadResult;
import warehouse.PartitionProgress;
import warehouse.SchemaEvolution;
import warehouse.TableSchema;
import warehouse.Warehouse;

class LoadRouteTest extends RouteTestSupport {

    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final String TRANSACTION_TOPIC = "flightcdc.transaction";

    private final List<String> calls = new ArrayList<>();
    private final RecordingWarehouse warehouse = new RecordingWarehouse();
    private final LoadHealth health = new LoadHealth(Clock.systemUTC());
    private final LoadProgress progress = new LoadProgress(Duration.ofSeconds(5), result -> health.succeeded());
    private final AtomicInteger stops = new AtomicInteger();
    private final PipelineHalt halt = new PipelineHalt(stops::incrementAndGet);

    @Override
    protected Properties resolvedProperties() {
        return properties("flightcdc.kafka.bootstrap-servers", "127.0.0.1:9",
                "flightcdc.load.topics", TOPIC, "flightcdc.load.retry-delay-ms", "10");
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        super.configure(configuration);
        configuration.addRoutesBuilder(new LoadRoute());
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("changeBatchDecoder", new ChangeBatchDecoder(TRANSACTION_TOPIC));
        registry.bind("transactionBoundaries", new TransactionBoundaries(true, 1000, t -> TOPIC, warehouse::progress));
        registry.bind("warehouse", warehouse);
        registry.bind("schemaEvolution", new SchemaEvolution(table -> {
            throw new AssertionError("no table is known, so none is described");
        }, warehouse, List.of()));
        registry.bind("kafkaOffsets", new RecordingOffsets());
        registry.bind("loadProgress", progress);
        registry.bind(LoadRoute.LOAD_FAILED, (Processor) health::failed);
        registry.bind(PipelineHalt.BEAN, halt);
    }

    @org.junit.jupiter.api.AfterEach
    void stopProgress() {
        progress.close();
    }

    @BeforeEach
    void replaceKafka() throws Exception {
        AdviceWith.adviceWith(context, LoadRoute.ROUTE_ID, route -> route.replaceFromWith("direct:batch"));
        context.start();
    }

    /**
     * Kafka's poll hands over all it holds, and Camel cuts batches of max-batch: a poll that left a partition's records
     * behind would make the next fetch ask for the quiet transaction topic alone, which waits at the broker with the
     * change topic's backlog behind it (LoadRoute).
     */
    @Test
    void kafkasPollTakesAllItHoldsWhileABatchStaysAtMaxBatch() {
        KafkaEndpoint kafka = context.getEndpoints().stream().filter(KafkaEndpoint.class::isInstance)
                .map(KafkaEndpoint.class::cast).findFirst().orElseThrow();

        assertThat(kafka.getConfiguration().getMaxPollRecords()).isEqualTo(10_000);
        assertThat(kafka.getConfiguration().createConsumerProperties().getProperty("max.poll.records"))
                .isEqualTo(String.valueOf(Integer.MAX_VALUE));
    }

    @Test
    void loadsTheBatchThenCommitsItsOffsets() {
        List<Exchange> batch = List.of(
                record(10, "{\"before\":null,\"after\":{\"icao24\":\"aaaaaa\"},\"source\":{\"schema\":\"public\","
                        + "\"table\":\"flight_state\",\"lsn\":5,\"ts_ms\":1},\"op\":\"c\",\"ts_ms\":2}"),
                record(11, "{\"before\":{\"icao24\":\"aaaaaa\"},\"after\":null,\"source\":{\"schema\":\"public\","
                        + "\"table\":\"flight_state\",\"lsn\":6,\"ts_ms\":1},\"op\":\"d\",\"ts_ms\":2}"),
                record(12, null));

        Exchange result = template.send("direct:batch", e -> e.getMessage().setBody(batch));

        assertThat(result.getException()).isNull();
        assertThat(warehouse.loaded).extracting(ChangeEvent::offset, ChangeEvent::operation)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(10L, Operation.CREATE),
                        org.assertj.core.groups.Tuple.tuple(11L, Operation.DELETE));
        assertThat(calls).containsExactly("load 2", "commit " + TOPIC + "/0=13");
    }

    /**
     * Kafka's delivery ends in the middle of a transaction: nothing of it is loaded, and the offset committed stays
     * before it, until its end and its last change have come; then it is loaded whole, in one warehouse transaction.
     */
    @Test
    void aTransactionIsLoadedWholeOnceItsEndAndAllItsChangesHaveBeenRead() {
        template.send("direct:batch", e -> e.getMessage().setBody(List.of(
                record(10, streamed("aaaaaa", 100, 1)), record(11, streamed("bbbbbb", 100, 2)))));

        assertThat(warehouse.loaded).isEmpty();
        assertThat(calls).as("nothing committed before the records held back").containsExactly("load 0", "commit ");

        template.send("direct:batch", e -> e.getMessage().setBody(List.of(
                record(TRANSACTION_TOPIC, 0, "{\"status\":\"END\",\"id\":\"7\",\"event_count\":3,\"data_collections\":"
                        + "[{\"data_collection\":\"public.flight_state\",\"event_count\":3}],\"last_commit_lsn\":100}"))));
        assertThat(warehouse.loaded).isEmpty();

        template.send("direct:batch", e -> e.getMessage().setBody(List.of(
                record(12, streamed("cccccc", 100, 3)), record(13, streamed("dddddd", 200, 1)))));

        assertThat(warehouse.loaded).extracting(ChangeEvent::offset).containsExactly(10L, 11L, 12L);
        assertThat(calls).containsExactly("load 0", "commit ", "load 0", "commit ",
                "load 3", "commit " + TOPIC + "/0=13, " + TRANSACTION_TOPIC + "/0=1");
    }

    private static String streamed(String icao24, long lastCommitLsn, long order) {
        return "{\"before\":null,\"after\":{\"icao24\":\"" + icao24 + "\"},\"source\":{\"schema\":\"public\","
                + "\"table\":\"flight_state\",\"lsn\":" + (lastCommitLsn + order) + ",\"txId\":7,\"sequence\":\"[\\\""
                + lastCommitLsn + "\\\",\\\"" + (lastCommitLsn + order) + "\\\"]\",\"ts_ms\":1},\"transaction\":{\"id\":\"7\","
                + "\"total_order\":" + order + ",\"data_collection_order\":" + order + "},\"op\":\"c\",\"ts_ms\":2}";
    }

    @Test
    void aBatchTheWarehouseRefusesIsRetriedAndNeverCommitted() {
        warehouse.failuresLeft = 100;

        Exchange result = template.send("direct:batch", e -> e.getMessage().setBody(List.of(
                record(10, "{\"after\":{\"icao24\":\"aaaaaa\"},\"source\":{\"schema\":\"public\",\"table\":\"flight_state\"},\"op\":\"c\"}"))));

        assertThat(result.getException()).isNotNull();
        assertThat(calls).containsExactly("load failed", "load failed", "load failed", "load failed", "load failed", "load failed");
        assertThat(health.problem()).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("the last load into the warehouse failed").endsWith("warehouse unavailable"));

        warehouse.failuresLeft = 0;
        template.send("direct:batch", e -> e.getMessage().setBody(List.of(
                record(11, "{\"after\":{\"icao24\":\"bbbbbb\"},\"source\":{\"schema\":\"public\",\"table\":\"flight_state\"},\"op\":\"c\"}"))));
        assertThat(health.problem()).isEmpty();
    }

    /** Camel wraps an Error a bean throws in an exception of its own, whose message names only the exchange. */
    @Test
    void anErrorOfALoadIsToldByItsOwnNameNotCamelsWrapper() {
        warehouse.error = new OutOfMemoryError("Java heap space");

        Exchange result = template.send("direct:batch", e -> e.getMessage().setBody(List.of(
                record(10, "{\"after\":{\"icao24\":\"aaaaaa\"},\"source\":{\"schema\":\"public\",\"table\":\"flight_state\"},\"op\":\"c\"}"))));

        assertThat(result.getException()).isNotNull();
        assertThat(health.problem()).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("the last load into the warehouse failed").endsWith("OutOfMemoryError: Java heap space"));
    }

    @Test
    void aBatchTheLoaderRefusesForGoodHaltsThePipelineAtOnceAndIsNeverCommitted() {
        warehouse.refuse = true;

        Exchange result = template.send("direct:batch", e -> e.getMessage().setBody(List.of(
                record(10, "{\"after\":{\"icao24\":\"aaaaaa\"},\"source\":{\"schema\":\"public\",\"table\":\"flight_state\"},\"op\":\"c\"}"))));

        assertThat(result.getException()).isInstanceOf(LoadRefusedException.class);
        assertThat(calls).containsExactly("load refused");
        assertThat(halt.reason()).hasValue("the topic is not the one the warehouse was loaded from");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(stops.get()).isEqualTo(1));
    }

    @Test
    void aRecordThatIsNotAChangeEventGoesToTheWarehouseAsADeadLetterWithItsPosition() {
        Exchange result = template.send("direct:batch", e -> e.getMessage().setBody(List.of(record(42, "not json"))));

        assertThat(result.getException()).isNull();
        assertThat(warehouse.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.offset()).isEqualTo(42);
            assertThat(d.reason()).contains("not JSON");
            assertThat(d.event()).isEqualTo("not json");
        });
        assertThat(calls).containsExactly("load 0", "commit " + TOPIC + "/0=43");
    }

    private Exchange record(long offset, String value) {
        return record(TOPIC, offset, value);
    }

    private Exchange record(String topic, long offset, String value) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader(KafkaConstants.TOPIC, topic);
        e.getMessage().setHeader(KafkaConstants.PARTITION, 0);
        e.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        // As the route's deserializer gives it: the bytes Kafka holds.
        e.getMessage().setBody(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        return e;
    }

    private class RecordingWarehouse implements Warehouse {
        final List<ChangeEvent> loaded = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        int failuresLeft;
        boolean refuse;
        Error error;

        @Override
        public void prepare(List<TableSchema> tables) {
        }

        @Override
        public LoadResult load(ChangeBatch batch) {
            if (refuse) {
                calls.add("load refused");
                throw new LoadRefusedException("the topic is not the one the warehouse was loaded from");
            }
            if (error != null) {
                throw error;
            }
            if (failuresLeft-- > 0) {
                calls.add("load failed");
                throw new IllegalStateException("warehouse unavailable");
            }
            calls.add("load " + batch.changes().size());
            loaded.addAll(batch.changes());
            deadLetters.addAll(batch.unreadable());
            return new LoadResult(batch.size(), batch.changes(), 0, 0, List.of(), batch.unreadable(), 0, 0, 0, 1,
                    System.currentTimeMillis(), 1);
        }

        @Override
        public Map<KafkaPartition, PartitionProgress> progress() {
            return Map.of();
        }

        @Override
        public void close() {
        }
    }

    /** Stands in for load.KafkaOffsets, which needs a live Kafka consumer. */
    public class RecordingOffsets {
        public void commit(List<Exchange> records, ChangeBatch loaded) {
            calls.add("commit " + loaded.nextOffsets().entrySet().stream()
                    .map(o -> o.getKey() + "=" + o.getValue()).sorted().collect(java.util.stream.Collectors.joining(", ")));
        }
    }
}
