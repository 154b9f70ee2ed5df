package cli;

import app.Pipeline;
import app.PipelineSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.camel.main.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts the whole pipeline. Each option sets one key of application.properties; anything not
 * given keeps the value from the file or from its environment variable.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the pipeline. With no options every piece runs embedded on loopback.")
public class RunCommand implements Callable<Integer> {

    @Option(names = "--data-dir", description = "Folder for embedded data, Debezium offsets and the DuckDB file (flightcdc.data-dir, default data).")
    String dataDir;

    @Option(names = "--postgres-url", description = "JDBC URL of an external PostgreSQL (wal_level=logical) instead of the embedded one (flightcdc.source.jdbc-url).")
    String postgresUrl;

    @Option(names = "--postgres-user", description = "Source database user (flightcdc.source.user); the password comes from FLIGHTCDC_SOURCE_PASSWORD.")
    String postgresUser;

    @Option(names = "--kafka", description = "Bootstrap servers of an external Kafka instead of the embedded broker (flightcdc.kafka.bootstrap-servers).")
    String kafka;

    @Option(names = "--opensky-url", description = "OpenSky API base URL, e.g. https://opensky-network.org/api, instead of the simulator (flightcdc.opensky.base-url).")
    String openSkyUrl;

    @Option(names = "--no-poll", description = "Do not poll OpenSky: carry only the changes others make in PostgreSQL (flightcdc.opensky.poll-enabled=false).")
    boolean noPoll;

    @Option(names = "--poll-interval-ms", description = "Milliseconds between OpenSky polls (flightcdc.opensky.poll-interval-ms).")
    Integer pollIntervalMs;

    @Option(names = "--aircraft", description = "Number of aircraft the simulator flies (flightcdc.simulator.aircraft).")
    Integer aircraft;

    @Option(names = "--duckdb", description = "DuckDB warehouse file (flightcdc.warehouse.duckdb-path, default <data-dir>/warehouse.duckdb).")
    String duckdb;

    @Option(names = "--routes", description = "Folder of your own YAML routes, loaded when it exists (default: routes).")
    Path userRoutes = Path.of("routes");

    @Option(names = "--reset", description = "Delete the embedded PostgreSQL and Kafka data, Debezium offsets and the DuckDB file first.")
    boolean reset;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "Set any key of application.properties, e.g. -D flightcdc.load.max-batch=5000.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        put(overrides, "flightcdc.data-dir", dataDir);
        put(overrides, "flightcdc.source.jdbc-url", postgresUrl);
        put(overrides, "flightcdc.source.user", postgresUser);
        put(overrides, "flightcdc.kafka.bootstrap-servers", kafka);
        put(overrides, "flightcdc.opensky.base-url", openSkyUrl);
        put(overrides, "flightcdc.opensky.poll-enabled", noPoll ? "false" : null);
        put(overrides, "flightcdc.opensky.poll-interval-ms", pollIntervalMs);
        put(overrides, "flightcdc.simulator.aircraft", aircraft);
        put(overrides, "flightcdc.warehouse.duckdb-path", duckdb);

        Main main = new Main();
        overrides.forEach(main::addOverrideProperty);
        Pipeline.addTo(main.configure());
        if (Files.isDirectory(userRoutes)) {
            main.configure().withRoutesIncludePattern("file:" + userRoutes.toAbsolutePath() + "/*.yaml");
        }
        if (reset) {
            resetData(Path.of(overrides.getOrDefault("flightcdc.data-dir", "data")));
        }
        main.run();
        return main.getExitCode();
    }

    private static void put(Map<String, String> overrides, String key, Object value) {
        if (value != null) {
            overrides.put(key, value.toString());
        }
    }

    /** Removes only what the pipeline itself keeps in the data folder. */
    static void resetData(Path dataDir) throws IOException {
        for (String name : new String[] {"postgres", "kafka", PipelineSettings.DEBEZIUM_OFFSETS_FILE,
                "warehouse.duckdb", "warehouse.duckdb.wal"}) {
            Path path = dataDir.resolve(name);
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
