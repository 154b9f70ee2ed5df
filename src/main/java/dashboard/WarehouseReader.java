package dashboard;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the dashboard reads the warehouse through, and all it knows of it: connections of its own (never the loader's),
 * the relations that hold flight_state's current state and history, and how far the console may go there. Each
 * warehouse type has one (DuckDbReader, SnowflakeReader, PostgresReader); they are made by app/DashboardConfiguration.
 *
 * <p>The dashboard's own queries use unquoted lower-case names, which every warehouse resolves to its tables (DuckDB
 * ignores case, Snowflake folds them to the upper case its objects are named in, PostgreSQL to the lower case they are
 * named in), and read result columns by position, since Snowflake labels them in upper case.
 */
public interface WarehouseReader extends AutoCloseable {

    /** A connection for reading; the caller closes it. */
    Connection connect() throws SQLException;

    /** The relation holding flight_state's current state, with no lag behind what the warehouse loaded. */
    String currentState();

    /** The relation holding every change of flight_state ({@code _op}, {@code _lsn}, {@code _source_ts}, the row). */
    default String history() {
        return "flight_state_history";
    }

    /** The relation holding the records the loader set aside, with their reasons. */
    default String deadLetters() {
        return "_flightcdc_dead_letter";
    }

    /** How the console keeps to reading on this warehouse, or says why it cannot. */
    ConsoleFence consoleFence();

    /** The warehouse, for the page's header: its type and where it is. */
    String description();

    /** Lets go of what the reader holds (a pool of sessions); the warehouse itself stays open. */
    @Override
    void close();
}
