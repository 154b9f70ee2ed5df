package opensky;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StateVectorParserTest {

    private static final long NOW = 1_714_557_600L;

    /** A valid vector; the tests replace one field at a time (by index) with a value to try. */
    private static final String[] VALID = {"\"3c6444\"", "\"DLH9LF  \"", "\"Germany\"", "1714557598", "1714557599",
        "8.5622", "50.0379", "3048.0", "false", "180.5", "270.25", "-5.2", "[12, 34]", "3100.5", "\"1000\"", "false",
        "0", "4"};

    private final StateVectorParser parser = new StateVectorParser(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

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

    @ParameterizedTest(name = "field {0} = {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "1  | `\"DLH9LF123\"`  | callsign must be at most 8 printable ASCII characters, got \"DLH9LF123\"",
        "1  | `\"DLH\\u0000\"` | callsign must be at most 8 printable ASCII characters, got \"DLH\\u0000\"",
        "2  | `\"Ger\\nmany\"` | origin_country must be at most 100 characters of text, got \"Ger\\u000amany\"",
        "2  | `\"\\ud800x\"`  | origin_country must be at most 100 characters of text, got \"\ud800x\"",
        "3  | -1             | time_position must not be negative, got -1",
        "4  | 1714644001     | last_contact must be at most a day after the response's time 1714557600, got 1714644001",
        "5  | 180.5          | longitude must be within [-180, 180], got 180.5",
        "6  | -90.01         | latitude must be within [-90, 90], got -90.01",
        "6  | NaN            | latitude must be a finite number, got NaN",
        "7  | -1500.5        | baro_altitude must be within [-1500, 40000], got -1500.5",
        "7  | 1e400          | baro_altitude must be a finite number, got Infinity",
        "9  | -0.5           | velocity must be within [0, 1200], got -0.5",
        "9  | Infinity       | velocity must be a finite number, got Infinity",
        "10 | 360.01         | true_track must be within [0, 360], got 360.01",
        "11 | 170.5          | vertical_rate must be within [-170, 170], got 170.5",
        "13 | 40000.1        | geo_altitude must be within [-1500, 40000], got 40000.1",
        "14 | `\"7778\"`     | squawk must be 4 octal digits, got \"7778\"",
        "14 | `\"123\"`      | squawk must be 4 octal digits, got \"123\"",
        "14 | 1234           | squawk must be a string, got 1234",
        "16 | 4              | position_source must be within [0, 3], got 4",
        "17 | 21             | category must be within [0, 20], got 21",
        "17 | -1             | category must be within [0, 20], got -1"})
    void refusesAValueOutsideItsRulesNamingTheFieldAndTheValue(int field, String value, String reason) {
        StatesResponse r = parser.parse(response(vectorWith(field, value), vectorWith(0, "\"abcdef\"")));

        assertThat(r.rejections()).singleElement().satisfies(rejection -> {
            assertThat(rejection.reason()).isEqualTo(reason);
            assertThat(rejection.raw()).startsWith("[\"3c6444\"");
        });
        assertThat(r.states()).extracting(StateVector::icao24).containsExactly("abcdef");
    }

    @ParameterizedTest(name = "field {0} = {1}")
    @CsvSource(delimiter = '|', value = {"6 | -90", "6 | 90", "5 | -180", "5 | 180", "7 | -1500", "13 | 40000",
        "9 | 0", "9 | 1200", "10 | 0", "10 | 360", "11 | -170", "11 | 170", "14 | \"0000\"", "14 | \"7777\"",
        "16 | 3", "17 | 0", "17 | 20", "3 | 0", "4 | 1714644000", "1 | \"\"", "2 | \"Côte d'Ivoire\"",
        "2 | \"\\ud83d\\ude80 Mars\""})
    void acceptsTheBoundsThemselves(int field, String value) {
        StatesResponse r = parser.parse(response(vectorWith(field, value)));

        assertThat(r.rejections()).isEmpty();
        assertThat(r.states()).hasSize(1);
    }

    @Test
    void quotesALongValueShortInTheReasonAndKeepsItWholeInTheRawVector() {
        String huge = "x".repeat(100_000);

        Rejection rejection = parser.parse(response(vectorWith(1, "\"" + huge + "\""))).rejections().get(0);

        assertThat(rejection.reason()).isEqualTo("callsign must be at most 8 printable ASCII characters, got \""
                + "x".repeat(80) + "\"... (100000 characters)");
        assertThat(rejection.raw()).contains(huge);
    }

    @Test
    void keepsNotANumberAsReceivedInTheRawVector() {
        Rejection rejection = parser.parse(response(vectorWith(6, "NaN"))).rejections().get(0);

        assertThat(rejection.raw()).contains(",NaN,").doesNotContain("\"NaN\"");
    }

    @Test
    void keepsTheLatestVectorOfAnAircraftListedTwiceAndRefusesTheOther() {
        String older = vectorWith(4, "1714557500");
        String newer = vectorWith(4, "1714557599");

        StatesResponse r = parser.parse(response(newer, older));

        assertThat(r.states()).singleElement().extracting(StateVector::lastContact).isEqualTo(1714557599L);
        assertThat(r.rejections()).singleElement().satisfies(rejection -> {
            assertThat(rejection.reason()).isEqualTo("duplicate icao24 3c6444 in this response: kept the vector with"
                    + " last_contact 1714557599, this one has 1714557500");
            assertThat(rejection.raw()).contains("1714557500");
        });
    }

    @Test
    void refusesResponsesFromTheFutureOrTooLargeToBeReal() {
        assertThatThrownBy(() -> parser.parse("{\"time\": " + (NOW + 86_401) + ", \"states\": []}"))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessage("response 'time' 1714644001 is more than a day after this machine's clock (1714557600)");
        assertThatThrownBy(() -> parser.parse("{\"time\": -1, \"states\": []}"))
                .isInstanceOf(MalformedResponseException.class).hasMessage("response 'time' must not be negative, got -1");
        assertThatThrownBy(() -> parser.parse(" ".repeat(StateVectorParser.MAX_BODY_CHARS + 1)))
                .isInstanceOf(MalformedResponseException.class).hasMessageContaining("larger than the 16777216");
        String tooMany = "[]," .repeat(StateVectorParser.MAX_VECTORS) + "[]";
        assertThatThrownBy(() -> parser.parse("{\"time\": 1, \"states\": [" + tooMany + "]}"))
                .isInstanceOf(MalformedResponseException.class)
                .hasMessage("response lists 50001 state vectors, more than the 50000 an OpenSky response can plausibly hold");
    }

    @Test
    void refusesTrailingTextAndRepeatedKeys() {
        assertThatThrownBy(() -> parser.parse("{\"time\": 1, \"states\": null} {\"time\": 2}"))
                .isInstanceOf(MalformedResponseException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> parser.parse("{\"time\": 1, \"states\": null, \"states\": []}"))
                .isInstanceOf(MalformedResponseException.class).hasMessageContaining("not JSON");
    }

    private static String vectorWith(int field, String value) {
        String[] fields = VALID.clone();
        fields[field] = value;
        return "[" + String.join(", ", fields) + "]";
    }

    private static String response(String... vectors) {
        return "{\"time\": " + NOW + ", \"states\": [" + String.join(", ", vectors) + "]}";
    }
}
