package bench;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes changes at a steady rate, the way a feed of live positions arrives: one small transaction
 * per tick (by default every 20 ms, a fiftieth of a second's changes each), against a timetable fixed
 * at the start, so a late tick does not shift every later one. It waits for each tick by parking the
 * thread, never by spinning. The transactions keep their size whatever happens: a writer that falls
 * behind writes its late ticks back to back, and the ticks it has not reached when the phase's time is
 * up are left out, so the rate written says how far it fell short.
 */
final class PacedWriter {

    /** Told every few seconds how far the writing is. */
    @FunctionalInterface
    interface Progress {
        void report(long elapsedNanos, long changes, long kafkaRecords);
    }

    private static final long REPORT_EVERY_NANOS = Duration.ofSeconds(5).toNanos();

    private final SourceWriter writer;
    private final Duration tick;

    PacedWriter(SourceWriter writer, Duration tick) {
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("A tick must be longer than 0, got " + tick);
        }
        this.writer = writer;
        this.tick = tick;
    }

    /** Writes {@code changesPerSecond} for {@code duration}, in ticks whose sizes add up to the rate exactly. */
    Writes write(int changesPerSecond, Duration duration, Progress progress) throws SQLException, InterruptedException {
        long tickNanos = tick.toNanos();
        int ticks = (int) Math.max(1, duration.toNanos() / tickNanos);
        long[] commitNanos = new long[ticks];
        long[] changesThrough = new long[ticks];
        long[] recordsThrough = new long[ticks];
        PartitionCounts[] visibleWhen = new PartitionCounts[ticks];
        int transactions = 0;
        int lateTicks = 0;
        long changes = 0;
        long records = 0;
        long started = System.nanoTime();
        long end = started + duration.toNanos();
        long nextReport = started + REPORT_EVERY_NANOS;
        try (SourceWriter.Session session = writer.session()) {
            for (int k = 0; k < ticks; k++) {
                long now = sleepUntil(started + k * tickNanos);
                if (now >= end) {
                    break; // behind the timetable when the time was up
                }
                if (now >= started + (k + 1) * tickNanos) {
                    lateTicks++; // its time was over before the writer got to it
                }
                // Changes due by the end of this tick, rounded: fractional rates even out over the ticks.
                long due = Math.round((double) changesPerSecond * (k + 1) * tickNanos / 1e9);
                if (due <= changes) {
                    continue; // a rate under one change per tick, or a key update counted twice last time
                }
                SourceWriter.Commit commit = session.commit((int) (due - changes));
                changes += commit.changes();
                records += commit.kafkaRecords();
                commitNanos[transactions] = commit.nanos();
                changesThrough[transactions] = changes;
                recordsThrough[transactions] = records;
                visibleWhen[transactions] = commit.recordsThrough();
                transactions++;
                if (commit.nanos() >= nextReport) {
                    nextReport = commit.nanos() + REPORT_EVERY_NANOS;
                    progress.report(commit.nanos() - started, changes, records);
                }
            }
        }
        return new Writes(changesPerSecond, started, duration.toNanos(), ticks, lateTicks,
                Arrays.copyOf(commitNanos, transactions), Arrays.copyOf(changesThrough, transactions),
                Arrays.copyOf(recordsThrough, transactions), Arrays.copyOf(visibleWhen, transactions));
    }

    /** Parks until {@code due}, at once if it has passed; returns System.nanoTime() then. */
    private static long sleepUntil(long due) throws InterruptedException {
        long now = System.nanoTime();
        while (now < due) {
            LockSupport.parkNanos(due - now);
            if (Thread.interrupted()) {
                throw new InterruptedException("Paced writing interrupted");
            }
            now = System.nanoTime();
        }
        return now;
    }

    /**
     * One phase's transactions, in commit order.
     *
     * @param startedNanos   System.nanoTime() at the first tick
     * @param durationNanos  the phase's planned length
     * @param ticks          the timetable's ticks
     * @param lateTicks      ticks the writer got to only after their time was over
     * @param commitNanos    System.nanoTime() right after each commit returned
     * @param changesThrough changes of the phase through each transaction
     * @param recordsThrough Kafka records of the phase through each transaction
     * @param visibleWhen    per partition, the records the warehouse holds once it holds each transaction: those of
     *                       every change written before it, and its own
     */
    record Writes(int targetPerSecond, long startedNanos, long durationNanos, int ticks, int lateTicks, long[] commitNanos,
                  long[] changesThrough, long[] recordsThrough, PartitionCounts[] visibleWhen) {

        int transactions() {
            return commitNanos.length;
        }

        long changes() {
            return transactions() == 0 ? 0 : changesThrough[transactions() - 1];
        }

        long kafkaRecords() {
            return transactions() == 0 ? 0 : recordsThrough[transactions() - 1];
        }

        /** The phase's length: as planned, or up to the last commit if that came later. */
        long elapsedNanos() {
            return transactions() == 0 ? durationNanos
                    : Math.max(durationNanos, commitNanos[transactions() - 1] - startedNanos);
        }

        long changesPerSecond() {
            return Throughput.perSecond(changes(), elapsedNanos());
        }
    }
}
