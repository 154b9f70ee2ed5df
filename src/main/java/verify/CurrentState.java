package verify;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import warehouse.Dialect;

/**
 * The table or view of a warehouse that holds one captured table's current state.
 *
 * @param kind "table" or "view", as messages name it
 */
public record CurrentState(String kind, TableComparison.Location location) {

    /** Its own name, as the warehouse's catalog holds it. */
    public String name() {
        List<String> parts = location.name();
        return parts.get(parts.size() - 1);
    }

    /**
     * Whether the warehouse's catalog lists it: it is missing when the table was never loaded, and in
     * Snowflake also when the session's role may not read it.
     */
    public boolean exists() throws SQLException {
        List<String> parts = location.name();
        String catalog = parts.size() > 2 ? parts.get(parts.size() - 3) : null;
        String schema = parts.size() > 1 ? parts.get(parts.size() - 2) : null;
        // The schema and name are LIKE patterns here ('_' matches any character), hence the exact comparison.
        try (ResultSet objects = location.connection().getMetaData().getTables(catalog, schema, name(), null)) {
            while (objects.next()) {
                if (name().equals(objects.getString("TABLE_NAME"))
                        && (schema == null || schema.equals(objects.getString("TABLE_SCHEM")))
                        && (catalog == null || catalog.equals(objects.getString("TABLE_CAT")))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The name a catalog holds for {@code identifier} as {@code dialect} writes it: what it puts between the quotes. */
    static String catalogName(Dialect dialect, String identifier) {
        String quoted = dialect.quote(identifier);
        return quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"");
    }
}
