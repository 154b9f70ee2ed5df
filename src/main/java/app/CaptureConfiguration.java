package app;

import capture.AcknowledgedOffsetStore;
import capture.CaptureProgress;
import capture.CapturedChanges;
import capture.ChangeTopics;
import capture.DebeziumJsonEnvelope;
import capture.KeyPartitioner;
import capture.LeanDebeziumComponent;
import capture.PositionFile;
import capture.PositionStorage;
import capture.PositionTable;
import capture.PositionWrites;
import capture.SnapshotProgress;
import capture.SnapshotStart;
import capture.TransactionOrder;
import embedded.StopOrder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import load.ConsumerGroupPositions;
import monitor.PipelineMetrics;
import monitor.ReplicationSlotMonitor;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.PropertyInject;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.PipelineSettings;
import settings.StartupException;
import snapshot.DirectSnapshot;
import source.Heartbeat;
import source.ReplicationPreflight;
import source.SourceCatalog;
import source.SourceDatabase;
import source.SourceGuard;
import source.StoredPosition;
import source.TableSizes;
import warehouse.SnapshotLoad;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.Warehouse;

/**
 * The capture stage's beans (routes/CaptureRoute): Debezium reads the WAL through the slot and publication the
 * preflight checked, and each change is published to Kafka with its transaction numbered.
 */
public class CaptureConfiguration extends StageConfiguration {

    public static final String CAPTURED_CHANGES_COUNTER = "capturedChangesCounter";

    private static final Logger LOG = LoggerFactory.getLogger(CaptureConfiguration.class);

