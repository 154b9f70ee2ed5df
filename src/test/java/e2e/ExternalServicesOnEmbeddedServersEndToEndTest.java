package e2e;

import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;

/** {@link ExternalServicesEndToEndTest} on PostgreSQL 17 and a Kafka broker of the project's own: runs everywhere. */
class ExternalServicesOnEmbeddedServersEndToEndTest extends ExternalServicesEndToEndTest {

    @Override
    protected TheirServers startTheirServers(Path dir) {
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("their-postgres"), FreePorts.one());
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("their-kafka"), FreePorts.pair());
        return new TheirServers(postgres.jdbcUrl(), postgres.user(), postgres.password(), kafka.bootstrapServers(), () -> {
            kafka.close();
            postgres.close();
        });
    }
}
