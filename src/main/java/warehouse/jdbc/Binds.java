package warehouse.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import warehouse.MetadataColumn;

/**
 * Binds values that may be null with their column's type: Snowflake binds a JDBC batch column by
 * column, as one array whose values must all have the same type, and an untyped NULL has none.
 */
final class Binds {

    private Binds() {
    }

    /** {@code value} as the Java type of {@code type} (see MetadataColumn.Type), or null. */
    static void set(PreparedStatement ps, int index, MetadataColumn.Type type, Object value) throws SQLException {
        switch (type) {
            case TEXT -> setString(ps, index, (String) value);
            case BIGINT -> setLong(ps, index, (Long) value);
            case INTEGER -> setInt(ps, index, (Integer) value);
            default -> throw new IllegalArgumentException("Cannot bind a " + type + " value");
        }
    }

    static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    static void setString(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }
}
