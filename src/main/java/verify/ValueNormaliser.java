package verify;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import warehouse.Column;
import warehouse.ColumnType;

/**
 * Reads a column value from PostgreSQL or DuckDB into one Java form, so that equal data compares
 * equal whichever database it came from: the two drivers hand back different classes for the same
 * value (an int2 is a Short in one and an Integer in the other, a timestamptz a Timestamp or an
 * OffsetDateTime, an array a PgArray or a DuckDBArray). The column's source type decides the form.
 *
 * <p>Forms: whole numbers as Long, float8 as Double, float4 as the Double of its Float (PostgreSQL's
 * driver would otherwise round-trip float4 through decimal text), numeric as the BigDecimal of its text
 * with its scale (1.50 is not 1.5) or the text {@code NaN}, {@code Infinity}, {@code -Infinity}; timestamptz
 * as an Instant and timestamp as a LocalDateTime at microsecond precision, date as LocalDate, each of them
 * {@link Infinite} for {@code infinity}; time and time with time zone as {@link TimeOfDay}, interval as
 * {@link IntervalValue}, bytea as its bytes, text and json as String, arrays as a List of those forms.
 * SQL NULL is null and stays distinct from an empty array.
 *
 * <p>Numeric, time, time with time zone and interval are read as the text each database prints, which is
 * exact where the drivers' objects are not (pgjdbc's Time drops the offset and a 24:00:00, its PGInterval
 * fails on large hours, DuckDB's LocalTime fails on 24:00:00) and is the same notation in both.
 */
final class ValueNormaliser {

    private ValueNormaliser() {
    }

    static Object read(ResultSet rs, int index, Column column) throws SQLException {
        if (column.array()) {
            Array array = rs.getArray(index);
            if (array == null) {
                return null;
            }
            List<Object> items = new ArrayList<>();
            for (Object item : (Object[]) array.getArray()) {
                items.add(normalise(item, column.type()));
            }
            return items;
        }
        // Ask for java.time classes where the drivers' default (java.sql.Timestamp, java.sql.Date)
        // would pass through the JVM's time zone.
        Object value = switch (column.type()) {
            case TIMESTAMPTZ -> finiteOr(rs, index, OffsetDateTime.class);
            case TIMESTAMP -> finiteOr(rs, index, LocalDateTime.class);
            case DATE -> finiteOr(rs, index, LocalDate.class);
            case NUMERIC, TIME, TIMETZ, INTERVAL -> rs.getString(index);
            case BYTEA -> rs.getBytes(index);
            default -> rs.getObject(index);
        };
        return normalise(value, column.type());
    }

    /** The value as {@code type}, or {@link Infinite} when the database prints it as infinity. */
    private static Object finiteOr(ResultSet rs, int index, Class<?> type) throws SQLException {
        Infinite infinite = Infinite.of(rs.getString(index));
        return infinite != null ? infinite : rs.getObject(index, type);
    }

    static Object normalise(Object value, ColumnType type) {
        if (value == null || value instanceof Infinite) {
            return value;
        }
        return switch (type) {
            case TEXT, JSON -> value.toString();
            case BOOLEAN -> (Boolean) value;
            case SMALLINT, INTEGER, BIGINT -> ((Number) value).longValue();
            case REAL -> (double) ((Number) value).floatValue();
            case DOUBLE -> ((Number) value).doubleValue();
            case NUMERIC -> numeric(value);
            case DATE -> value instanceof java.sql.Date d ? d.toLocalDate() : value;
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
