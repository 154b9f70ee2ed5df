package capture;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.config.Configuration;
import io.debezium.connector.base.ChangeEventQueue;
import io.debezium.connector.postgresql.PostgresConnector;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresConnectorTask;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.PostgresPartition;
import io.debezium.connector.postgresql.PostgresSchema;
import io.debezium.connector.postgresql.connection.PostgresConnection;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import java.lang.reflect.Field;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's PostgreSQL connector, with a task that costs less per change and while idle. CaptureRoute names it
 * through {@code connector.class}.
 *
 * <p>Idle, the engine's thread: it asks Debezium's queue for changes in a loop, and each ask waits
 * {@code poll.interval.ms} (10 ms here, for low latency under load: see CaptureRoute). The queue times that wait in
 * whole milliseconds and spins through the last one ({@code ChangeEventQueue.poll} in Debezium 3.4), so an idle
 * pipeline spent 8% of a core on asking alone. Here, after an ask that found nothing, the thread waits until the queue
 * holds a change or the streaming thread's failure (which an ask throws) before it asks again, looking after pauses
 * twice as long each time up to {@link #LONGEST_PAUSE_MS}. Every {@link #ANSWER_AT_LEAST_EVERY} it hands the engine an
 * empty answer anyway, as an ask that found nothing did (the engine's offset commit policy runs on each answer, and its
 * stop is seen between answers), but asks only every {@link #ASK_AT_LEAST_EVERY}: an ask of an empty queue waits out its
 * 10 ms, spinning through the last. Under load every ask finds changes, and nothing changes; after a quiet spell the
 * first change waits at most that longest pause. Changes arriving meanwhile wait in Debezium's queue, as they do between
 * any two asks.
 *
 * <p>Idle, the streaming thread: see {@link QuietStreamPause}.
 *
 * <p>Per change: Debezium's metrics keep a summary of the last event, which built a Jackson ObjectMapper for each change
 * ({@link KeyOnlyEventSummary}).
 *
 * <p>The replication slot: Debezium's streaming thread would create a missing slot anew when it reconnects
 * ({@link SlotCheckedReplicationConnection}).
 *
 * <p>Per change: Debezium reads each {@code timestamptz} value with a {@code DateTimeFormatter}
 * ({@link TimestamptzReadingConnection}).
 */
public class LeanPostgresConnector extends PostgresConnector {

    private static final Logger LOG = LoggerFactory.getLogger(LeanPostgresConnector.class);

    /** The longest pause between two looks at an empty queue: what the first change after a quiet spell may wait more. */
    static final long LONGEST_PAUSE_MS = 100;

    /** An idle engine's thread still answers the engine this often, with nothing. */
    static final Duration ANSWER_AT_LEAST_EVERY = Duration.ofSeconds(1);

    /**
     * And asks Debezium's queue at least this often: the looks read the queue's size without its lock, and a change
     * that one of them failed to see is still asked for within this time.
     */
    static final Duration ASK_AT_LEAST_EVERY = Duration.ofSeconds(10);

    @Override
    public Class<? extends Task> taskClass() {
        return LeanTask.class;
    }

    /** The connector's task: pausing while its queue is empty, and summing events up by their keys. */
    public static class LeanTask extends PostgresConnectorTask {

        private final IdlePause pause = new IdlePause(LONGEST_PAUSE_MS, ANSWER_AT_LEAST_EVERY.toMillis());
        private volatile boolean stopping;
        private long lastAsk = System.nanoTime();
        private QueueWatch queue = QueueWatch.NONE;
        private final BooleanSupplier somethingToAsk = () -> stopping || !queue.quiet();
        private QuietStreamPause.Installer streamPause = QuietStreamPause.Installer.NONE;
        private ReplicationSocketWait quietWait = new ReplicationSocketWait(() -> null);

        @Override
        public ChangeEventSourceCoordinator<PostgresPartition, PostgresOffsetContext> start(Configuration config) {
            ChangeEventSourceCoordinator<PostgresPartition, PostgresOffsetContext> coordinator = super.start(config);
            KeyOnlyEventSummary.applyTo(coordinator);
            watchQueue();
            streamPause = QuietStreamPause.installer(coordinator,
                    Duration.ofMillis(config.getInteger(CommonConnectorConfig.POLL_INTERVAL_MS)),
                    QuietStreamPause.LONGEST_WAIT, quietWait);
            return coordinator;
        }

        @Override
        public List<SourceRecord> doPoll() throws InterruptedException {
            streamPause.installOnNewSource();
            pause.await(somethingToAsk);
            long now = System.nanoTime();
            if (!somethingToAsk.getAsBoolean() && now - lastAsk < ASK_AT_LEAST_EVERY.toNanos()) {
                pause.found(false);
                return List.of();
            }
            lastAsk = now;
            List<SourceRecord> records = super.doPoll();
            pause.found(!records.isEmpty());
            return records;
        }

        /**
         * Debezium's connection, checked before each step that could create a missing slot anew, its timestamptz values
         * read by {@link TimestamptzReadingConnection}; a quiet stream's pauses wait on its socket.
         */
        @Override
        protected ReplicationConnection buildReplicationConnection(PostgresConnection connection, PostgresSchema schema,
                                                                   PostgresConnectorConfig config) throws SQLException {
            ReplicationConnection debezium = super.buildReplicationConnection(connection, schema, config);
            quietWait = ReplicationSocketWait.of(debezium);
            return new SlotCheckedReplicationConnection(TimestamptzReadingConnection.of(debezium),
                    AcknowledgedOffsetStore::runResumeCheck);
        }

        @Override
        protected void doStop() {
            stopping = true;
            super.doStop();
        }

        /** Called by start(), once Debezium's queue exists. */
        void watchQueue() {
            queue = QueueWatch.of(this);
        }
    }

    /**
     * What the engine's thread can tell of Debezium's queue without asking it: whether it holds a change or the streaming
     * thread's failure. Read without the queue's lock: a change enqueued just after a look is found at the next one.
     */
    static final class QueueWatch {

        /** Before the task has started, or where Debezium's queue cannot be watched: always ask. */
        static final QueueWatch NONE = new QueueWatch(null, null);

        private final ChangeEventQueue<?> queue;
        private final Field failure;

        private QueueWatch(ChangeEventQueue<?> queue, Field failure) {
            this.queue = queue;
            this.failure = failure;
        }

        static QueueWatch of(PostgresConnectorTask task) {
            try {
                Field field = PostgresConnectorTask.class.getDeclaredField("queue");
                field.setAccessible(true);
                Field failure = ChangeEventQueue.class.getDeclaredField("producerException");
                failure.setAccessible(true);
                return new QueueWatch((ChangeEventQueue<?>) field.get(task), failure);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.info("Debezium's queue is not where Debezium 3.4 has it ({}); the idle capture asks it every {} ms",
                        e.toString(), LONGEST_PAUSE_MS);
                return NONE;
            }
        }

        /** Neither a change nor a failure: an ask would find nothing. */
        boolean quiet() {
            if (queue == null) {
                return false;
            }
            try {
                return queue.remainingCapacity() == queue.totalCapacity() && failure.get(queue) == null;
            } catch (IllegalAccessException e) {
                return false;
            }
        }
    }

    /**
     * After an ask that found nothing, pauses until there is something to ask for: looks after 1, 2, 4 ... ms up to the
     * longest pause, and gives up looking once the longest silence has passed. After an ask that found changes, none.
     */
    static final class IdlePause {

        private final long longestMs;
        private final long longestSilenceMs;
        private long nextMs;

        IdlePause(long longestMs, long longestSilenceMs) {
            this.longestMs = longestMs;
            this.longestSilenceMs = longestSilenceMs;
        }

        /** After an ask that found nothing, the looks go on at the pace they had reached. */
        void found(boolean any) {
            nextMs = any ? 0 : Math.max(1, nextMs);
        }

        /** The pause before the next look, doubled after each. */
        long nextMs() {
            return nextMs;
        }

        /** @return how long it paused, in ms */
        long await(BooleanSupplier somethingToAsk) throws InterruptedException {
            long paused = 0;
            while (nextMs > 0 && paused < longestSilenceMs) {
                Thread.sleep(nextMs);
                paused += nextMs;
                nextMs = Math.min(longestMs, nextMs * 2);
                if (somethingToAsk.getAsBoolean()) {
                    break;
                }
            }
            return paused;
        }
    }
}
