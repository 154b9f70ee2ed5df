package capture;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts the capture route from its last stored position when a change did not reach Kafka: Kafka refused it
 * (AcknowledgedKafkaPublisher), or the route failed on it before sending it ({@link #failedBeforeKafka}). Debezium
 * resumes from the last position whose changes are all in Kafka and emits the rest again; the loader skips what it
 * already has. The pause before the restart doubles while restarts keep failing, up to a minute, and is back to the
 * first once Kafka takes a change.
 */
public final class CaptureRestarts {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureRestarts.class);

    private static final Duration FIRST_PAUSE = Duration.ofSeconds(2);
    private static final Duration LONGEST_PAUSE = Duration.ofMinutes(1);

    private final AtomicBoolean restarting = new AtomicBoolean();
    private volatile Duration pause = FIRST_PAUSE;

    /**
     * The route failed on a change before it reached Kafka: a value nothing expected, or a bug. It must not be
     * skipped (camel-debezium would count it as done), so no position is stored from now on, nothing after it is
     * sent, and the capture restarts and meets it again. Retrying it in place instead would have Camel's error handler
     * copy every change at each step of the route, in case one fails.
     */
    public void failedBeforeKafka(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Exception error = caught != null ? caught : new IllegalStateException("the route gave no exception");
        boolean first = PublishTracker.active().map(tracker -> tracker.failedBeforeSending(error)).orElse(true);
        if (first) {
            restartLater(exchange.getContext(), exchange.getFromRouteId(), "a change failed in the capture route ("
                    + error.getMessage() + ")", error);
        }
    }

    /** Kafka took a change: a later failure starts over with the first pause. */
    void kafkaTookAChange() {
        pause = FIRST_PAUSE;
    }

    /**
     * Restarts the route on a thread of its own: not Debezium's, which the stop waits for, nor Kafka's. One restart at
     * a time; {@code what} says why, in the log, with the stack trace of {@code unexpected} when not null.
     */
    void restartLater(CamelContext context, String routeId, String what, Exception unexpected) {
        if (!restarting.compareAndSet(false, true)) {
            return;
        }
        Duration wait = pause;
        pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        LOG.warn("{}: the capture position stays at the last one whose changes are all in Kafka, and the capture"
                + " restarts from it in {} s", Character.toUpperCase(what.charAt(0)) + what.substring(1), wait.toSeconds(),
                unexpected);
        Thread restart = new Thread(() -> {
            try {
                context.getRouteController().stopRoute(routeId);
                Thread.sleep(wait.toMillis());
                context.getRouteController().startRoute(routeId);
                LOG.info("Capture restarted after {}", what.replaceFirst(" \\(.*", ""));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.error("Could not restart the capture after {}: {}", what, e.getMessage(), e);
            } finally {
                restarting.set(false);
            }
        }, "capture-restart");
        restart.setDaemon(true);
        restart.start();
    }
}
