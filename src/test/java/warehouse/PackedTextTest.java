package warehouse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PackedTextTest {

    private static String update(String icao24, String country, double velocityBefore, double velocityAfter) {
        String row = """
                {"icao24":"%s","callsign":"AFR1234 ","origin_country":"%s","time_position":"2026-12-04T12:00:00Z",\
                "longitude":2.35,"latitude":48.85,"baro_altitude":10668.0,"on_ground":false,"velocity":%s,\
                "true_track":181.5,"vertical_rate":-1.2,"geo_altitude":10700.0,"squawk":"1000","spi":false}""";
        return """
                {"before":%s,"after":%s,"source":{"version":"3.4.0.Final","connector":"postgresql","name":"flightcdc",\
                "db":"postgres","schema":"public","table":"flight_state","txId":731,"lsn":123456,\
                "sequence":"[\\"123400\\",\\"123456\\"]"},"op":"u","ts_ms":1764849600000}"""
                .formatted(row.formatted(icao24, country, velocityBefore), row.formatted(icao24, country, velocityAfter));
    }

    @Test
    void aTextComesBackAsItWasHowBigOrStrangeItIs() {
        byte[] dictionary = update("3c6444", "Germany", 230.0, 231.0).getBytes(UTF_8);
        String large = update("4b1805", "Switzerland", 1, 2).repeat(60);
        for (String text : List.of(update("a1b2c3", "Côte d'Ivoire ✈", 80.5, 81.5), "", "{}", large)) {
            assertThat(new String(PackedText.pack(text.getBytes(UTF_8), dictionary).bytes(), UTF_8)).isEqualTo(text);
        }
        assertThat(large.length()).as("longer than zlib's window of the dictionary").isGreaterThan(32 * 1024);
    }

    @Test
    void aChangeOfATableKeepsInAFractionOfItsTextAgainstAnotherOfItsTable() {
        String text = update("a1b2c3", "France", 80.5, 81.5);
        PackedText packed = PackedText.pack(text.getBytes(UTF_8), update("3c6444", "Germany", 230.0, 231.0).getBytes(UTF_8));

        assertThat(packed.packedBytes()).isLessThan(text.length() / 8);
        assertThat(PackedText.pack(text.getBytes(UTF_8), new byte[0]).packedBytes()).as("without a dictionary")
                .isGreaterThan(packed.packedBytes() * 2);
    }

    @Test
    void aChangeHeldWithoutItsRowKeepsItsValuePackedAndReadsBothAgain() {
        String value = update("a1b2c3", "France", 80.5, 81.5);
        ChangeEvent change = new ChangeEventDecoder().decode("flightcdc.public.flight_state", 0, 7, value).orElseThrow();

        ChangeEvent held = change.withoutRow(update("3c6444", "Germany", 230.0, 231.0).getBytes(UTF_8));

        assertThat(held.packedValue()).isNotNull();
        assertThat(held.raw()).isEqualTo(value);
        assertThat(held.row()).isEqualTo(change.row());
        assertThat(held.position()).isEqualTo(change.position());
    }
}
