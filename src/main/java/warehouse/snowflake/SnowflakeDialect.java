package warehouse.snowflake;

import java.sql.SQLException;
import java.util.Locale;
import warehouse.Column;
import warehouse.Dialect;

/**
 * Snowflake's identifiers and types, for the shared MERGE generator (JDBC MERGE mode).
 *
 * <p>Identifiers are quoted in upper case: Snowflake folds unquoted names to upper case, so analysts
 * can write {@code select * from flight_state} without quotes and still reach the loader's tables.
 */
public final class SnowflakeDialect implements Dialect {

    @Override
    public String quote(String identifier) {
        return '"' + identifier.toUpperCase(Locale.ROOT).replace("\"", "\"\"") + '"';
    }

    @Override
    public String type(Column column) {
        if (column.array()) {
            // Snowflake's ARRAY holds semi-structured values; PostgreSQL's element type has no place in it.
            return "ARRAY";
        }
        return switch (column.type()) {
            // Snowflake has no time with time zone and no interval: text, which holds them exactly.
            case TEXT, TIMETZ, INTERVAL -> "VARCHAR";
            case JSON -> "VARIANT";
            case BOOLEAN -> "BOOLEAN";
            case SMALLINT -> "SMALLINT";
            case INTEGER -> "INTEGER";
            case BIGINT -> "BIGINT";
            case REAL, DOUBLE -> "FLOAT";
            // A numeric wider than Snowflake's NUMBER, or unconstrained (any digits, NaN, ±Infinity), is kept as
            // its exact text: a NUMBER would round it or refuse it.
            case NUMERIC -> fitsNumber(column) ? "NUMBER(" + column.precision() + "," + column.scale() + ")" : "VARCHAR";
            case DATE -> "DATE";
            case TIME -> "TIME";
            case TIMESTAMP -> "TIMESTAMP_NTZ";
            case TIMESTAMPTZ -> "TIMESTAMP_TZ";
            case BYTEA -> "BINARY";
        };
    }

    /** Snowflake's NUMBER holds at most 38 digits, at most 37 of them after the point. */
    private static boolean fitsNumber(Column column) {
        return column.constrained() && column.precision() <= 38 && column.scale() >= 0
                && column.scale() <= Math.min(column.precision(), 37);
    }

    /**
     * Strict conversions, never TRY_: a value that does not fit must fail the batch, so that it is set
     * aside in the dead-letter table with the reason instead of landing as NULL.
     */
    @Override
    public String castFromText(String expression, Column column) {
        if (column.array()) {
            return "CAST(PARSE_JSON(" + expression + ") AS ARRAY)";
        }
        return switch (column.type()) {
            case TEXT, TIMETZ, INTERVAL -> expression;
            case NUMERIC -> fitsNumber(column) ? "CAST(" + expression + " AS " + type(column) + ")" : expression;
            case JSON -> "PARSE_JSON(" + expression + ")";
            // Debezium sends bytea as hex (binary.handling.mode=hex).
            case BYTEA -> "TO_BINARY(" + expression + ", 'HEX')";
            // Dates as days and timestamps as microseconds since the epoch (time.precision.mode=microseconds): 'infinity',
            // which Snowflake has no value for, fails the cast and the change is set aside.
            case DATE -> "DATEADD(day, CAST(" + expression + " AS INTEGER), DATE '1970-01-01')";
            case TIMESTAMP -> "TO_TIMESTAMP_NTZ(CAST(" + expression + " AS BIGINT), 6)";
            // Debezium renders timestamptz as an ISO-8601 string with its offset.
            case TIMESTAMPTZ -> "TO_TIMESTAMP_TZ(" + expression + ")";
            default -> "CAST(" + expression + " AS " + type(column) + ")";
        };
    }

    @Override
    public String timestamptzType() {
        return "TIMESTAMP_TZ";
    }

    @Override
    public String textListType() {
        return "ARRAY";
    }

    @Override
    public String listContains(String list, String text) {
        return "ARRAY_CONTAINS(" + text + "::VARIANT, " + list + ")";
    }

    @Override
    public String currentTimestamp() {
        return "CURRENT_TIMESTAMP()";
    }

    @Override
    public String secondsBetween(String from, String to) {
        return "DATEDIFF(second, " + from + ", " + to + ")";
    }

    @Override
    public String epochMillisToTimestamptz(String expression) {
        return "TO_TIMESTAMP_TZ(" + expression + ", 3)";
    }

    /** Yes: Snowflake does not enforce it, and tools that read the catalog learn the key from it. */
    @Override
    public boolean declaresPrimaryKey() {
        return true;
    }

    /**
     * Snowflake SQL has no function that raises an error; a text that is no number, cast to one, fails with
     * "Numeric value '...' is not recognized" (SQLSTATE 22018), quoting the message.
     */
    @Override
    public String fail(String message, Column column) {
        return "CAST(" + message + " AS NUMBER)";
    }

    /** A temporary table: it lives as long as the loader's session, and no other session sees it. */
    @Override
    public String createStageTable(String name, String columns) {
        return "CREATE TEMPORARY TABLE IF NOT EXISTS " + name + " (" + columns + ")";
    }

    /**
     * SQLSTATE class 22 (data exception: a value that does not convert or does not fit) and 23 (a broken
     * constraint, such as NOT NULL), as the Snowflake JDBC driver reports them; anything else, such as a
     * lost connection or a suspended warehouse, is worth retrying.
     */
    @Override
    public boolean refusesData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /**
     * A connection exception (SQLSTATE class 08), or Snowflake's "session no longer exists" (390111) and
     * "authentication token has expired" (390114): a new session is needed.
     */
    @Override
    public boolean lostConnection(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("08") || e.getErrorCode() == 390111 || e.getErrorCode() == 390114;
    }
}
