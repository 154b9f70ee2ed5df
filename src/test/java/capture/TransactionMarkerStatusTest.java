package capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class TransactionMarkerStatusTest {

    private static final String TRANSACTION_TOPIC = "flightcdc.transaction";
    /** The fields of Debezium's transaction marker value that matter here. */
    private static final Schema MARKER = SchemaBuilder.struct().name("io.debezium.connector.common.TransactionMetadataValue")
            .field("status", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA)
            .field("event_count", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .build();

    private final TransactionMarkerStatus transform = new TransactionMarkerStatus();

    TransactionMarkerStatusTest() {
        transform.configure(Map.of(TransactionMarkerStatus.TOPIC_CONFIG, TRANSACTION_TOPIC));
    }

    @Test
    void aMarkerBecomesAnOperationWithTheMarkerAsItsAfterImage() {
        Struct end = new Struct(MARKER).put("status", "END").put("id", "789").put("event_count", 3L).put("ts_ms", 1L);

        SourceRecord wrapped = transform.apply(new SourceRecord(Map.of(), Map.of(), TRANSACTION_TOPIC, null, null, null,
                MARKER, end));

        Struct value = (Struct) wrapped.value();
        assertThat(value.getString("op")).isEqualTo("END");
        assertThat(value.getStruct("after")).isEqualTo(end);
        assertThat(wrapped.topic()).isEqualTo(TRANSACTION_TOPIC);
    }

    @Test
    void everyOtherRecordPassesUnchanged() {
        SourceRecord change = new SourceRecord(Map.of(), Map.of(), "flightcdc.public.flight_state", null, null, null,
                MARKER, new Struct(MARKER).put("status", "END").put("id", "1").put("ts_ms", 1L));

        assertThat(transform.apply(change)).isSameAs(change);
    }

    @Test
    void theTransactionTopicMustBeConfigured() {
        assertThatThrownBy(() -> new TransactionMarkerStatus().configure(Map.of()))
                .hasMessageContaining(TransactionMarkerStatus.TOPIC_CONFIG);
    }
}
