package monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * Whether the warehouse takes the loader's writes: the load route tells each failed attempt (its error handler retries
 * it), the loader each write that succeeded. DOWN from a failure until the next success.
 */
public final class LoadHealth implements ReadinessCheck.Probe {

    private final Clock clock;
    private Instant failedAt;
    private String failure;

    public LoadHealth(Clock clock) {
        this.clock = clock;
    }

    /** An attempt at a load failed; Camel's error handler passes the exchange it will retry. */
    public void failed(Exchange attempt) {
        Exception e = attempt.getException() != null ? attempt.getException()
                : attempt.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        failed(e == null ? new IllegalStateException("no exception recorded") : e);
    }

    public synchronized void failed(Exception e) {
        failedAt = clock.instant();
        failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage().strip());
    }

    public synchronized void succeeded() {
        failedAt = null;
        failure = null;
    }

    @Override
    public synchronized Optional<String> problem() {
        if (failedAt == null) {
            return Optional.empty();
        }
        return Optional.of("the last load into the warehouse failed " + Duration.between(failedAt, clock.instant()).toSeconds()
                + " s ago and is being retried: " + failure);
    }
}
