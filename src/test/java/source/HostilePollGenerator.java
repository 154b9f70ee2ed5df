package source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import opensky.StateVector;
import opensky.StateVectorParser;

/**
 * Seeded OpenSky responses for the hostile-input test: whole bodies that are not OpenSky responses,
 * and responses mixing valid state vectors with vectors broken in exactly one way, each with what the
 * parser must do with it. Every aircraft the generator makes valid has an icao24 of its own, so the
 * test can find each one in the table afterwards.
 */
final class HostilePollGenerator {

    /** What the parser must refuse, and the start of the reason it must give (empty: any reason). */
    record Refusal(String raw, String reasonStart) {
    }

    /** One body to feed the poll: either malformed as a whole, or the vectors it must accept and refuse. */
    record Poll(String body, boolean malformed, List<StateVector> accepted, List<Refusal> refused) {
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The body as a server would send it: NaN and Infinity written bare, as a broken server would. */
    private static final ObjectWriter WIRE = JsonMapper.builder().build().writer()
            .without(JsonWriteFeature.WRITE_NAN_AS_STRINGS);
    private static final String[] FIELDS = {"icao24", "callsign", "origin_country", "time_position", "last_contact",
        "longitude", "latitude", "baro_altitude", "on_ground", "velocity", "true_track", "vertical_rate", "sensors",
        "geo_altitude", "squawk", "spi", "position_source", "category"};
    /** All longer than a callsign may be, so that each is refused wherever it is put. */
    private static final String[] INJECTIONS = {"'; DROP TABLE flight_state; --", "\" OR 1=1 --", "$$; DELETE FROM x; $$",
        "\\'; SELECT pg_sleep(10); --", "%s%s%s%s%n", "${jndi:ldap://x}", "<script>alert(1)</script>"};
    private static final String[] COUNTRIES = {"Germany", "Côte d'Ivoire", "São Tomé", "Россия", "日本", "🚀 Mars",
        "Robert'); DROP TABLE flight_state;--", ""};

    private final Random random;
    private final long time;
    private int nextIcao24 = 0x100000;

    HostilePollGenerator(long seed, long time) {
        this.random = new Random(seed);
        this.time = time;
    }

    Poll next() {
        return random.nextInt(4) == 0 ? malformed() : mixed();
    }

    /** A response of valid and broken vectors, and sometimes the same aircraft twice. */
    private Poll mixed() {
        List<StateVector> accepted = new ArrayList<>();
        List<Refusal> refused = new ArrayList<>();
        ArrayNode states = NODES.arrayNode();
        int size = 1 + random.nextInt(25);
        for (int i = 0; i < size; i++) {
            int kind = random.nextInt(10);
            if (kind < 5) {
                StateVector v = validVector();
                accepted.add(v);
                boolean moreFields = random.nextInt(10) == 0;
                ArrayNode valid = node(v, moreFields || random.nextInt(5) == 0);
                if (moreFields) {
                    // Fields OpenSky may add after the category are not read.
                    valid.add("future field").addObject().put("any", "shape");
                }
                states.add(valid);
            } else if (kind < 9) {
                ArrayNode broken = node(validVector(), true);
                String reason = breakOneField(broken);
                states.add(broken);
                refused.add(new Refusal(raw(broken), reason));
            } else {
                // Same aircraft twice: the latest last_contact is kept, whichever comes first.
                StateVector newer = validVector();
                StateVector older = withLastContact(newer, newer.lastContact() - 1 - random.nextInt(100));
                boolean newerFirst = random.nextBoolean();
                ArrayNode olderNode = node(older, true);
                states.add(node(newerFirst ? newer : older, true));
                states.add(newerFirst ? olderNode : node(newer, true));
                accepted.add(newer);
                refused.add(new Refusal(raw(olderNode), "duplicate icao24 " + newer.icao24()));
            }
        }
        ObjectNode body = NODES.objectNode().put("time", time);
        body.set("states", states);
        return new Poll(raw(body), false, accepted, refused);
    }

