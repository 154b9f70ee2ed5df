package notify;

import static notify.DebeziumChanges.delete;
import static notify.DebeziumChanges.envelope;
import static notify.DebeziumChanges.insert;
import static notify.DebeziumChanges.row;
import static notify.DebeziumChanges.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmergencySquawkTest {

    @ParameterizedTest
    @CsvSource({"7500, hijacking", "7600, radio failure", "7700, emergency"})
    void anAircraftSeenSquawkingAnEmergencyCodeIsReportedWithItsMeaning(String squawk, String meaning) {
        assertThat(startedBy(insert("abc001", squawk)))
                .isEqualTo(new EmergencySquawk("abc001", "AFR1234", squawk, meaning, 48.85, 2.35));
    }

    @Test
    void anEmergencyIsReportedWhenItStartsAndNotWhileItLasts() {
        assertThat(startedBy(update("abc001", "1200", "7700"))).isNotNull();
        assertThat(startedBy(update("abc001", null, "7600"))).isNotNull();
        assertThat(startedBy(update("abc001", "7700", "7600"))).isNotNull();
        assertThat(startedBy(update("abc001", "7700", "7700"))).isNull();
        // An update whose row before is not known (REPLICA IDENTITY DEFAULT) is taken as a start.
        assertThat(startedBy(envelope("u", "null", row("abc001", "7700")))).isNotNull();
    }

    @Test
    void otherCodesDeletesAndTombstonesReportNothing() {
        assertThat(startedBy(insert("abc001", "1200"))).isNull();
        assertThat(startedBy(insert("abc001", null))).isNull();
        assertThat(startedBy(update("abc001", "7700", "1200"))).isNull();
        assertThat(startedBy(delete("abc001", "7700"))).isNull();
        assertThat(startedBy(envelope("t", "null", "null"))).isNull();
        assertThat(startedBy(null)).isNull();
    }

    @Test
    void theLogLineSaysWhatIsKnown() {
        assertThat(new EmergencySquawk("abc001", "AFR1234", "7700", "emergency", 48.85, 2.35).line())
                .isEqualTo("Emergency squawk 7700 (emergency): icao24 abc001, callsign AFR1234, at 48.85, 2.35");
        assertThat(startedBy("""
                {"before":null,"after":{"icao24":"abc002","callsign":"  ","squawk":"7500","latitude":null},"op":"c"}""")
                .line()).isEqualTo("Emergency squawk 7500 (hijacking): icao24 abc002, callsign unknown, position unknown");
    }

    @Test
    void aRecordThatIsNotUtf8IsRefusedAsNotJson() {
        byte[] latin1 = insert("abc001", "7700").replace("France", "Réunion").getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> EmergencySquawk.startedBy(latin1))
                .isInstanceOf(MalformedChangeException.class)
                .hasMessageStartingWith("not a Debezium change: not JSON: Invalid UTF-8");
    }

    @Test
    void aRouteThatReadsTextStillGetsItsReports() throws Exception {
        // A user's route that keeps Kafka's StringDeserializer: Camel's bean binding converts the text to bytes.
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:text").bean(EmergencySquawk.class, "startedBy");
                }
            });
            camel.start();
            Object report = camel.createProducerTemplate().requestBody("direct:text", insert("abc001", "7700"));
            assertThat(report).isEqualTo(new EmergencySquawk("abc001", "AFR1234", "7700", "emergency", 48.85, 2.35));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"after\": ", "[1, 2]", "\"text\"", "{\"before\":null,\"after\":\"7700\",\"op\":\"c\"}"})
    void aRecordThatIsNotADebeziumChangeIsRefusedWithoutQuotingIt(String record) {
        assertThatThrownBy(() -> startedBy(record))
                .isInstanceOf(MalformedChangeException.class)
                .hasMessageStartingWith("not a Debezium change: ")
                .message().doesNotContain("7700", "[1, 2]");
    }

    /** The record as the route's consumer gives it: the UTF-8 bytes of its value, null for a tombstone. */
    private static EmergencySquawk startedBy(String record) {
        return EmergencySquawk.startedBy(record == null ? null : record.getBytes(StandardCharsets.UTF_8));
    }
}
