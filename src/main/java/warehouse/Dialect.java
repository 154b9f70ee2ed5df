package warehouse;

import java.sql.SQLException;
import java.util.List;

/** What differs between warehouses in the SQL the loader runs: identifiers and types. */
public interface Dialect {

    String quote(String identifier);

    /** The warehouse type holding a source column. */
    String type(Column column);

    /** Converts {@code expression}, the column's value as Debezium's JSON rendered to text, to its type. */
    String castFromText(String expression, Column column);

    /** Standard SQL's names for the loader's own columns; a warehouse that calls them otherwise overrides these. */
    default String textType() {
        return "VARCHAR";
    }

    default String bigintType() {
        return "BIGINT";
    }

    default String integerType() {
        return "INTEGER";
    }

    String timestamptzType();

    /** A column holding a list of texts. */
    String textListType();

    /** Whether the list {@code list} (see {@link #textListType}) holds the text {@code text}, a SQL string literal. */
    String listContains(String list, String text);

    /** The time now, as a timestamp with time zone: when a row was loaded or set aside. */
    String currentTimestamp();

    /** Whole seconds from timestamp {@code from} to timestamp {@code to}. */
    String secondsBetween(String from, String to);

    /** Converts epoch milliseconds to a timestamp with time zone. */
    String epochMillisToTimestamptz(String expression);

    /**
     * Whether the current-state table declares its primary key. The MERGE applies one change per key,
     * so the key stays unique either way; a warehouse that backs the constraint with an index every
     * MERGE has to maintain may leave it out.
     */
    boolean declaresPrimaryKey();

    /**
     * Whether a batch reaches the current state as a DELETE of its keys then an INSERT of their newest rows, rather
     * than a MERGE: the same rows after it, for a warehouse whose MERGE costs more than a delete and an append. A batch
     * with changes that lack values is merged either way, since it takes those values from the rows it replaces.
     */
    default boolean replacesRowsRatherThanMerges() {
        return false;
    }

    /**
     * An expression that, when evaluated, fails the statement as a data error (see {@link #refusesData})
     * whose message holds {@code message}, a text expression: the loader then sets the change aside. It stands
     * where a value of {@code column} would, for a warehouse that types each branch of a CASE strictly.
     */
    String fail(String message, Column column);

    /** Defines the staging table a batch is written into before it is applied. */
    String createStageTable(String name, String columns);

    /** Empties the table {@code name}, inside the load's transaction: the staging table, between batches. */
    default String clearTable(String name) {
        return "DELETE FROM " + name;
    }

    /** Run before the loader makes or widens its tables and views, in a session of its own: none by default. */
    default List<String> beforeDdl() {
        return List.of();
    }

    /** Run after it, whether the DDL succeeded or not: undoes {@link #beforeDdl}. */
    default List<String> afterDdl() {
        return List.of();
    }

    /**
     * Whether the warehouse refused the data itself (a value that does not fit its column, a broken
     * constraint), which no retry can mend, as opposed to being unavailable.
     */
    boolean refusesData(SQLException e);

    /**
     * Whether the warehouse's connection is lost for good: no statement on it can succeed again (DuckDB
     * invalidates its database after a fatal error such as a failed write; Snowflake ends a session whose
     * token expired), so the loader connects again.
     */
    boolean lostConnection(SQLException e);
}
