package cli;

import app.JdbcDrivers;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.ParseResult;
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
        JdbcDrivers.loadAllButSnowflake();
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code main} runs it, exit codes included; tests run commands through it too. */
    public static CommandLine commandLine() {
        return new CommandLine(new FlightCdc())
                .setExecutionStrategy(FlightCdc::inLogFormat)
                .setExecutionExceptionHandler(FlightCdc::reportMisconfiguration);
    }

    /**
     * Runs the command with every line it logs in the format flightcdc.log.format names. Log4j starts before any
     * setting is known, so the setting is read here, once the command line is parsed and before the command runs, as
     * the command reads the others: its -D options, then FLIGHTCDC_LOG_FORMAT, then application.properties.
     */
    private static int inLogFormat(ParseResult parsed) {
        List<CommandLine> commands = parsed.asCommandLineList();
        CommandLine command = commands.get(commands.size() - 1);
        // --help and --version log nothing, and should answer even while a setting is wrong.
        if (commands.stream().anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested())) {
            return new CommandLine.RunLast().execute(parsed);
        }
        SettingOptions options = command.getCommand() instanceof ReadsSettings reads ? reads.settingOptions() : new SettingOptions();
        try {
            LogOutput.use(options.logFormat());
        } catch (StartupException | IOException e) {
            throw new ExecutionException(command, e.getMessage(), e);
        }
        return new CommandLine.RunLast().execute(parsed);
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
