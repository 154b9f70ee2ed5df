package e2e;

import java.nio.file.Path;
import org.testcontainers.containers.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * {@link ExternalServicesEndToEndTest} on the official images, postgres:17 and apache/kafka, in containers: wherever a
 * Docker engine runs (GitHub's runners); skipped, with the reason, where none does.
 */
@Testcontainers(disabledWithoutDocker = true)
class ExternalServicesOnContainersEndToEndTest extends ExternalServicesEndToEndTest {

    @Override
    protected TheirServers startTheirServers(Path dir) {
        PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:17").withCommand("postgres", "-c", "wal_level=logical");
        KafkaContainer kafka = new KafkaContainer("apache/kafka:3.9.1");
        postgres.start();
        allowReplicationFromOutside(postgres);
        kafka.start();
        return new TheirServers(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword(),
                kafka.getBootstrapServers(), () -> {
                    kafka.stop();
                    postgres.stop();
                });
    }

    /**
     * The image lets replication connections in from its own host only (its pg_hba.conf's "all" does not cover them),
     * and the pipeline's come from outside, as from a user's host.
     */
    private static void allowReplicationFromOutside(PostgreSQLContainer postgres) {
        try {
            Container.ExecResult result = postgres.execInContainer("sh", "-c",
                    "echo 'host replication all all scram-sha-256' >> \"$PGDATA/pg_hba.conf\""
                            + " && psql -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\" -c 'SELECT pg_reload_conf()'");
            if (result.getExitCode() != 0) {
                throw new IllegalStateException("Cannot allow replication connections: " + result.getStderr());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
