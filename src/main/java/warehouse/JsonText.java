package warehouse;

import com.fasterxml.jackson.databind.JsonNode;

/** Renders a Debezium JSON value as the text the staging table holds; the warehouse casts it back. */
public final class JsonText {

    private JsonText() {
    }

    public static String of(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        // Numbers, booleans and arrays in JSON notation: DuckDB casts '12.5', 'true' and '[1, 2]' directly.
        return value.isValueNode() ? value.asText() : value.toString();
    }
}
