package verify;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import warehouse.ColumnType;

/**
 * Brings a column value, as a database's driver hands it back, into one Java form, so that equal data
 * compares equal whichever database it came from: the drivers hand back different classes for the same
 * value (an int2 is a Short in pgjdbc, an Integer in DuckDB's driver and a Long or BigDecimal in
 * Snowflake's; a timestamptz a Timestamp or an OffsetDateTime; an array a PgArray or a DuckDBArray). The
 * column's source type decides the form; {@link TableReading} decides how each database's value is asked
 * for.
 *
 * <p>Forms: whole numbers as Long, float8 as Double, float4 as the Double of its Float (PostgreSQL's
 * driver would otherwise round-trip float4 through decimal text), numeric as the BigDecimal of its text
 * with its scale (1.50 is not 1.5) or the text {@code NaN}, {@code Infinity}, {@code -Infinity}; timestamptz
 * as an Instant and timestamp as a LocalDateTime at microsecond precision, date as LocalDate, each of them
 * {@link Infinite} for {@code infinity} (the drivers' stand-ins for it differ); time and time with time
 * zone as {@link TimeOfDay}, interval as
 * {@link IntervalValue}, bytea as its bytes, text and json as String, arrays as a List of those forms.
 * SQL NULL is null and stays distinct from an empty array.
 */
final class ValueNormaliser {

    private ValueNormaliser() {
    }

    static Object normalise(Object value, ColumnType type) {
        if (value == null) {
            return null;
        }
        Infinite infinite = value instanceof String text ? Infinite.of(text) : Infinite.standingIn(value);
        if (infinite != null && (type == ColumnType.DATE || type == ColumnType.TIMESTAMP || type == ColumnType.TIMESTAMPTZ)) {
            return infinite;
        }
        return switch (type) {
            case TEXT, JSON -> value.toString();
            case BOOLEAN -> (Boolean) value;
            case SMALLINT, INTEGER, BIGINT -> ((Number) value).longValue();
            case REAL -> (double) ((Number) value).floatValue();
            case DOUBLE -> ((Number) value).doubleValue();
            case NUMERIC -> numeric(value);
            case DATE -> value instanceof String text ? date(text) : value instanceof java.sql.Date d ? d.toLocalDate() : value;
            case TIMESTAMP -> (value instanceof Timestamp t ? t.toLocalDateTime() : (LocalDateTime) value)
                    .truncatedTo(ChronoUnit.MICROS);
            case TIMESTAMPTZ -> instant(value).truncatedTo(ChronoUnit.MICROS);
            case TIME, TIMETZ -> TimeOfDay.parse(value.toString());
            case INTERVAL -> IntervalValue.parse(value.toString());
            case BYTEA -> value;
        };
    }

    /** A numeric's text: its digits and scale exactly, or the name of a special value. */
    private static Object numeric(Object value) {
        String text = value instanceof BigDecimal d ? d.toPlainString() : value.toString();
        return switch (text) {
            case "NaN", "Infinity", "-Infinity" -> text;
            default -> new BigDecimal(text);
        };
    }

    /**
     * A date as both databases print it: {@code 2024-02-29}, a year after 9999 in full, and a date before the
     * year 1 with PostgreSQL's {@code BC} or DuckDB's {@code (BC)} after it (1 BC is the proleptic year 0).
     */
    private static LocalDate date(String text) {
        boolean bc = text.endsWith("BC") || text.endsWith("(BC)");
        String[] parts = (bc ? text.substring(0, text.indexOf(' ')) : text).split("-");
        int year = Integer.parseInt(parts[0]);
        return LocalDate.of(bc ? 1 - year : year, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    }

    private static Instant instant(Object value) {
        if (value instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        return (Instant) value;
    }
}
