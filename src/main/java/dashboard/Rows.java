package dashboard;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;

/** Nullable values of a result row, read the same way from every warehouse's driver. */
final class Rows {

    private Rows() {
    }

    static Double number(ResultSet rs, int column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : value;
    }

    static Boolean bool(ResultSet rs, int column) throws SQLException {
        boolean value = rs.getBoolean(column);
        return rs.wasNull() ? null : value;
    }

    /** Text without the padding OpenSky gives callsigns; null when blank. */
    static String text(ResultSet rs, int column) throws SQLException {
        String value = rs.getString(column);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** A timestamp as epoch milliseconds, or null. */
    static Long millis(ResultSet rs, int column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.getTime();
    }
}
