package warehouse.postgres;

import java.sql.SQLException;
import java.util.List;
import warehouse.Column;
import warehouse.Dialect;

/**
 * PostgreSQL's identifiers and types, for the shared MERGE generator. The source is PostgreSQL too, so every column
 * keeps its own type; only time with time zone, which Debezium does not carry exactly, never gets here (StageText
 * refuses it).
 */
public final class PostgresDialect implements Dialect {

    /** The advisory lock the loaders of one database make their tables under (an arbitrary number, the same for all). */
    private static final long DDL_LOCK = 0x666c6967_68746364L;

    @Override
    public String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public String type(Column column) {
        String base = switch (column.type()) {
            case TEXT -> "text";
            // json, not jsonb: it keeps the text exactly (a json column's key order, spaces and repeated keys).
            case JSON -> "json";
            case BOOLEAN -> "boolean";
            case SMALLINT -> "smallint";
            case INTEGER -> "integer";
            case BIGINT -> "bigint";
            case REAL -> "real";
            case DOUBLE -> "double precision";
            case NUMERIC -> column.constrained() ? "numeric(" + column.precision() + "," + column.scale() + ")" : "numeric";
            case DATE -> "date";
            case TIME -> "time";
            case TIMETZ -> "timetz";
            case TIMESTAMP -> "timestamp";
            case TIMESTAMPTZ -> "timestamptz";
            case INTERVAL -> "interval";
            case BYTEA -> "bytea";
        };
        return column.array() ? base + "[]" : base;
    }

    /**
     * From the text {@link warehouse.StageText} stages: dates as days and timestamps as microseconds since 1970 (or
     * {@code infinity}), intervals as months, days and microseconds, bytea as hex, arrays as JSON.
     */
    @Override
    public String castFromText(String expression, Column column) {
        if (column.array()) {
            Column element = new Column(column.name(), column.type(), false, column.precision(), column.scale());
            // Element by element, in order: a JSON array is no PostgreSQL array literal. NULL stays NULL, not {}.
            return "CASE WHEN " + expression + " IS NULL THEN NULL ELSE ARRAY(SELECT " + castFromText("e", element)
                    + " FROM jsonb_array_elements_text(CAST(" + expression + " AS jsonb)) WITH ORDINALITY AS a(e, n)"
                    + " ORDER BY n) END";
        }
        return switch (column.type()) {
            case TEXT -> expression;
            case BYTEA -> "decode(" + expression + ", 'hex')";
            case DATE -> "CASE WHEN " + expression + " LIKE '%infinity' THEN CAST(" + expression + " AS date)"
                    + " ELSE DATE '1970-01-01' + CAST(" + expression + " AS integer) END";
            // Whole days, then the microseconds left: a product of an interval and a number is computed in double
            // precision, exact only below 2^53 microseconds.
            case TIMESTAMP -> "CASE WHEN " + expression + " LIKE '%infinity' THEN CAST(" + expression + " AS timestamp)"
                    + " ELSE TIMESTAMP '1970-01-01' + make_interval(days => CAST(CAST(" + expression + " AS bigint)"
                    + " / 86400000000 AS integer)) + CAST(" + expression + " AS bigint) % 86400000000"
                    + " * INTERVAL '1 microsecond' END";
            // ISO-8601 numbers the years before 1 AD from 0 down (-4713 is 4714 BC); PostgreSQL reads only its own
            // numbering, with BC after the time.
            case TIMESTAMPTZ -> "CASE WHEN " + expression + " ~ '^(-[0-9]|0000-)' THEN CAST(lpad(CAST(1 - CAST(substring("
                    + expression + " from '^(-?[0-9]+)-') AS integer) AS text), 4, '0') || substring(" + expression
                    + " from '^-?[0-9]+(-.*)$') || ' BC' AS timestamptz) ELSE CAST(" + expression + " AS timestamptz) END";
            default -> "CAST(" + expression + " AS " + type(column) + ")";
        };
    }

    /** Yes: the MERGE finds each key's row through the index that backs it. */
    @Override
    public boolean declaresPrimaryKey() {
        return true;
    }

    @Override
    public String textType() {
        return "text";
    }

    @Override
    public String timestamptzType() {
        return "timestamptz";
    }

    @Override
    public String textListType() {
        return "text[]";
    }

    @Override
    public String listContains(String list, String text) {
        return "(" + text + " = ANY(" + list + "))";
    }

    @Override
    public String currentTimestamp() {
        return "now()";
    }

    @Override
    public String secondsBetween(String from, String to) {
        return "CAST(floor(EXTRACT(EPOCH FROM (" + to + ") - (" + from + "))) AS bigint)";
    }

    @Override
    public String epochMillisToTimestamptz(String expression) {
        return "to_timestamp(CAST(" + expression + " AS double precision) / 1000)";
    }

    /**
     * PostgreSQL SQL has no function that raises an error; a text that is no number, cast to one, fails with
     * "invalid input syntax for type integer" (SQLSTATE 22P02), quoting the message. Cast on to the column's type
     * through text, which converts to every type: the branches of a CASE must have one type here.
     */
    @Override
    public String fail(String message, Column column) {
        return "CAST(CAST(CAST(" + message + " AS integer) AS text) AS " + type(column) + ")";
    }

    /** A temporary table: the loader's session's own, so that loader processes never write into each other's stage. */
    @Override
    public String createStageTable(String name, String columns) {
        return "CREATE TEMPORARY TABLE IF NOT EXISTS " + name + " (" + columns + ")";
    }

    /** TRUNCATE, not DELETE: autovacuum never cleans a temporary table, which would grow with every batch's dead rows. */
    @Override
    public String clearTable(String name) {
        return "TRUNCATE " + name;
    }

    /**
     * Two sessions that make the same table at once may fail with a unique violation in the catalog, even with IF
     * NOT EXISTS: loader processes starting together make the tables one at a time.
     */
    @Override
    public List<String> beforeDdl() {
        return List.of("SELECT pg_advisory_lock(" + DDL_LOCK + ")");
    }

    @Override
    public List<String> afterDdl() {
        return List.of("SELECT pg_advisory_unlock(" + DDL_LOCK + ")");
    }

    /**
     * SQLSTATE class 22 (a value that does not convert or fit) and 23 (a broken constraint, such as NOT NULL), but
     * not a unique violation (23505): the loader's keys are unique per batch, so only another loader writing at the
     * same moment causes one (two first rows of a partition's progress), and a retry finds its row.
     */
    @Override
    public boolean refusesData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23")) && !state.equals("23505");
    }

    /** A connection exception (class 08), or the server shutting down or starting (57P01 to 57P03). */
    @Override
    public boolean lostConnection(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P0"));
    }
}
