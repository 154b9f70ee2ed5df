package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import javax.management.ObjectName;
import load.HandoverKafkaClients;
import notify.SquawkReports;
import opensky.LogLines;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.kafka.KafkaClientFactory;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import routes.OpenSkyPollRoute;
import source.SourceDatabase;

/**
 * The whole pipeline on its real embedded services: PostgreSQL 17, Debezium, a KRaft Kafka broker,
 * the OpenSky simulator and DuckDB. Changes made in PostgreSQL must arrive exactly in the
 * warehouse's current state and history. Test rows use keys the simulator never produces
 * (not hex) and a last contact in the future, so the running poll leaves them alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineEndToEndTest extends PipelineTestSupport {

    private static final Path DATA = newDirectory("pipeline-");
    private static final String COLUMNS = "icao24, callsign, origin_country, time_position, last_contact, longitude,"
            + " latitude, baro_altitude, on_ground, velocity, true_track, vertical_rate, sensors, geo_altitude, squawk,"
            + " spi, position_source, category";

    @Override
    protected Properties pipelineSettings() {
        return settings(DATA,
                "flightcdc.source.embedded-port", String.valueOf(FreePorts.one()),
                "flightcdc.kafka.embedded-port", String.valueOf(FreePorts.pair()),
                "flightcdc.simulator.port", "0",
                "flightcdc.simulator.aircraft", "300",
                "flightcdc.opensky.poll-interval-ms", "1000");
    }

    @AfterAll
    void stopThePipeline() {
        // With one pipeline per class, camel-test would leave it running until the JVM exits, and the
        // embedded PostgreSQL the pipeline owns stops only when the pipeline stops.
        context.stop();
    }

    @Test
    @Order(1)
    void insertsUpdatesAndDeletesMadeInPostgresArriveExactlyInTheWarehouse() throws Exception {
        awaitReplicationSlotActive();

        source("""
                INSERT INTO flight_state (icao24, callsign, origin_country, time_position, last_contact, longitude,
                    latitude, baro_altitude, on_ground, velocity, true_track, vertical_rate, sensors, geo_altitude,
                    squawk, spi, position_source, category)
                VALUES ('test01', 'AFR1234 ', 'Côte d''Ivoire', now(), now() + interval '1 day', 2.35, 48.85, 10668.0,
                        false, 250.5, 90.0, 0.0, '{1,2,3}', 10700.25, '7700', true, 0, 3),
                       ('test02', NULL, NULL, NULL, now() + interval '1 day', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                        NULL, NULL, NULL, NULL, NULL, NULL),
                       ('test03', '日本航空  ', 'Japan', now(), now() + interval '1 day', 139.78, 35.55, 0, true, 5.1,
                        180, 0, '{}', NULL, '1200', false, 2, 0)""");
        source("UPDATE flight_state SET velocity = 260.75, callsign = 'Zürich✈' WHERE icao24 = 'test01'");
        source("UPDATE flight_state SET icao24 = 'test04' WHERE icao24 = 'test03'");
        source("DELETE FROM flight_state WHERE icao24 = 'test02'");
        source("""
                INSERT INTO flight_state (icao24, callsign, last_contact, sensors)
                VALUES ('test02', 'BACK    ', now() + interval '1 day', '{7}')""");
        source("""
                BEGIN;
                INSERT INTO flight_state (icao24, last_contact) VALUES ('test05', now() + interval '1 day');
                UPDATE flight_state SET squawk = '7600' WHERE icao24 = 'test05';
                DELETE FROM flight_state WHERE icao24 = 'test05';
                COMMIT""");

        String testRows = "SELECT " + COLUMNS + " FROM flight_state WHERE icao24 LIKE 'test%' ORDER BY icao24";
        List<List<Object>> expected = rows(sourceConnection(), testRows);
        assertThat(expected).extracting(r -> r.get(0)).containsExactly("test01", "test02", "test04");

        // The last transaction leaves the current state as it was, so wait for the history as well.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(rows(warehouseConnection(), testRows)).isEqualTo(expected);
            assertThat(rows(warehouseConnection(), """
                    SELECT _op, icao24 FROM flight_state_history WHERE icao24 LIKE 'test%'
                    ORDER BY _kafka_partition, _kafka_offset""").stream().map(r -> r.get(0) + " " + r.get(1)).toList())
                    .containsExactly(
                            "c test01", "c test02", "c test03",
                            "u test01",
                            "d test03", "c test04",
                            "d test02",
                            "c test02",
                            "c test05", "u test05", "d test05");
        });
        assertThat(rows(warehouseConnection(), """
                SELECT count(*) FROM flight_state_history
                WHERE icao24 LIKE 'test%' AND (_lsn <= 0 OR _source_ts IS NULL OR _loaded_at < _source_ts)"""))
                .containsExactly(List.of(0L));
        // Debezium's source.sequence reached the warehouse: it is what recognises changes emitted again after a restart.
        assertThat(rows(warehouseConnection(), """
                SELECT count(*) FROM _flightcdc_kafka_offsets WHERE newest_last_commit_lsn > 0 AND newest_lsn > 0"""))
                .containsExactly(List.of(1L));
        // Debezium's metrics sum up the last change by its key as Kafka Connect prints it (capture.KeyOnlyEventSummary),
        // not through a Jackson ObjectMapper built for each change. The last change may be a heartbeat (key id=1),
        // written every 10 s, rather than one of the test's rows.
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(new ObjectName(
                "debezium.postgres:type=connector-metrics,context=streaming,server=flightcdc"), "LastEvent"))
                .asString().matches("position: \\{lsn=\\d+.*}, key: Struct\\{(icao24=\\w+|id=1)}");
    }

    @Test
    @Order(2)
    void polledFlightsReachTheWarehouseAndItsCurrentStateEqualsTheSource() throws Exception {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                // Updates of polled aircraft, not of the test's own rows: at least two polls have been loaded.
                assertThat(rows(warehouseConnection(), "SELECT count(*) FROM flight_state_history WHERE _op = 'u'"
                        + " AND icao24 NOT LIKE 'test%'").get(0).get(0)).isNotEqualTo(0L));

        context.getRouteController().stopRoute(OpenSkyPollRoute.ROUTE_ID);

        String all = "SELECT " + COLUMNS + " FROM flight_state ORDER BY icao24";
        List<List<Object>> expected = rows(sourceConnection(), all);
        assertThat(expected).hasSizeGreaterThan(200);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(rows(warehouseConnection(), all)).isEqualTo(expected));
        assertThat(rows(sourceConnection(), "SELECT count(*) FROM rejected_state")).containsExactly(List.of(0L));
    }

    @Test
    @Order(2)
    void theCaptureSendsItsChangeRecordsInCompressedBatches() {
        Path partition = DATA.resolve("kafka").resolve("flightcdc.public.flight_state-0");
        // The poll's changes reach the topic within seconds of the start.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(batchCompressions(partition)).isNotEmpty().containsOnly(CompressionType.LZ4));
    }

    private static List<CompressionType> batchCompressions(Path partition) throws Exception {
        List<CompressionType> compressions = new ArrayList<>();
        try (var segments = Files.list(partition)) {
            for (Path segment : segments.filter(f -> f.toString().endsWith(".log")).toList()) {
                // A copy of what the broker has written so far: a batch it is still writing is left out, not misread.
                MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(segment))).batches()
                        .forEach(batch -> compressions.add(batch.compressionType()));
            }
        }
        return compressions;
    }

    @Test
    @Order(3)
    void aColumnAddedInPostgresAndATruncateReachTheWarehouseWithoutARestart() throws Exception {
        source("ALTER TABLE flight_state ADD COLUMN remark text");
        source("INSERT INTO flight_state (icao24, last_contact, remark) VALUES ('test10', now() + interval '1 day', 'Grüße')");

        // Until the loader has met the new column, the warehouse does not have it and the query fails.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() ->
                assertThat(rows(warehouseConnection(), "SELECT remark FROM flight_state WHERE icao24 = 'test10'"))
                        .containsExactly(List.of("Grüße")));

        source("TRUNCATE flight_state");
        source("INSERT INTO flight_state (icao24, last_contact, remark) VALUES ('test11', now() + interval '1 day', 'after')");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(rows(warehouseConnection(), "SELECT icao24, remark FROM flight_state"))
                        .containsExactly(List.of("test11", "after")));
        assertThat(rows(warehouseConnection(), "SELECT count(*) FROM flight_state_history WHERE _op = 't'"))
                .containsExactly(List.of(1L));
        assertThat(rows(warehouseConnection(), "SELECT count(*) FROM _flightcdc_dead_letter"))
                .containsExactly(List.of(0L));
    }

    @Test
    @Order(4)
    void theSampleYamlRouteLoadedByApplicationPropertiesReportsAnEmergencySquawkSetWithSql() throws Exception {
        assertThat(context.getRouteController().getRouteStatus(SquawkReports.ROUTE_ID)).isEqualTo(ServiceStatus.Started);
        awaitReplicationSlotActive();
        SquawkReports.awaitReading(context.resolvePropertyPlaceholders("{{flightcdc.kafka.bootstrap-servers}}"),
                context.resolvePropertyPlaceholders("{{flightcdc.squawks.consumer-group}}"));

        try (LogLines log = new LogLines(Level.INFO)) {
            source("""
                    INSERT INTO flight_state (icao24, callsign, last_contact, latitude, longitude, squawk)
                    VALUES ('test12', 'SOS12   ', now() + interval '1 day', 47.46, 8.55, '1200')""");
            source("UPDATE flight_state SET squawk = '7700' WHERE icao24 = 'test12'");

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(SquawkReports.logged(log, "INFO")).filteredOn(line -> line.contains("test12")).containsExactly(
                            "Emergency squawk 7700 (emergency): icao24 test12, callsign SOS12, at 47.46, 8.55"));
        }
    }

    /**
     * The loader's consumers read a partition they are given from the warehouse's progress, and forget what they held of
     * it (load.PartitionHandover). No other consumer may: the YAML route's, given the same partition numbers, would
     * make the loader forget records it holds, and read its own topic from the loader's offsets. A run of the
     * application with the factory bound in the registry had the YAML route's consumer log the loader's handover.
     */
    @Test
    @Order(5)
    void onlyTheLoadersConsumersTakePartitionsOverFromTheWarehouse() {
        // Camel would set a lone factory of the registry on every Kafka endpoint that names none.
        assertThat(context.getRegistry().findByType(KafkaClientFactory.class)).as("Kafka client factories in the registry")
                .isEmpty();
        List<KafkaEndpoint> kafka = context.getEndpoints().stream().filter(KafkaEndpoint.class::isInstance)
                .map(KafkaEndpoint.class::cast).toList();
        assertThat(kafka).filteredOn(e -> e.getKafkaClientFactory() instanceof HandoverKafkaClients)
                .singleElement().satisfies(e -> assertThat(e.getConfiguration().getGroupId())
                        .isEqualTo(context.resolvePropertyPlaceholders("{{flightcdc.kafka.consumer-group}}")));
        assertThat(kafka).as("the YAML route's consumer and the capture's producer")
                .filteredOn(e -> !(e.getKafkaClientFactory() instanceof HandoverKafkaClients)).hasSizeGreaterThanOrEqualTo(2);
    }

    /** A killed run's squawk consumer must not hold the next run's partition, nor its stop, for Kafka's 45 s. */
    @Test
    @Order(6)
    void theSampleYamlRoutesConsumerLeavesTheGroupOfADeadRunWithin10Seconds() {
        assertThat(context.getEndpoints()).filteredOn(KafkaEndpoint.class::isInstance).map(KafkaEndpoint.class::cast)
                .filteredOn(e -> context.resolvePropertyPlaceholders("{{flightcdc.squawks.consumer-group}}")
                        .equals(e.getConfiguration().getGroupId()))
                .singleElement().satisfies(e -> assertThat(e.getConfiguration().getSessionTimeoutMs()).isEqualTo(10_000));
    }

    private void awaitReplicationSlotActive() {
        await().atMost(Duration.ofSeconds(60)).until(() -> !rows(sourceConnection(),
                "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'flightcdc' AND active").isEmpty());
    }

    private void source(String sql) throws Exception {
        try (Connection c = sourceConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private Connection sourceConnection() throws Exception {
        return context.getRegistry().lookupByNameAndType("sourceDatabase", SourceDatabase.class).dataSource().getConnection();
    }

    /** Rows with values normalised across PostgreSQL and DuckDB: instants, lists, longs and doubles. */
    private static List<List<Object>> rows(Connection connection, String sql) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection c = connection; Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(normalise(rs.getObject(i)));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static Object normalise(Object value) throws Exception {
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (value instanceof Array a) {
            List<Object> items = new ArrayList<>();
            for (Object item : (Object[]) a.getArray()) {
                items.add(normalise(item));
            }
            return items;
        }
        if (value instanceof Short || value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float || value instanceof Double) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof Object[] items) {
            return Arrays.asList(items);
        }
        return value;
    }
}