    /**
     * Where Debezium's position is kept. Kept in the source, it first takes over the position of the local file a run
     * with the file store left, once: the file is renamed so that it is never taken over again.
     */
    @BindToRegistry(lazy = true)
    public PositionStorage positionStorage(PipelineSettings settings, SourceDatabase source) throws IOException {
        PositionFile file = new PositionFile(settings.debeziumOffsets());
        if (settings.capture().positionStore() == PipelineSettings.Capture.PositionStore.FILE) {
            // Made here: with every server external and the warehouse elsewhere nothing else makes it, and Debezium's
            // every attempt to store its position failed, with no more than a warning each time.
            try {
                Files.createDirectories(settings.dataDir());
            } catch (IOException e) {
                throw new StartupException("Cannot make the data folder " + settings.dataDir().toAbsolutePath()
                        + ", where the capture keeps its position: " + e + ". Fix: flightcdc.data-dir (--data-dir) must"
                        + " name a folder this user may write, or keep the position in the source"
                        + " (flightcdc.capture.position-store=source)", e);
            }
            return file;
        }
        PositionTable table = new PositionTable(source.dataSource(), settings.source().schema(), settings.source().slot());
        if (table.takeOver(file)) {
            Path moved = settings.debeziumOffsets().resolveSibling(settings.debeziumOffsets().getFileName() + ".moved-to-source");
            Files.move(settings.debeziumOffsets(), moved, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("Capture position taken over from {} into {}; the file is kept as {}", file.describe(), table.describe(),
                    moved);
        }
        return table;
    }

    @BindToRegistry(lazy = true)
    public ReplicationPreflight replicationPreflight(PipelineSettings settings, SourceDatabase source, PositionStorage positions) {
        PipelineSettings.Source s = settings.source();
        Optional<TableId> heartbeat = s.heartbeatIntervalMs() == 0 ? Optional.empty() : Optional.of(Heartbeat.table(s.schema()));
        return new ReplicationPreflight(source.dataSource(), s.slot(), s.publication(), s.tables(), heartbeat,
                new StoredPosition(positions.describe(), () -> !positions.read().isEmpty(),
                        () -> AcknowledgedOffsetStore.storedLastCommitLsn(positions)));
    }

    /** The startup checks, again while the pipeline runs (routes/MonitorRoute) and before each resume of the capture. */
    @BindToRegistry(lazy = true)
    public SourceGuard sourceGuard(ReplicationPreflight preflight, @BeanInject(PipelineHalt.BEAN) PipelineHalt halt) {
        return new SourceGuard(preflight, halt::halt);
    }

    @BindToRegistry(lazy = true)
    public SnapshotProgress snapshotProgress(PipelineSettings settings, SourceDatabase source, PipelineMetrics metrics) {
        TableSizes sizes = new TableSizes(source.dataSource());
        SnapshotProgress progress = new SnapshotProgress(() -> sizes.estimateRows(streamedTables(settings)),
                Duration.ofSeconds(5));
        metrics.gauge("flightcdc.snapshot.progress.ratio", "How much of the running snapshot is read; 1 when none runs",
                null, progress::fractionDone);
        return progress;
    }

    /** Counts what the capture hands on to Kafka (routes/CaptureRoute). */
    @BindToRegistry(value = CAPTURED_CHANGES_COUNTER, lazy = true)
    public Processor capturedChangesCounter(PipelineMetrics metrics) {
        return metrics.capturedChanges();
    }

    @BindToRegistry(lazy = true)
    public TransactionOrder transactionOrder(PipelineSettings settings) {
        return new TransactionOrder(settings.kafka().transactionTopic(), settings.changeTopics(),
                new KeyPartitioner(settings.kafka().partitions()));
    }

    @BindToRegistry(lazy = true)
    public CapturedChanges capturedChanges(PipelineSettings settings) {
        return new CapturedChanges(settings.changeTopics());
    }

    /** Knows which tables' topics already hold changes: a snapshot of those is a restarted one. */
    @BindToRegistry(lazy = true)
    public SnapshotStart snapshotStart(PipelineSettings settings,
                                       @PropertyInject("flightcdc.kafka.bootstrap-servers") String bootstrapServers)
            throws InterruptedException {
        try (Admin admin = Admin.create(settings.kafka().clientProperties(bootstrapServers))) {
            Set<String> holdingRecords = ConsumerGroupPositions.topicsWithRecords(admin, Set.copyOf(settings.changeTopics()));
            Map<String, TableId> tablesOfTopics = new LinkedHashMap<>();
            settings.source().tables().stream().filter(t -> holdingRecords.contains(settings.kafka().topicFor(t)))
                    .forEach(t -> tablesOfTopics.put(settings.kafka().topicFor(t), t));
            return new SnapshotStart(tablesOfTopics, settings.kafka().partitions());
        }
    }

    /** What the capture route's {@code debezium-postgres:} endpoint is made by: camel-debezium's, without its exception per record. */
    @BindToRegistry(LeanDebeziumComponent.SCHEME)
    public LeanDebeziumComponent debeziumPostgresComponent() {
        return new LeanDebeziumComponent();
    }

    @BindToRegistry(lazy = true)
    public DebeziumJsonEnvelope debeziumJsonEnvelope() {
        return new DebeziumJsonEnvelope();
    }

    /** Watched by routes/MonitorRoute: WAL the slot keeps on the source for the capture. */
    @BindToRegistry(lazy = true)
    public ReplicationSlotMonitor replicationSlotMonitor(PipelineSettings settings, SourceDatabase source,
                                                         PipelineMetrics metrics) {
        ReplicationSlotMonitor monitor = new ReplicationSlotMonitor(source.dataSource(), settings.source().slot(),
                settings.monitor().retainedWalWarnMb());
        metrics.gauge("flightcdc.slot.retained.wal.bytes", "WAL the replication slot keeps on the source, as last measured",
                null, () -> monitor.retainedWalBytes().isPresent() ? monitor.retainedWalBytes().getAsLong() : Double.NaN);
        return monitor;
    }

    /** Whether the capture's position is being stored (the readiness check, app/MonitorConfiguration). */
    @BindToRegistry(lazy = true)
    public PositionWrites positionWrites() {
        return new PositionWrites(Clock.systemUTC());
    }

    @Override
    protected boolean runsIn(PipelineSettings settings) {
        return settings.capture().enabled();
    }

    @Override
    protected void prepare(CamelContext context) throws Exception {
        PipelineSettings settings = bean(context, PipelineSettings.class);
        List<String> topics = new ArrayList<>(settings.changeTopics());
        topics.add(settings.kafka().transactionTopic());
        try (Admin admin = Admin.create(settings.kafka().clientProperties(
                context.resolvePropertyPlaceholders("{{flightcdc.kafka.bootstrap-servers}}")))) {
            ChangeTopics.createMissing(admin, topics, settings.kafka().partitions(), settings.kafka().replicationFactor());
        }
        ReplicationPreflight preflight = bean(context, ReplicationPreflight.class);
        preflight.check();
        preflight.awaitSlotFree(Duration.ofSeconds(30));
        PositionStorage positions = bean(context, PositionStorage.class);
        if (settings.capture().snapshot() == PipelineSettings.Capture.Snapshot.DIRECT && positions.read().isEmpty()) {
            directSnapshot(context, settings, positions);
        }
        SourceGuard sourceGuard = bean(context, SourceGuard.class);
        AcknowledgedOffsetStore.checkBeforeResuming(sourceGuard::checkBeforeResuming);
        AcknowledgedOffsetStore.keepIn(bean(context, PositionStorage.class));
        AcknowledgedOffsetStore.reportWritesTo(bean(context, PositionWrites.class));
        bean(context, StopOrder.class).add(() -> {
            AcknowledgedOffsetStore.checkBeforeResuming(null);
            AcknowledgedOffsetStore.keepIn(null);
            AcknowledgedOffsetStore.reportWritesTo(null);
        });
        if (!settings.warehouse().loadEnabled()) {
            PipelineMetrics metrics = bean(context, PipelineMetrics.class);
            Set<String> transactionEnds = Set.of(settings.kafka().transactionTopic());
            bean(context, StopOrder.class).add(new CaptureProgress(Duration.ofSeconds(5), () -> metrics.published(transactionEnds)));
        }
        compute(context, "flightcdc.capture.streamed-tables",
                streamedTables(settings).stream().map(TableId::toString).collect(Collectors.joining(",")));
        compute(context, "flightcdc.capture.offsets-file", settings.debeziumOffsets());
    }

    /**
     * A first start with flightcdc.capture.snapshot=direct: the rows the tables hold go straight into the warehouse, and
     * Debezium streams from where they were read.
     */
    private static void directSnapshot(CamelContext context, PipelineSettings settings, PositionStorage positions)
            throws Exception {
        SnapshotLoad warehouse = bean(context, Warehouse.class).directSnapshot().orElseThrow(() -> new StartupException(
                "flightcdc.capture.snapshot is direct, but the warehouse takes no direct snapshot. Fix: set"
                        + " flightcdc.capture.snapshot=debezium"));
        List<TableSchema> tables = LoadConfiguration.capturedSchemas(settings, bean(context, SourceCatalog.class));
        boolean topicsHoldRecords;
        try (Admin admin = Admin.create(settings.kafka().clientProperties(
                context.resolvePropertyPlaceholders("{{flightcdc.kafka.bootstrap-servers}}")))) {
            topicsHoldRecords = !ConsumerGroupPositions.topicsWithRecords(admin, Set.copyOf(settings.changeTopics())).isEmpty();
        }
        PipelineSettings.Source s = settings.source();
        DirectSnapshot snapshot = new DirectSnapshot(bean(context, SourceDatabase.class), warehouse, tables,
                settings.kafka()::topicFor, new KeyPartitioner(settings.kafka().partitions()),
                settings.capture().snapshotReaders(), s.slot(), s.publication(), streamedTables(settings));
        // It may take many minutes before Camel's server starts: answered meanwhile, an orchestrator keeps the process,
        // and the snapshot's gauge shows how far it is.
        boolean answers = settings.http().enabled() && settings.http().port() != 0;
        try (SnapshotProgress.Following gauge = bean(context, SnapshotProgress.class).follow(snapshot::fractionDone);
             NotReadyHealth health = answers ? NotReadyHealth.serve(settings.http(), "direct-snapshot", snapshot::progress,
                     "taking the direct snapshot", bean(context, PipelineMetrics.class).prometheusText()) : null) {
            snapshot.run(positions, settings.kafka().topicPrefix(), topicsHoldRecords)
                    .ifPresent(result -> context.getRegistry().bind(DirectSnapshot.RESULT, result));
        }
    }

    private static List<TableId> streamedTables(PipelineSettings settings) {
        return Heartbeat.streamedTables(settings.source().tables(), settings.source().heartbeatIntervalMs(),
                settings.source().schema());
    }
}
