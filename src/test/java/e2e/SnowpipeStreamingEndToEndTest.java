package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import source.SourceDatabase;
import warehouse.MetadataColumn;
import warehouse.snowflake.TestSnowflakeSettings;
import warehouse.snowflake.streaming.FakeSnowflake;

/**
 * The whole pipeline with {@code flightcdc.warehouse.type=snowflake-streaming}: PostgreSQL, Debezium and
 * Kafka for real, the Snowpipe Streaming SDK's client faked (no account is reachable from here). Every
 * change made in PostgreSQL must land once in the change table, and the Kafka offsets the loader
 * commits must be those Snowflake committed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnowpipeStreamingEndToEndTest extends PipelineTestSupport {

    static final String TABLE = "FLIGHTCDC.CDC.FLIGHT_STATE_CHANGES";
    static final String WATERMARK_TABLE = "FLIGHTCDC.CDC._FLIGHTCDC_LOADED_THROUGH";
    private static final String TOPIC = "flightcdc.public.flight_state";
    private final FakeSnowflake snowflake = new FakeSnowflake();

    @Override
    protected Properties pipelineSettings() {
        Properties p = settings(newDirectory("snowpipe-"),
                "flightcdc.source.embedded-port", String.valueOf(FreePorts.one()),
                "flightcdc.kafka.embedded-port", String.valueOf(FreePorts.pair()),
                "flightcdc.opensky.poll-enabled", "false",
                "flightcdc.warehouse.type", "snowflake-streaming");
        try {
            TestSnowflakeSettings.values().forEach(p::setProperty);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        p.setProperty("flightcdc.snowflake.role", "flightcdc_loader");
        return p;
    }

    /** The client the pipeline streams through: bound before the pipeline is wired, as a user's own would be. */
    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(new CamelConfiguration() {
            @Override
            public void configure(CamelContext context) {
                bindFakeClient(context.getRegistry());
            }
        });
        super.configure(configuration);
    }

    private void bindFakeClient(Registry registry) {
        bindFakeClient(registry, snowflake);
    }

    /**
     * Binds a client of {@code snowflake}, which has the flight_state change table the pipeline streams to and
     * the load watermark table.
     */
    static void bindFakeClient(Registry registry, FakeSnowflake snowflake) {
        Set<String> columns = new TreeSet<>();
        MetadataColumn.CHANGE_TABLE.forEach(c -> columns.add(c.columnName().toUpperCase()));
        for (String c : List.of("icao24", "callsign", "origin_country", "time_position", "last_contact", "longitude",
                "latitude", "baro_altitude", "on_ground", "velocity", "true_track", "vertical_rate", "sensors",
                "geo_altitude", "squawk", "spi", "position_source", "category")) {
            columns.add(c.toUpperCase());
        }
        snowflake.table(TABLE, columns);
        snowflake.table(WATERMARK_TABLE, Set.of("_LAST_COMMIT_LSN", "_LOADED_AT"));
        registry.bind("snowflakeStreamingClient", snowflake.newClient());
    }

    @AfterAll
    void stopThePipeline() {
        context.stop();
    }

    @Test
    void everyChangeLandsOnceAndKafkaCommitsWhatSnowflakeCommitted() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> count(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'flightcdc' AND active") == 1);

        source("INSERT INTO flight_state (icao24, callsign, last_contact, velocity, on_ground, sensors)"
                + " VALUES ('snow01', 'SWR1    ', now(), 230.5, false, '{1,2}'), ('snow02', NULL, now(), NULL, NULL, NULL)");
        source("UPDATE flight_state SET velocity = 240.25, callsign = 'Zürich✈' WHERE icao24 = 'snow01'");
        source("DELETE FROM flight_state WHERE icao24 = 'snow02'");

        await().atMost(Duration.ofSeconds(60)).until(() -> changes().size() == 4);
        List<Map<String, Object>> rows = changes();
        assertThat(rows).extracting(r -> r.get("_OP") + " " + r.get("ICAO24"))
                .containsExactly("c snow01", "c snow02", "u snow01", "d snow02");
        assertThat(rows.get(2)).containsEntry("CALLSIGN", "Zürich✈").containsEntry("VELOCITY", 240.25)
                .containsEntry("ON_GROUND", false).containsEntry("SENSORS", "[1,2]").containsEntry("_KAFKA_TOPIC", TOPIC);
        assertThat(rows).extracting(r -> r.get("_KAFKA_OFFSET")).doesNotHaveDuplicates();
        assertThat(rows).allSatisfy(r -> assertThat(r).doesNotContainKey("_REJECTED_REASON"));

        String channel = TABLE + ".flightcdc-warehouse_" + TOPIC + "_0";
        long lastOffset = (Long) rows.get(rows.size() - 1).get("_KAFKA_OFFSET");
        assertThat(snowflake.committedToken(channel)).isEqualTo(String.valueOf(lastOffset));
        // The history and current state show them: the load watermark covers the last one's transaction.
        long lastCommitLsn = (Long) rows.get(rows.size() - 1).get("_LAST_COMMIT_LSN");
        await().atMost(Duration.ofSeconds(30)).until(() -> snowflake.rows(WATERMARK_TABLE).stream()
                .anyMatch(r -> r.get("_LAST_COMMIT_LSN").equals(lastCommitLsn)));
        await().atMost(Duration.ofSeconds(30)).until(() -> committedKafkaOffset() >= lastOffset + 1);
    }

    private List<Map<String, Object>> changes() {
        return snowflake.rows(TABLE).stream().filter(r -> String.valueOf(r.get("ICAO24")).startsWith("snow")).toList();
    }

    private long committedKafkaOffset() throws Exception {
        String bootstrap = context.resolvePropertyPlaceholders("{{flightcdc.kafka.bootstrap-servers}}");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            var offsets = admin.listConsumerGroupOffsets("flightcdc-warehouse").partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(TOPIC))
                    .mapToLong(e -> e.getValue().offset()).max().orElse(-1);
        }
    }

    private void source(String sql) throws Exception {
        try (Connection c = sourceConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long count(String sql) throws Exception {
        try (Connection c = sourceConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Connection sourceConnection() throws Exception {
        return context.getRegistry().lookupByNameAndType("sourceDatabase", SourceDatabase.class).dataSource().getConnection();
    }
}
