package capture;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each change to a camel-kafka producer and returns without waiting for Kafka's answer,
 * so the capture is not limited to one network round trip per change. Kafka keeps the order
 * (idempotent producer, one partition per key). Safety does not rest on this class returning
 * late but on {@link AcknowledgedOffsetStore}: Debezium's position is stored only after every
 * change handed over before it is acknowledged.
 *
 * <p>When Kafka refuses a change (the broker away longer than the producer may block, its buffer
 * full), no position is stored from then on, the changes that follow are not sent, and the capture
 * route is restarted after a pause: Debezium resumes from the last position whose changes are all in
 * Kafka and emits the rest again. The pause doubles while restarts keep failing, up to a minute.
 */
public final class AcknowledgedKafkaPublisher extends ServiceSupport implements Processor, CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(AcknowledgedKafkaPublisher.class);

    /** The prefix of camel-kafka's own headers (topic override, key, partition, timestamp). */
    private static final String KAFKA_HEADERS = "kafka.";

    private static final Duration FIRST_PAUSE = Duration.ofSeconds(2);
    private static final Duration LONGEST_PAUSE = Duration.ofMinutes(1);

    private final String endpointUri;
    private volatile PublishTracker tracker = new PublishTracker();
    private CamelContext camelContext;
    private AsyncProducer producer;
    private volatile String routeId;
    private final AtomicBoolean restarting = new AtomicBoolean();
    /** Grows while restarts fail one after the other; back to the first pause once Kafka takes a change. */
    private volatile Duration pause = FIRST_PAUSE;

    public AcknowledgedKafkaPublisher(String endpointUri) {
        this.endpointUri = endpointUri;
    }

    @Override
    public void process(Exchange exchange) {
        PublishTracker tracker = this.tracker;
        routeId = exchange.getFromRouteId();
        if (tracker.failure().isPresent()) {
            // Not sent: no position is stored past the refused change, and the restart emits this one again.
            return;
        }
        // The consumer may reuse its exchange once the route returns; Kafka's answer comes later. Only
        // the body and the kafka.* headers travel: a full copy of Debezium's headers costs more than the send.
        Exchange send = new DefaultExchange(camelContext);
        send.getMessage().setBody(exchange.getMessage().getBody());
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (name.startsWith(KAFKA_HEADERS)) {
                send.getMessage().setHeader(name, value);
            }
        });
        long ticket = tracker.begin();
        producer.process(send, doneSync -> {
            Exception error = send.getException();
            boolean first = error != null && tracker.failure().isEmpty();
            tracker.completed(ticket, error);
            if (error == null) {
                pause = FIRST_PAUSE; // Kafka takes changes again: a later failure starts over with the first pause
            }
            if (first) {
                restartLater(error);
            }
        });
    }

    /** Restarts the capture route on a thread of its own: not Debezium's, which the stop waits for, nor Kafka's. */
    private void restartLater(Exception error) {
        if (!restarting.compareAndSet(false, true)) {
            return;
        }
        Duration wait = pause;
        pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        LOG.warn("Kafka refused a change ({}); the capture position stays at the last one whose changes are all in"
                + " Kafka, and the capture restarts from it in {} s", error.getMessage(), wait.toSeconds());
        Thread restart = new Thread(() -> {
            try {
                camelContext.getRouteController().stopRoute(routeId);
                Thread.sleep(wait.toMillis());
                camelContext.getRouteController().startRoute(routeId);
                LOG.info("Capture restarted after Kafka refused a change");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.error("Could not restart the capture after Kafka refused a change: {}", e.getMessage(), e);
            } finally {
                restarting.set(false);
            }
        }, "capture-restart");
        restart.setDaemon(true);
        restart.start();
    }

    public PublishTracker tracker() {
        return tracker;
    }

    @Override
    protected void doStart() throws Exception {
        producer = camelContext.getEndpoint(endpointUri).createAsyncProducer();
        ServiceHelper.startService(producer);
        // A fresh count: sends of an earlier start answer to the tracker they began on.
        tracker = new PublishTracker();
        PublishTracker.activate(tracker);
    }

    @Override
    protected void doStop() throws Exception {
        try {
            tracker.awaitAcknowledged(Duration.ofSeconds(30));
            PublishTracker.deactivate(tracker);
        } catch (Exception e) {
            // It stays active, so that no position is stored until the next start replaces it.
            LOG.warn("Stopping with changes Kafka has not acknowledged ({}); they are captured again on the next start",
                    e.getMessage());
        }
        ServiceHelper.stopService(producer);
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }
}
