package capture;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per interval of how many changes the capture published, for a process that loads nothing (run
 * --no-load): elsewhere the loader's lines (load.LoadProgress) say what arrived, and this would only repeat them.
 * Quiet intervals print nothing.
 */
public final class CaptureProgress implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("capture");

    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "capture-progress");
        t.setDaemon(true);
        return t;
    });
    private final LongSupplier published;
    private long reported;

    /** @param published the changes Kafka has acknowledged to the capture so far */
    public CaptureProgress(Duration interval, LongSupplier published) {
        this.published = published;
        this.reported = published.getAsLong();
        reporter.scheduleAtFixedRate(this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Logs what was published since the last report, if anything. */
    public synchronized void report() {
        long now = published.getAsLong();
        long changes = now - reported;
        reported = now;
        if (changes > 0) {
            LOG.info("Published {} change{} to Kafka, each acknowledged", changes, changes == 1 ? "" : "s");
        }
    }

    @Override
    public void close() {
        reporter.shutdownNow();
        report();
    }
}
