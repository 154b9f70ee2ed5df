package opensky;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns the body of an OpenSky {@code /states/all} response into typed state vectors. A vector
 * whose shape or types are wrong is refused with a reason; the others in the same response are kept.
 */
public final class StateVectorParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ICAO24 = Pattern.compile("[0-9a-f]{6}");
    /** 17 fields; 18 with extended=1, which adds the category. */
    private static final int MIN_FIELDS = 17;

    /** @throws MalformedResponseException when the body is not an OpenSky response at all */
    public StatesResponse parse(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new MalformedResponseException("response is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedResponseException("response is not a JSON object");
        }
        JsonNode time = root.get("time");
        if (time == null || !time.canConvertToLong() || !time.isIntegralNumber()) {
            throw new MalformedResponseException("response has no integer 'time'");
        }
        JsonNode states = root.get("states");
        List<StateVector> accepted = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        if (states == null || states.isNull()) {
            return new StatesResponse(time.asLong(), accepted, rejected);
        }
        if (!states.isArray()) {
            throw new MalformedResponseException("'states' is neither an array nor null");
        }
        for (JsonNode vector : states) {
            try {
                accepted.add(toStateVector(vector));
            } catch (InvalidVectorException e) {
                rejected.add(new Rejection(e.getMessage(), vector.toString()));
            }
        }
        return new StatesResponse(time.asLong(), accepted, rejected);
    }

    private static StateVector toStateVector(JsonNode v) {
        if (!v.isArray() || v.size() < MIN_FIELDS) {
            throw new InvalidVectorException("state vector must be an array of at least " + MIN_FIELDS + " fields");
        }
        String icao24 = text(v, 0, "icao24");
        if (icao24 == null || !ICAO24.matcher(icao24).matches()) {
            throw new InvalidVectorException("icao24 must be 6 lower-case hex digits, got " + v.get(0));
        }
        return new StateVector(
                icao24,
                text(v, 1, "callsign"),
                text(v, 2, "origin_country"),
                integer(v, 3, "time_position"),
                integer(v, 4, "last_contact"),
                number(v, 5, "longitude"),
                number(v, 6, "latitude"),
                number(v, 7, "baro_altitude"),
                bool(v, 8, "on_ground"),
                number(v, 9, "velocity"),
                number(v, 10, "true_track"),
                number(v, 11, "vertical_rate"),
                sensors(v.get(12)),
                number(v, 13, "geo_altitude"),
                text(v, 14, "squawk"),
                bool(v, 15, "spi"),
                small(v, 16, "position_source"),
                v.size() > 17 ? small(v, 17, "category") : null);
    }

    private static String text(JsonNode v, int index, String name) {
        JsonNode n = v.get(index);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidVectorException(name + " must be a string, got " + n);
        }
        return n.textValue();
    }

    private static Long integer(JsonNode v, int index, String name) {
        JsonNode n = v.get(index);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new InvalidVectorException(name + " must be an integer, got " + n);
        }
        return n.longValue();
    }

    private static Integer small(JsonNode v, int index, String name) {
        Long value = integer(v, index, name);
        if (value != null && (value < Short.MIN_VALUE || value > Short.MAX_VALUE)) {
            throw new InvalidVectorException(name + " is out of range, got " + value);
        }
        return value == null ? null : value.intValue();
    }

    private static Double number(JsonNode v, int index, String name) {
        JsonNode n = v.get(index);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new InvalidVectorException(name + " must be a number, got " + n);
        }
        return n.doubleValue();
    }

    private static Boolean bool(JsonNode v, int index, String name) {
        JsonNode n = v.get(index);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isBoolean()) {
            throw new InvalidVectorException(name + " must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    private static List<Integer> sensors(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw new InvalidVectorException("sensors must be an array of integers, got " + n);
        }
        List<Integer> ids = new ArrayList<>(n.size());
        for (JsonNode id : n) {
            if (!id.isInt()) {
                throw new InvalidVectorException("sensors must be an array of integers, got " + n);
            }
            ids.add(id.intValue());
        }
        return ids;
    }

    private static final class InvalidVectorException extends RuntimeException {
        InvalidVectorException(String message) {
            super(message, null, false, false);
        }
    }
}
