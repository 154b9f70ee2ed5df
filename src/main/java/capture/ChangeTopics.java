package capture;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.StartupException;

/**
 * Creates the topics the capture publishes to where they are missing, before it starts: managed clusters
 * (MSK, Confluent Cloud) create no topic on first use, and a producer waiting for one that never comes looks
 * like a broker that is away. One partition each, as every test runs them: a table's changes and the
 * transaction markers each in one order.
 */
public final class ChangeTopics {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeTopics.class);
    private static final long TIMEOUT_SECONDS = 30;

    private ChangeTopics() {
    }

    private static String fix(Throwable cause) {
        if (cause instanceof TopicAuthorizationException || cause instanceof ClusterAuthorizationException) {
            return ". Fix: allow the pipeline's Kafka user to create topics (Create on the cluster, or on topics with"
                    + " the prefix of flightcdc.kafka.topic-prefix), or create them yourself, each with 1 partition";
        }
        if (cause instanceof InvalidReplicationFactorException) {
            return ". Fix: flightcdc.kafka.replication-factor must be at most the number of brokers";
        }
        return "";
    }

    /**
     * @param replicationFactor copies of each new topic; empty: the cluster's default.replication.factor
     */
    public static void createMissing(Admin admin, List<String> topics, Optional<Short> replicationFactor)
            throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(topic -> !existing.contains(topic))
                    .map(topic -> new NewTopic(topic, Optional.of(1), replicationFactor)).toList();
            if (missing.isEmpty()) {
                return;
            }
            for (var created : admin.createTopics(missing).values().entrySet()) {
                try {
                    created.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) { // made by another instance meanwhile
                        throw e;
                    }
                }
            }
            LOG.info("Created Kafka topic{} {} (1 partition, replication factor {})", missing.size() == 1 ? "" : "s",
                    missing.stream().map(NewTopic::name).toList(),
                    replicationFactor.map(String::valueOf).orElse("of the cluster's default"));
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StartupException("Cannot create the change topics " + topics + " in Kafka: " + cause.getMessage()
                    + fix(cause), e);
        }
    }
}
