package opensky;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a state vector must satisfy, beyond its JSON types, before it reaches PostgreSQL: the one place
 * for these rules. Bounds are physical or set by what the transponder can encode, never by what is
 * usual, so a rare but real aircraft (a stratospheric balloon, a fast military jet) is still written.
 * Units are OpenSky's: metres, m/s, degrees, epoch seconds.
 */
public final class StateVectorRules {

    /** ICAO 24-bit address as OpenSky writes it (lower case, zero-padded). */
    static final Pattern ICAO24 = Pattern.compile("[0-9a-f]{6}");

    /** Mode A code: four octal digits (0000–7777). */
    static final Pattern SQUAWK = Pattern.compile("[0-7]{4}");

    /**
     * ICAO callsigns are at most 8 characters (OpenSky pads them with spaces to 8). Printable ASCII
     * only: the ADS-B character set is A–Z, 0–9 and space, and a control character (NUL above all,
     * which PostgreSQL's text cannot hold) must never reach the table.
     */
    static final Pattern CALLSIGN = Pattern.compile("[\\x20-\\x7E]{0,8}");

    /**
     * OpenSky names the country as text; the longest official country name is 56 characters. Any
     * letter is fine; control characters are not, nor half a surrogate pair (JSON can escape one, and
     * it is not a character: PostgreSQL would store a '?').
     */
    static final int MAX_COUNTRY_CHARS = 100;
    private static final Pattern NOT_TEXT = Pattern.compile("[\\p{Cc}\\p{Cs}]");

    /**
     * Barometric and geometric altitude. Low end: the lowest airfield is by the Dead Sea at -430 m,
     * and a barometric altitude reads several hundred metres lower still on a day of record high
     * pressure. High end: a Mode S transponder encodes altitudes up to 126,700 ft (38,618 m), which
     * stratospheric balloons with transponders do reach; nothing that reports to OpenSky flies higher.
     */
    static final double MIN_ALTITUDE_M = -1_500;
    static final double MAX_ALTITUDE_M = 40_000;

    /**
     * Ground speed. The fastest air-breathing aircraft (SR-71, about 980 m/s) plus the strongest
     * jet-stream tailwind (about 110 m/s), rounded up. Airliners stay below 350 m/s.
     */
    static final double MAX_VELOCITY_MS = 1_200;

    /**
     * ADS-B encodes the vertical rate in 64 ft/min steps up to ±32,640 ft/min (±165.8 m/s); nothing
     * beyond that can be reported. Airliners stay within ±30 m/s.
     */
    static final double MAX_VERTICAL_RATE_MS = 170;

    /**
     * A time stamp more than a day after the response's own time (or a response more than a day ahead
     * of this machine's clock) is a broken clock or a forged value, not clock skew.
     */
    static final long MAX_FUTURE_SECONDS = 86_400;

    /** 0 ADS-B, 1 ASTERIX, 2 MLAT, 3 FLARM. */
    static final int MAX_POSITION_SOURCE = 3;

    /** OpenSky's aircraft categories: 0 no information ... 20 line obstacle (extended=1 only). */
    static final int MAX_CATEGORY = 20;

    /** Longest excerpt of a refused value quoted in a reason; the raw vector holds all of it. */
    private static final int MAX_QUOTED_CHARS = 80;

    private StateVectorRules() {
    }

    /** The first rule {@code v} breaks, as a reason naming the field and its value; empty when it breaks none. */
    public static Optional<String> violation(StateVector v, long responseTime) {
        String reason = icao24(v.icao24());
        if (reason == null) {
            reason = firstOf(
                    text("callsign", v.callsign(), CALLSIGN, "at most 8 printable ASCII characters"),
                    country(v.originCountry()),
                    time("time_position", v.timePosition(), responseTime),
                    time("last_contact", v.lastContact(), responseTime),
                    range("longitude", v.longitude(), -180, 180),
                    range("latitude", v.latitude(), -90, 90),
                    range("baro_altitude", v.baroAltitude(), MIN_ALTITUDE_M, MAX_ALTITUDE_M),
                    range("velocity", v.velocity(), 0, MAX_VELOCITY_MS),
                    range("true_track", v.trueTrack(), 0, 360),
                    range("vertical_rate", v.verticalRate(), -MAX_VERTICAL_RATE_MS, MAX_VERTICAL_RATE_MS),
                    range("geo_altitude", v.geoAltitude(), MIN_ALTITUDE_M, MAX_ALTITUDE_M),
                    text("squawk", v.squawk(), SQUAWK, "4 octal digits"),
                    range("position_source", v.positionSource(), 0, MAX_POSITION_SOURCE),
                    range("category", v.category(), 0, MAX_CATEGORY));
        }
        return Optional.ofNullable(reason);
    }

    /** Why a response's own time is refused, or null. */
    static String responseTime(long time, long nowEpochSeconds) {
        if (time < 0) {
            return "response 'time' must not be negative, got " + time;
        }
        if (time > nowEpochSeconds + MAX_FUTURE_SECONDS) {
            return "response 'time' " + time + " is more than a day after this machine's clock (" + nowEpochSeconds + ")";
        }
        return null;
    }

    /** A string value quoted for a reason: JSON-escaped, and cut short when long. */
    static String quote(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        int shown = Math.min(value.length(), MAX_QUOTED_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').append(cut(value.length(), shown)).toString();
    }

    /** JSON text (already escaped) for a reason, cut short when long. */
    static String abbreviate(String json) {
        int shown = Math.min(json.length(), MAX_QUOTED_CHARS);
        return json.substring(0, shown) + cut(json.length(), shown);
    }

    private static String cut(int length, int shown) {
        return length > shown ? "... (" + length + " characters)" : "";
    }

    private static String icao24(String icao24) {
        if (icao24 == null || !ICAO24.matcher(icao24).matches()) {
            return "icao24 must be 6 lower-case hex digits, got " + (icao24 == null ? "null" : quote(icao24));
        }
        return null;
    }

    private static String text(String field, String value, Pattern rule, String expected) {
        if (value != null && !rule.matcher(value).matches()) {
            return field + " must be " + expected + ", got " + quote(value);
        }
        return null;
    }

    private static String country(String value) {
        if (value != null && (value.length() > MAX_COUNTRY_CHARS || NOT_TEXT.matcher(value).find())) {
            return "origin_country must be at most " + MAX_COUNTRY_CHARS + " characters of text, got "
                    + quote(value);
        }
        return null;
    }

    private static String time(String field, Long value, long responseTime) {
        if (value == null) {
            return null;
        }
        if (value < 0) {
            return field + " must not be negative, got " + value;
        }
        if (value > responseTime + MAX_FUTURE_SECONDS) {
            return field + " must be at most a day after the response's time " + responseTime + ", got " + value;
        }
        return null;
    }

    private static String range(String field, Double value, double min, double max) {
        if (value == null) {
            return null;
        }
        if (!Double.isFinite(value)) {
            return field + " must be a finite number, got " + value;
        }
        if (value < min || value > max) {
            return field + " must be within [" + plain(min) + ", " + plain(max) + "], got " + value;
        }
        return null;
    }

    private static String range(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            return field + " must be within [" + min + ", " + max + "], got " + value;
        }
        return null;
    }

    /** Bounds as written in the rules above: -1500, not -1500.0. */
    private static String plain(double bound) {
        return bound == Math.rint(bound) ? String.valueOf((long) bound) : String.valueOf(bound);
    }

    private static String firstOf(String... reasons) {
        for (String reason : reasons) {
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }
}
