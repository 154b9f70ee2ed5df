package app;

import embedded.EmbeddedServices;
import embedded.StopOrder;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.KafkaSecurity;
import settings.PipelineSettings;
import source.SourceCatalog;
import source.SourceDatabase;

/**
 * The services every stage talks to: the embedded ones, started for each piece that is not configured as
 * external, and the source PostgreSQL, with its schema migrated.
 */
public class ServicesConfiguration extends StageConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ServicesConfiguration.class);

    @BindToRegistry(lazy = true)
    public EmbeddedServices embeddedServices(PipelineSettings settings, StopOrder stopOrder) {
        return stopOrder.add(EmbeddedServices.start(settings));
    }

    @BindToRegistry(lazy = true)
    public SourceDatabase sourceDatabase(PipelineSettings settings, EmbeddedServices embedded, StopOrder stopOrder) {
        PipelineSettings.Source source = settings.source();
        SourceDatabase database = stopOrder.add(embedded.postgres().map(SourceDatabase::of)
                .orElseGet(() -> SourceDatabase.of(source)));
        // A process that only loads reads the captured tables' columns and writes nothing: the schema is the
        // capturing process's to keep.
        if (settings.capture().enabled() || settings.openSky().pollEnabled()) {
            database.migrate(source.schema(), settings.pollTables());
        }
        return database;
    }

    @BindToRegistry(lazy = true)
    public SourceCatalog sourceCatalog(SourceDatabase source) {
        return new SourceCatalog(source.dataSource());
    }

    @Override
    protected void prepare(CamelContext context) throws InterruptedException {
        PipelineSettings settings = bean(context, PipelineSettings.class);
        EmbeddedServices embedded = bean(context, EmbeddedServices.class);
        SourceDatabase source = bean(context, SourceDatabase.class);
        compute(context, "flightcdc.source.host", source.host());
        compute(context, "flightcdc.source.port", source.port());
        compute(context, "flightcdc.source.database", source.database());
        embedded.postgres().ifPresent(postgres -> {
            // The configured user and password are an external server's: Debezium logs in to the embedded one as we do.
            compute(context, "flightcdc.source.user", postgres.user());
            compute(context, "flightcdc.source.password", postgres.password());
        });
        String bootstrap = settings.kafka().bootstrapServers()
                .orElseGet(() -> embedded.kafka().orElseThrow().bootstrapServers());
        compute(context, "flightcdc.kafka.bootstrap-servers", bootstrap);
        KafkaSecurity security = settings.kafka().security();
        if (!security.plaintext()) {
            // Every kafka: endpoint, the routes users add included, is made from the component's configuration.
            KafkaConfiguration endpoints = context.getComponent("kafka", KafkaComponent.class).getConfiguration();
            Map<String, Object> additional = endpoints.getAdditionalProperties() == null
                    ? new HashMap<>() : new HashMap<>(endpoints.getAdditionalProperties());
            additional.putAll(security.clientProperties());
            endpoints.setAdditionalProperties(additional);
        }
        if (embedded.kafka().isEmpty()) {
            KafkaPreflight.check(bootstrap, settings.kafka().clientProperties(bootstrap), security);
        }
        LOG.info("Source PostgreSQL {}:{}/{}{}, Kafka {}{}", source.host(), source.port(), source.database(),
                embedded.postgres().isPresent() ? " (embedded)" : " (sslmode " + settings.source().tls().sslMode() + ")",
                bootstrap, embedded.kafka().isPresent() ? " (embedded)" : " (" + security.describe() + ")");
    }
}
