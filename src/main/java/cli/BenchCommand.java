package cli;

import bench.BenchResult;
import bench.Benchmark;
import bench.ChangeMix;
import bench.LatencyPhases;
import bench.ResultWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import settings.PipelineSettings;
import verify.Verification;

/**
 * Measures the pipeline's throughput on embedded services: see bench.Benchmark. Runs in a folder of
 * its own under the data folder, wiped first, so it never touches the data of {@code run}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Run the pipeline on embedded services with the OpenSky poll off, preload the table, write changes"
                    + " (10%% inserts, 85%% updates, 5%% deletes) as fast as PostgreSQL takes them, and measure when"
                    + " Kafka and the warehouse hold every one; then check the warehouse equals the source.",
            "Then, for each --latency-rates, write at that rate for --latency-seconds and measure each transaction's"
                    + " latency from its source commit until the warehouse holds it.",
            "Then stop the capture, write as many changes again, and clock how fast the capture catches up on"
                    + " that WAL beside its physical ceiling (pg_recvlogical) and its peer (Kafka Connect running the"
                    + " Debezium connector), each reading the same WAL from a slot of its own.",
            "With --idle-seconds, after the latency phases, measure the JVM's CPU while it carries nothing.",
            "With --snapshot-rows, last, start a pipeline against a PostgreSQL of its own whose table already holds that"
                    + " many rows, and clock its initial snapshot into Kafka and the warehouse beside PostgreSQL's COPY.",
            "Exit code 0: the warehouse matches the source (and holds each snapshot row once); 1: it differs."})
public class BenchCommand implements Callable<Integer>, ReadsSettings {

    @Mixin
    SettingOptions options = new SettingOptions();

    @Override
    public SettingOptions settingOptions() {
        return options;
    }

    @Option(names = "--changes", description = "Changes to write and measure (default: ${DEFAULT-VALUE}).")
    long changes = 500_000;

    @Option(names = "--aircraft", description = "Rows the table is preloaded with (default: ${DEFAULT-VALUE}).")
    int aircraft = 50_000;

    @Option(names = "--warm-up", paramLabel = "CHANGES",
            description = "Changes of the same mix to carry first, not measured, so that the figures are those of a JVM"
                    + " that has compiled its hot code (default: ${DEFAULT-VALUE}: measure from a cold start).")
    long warmUp;

    @Option(names = "--max-transaction", description = "Most changes per source transaction; each has 1 to this many, at random (default: ${DEFAULT-VALUE}).")
    int maxTransaction = 1_000;

    @Option(names = "--seed", description = "Seed of the workload's random choices (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--latency-rates", split = ",", paramLabel = "RATE",
            description = "After the throughput run, one latency phase per rate, in changes/s; 'none' for no phases"
                    + " (default: ${DEFAULT-VALUE}).")
    List<String> latencyRates = List.of("2000", "10000");

    @Option(names = "--latency-seconds", description = "How long each latency phase writes (default: ${DEFAULT-VALUE}).")
    double latencySeconds = 30;

    @Option(names = "--latency-tick-ms",
            description = "In latency phases, one transaction of rate × tick changes every tick (default: ${DEFAULT-VALUE}).")
    int latencyTickMs = 20;

    @Option(names = "--latency-whole-transactions-only",
            description = "Run each latency phase once, loading whole transactions, not a second time without (which"
                    + " measures what waiting for whole transactions costs).")
    boolean wholeTransactionsOnly;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of each topic: flightcdc.kafka.partitions (default: the setting's).")
    Integer partitions;

    @Option(names = "--loaders", paramLabel = "N",
            description = "The loader's Kafka consumers, each on a thread of its own: flightcdc.load.consumers, at most"
                    + " --partitions (default: the setting's).")
    Integer loaders;

    @Option(names = "--snapshot-rows", paramLabel = "ROWS",
            description = "Then clock the initial snapshot of a table of this many rows, on a PostgreSQL and a pipeline"
                    + " of its own (default: ${DEFAULT-VALUE}: not run).")
    long snapshotRows;

    @Option(names = "--idle-seconds", paramLabel = "SECONDS",
            description = "Then, with nothing to carry, measure the JVM's CPU for this long, as a share of one core by"
                    + " part, once as long again has passed, 10 s at most (default: ${DEFAULT-VALUE}: not measured).")
    int idleSeconds;

    @Option(names = "--out", description = "Folder for results.json and results.md (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "bench-results");

    @Option(names = "--no-peers", description = "Clock only our capture catching up, not pg_recvlogical (the ceiling) and Kafka Connect (the peer) on the same WAL.")
    boolean noPeers;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (changes < 1 || aircraft < 1 || maxTransaction < 1 || warmUp < 0 || snapshotRows < 0 || idleSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--changes, --aircraft and --max-transaction must be 1 or more,"
                    + " and --warm-up, --snapshot-rows and --idle-seconds 0 or more");
        }
        LatencyPhases.Plan latency = latencyPlan();
        options.dataDir = options.resolve().dataDir().resolve("bench").toString();
        options.settings.put("flightcdc.opensky.poll-enabled", "false");
        if (partitions != null) {
            options.settings.put("flightcdc.kafka.partitions", partitions.toString());
        }
        if (loaders != null) {
            options.settings.put("flightcdc.load.consumers", loaders.toString());
        }
        PipelineSettings settings = options.resolve();
        if (!settings.source().embedded() || !settings.kafka().embedded()) {
            throw new ParameterException(spec.commandLine(), "bench runs on the embedded PostgreSQL and Kafka only:"
                    + " it rewrites the source table");
        }
        if (!settings.source().tables().contains(Benchmark.TABLE)) {
            throw new ParameterException(spec.commandLine(), "bench writes to " + Benchmark.TABLE
                    + ", which flightcdc.source.tables must list");
        }
        if (!settings.capture().enabled() || !settings.warehouse().loadEnabled()) {
            throw new ParameterException(spec.commandLine(), "bench measures the capture and the load together: leave"
                    + " flightcdc.capture.enabled and flightcdc.load.enabled on");
        }
        RunCommand.resetData(settings);

        Map<String, String> overrides = options.overrides();
        // The stages are measured, without the YAML routes beside them (the sample reads every change too).
        overrides.putIfAbsent(RunCommand.ROUTES_INCLUDE_PATTERN, "false");
        String command = "flight-cdc " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        BenchResult result = new Benchmark(overrides, new Benchmark.Workload(changes, aircraft, maxTransaction, seed,
                ChangeMix.BENCHMARK, warmUp), command, latency).withPeers(!noPeers)
                .withSnapshot(snapshotRows, settings.dataDir().resolve("snapshot"))
                .withIdle(idleSeconds)
                .run(() -> Verification.compareAll(settings, 20));

        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(new ResultWriter().write(result, out));
        stdout.println("Results written to " + out.resolve(ResultWriter.JSON) + " and " + out.resolve(ResultWriter.MARKDOWN));
        stdout.flush();
        return result.verification().matches() && (result.snapshot() == null || result.snapshot().loadedOnce()) ? 0 : 1;
    }

    private LatencyPhases.Plan latencyPlan() {
        if (latencyRates.equals(List.of("none"))) {
            return LatencyPhases.Plan.none();
        }
        List<Integer> rates;
        try {
            rates = latencyRates.stream().map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--latency-rates takes whole changes/s, like 2000,10000, or none");
        }
        if (latencyTickMs < 1 || latencySeconds * 1000 < latencyTickMs
                || rates.stream().anyMatch(r -> r < 1 || r * latencySeconds < 1)) {
            throw new ParameterException(spec.commandLine(), "--latency-rates must be 1 or more, and each phase at least one"
                    + " tick long (--latency-tick-ms 1 or more) and long enough for one change at its rate");
        }
        return new LatencyPhases.Plan(rates, Duration.ofMillis(Math.round(latencySeconds * 1000)),
                Duration.ofMillis(latencyTickMs), !wholeTransactionsOnly);
    }
}
