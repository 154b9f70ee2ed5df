package dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * DuckDB's fence, three walls deep:
 * <ul>
 * <li>the parser first: {@code json_serialize_sql} serialises SELECT statements only (WITH, DESCRIBE, SHOW, SUMMARIZE,
 * VALUES and FROM-first queries are SELECTs to it) and answers with an error for anything else, a DROP after a SELECT
 * included, so that a write, a COPY, an ATTACH, a PRAGMA or a SET is refused before it runs; so is a second SELECT, the
 * console running one query at a time;</li>
 * <li>the transaction: the query runs in {@code BEGIN TRANSACTION READ ONLY}, in which DuckDB itself refuses to write
 * ("transaction is launched in read-only mode"), and is rolled back;</li>
 * <li>no files: {@code enable_external_access} is turned off, so that a SELECT cannot read the machine's files
 * ({@code read_csv('/etc/passwd')}), attach another database or load an extension. The setting belongs to the whole
 * database, the loader's connection included (which reads no files), and DuckDB cannot turn it on again while the
 * database is open: it is set before every query, so that it holds on a database the loader had to open anew.</li>
 * </ul>
 */
final class DuckDbConsoleFence implements ConsoleFence {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Optional<String> unavailable() {
        return Optional.empty();
    }

    /**
     * @throws SQLException for a statement DuckDB cannot parse, with its message: nothing is run
     */
    @Override
    public Optional<String> refusal(Connection connection, String sql) throws SQLException {
        JsonNode parsed;
        try (PreparedStatement serialize = connection.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)")) {
            serialize.setString(1, sql);
            try (ResultSet rs = serialize.executeQuery()) {
                rs.next();
                parsed = JSON.readTree(rs.getString(1));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("DuckDB's json_serialize_sql answered with something that is not JSON", e);
        }
        if (parsed.path("error").asBoolean(true)) {
            if ("parser".equals(parsed.path("error_type").asText())) {
                throw new SQLException("Parser Error: " + parsed.path("error_message").asText());
            }
            // "Only SELECT statements can be serialized", and whatever else it cannot vouch for.
            return Optional.of("The console only reads: it runs a SELECT (WITH, DESCRIBE, SHOW, SUMMARIZE and FROM-first"
                    + " queries too) and refuses anything else");
        }
        int statements = parsed.path("statements").size();
        if (statements != 1) {
            return Optional.of(statements == 0 ? "There is no query to run" : "The console runs one query at a time;"
                    + " this holds " + statements);
        }
        return Optional.empty();
    }

    @Override
    public void begin(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SET enable_external_access = false");
        }
        try (Statement s = connection.createStatement()) {
            s.execute("BEGIN TRANSACTION READ ONLY");
        }
    }

    @Override
    public void end(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("ROLLBACK");
        }
    }
}
