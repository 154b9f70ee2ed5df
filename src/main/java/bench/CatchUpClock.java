package bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clocks a reader catching up on a stretch of WAL written before it started: when its first record
 * arrives and when it holds them all, by polling its record count. Each time is the first poll that
 * saw it, so it is late by at most one poll interval plus one read, the same for every reader.
 */
final class CatchUpClock {

    private static final Logger LOG = LoggerFactory.getLogger(CatchUpClock.class);

    /** Throws when the reader is known to be gone (its process exited), rather than waiting for a stall. */
    @FunctionalInterface
    interface Liveness {
        void check();
    }

    /** System.nanoTime() when the reader was started, when its first record and when its last one was seen. */
    record Timeline(long startedNanos, long firstNanos, long lastNanos) {

        long startToFirstNanos() {
            return firstNanos - startedNanos;
        }

        long firstToLastNanos() {
            return lastNanos - firstNanos;
        }

        long startToLastNanos() {
            return lastNanos - startedNanos;
        }
    }

    /** The machine's 1-minute load average (-1 where the system does not tell), to tell a quiet run from a crowded one. */
    static double loadAverage() {
        return Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
    }

    private final Duration pollEvery;
    private final Duration stallTimeout;
    private final Duration progressEvery;

    CatchUpClock(Duration pollEvery, Duration stallTimeout, Duration progressEvery) {
        this.pollEvery = pollEvery;
        this.stallTimeout = stallTimeout;
        this.progressEvery = progressEvery;
    }

    /**
     * Waits until {@code count} reaches {@code baseline + records}, the reader having been started at
     * {@code startedNanos}; the first record is the first poll above {@code baseline}.
     *
     * @throws IllegalStateException when the count did not move for the stall timeout (a reader's
     *                               start-up included) or {@code liveness} says the reader is gone
     */
    Timeline await(String reader, long startedNanos, StageClock.Count count, long baseline, long records,
                   Liveness liveness) throws Exception {
        long target = baseline + records;
        long first = 0;
        long lastMove = startedNanos;
        long lastReport = startedNanos;
        long lastCount = baseline;
        while (true) {
            long n = count.read();
            long now = System.nanoTime();
            if (first == 0 && n > baseline) {
                first = now;
                LOG.info("{}: first record after {} s", reader, Throughput.seconds(now - startedNanos));
            }
            if (n >= target) {
                LOG.info("{}: all {} records after {} s", reader, records, Throughput.seconds(now - startedNanos));
                return new Timeline(startedNanos, first, now);
            }
            liveness.check();
            if (n != lastCount) {
                lastCount = n;
                lastMove = now;
            } else if (now - lastMove > stallTimeout.toNanos()) {
                throw new IllegalStateException(reader + ": nothing moved for " + stallTimeout.toSeconds() + " s; "
                        + (n - baseline) + " of " + records + " records");
            }
            if (now - lastReport >= progressEvery.toNanos()) {
                lastReport = now;
                LOG.info("{}: {} of {} records", reader, n - baseline, records);
            }
            TimeUnit.NANOSECONDS.sleep(pollEvery.toNanos());
        }
    }
}
