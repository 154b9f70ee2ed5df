package capture;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Debezium's initial snapshot, which on a large table can run for many minutes with nothing
 * else to show: counts the snapshot reads as they pass, logs one line per interval (rows done of the
 * expected total, rate, time left) and one when the snapshot ends. The expected total is asked for
 * once, when the first snapshot row arrives; it is approximate because the tables keep changing.
 *
 * <p>Called for every change on the capture thread, so it never throws: a failure to learn the total
 * only removes the percentage and the time left from the lines.
 *
 * <p>A direct snapshot (snapshot.DirectSnapshot) is taken before Debezium starts, and reports its own lines; while it
 * runs, {@link #fractionDone()} is its fraction, so that one gauge shows whichever snapshot runs.
 */
public final class SnapshotProgress implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger("capture");

    /** Debezium's source.snapshot values of initial-snapshot rows before the very last one. */
    private static final Set<String> SNAPSHOT_ROW = Set.of("true", "first", "first_in_data_collection",
            "last_in_data_collection");
    private static final String LAST_SNAPSHOT_ROW = "last";

    /** Where the expected number of snapshot rows comes from (the source's table statistics). */
    @FunctionalInterface
    public interface ExpectedRows {
        long estimate() throws Exception;
    }

    /** How a finished snapshot went. */
    public record Summary(long rows, Duration duration, long rowsPerSecond) {
    }

    private enum State { NOT_STARTED, RUNNING, DONE }

    private final ExpectedRows expectedRows;
    private final long intervalNanos;
    private final LongSupplier nanoClock;

    private State state = State.NOT_STARTED;
    private OptionalLong total = OptionalLong.empty();
    private long rows;
    private long startedAt;
    private long lastReportAt;
    private Summary summary;
    private DoubleSupplier direct;

    public SnapshotProgress(ExpectedRows expectedRows, Duration interval) {
        this(expectedRows, interval, System::nanoTime);
    }

    SnapshotProgress(ExpectedRows expectedRows, Duration interval, LongSupplier nanoClock) {
        this.expectedRows = expectedRows;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Takes note of the record camel-debezium hands the capture route. */
    @Override
    public void process(Exchange exchange) {
        record(exchange.getMessage().getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class));
    }

    /**
     * Takes note of one record, given its Debezium source metadata. A streamed change ends a snapshot
     * still running, in case its last row was not seen; a record without source metadata (a tombstone,
     * a Debezium heartbeat) says nothing about the snapshot.
     */
    public synchronized void record(Map<String, ?> source) {
        Object marker = source == null ? null : source.get("snapshot");
        if (marker == null) {
            return;
        }
        String snapshot = marker.toString();
        boolean last = LAST_SNAPSHOT_ROW.equals(snapshot);
        if (!last && !SNAPSHOT_ROW.contains(snapshot)) {
            if (state == State.RUNNING) {
                finish();
            }
            return;
        }
        if (state != State.RUNNING) {
            start();
        }
        rows++;
        if (last) {
            finish();
        } else if (nanoClock.getAsLong() - lastReportAt >= intervalNanos) {
            lastReportAt = nanoClock.getAsLong();
            LOG.info(progress());
        }
    }

    /** One line on the running snapshot: rows done of the total, rate and time left. */
    public synchronized String progress() {
        long elapsed = Math.max(1, nanoClock.getAsLong() - startedAt);
        double rate = rows * 1e9 / elapsed;
        StringBuilder line = new StringBuilder("Snapshot: ").append(count(rows));
        if (total.isPresent()) {
            long expected = total.getAsLong();
            line.append(" of about ").append(count(expected)).append(" rows");
            if (expected > 0) {
                line.append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, rows * 100 / expected)));
            }
            line.append(", ").append(count(Math.round(rate))).append(" rows/s, ").append(timeLeft(expected - rows, rate));
        } else {
            line.append(" rows, ").append(count(Math.round(rate))).append(" rows/s");
        }
        return line.toString();
    }

    /** While a direct snapshot runs: {@link #fractionDone()} answers with its fraction until the handle is closed. */
    public synchronized Following follow(DoubleSupplier directFractionDone) {
        direct = directFractionDone;
        return () -> {
            synchronized (this) {
                direct = null;
            }
        };
    }

    /** The end of a {@link #follow}. */
    public interface Following extends AutoCloseable {
        @Override
        void close();
    }

    /** How much of the running snapshot is read, 0 to 1; 1 when none runs, NaN while its size is unknown. */
    public synchronized double fractionDone() {
        if (direct != null) {
            return direct.getAsDouble();
        }
        if (state != State.RUNNING) {
            return 1;
        }
        return total.isPresent() && total.getAsLong() > 0 ? Math.min(1, (double) rows / total.getAsLong()) : Double.NaN;
    }

    public synchronized long rows() {
        return rows;
    }

    public synchronized boolean running() {
        return state == State.RUNNING;
    }

    /** The expected total, once a snapshot has started and the source could tell. */
    public synchronized OptionalLong expectedTotal() {
        return total;
    }

    /** Present once a snapshot has ended. */
    public synchronized Optional<Summary> summary() {
        return Optional.ofNullable(summary);
    }

    private void start() {
        state = State.RUNNING;
        rows = 0;
        summary = null;
        try {
            total = OptionalLong.of(expectedRows.estimate());
            LOG.info("Snapshot started: about {} rows to read", count(total.getAsLong()));
        } catch (Exception e) {
            total = OptionalLong.empty();
            LOG.info("Snapshot started; its size is unknown ({})", e.getMessage());
        }
        startedAt = nanoClock.getAsLong();
        lastReportAt = startedAt;
    }

    private void finish() {
        state = State.DONE;
        Duration duration = Duration.ofNanos(Math.max(1, nanoClock.getAsLong() - startedAt));
        summary = new Summary(rows, duration, Math.round(rows * 1e9 / duration.toNanos()));
        LOG.info("Snapshot done: {} rows in {} ({} rows/s)", count(rows), duration(duration),
                count(summary.rowsPerSecond()));
    }

    private static String timeLeft(long remainingRows, double rate) {
        if (remainingRows <= 0) {
            return "finishing";
        }
        if (rate <= 0) {
            return "time left unknown";
        }
        return "about " + duration(Duration.ofSeconds(Math.max(1, Math.round(remainingRows / rate)))) + " left";
    }

    static String duration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 10) {
            return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
        }
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, seconds % 3600 / 60);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
