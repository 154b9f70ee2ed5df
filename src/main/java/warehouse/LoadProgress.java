package warehouse;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the stream of loaded batches into one log line per interval: how many changes of each
 * kind, and how long after their source commit they became visible in the warehouse. Quiet
 * intervals print nothing.
 */
public final class LoadProgress implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("load");

    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "load-progress");
        t.setDaemon(true);
        return t;
    });
    private int batches;
    private long inserts;
    private long updates;
    private long deletes;
    private long skipped;
    private long replayed;
    private long deadLettered;
    private long maxLagMillis;
    private long lastLagMillis;

    public LoadProgress(Duration interval) {
        reporter.scheduleAtFixedRate(this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public synchronized void record(LoadResult result) {
        batches++;
        inserts += result.inserts();
        updates += result.updates();
        deletes += result.deletes();
        skipped += result.alreadyLoaded();
        replayed += result.replayed();
        deadLettered += result.deadLettered();
        if (result.applied() > 0) {
            maxLagMillis = Math.max(maxLagMillis, result.lagMillis());
            lastLagMillis = result.lagMillis();
        }
    }

    /** Logs what was loaded since the last report, if anything. */
    public synchronized void report() {
        long changes = inserts + updates + deletes;
        if (changes > 0 || skipped > 0 || replayed > 0 || deadLettered > 0) {
            LOG.info("Loaded {} change{} ({} c/r, {} u, {} d) in {} batch{}; visible {} ms after the source commit"
                            + " (slowest {} ms){}{}{}",
                    changes, changes == 1 ? "" : "s", inserts, updates, deletes, batches, batches == 1 ? "" : "es",
                    lastLagMillis, maxLagMillis,
                    skipped > 0 ? "; " + skipped + " already loaded, skipped" : "",
                    replayed > 0 ? "; " + replayed + " emitted again by the capture after a restart, skipped" : "",
                    deadLettered > 0 ? "; " + deadLettered + " set aside in " + MergeSqlGenerator.DEAD_LETTER_TABLE : "");
        }
        batches = 0;
        inserts = 0;
        updates = 0;
        deletes = 0;
        skipped = 0;
        replayed = 0;
        deadLettered = 0;
        maxLagMillis = 0;
    }

    @Override
    public void close() {
        reporter.shutdownNow();
        report();
    }
}
