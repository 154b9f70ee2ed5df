package cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import settings.InvalidSettingException;
import settings.PipelineSettings;
import settings.PipelineSettings.Warehouse.Type;
import warehouse.snowflake.SnowflakeConnections;
import warehouse.snowflake.SnowflakeMigration;
import warehouse.snowflake.SnowflakeMigration.Mode;

/**
 * Prepares a Snowflake account for the loader: {@code run} with a Snowflake warehouse type expects what
 * this makes. Reads the same settings as {@code run} (command line, then FLIGHTCDC_* environment variables,
 * then application.properties); only the warehouse type and the Snowflake ones matter here.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {
            "Prepare a Snowflake account for the loader: database, schema, the loader's role and the DDL under"
                    + " snowflake/, applied by Flyway.",
            "For flightcdc.warehouse.type=snowflake-streaming: the change table Snowpipe Streaming appends to (the"
                    + " loader's role may insert into it and nothing more), the history view, the current state as a"
                    + " dynamic table refreshed within flightcdc.snowflake.target-lag and as a view with no lag, the"
                    + " dead-letter view and the analytics views. For snowflake-merge: the loader's role may create its"
                    + " own tables and views in the schema.",
            "The loader's role (flightcdc.snowflake.loader-role) is granted to flightcdc.snowflake.loader-user when"
                    + " that is set.",
            "Connects as flightcdc.snowflake.user with its key pair and flightcdc.snowflake.role, which must be allowed"
                    + " to create all this. Settings as for run: -D, then FLIGHTCDC_* environment variables, then"
                    + " application.properties. Running it again changes nothing that is up to date.",
            "Exit code 0: migrated; 2: a setting is wrong, or Snowflake could not be reached or refused a step."})
public class MigrateCommand implements Callable<Integer>, ReadsSettings {

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "Set any key of application.properties, e.g. -D flightcdc.warehouse.type=snowflake-merge.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public SettingOptions settingOptions() {
        SettingOptions options = new SettingOptions();
        options.settings.putAll(settings);
        return options;
    }

    @Override
    public Integer call() throws Exception {
        PipelineSettings resolved = settingOptions().resolve();
        Mode mode = mode(resolved.warehouse().type());
        SnowflakeConnections connections = new SnowflakeConnections(resolved.snowflake().orElseThrow());
        new SnowflakeMigration(connections, mode).run();
        return 0;
    }

    private static Mode mode(Type type) {
        return switch (type) {
            case SNOWFLAKE_STREAMING -> Mode.STREAMING;
            case SNOWFLAKE_MERGE -> Mode.MERGE;
            case DUCKDB, POSTGRES -> throw new InvalidSettingException("flightcdc.warehouse.type", "must be "
                    + Type.SNOWFLAKE_STREAMING.setting() + " or " + Type.SNOWFLAKE_MERGE.setting() + " for migrate, got '"
                    + type.setting() + "': the loader makes the tables of a " + type.setting() + " warehouse as it starts");
        };
    }
}
