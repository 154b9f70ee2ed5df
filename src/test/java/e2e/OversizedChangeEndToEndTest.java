package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import capture.AcknowledgedKafkaPublisher;
import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.ServiceStatus;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import routes.CaptureRoute;
import source.SourceDatabase;

/**
 * A change larger than Kafka takes stops the capture at that change, with an error naming the limit and
 * the fix, and skips nothing: no later change is loaded before it, and a restart resumes from it. Kafka
 * is an external broker here (the test's own) with Kafka's default limit of about 1 MB; the pipeline's
 * own limit, flightcdc.kafka.max-record-bytes, is 2 MiB.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OversizedChangeEndToEndTest extends PipelineTestSupport {

    private static final int MAX_RECORD_BYTES = 2 << 20;
    private static final String TOPIC = "flightcdc.public.documents";
    private static final Path DIR = newDirectory("oversized-");
    private static final EmbeddedPostgresServer SOURCE = EmbeddedPostgresServer.start(DIR.resolve("postgres"), FreePorts.one());
    private static final EmbeddedKafkaBroker THEIR_KAFKA = EmbeddedKafkaBroker.start(DIR.resolve("their-kafka"), FreePorts.pair());

    static {
        try (SourceDatabase db = new SourceDatabase(SOURCE.jdbcUrl(), SOURCE.user(), SOURCE.password());
             Connection c = source(); Statement s = c.createStatement()) {
            db.migrate();
            s.execute("CREATE TABLE documents (id integer PRIMARY KEY, body text)");
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CapturedLog publisherLog = new CapturedLog(AcknowledgedKafkaPublisher.class);

    @AfterAll
    void stopThePipelineThenTheirServices() throws Exception {
        publisherLog.close();
        context.stop();
        THEIR_KAFKA.close();
        SOURCE.close();
    }

    @Override
    protected Properties pipelineSettings() {
        return settings(DIR.resolve("pipeline"),
                "flightcdc.source.jdbc-url", SOURCE.jdbcUrl(),
                "flightcdc.source.user", SOURCE.user(),
                "flightcdc.source.password", SOURCE.password(),
                "flightcdc.source.tables", "public.documents",
                "flightcdc.kafka.bootstrap-servers", THEIR_KAFKA.bootstrapServers(),
                "flightcdc.kafka.max-record-bytes", String.valueOf(MAX_RECORD_BYTES),
                "flightcdc.opensky.poll-enabled", "false");
    }

    @Test
    @Order(1)
    void aChangeTheBrokerRefusesStopsTheCaptureThereUntilTheBrokerTakesIt() throws Exception {
        await().atMost(Duration.ofSeconds(90)).until(() -> count(source(),
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'flightcdc' AND active") == 1);
        source("INSERT INTO documents VALUES (1, 'small')");
        await().atMost(Duration.ofSeconds(60)).until(() -> loadedIds().equals(List.of(1L)));

        // About 1.5 MB: under the pipeline's 2 MiB, over the broker's default.
        source("INSERT INTO documents VALUES (2, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 49152) g))");
        source("INSERT INTO documents VALUES (3, 'after it')");

        awaitCaptureStoppedWith("larger than the topic's max.message.bytes");
        assertThat(publisherLog.warnings()).anySatisfy(error -> assertThat(error)
                .startsWith("A change for " + TOPIC + " of ")
                .endsWith(" bytes is larger than the topic's max.message.bytes (1048588). The capture stops at this change"
                        + " and skips nothing: raise flightcdc.kafka.max-record-bytes (now 2097152) and, with an external"
                        + " Kafka, the topic's max.message.bytes or the broker's message.max.bytes, then restart: the"
                        + " capture resumes from this change."));
        // Nothing after the change is skipped to: the later one waits behind it.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> loadedIds().equals(List.of(1L)));

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, THEIR_KAFKA.bootstrapServers()))) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC), List.of(
                    new AlterConfigOp(new ConfigEntry("max.message.bytes", String.valueOf(4 << 20)),
                            AlterConfigOp.OpType.SET)))).all().get();
        }
        context.getRouteController().startRoute(CaptureRoute.ROUTE_ID);

        await().atMost(Duration.ofSeconds(90)).until(() -> loadedIds().equals(List.of(1L, 2L, 3L)));
        assertThat(rows("SELECT id, length(body) FROM documents_history ORDER BY _kafka_offset"))
                .containsExactly(List.of(1L, 5L), List.of(2L, 1_572_864L), List.of(3L, 8L));
    }

    @Test
    @Order(2)
    void aChangeOverThePipelinesOwnLimitStopsTheCaptureThereAgainAfterARestart() throws Exception {
        int before = publisherLog.warnings().size();
        // About 3 MB: over the pipeline's 2 MiB, under what the topic takes now.
        source("INSERT INTO documents VALUES (4, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 98304) g))");
        source("INSERT INTO documents VALUES (5, 'after it')");

        awaitCaptureStoppedWith("larger than flightcdc.kafka.max-record-bytes");
        assertThat(publisherLog.warnings().subList(before, publisherLog.warnings().size())).anySatisfy(error ->
                assertThat(error).startsWith("A change for " + TOPIC + " of ")
                        .contains(" bytes is larger than flightcdc.kafka.max-record-bytes (2097152). The capture stops at"
                                + " this change and skips nothing"));

        int stopped = publisherLog.warnings().size();
        context.getRouteController().startRoute(CaptureRoute.ROUTE_ID);
        await().atMost(Duration.ofSeconds(90)).until(() -> publisherLog.warnings().size() > stopped
                && captureStatus() == ServiceStatus.Stopped);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> loadedIds().equals(List.of(1L, 2L, 3L)));
    }

    private void awaitCaptureStoppedWith(String reason) {
        await().atMost(Duration.ofSeconds(90)).until(() -> captureStatus() == ServiceStatus.Stopped
                && publisherLog.warnings().stream().anyMatch(w -> w.contains(reason)));
    }

    private ServiceStatus captureStatus() {
        return context.getRouteController().getRouteStatus(CaptureRoute.ROUTE_ID);
    }

    private List<Long> loadedIds() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (List<Object> row : rows("SELECT id FROM documents ORDER BY id")) {
            ids.add((Long) row.get(0));
        }
        return ids;
    }

    private List<List<Object>> rows(String sql) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection c = warehouseConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(((Number) rs.getObject(i)).longValue());
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static Connection source() throws SQLException {
        return SOURCE.connect();
    }

    private static void source(String sql) throws SQLException {
        try (Connection c = source(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Connection c = connection; Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
