package source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import settings.StartupException;

/**
 * Before the source's migrations run: whether the source user may make what they make, so that a user of least
 * privilege is told which grant is missing rather than given Flyway's "permission denied". sql/roles/source-role.sql
 * sets up a user that passes.
 */
final class SchemaPrivileges {

    private static final String SCHEMA = """
            SELECT current_user, quote_ident(current_user), current_database(),
                   has_database_privilege(current_database(), 'CREATE'),
                   n.oid IS NOT NULL,
                   n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE') AND has_schema_privilege(n.oid, 'CREATE')
            FROM (SELECT 1) one LEFT JOIN pg_namespace n ON n.nspname = ?
            """;

    private static final String POLL_TABLES_MISSING = """
            SELECT to_regclass('public.flight_state') IS NULL OR to_regclass('public.rejected_state') IS NULL,
                   has_schema_privilege('public', 'CREATE')
            """;

    private SchemaPrivileges() {
    }

    static void check(DataSource dataSource, String schema, boolean pollTables) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SCHEMA)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String user = rs.getString(1);
                String quotedUser = rs.getString(2);
                boolean createInDatabase = rs.getBoolean(4);
                boolean schemaExists = rs.getBoolean(5);
                if (!schemaExists && !createInDatabase) {
                    throw new StartupException("Role " + user + " may not create the pipeline's schema " + schema
                            + " in database " + rs.getString(3) + ". Fix, as a superuser: CREATE SCHEMA " + schema
                            + " AUTHORIZATION " + quotedUser + "; (sql/roles/source-role.sql does it)");
                }
                if (schemaExists && !rs.getBoolean(6)) {
                    throw new StartupException("Role " + user + " may not make tables in the pipeline's schema " + schema
                            + ". Fix, as a superuser: ALTER SCHEMA " + schema + " OWNER TO " + quotedUser + ";");
                }
                if (pollTables) {
                    checkPollTables(c, user, quotedUser);
                }
            }
        }
    }

    private static void checkPollTables(Connection c, String user, String quotedUser) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(POLL_TABLES_MISSING); ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getBoolean(1) && !rs.getBoolean(2)) {
                throw new StartupException("Role " + user + " may not create the poll's tables public.flight_state and"
                        + " public.rejected_state. Fix, as a superuser: GRANT CREATE ON SCHEMA public TO " + quotedUser
                        + "; or turn the poll off (flightcdc.opensky.poll-enabled=false) and capture tables of your own"
                        + " (flightcdc.source.tables)");
            }
        }
    }
}
