package source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves what earlier versions of flight-cdc kept in {@code public} into the pipeline's own schema, once: the
 * heartbeat table (public.flightcdc_heartbeat) and Flyway's history (public.flyway_schema_history, which a
 * database's own Flyway also uses). The heartbeat table is moved, not made anew, so the publication that
 * holds it goes on holding it. The history is dropped only when it holds flight-cdc's migrations and nothing
 * else; the new histories are made from what exists (see SourceDatabase#migrate).
 */
final class LegacyLayout {

    private static final Logger LOG = LoggerFactory.getLogger(LegacyLayout.class);

    /** The migrations earlier versions recorded in public.flyway_schema_history. */
    private static final List<String> OWN_SCRIPTS = List.of("V1__flight_state.sql", "V2__heartbeat.sql");
    private static final String LEGACY_HEARTBEAT = "public.flightcdc_heartbeat";
    private static final String LEGACY_HISTORY = "public.flyway_schema_history";

    private LegacyLayout() {
    }

    static void adopt(DataSource dataSource, String schema) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            // Only what this user made, and so owns: a history it may not even read is a database's own.
            boolean heartbeat = owned(c, LEGACY_HEARTBEAT) && !exists(c, schema + ".heartbeat");
            boolean history = owned(c, LEGACY_HISTORY) && holdsOnlyOwnMigrations(c);
            if (!heartbeat && !history) {
                return;
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                List<String> moved = new ArrayList<>();
                s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                if (heartbeat) {
                    s.execute("ALTER TABLE " + LEGACY_HEARTBEAT + " SET SCHEMA " + schema);
                    s.execute("ALTER TABLE " + schema + ".flightcdc_heartbeat RENAME TO heartbeat");
                    moved.add(LEGACY_HEARTBEAT + " is now " + schema + ".heartbeat");
                }
                if (history) {
                    s.execute("DROP TABLE " + LEGACY_HISTORY);
                    moved.add(LEGACY_HISTORY + ", which held only flight-cdc's migrations, is dropped for the histories in " + schema);
                }
                c.commit();
                LOG.info("Moved flight-cdc's own objects out of public: {}", String.join("; ", moved));
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static boolean owned(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static boolean holdsOnlyOwnMigrations(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT script FROM " + LEGACY_HISTORY + " WHERE version IS NOT NULL")) {
            List<String> scripts = new ArrayList<>();
            while (rs.next()) {
                scripts.add(rs.getString(1));
            }
            boolean own = !scripts.isEmpty() && OWN_SCRIPTS.containsAll(scripts);
            if (!own && scripts.stream().anyMatch(OWN_SCRIPTS::contains)) {
                LOG.warn("{} holds flight-cdc's migrations {} beside others: it is left as it is. flight-cdc keeps its"
                        + " own history in its own schema now; delete its rows from yours when you like", LEGACY_HISTORY,
                        scripts.stream().filter(OWN_SCRIPTS::contains).toList());
            }
            return own;
        }
    }
}
