package routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.CaptureConfiguration;
import capture.CapturedChanges;
import capture.DebeziumJsonEnvelope;
import capture.KeyPartitioner;
import capture.SnapshotProgress;
import capture.SnapshotStart;
import capture.TransactionOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import monitor.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import warehouse.TableId;

class CaptureRouteTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final String OTHER_TOPIC = "flightcdc.public.airport";
    private static final String TRANSACTION_TOPIC = "flightcdc.transaction";
    private static final Schema KEY = SchemaBuilder.struct().name("flightcdc.public.flight_state.Key")
            .field("icao24", Schema.STRING_SCHEMA).build();
    private static final Schema ROW = SchemaBuilder.struct().name("flightcdc.public.flight_state.Value")
            .field("icao24", Schema.STRING_SCHEMA)
            .field("callsign", Schema.OPTIONAL_STRING_SCHEMA)
            .field("last_contact", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build())
            .field("velocity", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("sensors", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build())
            .build();

    private final SnapshotProgress snapshotProgress = new SnapshotProgress(() -> 2, Duration.ofSeconds(5));
    private final PipelineMetrics metrics = PipelineMetrics.unpublished();
    private MockEndpoint kafka;

    @Override
    protected Properties resolvedProperties() {
        return properties("flightcdc.source.host", "127.0.0.1", "flightcdc.source.port", "9",
                "flightcdc.source.database", "postgres", "flightcdc.kafka.bootstrap-servers", "127.0.0.1:9");
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        super.configure(configuration);
        configuration.addRoutesBuilder(new CaptureRoute());
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("capturedChanges", new CapturedChanges(List.of(TOPIC)));
        registry.bind("debeziumJsonEnvelope", new DebeziumJsonEnvelope());
        registry.bind("snapshotProgress", snapshotProgress);
        registry.bind("transactionOrder", new TransactionOrder(TRANSACTION_TOPIC, List.of(TOPIC), new KeyPartitioner(1)));
        registry.bind("snapshotStart", new SnapshotStart(Map.of(TOPIC, new TableId("public", "flight_state")), 1));
        registry.bind("pipelineMetrics", metrics);
        registry.bind(CaptureConfiguration.CAPTURED_CHANGES_COUNTER, metrics.capturedChanges());
    }

    @BeforeEach
    void replaceDebeziumAndKafka() throws Exception {
        AdviceWith.adviceWith(context, CaptureRoute.ROUTE_ID, route -> {
            route.replaceFromWith("direct:change");
            route.weaveById(CaptureRoute.PUBLISH_ID).replace().to("mock:kafka");
        });
        context.start();
        kafka = getMockEndpoint("mock:kafka");
    }

    @Test
    void publishesAnUpdateAsDebeziumsJsonEnvelopeKeyedByPrimaryKey() throws Exception {
        kafka.expectedMessageCount(1);

        template.send("direct:change", e -> debeziumChange(e, "u",
                row("abc123", "DLH1    ", "2024-05-01T10:00:00Z", 230.5, List.of(1, 2)),
                row("abc123", "Zürich", "2024-05-01T10:00:05Z", null, null)));

        kafka.assertIsSatisfied();
        assertThat(metrics.registry().get("flightcdc.captured.changes").tags("table", "public.flight_state", "op", "u")
                .counter().count()).isEqualTo(1);
        Exchange sent = kafka.getExchanges().get(0);
        assertThat(sent.getMessage().getHeader(KafkaConstants.OVERRIDE_TOPIC)).isEqualTo(TOPIC);
        assertThat(sent.getMessage().getHeader(KafkaConstants.KEY, String.class)).isEqualTo("{\"icao24\":\"abc123\"}");
        assertThat(JSON.readTree(sent.getMessage().getBody(String.class))).isEqualTo(JSON.readTree("""
                {"before": {"icao24": "abc123", "callsign": "DLH1    ", "last_contact": "2024-05-01T10:00:00Z",
                            "velocity": 230.5, "sensors": [1, 2]},
                 "after":  {"icao24": "abc123", "callsign": "Zürich", "last_contact": "2024-05-01T10:00:05Z",
                            "velocity": null, "sensors": null},
                 "source": {"connector": "postgresql", "schema": "public", "table": "flight_state",
                            "lsn": 123456, "txId": 789, "sequence": "[\\"24023128\\",\\"123456\\"]",
                            "ts_ms": 1714557605000, "snapshot": "false"},
                 "transaction": {"id": "789", "total_order": 1, "data_collection_order": 1},
                 "op": "u", "ts_ms": 1714557605100}"""));
    }

    /** The route's thread writes every envelope into one buffer: each record holds its own change and nothing else. */
    @Test
    void eachRecordHoldsOnlyItsOwnChangeAfterALargerOne() throws Exception {
        kafka.expectedMessageCount(3);
        String large = "x".repeat(300_000); // past the buffer's first block, and past Jackson's largest block

        template.send("direct:change", e -> debeziumChange(e, "c", null, row("abc123", large, null, null, null)));
        template.send("direct:change", e -> debeziumChange(e, "c", null, row("def456", "small", null, null, null)));
        template.send("direct:change", e -> debeziumChange(e, "c", null, row("ghi789", "", null, null, null)));

        kafka.assertIsSatisfied();
        List<byte[]> bodies = kafka.getExchanges().stream().map(sent -> sent.getMessage().getBody(byte[].class)).toList();
        assertThat(JSON.readTree(bodies.get(0)).path("after").path("callsign").asText()).isEqualTo(large);
        assertThat(JSON.readTree(bodies.get(1)).path("after").path("callsign").asText()).isEqualTo("small");
        assertThat(JSON.readTree(bodies.get(2)).path("after").path("icao24").asText()).isEqualTo("ghi789");
        assertThat(bodies.get(1)).hasSizeLessThan(1_000);
        assertThat(new String(bodies.get(2), StandardCharsets.UTF_8)).startsWith("{\"before\":null,").endsWith("}");
    }

    @Test
    void aCreateHasNoBeforeImage() throws Exception {
        kafka.expectedMessageCount(1);

        template.send("direct:change", e -> debeziumChange(e, "c", null, row("abc123", null, null, null, null)));

        kafka.assertIsSatisfied();
        var envelope = JSON.readTree(kafka.getExchanges().get(0).getMessage().getBody(String.class));
        assertThat(envelope.get("before").isNull()).isTrue();
        assertThat(envelope.get("op").asText()).isEqualTo("c");
    }

    /**
     * A COPY logs many rows in one WAL record: the same LSN and transaction. Only their order tells them apart,
     * and a transaction Debezium emits again after a restart, from its BEGIN, must be numbered as before.
     */
    @Test
    void changesAreNumberedWithinTheirTransactionAndAgainTheSameWhenEmittedAgain() throws Exception {
        List<String> emitted = List.of("BEGIN", "flight_state a", "flight_state b", "airport x", "flight_state c",
                "BEGIN", "flight_state a", "flight_state b");
        // The other table's change is counted in the transaction's total but not published: it is not captured here.
        kafka.expectedMessageCount(5);

        for (String record : emitted) {
            if (record.equals("BEGIN")) {
                template.send("direct:change", e -> e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER,
                        TRANSACTION_TOPIC));
                continue;
            }
            String[] tableAndKey = record.split(" ");
            template.send("direct:change", e -> {
                debeziumChange(e, "c", null, row(tableAndKey[1], null, null, null, null));
                if (tableAndKey[0].equals("airport")) {
                    e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER, OTHER_TOPIC);
                }
            });
        }

        kafka.assertIsSatisfied();
        List<String> numbered = new ArrayList<>();
        for (Exchange sent : kafka.getExchanges()) {
            var envelope = JSON.readTree(sent.getMessage().getBody(String.class));
            numbered.add(envelope.path("after").path("icao24").asText() + " "
                    + envelope.path("transaction").path("total_order").asLong() + "/"
                    + envelope.path("transaction").path("data_collection_order").asLong());
        }
        assertThat(numbered).containsExactly("a 1/1", "b 2/2", "c 4/3", "a 1/1", "b 2/2");
    }

    /**
     * The END of a transaction that changed captured tables is published, with the count of each table's changes,
     * to the partition of the transaction topic where its changes went (one partition here); a transaction that changed only other tables has nothing to end.
     */
    @Test
    void theEndOfATransactionIsPublishedWithItsCountsOfCapturedChanges() throws Exception {
        kafka.expectedMessageCount(3);

        marker("BEGIN");
        template.send("direct:change", e -> debeziumChange(e, "c", null, row("a", null, null, null, null)));
        template.send("direct:change", e -> debeziumChange(e, "c", null, row("b", null, null, null, null)));
        template.send("direct:change", e -> {
            debeziumChange(e, "c", null, row("x", null, null, null, null));
            e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER, OTHER_TOPIC);
        });
        marker("END");
        marker("BEGIN");
        template.send("direct:change", e -> {
            debeziumChange(e, "c", null, row("y", null, null, null, null));
            e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER, OTHER_TOPIC);
        });
        marker("END");

        kafka.assertIsSatisfied();
        Exchange sent = kafka.getExchanges().get(2);
        assertThat(sent.getMessage().getHeader(KafkaConstants.OVERRIDE_TOPIC)).isEqualTo(TRANSACTION_TOPIC);
        // A record per partition the transaction touched, sent by camel-kafka as records of their own: here one.
        List<?> records = sent.getMessage().getBody(List.class);
        assertThat(records).hasSize(1);
        Message end = (Message) records.get(0);
        assertThat(end.getHeader(KafkaConstants.OVERRIDE_TOPIC)).isEqualTo(TRANSACTION_TOPIC);
        assertThat(end.getHeader(KafkaConstants.PARTITION_KEY)).isEqualTo(0);
        assertThat(JSON.readTree(end.getHeader(KafkaConstants.KEY, byte[].class)).path("id").asText())
                .isEqualTo("789");
        var value = JSON.readTree(end.getBody(byte[].class));
        assertThat(value.path("status").asText()).isEqualTo("END");
        assertThat(value.path("id").asText()).isEqualTo("789");
        assertThat(value.path("event_count").asLong()).isEqualTo(2);
        assertThat(value.path("data_collections").toString())
                .isEqualTo("[{\"data_collection\":\"public.flight_state\",\"event_count\":2}]");
        assertThat(value.path("last_commit_lsn").asLong()).isEqualTo(24023128L);
    }

    /** A transaction marker as TransactionMarkerStatus hands it to the route: the status as the operation. */
    private void marker(String status) {
        template.send("direct:change", e -> {
            e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER, TRANSACTION_TOPIC);
            e.getMessage().setHeader(DebeziumConstants.HEADER_OPERATION, status);
        });
    }

    @Test
    void aTombstoneStaysATombstone() throws Exception {
        kafka.expectedMessageCount(1);

        template.send("direct:change", e -> {
            e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER, TOPIC);
            e.getMessage().setHeader(DebeziumConstants.HEADER_KEY, new Struct(KEY).put("icao24", "abc123"));
            e.getMessage().setBody(null);
        });

        kafka.assertIsSatisfied();
        Exchange sent = kafka.getExchanges().get(0);
        assertThat(sent.getMessage().getBody()).isNull();
        assertThat(sent.getMessage().getHeader(KafkaConstants.KEY, String.class)).isEqualTo("{\"icao24\":\"abc123\"}");
    }

    @Test
    void heartbeatsAndTheHeartbeatTablesChangesAreNotPublished() throws Exception {
        Schema heartbeatKey = SchemaBuilder.struct().field("serverName", Schema.STRING_SCHEMA).build();
        Schema heartbeatTableKey = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
        kafka.expectedMessageCount(1);

        template.send("direct:change", e -> {
            e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER, "__debezium-heartbeat.flightcdc");
            e.getMessage().setHeader(DebeziumConstants.HEADER_KEY, new Struct(heartbeatKey).put("serverName", "flightcdc"));
        });
        template.send("direct:change", e -> {
            e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER, "flightcdc.flightcdc.heartbeat");
            e.getMessage().setHeader(DebeziumConstants.HEADER_KEY, new Struct(heartbeatTableKey).put("id", 1));
            e.getMessage().setHeader(DebeziumConstants.HEADER_OPERATION, "u");
        });
        template.send("direct:change", e -> debeziumChange(e, "c", null, row("abc123", null, null, null, null)));

        kafka.assertIsSatisfied();
        assertThat(kafka.getExchanges().get(0).getMessage().getHeader(KafkaConstants.OVERRIDE_TOPIC)).isEqualTo(TOPIC);
    }

    /**
     * camel-debezium would count a change the route failed on as done: it is neither retried in place (for which Camel
     * would copy each change at every step) nor skipped, but the capture restarts from its last stored position.
     */
    @Test
    void aChangeTheRouteFailsOnRestartsTheCaptureRatherThanBeingRetriedInPlaceOrSkipped() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        kafka.whenAnyExchangeReceived(e -> {
            attempts.incrementAndGet();
            throw new TimeoutException("broker not available");
        });

        Exchange result = template.send("direct:change", e -> debeziumChange(e, "c", null, row("abc123", null, null, null, null)));

        assertThat(result.getException()).as("taken up by the restart, not left to camel-debezium").isNull();
        assertThat(attempts).as("tries at the change before the restart").hasValue(1);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> context.getRouteController().getRouteStatus(CaptureRoute.ROUTE_ID), ServiceStatus::isStopped);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> context.getRouteController().getRouteStatus(CaptureRoute.ROUTE_ID), ServiceStatus::isStarted);
    }

    @Test
    void snapshotReadsAreCountedForTheProgressLog() throws Exception {
        kafka.expectedMessageCount(3);

        for (String snapshot : List.of("first", "last", "false")) {
            template.send("direct:change", e -> {
                debeziumChange(e, "r", null, row("abc123", null, null, null, null));
                e.getMessage().getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class).put("snapshot", snapshot);
            });
        }

        kafka.assertIsSatisfied();
        assertThat(snapshotProgress.summary()).map(SnapshotProgress.Summary::rows).hasValue(2L);
    }

    /** Debezium snapshots again from the start after a run cut its snapshot off: the cut-off rows must go first. */
    @Test
    void aSnapshotStartingOverFirstTruncatesEveryTopicThatHoldsRecords() throws Exception {
        kafka.expectedMessageCount(2);

        for (String key : List.of("abc123", "def456")) {
            template.send("direct:change", e -> {
                debeziumChange(e, "r", null, row(key, null, null, null, null));
                e.getMessage().getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class).put("snapshot", "true");
            });
        }

        kafka.assertIsSatisfied();
        List<?> truncates = kafka.getExchanges().get(0).getMessage().getHeader(SnapshotStart.TRUNCATES, List.class);
        assertThat(truncates).singleElement().satisfies(t -> {
            SnapshotStart.Truncate truncate = (SnapshotStart.Truncate) t;
            assertThat(truncate.topic()).isEqualTo(TOPIC);
            var envelope = JSON.readTree(truncate.value());
            assertThat(envelope.path("op").asText()).isEqualTo("t");
            assertThat(envelope.path("source").path("snapshot").asText()).isEqualTo("true");
            assertThat(envelope.path("source").path("table").asText()).isEqualTo("flight_state");
            assertThat(envelope.path("source").path("lsn").asLong()).isEqualTo(123455L);
        });
        assertThat(kafka.getExchanges().get(1).getMessage().getHeader(SnapshotStart.TRUNCATES)).isNull();
    }

    @Test
    void aRunThatStreamsFromAStoredPositionTruncatesNothing() throws Exception {
        kafka.expectedMessageCount(2);

        template.send("direct:change", e -> debeziumChange(e, "c", null, row("abc123", null, null, null, null)));
        template.send("direct:change", e -> {
            debeziumChange(e, "r", null, row("def456", null, null, null, null));
            e.getMessage().getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class).put("snapshot", "true");
        });

        kafka.assertIsSatisfied();
        assertThat(kafka.getExchanges()).allSatisfy(e -> assertThat(e.getMessage().getHeader(SnapshotStart.TRUNCATES)).isNull());
    }

    private static Struct row(String icao24, String callsign, String lastContact, Double velocity, List<Integer> sensors) {
        return new Struct(ROW).put("icao24", icao24).put("callsign", callsign).put("last_contact", lastContact)
                .put("velocity", velocity).put("sensors", sensors);
    }

    /** The exchange camel-debezium makes of a change: the after image as body, the rest as headers. */
    private static void debeziumChange(Exchange e, String op, Struct before, Struct after) {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("connector", "postgresql");
        source.put("schema", "public");
        source.put("table", "flight_state");
        source.put("lsn", 123456L);
        source.put("txId", 789L);
        source.put("sequence", "[\"24023128\",\"123456\"]");
        source.put("ts_ms", 1714557605000L);
        source.put("snapshot", "false");
        e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER, TOPIC);
        e.getMessage().setHeader(DebeziumConstants.HEADER_KEY, new Struct(KEY).put("icao24", after.getString("icao24")));
        e.getMessage().setHeader(DebeziumConstants.HEADER_OPERATION, op);
        e.getMessage().setHeader(DebeziumConstants.HEADER_BEFORE, before);
        e.getMessage().setHeader(DebeziumConstants.HEADER_SOURCE_METADATA, source);
        e.getMessage().setHeader(DebeziumConstants.HEADER_TIMESTAMP, 1714557605100L);
        e.getMessage().setBody(after);
    }
}
