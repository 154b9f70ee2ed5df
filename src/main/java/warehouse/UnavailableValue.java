package warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Debezium's stand-in for a value a change does not carry. With {@code REPLICA IDENTITY DEFAULT}, an
 * update that leaves a TOASTed column unchanged (a value PostgreSQL stores out of line, from about 2 kB
 * compressed) does not carry it: pgoutput sends "unchanged" instead, and Debezium puts its
 * {@code unavailable.value.placeholder} there. The warehouse keeps the value it had.
 *
 * <p>The capture sets the placeholder to text that starts and ends with NUL, which no PostgreSQL text,
 * varchar, json or jsonb value can hold, and which is not hex (bytea comes as hex, see the capture's
 * {@code binary.handling.mode}): for those types, and arrays of text, no real value is ever taken for
 * it. Debezium writes it into an array of integers (int4, int8, date) as the placeholder's bytes, and
 * into a uuid array as a name-based UUID of them: a real array equal to that is taken for the
 * placeholder too, a collision docs/type-mapping.md names.
 */
public final class UnavailableValue {

    public static final String PLACEHOLDER = "\0flightcdc:unavailable\0";

    /** The placeholder as Debezium's {@code unavailable.value.placeholder} setting takes bytes: hex. */
    public static final String DEBEZIUM_SETTING = "hex:" + HexFormat.of().formatHex(bytes());

    private static final String PLACEHOLDER_UUID = UUID.nameUUIDFromBytes(bytes()).toString();

    private UnavailableValue() {
    }

    /** Whether {@code value}, a column's value in a change as Debezium's JSON gives it, is the placeholder. */
    public static boolean in(JsonNode value) {
        if (value == null) {
            return false;
        }
        if (value.isTextual()) {
            return PLACEHOLDER.equals(value.textValue());
        }
        if (!value.isArray()) {
            return false;
        }
        if (value.size() == 1 && value.get(0).isTextual()) {
            String only = value.get(0).textValue();
            return PLACEHOLDER.equals(only) || PLACEHOLDER_UUID.equals(only);
        }
        byte[] bytes = bytes();
        if (value.size() != bytes.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if (!value.get(i).canConvertToExactIntegral() || value.get(i).longValue() != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes() {
        return PLACEHOLDER.getBytes(StandardCharsets.US_ASCII);
    }
}
