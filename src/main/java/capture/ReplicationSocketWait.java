package capture;

import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.jdbc.JdbcConnection;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutorBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A wait for the replication connection to have something to read: it ends when PostgreSQL sends a byte, or after the
 * given time, whichever comes first. What {@link QuietStreamPause} waits with once the stream has been quiet, so that
 * its pauses can be long, to cost an idle capture little, and still hold up no change: a sleep would.
 *
 * <p>How: the PostgreSQL driver's own check for a pending message ({@code PGStream.hasMessagePending}) peeks at the
 * socket with a 1 ms timeout; this peeks the same way with the whole wait as the timeout. A peek reads into the driver's
 * buffer and consumes nothing: Debezium's next read finds the bytes there. Only Debezium's streaming thread reads this
 * connection, and it is the thread that waits; its keep-alive thread only writes. A read that fails here is left for
 * Debezium's next read to report, after a plain sleep. Where the driver's stream cannot be reached (a driver that moved
 * it, a connection of another kind) the wait is a sleep of at most {@link #LONGEST_SLEEP_MS}.
 */
final class ReplicationSocketWait {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSocketWait.class);

    /** A sleep cannot end when a change comes: the longest it may be, which the first change after a quiet spell waits. */
    static final long LONGEST_SLEEP_MS = LeanPostgresConnector.LONGEST_PAUSE_MS;

    private static final Field PG_STREAM = pgStreamField();

    /** The connection the stream reads now, or null while there is none. */
    @FunctionalInterface
    interface CurrentConnection {
        Connection get() throws SQLException;
    }

    private final CurrentConnection current;
    private Connection resolvedFor;
    private PGStream stream;
    private boolean toldUnreachable;

    ReplicationSocketWait(CurrentConnection current) {
        this.current = current;
    }

    /** A wait on Debezium's replication connection, whichever JDBC connection it holds after a reconnect. */
    static ReplicationSocketWait of(ReplicationConnection debezium) {
        if (!(debezium instanceof JdbcConnection jdbc)) {
            return new ReplicationSocketWait(() -> null);
        }
        // Not jdbc.connection() alone, which would open a connection where there is none. Its methods, close() among
        // them, hold its monitor: held across both calls, a close from another thread cannot come between them.
        return new ReplicationSocketWait(() -> {
            synchronized (jdbc) {
                return jdbc.isConnected() ? jdbc.connection() : null;
            }
        });
    }

    /** Waits up to {@code ms} for the connection to have something to read; a sleep where the socket cannot be reached. */
    void await(long ms) throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException();
        }
        PGStream socket = stream();
        if (socket == null || !waitedOn(socket, ms)) {
            Thread.sleep(Math.min(ms, LONGEST_SLEEP_MS));
        }
    }

    /** Peeks with the wait as the socket's timeout, then restores it; false if the socket failed (closed, reset). */
    private static boolean waitedOn(PGStream socket, long ms) {
        int saved;
        try {
            saved = socket.getNetworkTimeout();
        } catch (IOException e) {
            return false;
        }
        boolean failed = false;
        try {
            socket.setNetworkTimeout((int) Math.max(1, Math.min(ms, Integer.MAX_VALUE)));
            socket.peekChar();
        } catch (SocketTimeoutException e) {
            // Nothing came in time.
        } catch (IOException e) {
            failed = true;
        } finally {
            try {
                socket.setNetworkTimeout(saved);
            } catch (IOException e) {
                failed = true;
            }
        }
        return !failed;
    }

    /** Whether the wait can end when PostgreSQL sends something: the driver's stream was reached. */
    boolean endsOnData() {
        return stream() != null;
    }

    private PGStream stream() {
        if (PG_STREAM == null) {
            return null;
        }
        try {
            Connection connection = current.get();
            if (connection == null) {
                return null;
            }
            if (connection != resolvedFor) {
                resolvedFor = connection;
                stream = (PGStream) PG_STREAM.get(connection.unwrap(BaseConnection.class).getQueryExecutor());
            }
            return stream;
        } catch (SQLException | ReflectiveOperationException | RuntimeException e) {
            if (!toldUnreachable) {
                toldUnreachable = true;
                LOG.info("The replication connection's socket cannot be waited on ({}); an idle capture reads it every"
                        + " {} ms", e.toString(), LONGEST_SLEEP_MS);
            }
            return null;
        }
    }

    private static Field pgStreamField() {
        try {
            Field field = QueryExecutorBase.class.getDeclaredField("pgStream");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("The PostgreSQL driver's stream is not where driver 42.7 has it ({}); an idle capture reads the"
                    + " replication stream every {} ms", e.toString(), LONGEST_SLEEP_MS);
            return null;
        }
    }
}
