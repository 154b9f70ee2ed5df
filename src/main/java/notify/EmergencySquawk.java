package notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * An aircraft that has just begun to squawk an emergency code (7500 hijacking, 7600 radio failure, 7700
 * emergency), read from a Debezium change of {@code flight_state}. As JSON (its components, nothing else)
 * it is the body the sample route {@code routes/emergency-squawks.yaml} posts to a webhook.
 */
public record EmergencySquawk(String icao24, String callsign, String squawk, String meaning, Double latitude,
        Double longitude) {

    private static final Map<String, String> MEANINGS = Map.of(
            "7500", "hijacking",
            "7600", "radio failure",
            "7700", "emergency");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The emergency a change starts, or null: one aircraft squawking 7700 through a hundred updates is one
     * emergency, reported when its squawk turns to 7700. So a change reports when the row after it squawks an
     * emergency code and the row before it squawked another code, none, or was not there (an insert, a snapshot
     * read). A delete, a truncate and a delete's tombstone (no value at all) have no row after them.
     *
     * <p>The record's value as Kafka holds it, UTF-8 bytes: Jackson reads them with the same byte parser as the
     * loader, so a JVM running both compiles one parser, not two. A route that gives it text (Kafka's
     * {@code StringDeserializer}) still works: Camel converts the body to bytes.
     *
     * @throws MalformedChangeException when the record is not a Debezium change
     */
    public static EmergencySquawk startedBy(byte[] change) {
        if (change == null) {
            return null;
        }
        JsonNode envelope = parse(change);
        JsonNode after = row(envelope, "after");
        JsonNode before = row(envelope, "before");
        String squawk = after == null ? null : text(after, "squawk");
        if (squawk == null || !MEANINGS.containsKey(squawk) || (before != null && squawk.equals(text(before, "squawk")))) {
            return null;
        }
        return new EmergencySquawk(text(after, "icao24"), text(after, "callsign"), squawk, MEANINGS.get(squawk),
                number(after, "latitude"), number(after, "longitude"));
    }

    /** What squawking {@code squawk} means when it is an emergency code (hijacking, radio failure, emergency), or null. */
    public static String meaningOf(String squawk) {
        return squawk == null ? null : MEANINGS.get(squawk.strip());
    }

    /** One line for the log: what is squawked, by whom, where. */
    public String line() {
        return "Emergency squawk " + squawk + " (" + meaning + "): icao24 " + icao24
                + ", callsign " + (callsign == null ? "unknown" : callsign)
                + ", " + (latitude == null || longitude == null ? "position unknown" : "at " + latitude + ", " + longitude);
    }

    private static JsonNode parse(byte[] change) {
        JsonNode envelope;
        try {
            envelope = JSON.readTree(change);
        } catch (JsonProcessingException e) {
            // The original message only: the located one quotes the record.
            throw new MalformedChangeException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            // Reading an array in memory does no I/O.
            throw new UncheckedIOException(e);
        }
        if (envelope == null || !envelope.isObject()) {
            throw new MalformedChangeException("not a JSON object");
        }
        return envelope;
    }

    /** The row before or after the change, null when there is none. */
    private static JsonNode row(JsonNode envelope, String field) {
        JsonNode row = envelope.path(field);
        if (row.isMissingNode() || row.isNull()) {
            return null;
        }
        if (!row.isObject()) {
            throw new MalformedChangeException("its \"" + field + "\" is not a row");
        }
        return row;
    }

    /** A text column, trimmed (OpenSky pads callsigns to 8 characters); null when absent or blank. */
    private static String text(JsonNode row, String column) {
        JsonNode value = row.path(column);
        String text = value.isTextual() ? value.asText().strip() : null;
        return text == null || text.isEmpty() ? null : text;
    }

    private static Double number(JsonNode row, String column) {
        JsonNode value = row.path(column);
        return value.isNumber() ? value.doubleValue() : null;
    }
}
