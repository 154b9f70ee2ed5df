package bench;

import app.BackgroundPipeline;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import load.TransactionBoundaries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.PipelineSettings;
import source.SourceDatabase;
import verify.TableComparison;
import warehouse.TableId;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * Runs the real pipeline, preloads the source table and waits until the warehouse has it, writes the
 * changes as fast as the source takes them, clocks when Kafka and then the warehouse hold every one,
 * stops the pipeline and compares the warehouse with the source: a fast result that is wrong is no result.
 * Then, on the same pipeline, the capture stage catches up on changes written while it was stopped,
 * beside its physical ceiling and its peer reading the same WAL (see CaptureCatchUp).
 */
public final class Benchmark {

    private static final Logger LOG = LoggerFactory.getLogger(Benchmark.class);
    public static final TableId TABLE = new TableId("public", "flight_state");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    /** Longer than any pause a healthy pipeline takes (a Kafka rebalance, a large warehouse batch). */
    private static final Duration STALL_TIMEOUT = Duration.ofMinutes(2);

    /**
     * What to run: {@code changes} in the mix, on a table of {@code aircraft} rows, in transactions of 1 to
     * {@code maxTransaction}, after {@code warmUp} changes of the same mix carried and not measured.
     */
    public record Workload(long changes, int aircraft, int maxTransaction, long seed, ChangeMix mix, long warmUp) {
    }

    /** The comparison {@code verify} makes, run once the pipeline has stopped and let go of the warehouse. */
    @FunctionalInterface
    public interface Verifier {
        List<TableComparison> compare() throws Exception;
    }

    /** Before the idle pipeline is measured, at most: the last loads' commits and Kafka's flushes end. */
    static final Duration IDLE_SETTLE = Duration.ofSeconds(10);

    private final Map<String, String> pipelineOverrides;
    private final Workload workload;
    private final String command;
    private boolean peers = true;
    private long snapshotRows;
    private Path snapshotDir;
    private final LatencyPhases.Plan latencyPlan;
    private int idleSeconds;

    /** {@code latencyPlan}: the latency phases after the throughput run, if any. */
    public Benchmark(Map<String, String> pipelineOverrides, Workload workload, String command, LatencyPhases.Plan latencyPlan) {
        this.pipelineOverrides = Map.copyOf(pipelineOverrides);
        this.workload = workload;
        this.command = command;
        this.latencyPlan = latencyPlan;
    }

    /** Also clocks the initial snapshot of a table of {@code rows} rows, in {@code dir} (see SnapshotPhase); 0: not. */
    public Benchmark withSnapshot(long rows, Path dir) {
        this.snapshotRows = rows;
        this.snapshotDir = dir;
        return this;
    }

    /**
     * Also measures the JVM's CPU for {@code seconds} with nothing to carry, after the latency phases and as long again,
     * up to {@link #IDLE_SETTLE}, for the last loads and flushes to end; 0: not.
     */
    public Benchmark withIdle(int seconds) {
        this.idleSeconds = seconds;
        return this;
    }

    /** Whether the catch-up also runs the capture's ceiling (pg_recvlogical) and peer (Kafka Connect); on by default. */
    public Benchmark withPeers(boolean peers) {
        this.peers = peers;
        return this;
    }

