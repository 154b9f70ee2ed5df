package monitor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the warehouse takes the loader's writes: the load route tells each failed attempt (its error handler retries
 * it), the loader each write that succeeded. DOWN from a failure until the next success.
 */
public final class LoadHealth implements ReadinessCheck.Probe {

    private static final Logger LOG = LoggerFactory.getLogger("load");

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

    public void failed(Exception e) {
        // Camel wraps an Error (an OutOfMemoryError, say) thrown by a bean in an exception whose message names only the
        // exchange, and its error handler logs that: the cause is said here.
        Throwable cause = e instanceof CamelExecutionException && e.getCause() != null ? e.getCause() : e;
        String failure = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage().strip());
        if (cause != e) {
            LOG.warn("A load failed with {}; it is retried", failure);
        }
        synchronized (this) {
            failedAt = clock.instant();
            this.failure = failure;
        }
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
