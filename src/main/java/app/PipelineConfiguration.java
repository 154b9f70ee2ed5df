package app;

import capture.AcknowledgedOffsetStore;
import settings.InvalidSettingException;
import settings.PipelineSettings;
import capture.CapturedChanges;
import load.ChangeBatchDecoder;
import load.ConsumerGroupPositions;
import capture.DebeziumJsonEnvelope;
import load.KafkaOffsets;
import capture.SnapshotProgress;
import capture.SnapshotStart;
import capture.TransactionOrder;
import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedPostgresServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import monitor.ConsumerLagMonitor;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import monitor.ReplicationSlotMonitor;
import opensky.AccessTokens;
import opensky.CreditBudget;
import opensky.PollGate;
import opensky.PollRecorder;
import opensky.ResponseBody;
import opensky.StateVectorParser;
import opensky.simulator.AirTrafficModel;
import opensky.simulator.OpenSkySimulator;
import opensky.simulator.Recording;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import source.FlightStateRepository;
import source.Heartbeat;
import source.ReplicationPreflight;
import source.SourceCatalog;
import source.SourceDatabase;
import source.SourceGuard;
import source.TableSizes;
import load.LoadProgress;
import warehouse.SchemaEvolution;
import warehouse.TableId;
import warehouse.TableSchema;
import load.TransactionBoundaries;
import warehouse.Warehouse;
import warehouse.snowflake.streaming.SnowpipeStreamingWarehouse;

/**
 * Wires the pipeline before its routes start: validates the settings, starts the embedded
 * services for every piece that is not configured as external, prepares the source schema, checks
 * that the source can be replicated from, prepares the warehouse, and binds what the routes call.
 * The embedded services stop after Camel has stopped the routes, so in-flight changes finish first.
 */
