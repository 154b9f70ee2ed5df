package verify;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import settings.PipelineSettings;
import settings.Secret;
import settings.StartupException;
import warehouse.MergeSqlGenerator;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.postgres.PostgresDialect;

/**
 * The PostgreSQL database a loader of type postgres writes (flightcdc.warehouse.postgres-url), read over JDBC as
 * flightcdc.warehouse.postgres-user in a read-only session. The loader makes its tables in the session's own schema
 * (public, or the URL's currentSchema) with the source's column types, so the current state is read just as the
 * source is ({@link TextReading}), and json as its text, which a json column keeps.
 *
 * <p>Unlike DuckDB's file, it can be read while the pipeline loads it; what changes meanwhile then differs, so compare
 * a settled pipeline (stopped, or with no changes coming) as with Snowflake.
 */
final class PostgresDatabase implements VerifiedWarehouse {

    private static final PostgresDialect DIALECT = new PostgresDialect();

    /** The URL as messages may show it: without the secrets it may carry. */
    private final String url;
    private final Connection connection;
    private final String schema;

    private PostgresDatabase(String url, Connection connection, String schema) {
        this.url = url;
        this.connection = connection;
        this.schema = schema;
    }

    static PostgresDatabase open(PipelineSettings.Warehouse.Postgres settings) {
        String url = Secret.redactUrls(settings.jdbcUrl());
        Properties properties = new Properties();
        properties.setProperty("user", settings.user());
        properties.setProperty("password", settings.password().value());
        properties.setProperty("ApplicationName", "flightcdc-verify");
        Connection connection;
        try {
            connection = DriverManager.getConnection(settings.jdbcUrl(), properties);
        } catch (SQLException e) {
            throw new StartupException("Cannot connect to the PostgreSQL warehouse " + url + " as " + settings.user()
                    + ": " + message(e) + ". Check flightcdc.warehouse.postgres-url, -user and"
                    + " FLIGHTCDC_WAREHOUSE_POSTGRES_PASSWORD", e);
        }
        String schema;
        try {
            connection.setReadOnly(true);
            // The first schema of the search path the user may use: where the loader made its tables.
            schema = connection.getSchema();
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new StartupException("Cannot read the PostgreSQL warehouse " + url + ": " + message(e), e);
        }
        if (schema == null) {
            closeQuietly(connection);
            throw new StartupException("The PostgreSQL warehouse " + url + " has no schema " + settings.user()
                    + " may use on its search path: the URL's currentSchema (public by default) does not exist, or "
                    + settings.user() + " has no USAGE on it. Check flightcdc.warehouse.postgres-url and -user");
        }
        return new PostgresDatabase(url, connection, schema);
    }

    @Override
    public String name() {
        return "PostgreSQL " + schema + " at " + url;
    }

    @Override
    public CurrentState currentState(TableSchema table) {
        String name = CurrentState.catalogName(DIALECT, new MergeSqlGenerator(DIALECT).currentTable(table));
        return new CurrentState("table", new TableComparison.Location(connection, List.of(schema, name)));
    }

    @Override
    public String whenMissing(TableId table) {
        return "run the pipeline with this warehouse and " + table + " in flightcdc.source.tables first";
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }

    /** The driver's message, without a URL's secrets or its closing full stop, which the message goes on after. */
    private static String message(SQLException e) {
        return Secret.redactUrls(String.valueOf(e.getMessage()).strip().replaceAll("\\.+$", ""));
    }

    /** After a failure, which the caller reports: the connection's own on closing would only hide it. */
    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // The failure being reported says what to fix.
        }
    }
}
