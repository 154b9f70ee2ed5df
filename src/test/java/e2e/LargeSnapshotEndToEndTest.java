package e2e;

import static org.assertj.core.api.Assertions.assertThat;

import bench.WideRows;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import source.SourceDatabase;

/**
 * A first start against a table that does not fit in the heap, as a user's database with a long history is: Debezium's
 * initial snapshot must read it in pieces. camel-debezium passes a snapshot fetch size of 0, and PostgreSQL's driver
 * then reads the whole table into memory (about 660 bytes a row of every column): with 250,000 rows under a 256 MiB heap,
 * the application dies of an OutOfMemoryError before the first row reaches the warehouse, and under 320 MiB a quarter of
 * the way through the snapshot (measured on 2026-12-06).
 *
 * <p>The heap is 320 MiB, not 256: read in pieces, the snapshot still runs beside the loader, whose polls hand it all
 * that a fetch of 10 MiB of compressed changes holds (about 70,000 of these rows, some 100 MiB of the heap; see
 * PipelineSettings.Warehouse#fetchBytesPerPartition). Under 256 MiB up to 194 MiB stayed live after full collections
 * (138 of them in 40 s), and one CI run died of "GC overhead limit exceeded"; under 320 MiB, 190 MiB and 21 collections.
 * The collector's log is kept beside the run's, in gc.log.
 */
class LargeSnapshotEndToEndTest {

    private static final Pattern SNAPSHOT_DONE = Pattern.compile("Snapshot done");
    private static final int ROWS = 250_000;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aTableLargerThanTheHeapIsSnapshottedInPiecesAndArrivesWhole() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "large-snapshot-");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one())) {
            try (SourceDatabase source = SourceDatabase.of(postgres); Connection c = postgres.connect()) {
                source.migrate();
                WideRows.insert(c, ROWS);
            }
            AppRun app = AppRun.of(dir, postgres);
            try (ChildJvm running = ChildJvm.start(dir.resolve("run.log"), List.of("-Xmx320m", "-XX:+UseParallelGC",
                    "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + dir.resolve("gc.log")), "cli.FlightCdc", app.run(),
                    app.environment())) {
                running.awaitLine(SNAPSHOT_DONE, Duration.ofMinutes(4));
                CatchUps.ofFlightState(postgres, app.kafka()).awaitLoaded(Duration.ofMinutes(3));
                running.stop();
                assertThat(running.lines()).as("the snapshot's JVM never ran out of heap").noneMatch(l -> l.contains("OutOfMemoryError"));
            }

            assertThat(ChildJvm.verify(dir.resolve("verify.log"), app.location(), app.environment()))
                    .as("verify: the warehouse equals the source").isZero();
        }
    }
}
