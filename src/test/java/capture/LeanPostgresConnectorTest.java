package capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.PostgresConnectorTask;
import io.debezium.data.Envelope;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.meters.CommonEventMeter;
import io.debezium.pipeline.metrics.PipelineMetrics;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.relational.TableId;
import io.debezium.spi.schema.DataCollectionId;
import io.debezium.util.Clock;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class LeanPostgresConnectorTest {

    @Test
    void runsDebeziumsOwnPostgresTask() {
        assertThat(new LeanPostgresConnector().taskClass()).isEqualTo(LeanPostgresConnector.LeanTask.class);
        assertThat(PostgresConnectorTask.class).isAssignableFrom(LeanPostgresConnector.LeanTask.class);
    }

    /** CaptureRoute names it through camel-debezium's additional properties, which must win over its own connector class. */
    @Test
    void camelDebeziumHandsTheEngineThisConnectorWhenTheAdditionalPropertiesNameIt() {
        var configuration = new PostgresConnectorEmbeddedDebeziumConfiguration();
        configuration.setName("capture");
        configuration.setTopicPrefix("flightcdc");
        configuration.setOffsetStorageFileName("target/lean-connector-offsets.dat");
        configuration.setAdditionalProperties(Map.of("connector.class", LeanPostgresConnector.class.getName()));

        assertThat(configuration.createDebeziumConfiguration().getString("connector.class"))
                .isEqualTo(LeanPostgresConnector.class.getName());
    }

    @Test
    void pausesDoubleWhileAsksFindNothingUpToTheLongestAndStopAtTheFirstChange() {
        var pause = new LeanPostgresConnector.IdlePause(100);
        assertThat(pause.nextMs()).as("no pause before the first ask").isZero();

        long[] pauses = new long[9];
        for (int i = 0; i < pauses.length; i++) {
            pause.found(false);
            pauses[i] = pause.nextMs();
        }
        assertThat(pauses).containsExactly(1, 2, 4, 8, 16, 32, 64, 100, 100);

        pause.found(true);
        assertThat(pause.nextMs()).as("under load, no pause at all").isZero();
        pause.found(false);
        assertThat(pause.nextMs()).isEqualTo(1);
    }

    /** Debezium's own summary formats the key through a new Jackson ObjectMapper; the wrapped one prints the Struct. */
    @Test
    void aMetersLastEventPrintsTheKeyAsAStructOnceItsProviderIsWrapped() throws Exception {
        Schema keySchema = SchemaBuilder.struct().name("flightcdc.public.flight_state.Key")
                .field("icao24", Schema.STRING_SCHEMA).build();
        Struct key = new Struct(keySchema).put("icao24", "abc123");
        TableId table = new TableId(null, "public", "flight_state");
        CommonEventMeter meter = new CommonEventMeter(Clock.system(), new PositionOnly());

        meter.onEvent(table, null, key, null, Envelope.Operation.CREATE);
        assertThat(meter.getLastEvent()).as("Debezium's own").isEqualTo("position: {lsn: 123}, key: {\"icao24\" : \"abc123\"}");

        assertThat(KeyOnlyEventSummary.wrap(meter)).isTrue();
        assertThat(KeyOnlyEventSummary.wrap(meter)).as("wrapped once only").isFalse();
        meter.onEvent(table, null, key, null, Envelope.Operation.UPDATE);
        assertThat(meter.getLastEvent()).isEqualTo("position: {lsn=123}, key: Struct{icao24=abc123}");
        assertThat(meter.getTotalNumberOfCreateEventsSeen() + meter.getTotalNumberOfUpdateEventsSeen())
                .as("the meter's counts go on as before").isEqualTo(2);
    }

    /** Where the task finds the meters: an upgrade of Debezium that moves them fails here, not silently. */
    @Test
    void theMetersAreWhereTheTaskLooksForThem() throws Exception {
        assertThat(ChangeEventSourceCoordinator.class.getDeclaredField("snapshotMetrics").getType())
                .isAssignableFrom(io.debezium.pipeline.metrics.SnapshotChangeEventSourceMetrics.class);
        assertThat(ChangeEventSourceCoordinator.class.getDeclaredField("streamingMetrics").getType())
                .isAssignableFrom(io.debezium.pipeline.metrics.StreamingChangeEventSourceMetrics.class);
        assertThat(PipelineMetrics.class.getDeclaredField("commonEventMeter").getType()).isEqualTo(CommonEventMeter.class);
        assertThat(CommonEventMeter.class.getDeclaredField("metadataProvider").getType()).isEqualTo(EventMetadataProvider.class);
    }

    /** What Debezium's PostgreSQL provider gives, for the summary: a position. */
    private static final class PositionOnly implements EventMetadataProvider {
        @Override
        public Instant getEventTimestamp(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return Instant.EPOCH;
        }

        @Override
        public Map<String, String> getEventSourcePosition(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return Map.of("lsn", "123");
        }

        @Override
        public String getTransactionId(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return "7";
        }
    }
}
