package verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * How a json or jsonb value is compared, on both sides alike: as the text PostgreSQL prints, which DuckDB
 * keeps; or as the JSON value, which is all Snowflake's VARIANT keeps (it drops the whitespace and the order
 * of an object's members, and prints {@code 2.50} as {@code 2.5}).
 */
public enum JsonForm {
    TEXT,
    /** The value's canonical text: no whitespace, members sorted by name, each number by its value. */
    VALUE;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    /** A json column's value in its normalised form (text, or a list of texts for an array), in this form. */
    Object of(Object value) {
        if (this == TEXT || value == null) {
            return value;
        }
        if (value instanceof List<?> items) {
            List<Object> canonical = new ArrayList<>(items.size());
            items.forEach(item -> canonical.add(of(item)));
            return canonical;
        }
        return canonical(value.toString());
    }

    private static String canonical(String text) {
        try {
            return JSON.writeValueAsString(canonical(JSON.readTree(text)));
        } catch (JsonProcessingException e) {
            // Not JSON after all: compared as it stands, so that it differs from any JSON value.
            return text;
        }
    }

    private static JsonNode canonical(JsonNode node) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (node.isNumber()) {
            return nodes.numberNode(node.decimalValue().stripTrailingZeros());
        }
        if (node.isArray()) {
            List<JsonNode> items = new ArrayList<>();
            node.elements().forEachRemaining(item -> items.add(canonical(item)));
            return nodes.arrayNode().addAll(items);
        }
        if (node.isObject()) {
            ObjectNode sorted = nodes.objectNode();
            TreeSet<String> names = new TreeSet<>();
            node.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                sorted.set(name, canonical(node.get(name)));
            }
            return sorted;
        }
        return node;
    }
}
