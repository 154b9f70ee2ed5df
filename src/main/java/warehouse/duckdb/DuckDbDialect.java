package warehouse.duckdb;

import java.sql.SQLException;
import java.util.List;
import warehouse.Column;
import warehouse.Dialect;

/** DuckDB's identifiers and types. */
public final class DuckDbDialect implements Dialect {

    /** DuckDB names the kind of error at the start of its message; these are about the data. */
    private static final List<String> DATA_ERRORS = List.of("Conversion Error", "Constraint Error",
            "Invalid Input Error", "Out of Range Error", "Mismatch Type Error");

    /** DuckDB's widest decimal. */
    private static final int MAX_DECIMAL_PRECISION = 38;

    @Override
    public String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public String type(Column column) {
        String base = switch (column.type()) {
            case TEXT, JSON -> "VARCHAR";
            case BOOLEAN -> "BOOLEAN";
            case SMALLINT -> "SMALLINT";
            case INTEGER -> "INTEGER";
            case BIGINT -> "BIGINT";
            case REAL -> "FLOAT";
            case DOUBLE -> "DOUBLE";
            // A numeric wider than DuckDB's DECIMAL, or unconstrained (any digits, NaN, ±Infinity), is kept as
            // its exact text: a DECIMAL would round it or refuse it.
            case NUMERIC -> fitsDecimal(column) ? "DECIMAL(" + column.precision() + "," + column.scale() + ")" : "VARCHAR";
            case DATE -> "DATE";
            case TIME -> "TIME";
            case TIMETZ -> "TIMETZ";
            case TIMESTAMP -> "TIMESTAMP";
            case TIMESTAMPTZ -> "TIMESTAMPTZ";
            case INTERVAL -> "INTERVAL";
            case BYTEA -> "BLOB";
        };
        return column.array() ? base + "[]" : base;
    }

    private static boolean fitsDecimal(Column column) {
        return column.constrained() && column.precision() <= MAX_DECIMAL_PRECISION
                && column.scale() >= 0 && column.scale() <= column.precision();
    }

    /**
     * From the text {@link warehouse.StageText} stages. Dates and timestamps come as days and
     * microseconds since the epoch (Debezium's), or as {@code infinity} / {@code -infinity}.
     */
    @Override
    public String castFromText(String expression, Column column) {
        if (column.array()) {
            // Through JSON, which reads the JSON array Debezium sent exactly (escapes included); a plain cast
            // to a list reads DuckDB's own list syntax.
            return "CAST(CAST(" + expression + " AS JSON) AS " + type(column) + ")";
        }
        return switch (column.type()) {
            case TEXT, JSON -> expression;
            case NUMERIC -> fitsDecimal(column) ? "CAST(" + expression + " AS " + type(column) + ")" : expression;
            case DATE -> "CASE WHEN " + expression + " LIKE '%infinity' THEN CAST(" + expression + " AS DATE)"
                    + " ELSE CAST(DATE '1970-01-01' + CAST(" + expression + " AS INTEGER) AS DATE) END";
            case TIMESTAMP -> "CASE WHEN " + expression + " LIKE '%infinity' THEN CAST(" + expression + " AS TIMESTAMP)"
                    + " ELSE make_timestamp(CAST(" + expression + " AS BIGINT)) END";
            case BYTEA -> "unhex(" + expression + ")";
            default -> "CAST(" + expression + " AS " + type(column) + ")";
        };
    }

    /**
     * No: DuckDB backs a PRIMARY KEY with an ART index that each MERGE must update, which doubled the
     * loader's CPU per change (117 against 57 µs, measured on 100k updates of a 20k-row table).
     */
    @Override
    public boolean declaresPrimaryKey() {
        return false;
    }

    /**
     * Yes: DuckDB's MERGE costs more than a DELETE of the batch's keys and an INSERT of their newest rows, most of it
     * whatever the batch's size. On a current state of 45,000 rows, applying a batch of 100 / 1,000 / 10,000 changes
     * took 13.0 / 15.9 / 25.5 ms against 8.0 / 9.3 / 20.6 ms, the process's CPU 16.2 / 19.5 / 28.1 against 11.4 / 12.9 /
     * 30.0 ms (medians of three runs of bench/scripts/duckdb-apply.sh, bench/results/2026-12-04-duckdb-apply-statements.md).
     * The rows it deletes take no room once DuckDB checkpoints.
     */
    @Override
    public boolean replacesRowsRatherThanMerges() {
        return true;
    }

    @Override
    public String timestamptzType() {
        return "TIMESTAMPTZ";
    }

    @Override
    public String textListType() {
        return "VARCHAR[]";
    }

    @Override
    public String listContains(String list, String text) {
        return "list_contains(" + list + ", " + text + ")";
    }

    @Override
    public String currentTimestamp() {
        return "now()";
    }

    @Override
    public String secondsBetween(String from, String to) {
        return "date_diff('second', " + from + ", " + to + ")";
    }

    @Override
    public String epochMillisToTimestamptz(String expression) {
        return "to_timestamp(CAST(" + expression + " AS DOUBLE) / 1000)";
    }

    /** DuckDB's error() raises an "Invalid Input Error" with the message. */
    @Override
    public String fail(String message, Column column) {
        return "error(" + message + ")";
    }

    /**
     * A temporary table, as in Snowflake: each connection stages into its own, so loaders that share the database in
     * one process never write into each other's stage.
     */
    @Override
    public String createStageTable(String name, String columns) {
        return "CREATE TEMPORARY TABLE IF NOT EXISTS " + name + " (" + columns + ")";
    }

    @Override
    public boolean refusesData(SQLException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().strip();
        return DATA_ERRORS.stream().anyMatch(message::startsWith);
    }

    /**
     * After a "FATAL Error" DuckDB refuses every statement until the database is opened again. After a commit
     * that failed (a full disk: the WAL could not be written), the JDBC connection no longer knows whether a
     * transaction is open, and statements on it may each commit alone: a fresh connection starts clean.
     */
    @Override
    public boolean lostConnection(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().strip();
            if (message.startsWith("FATAL Error") || message.startsWith("TransactionContext Error: Failed to commit")) {
                return true;
            }
        }
        return false;
    }
}
