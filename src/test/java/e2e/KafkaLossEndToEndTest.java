package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import source.SourceDatabase;

/**
 * The change topic is deleted under a running pipeline and new changes follow: the capture writes them to a new
 * topic of the same name, whose offsets the warehouse has stored for other records. The loader must not take them
 * for loaded: the application halts with the reason and exit code 1, refuses to start again (exit 2), and the
 * rebuild docs/operations.md gives, which leaves the source alone, brings the warehouse back equal to the source.
 * PostgreSQL and Kafka belong to the test, as a user's servers would.
 */
class KafkaLossEndToEndTest {

    private static final Pattern STARTED = Pattern.compile("Apache Camel .* started in");
    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final Duration START = Duration.ofSeconds(120);

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aRecreatedTopicHaltsTheLoaderInsteadOfLosingItsChangesAndTheRebuildRestoresTheWarehouse() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "kafka-loss-");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one());
             EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), FreePorts.pair());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            try (SourceDatabase source = SourceDatabase.of(postgres)) {
                source.migrate();
            }
            // The source's password, as a user gives it: in the environment.
            Map<String, String> environment = Map.of("FLIGHTCDC_SOURCE_PASSWORD", postgres.password());
            List<String> run = List.of("run", "--no-poll", "--routes", dir.resolve("no-routes").toString(),
                    "--data-dir", dir.resolve("app").toString(), "--postgres-url", postgres.jdbcUrl(),
                    "--kafka", kafka.bootstrapServers(), "-D", "flightcdc.load.max-wait-ms=100",
                    "-D", "flightcdc.source.heartbeat-interval-ms=500",
                    // The capture's producer, stuck on the new topic's sequence numbers, gives up sooner.
                    "-D", "flightcdc.kafka.delivery-timeout-ms=31000");

            try (ChildJvm app = ChildJvm.flightCdc(dir.resolve("run-1.log"), run, environment)) {
                app.awaitLine(STARTED, START);
                CatchUps.ofFlightState(postgres, kafka.bootstrapServers()).awaitStreaming(START);
                insert(postgres, "first", 100);
                CatchUps.ofFlightState(postgres, kafka.bootstrapServers()).awaitLoaded(Duration.ofMinutes(2));

                admin.deleteTopics(Set.of(TOPIC)).all().get(30, TimeUnit.SECONDS);
                insert(postgres, "second", 50);

                assertThat(app.awaitExit(Duration.ofMinutes(2))).as("exit code of a halted run").isEqualTo(1);
                assertThat(app.lines()).anyMatch(line -> line.contains("The pipeline stops")
                        && line.contains("is not the one the warehouse was loaded from"));
            }
            assertThat(warehouseCount(dir, "SELECT count(*) FROM flight_state WHERE icao24 LIKE 'second%'"))
                    .as("nothing of the new topic taken for loaded or loaded").isZero();

            try (ChildJvm again = ChildJvm.flightCdc(dir.resolve("run-2.log"), run, environment)) {
                assertThat(again.awaitExit(START)).as("exit code of a refused start").isEqualTo(2);
                assertThat(again.lines()).anyMatch(line -> line.contains("up to offset 100")
                        && line.contains("fresh snapshot of the source"));
            }

            rebuildAsTheReadmeSays(dir, postgres, admin);
            try (ChildJvm rebuilt = ChildJvm.flightCdc(dir.resolve("run-3.log"), run, environment)) {
                rebuilt.awaitLine(STARTED, START);
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                        .until(() -> committed(admin) >= 150);
                rebuilt.stop();
            }
            List<String> verify = new ArrayList<>(List.of("verify", "--data-dir", dir.resolve("app").toString(),
                    "--postgres-url", postgres.jdbcUrl()));
            try (ChildJvm check = ChildJvm.flightCdc(dir.resolve("verify.log"), verify, environment)) {
                assertThat(check.awaitExit(Duration.ofMinutes(2))).as("verify after the rebuild").isZero();
            }
            assertThat(warehouseCount(dir, "SELECT count(*) FROM flight_state")).isEqualTo(150);
        }
    }

    /** docs/operations.md, "When it stops": set the warehouse aside, let Debezium snapshot again into a new topic. */
    private static void rebuildAsTheReadmeSays(Path dir, EmbeddedPostgresServer postgres, Admin admin) throws Exception {
        Path warehouse = dir.resolve("app/warehouse.duckdb");
        Files.move(warehouse, warehouse.resolveSibling("warehouse.duckdb.before-rebuild"));
        Files.deleteIfExists(warehouse.resolveSibling("warehouse.duckdb.wal"));
        Files.delete(dir.resolve("app/debezium-offsets.dat"));
        try (Connection c = postgres.connect();
             Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot('flightcdc')");
        }
        admin.deleteTopics(Set.of(TOPIC)).all().get(30, TimeUnit.SECONDS);
    }

    private static void insert(EmbeddedPostgresServer postgres, String prefix, int rows) throws Exception {
        try (Connection c = postgres.connect();
             Statement s = c.createStatement()) {
            for (int i = 0; i < rows; i++) {
                s.execute("INSERT INTO flight_state (icao24, last_contact) VALUES ('" + prefix + i + "', now())");
            }
        }
    }


    private static long committed(Admin admin) throws Exception {
        OffsetAndMetadata offset = admin.listConsumerGroupOffsets("flightcdc-warehouse").partitionsToOffsetAndMetadata()
                .get().get(PARTITION);
        return offset == null ? 0 : offset.offset();
    }

    private static long warehouseCount(Path dir, String sql) throws Exception {
        Properties readOnly = new Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("app/warehouse.duckdb").toAbsolutePath(),
                readOnly);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
