package warehouse.snowflake;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Snowflake sessions as a DataSource, for libraries that take one (Flyway): each connection is a new
 * session opened by {@link SnowflakeConnections}, so the key pair and driver settings stay in one place.
 * Not a pool; for short jobs such as {@code migrate}.
 */
public final class SnowflakeDataSource implements DataSource {

    private final SnowflakeConnections connections;

    public SnowflakeDataSource(SnowflakeConnections connections) {
        this.connections = connections;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return connections.openJdbc();
    }

    /** The user and key come from the settings; a password has no place in key-pair authentication. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("Snowflake sessions authenticate with the configured key pair");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // The driver logs through SLF4J (see SnowflakeConnections).
    }

    /** Ignored: the login timeout is SnowflakeConnections', fixed when it is made, whoever asks for another. */
    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return (int) connections.settings().loginTimeout().toSeconds();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("the driver logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("SnowflakeDataSource does not wrap a " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
