package opensky.simulator;

import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Faults queued for the simulator's next {@code /states/all} calls, one per call in the order given,
 * so a test states exactly what OpenSky does next: {@code simulator.faults().next(Fault.STATUS_503)}.
 */
public final class Faults {

    private final Queue<Fault> queued = new ConcurrentLinkedQueue<>();

    /** The next call that has no fault before it shows this one. */
    public Faults next(Fault fault) {
        queued.add(fault);
        return this;
    }

    public Faults slow(Duration delay) {
        return next(Fault.slow(delay));
    }

    public Faults malformedBody(String body) {
        return next(Fault.malformedBody(body));
    }

    public Faults rateLimited(long retryAfterSeconds) {
        return next(Fault.rateLimited(retryAfterSeconds));
    }

    /** Faults not yet shown. */
    public int pending() {
        return queued.size();
    }

    Optional<Fault> take() {
        return Optional.ofNullable(queued.poll());
    }
}
