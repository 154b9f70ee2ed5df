package e2e;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Query results with values normalised across PostgreSQL and DuckDB (instants, lists, longs, doubles), to compare. */
final class TableRows {

    private TableRows() {
    }

    static List<List<Object>> read(Connection connection, String sql) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(normalise(rs.getObject(i)));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static Object normalise(Object value) throws Exception {
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (value instanceof Array a) {
            List<Object> items = new ArrayList<>();
            for (Object item : (Object[]) a.getArray()) {
                items.add(normalise(item));
            }
            return items;
        }
        if (value instanceof Short || value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float || value instanceof Double) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof Object[] items) {
            return Arrays.asList(items);
        }
        return value;
    }
}
