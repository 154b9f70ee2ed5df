package embedded;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What was started or opened, one after another, to be stopped the other way round: what uses a service
 * stops before the service does. A failure to stop one is logged and the rest still stop.
 */
public final class StopOrder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StopOrder.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    /** Stops {@code service} before everything added earlier; returns it. */
    public synchronized <T extends AutoCloseable> T add(T service) {
        started.push(service);
        return service;
    }

    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable service = started.pop();
            try {
                service.close();
            } catch (Exception e) {
                LOG.warn("Could not stop {} cleanly: {}", service.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
