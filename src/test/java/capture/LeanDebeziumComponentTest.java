package capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.data.Envelope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.camel.Exchange;
import org.apache.camel.component.debezium.DebeziumEndpoint;
import org.apache.camel.component.debezium.postgres.DebeziumPostgresComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeanDebeziumComponentTest {

    private static final String URI = "debezium-postgres:test?databaseHostname=127.0.0.1&databasePassword=RAW(p&ss)"
            + "&topicPrefix=server&offsetStorageFileName=target/lean-offsets.dat&pollIntervalMs=10"
            + "&additionalProperties.transforms=x";

    private final DefaultCamelContext context = new DefaultCamelContext();

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void takesCamelDebeziumPostgresOptionsAndRefusesUnknownOnes() throws Exception {
        // Not started: routes resolve their endpoints before the context starts.
        context.addComponent(LeanDebeziumComponent.SCHEME, new LeanDebeziumComponent());

        var endpoint = (DebeziumEndpoint<?>) context.getEndpoint(URI);

        assertThat(endpoint).isInstanceOf(LeanDebeziumComponent.Endpoint.class);
        var configuration = (org.apache.camel.component.debezium.postgres.configuration
                .PostgresConnectorEmbeddedDebeziumConfiguration) endpoint.getConfiguration();
        assertThat(configuration.getDatabasePassword()).isEqualTo("p&ss");
        assertThat(configuration.getPollIntervalMs()).isEqualTo(10);
        assertThat(configuration.getAdditionalProperties()).containsEntry("transforms", "x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> context.getEndpoint(URI + "&noSuchOption=1"))
                .hasMessageContaining("noSuchOption");
    }

    @Test
    void setsTheSameHeadersAndBodyAsCamelDebeziumForChangesMarkersAndTombstones() throws Exception {
        context.addComponent("lean", new LeanDebeziumComponent());
        context.start();
        var lean = (DebeziumEndpoint<?>) context.getEndpoint(URI.replace(LeanDebeziumComponent.SCHEME, "lean"));
        var camels = (DebeziumEndpoint<?>) context.getEndpoint(URI);
        assertThat(camels.getComponent()).isInstanceOf(DebeziumPostgresComponent.class);

        for (SourceRecord record : List.of(change(), transactionMarker(), tombstone())) {
            Exchange ours = lean.createDbzExchange(null, record);
            Exchange theirs = camels.createDbzExchange(null, record);
            // camel-debezium's null headers are left out: getHeader reads null for them all the same.
            Map<String, Object> set = new HashMap<>(theirs.getIn().getHeaders());
            set.values().removeIf(Objects::isNull);
            assertThat(ours.getIn().getHeaders()).isEqualTo(set);
            assertThat(ours.getIn().getHeaders()).doesNotContainValue(null);
            assertThat(ours.getIn().getBody()).isEqualTo(theirs.getIn().getBody());
        }
    }

    private static SourceRecord change() {
        Schema row = SchemaBuilder.struct().name("server.public.t.Value").field("id", Schema.INT32_SCHEMA)
                .field("v", Schema.OPTIONAL_STRING_SCHEMA).optional().build();
        Schema source = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
                .field("lsn", Schema.INT64_SCHEMA).field("txId", Schema.OPTIONAL_INT64_SCHEMA).build();
        Envelope envelope = Envelope.defineSchema().withRecord(row).withSource(source).build();
        Struct value = envelope.update(new Struct(row).put("id", 1).put("v", "a"), new Struct(row).put("id", 1).put("v", "b"),
                new Struct(source).put("lsn", 42L).put("txId", 7L), java.time.Instant.ofEpochMilli(1_000));
        Schema key = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
        return new SourceRecord(Map.of(), Map.of(), "server.public.t", null, key, new Struct(key).put("id", 1),
                envelope.schema(), value);
    }

    private static SourceRecord transactionMarker() {
        Schema schema = SchemaBuilder.struct().field("status", Schema.STRING_SCHEMA).field("id", Schema.STRING_SCHEMA)
                .field("event_count", Schema.OPTIONAL_INT64_SCHEMA).build();
        return new SourceRecord(Map.of(), Map.of(), "server.transaction", null, null, null, schema,
                new Struct(schema).put("status", "END").put("id", "7:42").put("event_count", 1L));
    }

    private static SourceRecord tombstone() {
        Schema key = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
        return new SourceRecord(Map.of(), Map.of(), "server.public.t", null, key, new Struct(key).put("id", 1), null, null);
    }
}
