package capture;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps count of the changes handed to Kafka and not yet acknowledged, so Debezium's position is
 * stored only once every change before it is safely in Kafka. The first failed send is kept: from
 * then on no position is stored, and a restart resumes from the last position that was safe.
 *
 * <p>Debezium builds its offset store by class name, so the store finds the tracker of the running
 * capture through {@link #active()}; there is one capture per application.
 */
public final class PublishTracker {

    private static volatile PublishTracker active;

    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
    private final Object changed = new Object();
    private volatile Exception failure;

    public static Optional<PublishTracker> active() {
        return Optional.ofNullable(active);
    }

    static void activate(PublishTracker tracker) {
        active = tracker;
    }

    static void deactivate(PublishTracker tracker) {
        if (active == tracker) {
            active = null;
        }
    }

    /** Registers a send about to start; returns its ticket for {@link #completed}. */
    public long begin() {
        long ticket = sequence.incrementAndGet();
        inFlight.add(ticket);
        return ticket;
    }

    /** Kafka answered for a send: {@code error} is null when it was acknowledged. */
    public void completed(long ticket, Exception error) {
        if (error != null && failure == null) {
            failure = error;
        }
        inFlight.remove(ticket);
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    /**
     * The capture failed on a change before it was sent: as after a refusal, no position is stored from now on.
     * Returns whether this is the first failure.
     */
    public boolean failedBeforeSending(Exception error) {
        boolean first = failure == null;
        completed(begin(), new NotSentException(error));
        return first;
    }

    public Optional<Exception> failure() {
        return Optional.ofNullable(failure);
    }

    public int inFlight() {
        return inFlight.size();
    }

    /**
     * Waits until every send begun before this call is acknowledged.
     *
     * @throws PublishFailedException if any change so far did not reach Kafka
     * @throws TimeoutException if Kafka has not answered within {@code timeout}
     */
    public void awaitAcknowledged(Duration timeout) throws InterruptedException, TimeoutException {
        long upTo = sequence.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (true) {
                if (failure != null) {
                    throw new PublishFailedException(failure);
                }
                // ceiling, unlike first(), cannot race with the last acknowledgement emptying the set
                Long oldest = inFlight.ceiling(Long.MIN_VALUE);
                if (oldest == null || oldest > upTo) {
                    return;
                }
                long waitNanos = deadline - System.nanoTime();
                if (waitNanos <= 0) {
                    throw new TimeoutException(inFlight.size() + " changes sent to Kafka are still unacknowledged after "
                            + timeout.toSeconds() + " s");
                }
                changed.wait(Math.max(1, waitNanos / 1_000_000));
            }
        }
    }

    /** A change did not reach Kafka for good; the capture must not move past it. */
    public static final class PublishFailedException extends RuntimeException {
        PublishFailedException(Exception cause) {
            super(cause instanceof NotSentException ? cause.getMessage() : "Kafka refused a change: " + cause.getMessage(), cause);
        }
    }

    /** The capture failed on a change before sending it. */
    private static final class NotSentException extends Exception {
        NotSentException(Exception cause) {
            super("the capture failed on a change before sending it: " + cause.getMessage(), cause);
        }
    }
}
