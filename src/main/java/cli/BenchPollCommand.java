package cli;

import bench.PollWriteBenchmark;
import embedded.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import settings.PipelineSettings;
import source.SourceDatabase;

/**
 * Measures how long the poll takes to write one OpenSky response of many aircraft into PostgreSQL:
 * see bench.PollWriteBenchmark. Runs on an embedded PostgreSQL of its own, in {@code <data-dir>/bench-poll}.
 */
@Command(name = "bench-poll", mixinStandardHelpOptions = true,
        description = {
            "Parse and write one OpenSky poll of --aircraft aircraft into an empty flight_state (all inserted), then"
                    + " the next poll (all moved: all updated), then the same poll again (nothing changed), --runs times"
                    + " after one warm-up run, and print the median and slowest of each, in milliseconds.",
            "Runs the poll's own parser and camel-sql statement on an embedded PostgreSQL in <data-dir>/bench-poll, on"
                    + " flightcdc.source.embedded-port (stop the pipeline first, or give another port with -D)."})
public class BenchPollCommand implements Callable<Integer>, ReadsSettings {

    @Mixin
    SettingOptions options = new SettingOptions();

    @Override
    public SettingOptions settingOptions() {
        return options;
    }

    @Option(names = "--aircraft", description = "Aircraft in the poll (default: ${DEFAULT-VALUE}).")
    int aircraft = 10_000;

    @Option(names = "--runs", description = "Measured runs, after one warm-up run (default: ${DEFAULT-VALUE}).")
    int runs = 7;

    @Option(names = "--seed", description = "Seed of the made-up aircraft (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (aircraft < 1 || runs < 1) {
            throw new ParameterException(spec.commandLine(), "--aircraft and --runs must be 1 or more");
        }
        PipelineSettings settings = options.resolve();
        Path data = settings.dataDir().resolve("bench-poll").resolve("postgres");
        PollWriteBenchmark.Result result;
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(data, settings.source().embeddedPort());
             SourceDatabase source = SourceDatabase.of(postgres)) {
            source.migrate();
            result = new PollWriteBenchmark(source.dataSource()).run(aircraft, runs, seed);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("One poll of %,d aircraft (%,d characters of JSON), median and slowest of %d runs:%n",
                result.aircraft(), result.bodyChars(), result.runs());
        out.println("| step | median (ms) | slowest (ms) |");
        out.println("|---|---:|---:|");
        row(out, "parse and validate the response", result.parse());
        row(out, "write it into an empty table (all inserted)", result.insert());
        row(out, "write the next poll (all moved: all updated)", result.update());
        row(out, "write that poll again (nothing changed: no row written)", result.unchanged());
        out.flush();
        return 0;
    }

    private static void row(PrintWriter out, String step, PollWriteBenchmark.Phase phase) {
        out.printf("| %s | %.1f | %.1f |%n", step, phase.medianMs(), phase.maxMs());
    }
}