public class PipelineConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent properties = context.getPropertiesComponent();
        PipelineSettings settings = PipelineSettings.from(properties::resolveProperty);
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            wire(context, settings, started);
        } catch (Exception | Error e) {
            closeAll(started);
            throw e;
        }
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext stopped) {
                closeAll(started);
            }
        });
    }

    private void wire(CamelContext context, PipelineSettings settings, Deque<AutoCloseable> started) throws Exception {
        Properties resolved = new Properties();

        PipelineSettings.Source sourceSettings = settings.source();
        SourceDatabase source;
        if (sourceSettings.embedded()) {
            EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startOwned(
                    settings.dataDir().resolve("postgres"), sourceSettings.embeddedPort());
            started.push(postgres);
            source = SourceDatabase.of(postgres);
            // The configured user and password are an external server's: Debezium logs in to the embedded one as we do.
            resolved.put("flightcdc.source.user", postgres.user());
            resolved.put("flightcdc.source.password", postgres.password());
        } else {
            source = new SourceDatabase(sourceSettings.jdbcUrl().orElseThrow(), sourceSettings.user(),
                    sourceSettings.password().value());
        }
        started.push(source);
        source.migrate();
        ReplicationPreflight preflight = new ReplicationPreflight(source.dataSource(), settings.source().slot(),
                settings.source().publication(), settings.source().tables(), settings.debeziumOffsets(),
                () -> AcknowledgedOffsetStore.storedLastCommitLsn(settings.debeziumOffsets()));
        preflight.check();
        preflight.awaitSlotFree(Duration.ofSeconds(30));
        resolved.put("flightcdc.source.host", source.host());
        resolved.put("flightcdc.source.port", String.valueOf(source.port()));
        resolved.put("flightcdc.source.database", source.database());
        List<TableId> streamed = Heartbeat.streamedTables(settings.source().tables(), settings.source().heartbeatIntervalMs());
        resolved.put("flightcdc.capture.streamed-tables",
                streamed.stream().map(TableId::toString).collect(Collectors.joining(",")));
        resolved.put("flightcdc.capture.offsets-file", settings.debeziumOffsets().toString());

        String bootstrap = settings.kafka().bootstrapServers().orElseGet(() -> {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(
                    settings.dataDir().resolve("kafka"), settings.kafka().embeddedPort(), settings.kafka().maxRecordBytes());
            started.push(broker);
            return broker.bootstrapServers();
        });
        resolved.put("flightcdc.kafka.bootstrap-servers", bootstrap);
        List<String> capturedTopics = settings.source().tables().stream().map(settings.kafka()::topicFor).toList();
        List<String> loadedTopics = new ArrayList<>(capturedTopics);
        loadedTopics.add(settings.kafka().transactionTopic());
        resolved.put("flightcdc.load.topics", String.join(",", loadedTopics));

        PipelineSettings.OpenSky openSky = settings.openSky();
        URI tokenUrl = openSky.tokenUrl();
        if (openSky.pollEnabled()) {
            String baseUrl = openSky.baseUrl().orElse(null);
            if (baseUrl == null) {
                OpenSkySimulator simulator = simulator(openSky);
                // Credentials given while simulating are checked by the simulator, as OpenSky would.
                openSky.credentials().ifPresent(simulator::requireCredentials);
                started.push(simulator);
                simulator.start("127.0.0.1", openSky.simulatorPort());
                baseUrl = simulator.baseUrl();
                tokenUrl = URI.create(simulator.tokenUrl());
            }
            resolved.put("flightcdc.opensky.base-url", baseUrl);
        } else {
            // The poll route is not started, but its endpoint URI must still resolve.
            resolved.put("flightcdc.opensky.base-url", openSky.baseUrl().orElse("http://127.0.0.1:0/api"));
            LOG.info("OpenSky poll is off: the pipeline carries only the changes made in the database");
        }
        resolved.put("flightcdc.opensky.states-query", openSky.statesQuery());
        AccessTokens accessTokens = new AccessTokens(openSky.credentials(), tokenUrl, Clock.systemUTC(),
                Duration.ofMillis(openSky.responseTimeoutMs()));
        // The simulator has credits to spare unless a test limits them: its budget, not an account's, is what applies.
        CreditBudget budget = openSky.simulated()
                ? new CreditBudget(openSky.creditBudget().costPerCall(), (int) OpenSkySimulator.DEFAULT_DAILY_CREDITS)
                : openSky.creditBudget();
        PollGate pollGate = new PollGate(Duration.ofMillis(openSky.pollIntervalMs()), Duration.ofMillis(openSky.maxBackoffMs()),
                budget, accessTokens, Clock.systemUTC());
        if (openSky.pollEnabled() && !openSky.simulated()) {
            LOG.info("Polling {} {}", openSky.baseUrl().orElseThrow(), openSky.credentials()
                    .map(c -> "as OAuth2 client '" + c.clientId() + "'").orElse("anonymously"));
            pollGate.reportBudget();
        }

        Warehouse warehouse = WarehouseConnector.open(settings,
                Optional.ofNullable(context.getRegistry().findSingleByType(SnowflakeStreamingIngestClient.class)));
        started.push(warehouse);
        SourceCatalog catalog = new SourceCatalog(source.dataSource());
        List<TableSchema> schemas = new ArrayList<>();
        for (TableId table : settings.source().tables()) {
            schemas.add(catalog.describe(table));
        }
        warehouse.prepare(schemas);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            if (warehouse instanceof SnowpipeStreamingWarehouse streaming) {
                // Its progress is in Snowflake, per channel: open the channels of the partitions there are.
                streaming.resume(ConsumerGroupPositions.existingPartitions(admin, Set.copyOf(capturedTopics)));
            }
            // The transaction topic's offsets are stored with the data too, except by Snowpipe Streaming, which keeps
            // only its channels' (the group's own offsets are then where its ends are read again from).
            Set<String> stored = new HashSet<>(capturedTopics);
            if (!(warehouse instanceof SnowpipeStreamingWarehouse)) {
                stored.add(settings.kafka().transactionTopic());
            }
            ConsumerGroupPositions.alignWith(admin, settings.kafka().consumerGroup(), stored, warehouse.progress());
            Set<String> holdingRecords = ConsumerGroupPositions.topicsWithRecords(admin, Set.copyOf(capturedTopics));
            Map<String, TableId> tablesOfTopics = new LinkedHashMap<>();
            settings.source().tables().stream().filter(t -> holdingRecords.contains(settings.kafka().topicFor(t)))
                    .forEach(t -> tablesOfTopics.put(settings.kafka().topicFor(t), t));
            context.getRegistry().bind("snapshotStart", new SnapshotStart(tablesOfTopics));
        }

        var registry = context.getRegistry();
        PipelineHalt halt = registry.lookupByNameAndType(PipelineHalt.BEAN, PipelineHalt.class);
        if (halt == null) {
            // Run without camel Main (the tests): halting stops the Camel context.
            halt = new PipelineHalt(context::stop);
            registry.bind(PipelineHalt.BEAN, halt);
        }
        SourceGuard sourceGuard = new SourceGuard(preflight, halt::halt);
        registry.bind("sourceGuard", sourceGuard);
        AcknowledgedOffsetStore.checkBeforeResuming(sourceGuard::checkBeforeResuming);
        started.push(() -> AcknowledgedOffsetStore.checkBeforeResuming(null));
        registry.bind("settings", settings);
        registry.bind("sourceDatabase", source);
        registry.bind("stateVectorParser", new StateVectorParser());
        registry.bind("responseBody", new ResponseBody());
        registry.bind("pollRecorder", new PollRecorder(openSky.recordDir(), Clock.systemUTC()));
        registry.bind("accessTokens", accessTokens);
        registry.bind("pollGate", pollGate);
        registry.bind("flightStateRepository",
                new FlightStateRepository(source.dataSource(), settings.openSky().staleAfterSeconds()));
        registry.bind("transactionOrder", new TransactionOrder(settings.kafka().transactionTopic(), capturedTopics));
        registry.bind("capturedChanges", new CapturedChanges(capturedTopics));
        registry.bind("debeziumJsonEnvelope", new DebeziumJsonEnvelope());
        TableSizes sizes = new TableSizes(source.dataSource());
        registry.bind("snapshotProgress", new SnapshotProgress(
                () -> sizes.estimateRows(streamed), Duration.ofSeconds(5)));
        registry.bind("changeBatchDecoder", new ChangeBatchDecoder(settings.kafka().transactionTopic()));
        registry.bind("transactionBoundaries", new TransactionBoundaries(settings.warehouse().transactionBoundaries(),
                settings.warehouse().maxTransactionChanges(), settings.kafka()::topicFor, warehouse::progress));
        registry.bind("warehouse", warehouse);
        registry.bind("schemaEvolution", new SchemaEvolution(catalog::describe, warehouse, schemas));
        registry.bind("kafkaOffsets", new KafkaOffsets());
        LoadProgress progress = new LoadProgress(Duration.ofSeconds(5));
        started.push(progress);
        registry.bind("loadProgress", progress);
        registry.bind("replicationSlotMonitor", new ReplicationSlotMonitor(source.dataSource(),
                settings.source().slot(), settings.monitor().retainedWalWarnMb()));
        ConsumerLagMonitor consumerLag = ConsumerLagMonitor.connect(bootstrap, settings.kafka().consumerGroup(),
                capturedTopics, settings.monitor().consumerLagWarn());
        started.push(consumerLag);
        registry.bind("consumerLagMonitor", consumerLag);

        resolved.forEach((key, value) -> context.getPropertiesComponent().addOverrideProperty((String) key, (String) value));
        LOG.info("Pipeline wired: source {}:{}/{}, Kafka {}, warehouse {}", source.host(), source.port(),
                source.database(), bootstrap, settings.warehouse().type().snowflake()
                        ? settings.warehouse().type().setting() + " " + settings.snowflake().orElseThrow().database() + "."
                        + settings.snowflake().orElseThrow().schema()
                        : settings.warehouse().duckdbPath());
    }

    /** The simulated OpenSky: its own traffic, or a recorded session served again. */
    private static OpenSkySimulator simulator(PipelineSettings.OpenSky openSky) {
        if (openSky.replayDir().isEmpty()) {
            return new OpenSkySimulator(new AirTrafficModel(openSky.simulatorAircraft(), openSky.simulatorSeed(), Instant.now()),
                    Clock.systemUTC());
        }
        try {
            return OpenSkySimulator.replaying(Recording.open(openSky.replayDir().get()), Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("flightcdc.opensky.replay-dir", e.getMessage());
        }
    }

    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            AutoCloseable service = started.pop();
            try {
                service.close();
            } catch (Exception e) {
                LOG.warn("Could not stop {} cleanly: {}", service.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
