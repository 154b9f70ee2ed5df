package monitor;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** Whether the Kafka cluster answers, asked with a client of its own so that a busy loader does not hide it. */
public final class KafkaHealth implements ReadinessCheck.Probe, AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    private final String bootstrapServers;

    /** @param kafkaClient the cluster and how to speak to it (PipelineSettings.Kafka#clientProperties) */
    public KafkaHealth(Map<String, Object> kafkaClient, String bootstrapServers) {
        this.admin = KafkaAdmin.create(kafkaClient, "flightcdc-health", TIMEOUT);
        this.bootstrapServers = bootstrapServers;
    }

    @Override
    public Optional<String> problem() throws InterruptedException {
        try {
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .nodes().get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS).size();
            return brokers > 0 ? Optional.empty() : Optional.of("Kafka at " + bootstrapServers + " has no broker");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            return Optional.of("Kafka at " + bootstrapServers + " cannot be reached within " + TIMEOUT.toSeconds()
                    + " s: " + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
