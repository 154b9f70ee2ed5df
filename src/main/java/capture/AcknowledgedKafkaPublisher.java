package capture;

import app.PipelineHalt;
import java.time.Duration;
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
 * <p>A change larger than Kafka takes ({@link RecordSizeLimit}) halts the pipeline: every later change
 * would wait behind it for ever, and none may be sent before it. Nothing after it is sent and no position
 * past it is stored, so a start after the limit is raised resumes from it.
 */
public final class AcknowledgedKafkaPublisher extends ServiceSupport implements Processor, CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(AcknowledgedKafkaPublisher.class);

    /** The prefix of camel-kafka's own headers (topic override, key, partition, timestamp). */
    private static final String KAFKA_HEADERS = "kafka.";

    private final int maxRecordBytes;
    private final String bootstrapServers;
    private final String endpointUri;
    /** Made anew each time the route starts: a failure is the run's until a restart resumes before it. */
    private volatile PublishTracker tracker = new PublishTracker();
    private CamelContext camelContext;
    private AsyncProducer producer;
    private RecordSizeLimit sizeLimit;
    private PipelineHalt halt;

    /**
     * @param maxRecordBytes the producer's limit on a record ({@code flightcdc.kafka.max-record-bytes})
     * @param bootstrapServers where to ask the largest record each topic takes (see RecordSizeLimit)
     */
    public AcknowledgedKafkaPublisher(int maxRecordBytes, String bootstrapServers, String endpointUri) {
        this.maxRecordBytes = maxRecordBytes;
        this.bootstrapServers = bootstrapServers;
        this.endpointUri = endpointUri;
    }

    @Override
    public void process(Exchange exchange) {
        PublishTracker tracker = this.tracker;
        tracker.failure().ifPresent(failure -> {
            throw new PublishTracker.PublishFailedException(failure);
        });
        // The consumer may reuse its exchange once the route returns; Kafka's answer comes later. Only
        // the body and the kafka.* headers travel: a full copy of Debezium's headers costs more than the send.
        Exchange send = new DefaultExchange(camelContext);
        send.getMessage().setBody(exchange.getMessage().getBody());
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (name.startsWith(KAFKA_HEADERS)) {
                send.getMessage().setHeader(name, value);
            }
        });
        String topic = exchange.getMessage().getHeader(KafkaConstants.OVERRIDE_TOPIC, String.class);
        String tooLarge = sizeLimit.refusal(topic, exchange.getMessage().getHeader(KafkaConstants.KEY, byte[].class),
                exchange.getMessage().getBody(byte[].class));
        if (tooLarge != null) {
            RecordTooLargeException refused = new RecordTooLargeException(haltAt(tooLarge));
            tracker.completed(tracker.begin(), refused);
            throw new PublishTracker.PublishFailedException(refused);
        }
        long ticket = tracker.begin();
        producer.process(send, doneSync -> {
            Exception error = send.getException();
            if (error != null && tracker.failure().isEmpty()) {
                if (tooLarge(error)) {
                    // The broker's limit is lower than it said, or was lowered since.
                    haltAt("a change for " + topic + " is larger than Kafka accepts (" + error.getMessage() + ")");
                } else {
                    LOG.error("Kafka refused a change ({}); the capture position will not move past it. Restart to"
                            + " resume from the last position whose changes are all in Kafka.", error.getMessage());
                }
            }
            tracker.completed(ticket, error);
        });
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
        if (halt != null) {
            halt.halt(reason);
        } else {
            LOG.error(reason);
        }
        return reason;
    }

    public PublishTracker tracker() {
        return tracker;
    }

    @Override
    protected void doStart() throws Exception {
        tracker = new PublishTracker();
        sizeLimit = new RecordSizeLimit(maxRecordBytes, bootstrapServers);
        halt = camelContext.getRegistry().lookupByNameAndType(PipelineHalt.BEAN, PipelineHalt.class);
        producer = camelContext.getEndpoint(endpointUri).createAsyncProducer();
        ServiceHelper.startService(producer);
        PublishTracker.activate(tracker);
    }

    @Override
    protected void doStop() throws Exception {
        try {
            tracker.awaitAcknowledged(Duration.ofSeconds(30));
        } catch (Exception e) {
            LOG.warn("Stopping with changes Kafka has not acknowledged ({}); they are captured again on the next start",
                    e.getMessage());
        }
        PublishTracker.deactivate(tracker);
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
