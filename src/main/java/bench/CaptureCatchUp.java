package bench;

import app.BackgroundPipeline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.spi.RouteController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.CaptureRoute;
import routes.LoadRoute;
import settings.PipelineSettings;
import settings.Secret;
import source.SourceDatabase;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * The capture stage on one stretch of WAL that every reader finds already written: ours, its physical
 * ceiling (pg_recvlogical) and its peer (Kafka Connect running the Debezium connector), each from a
 * replication slot of its own, so all decode exactly the same changes.
 *
 * <p>The capture and load routes are stopped (our slot then keeps the WAL, and Debezium's stored
 * position is where it resumes), the other readers' slots are made, the changes are written, then the
 * readers run one after the other, each alone on the machine but for the idle pipeline and the broker:
 * first our capture, then, once Kafka holds every record, our load, then the ceiling, then the peer.
 * The load is held back while our capture catches up because on a small machine it would take CPU
 * from the capture that the peer, which has no load behind it, does not lose. Each reader's rate counts
 * from its first record to its last, so start-up (a JVM, connecting, a consumer group joining) is
 * reported apart and does not weigh on it.
 */
final class CaptureCatchUp {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureCatchUp.class);
    static final String OURS = "flight-cdc capture";
    private static final String LOAD = "flight-cdc load";
    private static final Duration RELEASE_TIMEOUT = Duration.ofMinutes(1);

    private final BackgroundPipeline pipeline;
    private final BenchKafka kafka;
    private final SourceWriter writer;
    private final CatchUpClock clock;
    private final boolean peers;

    CaptureCatchUp(BackgroundPipeline pipeline, BenchKafka kafka, SourceWriter writer, CatchUpClock clock, boolean peers) {
        this.pipeline = pipeline;
        this.kafka = kafka;
        this.writer = writer;
        this.clock = clock;
        this.peers = peers;
    }

    BenchResult.CatchUp run(long changes) throws Exception {
        PipelineSettings settings = pipeline.bean("settings", PipelineSettings.class);
        DataSource source = pipeline.bean("sourceDatabase", SourceDatabase.class).dataSource();
        DuckDbWarehouse warehouse = pipeline.bean("warehouse", DuckDbWarehouse.class);
        String topic = settings.kafka().topicFor(Benchmark.TABLE);
        RouteController routes = pipeline.context().getRouteController();
        // As the pipeline resolved them: the embedded server's own user and password, not the configured ones.
        PostgresEndpoint pg = new PostgresEndpoint(pipeline.property("flightcdc.source.host"),
                Integer.parseInt(pipeline.property("flightcdc.source.port")), pipeline.property("flightcdc.source.database"),
                pipeline.property("flightcdc.source.user"), Secret.of(pipeline.property("flightcdc.source.password")),
                settings.source().publication());
        Path workDir = settings.dataDir().resolve("capture-peers");

        LOG.info("Bench: catch-up: stopping the capture and load routes; slot {} keeps the WAL from here",
                settings.source().slot());
        routes.stopRoute(CaptureRoute.ROUTE_ID);
        routes.stopRoute(LoadRoute.ROUTE_ID);
        if (!LogicalSlot.awaitReleased(source, settings.source().slot(), RELEASE_TIMEOUT)) {
            throw new IllegalStateException("Debezium still reads slot " + settings.source().slot() + " "
                    + RELEASE_TIMEOUT.toSeconds() + " s after its route stopped");
        }
        long inKafkaBefore = kafka.records(topic);
        long bytesBefore = kafka.bytes(topic);
        long loadedBefore = RecordCounts.loaded(warehouse, topic);

        List<String> skipped = new ArrayList<>();
        ReplicationCeiling ceiling = null;
        List<KafkaConnectPeer> peerRuns = new ArrayList<>();
        try {
            if (peers) {
                Optional<Path> program = ReplicationCeiling.program();
                if (program.isPresent()) {
                    ceiling = ReplicationCeiling.prepare(source, program.get(), workDir);
                } else {
                    skipped.add(ReplicationCeiling.notInstalled());
                    LOG.warn("Bench: {}", ReplicationCeiling.notInstalled());
                }
                for (KafkaConnectPeer.Variant variant : KafkaConnectPeer.Variant.values()) {
                    peerRuns.add(KafkaConnectPeer.prepare(variant, source, workDir));
                }
            } else {
                skipped.add(ReplicationCeiling.NAME + " and " + KafkaConnectPeer.NAME + ": not run (--no-peers)");
            }

            LOG.info("Bench: catch-up: writing {} changes while nothing reads the WAL", changes);
            SourceWriter.SourceWrites writes = writer.write(changes);
            String endLsn = LogicalSlot.insertLsn(source);
            long records = writes.kafkaRecords();

            // Ours first, alone: the load waits until Kafka holds every record.
            ThreadCpu cpuBeforeCapture = ThreadCpu.now();
            long captureStarted = System.nanoTime();
            routes.startRoute(CaptureRoute.ROUTE_ID);
            CatchUpClock.Timeline capture = clock.await(OURS, captureStarted, () -> kafka.records(topic),
                    inKafkaBefore, records, () -> { });
            ThreadCpu cpuBeforeLoad = ThreadCpu.now();
            ThreadCpu.Usage captureCpu = cpuBeforeLoad.since(cpuBeforeCapture, writes.changes());
            double captureLoadAverage = CatchUpClock.loadAverage();
            long captureBytes = kafka.bytes(topic) - bytesBefore;

            long inKafka = kafka.records(topic);
            long loadStarted = System.nanoTime();
            routes.startRoute(LoadRoute.ROUTE_ID);
            CatchUpClock.Timeline load = clock.await(LOAD, loadStarted, () -> RecordCounts.loaded(warehouse, topic),
                    loadedBefore, inKafka - loadedBefore, () -> { });
            ThreadCpu.Usage loadCpu = ThreadCpu.now().since(cpuBeforeLoad, writes.changes());
            // Counted once the load is done too: a record replayed after the restart would show here.
            long extra = kafka.records(topic) - inKafkaBefore - records;
            if (extra != 0) {
                LOG.warn("{}: Kafka holds {} records more than the {} expected after the restart", OURS, extra, records);
            }

            // Then the others, on the same WAL, which their slots kept.
            List<BenchResult.Reader> readers = new ArrayList<>();
            if (ceiling != null) {
                readers.add(ceiling.measure(pg, endLsn, writes.changes()));
            }
            for (KafkaConnectPeer peer : peerRuns) {
                readers.add(peer.measure(pg, pipeline.property("flightcdc.kafka.bootstrap-servers"), kafka,
                        Benchmark.TABLE, writes.changes(), records, clock));
            }
            BenchResult.Reader ours = new BenchResult.Reader(OURS, Throughput.seconds(capture.startToFirstNanos()),
                    Throughput.seconds(capture.firstToLastNanos()), Throughput.seconds(capture.startToLastNanos()),
                    Throughput.perSecond(writes.changes(), capture.firstToLastNanos()),
                    Throughput.perSecond(records, capture.firstToLastNanos()), extra,
                    Math.round((double) captureBytes / (records + extra)), captureLoadAverage);
            readers.add(ours);
            BenchResult.CatchUp result = new BenchResult.CatchUp(writes.changes(), records, writes.transactions(),
                    Throughput.seconds(writes.writingNanos()), readers, skipped,
                    ratio(ours, readers, KafkaConnectPeer.NAME),
                    ratio(ours, readers, KafkaConnectPeer.Variant.TUNED_AS_OURS.readerName),
                    ratio(ours, readers, ReplicationCeiling.NAME),
                    new BenchResult.Load(Throughput.seconds(load.startToLastNanos()),
                            Throughput.perSecond(writes.changes(), load.startToLastNanos()),
                            Throughput.seconds(load.lastNanos() - captureStarted),
                            Throughput.perSecond(writes.changes(), load.lastNanos() - captureStarted)),
                    captureCpu, loadCpu);
            LOG.info("Bench: catch-up: ours {} changes/s, ours/peer {}, ours/ceiling {}", ours.changesPerSecond(),
                    result.oursToPeer(), result.oursToCeiling());
            return result;
        } finally {
            peerRuns.forEach(CaptureCatchUp::closeQuietly);
            closeQuietly(ceiling);
        }
    }

    /** Our changes/s over those of the reader {@code name}, to two decimals; null when it did not run. */
    private static Double ratio(BenchResult.Reader ours, List<BenchResult.Reader> readers, String name) {
        return readers.stream().filter(r -> r.name().equals(name) && r.changesPerSecond() > 0).findFirst()
                .map(r -> Math.round(100.0 * ours.changesPerSecond() / r.changesPerSecond()) / 100.0).orElse(null);
    }

    /** Stops a reader and drops its slot; a failure to is logged, as the run's own outcome matters more. */
    private static void closeQuietly(AutoCloseable reader) {
        if (reader == null) {
            return;
        }
        try {
            reader.close();
        } catch (Exception e) {
            LOG.warn("Bench: could not stop {} cleanly: {}", reader.getClass().getSimpleName(), e.toString());
        }
    }
}