    public BenchResult run(Verifier verifier) throws Exception {
        String startedAt = Instant.now().toString();
        String commit = commit(); // now: the tree may change while the bench runs
        BenchResult.InitialLoad initialLoad;
        SourceWriter.SourceWrites writes;
        StageClock.Arrivals arrivals;
        long peakHeap;
        BenchResult.CatchUp catchUp;
        List<LatencyResult> latency;
        ThreadCpu.Usage cpu;
        ThreadCpu.Idle idle;
        int partitions;
        int loaders;
        ExecutorService writerThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-source-writer");
            t.setDaemon(true);
            return t;
        });
        try (BackgroundPipeline pipeline = BackgroundPipeline.start(pipelineOverrides, START_TIMEOUT);
             BenchKafka kafka = BenchKafka.of(pipeline)) {
            PipelineSettings settings = pipeline.bean("settings", PipelineSettings.class);
            partitions = settings.kafka().partitions();
            loaders = settings.warehouse().consumers();
            String topic = settings.kafka().topicFor(TABLE);
            DuckDbWarehouse warehouse = pipeline.bean("warehouse", DuckDbWarehouse.class);
            // Polled every 20 ms: small next to the seconds the stages take, cheap next to their work.
            StageClock clock = new StageClock(() -> kafka.records(topic), () -> loaded(warehouse, topic),
                    Duration.ofMillis(20), STALL_TIMEOUT, Duration.ofSeconds(5));
            DataSource source = pipeline.bean("sourceDatabase", SourceDatabase.class).dataSource();
            SourceWriter writer = new SourceWriter(source, workload.mix(), workload.seed(), workload.maxTransaction(),
                    partitions);
            // Debezium connects after the routes have started: the initial load's time is the pipeline's, not its start-up's.
            awaitStreaming(source, settings.source().slot());

            LOG.info("Bench: initial load of {} aircraft", workload.aircraft());
            long preloadStarted = System.nanoTime();
            writer.preload(workload.aircraft());
            // Each preloaded row is one insert, one Kafka record.
            long preloadNanos = clock.await("Initial load", CompletableFuture.completedFuture((long) workload.aircraft()),
                    () -> workload.aircraft()).inWarehouseNanos() - preloadStarted;
            initialLoad = new BenchResult.InitialLoad(workload.aircraft(), Throughput.seconds(preloadNanos),
                    Throughput.perSecond(workload.aircraft(), preloadNanos));
            LOG.info("Bench: initial load in the warehouse after {} s", initialLoad.seconds());
            long recordsBefore = workload.aircraft();
            if (workload.warmUp() > 0) {
                // The JVM compiles the hot code during the first minutes (half a core of JIT here); without a warm-up the
                // figures measure that too, where a pipeline that has run for a while no longer pays it.
                LOG.info("Bench: warm-up, {} changes not measured", workload.warmUp());
                SourceWriter.SourceWrites warmUp = writer.write(workload.warmUp());
                recordsBefore += warmUp.kafkaRecords();
                clock.await("Warm-up", CompletableFuture.completedFuture(recordsBefore), writer::written);
            }
            LOG.info("Bench: writing {} changes", workload.changes());
            long recordsBeforeChanges = recordsBefore;

            ThreadCpu cpuBefore = ThreadCpu.now();
            try (MemoryPeaks memory = new MemoryPeaks()) {
                CompletableFuture<SourceWriter.SourceWrites> written = CompletableFuture.supplyAsync(() -> {
                    try {
                        return writer.write(workload.changes());
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                }, writerThread);
                arrivals = clock.await("Changes", written.thenApply(w -> recordsBeforeChanges + w.kafkaRecords()),
                        writer::written);
                writes = written.join();
                peakHeap = memory.peakHeapBytes();
            }
            cpu = ThreadCpu.now().since(cpuBefore, writes.changes());
            // After the throughput run, not before: its figures stay comparable with earlier runs, and the
            // phases measure a pipeline that is warmed up and has a history behind it, as a running one has.
            latency = new LatencyPhases(latencyPlan, STALL_TIMEOUT).run(warehouse, writer,
                    () -> RecordCounts.loadedByPartition(warehouse, topic, partitions),
                    pipeline.bean("transactionBoundaries", TransactionBoundaries.class));
            idle = idleSeconds > 0 ? idle() : null;
            catchUp = new CaptureCatchUp(pipeline, kafka, writer,
                    new CatchUpClock(Duration.ofMillis(20), STALL_TIMEOUT, Duration.ofSeconds(5)), peers)
                    .run(workload.changes());
            LOG.info("Bench: stopping the pipeline");
        } finally {
            writerThread.shutdownNow();
            writerThread.awaitTermination(1, TimeUnit.MINUTES);
        }

        LOG.info("Bench: comparing the warehouse with the source");
        List<TableComparison> comparisons = verifier.compare();
        BenchResult.Verification verification = new BenchResult.Verification(
                comparisons.stream().allMatch(TableComparison::matches),
                comparisons.stream().map(TableComparison::summary).toList());
        // Last, on a pipeline and a PostgreSQL of its own: the figures above stay comparable with runs without it.
        BenchResult.Snapshot snapshot = null;
        if (snapshotRows > 0) {
            LOG.info("Bench: the initial snapshot of {} rows", snapshotRows);
            snapshot = new SnapshotPhase(snapshotRows, pipelineOverrides, snapshotDir).run();
        }

        return new BenchResult(command, startedAt, machine(),
                new BenchResult.Workload(writes.changes(), writes.inserts(), writes.updates(), writes.deletes(),
                        writes.keyUpdates(), writes.transactions(), workload.maxTransaction(), workload.aircraft(),
                        workload.seed(), writes.kafkaRecords(), workload.warmUp(), partitions, loaders),
                initialLoad, stages(writes, arrivals),
                new BenchResult.Memory(peakHeap, MemoryPeaks.peakRssBytes().stream().boxed().findFirst().orElse(null)),
                verification, catchUp, latency, commit, cpu, snapshot, idle);
    }

    /** The JVM's CPU while the caught-up pipeline carries nothing but its heartbeats. */
    private ThreadCpu.Idle idle() throws InterruptedException {
        long settleSeconds = Math.min(idleSeconds, IDLE_SETTLE.toSeconds());
        LOG.info("Bench: idle, measured for {} s after {} s", idleSeconds, settleSeconds);
        Thread.sleep(settleSeconds * 1000L);
        ThreadCpu before = ThreadCpu.now();
        Thread.sleep(idleSeconds * 1000L);
        return ThreadCpu.now().idleSince(before);
    }

    private static List<BenchResult.Stage> stages(SourceWriter.SourceWrites writes, StageClock.Arrivals arrivals) {
        long n = writes.changes();
        return List.of(
                new BenchResult.Stage("PostgreSQL: committed", Throughput.seconds(writes.writingNanos()),
                        Throughput.perSecond(n, writes.writingNanos()), 0),
                stage("Kafka: every change record", n, writes, arrivals.inKafkaNanos()),
                stage("warehouse: loaded (end to end)", n, writes, arrivals.inWarehouseNanos()));
    }

    private static BenchResult.Stage stage(String name, long changes, SourceWriter.SourceWrites writes, long arrivedNanos) {
        long nanos = arrivedNanos - writes.firstCommitNanos();
        return new BenchResult.Stage(name, Throughput.seconds(nanos), Throughput.perSecond(changes, nanos),
                Throughput.seconds(arrivedNanos - writes.lastCommitNanos()));
    }

    private static void awaitStreaming(DataSource source, String slot) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Connection c = source.getConnection();
             PreparedStatement active = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            active.setString(1, slot);
            while (true) {
                try (ResultSet rs = active.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Debezium did not start reading the replication slot " + slot
                            + " within " + START_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(100);
            }
        }
    }

    /** Records of the topic the warehouse has loaded, tombstones included: its stored next offsets. */
    private static long loaded(DuckDbWarehouse warehouse, String topic) {
        return RecordCounts.loaded(warehouse, topic);
    }

    private static BenchResult.Machine machine() {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new BenchResult.Machine(Runtime.getRuntime().availableProcessors(), cpuModel(), os.getTotalMemorySize(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                Runtime.getRuntime().maxMemory());
    }

    /** The code that runs, as {@code git describe --always --dirty} names it; "unknown" outside a clone. */
    private static String commit() {
        try {
            Process git = new ProcessBuilder("git", "describe", "--always", "--dirty").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor() == 0 && !out.isEmpty() ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** The CPU's name from /proc/cpuinfo ("model name : ..."), or "unknown" where there is none. */
    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
