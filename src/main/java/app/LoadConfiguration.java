package app;

import capture.ChangeTopics;
import embedded.StopOrder;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import load.ChangeBatchDecoder;
import load.ConsumerGroupPositions;
import load.KafkaOffsets;
import load.LoadProgress;
import load.TransactionBoundaries;
import monitor.ConsumerLagMonitor;
import monitor.LoadHealth;
import monitor.PipelineMetrics;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.PropertyInject;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.LoadRoute;
import settings.PipelineSettings;
import settings.Secret;
import source.SourceCatalog;
import warehouse.SchemaEvolution;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.Warehouse;
import warehouse.snowflake.streaming.SnowpipeStreamingWarehouse;

/**
 * The load stage's beans (routes/LoadRoute): Kafka's records cut at transaction boundaries and loaded into the
 * warehouse, whose tables are prepared for the captured ones, and from whose stored progress the loader's consumer
 * group resumes.
 */
public class LoadConfiguration extends StageConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(LoadConfiguration.class);
    /** Longer than the loader's Kafka session (routes/LoadRoute): a crashed loader's member is gone by then. */
    private static final Duration ONE_LOADER_PATIENCE = Duration.ofSeconds(15);

    /**
     * The warehouse {@code flightcdc.warehouse.type} names, with a table for each captured one. A Snowpipe
     * Streaming client bound in the registry is used instead of one made from the settings (to set the SDK up
     * otherwise, or a fake in tests).
     */
    @BindToRegistry(lazy = true)
    public Warehouse warehouse(PipelineSettings settings, SourceCatalog catalog, StopOrder stopOrder, CamelContext context)
            throws Exception {
        Warehouse warehouse = stopOrder.add(WarehouseConnector.open(settings,
                Optional.ofNullable(context.getRegistry().findSingleByType(SnowflakeStreamingIngestClient.class))));
        warehouse.prepare(capturedSchemas(settings, catalog));
        return warehouse;
    }

    @BindToRegistry(lazy = true)
    public ChangeBatchDecoder changeBatchDecoder(PipelineSettings settings) {
        return new ChangeBatchDecoder(settings.kafka().transactionTopic());
    }

    @BindToRegistry(lazy = true)
    public TransactionBoundaries transactionBoundaries(PipelineSettings settings, Warehouse warehouse) {
        return new TransactionBoundaries(settings.warehouse().transactionBoundaries(),
                settings.warehouse().maxTransactionChanges(), settings.kafka()::topicFor, warehouse::progress);
    }

    @BindToRegistry(lazy = true)
    public SchemaEvolution schemaEvolution(PipelineSettings settings, SourceCatalog catalog, Warehouse warehouse)
            throws SQLException {
        return new SchemaEvolution(catalog::describe, warehouse, capturedSchemas(settings, catalog));
    }

    @BindToRegistry(lazy = true)
    public KafkaOffsets kafkaOffsets() {
        return new KafkaOffsets();
    }

    @BindToRegistry(lazy = true)
    public LoadProgress loadProgress(PipelineSettings settings, StopOrder stopOrder, PipelineMetrics metrics, LoadHealth health) {
        metrics.expectTables(settings.source().tables().stream().map(TableId::toString).toList());
        return stopOrder.add(new LoadProgress(Duration.ofSeconds(5), result -> {
            metrics.loaded(result);
            health.succeeded();
        }));
    }

    /** Told of each failed load by the load route's error handler, and of each that succeeded by the progress. */
    @BindToRegistry(lazy = true)
    public LoadHealth loadHealth() {
        return new LoadHealth(Clock.systemUTC());
    }

    @BindToRegistry(value = LoadRoute.LOAD_FAILED, lazy = true)
    public Processor loadFailed(LoadHealth health) {
        return health::failed;
    }

    /** Watched by routes/MonitorRoute: how far the loader's consumer group is behind Kafka. */
    @BindToRegistry(lazy = true)
    public ConsumerLagMonitor consumerLagMonitor(PipelineSettings settings, StopOrder stopOrder, PipelineMetrics metrics,
                                                 @PropertyInject("flightcdc.kafka.bootstrap-servers") String bootstrapServers) {
        return stopOrder.add(ConsumerLagMonitor.connect(settings.kafka().clientProperties(bootstrapServers),
                settings.kafka().consumerGroup(), settings.changeTopics(), settings.monitor().consumerLagWarn(),
                metrics::consumerLag));
    }

    @Override
    protected boolean runsIn(PipelineSettings settings) {
        return settings.warehouse().loadEnabled();
    }

    @Override
    protected void prepare(CamelContext context) throws Exception {
        PipelineSettings settings = bean(context, PipelineSettings.class);
        List<String> changeTopics = settings.changeTopics();
        List<String> loadedTopics = new ArrayList<>(changeTopics);
        loadedTopics.add(settings.kafka().transactionTopic());
        compute(context, "flightcdc.load.topics", String.join(",", loadedTopics));

        Warehouse warehouse = bean(context, Warehouse.class);
        String bootstrap = context.resolvePropertyPlaceholders("{{flightcdc.kafka.bootstrap-servers}}");
        try (Admin admin = Admin.create(settings.kafka().clientProperties(bootstrap))) {
            // The capture makes them when it runs here; a loader of its own may start first, and its consumers would
            // otherwise leave the topics to the broker, which may make them with its own count of partitions.
            ChangeTopics.createMissing(admin, loadedTopics, settings.kafka().partitions(), settings.kafka().replicationFactor());
            if (warehouse instanceof SnowpipeStreamingWarehouse streaming) {
                // Opening a channel takes it from whoever had it: before this loader opens every partition's, no other
                // may be loading.
                ConsumerGroupPositions.awaitNoOtherLoader(admin, settings.kafka().consumerGroup(), ONE_LOADER_PATIENCE,
                        "Snowpipe Streaming loads from one process for now: each would open every partition's channel, and"
                        + " the load watermark's, and take them from the other at every batch. Fix: stop the other loader,"
                        + " or load with flightcdc.warehouse.type=snowflake-merge, which several processes may"
                        + " (docs/deploy.md, \"Capture and load apart\")");
                // Its progress is in Snowflake, per channel: open the channels of the partitions there are.
                streaming.resume(ConsumerGroupPositions.existingPartitions(admin, Set.copyOf(changeTopics)));
            }
            // The transaction topic's offsets are stored with the data too, except by Snowpipe Streaming, which keeps
            // only its channels' (the group's own offsets are then where its ends are read again from).
            Set<String> stored = new HashSet<>(changeTopics);
            if (!(warehouse instanceof SnowpipeStreamingWarehouse)) {
                stored.add(settings.kafka().transactionTopic());
            }
            ConsumerGroupPositions.alignWith(admin, settings.kafka().consumerGroup(), stored, warehouse::progressReadAgain);
        }
        PipelineSettings.Warehouse.Type type = settings.warehouse().type();
        LOG.info("Warehouse {} {}", type.setting(), switch (type) {
            case SNOWFLAKE_STREAMING, SNOWFLAKE_MERGE ->
                    settings.snowflake().orElseThrow().database() + "." + settings.snowflake().orElseThrow().schema();
            case POSTGRES -> Secret.redactUrls(settings.warehouse().postgres().orElseThrow().jdbcUrl());
            case DUCKDB -> settings.warehouse().duckdbPath().toString();
        });
    }

    /** The captured tables as the source's catalog describes them: what the warehouse's tables are made for. */
    static List<TableSchema> capturedSchemas(PipelineSettings settings, SourceCatalog catalog) throws SQLException {
        List<TableSchema> schemas = new ArrayList<>();
        for (TableId table : settings.source().tables()) {
            schemas.add(catalog.describe(table));
        }
        return schemas;
    }
}
