package notify;

import static notify.DebeziumChanges.delete;
import static notify.DebeziumChanges.envelope;
import static notify.DebeziumChanges.insert;
import static notify.DebeziumChanges.row;
import static notify.DebeziumChanges.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmergencySquawkTest {

    @ParameterizedTest
    @CsvSource({"7500, hijacking", "7600, radio failure", "7700, emergency"})
    void anAircraftSeenSquawkingAnEmergencyCodeIsReportedWithItsMeaning(String squawk, String meaning) {
        assertThat(EmergencySquawk.startedBy(insert("abc001", squawk)))
                .isEqualTo(new EmergencySquawk("abc001", "AFR1234", squawk, meaning, 48.85, 2.35));
    }

    @Test
    void anEmergencyIsReportedWhenItStartsAndNotWhileItLasts() {
        assertThat(EmergencySquawk.startedBy(update("abc001", "1200", "7700"))).isNotNull();
        assertThat(EmergencySquawk.startedBy(update("abc001", null, "7600"))).isNotNull();
        assertThat(EmergencySquawk.startedBy(update("abc001", "7700", "7600"))).isNotNull();
        assertThat(EmergencySquawk.startedBy(update("abc001", "7700", "7700"))).isNull();
        // An update whose row before is not known (REPLICA IDENTITY DEFAULT) is taken as a start.
        assertThat(EmergencySquawk.startedBy(envelope("u", "null", row("abc001", "7700")))).isNotNull();
    }

    @Test
    void otherCodesDeletesAndTombstonesReportNothing() {
        assertThat(EmergencySquawk.startedBy(insert("abc001", "1200"))).isNull();
        assertThat(EmergencySquawk.startedBy(insert("abc001", null))).isNull();
        assertThat(EmergencySquawk.startedBy(update("abc001", "7700", "1200"))).isNull();
        assertThat(EmergencySquawk.startedBy(delete("abc001", "7700"))).isNull();
        assertThat(EmergencySquawk.startedBy(envelope("t", "null", "null"))).isNull();
        assertThat(EmergencySquawk.startedBy(null)).isNull();
    }

    @Test
    void theLogLineSaysWhatIsKnown() {
        assertThat(new EmergencySquawk("abc001", "AFR1234", "7700", "emergency", 48.85, 2.35).line())
                .isEqualTo("Emergency squawk 7700 (emergency): icao24 abc001, callsign AFR1234, at 48.85, 2.35");
        assertThat(EmergencySquawk.startedBy("""
                {"before":null,"after":{"icao24":"abc002","callsign":"  ","squawk":"7500","latitude":null},"op":"c"}""")
                .line()).isEqualTo("Emergency squawk 7500 (hijacking): icao24 abc002, callsign unknown, position unknown");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"after\": ", "[1, 2]", "\"text\"", "{\"before\":null,\"after\":\"7700\",\"op\":\"c\"}"})
    void aRecordThatIsNotADebeziumChangeIsRefusedWithoutQuotingIt(String record) {
        assertThatThrownBy(() -> EmergencySquawk.startedBy(record))
                .isInstanceOf(MalformedChangeException.class)
                .hasMessageStartingWith("not a Debezium change: ")
                .message().doesNotContain("7700", "[1, 2]");
    }
}
