package monitor;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** A Kafka admin client of the pipeline's, named for what it does, that waits at most {@code timeout} for an answer. */
public final class KafkaAdmin {

    private KafkaAdmin() {
    }

    /** @param kafkaClient the cluster and how to speak to it (PipelineSettings.Kafka#clientProperties) */
    public static Admin create(Map<String, Object> kafkaClient, String clientId, Duration timeout) {
        Map<String, Object> properties = new HashMap<>(kafkaClient);
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return Admin.create(properties);
    }
}
