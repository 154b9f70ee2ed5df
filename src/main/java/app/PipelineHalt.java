package app;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the whole pipeline when one of its stages cannot go on without losing or inventing changes, so
 * that it never runs on looking alive: the reason is logged once at ERROR, with the fix, and the process
 * exits with {@link #EXIT_CODE}. A stage that halts must not have moved past the change at fault (the load
 * does not commit the batch; the capture does not store a position past it), so a restart after the fix
 * resumes exactly there.
 */
public final class PipelineHalt {

    /** Where the routes' beans find it. */
    public static final String BEAN = "pipelineHalt";

    /** The exit code of a run that halted: 1, as 2 is a refusal to start. */
    public static final int EXIT_CODE = 1;

    private static final Logger LOG = LoggerFactory.getLogger("pipeline");

    private final AtomicReference<String> reason = new AtomicReference<>();
    private final Runnable stop;

    /** @param stop ends the run; called once, on a thread of its own, as it waits for the routes to stop */
    public PipelineHalt(Runnable stop) {
        this.stop = stop;
    }

    /** Halts the pipeline, unless it is halting already. {@code reason} says what happened and how to fix it. */
    public void halt(String reason) {
        if (!this.reason.compareAndSet(null, reason)) {
            return;
        }
        LOG.error("The pipeline stops: {}", reason);
        Thread stopping = new Thread(stop, "pipeline-halt");
        stopping.setDaemon(true);
        stopping.start();
    }

    /** Why the pipeline halted, if it did. */
    public Optional<String> reason() {
        return Optional.ofNullable(reason.get());
    }
}
