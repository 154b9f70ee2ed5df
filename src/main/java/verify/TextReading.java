package verify;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import warehouse.Column;

/**
 * How PostgreSQL (the source) and DuckDB (the embedded warehouse) are read. Numeric, date, time, time with
 * time zone and interval are selected as text ({@link #readsText}), which is exact where the drivers'
 * objects are not (pgjdbc's Time drops the offset and a 24:00:00, its PGInterval fails on large hours,
 * DuckDB's driver fails on a time of 24:00:00 and drops the era of a date BC) and is the same notation in
 * both; arrays come as the drivers' arrays, whatever else as the drivers' objects.
 */
final class TextReading implements TableReading {

    static final TextReading INSTANCE = new TextReading();

    private TextReading() {
    }

    /** Both read standard SQL's quoted identifiers, case kept, as DuckDbDialect writes them. */
    @Override
    public String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public String column(Column column) {
        String name = quote(column.name());
        return readsText(column) ? "CAST(" + name + " AS VARCHAR)" : name;
    }

    @Override
    public Object read(ResultSet rs, int index, Column column) throws SQLException {
        if (column.array()) {
            Array array = rs.getArray(index);
            if (array == null) {
                return null;
            }
            List<Object> items = new ArrayList<>();
            for (Object item : (Object[]) array.getArray()) {
                items.add(ValueNormaliser.normalise(item, column.type()));
            }
            return items;
        }
        // Ask for java.time classes where the drivers' default (java.sql.Timestamp, java.sql.Date)
        // would pass through the JVM's time zone.
        Object value = switch (column.type()) {
            case TIMESTAMPTZ -> rs.getObject(index, OffsetDateTime.class);
            case TIMESTAMP -> rs.getObject(index, LocalDateTime.class);
            case NUMERIC, DATE, TIME, TIMETZ, INTERVAL -> rs.getString(index);
            case BYTEA -> rs.getBytes(index);
            default -> rs.getObject(index);
        };
        return ValueNormaliser.normalise(value, column.type());
    }

    /** Whether a column is read as the text its database prints: see the class comment. */
    private static boolean readsText(Column column) {
        return !column.array() && switch (column.type()) {
            case NUMERIC, DATE, TIME, TIMETZ, INTERVAL -> true;
            default -> false;
        };
    }
}
