package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import monitor.ConsumerLagMonitor;
import monitor.ReplicationSlotMonitor;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import routes.LoadRoute;
import source.SourceDatabase;

/**
 * The replication slot on the whole pipeline: with the captured table idle and another table
 * writing, heartbeats keep the slot's confirmed position moving so PostgreSQL can recycle the WAL,
 * and the monitor warns, by its own timer, when its thresholds (here 0) are passed. Each test
 * starts and stops the pipeline; the second one restarts it on the first one's data, which the
 * startup checks must let through.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationSlotHygieneEndToEndTest extends PipelineTestSupport {

    private static final Path DATA = newDirectory("slot-");

    private CapturedLog slotWarnings;
    private CapturedLog lagWarnings;

    @BeforeEach
    void captureMonitorWarnings() {
        slotWarnings = new CapturedLog(ReplicationSlotMonitor.class);
        lagWarnings = new CapturedLog(ConsumerLagMonitor.class);
    }

    @AfterEach
    void stopCapturing() {
        slotWarnings.close();
        lagWarnings.close();
    }

    @Override
    protected Properties pipelineSettings() {
        return settings(DATA,
                "flightcdc.source.embedded-port", String.valueOf(FreePorts.one()),
                "flightcdc.kafka.embedded-port", String.valueOf(FreePorts.pair()),
                // Debezium names its JMX beans after the prefix: another pipeline test's engine may still be registered.
                "flightcdc.kafka.topic-prefix", "slot-hygiene",
                "flightcdc.opensky.poll-enabled", "false",
                "flightcdc.source.heartbeat-interval-ms", "500",
                "flightcdc.monitor.interval-ms", "500",
                "flightcdc.monitor.retained-wal-warn-mb", "0",
                "flightcdc.monitor.consumer-lag-warn", "0");
    }

    @Test
    @Order(1)
    void anIdleCapturedTableDoesNotPinTheWalOthersWrite() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> "true".equals(
                value("SELECT active::text FROM pg_replication_slots WHERE slot_name = 'flightcdc'")));
        String start = value("SELECT pg_current_wal_lsn()::text");
        source("CREATE TABLE busy (payload text)");
        for (int i = 0; i < 10; i++) {
            source("INSERT INTO busy SELECT repeat('x', 1000) FROM generate_series(1, 1000)");
        }
        String end = value("SELECT pg_current_wal_lsn()::text");
        long written = Long.parseLong(value("SELECT pg_wal_lsn_diff('" + end + "', '" + start + "')::bigint::text"));

        await().atMost(Duration.ofSeconds(30)).until(() -> "true".equals(
                value("SELECT (confirmed_flush_lsn >= '" + end + "')::text FROM pg_replication_slots WHERE slot_name = 'flightcdc'")));
        // PostgreSQL moves restart_lsn, and so frees WAL, at its next running-transactions record:
        // every 15 s on its own, at once with a checkpoint.
        source("CHECKPOINT");
        ReplicationSlotMonitor slot = context.getRegistry().lookupByNameAndType("replicationSlotMonitor", ReplicationSlotMonitor.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> slot.check().orElseThrow() < written / 10);

        assertThat(value("SELECT (beat_at > now() - interval '10 seconds')::text FROM flightcdc.heartbeat")).isEqualTo("true");
        try (Admin kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                context.resolvePropertyPlaceholders("{{flightcdc.kafka.bootstrap-servers}}")))) {
            assertThat(kafka.listTopics().names().get()).noneMatch(topic -> topic.contains("heartbeat"));
        }
    }

    @Test
    @Order(2)
    void theMonitorWarnsWhenTheSlotRetainsWalAndTheLoaderFallsBehind() throws Exception {
        context.getRouteController().stopRoute(LoadRoute.ROUTE_ID);
        source("INSERT INTO flight_state (icao24, last_contact) VALUES ('lag01', now()), ('lag02', now()), ('lag03', now())");

        ConsumerLagMonitor lag = context.getRegistry().lookupByNameAndType("consumerLagMonitor", ConsumerLagMonitor.class);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(lag.consumerLag()).isEqualTo(OptionalLong.of(3));
            assertThat(lagWarnings.warnings()).anyMatch(w -> w.startsWith(
                    "Warehouse loader (consumer group 'flightcdc-warehouse') is 3 changes behind Kafka (warning above 0)"));
        });
        assertThat(slotWarnings.warnings()).anyMatch(w -> w.matches(
                "Replication slot 'flightcdc' retains \\d+\\.\\d MB of WAL \\(warning above 0 MB\\): .*"));

        context.getRouteController().startRoute(LoadRoute.ROUTE_ID);
        await().atMost(Duration.ofSeconds(30)).until(() -> lag.consumerLag().equals(OptionalLong.of(0)));
    }

    private void source(String sql) throws Exception {
        try (Connection c = sourceConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private String value(String sql) throws Exception {
        try (Connection c = sourceConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private Connection sourceConnection() throws Exception {
        return context.getRegistry().lookupByNameAndType("sourceDatabase", SourceDatabase.class).dataSource().getConnection();
    }
}
