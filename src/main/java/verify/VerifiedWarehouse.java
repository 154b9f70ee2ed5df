package verify;

import java.sql.SQLException;
import warehouse.TableId;
import warehouse.TableSchema;

/**
 * The warehouse verify compares the source with: for each captured table, the object holding its current
 * state (the same name the loader gives it), read over the warehouse's JDBC connection, which this owns.
 */
public interface VerifiedWarehouse extends AutoCloseable {

    /** The warehouse as messages name it: a DuckDB file, or a PostgreSQL or Snowflake schema and where it is. */
    String name();

    CurrentState currentState(TableSchema table);

    /** What to do when the warehouse lacks {@code table}'s current state. */
    String whenMissing(TableId table);

    @Override
    void close() throws SQLException;
}
