package capture;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest change record each topic takes, checked before the change is handed to the producer: the
 * pipeline's own limit ({@code flightcdc.kafka.max-record-bytes}, the producer's max.request.size) or the
 * topic's max.message.bytes, whichever is smaller. A record the broker refuses has the records after it
 * already on their way, and Kafka would hold them without it; refused here, the capture sends nothing
 * after it.
 *
 * <p>A topic's limit is read once per capture start (a topic not created yet takes the broker's
 * message.max.bytes); where Kafka does not say (no permission to describe configs), only the pipeline's
 * own limit is checked here, and the broker's refusal still stops the capture.
 */
final class RecordSizeLimit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordSizeLimit.class);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private static final Header[] NO_HEADERS = new Header[0];

    private final int configured;
    private final Admin admin;
    private final Map<String, Limit> limits = new ConcurrentHashMap<>();

    /** What a record must fit, and which setting says so. */
    private record Limit(int bytes, String setting) {
    }

    /** @param kafkaClient the cluster and how to speak to it (PipelineSettings.Kafka#clientProperties) */
    RecordSizeLimit(int configured, Map<String, Object> kafkaClient) {
        this.configured = configured;
        Map<String, Object> properties = new HashMap<>(kafkaClient);
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ASK_TIMEOUT.toMillis());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ASK_TIMEOUT.toMillis());
        this.admin = Admin.create(properties);
    }

    /** Null when the record fits {@code topic}; else why not, naming the limit it is over. */
    String refusal(String topic, byte[] key, byte[] value) {
        // As the producer measures a record against max.request.size: its batch, uncompressed, at most.
        int size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key, value, NO_HEADERS);
        Limit limit = limits.computeIfAbsent(topic, this::limitOf);
        return size <= limit.bytes() ? null : "a change for " + topic + " of " + size + " bytes is larger than "
                + limit.setting() + " (" + limit.bytes() + ")";
    }

    private Limit limitOf(String topic) {
        Limit own = new Limit(configured, "flightcdc.kafka.max-record-bytes");
        try {
            int broker = topicLimit(topic);
            return broker < configured ? new Limit(broker, "the topic's max.message.bytes") : own;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("Cannot read the largest record topic {} takes ({}): only flightcdc.kafka.max-record-bytes is checked"
                    + " before sending", topic, e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            return own;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return own;
        }
    }

    private int topicLimit(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        try {
            return configValue(new ConfigResource(ConfigResource.Type.TOPIC, topic), "max.message.bytes");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw e;
            }
            // Created on the first send, with the broker's default.
            Collection<Node> nodes = admin.describeCluster().nodes().get(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            String node = String.valueOf(nodes.iterator().next().id());
            return configValue(new ConfigResource(ConfigResource.Type.BROKER, node), "message.max.bytes");
        }
    }

    private int configValue(ConfigResource resource, String name)
            throws ExecutionException, InterruptedException, TimeoutException {
        Config config = admin.describeConfigs(List.of(resource)).all()
                .get(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource);
        ConfigEntry entry = config.get(name);
        return Integer.parseInt(entry.value());
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
