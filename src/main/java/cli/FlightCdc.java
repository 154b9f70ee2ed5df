package cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import settings.StartupException;

/**
 * The flight-cdc command line: {@code run} (the default) starts the pipeline, {@code query} reads
 * the warehouse, {@code verify} compares the warehouse with the source, {@code catch-up} waits until a running
 * pipeline has loaded what the source holds, {@code bench} measures the
 * pipeline's throughput, {@code bench-poll} how long one poll takes to write, {@code migrate} prepares a
 * Snowflake account for the loader.
 */
@Command(name = "flight-cdc",
        mixinStandardHelpOptions = true,
        version = "flight-cdc 0.1.0",
        description = "Real-time change data capture of live flight data: OpenSky -> PostgreSQL -> Debezium -> Kafka -> warehouse.",
        subcommands = {RunCommand.class, QueryCommand.class, VerifyCommand.class, CatchUpCommand.class, BenchCommand.class, BenchPollCommand.class,
            MigrateCommand.class,
            CommandLine.HelpCommand.class})
public class FlightCdc implements Runnable {

    @Override
    public void run() {
        new CommandLine(new RunCommand()).execute();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code main} runs it, exit codes included; tests run commands through it too. */
    public static CommandLine commandLine() {
        return new CommandLine(new FlightCdc()).setExecutionExceptionHandler(FlightCdc::reportMisconfiguration);
    }

    /** A wrong setting or an unreachable service is the user's to fix: say what, without a stack trace. */
    private static int reportMisconfiguration(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StartupException startup) {
                cmd.getErr().println(startup.getMessage());
                return 2;
            }
        }
        throw e;
    }
}
