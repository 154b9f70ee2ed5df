package capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.DebeziumException;
import io.debezium.config.Configuration;
import io.debezium.connector.base.ChangeEventQueue;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresConnectorTask;
import io.debezium.connector.postgresql.PostgresStreamingChangeEventSource;
import io.debezium.connector.postgresql.TypeRegistry;
import io.debezium.connector.postgresql.connection.PostgresConnection;
import io.debezium.data.Envelope;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.DataChangeEvent;
import io.debezium.pipeline.meters.CommonEventMeter;
import io.debezium.pipeline.metrics.ChangeEventSourceMetricsMXBean;
import io.debezium.pipeline.metrics.DefaultStreamingChangeEventSourceMetrics;
import io.debezium.pipeline.metrics.PipelineMetrics;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.relational.TableId;
import io.debezium.spi.schema.DataCollectionId;
import io.debezium.util.Clock;
import io.debezium.util.DelayStrategy;
import io.debezium.util.LoggingContext;
import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class LeanPostgresConnectorTest {

    @Test
    void runsDebeziumsOwnPostgresTask() {
        assertThat(new LeanPostgresConnector().taskClass()).isEqualTo(LeanPostgresConnector.LeanTask.class);
        assertThat(PostgresConnectorTask.class).isAssignableFrom(LeanPostgresConnector.LeanTask.class);
    }

    /** CaptureRoute names it through camel-debezium's additional properties, which must win over its own connector class. */
    @Test
    void camelDebeziumHandsTheEngineThisConnectorWhenTheAdditionalPropertiesNameIt() {
        var configuration = new PostgresConnectorEmbeddedDebeziumConfiguration();
        configuration.setName("capture");
        configuration.setTopicPrefix("flightcdc");
        configuration.setOffsetStorageFileName("target/lean-connector-offsets.dat");
        configuration.setAdditionalProperties(Map.of("connector.class", LeanPostgresConnector.class.getName()));

        assertThat(configuration.createDebeziumConfiguration().getString("connector.class"))
                .isEqualTo(LeanPostgresConnector.class.getName());
    }

    @Test
    void anIdleEngineLooksAtTheQueueAfterPausesThatDoubleAndAsksOnceItHoldsAChange() throws Exception {
        var pause = new LeanPostgresConnector.IdlePause(8, 1_000);
        assertThat(pause.await(() -> true)).as("no pause before the first ask").isZero();

        pause.found(false);
        int[] looks = {0};
        assertThat(pause.await(() -> ++looks[0] == 5)).as("1 + 2 + 4 + 8 + 8 ms, then the queue holds a change")
                .isEqualTo(23);
        assertThat(pause.nextMs()).as("the looks go on at the pace they reached").isEqualTo(8);

        pause.found(true);
        assertThat(pause.await(() -> false)).as("under load, no pause at all").isZero();
        pause.found(false);
        assertThat(pause.nextMs()).isEqualTo(1);
    }

    @Test
    void anIdleEngineAsksAnywayOnceTheLongestSilenceHasPassed() throws Exception {
        var pause = new LeanPostgresConnector.IdlePause(8, 20);
        pause.found(false);

        assertThat(pause.await(() -> false)).as("1 + 2 + 4 + 8 + 8 ms: past 20, it asks").isEqualTo(23);
    }

    /**
     * An idle engine is answered without asking Debezium's queue, whose ask would wait out its poll interval (3 s here):
     * fails if the answer asked.
     */
    @Test
    void anIdleEngineIsAnsweredWithNothingWithoutAskingTheQueue() throws Exception {
        LeanPostgresConnector.LeanTask task = taskWith(queue(Duration.ofSeconds(3)));

        long start = System.nanoTime();
        assertThat(task.doPoll()).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void theStreamingThreadsFailureInTheQueueIsAskedForAndThrown() throws Exception {
        ChangeEventQueue<DataChangeEvent> queue = queue(Duration.ofSeconds(3));
        LeanPostgresConnector.LeanTask task = taskWith(queue);
        assertThat(task.doPoll()).isEmpty();

        queue.producerException(new DebeziumException("replication stream broke"));
        assertThatThrownBy(task::doPoll).hasMessageContaining("replication stream broke");
    }

    @Test
    void aChangeInTheQueueIsAskedFor() throws Exception {
        ChangeEventQueue<DataChangeEvent> queue = queue(Duration.ofSeconds(3));
        LeanPostgresConnector.LeanTask task = taskWith(queue);
        assertThat(task.doPoll()).isEmpty();

        SourceRecord change = new SourceRecord(Map.of(), Map.of(), "flightcdc.public.flight_state", null, "a change");
        queue.enqueue(new DataChangeEvent(change));
        assertThat(task.doPoll()).containsExactly(change);
    }

    /** The looks read the queue without its lock: however quiet they find it, the queue is asked now and then. */
    @Test
    void aQuietQueueIsStillAskedOnceTheLongestTimeBetweenAsksHasPassed() throws Exception {
        LeanPostgresConnector.LeanTask task = taskWith(queue(Duration.ofSeconds(2)));
        setField(LeanPostgresConnector.LeanTask.class, "lastAsk", task,
                System.nanoTime() - LeanPostgresConnector.ASK_AT_LEAST_EVERY.toNanos());

        long start = System.nanoTime();
        assertThat(task.doPoll()).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the ask waited out the queue's poll interval")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        start = System.nanoTime();
        assertThat(task.doPoll()).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("the next answer came after a second of pauses, without the 2 s of an ask")
                .isLessThan(Duration.ofSeconds(2));
    }

    /** Where Debezium's queue cannot be watched, the engine asks it as Debezium's own task does. */
    @Test
    void withoutAWatchTheEngineAsks() throws Exception {
        LeanPostgresConnector.LeanTask task = new LeanPostgresConnector.LeanTask();
        setField(PostgresConnectorTask.class, "queue", task, queue(Duration.ofMillis(300)));

        long start = System.nanoTime();
        assertThat(task.doPoll()).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    private static ChangeEventQueue<DataChangeEvent> queue(Duration pollInterval) {
        return new ChangeEventQueue.Builder<DataChangeEvent>().pollInterval(pollInterval).maxBatchSize(1).maxQueueSize(4)
                .loggingContextSupplier(() -> LoggingContext.forConnector("postgres", "flightcdc", "test")).build();
    }

    private static LeanPostgresConnector.LeanTask taskWith(ChangeEventQueue<DataChangeEvent> queue) throws Exception {
        LeanPostgresConnector.LeanTask task = new LeanPostgresConnector.LeanTask();
        setField(PostgresConnectorTask.class, "queue", task, queue);
        task.watchQueue();
        return task;
    }

    @Test
    void theStreamingPauseIsDebeziumsUntilNoChangeHasComeForAQuietSpellAndThenDoubles() {
        long[] seen = {0};
        long[] nowMs = {0};
        var pause = new QuietStreamPause(Duration.ofMillis(10), Duration.ofMillis(100), () -> seen[0],
                () -> nowMs[0] * 1_000_000, new ReplicationSocketWait(() -> null));

        long[] pauses = new long[14];
        for (int i = 0; i < pauses.length; i++) {
            pauses[i] = pause.nextMs();
            nowMs[0] += pauses[i] + 5;
        }
        assertThat(pauses).as("seven rounds of 15 ms make the 100 ms quiet spell")
                .containsExactly(10, 10, 10, 10, 10, 10, 10, 20, 40, 80, 100, 100, 100, 100);

        seen[0] = 3;
        assertThat(pause.nextMs()).as("a change came: Debezium's pause again").isEqualTo(10);
        nowMs[0] += 60;
        assertThat(pause.nextMs()).as("within the quiet spell").isEqualTo(10);
        nowMs[0] += 60;
        assertThat(pause.nextMs()).isEqualTo(20);
        assertThat(pause.sleepWhen(false)).as("no pause while the stream has messages").isFalse();
    }

    /** Within the quiet spell the pause is Debezium's sleep; once grown, a wait on the replication socket. */
    @Test
    void onlyAGrownPauseWaitsOnTheReplicationSocket() {
        long[] nowMs = {0};
        int[] socketLookups = {0};
        var wait = new ReplicationSocketWait(() -> {
            socketLookups[0]++;
            return null;
        });
        var pause = new QuietStreamPause(Duration.ofMillis(1), Duration.ofMillis(2), () -> 0,
                () -> nowMs[0] * 1_000_000, wait);

        assertThat(pause.sleepWhen(true)).isTrue();
        assertThat(socketLookups[0]).as("Debezium's pause, within the quiet spell: a sleep").isZero();

        nowMs[0] += QuietStreamPause.QUIET_SPELL.toMillis();
        assertThat(pause.sleepWhen(true)).isTrue();
        assertThat(socketLookups[0]).as("a grown pause: the wait").isEqualTo(1);
    }

    /** Debezium's own summary formats the key through a new Jackson ObjectMapper; the wrapped one prints the Struct. */
    @Test
    void aMetersLastEventPrintsTheKeyAsAStructOnceItsProviderIsWrapped() throws Exception {
        Schema keySchema = SchemaBuilder.struct().name("flightcdc.public.flight_state.Key")
                .field("icao24", Schema.STRING_SCHEMA).build();
        Struct key = new Struct(keySchema).put("icao24", "abc123");
        TableId table = new TableId(null, "public", "flight_state");
        CommonEventMeter meter = new CommonEventMeter(Clock.system(), new PositionOnly());

        meter.onEvent(table, null, key, null, Envelope.Operation.CREATE);
        assertThat(meter.getLastEvent()).as("Debezium's own").isEqualTo("position: {lsn: 123}, key: {\"icao24\" : \"abc123\"}");

        assertThat(KeyOnlyEventSummary.wrap(meter)).isTrue();
        assertThat(KeyOnlyEventSummary.wrap(meter)).as("wrapped once only").isFalse();
        meter.onEvent(table, null, key, null, Envelope.Operation.UPDATE);
        assertThat(meter.getLastEvent()).isEqualTo("position: {lsn=123}, key: Struct{icao24=abc123}");
        assertThat(meter.getTotalNumberOfCreateEventsSeen() + meter.getTotalNumberOfUpdateEventsSeen())
                .as("the meter's counts go on as before").isEqualTo(2);
    }

    /** Where the task finds the meters: an upgrade of Debezium that moves them fails here, not silently. */
    @Test
    void theMetersAreWhereTheTaskLooksForThem() throws Exception {
        assertThat(ChangeEventSourceCoordinator.class.getDeclaredField("snapshotMetrics").getType())
                .isAssignableFrom(io.debezium.pipeline.metrics.SnapshotChangeEventSourceMetrics.class);
        assertThat(ChangeEventSourceCoordinator.class.getDeclaredField("streamingMetrics").getType())
                .isAssignableFrom(io.debezium.pipeline.metrics.StreamingChangeEventSourceMetrics.class);
        assertThat(PipelineMetrics.class.getDeclaredField("commonEventMeter").getType()).isEqualTo(CommonEventMeter.class);
        assertThat(CommonEventMeter.class.getDeclaredField("metadataProvider").getType()).isEqualTo(EventMetadataProvider.class);
    }

    /**
     * The installer on Debezium's own classes, made without their constructors (which need a database): the streaming
     * source the coordinator holds gets the pause, once, and one that a blocking snapshot makes gets its own.
     */
    @Test
    void eachStreamingSourceTheCoordinatorMakesGetsTheQuietPauseOnce() throws Exception {
        var coordinator = (ChangeEventSourceCoordinator<?, ?>) UNSAFE.allocateInstance(ChangeEventSourceCoordinator.class);
        var metrics = UNSAFE.allocateInstance(DefaultStreamingChangeEventSourceMetrics.class);
        setField(ChangeEventSourceCoordinator.class, "streamingMetrics", coordinator, metrics);
        var installer = QuietStreamPause.installer(coordinator, Duration.ofMillis(10), Duration.ofMillis(100),
                new ReplicationSocketWait(() -> null));

        installer.installOnNewSource();
        var first = UNSAFE.allocateInstance(PostgresStreamingChangeEventSource.class);
        setField(ChangeEventSourceCoordinator.class, "streamingSource", coordinator, first);
        installer.installOnNewSource();
        Object pause = getField(PostgresStreamingChangeEventSource.class, "pauseNoMessage", first);
        assertThat(pause).isInstanceOf(QuietStreamPause.class);
        installer.installOnNewSource();
        assertThat(getField(PostgresStreamingChangeEventSource.class, "pauseNoMessage", first)).as("installed once").isSameAs(pause);

        var second = UNSAFE.allocateInstance(PostgresStreamingChangeEventSource.class);
        setField(ChangeEventSourceCoordinator.class, "streamingSource", coordinator, second);
        installer.installOnNewSource();
        assertThat(getField(PostgresStreamingChangeEventSource.class, "pauseNoMessage", second))
                .isInstanceOf(QuietStreamPause.class).isNotSameAs(pause);
    }

    /** Where the task finds Debezium's queue and the streaming thread's pause: an upgrade that moves them fails here. */
    @Test
    void theQueueAndTheStreamingPauseAreWhereTheTaskLooksForThem() throws Exception {
        assertThat(PostgresConnectorTask.class.getDeclaredField("queue").getType()).isEqualTo(ChangeEventQueue.class);
        assertThat(ChangeEventQueue.class.getDeclaredField("producerException").getType()).isEqualTo(RuntimeException.class);
        assertThat(PostgresStreamingChangeEventSource.class.getDeclaredField("pauseNoMessage").getType())
                .isEqualTo(DelayStrategy.class);
        assertThat(ChangeEventSourceMetricsMXBean.class).isAssignableFrom(DefaultStreamingChangeEventSourceMetrics.class);
    }

    /** What Debezium's PostgreSQL provider gives, for the summary: a position. */
    private static final class PositionOnly implements EventMetadataProvider {
        @Override
        public Instant getEventTimestamp(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return Instant.EPOCH;
        }

        @Override
        public Map<String, String> getEventSourcePosition(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return Map.of("lsn", "123");
        }

        @Override
        public String getTransactionId(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return "7";
        }
    }

    @Test
    void theTaskHandsDebeziumAReplicationConnectionThatChecksTheSlotFirst() throws Exception {
        PostgresConnectorConfig config = new PostgresConnectorConfig(Configuration.create()
                .with("database.hostname", "127.0.0.1").with("database.port", 9).with("database.user", "postgres")
                .with("database.dbname", "postgres").with("topic.prefix", "flightcdc").with("plugin.name", "pgoutput")
                .build());
        // Debezium's type registry reads the database's types when made; the connection is only built here, not opened.
        TypeRegistry types = (TypeRegistry) UNSAFE.allocateInstance(TypeRegistry.class);
        try (PostgresConnection metadata = new PostgresConnection(config.getJdbcConfig(), "test") {
            @Override
            public TypeRegistry getTypeRegistry() {
                return types;
            }
        }) {
            assertThat(new LeanPostgresConnector.LeanTask().buildReplicationConnection(metadata, null, config))
                    .isInstanceOf(SlotCheckedReplicationConnection.class);
        }
    }

    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private static sun.misc.Unsafe unsafe() {
        try {
            Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (sun.misc.Unsafe) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void setField(Class<?> owner, String name, Object target, Object value) throws ReflectiveOperationException {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        field.set(target, value);
    }

    private static Object getField(Class<?> owner, String name, Object target) throws ReflectiveOperationException {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
    }
}
