package source;

import java.sql.SQLException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.StartupException;

/**
 * The startup checks of {@link ReplicationPreflight}, kept while the pipeline runs: a replication slot dropped
 * (and perhaps created again), read by someone else or invalidated, a publication that lost a captured table, a
 * captured table renamed. Each means changes the capture will never see, so the pipeline halts with the reason
 * and the fix instead of carrying on past the gap. A source that cannot be reached for the moment is not such a
 * case: Debezium waits for it, and the check is made again later.
 */
public final class SourceGuard {

    private static final Logger LOG = LoggerFactory.getLogger(SourceGuard.class);

    private final ReplicationPreflight preflight;
    private final Consumer<String> halt;

    /** @param halt stops the pipeline, given what happened and how to fix it */
    public SourceGuard(ReplicationPreflight preflight, Consumer<String> halt) {
        this.preflight = preflight;
        this.halt = halt;
    }

    /** Every check, on the monitor's timer. */
    public void check() throws SQLException {
        try {
            preflight.check();
        } catch (StartupException e) {
            halt.accept(e.getMessage());
        }
    }

    /**
     * The slot's checks, as Debezium is about to resume from its stored position. Throws when it must not: Debezium
     * would otherwise create a missing slot anew and stream on from the present, past every change in between.
     */
    public void checkBeforeResuming() {
        try {
            preflight.checkSlot();
        } catch (StartupException e) {
            halt.accept(e.getMessage());
            throw new IllegalStateException(e.getMessage(), e);
        } catch (SQLException e) {
            LOG.debug("Could not check the replication slot before Debezium resumes ({}); Debezium's own connection"
                    + " waits for the source", e.getMessage());
        }
    }
}
