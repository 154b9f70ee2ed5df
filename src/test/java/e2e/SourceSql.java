package e2e;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;

/** Statements on a source connection, as the tests that write the source share them. */
final class SourceSql {

    /** Work that returns a number, such as the changes it made. */
    @FunctionalInterface
    interface Work {
        long run() throws Exception;
    }

    private SourceSql() {
    }

    /** Runs {@code work} in one transaction of {@code c}, rolled back if it fails; returns what it returns. */
    static long inTransaction(Connection c, Work work) throws Exception {
        c.setAutoCommit(false);
        try {
            long result = work.run();
            c.commit();
            return result;
        } catch (Exception e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** The rows a statement inserted, updated or deleted. */
    static long update(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The single number a query returns. */
    static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** COPY … FROM STDIN through the JDBC driver's CopyManager: returns the rows copied. */
    static long copyIn(Connection c, String copy, String rows) throws Exception {
        return c.unwrap(PGConnection.class).getCopyAPI().copyIn(copy, new StringReader(rows));
    }
}
