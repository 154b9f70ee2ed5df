package capture;

import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnector;
import io.debezium.connector.postgresql.PostgresConnectorTask;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.PostgresPartition;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import java.util.List;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Debezium's PostgreSQL connector, with a task that costs less per change and while idle. CaptureRoute names it
 * through {@code connector.class}.
 *
 * <p>Idle: Debezium's engine thread asks its queue for changes in a loop, and each ask waits at most
 * {@code poll.interval.ms} (10 ms here, for low latency under load: see CaptureRoute). Its queue times that wait in
 * whole milliseconds and spins through the last one ({@code ChangeEventQueue.poll} in Debezium 3.4), so an idle
 * pipeline spent 8% of a core on asking alone. Here, after an ask that found nothing, the next waits a little first,
 * twice as long each time up to {@link #LONGEST_PAUSE_MS}; an ask that finds changes ends the pauses. Under load every
 * ask finds changes, and nothing changes; after a quiet spell the first change waits at most that longest pause.
 * Changes arriving meanwhile wait in Debezium's queue, as they do between any two asks.
 *
 * <p>Per change: Debezium's metrics keep a summary of the last event, which built a Jackson ObjectMapper for each change
 * ({@link KeyOnlyEventSummary}).
 */
public class LeanPostgresConnector extends PostgresConnector {

    /** The longest pause between two asks that found nothing: what the first change after a quiet spell may wait more. */
    static final long LONGEST_PAUSE_MS = 100;

    @Override
    public Class<? extends Task> taskClass() {
        return LeanTask.class;
    }

    /** The connector's task, pausing between asks that find nothing, and summing events up by their keys. */
    public static class LeanTask extends PostgresConnectorTask {

        private final IdlePause pause = new IdlePause(LONGEST_PAUSE_MS);

        @Override
        public ChangeEventSourceCoordinator<PostgresPartition, PostgresOffsetContext> start(Configuration config) {
            ChangeEventSourceCoordinator<PostgresPartition, PostgresOffsetContext> coordinator = super.start(config);
            KeyOnlyEventSummary.applyTo(coordinator);
            return coordinator;
        }

        @Override
        public List<SourceRecord> doPoll() throws InterruptedException {
            pause.await();
            List<SourceRecord> records = super.doPoll();
            pause.found(!records.isEmpty());
            return records;
        }
    }

    /** Doubling pauses after asks that found nothing: 1, 2, 4 ... up to the longest; none after one that found some. */
    static final class IdlePause {

        private final long longestMs;
        private long nextMs;

        IdlePause(long longestMs) {
            this.longestMs = longestMs;
        }

        void found(boolean any) {
            nextMs = any ? 0 : Math.min(longestMs, Math.max(1, nextMs * 2));
        }

        long nextMs() {
            return nextMs;
        }

        void await() throws InterruptedException {
            if (nextMs > 0) {
                Thread.sleep(nextMs);
            }
        }
    }
}
