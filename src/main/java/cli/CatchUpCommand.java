package cli;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import monitor.CatchUp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import settings.PipelineSettings;
import settings.Secret;
import settings.StartupException;
import source.SourceDatabase;

/**
 * {@code flight-cdc catch-up}: waits until a running pipeline has loaded every change committed in the source before
 * the command started, reading only PostgreSQL and Kafka (see {@link CatchUp}). What a script runs between making
 * changes and stopping the pipeline to {@code verify} them.
 */
@Command(name = "catch-up", mixinStandardHelpOptions = true,
        description = {
            "Wait until the running pipeline has loaded every change committed in the source before this command"
                    + " started: the replication slot past the source's position, then the loader's consumer group at"
                    + " the end of every change topic and the transaction topic. Reads only PostgreSQL and Kafka"
                    + " (external ones: flightcdc.source.jdbc-url and flightcdc.kafka.bootstrap-servers, with the same"
                    + " settings as run), so it works while the pipeline runs.",
            "Exit code 0: caught up; 1: still behind when --timeout ran out, with what is behind; 2: the source or"
                    + " Kafka could not be read."})
public class CatchUpCommand implements Callable<Integer>, ReadsSettings {

    @Mixin
    SettingOptions options = new SettingOptions();

    @Override
    public SettingOptions settingOptions() {
        return options;
    }

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Longest wait, in seconds (default: 120).")
    long timeoutSeconds = 120;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (timeoutSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be more than 0 seconds, got " + timeoutSeconds);
        }
        PipelineSettings settings = options.resolve();
        if (settings.source().embedded() || settings.kafka().embedded()) {
            throw new StartupException("catch-up reads the source and Kafka of a pipeline in external mode: set"
                    + " flightcdc.source.jdbc-url (--postgres-url) and flightcdc.kafka.bootstrap-servers (--kafka)");
        }
        long started = System.nanoTime();
        try (SourceDatabase source = SourceDatabase.of(settings.source())) {
            CatchUp.of(settings, source.dataSource(), settings.kafka().bootstrapServers().orElseThrow())
                    .awaitLoaded(Duration.ofSeconds(timeoutSeconds));
        } catch (CatchUp.Behind behind) {
            spec.commandLine().getErr().println(behind.getMessage());
            return 1;
        } catch (SQLException | ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StartupException("catch-up cannot read " + (e instanceof SQLException
                    ? "the source " + Secret.redactUrls(settings.source().jdbcUrl().orElseThrow())
                    : "Kafka " + settings.kafka().bootstrapServers().orElseThrow()) + ": "
                    + Secret.redactUrls(String.valueOf(cause.getMessage())), e);
        }
        spec.commandLine().getOut().printf("Caught up in %.1f s: every change committed in the source before catch-up"
                + " started is in the warehouse%n", (System.nanoTime() - started) / 1e9);
        return 0;
    }
}
