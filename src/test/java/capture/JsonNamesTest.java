package capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonNamesTest {

    private static final JsonFactory JSON = new JsonFactory();

    /** Quotes, control characters and non-ASCII letters in a column's name come out as Jackson writes a String name. */
    @Test
    void writesEveryNameAsJacksonWritesItFromAString() throws IOException {
        for (String name : List.of("icao24", "say \"hi\"", "back\\slash", "tab\tnew\nline", "Zürich✈", "", "ts_ms")) {
            assertThat(written(name, true)).isEqualTo(written(name, false));
        }
    }

    /** A source that keeps making new columns does not grow the cache past its bound; its names are still right. */
    @Test
    void pastItsBoundNamesAreEncodedEachTime() throws IOException {
        SerializableString early = JsonNames.of("bound_probe");
        for (int i = 0; i <= JsonNames.MAX; i++) {
            JsonNames.of("column_" + i);
        }
        String late = "column_" + (JsonNames.MAX + 1_000);
        assertThat(JsonNames.of("bound_probe")).isSameAs(early);
        assertThat(JsonNames.of(late)).isNotSameAs(JsonNames.of(late));
        assertThat(written(late, true)).isEqualTo("{\"" + late + "\":1}");
    }

    private static String written(String name, boolean encoded) throws IOException {
        // UTF-8 bytes, as the envelope is written.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (encoded) {
                g.writeFieldName(JsonNames.of(name));
            } else {
                g.writeFieldName(name);
            }
            g.writeNumber(1);
            g.writeEndObject();
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
