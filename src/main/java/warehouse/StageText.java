package warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A column's value as Debezium's JSON gives it, rendered as the exact text the staging table holds and
 * each dialect's cast reads (see the capture route for the Debezium settings this reads). Where
 * Debezium's form is not one a warehouse can cast, it is rewritten here, once for every dialect:
 *
 * <ul>
 *   <li>numeric: Debezium's names for the special values ({@code NAN}, {@code POSITIVE_INFINITY},
 *       {@code NEGATIVE_INFINITY}) become PostgreSQL's ({@code NaN}, {@code Infinity}, {@code -Infinity});
 *   <li>date and timestamp: days and microseconds since 1970 stay numbers, but the numbers Debezium
 *       sends for {@code infinity} and {@code -infinity} become those words; a timestamp past
 *       294247-01-10, whose microseconds overflowed in Debezium and came out negative, is refused;
 *   <li>timestamp with time zone: the {@code +} ISO-8601 puts before a year after 9999 is dropped;
 *   <li>time: microseconds since midnight become {@code HH:MM:SS.ffffff} ({@code 24:00:00} included);
 *   <li>interval: Debezium's ISO-8601 text ({@code P1Y2M-3DT4H5M6.789S}) becomes months, days and
 *       microseconds, the three numbers PostgreSQL keeps, so that a month is never taken for 30 days;
 *   <li>time with time zone is refused: Debezium sends it shifted to UTC without the offset it had.
 * </ul>
 *
 * Everything else is the JSON value's text: strings as they are, numbers and booleans in JSON notation,
 * arrays as JSON.
 */
public final class StageText {

    /**
     * Debezium's numbers for PostgreSQL's infinite dates (its POSITIVE_INFINITY_LOCAL_DATE, -5877611-06-21,
     * and NEGATIVE_INFINITY_LOCAL_DATE, -5877611-06-22, in days since 1970): both before 4713 BC, the
     * first date PostgreSQL has, so no real date is mistaken for them.
     */
    static final long DATE_INFINITY = -2147472692L;
    static final long DATE_MINUS_INFINITY = -2147472691L;

    /**
     * Debezium's numbers for PostgreSQL's infinite timestamps, in microseconds since 1970. The second is
     * before 4713 BC; the first is also the real timestamp 294247-01-10 04:00:25.2, which is therefore
     * carried as infinity (docs/type-mapping.md names it).
     */
    static final long TIMESTAMP_INFINITY = 9223372036825200000L;
    static final long TIMESTAMP_MINUS_INFINITY = -9223372036832400000L;

    /** 4714-11-24 00:00:00 BC, PostgreSQL's first timestamp, in microseconds since 1970. */
    static final long TIMESTAMP_FIRST = -210866803200000000L;

    private static final long MICROS_PER_SECOND = 1_000_000L;

    /** Interval.toIsoString's fixed shape: every part present, each with its own sign. */
    private static final Pattern ISO_INTERVAL = Pattern.compile(
            "P(-?\\d+)Y(-?\\d+)M(-?\\d+)DT(-?\\d+)H(-?\\d+)M(-?[0-9.]+)S");

    /** Element types whose arrays Debezium sends in a form the warehouses cannot cast element by element. */
    private static final Set<ColumnType> ELEMENTS_NOT_CARRIED = EnumSet.of(ColumnType.DATE, ColumnType.TIME,
            ColumnType.TIMETZ, ColumnType.TIMESTAMP, ColumnType.INTERVAL, ColumnType.BYTEA);

    private StageText() {
    }

    /**
     * Why no value of {@code column} is ever carried, whatever it holds: time with time zone, and the arrays Debezium
     * sends in a form no warehouse reads exactly. Empty for a column whose values are carried.
     */
    public static Optional<String> neverCarried(Column column) {
        if (column.array() && ELEMENTS_NOT_CARRIED.contains(column.type())) {
            return Optional.of("arrays of " + column.type().name().toLowerCase(Locale.ROOT) + " are not carried");
        }
        if (!column.array() && column.type() == ColumnType.TIMETZ) {
            return Optional.of("time with time zone is not carried (docs/type-mapping.md)");
        }
        return Optional.empty();
    }

