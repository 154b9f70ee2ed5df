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
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import monitor.CatchUp;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.duckdb.DuckDBDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import source.SourceDatabase;

/**
 * A change larger than Kafka takes halts the pipeline at that change, with the limit it is over and the
 * fix, and skips nothing: no later change reaches Kafka, and a start after the fix carries it and what
 * followed, once each. Once the topic's own limit (an external broker with Kafka's default of about 1 MB),
 * once the pipeline's, flightcdc.kafka.max-record-bytes (2 MiB here). The application runs as users run it,
 * in a JVM of its own; PostgreSQL and Kafka belong to the test, as a user's servers would.
 */
class OversizedChangeEndToEndTest {

    private static final Pattern STARTED = Pattern.compile("Apache Camel .* started in");
    private static final String TOPIC = "flightcdc.public.documents";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final Duration START = Duration.ofSeconds(120);
    private static final int MAX_RECORD_BYTES = 2 << 20;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aChangeLargerThanKafkaTakesHaltsThePipelineThereAndAStartAfterTheFixCarriesIt() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "oversized-");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one());
             EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), FreePorts.pair());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            try (SourceDatabase source = SourceDatabase.of(postgres); Connection c = postgres.connect();
                 Statement s = c.createStatement()) {
                source.migrate();
                s.execute("CREATE TABLE documents (id integer PRIMARY KEY, body text)");
            }
            // The source's password, as a user gives it: in the environment.
            Map<String, String> environment = Map.of("FLIGHTCDC_SOURCE_PASSWORD", postgres.password());
            List<String> run = new ArrayList<>(List.of("run", "--no-poll", "--routes", dir.resolve("no-routes").toString(),
                    "--data-dir", dir.resolve("app").toString(), "--postgres-url", postgres.jdbcUrl(),
                    "--kafka", kafka.bootstrapServers(), "-D", "flightcdc.source.tables=public.documents",
                    "-D", "flightcdc.load.max-wait-ms=100", "-D", "flightcdc.source.heartbeat-interval-ms=500"));
            List<String> withPipelineLimit = new ArrayList<>(run);
            withPipelineLimit.addAll(List.of("-D", "flightcdc.kafka.max-record-bytes=" + MAX_RECORD_BYTES));

            try (ChildJvm app = ChildJvm.flightCdc(dir.resolve("run-1.log"), withPipelineLimit, environment)) {
                app.awaitLine(STARTED, START);
                catchUp(postgres, kafka).awaitStreaming(START);
                source(postgres, "INSERT INTO documents VALUES (1, 'small')");
                awaitLoaded(admin, 1);
                // A position stored after it, so the next run resumes there rather than snapshotting again.
                catchUp(postgres, kafka).awaitCaptured(Duration.ofMinutes(1));
                // About 1.5 MB: under the pipeline's 2 MiB, over the broker's default.
                source(postgres, "INSERT INTO documents VALUES (2, " + text(49_152) + ")");
                source(postgres, "INSERT INTO documents VALUES (3, 'after it')");

                assertThat(app.awaitExit(Duration.ofMinutes(2))).as("exit code of a halted run").isEqualTo(1);
                assertThat(app.lines()).anyMatch(line -> line.contains("The pipeline stops: A change for " + TOPIC + " of ")
                        && line.contains(" bytes is larger than the topic's max.message.bytes (1048588). Nothing after it"
                        + " was sent and the capture's position stays before it: raise flightcdc.kafka.max-record-bytes"
                        + " (now 2097152) and, with an external Kafka, the topic's max.message.bytes or the broker's"
                        + " message.max.bytes, then start again: the capture resumes from this change"));
            }
            assertThat(endOffset(admin)).as("nothing after the refused change reached Kafka").isEqualTo(1);
            assertThat(loaded(dir)).containsExactly("1:5");

            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC), List.of(
                    new AlterConfigOp(new ConfigEntry("max.message.bytes", String.valueOf(8 << 20)),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            try (ChildJvm app = ChildJvm.flightCdc(dir.resolve("run-2.log"), withPipelineLimit, environment)) {
                app.awaitLine(STARTED, START);
                awaitLoaded(admin, 3);
                catchUp(postgres, kafka).awaitCaptured(Duration.ofMinutes(1));
                // About 3 MB: under what the topic takes now, over the pipeline's 2 MiB.
                source(postgres, "INSERT INTO documents VALUES (4, " + text(98_304) + ")");
                source(postgres, "INSERT INTO documents VALUES (5, 'after it too')");

                assertThat(app.awaitExit(Duration.ofMinutes(2))).as("exit code of a halted run").isEqualTo(1);
                assertThat(app.lines()).anyMatch(line -> line.contains("The pipeline stops: A change for " + TOPIC + " of ")
                        && line.contains(" bytes is larger than flightcdc.kafka.max-record-bytes (2097152)."));
            }
            assertThat(endOffset(admin)).as("nothing after the refused change reached Kafka").isEqualTo(3);
            assertThat(loaded(dir)).containsExactly("1:5", "2:1572864", "3:8");

            List<String> withRaisedLimit = new ArrayList<>(run);
            withRaisedLimit.addAll(List.of("-D", "flightcdc.kafka.max-record-bytes=" + (8 << 20)));
            try (ChildJvm app = ChildJvm.flightCdc(dir.resolve("run-3.log"), withRaisedLimit, environment)) {
                app.awaitLine(STARTED, START);
                awaitLoaded(admin, 5);
                app.stop();
            }
            assertThat(loaded(dir)).containsExactly("1:5", "2:1572864", "3:8", "4:3145728", "5:12");
            List<String> verify = List.of("verify", "--data-dir", dir.resolve("app").toString(), "--postgres-url",
                    postgres.jdbcUrl(), "-D", "flightcdc.source.tables=public.documents");
            try (ChildJvm check = ChildJvm.flightCdc(dir.resolve("verify.log"), verify, environment)) {
                assertThat(check.awaitExit(Duration.ofMinutes(2))).as("verify").isZero();
                assertThat(check.lines()).anyMatch(line -> line.contains(
                        "public.documents: source 5 rows, warehouse 5 rows, checksums equal — MATCH"));
            }
        }
    }

    private static CatchUp catchUp(EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka) {
        return CatchUps.of(postgres.jdbcUrl(), postgres.user(), postgres.password(), "flightcdc", kafka.bootstrapServers(),
                "flightcdc-warehouse", List.of(TOPIC));
    }

    /** About {@code md5s} × 32 characters that do not compress. */
    private static String text(int md5s) {
        return "(SELECT string_agg(md5(g::text), '') FROM generate_series(1, " + md5s + ") g)";
    }

    private static void source(EmbeddedPostgresServer postgres, String sql) throws Exception {
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }


    /** The loader commits a batch's offsets after the warehouse transaction. */
    private static void awaitLoaded(Admin admin, long records) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() ->
                endOffset(admin) >= records && committed(admin) >= endOffset(admin));
    }

    private static long endOffset(Admin admin) throws Exception {
        return admin.listOffsets(Map.of(PARTITION, OffsetSpec.latest())).partitionResult(PARTITION).get().offset();
    }

    private static long committed(Admin admin) throws Exception {
        OffsetAndMetadata committed = admin.listConsumerGroupOffsets("flightcdc-warehouse").partitionsToOffsetAndMetadata()
                .get().get(PARTITION);
        return committed == null ? 0 : committed.offset();
    }

    /** Each change in the warehouse's history, as "id:length of its body", in Kafka order; the pipeline is stopped. */
    private static List<String> loaded(Path dir) throws Exception {
        Properties readOnly = new Properties();
        readOnly.setProperty(DuckDBDriver.DUCKDB_READONLY_PROPERTY, "true");
        List<String> changes = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("app/warehouse.duckdb").toAbsolutePath(),
                readOnly); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, length(body) FROM documents_history ORDER BY _kafka_offset")) {
            while (rs.next()) {
                changes.add(rs.getLong(1) + ":" + rs.getLong(2));
            }
        }
        return changes;
    }
}
