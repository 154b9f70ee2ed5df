package capture;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 * like a broker that is away. Each gets the configured partitions ({@code flightcdc.kafka.partitions}), and one that
 * exists must have that many: the capture puts a key's changes in the partition its hash picks among them
 * ({@link KeyPartitioner}), and the end markers of partition p of the change topics in partition p of the
 * transaction topic. Another count would send a key's next changes to another partition than its earlier ones, and
 * the loader could apply them out of order.
 */
public final class ChangeTopics {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeTopics.class);
    private static final long TIMEOUT_SECONDS = 30;

    private ChangeTopics() {
    }

    private static String fix(Throwable cause) {
        if (cause instanceof TopicAuthorizationException || cause instanceof ClusterAuthorizationException) {
            return ". Fix: allow the pipeline's Kafka user to create topics (Create on the cluster, or on topics with"
                    + " the prefix of flightcdc.kafka.topic-prefix), or create them yourself, each with"
                    + " flightcdc.kafka.partitions partitions";
        }
        if (cause instanceof InvalidReplicationFactorException) {
            return ". Fix: flightcdc.kafka.replication-factor must be at most the number of brokers";
        }
        return "";
    }

    /**
     * @param partitions the partitions each topic has, or is made with
     * @param replicationFactor copies of each new topic; empty: the cluster's default.replication.factor
     */
    public static void createMissing(Admin admin, List<String> topics, int partitions, Optional<Short> replicationFactor)
            throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            checkPartitions(admin, topics.stream().filter(existing::contains).toList(), partitions);
            List<NewTopic> missing = topics.stream().filter(topic -> !existing.contains(topic))
                    .map(topic -> new NewTopic(topic, Optional.of(partitions), replicationFactor)).toList();
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
            LOG.info("Created Kafka topic{} {} ({} partition{}, replication factor {})", missing.size() == 1 ? "" : "s",
                    missing.stream().map(NewTopic::name).toList(), partitions, partitions == 1 ? "" : "s",
                    replicationFactor.map(String::valueOf).orElse("of the cluster's default"));
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StartupException("Cannot create the change topics " + topics + " in Kafka: " + cause.getMessage()
                    + fix(cause), e);
        }
    }

    private static void checkPartitions(Admin admin, List<String> topics, int partitions)
            throws ExecutionException, TimeoutException, InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        Map<String, Integer> other = new TreeMap<>();
        admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).forEach((topic, d) -> {
            if (d.partitions().size() != partitions) {
                other.put(topic, d.partitions().size());
            }
        });
        if (!other.isEmpty()) {
            throw new StartupException("Kafka topics " + other + " (topic=partitions) exist with another number of"
                    + " partitions than flightcdc.kafka.partitions = " + partitions + ". A row's changes go to the partition"
                    + " its key picks among them: with another count its next changes would go to another partition than"
                    + " its earlier ones, and could be loaded before them. Nothing was captured. Fix: set"
                    + " flightcdc.kafka.partitions to the topics' count; to change the count, rebuild on new topics"
                    + " (another flightcdc.kafka.topic-prefix and flightcdc.kafka.consumer-group) into a new warehouse"
                    + " from a fresh snapshot, as docs/operations.md, \"When it stops\", describes");
        }
    }
}