    /**
     * @param value the column's value in the change; null or JSON null is SQL NULL
     * @throws RefusedValueException for a value no warehouse column can hold exactly
     */
    public static String of(JsonNode value, Column column) throws RefusedValueException {
        if (value == null || value.isNull()) {
            return null;
        }
        if (column.array()) {
            if (ELEMENTS_NOT_CARRIED.contains(column.type())) {
                throw RefusedValueException.column(column, "arrays of " + column.type().name().toLowerCase(Locale.ROOT)
                        + " are not carried: Debezium sends their elements in a form the warehouse does not read exactly");
            }
            return JsonText.of(value);
        }
        return switch (column.type()) {
            case NUMERIC -> numeric(value);
            case DATE -> infinite(value, DATE_INFINITY, DATE_MINUS_INFINITY);
            case TIMESTAMP -> timestamp(value, column);
            // ISO-8601 signs a year after 9999 (+12345-06-07T...), which neither warehouse's parser takes.
            case TIMESTAMPTZ -> JsonText.of(value).startsWith("+") ? JsonText.of(value).substring(1) : JsonText.of(value);
            case TIME -> time(value);
            case INTERVAL -> interval(value, column);
            case TIMETZ -> throw RefusedValueException.column(column, "time with time zone arrives from Debezium as "
                    + JsonText.of(value) + ", shifted to UTC without the offset it had in PostgreSQL, so it cannot be"
                    + " carried exactly; store it as timestamptz, or as a time and an offset");
            default -> JsonText.of(value);
        };
    }

    private static String numeric(JsonNode value) {
        String text = JsonText.of(value);
        return switch (text) {
            case "NAN" -> "NaN";
            case "POSITIVE_INFINITY" -> "Infinity";
            case "NEGATIVE_INFINITY" -> "-Infinity";
            default -> text;
        };
    }

    private static String infinite(JsonNode value, long infinity, long minusInfinity) {
        if (value.canConvertToExactIntegral() && value.canConvertToLong()) {
            long number = value.longValue();
            if (number == infinity) {
                return "infinity";
            }
            if (number == minusInfinity) {
                return "-infinity";
            }
        }
        return JsonText.of(value);
    }

    private static String timestamp(JsonNode value, Column column) throws RefusedValueException {
        String text = infinite(value, TIMESTAMP_INFINITY, TIMESTAMP_MINUS_INFINITY);
        if (value.canConvertToExactIntegral() && value.canConvertToLong() && !text.endsWith("infinity")
                && value.longValue() < TIMESTAMP_FIRST) {
            throw RefusedValueException.column(column, "timestamp arrives from Debezium as " + text + " microseconds since"
                    + " 1970, before any timestamp PostgreSQL has: a timestamp after 294247-01-10 04:00:54.775807 overflows"
                    + " Debezium's microseconds, so its value is lost");
        }
        return text;
    }

    private static String time(JsonNode value) {
        if (!value.canConvertToExactIntegral() || !value.canConvertToLong()) {
            return JsonText.of(value);
        }
        long micros = value.longValue();
        long seconds = Math.floorDiv(micros, MICROS_PER_SECOND);
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%06d", seconds / 3600, seconds / 60 % 60, seconds % 60,
                Math.floorMod(micros, MICROS_PER_SECOND));
    }

    private static String interval(JsonNode value, Column column) throws RefusedValueException {
        String text = JsonText.of(value);
        Matcher iso = ISO_INTERVAL.matcher(text);
        if (!iso.matches()) {
            return text; // not Debezium's shape: the cast refuses it, and the change is set aside with the reason
        }
        try {
            long months = Math.addExact(Math.multiplyExact(Long.parseLong(iso.group(1)), 12), Long.parseLong(iso.group(2)));
            long days = Long.parseLong(iso.group(3));
            long micros = Math.addExact(Math.multiplyExact(Long.parseLong(iso.group(4)), 3600 * MICROS_PER_SECOND),
                    Math.addExact(Math.multiplyExact(Long.parseLong(iso.group(5)), 60 * MICROS_PER_SECOND),
                            new BigDecimal(iso.group(6)).movePointRight(6).longValueExact()));
            return months + " months " + days + " days " + micros + " microseconds";
        } catch (ArithmeticException | NumberFormatException e) {
            throw RefusedValueException.column(column, "interval " + text + " does not fit months, days and microseconds");
        }
    }
}
