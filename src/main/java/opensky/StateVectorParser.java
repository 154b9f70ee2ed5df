package opensky;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the body of an OpenSky {@code /states/all} response into typed state vectors. A vector
 * whose shape or types are wrong, or that breaks one of {@link StateVectorRules}, is refused with a
 * reason; the others in the same response are kept. A body that is not an OpenSky response at all
 * is refused as a whole.
 */
public final class StateVectorParser {

    /**
     * A global response holds up to about 10,000 aircraft of roughly 150 characters each (1.5 MB).
     * Five times that many aircraft is still a plausible response; more is a broken or hostile server,
     * and each vector costs memory here and a row in the poll's single upsert.
     */
    public static final int MAX_VECTORS = 50_000;

    /**
     * Checked before parsing, as the JSON tree takes several times the body's size in memory: room for
     * {@link #MAX_VECTORS} vectors with every field filled, about ten times a global response.
     */
    public static final int MAX_BODY_CHARS = 16 << 20;

    /**
     * NaN and Infinity are read so that the one vector holding them is refused, not the whole
     * response; trailing text after the object and repeated keys mean the body is not what it claims.
     */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** A refused vector as received: NaN stays NaN, not the string "NaN" Jackson writes by default. */
    private static final ObjectWriter RAW = JSON.writer().without(JsonWriteFeature.WRITE_NAN_AS_STRINGS);

    /** 17 fields; 18 with extended=1, which adds the category. */
    private static final int MIN_FIELDS = 17;

    private final Clock clock;

    public StateVectorParser() {
        this(Clock.systemUTC());
    }

    /** @param clock what a response's {@code time} may not be more than a day ahead of */
    public StateVectorParser(Clock clock) {
        this.clock = clock;
    }

    /** @throws MalformedResponseException when the body is not an OpenSky response at all */
    public StatesResponse parse(String body) {
        if (body != null && body.length() > MAX_BODY_CHARS) {
            throw new MalformedResponseException("response of " + body.length() + " characters is larger than the "
                    + MAX_BODY_CHARS + " an OpenSky response can plausibly be");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new MalformedResponseException("response is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedResponseException("response is not a JSON object");
        }
        JsonNode timeNode = root.get("time");
        if (timeNode == null || !timeNode.isIntegralNumber() || !timeNode.canConvertToLong()) {
            throw new MalformedResponseException("response has no integer 'time'");
        }
        long time = timeNode.asLong();
        String badTime = StateVectorRules.responseTime(time, clock.instant().getEpochSecond());
        if (badTime != null) {
            throw new MalformedResponseException(badTime);
        }
        JsonNode states = root.get("states");
        if (states == null || states.isNull()) {
            return new StatesResponse(time, List.of(), List.of());
        }
        if (!states.isArray()) {
            throw new MalformedResponseException("'states' is neither an array nor null");
        }
        if (states.size() > MAX_VECTORS) {
            throw new MalformedResponseException("response lists " + states.size() + " state vectors, more than the "
                    + MAX_VECTORS + " an OpenSky response can plausibly hold");
        }
        return accept(time, states);
    }

    /**
     * OpenSky may list an aircraft twice. The table holds one row per aircraft, so the vector with the
     * latest last_contact is kept (the later one in the response on a tie) and the others are refused as
     * duplicates, so that none is dropped without a trace.
     */
    private static StatesResponse accept(long time, JsonNode states) {
        Map<String, Received> byIcao24 = new LinkedHashMap<>();
        List<Rejection> rejected = new ArrayList<>();
        for (JsonNode node : states) {
            StateVector vector;
            try {
                vector = toStateVector(node, time);
            } catch (InvalidVectorException e) {
                rejected.add(new Rejection(e.getMessage(), raw(node)));
                continue;
            }
            Received current = new Received(vector, node);
            Received earlier = byIcao24.get(vector.icao24());
            if (earlier == null) {
                byIcao24.put(vector.icao24(), current);
            } else {
                Received kept = earlier.isNewerThan(current) ? earlier : current;
                Received dropped = kept == earlier ? current : earlier;
                byIcao24.put(vector.icao24(), kept);
                rejected.add(new Rejection("duplicate icao24 " + vector.icao24() + " in this response: kept the vector"
                        + " with last_contact " + kept.vector().lastContact() + ", this one has "
                        + dropped.vector().lastContact(), raw(dropped.node())));
            }
        }
        List<StateVector> accepted = byIcao24.values().stream().map(Received::vector).toList();
        return new StatesResponse(time, accepted, rejected);
    }

    private static String raw(JsonNode vector) {
        try {
            return RAW.writeValueAsString(vector);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree could not be written back", e);
        }
    }

    private record Received(StateVector vector, JsonNode node) {

        /** Strictly newer: on a tie, the vector received later wins. A missing last_contact is the oldest. */
        boolean isNewerThan(Received other) {
            Long mine = vector.lastContact();
            Long theirs = other.vector.lastContact();
            return mine != null && (theirs == null || mine > theirs);
        }
    }

    private static StateVector toStateVector(JsonNode v, long time) {
        if (!v.isArray() || v.size() < MIN_FIELDS) {
            throw new InvalidVectorException("state vector must be an array of at least " + MIN_FIELDS + " fields");
        }
        StateVector vector = new StateVector(
                text(v, 0, "icao24"),
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
        StateVectorRules.violation(vector, time).ifPresent(reason -> {
            throw new InvalidVectorException(reason);
        });
        return vector;
    }

    private static String text(JsonNode v, int index, String name) {
        JsonNode n = v.get(index);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidVectorException(name + " must be a string, got " + describe(n));
        }
        return n.textValue();
    }

    private static Long integer(JsonNode v, int index, String name) {
        JsonNode n = v.get(index);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new InvalidVectorException(name + " must be an integer, got " + describe(n));
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
            throw new InvalidVectorException(name + " must be a number, got " + describe(n));
        }
        return n.doubleValue();
    }

    private static Boolean bool(JsonNode v, int index, String name) {
        JsonNode n = v.get(index);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isBoolean()) {
            throw new InvalidVectorException(name + " must be true or false, got " + describe(n));
        }
        return n.booleanValue();
    }

    private static List<Integer> sensors(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw new InvalidVectorException("sensors must be an array of integers, got " + describe(n));
        }
        List<Integer> ids = new ArrayList<>(n.size());
        for (JsonNode id : n) {
            if (!id.isInt()) {
                throw new InvalidVectorException("sensors must be an array of integers, got " + describe(n));
            }
            ids.add(id.intValue());
        }
        return ids;
    }

    /** A received value as a reason quotes it: strings escaped, anything long cut short (the raw vector has it all). */
    private static String describe(JsonNode n) {
        return n.isTextual() ? StateVectorRules.quote(n.textValue()) : StateVectorRules.abbreviate(n.toString());
    }

    private static final class InvalidVectorException extends RuntimeException {
        InvalidVectorException(String message) {
            super(message, null, false, false);
        }
    }
}
