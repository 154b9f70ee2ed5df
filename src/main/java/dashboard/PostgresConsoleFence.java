package dashboard;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.core.Parser;
import org.postgresql.jdbc.PreferQueryMode;

/**
 * PostgreSQL's fence, on a session of the warehouse user:
 * <ul>
 * <li>the user: a read-only transaction does not keep a superuser, or a member of pg_read_server_files,
 * pg_write_server_files or pg_execute_server_program, from reading the server's files ({@code pg_read_file}) or
 * running programs on it ({@code COPY ... TO PROGRAM}), so the console runs nothing as one;</li>
 * <li>the parser: one statement, counted as pgjdbc splits the text (it sends each statement on its own, and PostgreSQL
 * refuses a second command within one), which PostgreSQL parses as the subquery of a SELECT, where only a query
 * (SELECT, WITH, VALUES, TABLE) parses: it is described there, not run, so that a write, a COPY, a SET or a COMMIT is
 * refused before anything runs;</li>
 * <li>the transaction: the query runs in {@code BEGIN READ ONLY}, in which PostgreSQL itself refuses to write ("cannot
 * execute nextval() in a read-only transaction"), and is rolled back, which also undoes whatever it set. Its
 * statement_timeout is a little over the console's timeout, whose cancel from the client normally comes first: the
 * server's stops a query whose cancel got lost;</li>
 * <li>what outlives a transaction: the session-level advisory locks a SELECT may take ({@code pg_advisory_lock}) are
 * released after it, so that none stays held in the pool, where one could keep the loaders from their DDL lock.</li>
 * </ul>
 * What the user may do by reading stays open: signalling its own sessions ({@code pg_terminate_backend}, the loader's
 * included), and the functions of extensions the database has (dblink's write elsewhere).
 */
final class PostgresConsoleFence implements ConsoleFence {

    static final String READS_ONLY = "The console only reads: it runs one query (SELECT, WITH, VALUES or TABLE) and"
            + " refuses anything else";

    private static final String SYNTAX_ERROR = "42601";
    private static final String FEATURE_NOT_SUPPORTED = "0A000";

    /** How long after the console's own cancel the server stops a query by itself. */
    private static final Duration SERVER_MARGIN = Duration.ofSeconds(1);

    private final Duration statementTimeout;

    /** @param queryTimeout the console's (flightcdc.http.query-timeout-ms) */
    PostgresConsoleFence(Duration queryTimeout) {
        this.statementTimeout = queryTimeout.plus(SERVER_MARGIN);
    }

    @Override
    public Optional<String> unavailable() {
        return Optional.empty();
    }

    /**
     * @throws SQLException for a statement PostgreSQL cannot parse or describe, with its message: nothing is run
     */
    @Override
    public Optional<String> refusal(Connection connection, String sql) throws SQLException {
        PGConnection postgres = connection.unwrap(PGConnection.class);
        if (mayReachTheServer(connection)) {
            return Optional.of("The console runs nothing as " + connection.getMetaData().getUserName() + ", who may read"
                    + " the warehouse server's files or run programs on it (a superuser, or a member of"
                    + " pg_read_server_files, pg_write_server_files or pg_execute_server_program), which a read-only"
                    + " transaction does not stop. Load the warehouse as a user without them: it needs only CREATE on"
                    + " its schema (flightcdc.warehouse.postgres-user)");
        }
        if (postgres.getPreferQueryMode() == PreferQueryMode.SIMPLE) {
            // The simple protocol sends the text whole, and PostgreSQL runs every command in it; pgjdbc would even run
            // what it is asked only to describe.
            return Optional.of("The console needs pgjdbc's extended query protocol, which counts one statement as"
                    + " PostgreSQL does: remove preferQueryMode=simple from flightcdc.warehouse.postgres-url");
        }
        boolean standardStrings = "on".equals(postgres.getParameterStatus("standard_conforming_strings"));
        int statements = Parser.parseJdbcSql(sql, standardStrings, false, true, false, false).size();
        if (statements != 1) {
            return Optional.of(statements == 0 ? "There is no query to run" : "The console runs one query at a time;"
                    + " this holds " + statements);
        }
        // First as written, so that a mistake fails with PostgreSQL's message about the text as its author sees it.
        describe(connection, sql);
        // A trailing semicolon or comment, once inside the parentheses, would end or hide them.
        String query = sql.strip().replaceAll("[;\\s]+$", "");
        try {
            describe(connection, "SELECT * FROM (\n" + query + "\n) AS console_query");
            return Optional.empty();
        } catch (SQLException e) {
            // A statement that is no query is a syntax error there; a query that writes (WITH ... DELETE) is refused.
            if (SYNTAX_ERROR.equals(e.getSQLState()) || FEATURE_NOT_SUPPORTED.equals(e.getSQLState())) {
                return Optional.of(READS_ONLY);
            }
            throw e;
        }
    }

    @Override
    public void begin(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("BEGIN READ ONLY");
            s.execute("SET LOCAL statement_timeout = " + statementTimeout.toMillis());
        }
    }

    @Override
    public void end(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("ROLLBACK");
            s.execute("SELECT pg_advisory_unlock_all()");
        }
    }

    private static boolean mayReachTheServer(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_has_role('pg_read_server_files', 'MEMBER')"
                     + " OR pg_has_role('pg_write_server_files', 'MEMBER')"
                     + " OR pg_has_role('pg_execute_server_program', 'MEMBER')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * Has PostgreSQL parse {@code sql} and say what it would return, running nothing (pgjdbc's describe-only
     * statement). pgjdbc takes a {@code ?} of a prepared statement for a parameter and {@code ??} for the character,
     * and the console runs the text as a plain statement, where it is the character (jsonb's {@code ?} operator): so
     * the text described is the text run.
     */
    private static void describe(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.replace("?", "??"))) {
            statement.getMetaData();
        }
    }
}
