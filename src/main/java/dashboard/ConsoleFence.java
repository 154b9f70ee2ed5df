package dashboard;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What keeps the console's queries, which anyone who reaches the dashboard writes, to reading: a check that names
 * what is refused before it runs, and a transaction in which the warehouse itself refuses to write whatever got past
 * the check. A warehouse that cannot give the second has no console ({@link #unavailable(String)}).
 */
public interface ConsoleFence {

    /** Why no query may run on this warehouse at all; empty where the fence holds. */
    Optional<String> unavailable();

    /** Why the warehouse would not only read running {@code sql}, or empty: asked before it runs. */
    Optional<String> refusal(Connection connection, String sql) throws SQLException;

    /** Starts the transaction a query runs in, one in which the warehouse refuses every write. */
    void begin(Connection connection) throws SQLException;

    /** Ends it, undoing whatever it did. */
    void end(Connection connection) throws SQLException;

    /** The fence of a warehouse that cannot refuse writes within a transaction: every query is refused with {@code why}. */
    static ConsoleFence unavailable(String why) {
        return new ConsoleFence() {
            @Override
            public Optional<String> unavailable() {
                return Optional.of(why);
            }

            @Override
            public Optional<String> refusal(Connection connection, String sql) {
                return Optional.of(why);
            }

            @Override
            public void begin(Connection connection) {
                throw new IllegalStateException(why);
            }

            @Override
            public void end(Connection connection) {
            }
        };
    }
}
