package e2e;

import static org.assertj.core.api.Assertions.assertThat;

import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import source.SourceDatabase;

/**
 * A second pipeline started against what a running one uses: its replication slot, or its DuckDB warehouse. Two
 * readers of one slot would each get part of the stream, and two writers of one warehouse would each store
 * offsets the other did not load; the second refuses to start (exit 2) with the reason and the fix, and the first
 * runs on. Each application runs in a JVM of its own, against a PostgreSQL the test owns.
 */
class SecondPipelineEndToEndTest {

    private static final Pattern STARTED = Pattern.compile("Apache Camel .* started in");
    private static final Duration START = Duration.ofSeconds(120);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSecondPipelineOnTheSameSlotOrTheSameWarehouseRefusesToStart() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "second-pipeline-");
        try (EmbeddedPostgresServer postgres = source(dir);
             ChildJvm first = run(dir, postgres, "first", List.of())) {
            first.awaitLine(STARTED, START);
            CatchUps.ofFlightState(postgres, kafka("first")).awaitStreaming(START);

            // Both at once: each waits on its own for what the first holds.
            try (ChildJvm sameSlot = run(dir, postgres, "same-slot", List.of());
                 ChildJvm sameWarehouse = run(dir, postgres, "same-warehouse", List.of(
                         "-D", "flightcdc.source.slot=second", "-D", "flightcdc.source.publication=second",
                         "-D", "flightcdc.warehouse.duckdb-path=" + dir.resolve("first/warehouse.duckdb").toAbsolutePath()))) {
                assertThat(sameWarehouse.awaitExit(START)).as("exit code of a second writer of the warehouse").isEqualTo(2);
                assertThat(sameWarehouse.lines()).anyMatch(line -> line.contains("Cannot open the DuckDB warehouse")
                        && line.contains("DuckDB allows one writer"));
                assertThat(sameSlot.awaitExit(START)).as("exit code of a second reader of the slot").isEqualTo(2);
                assertThat(sameSlot.lines()).anyMatch(line -> line.contains("Replication slot 'flightcdc' is in use by"
                        + " another client") && line.contains("flightcdc.source.slot"));
            }
            assertThat(first.isAlive()).as("the first pipeline runs on").isTrue();
        }
    }

    private static EmbeddedPostgresServer source(Path dir) throws SQLException {
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one());
        try (SourceDatabase source = SourceDatabase.of(postgres)) {
            source.migrate();
        }
        return postgres;
    }

    private static final Map<String, Integer> KAFKA_PORTS = new java.util.concurrent.ConcurrentHashMap<>();

    private static String kafka(String name) {
        return "127.0.0.1:" + KAFKA_PORTS.get(name);
    }

    /** {@code flight-cdc run} with a data folder and embedded Kafka of its own, against the test's PostgreSQL. */
    private static ChildJvm run(Path dir, EmbeddedPostgresServer postgres, String name, List<String> settings) {
        int kafkaPort = KAFKA_PORTS.computeIfAbsent(name, n -> FreePorts.pair());
        List<String> args = new ArrayList<>(List.of("run", "--no-poll", "--routes", dir.resolve("no-routes").toString(),
                "--data-dir", dir.resolve(name).toString(), "--postgres-url", postgres.jdbcUrl(),
                "-D", "flightcdc.kafka.embedded-port=" + kafkaPort));
        args.addAll(settings);
        return ChildJvm.flightCdc(dir.resolve(name + ".log"), args, Map.of("FLIGHTCDC_SOURCE_PASSWORD", postgres.password()));
    }
}
