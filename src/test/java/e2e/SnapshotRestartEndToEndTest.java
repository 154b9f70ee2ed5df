package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import source.SourceDatabase;

/**
 * The application is killed while Debezium's initial snapshot of a table in use is half done, and changes go on
 * meanwhile. Debezium stores no position before the snapshot ends, so the next start snapshots again from the
 * start; the warehouse must end equal to the source, every row read once more at worst, none lost.
 */
class SnapshotRestartEndToEndTest {

    private static final Pattern SNAPSHOT_STARTED = Pattern.compile("Snapshot started");
    private static final Pattern STARTED = Pattern.compile("Apache Camel .* started in");
    private static final Pattern SNAPSHOT_DONE = Pattern.compile("Snapshot done");
    private static final int ROWS = 50_000;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void anApplicationKilledDuringItsFirstSnapshotSnapshotsAgainAndLosesNothing() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "snapshot-restart-");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one())) {
            try (SourceDatabase source = SourceDatabase.of(postgres); Connection c = postgres.connect();
                 Statement s = c.createStatement()) {
                source.migrate();
                s.execute("INSERT INTO flight_state (icao24, callsign, last_contact) SELECT 'old' || g, 'OLD' || g, now()"
                        + " FROM generate_series(1, " + ROWS + ") g");
            }
            AppRun app = AppRun.of(dir, postgres);
            try (ChildJvm first = ChildJvm.flightCdc(dir.resolve("run-1.log"), app.run(), app.environment())) {
                first.awaitLine(SNAPSHOT_STARTED, Duration.ofMinutes(2));
                write(postgres, "UPDATE flight_state SET callsign = 'DURING' WHERE icao24 IN ('old1', 'old2');"
                        + " DELETE FROM flight_state WHERE icao24 = 'old3';"
                        + " INSERT INTO flight_state (icao24, last_contact) VALUES ('during', now())");
                // Some of the snapshot in Kafka, the rest not: the first rows read include old3.
                awaitRecords(app.kafka(), 1_000);
                first.kill();
                assertThat(first.lines()).as("killed before the snapshot ended").noneMatch(line -> SNAPSHOT_DONE.matcher(line).find());
            }

            try (ChildJvm second = ChildJvm.flightCdc(dir.resolve("run-2.log"), app.run(), app.environment())) {
                second.awaitLine(STARTED, Duration.ofMinutes(2));
                second.awaitLine(SNAPSHOT_DONE, Duration.ofMinutes(3));
                write(postgres, "UPDATE flight_state SET callsign = 'AFTER' WHERE icao24 = 'old4'");
                CatchUps.ofFlightState(postgres, app.kafka()).awaitLoaded(Duration.ofMinutes(2));
                second.stop();
            }

            List<String> verify = new ArrayList<>(List.of("verify"));
            verify.addAll(app.location());
            try (ChildJvm check = ChildJvm.flightCdc(dir.resolve("verify.log"), verify, app.environment())) {
                assertThat(check.awaitExit(Duration.ofMinutes(2))).as("verify: warehouse equals source; %s", check.tail(3))
                        .isZero();
            }
        }
    }

    private static void awaitRecords(String bootstrap, long records) {
        TopicPartition partition = new TopicPartition("flightcdc.public.flight_state", 0);
        try (Admin kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
                    kafka.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get().offset() >= records);
        }
    }

    private static void write(EmbeddedPostgresServer postgres, String sql) throws Exception {
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
