package e2e;

import static org.assertj.core.api.Assertions.assertThat;

import bench.WideRows;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
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
 * A first start against a table that does not fit in the heap, as a user's database with a long history is: Debezium's
 * initial snapshot must read it in pieces. camel-debezium passes a snapshot fetch size of 0, and PostgreSQL's driver
 * then reads the whole table into memory; with 500,000 rows of every column under a 384 MiB heap, the application
 * died of an OutOfMemoryError before the first row reached the warehouse.
 */
class LargeSnapshotEndToEndTest {

    private static final Pattern SNAPSHOT_DONE = Pattern.compile("Snapshot done");
    private static final int ROWS = 500_000;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aTableLargerThanTheHeapIsSnapshottedInPiecesAndArrivesWhole() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "large-snapshot-");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one())) {
            try (SourceDatabase source = SourceDatabase.of(postgres); Connection c = postgres.connect()) {
                source.migrate();
                WideRows.insert(c, ROWS);
            }
            Map<String, String> environment = Map.of("FLIGHTCDC_SOURCE_PASSWORD", postgres.password());
            List<String> location = List.of("--data-dir", dir.resolve("app").toString(), "--postgres-url", postgres.jdbcUrl());
            int kafkaPort = FreePorts.pair();
            List<String> run = new ArrayList<>(List.of("run", "--no-poll", "--routes", dir.resolve("no-routes").toString(),
                    "-D", "flightcdc.kafka.embedded-port=" + kafkaPort, "-D", "flightcdc.source.heartbeat-interval-ms=500"));
            run.addAll(location);

            try (ChildJvm app = ChildJvm.start(dir.resolve("run.log"), List.of("-Xmx384m", "-XX:+UseParallelGC",
                    "-XX:+ExitOnOutOfMemoryError"), "cli.FlightCdc", run, environment)) {
                app.awaitLine(SNAPSHOT_DONE, Duration.ofMinutes(4));
                CatchUps.ofFlightState(postgres, "127.0.0.1:" + kafkaPort).awaitLoaded(Duration.ofMinutes(3));
                app.stop();
                assertThat(app.lines()).as("the snapshot's JVM never ran out of heap").noneMatch(l -> l.contains("OutOfMemoryError"));
            }

            assertThat(ChildJvm.verify(dir.resolve("verify.log"), location, environment))
                    .as("verify: the warehouse equals the source").isZero();
        }
    }
}