    /** A body that is not an OpenSky response at all, or one whose 'states' is null (no aircraft, not an error). */
    private Poll malformed() {
        String valid = raw(NODES.objectNode().put("time", time).set("states",
                NODES.arrayNode().add(node(validVector(), true))));
        List<Supplier<String>> bodies = List.of(
                () -> "<html><body>502 Bad Gateway</body></html>",
                () -> "",
                () -> "   \n",
                () -> valid.substring(0, 1 + random.nextInt(valid.length() - 2)),
                () -> "[" + valid + "]",
                () -> "\"" + valid.replace("\"", "'") + "\"",
                () -> "42",
                () -> "null",
                () -> "{\"states\": []}",
                () -> "{\"time\": \"" + time + "\", \"states\": []}",
                () -> "{\"time\": " + time + ".5, \"states\": []}",
                () -> "{\"time\": " + (time + 90_000) + ", \"states\": []}",
                () -> "{\"time\": -" + time + ", \"states\": []}",
                () -> "{\"time\": 99999999999999999999999, \"states\": []}",
                () -> "{\"time\": " + time + ", \"states\": {\"abcdef\": []}}",
                () -> "{\"time\": " + time + ", \"states\": \"none\"}",
                () -> "{\"time\": " + time + ", \"states\": 7}",
                () -> valid + " trailing",
                () -> "{\"time\": " + time + ", \"time\": " + time + ", \"states\": []}",
                () -> "{\"time\": " + time + ", \"states\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}",
                () -> "\u0000\u0001\u0002binary\uFFFD\u0000",
                () -> "{\"time\": " + time + ", \"states\": [" + "[],".repeat(StateVectorParser.MAX_VECTORS) + "[]]}",
                () -> "{\"time\": " + time + ", \"states\": null}");
        int pick = random.nextInt(bodies.size());
        String body = bodies.get(pick).get();
        boolean statesNull = pick == bodies.size() - 1;
        return new Poll(body, !statesNull, List.of(), List.of());
    }

    /** The one oversized body: built once, as it is 16 MiB. */
    Poll oversized() {
        return new Poll("{\"time\": " + time + ", \"states\": [\"" + "x".repeat(StateVectorParser.MAX_BODY_CHARS) + "\"]}",
                true, List.of(), List.of());
    }

    private StateVector validVector() {
        String icao24 = String.format("%06x", nextIcao24++);
        long lastContact = time - random.nextInt(60);
        boolean ground = random.nextInt(10) == 0;
        return new StateVector(
                icao24,
                orNull(() -> pick(new String[] {"DLH9LF  ", "';--    ", "A", "", "UAL1234 ", "'\"\\%_*?"})),
                orNull(() -> pick(COUNTRIES)),
                orNull(() -> lastContact - random.nextInt(30)),
                lastContact, // never null here: the poll deletes an aircraft without last_contact as stale at once
                orNull(() -> bounded(-180, 180)),
                orNull(() -> bounded(-90, 90)),
                ground ? null : orNull(() -> bounded(-1_500, 40_000)),
                orNull(() -> ground),
                orNull(() -> bounded(0, 1_200)),
                orNull(() -> bounded(0, 360)),
                ground ? null : orNull(() -> bounded(-170, 170)),
                orNull(() -> random.nextBoolean() ? List.of() : List.of(random.nextInt(5_000), random.nextInt(5_000))),
                ground ? null : orNull(() -> bounded(-1_500, 40_000)),
                orNull(() -> String.format("%04o", random.nextInt(010000))),
                orNull(random::nextBoolean),
                orNull(() -> random.nextInt(4)),
                category());
    }

    private Integer category() {
        return random.nextBoolean() ? null : random.nextInt(21);
    }

    /** Breaks one field of a valid vector in one of many ways; returns how the reason must start. */
    private String breakOneField(ArrayNode v) {
        int way = random.nextInt(12);
        if (way == 0) {
            return breakShape(v);
        }
        int field = random.nextInt(v.size());
        String name = FIELDS[field];
        JsonNode hostile = switch (way) {
            case 1 -> wrongType(field);
            case 2 -> NODES.objectNode().put("nested", "object").set("deeper", NODES.arrayNode().add(1));
            case 3 -> NODES.arrayNode().add(NODES.arrayNode().add("x"));
            default -> outOfRule(field);
        };
        if (hostile == null) {
            return breakShape(v);
        }
        v.set(field, hostile);
        return name + " ";
    }

