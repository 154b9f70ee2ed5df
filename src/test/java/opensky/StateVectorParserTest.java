package opensky;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StateVectorParserTest {

    private final StateVectorParser parser = new StateVectorParser();

    @Test
    void parsesEveryFieldOfAnExtendedVector() {
        StatesResponse r = parser.parse("""
                {"time": 1714557600, "states": [
                  ["3c6444", "DLH9LF  ", "Germany", 1714557598, 1714557599, 8.5622, 50.0379, 3048.0, false,
                   180.5, 270.25, -5.2, [12, 34], 3100.5, "1000", false, 0, 4]
                ]}""");

        assertThat(r.time()).isEqualTo(1714557600L);
        assertThat(r.rejections()).isEmpty();
        assertThat(r.states()).containsExactly(new StateVector("3c6444", "DLH9LF  ", "Germany", 1714557598L,
                1714557599L, 8.5622, 50.0379, 3048.0, false, 180.5, 270.25, -5.2, List.of(12, 34), 3100.5, "1000",
                false, 0, 4));
    }

    @Test
    void keepsNullsAndLeavesCategoryEmptyWithoutExtended() {
        StatesResponse r = parser.parse("""
                {"time": 1, "states": [["abcdef", null, "France", null, 1, null, null, null, true,
                  null, null, null, null, null, null, false, 2]]}""");

        StateVector v = r.states().get(0);
        assertThat(v.callsign()).isNull();
        assertThat(v.longitude()).isNull();
        assertThat(v.sensors()).isNull();
        assertThat(v.category()).isNull();
        assertThat(v.positionSource()).isEqualTo(2);
    }

    @Test
    void refusesABadVectorWithItsReasonAndKeepsTheGoodOnes() {
        StatesResponse r = parser.parse("""
                {"time": 1, "states": [
                  ["abcdef", null, "France", null, 1, null, null, null, true, null, null, null, null, null, null, false, 0],
                  ["ABCDEF", null, "France", null, 1, null, null, null, true, null, null, null, null, null, null, false, 0],
                  ["abc123", null, "France", null, 1, "east", null, null, true, null, null, null, null, null, null, false, 0],
                  ["abc124", null],
                  42
                ]}""");

        assertThat(r.states()).extracting(StateVector::icao24).containsExactly("abcdef");
        assertThat(r.rejections()).extracting(Rejection::reason).containsExactly(
                "icao24 must be 6 lower-case hex digits, got \"ABCDEF\"",
                "longitude must be a number, got \"east\"",
                "state vector must be an array of at least 17 fields",
                "state vector must be an array of at least 17 fields");
        assertThat(r.rejections().get(3).raw()).isEqualTo("42");
    }

    @Test
    void nullStatesMeansNoAircraft() {
        assertThat(parser.parse("{\"time\": 5, \"states\": null}").states()).isEmpty();
    }

    @Test
    void refusesResponsesThatAreNotOpenSkyResponses() {
        assertThatThrownBy(() -> parser.parse("<html>Bad gateway</html>"))
                .isInstanceOf(MalformedResponseException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> parser.parse("{\"time\": 5, \"states\": [[\"abcdef\""))
                .isInstanceOf(MalformedResponseException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> parser.parse("[1, 2]"))
                .isInstanceOf(MalformedResponseException.class).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> parser.parse("{\"states\": []}"))
                .isInstanceOf(MalformedResponseException.class).hasMessageContaining("'time'");
        assertThatThrownBy(() -> parser.parse("{\"time\": 1, \"states\": {}}"))
                .isInstanceOf(MalformedResponseException.class).hasMessageContaining("'states'");
        assertThatThrownBy(() -> parser.parse(""))
                .isInstanceOf(MalformedResponseException.class);
    }
}
