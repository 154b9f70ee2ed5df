package capture;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the capture's position is being stored. Debezium only warns when a write fails, at every flush, and streams
 * on: until a write succeeds again the replication slot keeps the source's WAL from the last stored position, and a
 * restart would begin there. Told of each write by AcknowledgedOffsetStore; the readiness check asks it (monitor), and
 * it logs once when writes begin to fail and once when they work again.
 */
public final class PositionWrites {

    private static final Logger LOG = LoggerFactory.getLogger("capture");

    private final Clock clock;
    private Instant failingSince;
    private String where;
    private String cause;

    public PositionWrites(Clock clock) {
        this.clock = clock;
    }

    synchronized void succeeded() {
        if (failingSince != null) {
            LOG.info("The capture stores its position in {} again", where);
            failingSince = null;
        }
    }

    synchronized void failed(String where, RuntimeException e) {
        this.where = where;
        this.cause = e.getCause() != null && e.getCause().getMessage() != null
                ? e.getMessage() + ": " + e.getCause().getMessage() : String.valueOf(e.getMessage());
        if (failingSince == null) {
            failingSince = clock.instant();
            LOG.error("The capture cannot store its position in {} ({}): it streams on, but the replication slot keeps the"
                    + " source's WAL until a write succeeds, and a restart would begin at the last position stored", where,
                    cause);
        }
    }

    /** What is wrong, while the last write failed. */
    public synchronized Optional<String> problem() {
        if (failingSince == null) {
            return Optional.empty();
        }
        return Optional.of("the capture has not stored its position in " + where + " since " + failingSince + " (" + cause
                + "): the replication slot keeps the source's WAL from there");
    }
}
