package cli;

import app.EnvironmentSettings;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.MainConstants;
import org.apache.camel.main.MainHelper;
import org.apache.camel.spi.PropertiesComponent;
import picocli.CommandLine.Option;
import settings.LogFormat;
import settings.PipelineSettings;

/**
 * The options every command that reads the pipeline's settings shares. Each sets one key of
 * application.properties; anything not given keeps the value from the file or from its
 * environment variable.
 */
public class SettingOptions {

    @Option(names = "--data-dir", description = "Folder for embedded data, Debezium offsets and the DuckDB file (flightcdc.data-dir, default data).")
    String dataDir;

    @Option(names = "--postgres-url", description = "JDBC URL of an external PostgreSQL (wal_level=logical) instead of the embedded one (flightcdc.source.jdbc-url).")
    String postgresUrl;

    @Option(names = "--postgres-user", description = "Source database user (flightcdc.source.user); the password comes from FLIGHTCDC_SOURCE_PASSWORD.")
    String postgresUser;

    @Option(names = "--kafka", description = "Bootstrap servers of an external Kafka instead of the embedded broker (flightcdc.kafka.bootstrap-servers).")
    String kafka;

    @Option(names = "--duckdb", description = "DuckDB warehouse file (flightcdc.warehouse.duckdb-path, default <data-dir>/warehouse.duckdb).")
    String duckdb;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "Set any key of application.properties, e.g. -D flightcdc.load.max-batch=5000.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The keys the options set, for Camel's override properties. */
    Map<String, String> overrides() {
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        put(overrides, "flightcdc.data-dir", dataDir);
        put(overrides, "flightcdc.source.jdbc-url", postgresUrl);
        put(overrides, "flightcdc.source.user", postgresUser);
        put(overrides, "flightcdc.kafka.bootstrap-servers", kafka);
        put(overrides, "flightcdc.warehouse.duckdb-path", duckdb);
        return overrides;
    }

    static void put(Map<String, String> overrides, String key, Object value) {
        if (value != null) {
            overrides.put(key, value.toString());
        }
    }

    /**
     * The settings exactly as {@code run} sees them, for commands that do not start the pipeline.
     *
     * <p>{@code run} leaves the resolution to Camel Main, and Main leaves it to Camel's
     * PropertiesComponent: application.properties from Main's location (the classpath, unless
     * camel.main.property-placeholder-location names another, as the release's launcher does), environment
     * variables over it (FLIGHTCDC_SOURCE_JDBC_URL for flightcdc.source.jdbc-url, see
     * EnvironmentSettings), the options as override properties over both, {{placeholders}} resolved.
     * The same component in a plain CamelContext that is never started gives the same answers
     * without Main's lifecycle (configuration classes, routes, a run loop) that a command like
     * verify has no use for, and without a second reader of application.properties.
     */
    PipelineSettings resolve() throws IOException {
        return resolved(PipelineSettings::from);
    }

    /** {@value LogFormat#KEY}, found as {@link #resolve()} finds every other setting. */
    LogFormat logFormat() throws IOException {
        return resolved(LogFormat::from);
    }

    private <T> T resolved(Function<Function<String, Optional<String>>, T> reader) throws IOException {
        // Built, because the component converts values with the context's type converter; never
        // started, so closing it has nothing to stop and nothing to announce.
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.setStartupSummaryLevel(StartupSummaryLevel.Off);
            PropertiesComponent properties = camel.getPropertiesComponent();
            properties.setLocation(MainHelper.lookupPropertyFromSysOrEnv(MainConstants.PROPERTY_PLACEHOLDER_LOCATION)
                    .orElse(MainConstants.DEFAULT_PROPERTY_PLACEHOLDER_LOCATION));
            EnvironmentSettings.install(camel);
            Properties overrides = new Properties();
            overrides.putAll(overrides());
            properties.setOverrideProperties(overrides);
            return reader.apply(properties::resolveProperty);
        }
    }
}