    /** A value the field's rules refuse although its JSON type may be right; null where there is none. */
    private JsonNode outOfRule(int field) {
        return switch (FIELDS[field]) {
            case "icao24" -> random.nextInt(8) == 0 ? NODES.nullNode() : NODES.textNode(pick(new String[] {"ABCDEF",
                "abcde", "abcdefa", "ghijkl", "", "äbcdef", "'; DROP TABLE flight_state; --", "abc\u0000ef"}));
            case "callsign" -> NODES.textNode(pick(new String[] {"TOOLONG99", "DLH\u0000", "\u00e9t\u00e9", "x".repeat(
                    10_000 + random.nextInt(90_000)), pick(INJECTIONS), "\ud800"}));
            case "origin_country" -> NODES.textNode(pick(new String[] {"Ger\nmany", "x".repeat(101 + random.nextInt(50_000)),
                "\u0000", "bad\ud800half", "tab\there"}));
            case "time_position", "last_contact" -> pick(new JsonNode[] {NODES.numberNode(-1L - random.nextInt(1_000)),
                NODES.numberNode(time + 86_401 + random.nextInt(1_000_000)), NODES.numberNode(Long.MAX_VALUE),
                NODES.numberNode(BigInteger.TWO.pow(70)), NODES.numberNode(1.5)});
            case "longitude" -> outside(-180, 180);
            case "latitude" -> outside(-90, 90);
            case "baro_altitude", "geo_altitude" -> outside(-1_500, 40_000);
            case "velocity" -> outside(0, 1_200);
            case "true_track" -> outside(0, 360);
            case "vertical_rate" -> outside(-170, 170);
            case "squawk" -> NODES.textNode(pick(new String[] {"7778", "8000", "123", "12345", "77a7", "", "７７００"}));
            case "position_source" -> NODES.numberNode(pick(new Integer[] {-1, 4, 99, 70_000}));
            case "category" -> NODES.numberNode(pick(new Integer[] {-1, 21, 255, Integer.MAX_VALUE}));
            case "sensors" -> pick(new JsonNode[] {NODES.arrayNode().add("1"), NODES.arrayNode().add(1.5),
                NODES.arrayNode().add(NODES.arrayNode().add(1)), NODES.numberNode(3)});
            default -> null; // on_ground and spi have no rule beyond their type
        };
    }

    private JsonNode wrongType(int field) {
        return switch (FIELDS[field]) {
            case "icao24", "callsign", "origin_country", "squawk" -> pick(new JsonNode[] {NODES.numberNode(123456),
                NODES.booleanNode(true), NODES.numberNode(Double.NaN)});
            case "on_ground", "spi" -> pick(new JsonNode[] {NODES.textNode("true"), NODES.numberNode(1)});
            case "sensors" -> NODES.textNode("1,2");
            default -> pick(new JsonNode[] {NODES.textNode("12"), NODES.booleanNode(false), NODES.textNode(pick(INJECTIONS))});
        };
    }

    private JsonNode outside(double min, double max) {
        return switch (random.nextInt(5)) {
            case 0 -> NODES.numberNode(Double.NaN);
            case 1 -> NODES.numberNode(random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
            case 2 -> NODES.numberNode(1e300);
            case 3 -> NODES.numberNode(min - 0.001 - random.nextDouble() * 1_000);
            default -> NODES.numberNode(max + 0.001 + random.nextDouble() * 1_000);
        };
    }

    /** Not a vector of at least 17 fields: cut short, or not an array at all. */
    private String breakShape(ArrayNode v) {
        switch (random.nextInt(3)) {
            case 0 -> {
                int keep = random.nextInt(17);
                while (v.size() > keep) {
                    v.remove(v.size() - 1);
                }
            }
            case 1 -> v.removeAll().add(NODES.objectNode().put("icao24", "abcdef"));
            default -> v.removeAll();
        }
        return "state vector must be";
    }

    private static ArrayNode node(StateVector v, boolean withCategory) {
        ArrayNode a = NODES.arrayNode();
        a.add(v.icao24()).add(v.callsign()).add(v.originCountry()).add(v.timePosition()).add(v.lastContact())
                .add(v.longitude()).add(v.latitude()).add(v.baroAltitude()).add(v.onGround()).add(v.velocity())
                .add(v.trueTrack()).add(v.verticalRate());
        if (v.sensors() == null) {
            a.addNull();
        } else {
            v.sensors().forEach(a.addArray()::add);
        }
        a.add(v.geoAltitude()).add(v.squawk()).add(v.spi()).add(v.positionSource());
        if (withCategory || v.category() != null) {
            a.add(v.category());
        }
        return a;
    }

    private static StateVector withLastContact(StateVector v, long lastContact) {
        return new StateVector(v.icao24(), v.callsign(), v.originCountry(), v.timePosition(), lastContact,
                v.longitude(), v.latitude(), v.baroAltitude(), v.onGround(), v.velocity(), v.trueTrack(),
                v.verticalRate(), v.sensors(), v.geoAltitude(), v.squawk(), v.spi(), v.positionSource(), v.category());
    }

    private double bounded(double min, double max) {
        int edge = random.nextInt(20);
        return edge == 0 ? min : edge == 1 ? max : min + random.nextDouble() * (max - min);
    }

    private <T> T orNull(Supplier<T> value) {
        return random.nextInt(8) == 0 ? null : value.get();
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    static String raw(JsonNode node) {
        try {
            return WIRE.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
