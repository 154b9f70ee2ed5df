package capture;

import io.debezium.connector.postgresql.PostgresStreamingChangeEventSource;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.metrics.ChangeEventSourceMetricsMXBean;
import io.debezium.pipeline.source.spi.StreamingChangeEventSource;
import io.debezium.util.DelayStrategy;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pause of Debezium's streaming thread when the replication stream has nothing to read: Debezium's, while changes
 * arrive, and growing while none does.
 *
 * <p>Debezium 3.4's {@code PostgresStreamingChangeEventSource} reads the replication stream in a loop, and after five
 * reads that found nothing it sleeps {@code poll.interval.ms} (its field {@code pauseNoMessage}, a constant
 * {@link DelayStrategy} made in its constructor). A read that finds nothing waits a millisecond on the socket, and the
 * PostgreSQL driver throws and catches a {@code SocketTimeoutException} for it ({@code PGStream.hasMessagePending}): an
 * idle pipeline spent 1.5% of a core there (async-profiler). This pause is {@code poll.interval.ms}, as Debezium's, until
 * no change has come for {@link #QUIET_SPELL}; then it doubles with each pause, up to the longest. Under load, and with
 * changes coming at any pace faster than that spell, it is Debezium's sleep. Once it has grown, it is a
 * {@link ReplicationSocketWait}, which ends as soon as PostgreSQL sends something: so the first change after a quiet
 * spell waits no longer for it, and the longest can be {@link #LONGEST_WAIT}, the time a stop of the capture may wait
 * for the streaming thread. A sleep in its place stays as short as Debezium's engine thread's pauses.
 *
 * <p>The coordinator makes the streaming source once the snapshot is done, and again after a blocking snapshot, so the
 * task installs the pause on each new source it sees, by reflection on that one field. Should a later Debezium move it,
 * Debezium's pause stays and one line says so; LeanPostgresConnectorTest fails on such an upgrade.
 */
final class QuietStreamPause implements DelayStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(QuietStreamPause.class);

    /** How long no change must have come before the pauses grow. */
    static final Duration QUIET_SPELL = Duration.ofMillis(100);

    /**
     * The longest pause of a quiet stream, a wait that data ends. An idle stream is read five times per pause (each read
     * a 1 ms wait, an exception and Debezium's own bookkeeping): 100 ms pauses cost it about 0.45% of a core.
     */
    static final Duration LONGEST_WAIT = Duration.ofMillis(500);

    private final long firstMs;
    private final long longestMs;
    private final LongSupplier changesSeen;
    private final LongSupplier nanoTime;
    private final ReplicationSocketWait quietWait;
    private long seenAtLastPause = -1;
    private long lastChangeNanos;
    private long lastMs;

    QuietStreamPause(Duration first, Duration longest, LongSupplier changesSeen, ReplicationSocketWait quietWait) {
        this(first, longest, changesSeen, System::nanoTime, quietWait);
    }

    QuietStreamPause(Duration first, Duration longest, LongSupplier changesSeen, LongSupplier nanoTime,
                     ReplicationSocketWait quietWait) {
        this.firstMs = Math.max(1, first.toMillis());
        this.longestMs = Math.max(firstMs, longest.toMillis());
        this.changesSeen = changesSeen;
        this.nanoTime = nanoTime;
        this.quietWait = quietWait;
    }

    @Override
    public boolean sleepWhen(boolean criteria) {
        if (!criteria) {
            return false;
        }
        try {
            long ms = nextMs();
            if (ms > firstMs) {
                quietWait.await(ms);
            } else {
                Thread.sleep(ms);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** The next pause: Debezium's within a quiet spell of a change, else twice the last, up to the longest. */
    long nextMs() {
        long seen = changesSeen.getAsLong();
        long now = nanoTime.getAsLong();
        if (seen != seenAtLastPause) {
            seenAtLastPause = seen;
            lastChangeNanos = now;
        }
        lastMs = now - lastChangeNanos < QUIET_SPELL.toNanos() ? firstMs : Math.min(longestMs, lastMs * 2);
        return lastMs;
    }

    /** Puts a pause into each streaming source the coordinator makes. */
    interface Installer {

        Installer NONE = () -> { };

        /** Called often (each time the engine asks for changes): cheap when the source is the one seen before. */
        void installOnNewSource();
    }

    /** An installer for the coordinator's sources, or one that installs nothing when Debezium's fields moved. */
    static Installer installer(ChangeEventSourceCoordinator<?, ?> coordinator, Duration first, Duration longest,
                               ReplicationSocketWait quietWait) {
        Field pause;
        LongSupplier changesSeen;
        try {
            pause = PostgresStreamingChangeEventSource.class.getDeclaredField("pauseNoMessage");
            pause.setAccessible(true);
            Field metricsField = ChangeEventSourceCoordinator.class.getDeclaredField("streamingMetrics");
            metricsField.setAccessible(true);
            ChangeEventSourceMetricsMXBean metrics = (ChangeEventSourceMetricsMXBean) metricsField.get(coordinator);
            changesSeen = metrics::getTotalNumberOfEventsSeen;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("Debezium's streaming pause is kept (not where Debezium 3.4 has it: {}); an idle capture reads the"
                    + " replication stream every {} ms", e.toString(), first.toMillis());
            return Installer.NONE;
        }
        return new Installer() {
            private StreamingChangeEventSource<?, ?> seen;

            @Override
            public void installOnNewSource() {
                StreamingChangeEventSource<?, ?> source = coordinator.getStreamingSource().orElse(null);
                if (source == null || source == seen) {
                    return;
                }
                seen = source;
                try {
                    pause.set(source, new QuietStreamPause(first, longest, changesSeen, quietWait));
                } catch (IllegalAccessException | IllegalArgumentException e) {
                    LOG.info("Debezium's streaming pause is kept ({}); an idle capture reads the replication stream"
                            + " every {} ms", e.toString(), first.toMillis());
                }
            }
        };
    }
}
