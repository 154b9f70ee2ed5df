package load;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.ChangeEvent;
import warehouse.LoadResult;
import warehouse.MergeSqlGenerator;

/**
 * Turns the stream of loaded batches into one log line per interval: how many changes of each
 * kind, how long after their source commit they became visible in the warehouse, and how many records
 * were skipped for each reason. Quiet intervals print nothing. A change skipped as already applied that
 * no restart of the capture explains is warned about at once, with what it was.
 */
public final class LoadProgress implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("load");

    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "load-progress");
        t.setDaemon(true);
        return t;
    });
    private final Consumer<LoadResult> observer;
    private int batches;
    private long inserts;
    private long updates;
    private long deletes;
    private long skipped;
    private long replayed;
    private long unexplained;
    private long deadLettered;
    private long maxLagMillis;
    private long lastLagMillis;

    public LoadProgress(Duration interval) {
        this(interval, result -> { });
    }

    /** @param observer told each load's result as it is recorded (the metrics) */
    public LoadProgress(Duration interval, Consumer<LoadResult> observer) {
        this.observer = observer;
        reporter.scheduleAtFixedRate(this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public synchronized void record(LoadResult result) {
        observer.accept(result);
        // A delivery held back whole, waiting for the rest of its transactions, loads nothing: no batch.
        if (result.received() > 0) {
            batches++;
        }
        inserts += result.inserts();
        updates += result.updates();
        deletes += result.deletes();
        skipped += result.alreadyLoaded();
        replayed += result.replayed();
        unexplained += result.unexplained().size();
        if (!result.unexplained().isEmpty()) {
            warnUnexplained(result.unexplained());
        }
        deadLettered += result.deadLettered();
        if (result.applied() > 0) {
            maxLagMillis = Math.max(maxLagMillis, result.lagMillis());
            lastLagMillis = result.lagMillis();
        }
    }

    /** Logs what was loaded since the last report, if anything. */
    public synchronized void report() {
        long changes = inserts + updates + deletes;
        if (changes > 0 || skipped > 0 || replayed > 0 || unexplained > 0 || deadLettered > 0) {
            LOG.info("Loaded {} change{} ({} c/r, {} u, {} d) in {} batch{}{}{}{}{}{}",
                    changes, changes == 1 ? "" : "s", inserts, updates, deletes, batches, batches == 1 ? "" : "es",
                    changes > 0 ? "; visible " + lastLagMillis + " ms after the source commit (slowest " + maxLagMillis
                            + " ms)" : "",
                    skipped > 0 ? "; " + skipped + " delivered again by Kafka, skipped" : "",
                    replayed > 0 ? "; " + replayed + " emitted again by the capture after a restart, skipped" : "",
                    unexplained > 0 ? "; " + unexplained + " at or before the newest position applied, skipped"
                            + " unexplained (see the warnings)" : "",
                    deadLettered > 0 ? "; " + deadLettered + " set aside in " + MergeSqlGenerator.DEAD_LETTER_TABLE : "");
        }
        batches = 0;
        inserts = 0;
        updates = 0;
        deletes = 0;
        skipped = 0;
        replayed = 0;
        unexplained = 0;
        deadLettered = 0;
        maxLagMillis = 0;
    }

    /**
     * Such a skip is safe (the change's position was applied), but it is not what a restart produces: the source
     * may have been replaced under the pipeline, or changes reached the topic from elsewhere.
     */
    private static void warnUnexplained(List<ChangeEvent> changes) {
        ChangeEvent first = changes.get(0);
        ChangeEvent last = changes.get(changes.size() - 1);
        LOG.warn("Skipped {} change{} of {} at or before the newest source position already applied, which no restart"
                        + " of the capture explains: Kafka {}/{} offsets {} to {}, first {} at {} ({}). Check that the"
                        + " source and the topics are the ones this warehouse was loaded from.",
                changes.size(), changes.size() == 1 ? "" : "s", first.table(), first.topic(), first.partition(),
                first.offset(), last.offset(), first.operation().code(), first.position(), abbreviated(first.row().toString()));
    }

    private static String abbreviated(String row) {
        return row.length() <= 300 ? row : row.substring(0, 300) + "…";
    }

    @Override
    public void close() {
        reporter.shutdownNow();
        report();
    }
}
