package verify;

import java.sql.SQLException;
import warehouse.Column;
import warehouse.Dialect;
import warehouse.duckdb.DuckDbDialect;
import warehouse.snowflake.SnowflakeDialect;

/**
 * Snowflake's names and column kinds in types DuckDB has, so that DuckDB runs what verify sends to Snowflake:
 * SnowflakeDialect's quoting (upper case), text where Snowflake keeps text (a wide numeric, time with time
 * zone, an interval), JSON text where it keeps a VARIANT or an ARRAY (which its driver hands back as JSON
 * text), and DuckDB's type and cast for the rest. Everything else is DuckDB's.
 */
final class SnowflakeKindsOnDuckDb implements Dialect {

    private final SnowflakeDialect snowflake = new SnowflakeDialect();
    private final DuckDbDialect duckdb = new DuckDbDialect();

    @Override
    public String quote(String identifier) {
        return snowflake.quote(identifier);
    }

    @Override
    public String type(Column column) {
        return switch (snowflake.type(column)) {
            case "VARCHAR" -> "VARCHAR";
            case "VARIANT", "ARRAY" -> "JSON";
            default -> duckdb.type(column);
        };
    }

    @Override
    public String castFromText(String expression, Column column) {
        return switch (snowflake.type(column)) {
            case "VARCHAR" -> expression;
            case "VARIANT", "ARRAY" -> "CAST(" + expression + " AS JSON)";
            default -> duckdb.castFromText(expression, column);
        };
    }

    @Override
    public String timestamptzType() {
        return duckdb.timestamptzType();
    }

    @Override
    public String textListType() {
        return duckdb.textListType();
    }

    @Override
    public String listContains(String list, String text) {
        return duckdb.listContains(list, text);
    }

    @Override
    public String currentTimestamp() {
        return duckdb.currentTimestamp();
    }

    @Override
    public String secondsBetween(String from, String to) {
        return duckdb.secondsBetween(from, to);
    }

    @Override
    public String epochMillisToTimestamptz(String expression) {
        return duckdb.epochMillisToTimestamptz(expression);
    }

    @Override
    public boolean declaresPrimaryKey() {
        return duckdb.declaresPrimaryKey();
    }

    @Override
    public String fail(String message, Column column) {
        return duckdb.fail(message, column);
    }

    @Override
    public String createStageTable(String name, String columns) {
        return duckdb.createStageTable(name, columns);
    }

    @Override
    public boolean refusesData(SQLException e) {
        return duckdb.refusesData(e);
    }

    @Override
    public boolean lostConnection(SQLException e) {
        return duckdb.lostConnection(e);
    }
}
