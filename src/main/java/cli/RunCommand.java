package cli;

import static cli.SettingOptions.put;

import app.Pipeline;
import capture.PositionTable;
import embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListener;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import settings.PipelineSettings;
import settings.StartupException;
import source.SourceDatabase;

/**
 * Starts the whole pipeline. Each option sets one key of application.properties; anything not
 * given keeps the value from the file or from its environment variable.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the pipeline. With no options every piece runs embedded on loopback.")
public class RunCommand implements Callable<Integer>, ReadsSettings {

    static final String ROUTES_INCLUDE_PATTERN = "camel.main.routes-include-pattern";

    @Mixin
    SettingOptions options = new SettingOptions();

    @Override
    public SettingOptions settingOptions() {
        return options;
    }

    @Option(names = "--opensky-url", description = "OpenSky API base URL, e.g. https://opensky-network.org/api, instead of the simulator (flightcdc.opensky.base-url).")
    String openSkyUrl;

    @Option(names = "--no-poll", description = "Do not poll OpenSky: carry only the changes others make in PostgreSQL (flightcdc.opensky.poll-enabled=false).")
    boolean noPoll;

    @Option(names = "--no-capture", description = "Do not capture: another process does, into the Kafka of flightcdc.kafka.bootstrap-servers, from the PostgreSQL of flightcdc.source.jdbc-url; this one loads, or polls (flightcdc.capture.enabled=false).")
    boolean noCapture;

    @Option(names = "--no-load", description = "Do not load the warehouse: loaders in other processes do (flightcdc.load.enabled=false).")
    boolean noLoad;

    @Option(names = "--poll-interval-ms", description = "Milliseconds between OpenSky polls (flightcdc.opensky.poll-interval-ms).")
    Integer pollIntervalMs;

    @Option(names = "--aircraft", description = "Number of aircraft the simulator flies (flightcdc.simulator.aircraft).")
    Integer aircraft;

    @Option(names = "--routes", description = "Folder of your own YAML routes, loaded when it exists (default: routes).")
    Path userRoutes = Path.of("routes");

    @Option(names = "--reset", description = "Delete the embedded PostgreSQL and Kafka data (and PostgreSQL's password), Debezium's position (its file, or its rows in an external source) and the DuckDB file first. A PostgreSQL or Snowflake warehouse is left as it is: drop its tables as well, or the start is refused, its offsets being of topics that are gone.")
    boolean reset;

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = options.overrides();
        put(overrides, "flightcdc.opensky.base-url", openSkyUrl);
        put(overrides, "flightcdc.opensky.poll-enabled", noPoll ? "false" : null);
        put(overrides, "flightcdc.capture.enabled", noCapture ? "false" : null);
        put(overrides, "flightcdc.load.enabled", noLoad ? "false" : null);
        put(overrides, "flightcdc.opensky.poll-interval-ms", pollIntervalMs);
        put(overrides, "flightcdc.simulator.aircraft", aircraft);

        Pipeline.Run main = Pipeline.newMain(overrides);
        if (Files.isDirectory(userRoutes)) {
            main.addMainListener(alsoLoading("file:" + userRoutes.toAbsolutePath() + "/*.yaml"));
        }
        if (reset) {
            PipelineSettings settings = options.resolve();
            if (settings.failover().enabled()) {
                throw new StartupException("run --reset deletes the warehouse and the capture's position, which every"
                        + " instance shares, while another instance may be leading. Fix: stop every instance, then start"
                        + " one with --reset and flightcdc.failover.enabled=false.");
            }
            resetData(settings);
            if (settings.capture().enabled()) {
                forgetPositionInExternalSource(settings);
            }
        }
        main.run();
        return main.getExitCode();
    }

    /**
     * Loads the routes {@code pattern} names as well as those camel.main.routes-include-pattern names (the sample
     * among them). Camel Main sets its pattern from that setting after the code configured it, so the setting itself
     * is extended, once application.properties, the environment and the options are read and before Main reads it.
     */
    static MainListener alsoLoading(String pattern) {
        return new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport starting) {
                PropertiesComponent properties = starting.getCamelContext().getPropertiesComponent();
                String configured = properties.resolveProperty(ROUTES_INCLUDE_PATTERN)
                        .filter(p -> !p.isBlank() && !p.equals("false")).orElse(null);
                properties.addOverrideProperty(ROUTES_INCLUDE_PATTERN, configured == null ? pattern : configured + "," + pattern);
            }
        };
    }

    /** The position kept in an external source outlives the data folder: it goes with the warehouse it matched. */
    static void forgetPositionInExternalSource(PipelineSettings settings) {
        if (settings.capture().positionStore() == PipelineSettings.Capture.PositionStore.SOURCE && !settings.source().embedded()) {
            try (SourceDatabase source = SourceDatabase.of(settings.source())) {
                new PositionTable(source.dataSource(), settings.source().schema(), settings.source().slot()).clear();
            }
        }
    }

    /**
     * Removes only what the pipeline itself keeps: the embedded servers' data (and PostgreSQL's password, which
     * the next start makes anew), and what the stages this process runs keep: Debezium's offsets, the warehouse. A
     * process that only loads leaves the capture's position to the process that captures, and the other way round.
     */
    static void resetData(PipelineSettings settings) throws IOException {
        Path dataDir = settings.dataDir();
        Path postgres = dataDir.resolve("postgres");
        List<Path> paths = new ArrayList<>(List.of(postgres, EmbeddedPostgresServer.passwordFile(postgres), dataDir.resolve("kafka")));
        if (settings.capture().enabled()) {
            paths.add(settings.debeziumOffsets());
        }
        if (settings.warehouse().loadEnabled()) {
            Path duckdb = settings.warehouse().duckdbPath();
            paths.addAll(List.of(duckdb, duckdb.resolveSibling(duckdb.getFileName() + ".wal")));
        }
        for (Path path : paths) {
            if (Files.exists(path)) {
                try (Stream<Path> tree = Files.walk(path)) {
                    for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }
}
