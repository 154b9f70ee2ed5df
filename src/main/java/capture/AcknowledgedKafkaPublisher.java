package capture;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each change to a camel-kafka producer and returns without waiting for Kafka's answer,
 * so the capture is not limited to one network round trip per change. Kafka keeps the order
 * (idempotent producer, one partition per key). Safety does not rest on this class returning
 * late but on {@link AcknowledgedOffsetStore}: Debezium's position is stored only after every
 * change handed over before it is acknowledged.
 *
 * <p>What awaits Kafka's answer is bounded before compression ({@link InFlightBudget}): past that, the capture waits.
 *
 * <p>When Kafka refuses a change (the broker away longer than the producer may block, its buffer
 * full), no position is stored from then on, the changes that follow are not sent, and the capture
 * route is restarted after a pause ({@link CaptureRestarts}).
 *
 * <p>A change larger than Kafka takes ({@link RecordSizeLimit}) halts the pipeline instead: a restart would
 * stop at it again, and no change after it may be sent before it. It is measured before it is sent, so
 * nothing after it reaches Kafka; no position past it is stored, so a start after the limit is raised
 * resumes from it.
 */
public final class AcknowledgedKafkaPublisher extends ServiceSupport implements Processor, CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(AcknowledgedKafkaPublisher.class);

    /** The prefix of camel-kafka's own headers (topic override, key, partition, timestamp). */
    private static final String KAFKA_HEADERS = "kafka.";

    private final int maxRecordBytes;
    private final Map<String, Object> kafkaClient;
    private final String endpointUri;
    private final Consumer<String> halt;
    private volatile PublishTracker tracker = new PublishTracker();
    private final long inFlightBytes;
    private final Duration maxBlock;
    private volatile InFlightBudget budget;
    private CamelContext camelContext;
    private AsyncProducer producer;
    private RecordSizeLimit sizeLimit;
    private final Consumer<String> acknowledged;
    private final CaptureRestarts restarts;
    private volatile String routeId;

    /**
     * @param maxRecordBytes the producer's limit on a record ({@code flightcdc.kafka.max-record-bytes})
     * @param inFlightBytes how much may await Kafka's answer, before compression (see InFlightBudget): at least twice
     *                      {@code maxRecordBytes}
     * @param maxBlock how long a change waits for that room ({@code flightcdc.kafka.max-block-ms}) before the capture restarts
     * @param kafkaClient the cluster and how to speak to it, to ask the largest record each topic takes (see RecordSizeLimit)
     * @param halt stops the pipeline, with the reason and the fix
     * @param acknowledged told the topic of each record Kafka acknowledged (the metrics)
     * @param restarts restarts the capture when Kafka refuses a change
     */
    public AcknowledgedKafkaPublisher(int maxRecordBytes, long inFlightBytes, Duration maxBlock, Map<String, Object> kafkaClient,
                                      String endpointUri, Consumer<String> halt, Consumer<String> acknowledged,
                                      CaptureRestarts restarts) {
        this.maxRecordBytes = maxRecordBytes;
        this.inFlightBytes = inFlightBytes;
        this.maxBlock = maxBlock;
        this.kafkaClient = Map.copyOf(kafkaClient);
        this.endpointUri = endpointUri;
        this.halt = halt;
        this.acknowledged = acknowledged;
        this.restarts = restarts;
    }

    @Override
    public void process(Exchange exchange) {
        PublishTracker tracker = this.tracker;
        routeId = exchange.getFromRouteId();
        if (tracker.failure().isPresent()) {
            // Not sent: no position is stored past the refused change, and the restart emits this one again.
            return;
        }
        List<SnapshotStart.Truncate> truncates = exchange.getMessage().getHeader(SnapshotStart.TRUNCATES, List.class);
        if (truncates != null) {
            for (SnapshotStart.Truncate truncate : truncates) {
                Exchange send = new DefaultExchange(camelContext);
                send.getMessage().setHeader(KafkaConstants.OVERRIDE_TOPIC, truncate.topic());
                send.getMessage().setHeader(KafkaConstants.PARTITION_KEY, truncate.partition());
                send.getMessage().setBody(truncate.value());
                send(tracker, send);
            }
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
        send(tracker, send);
    }

    private void send(PublishTracker tracker, Exchange send) {
        String topic = send.getMessage().getHeader(KafkaConstants.OVERRIDE_TOPIC, String.class);
        String tooLarge = sizeLimit.refusal(topic, send.getMessage().getHeader(KafkaConstants.KEY, byte[].class),
                // The body as it is: getBody(byte[].class) asks Camel's type converters first, on every change.
                send.getMessage().getBody() instanceof byte[] value ? value : null);
        if (tooLarge != null) {
            // Not sent, and nothing after it: no position is stored past it, and the pipeline stops.
            tracker.completed(tracker.begin(), new RecordTooLargeException(haltAt(tooLarge)));
            return;
        }
        // A list is sent as a record per element: a transaction's ends, a TRUNCATE's copies (see DebeziumJsonEnvelope).
        int records = send.getMessage().getBody() instanceof List<?> list ? list.size() : 1;
        InFlightBudget budget = this.budget;
        int units = InFlightBudget.unitsOf(send.getMessage());
        try {
            if (!budget.take(units, maxBlock)) {
                // As Kafka's send refuses a record when its buffer stays full: not sent, and the capture restarts.
                answered(tracker, tracker.begin(), topic, 0, new TimeoutException("Kafka has not acknowledged the "
                        + (budget.bytes() >> 20) + " MiB of changes sent before this one within flightcdc.kafka.max-block-ms ("
                        + maxBlock.toMillis() + " ms)"));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answered(tracker, tracker.begin(), topic, 0, new InterruptedException("interrupted while Kafka's answers were awaited"));
            return;
        }
        long ticket = tracker.begin();
        producer.process(send, doneSync -> {
            budget.giveBack(units);
            answered(tracker, ticket, topic, records, send.getException());
        });
    }

    /** Kafka answered a send of {@code records} records to {@code topic}: {@code error} is null when they are acknowledged. */
    private void answered(PublishTracker tracker, long ticket, String topic, int records, Exception error) {
        boolean first = error != null && tracker.failure().isEmpty();
        tracker.completed(ticket, error);
        if (error == null) {
            for (int i = 0; i < records; i++) {
                acknowledged.accept(topic);
            }
            restarts.kafkaTookAChange();
        }
        if (first && tooLarge(error)) {
            // The broker's limit is lower than it said, or was lowered since: a restart would stop here again.
            haltAt("a change for " + topic + " is larger than Kafka accepts (" + error.getMessage() + ")");
        } else if (first) {
            restarts.restartLater(camelContext, routeId, "Kafka refused a change (" + error.getMessage() + ")", null);
        }
    }

    /** Kafka's answer to a record over the producer's max.request.size or the broker's message.max.bytes. */
    private static boolean tooLarge(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException) {
                return true;
            }
        }
        return false;
    }

    /** Halts the pipeline at a change too large for Kafka; returns the reason given, with the fix. */
    private String haltAt(String tooLarge) {
        String reason = Character.toUpperCase(tooLarge.charAt(0)) + tooLarge.substring(1) + ". Nothing after it was sent"
                + " and the capture's position stays before it: raise flightcdc.kafka.max-record-bytes (now " + maxRecordBytes
                + ") and, with an external Kafka, the topic's max.message.bytes or the broker's message.max.bytes, then"
                + " start again: the capture resumes from this change";
        halt.accept(reason);
        return reason;
    }

    public PublishTracker tracker() {
        return tracker;
    }

    @Override
    protected void doStart() throws Exception {
        sizeLimit = new RecordSizeLimit(maxRecordBytes, kafkaClient);
        producer = camelContext.getEndpoint(endpointUri).createAsyncProducer();
        ServiceHelper.startService(producer);
        // A fresh count: sends of an earlier start answer to the tracker they began on.
        tracker = new PublishTracker();
        // Fresh too: the sends of an earlier start give their share back to the budget they took it from.
        budget = new InFlightBudget(inFlightBytes);
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
        sizeLimit.close();
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
