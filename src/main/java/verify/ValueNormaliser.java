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
 * driver would otherwise round-trip float4 through decimal text), numeric as BigDecimal without
 * trailing zeros (DuckDB stores DECIMAL(38,9): 1.5 comes back as 1.500000000), timestamptz as an
 * Instant and timestamp as a LocalDateTime at microsecond precision, date as LocalDate, text and
 * json as String, arrays as a List of those forms. SQL NULL is null and stays distinct from an
 * empty array.
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
            case TIMESTAMPTZ -> rs.getObject(index, OffsetDateTime.class);
            case TIMESTAMP -> rs.getObject(index, LocalDateTime.class);
            case DATE -> rs.getObject(index, LocalDate.class);
            default -> rs.getObject(index);
        };
        return normalise(value, column.type());
    }

    static Object normalise(Object value, ColumnType type) {
        if (value == null) {
            return null;
        }
        return switch (type) {
            case TEXT, JSON -> value.toString();
            case BOOLEAN -> (Boolean) value;
            case SMALLINT, INTEGER, BIGINT -> ((Number) value).longValue();
            case REAL -> (double) ((Number) value).floatValue();
            case DOUBLE -> ((Number) value).doubleValue();
            // PostgreSQL's numeric NaN arrives as a Double; it is compared as it is.
            case NUMERIC -> value instanceof BigDecimal d ? d.stripTrailingZeros() : value;
            case DATE -> value instanceof java.sql.Date d ? d.toLocalDate() : value;
            case TIMESTAMP -> (value instanceof Timestamp t ? t.toLocalDateTime() : (LocalDateTime) value)
                    .truncatedTo(ChronoUnit.MICROS);
            case TIMESTAMPTZ -> instant(value).truncatedTo(ChronoUnit.MICROS);
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
