package dashboard;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import settings.PipelineSettings;
import settings.Secret;

/**
 * A PostgreSQL warehouse (type postgres), read over JDBC as {@code flightcdc.warehouse.postgres-user} in sessions of
 * the dashboard's own, never the loader's: at most two, opened when first needed, so that a warehouse that is down
 * neither holds up nor fails the pipeline's start. Every transaction of theirs is read-only by default, and the
 * console's explicitly so ({@link PostgresConsoleFence}).
 */
public final class PostgresReader implements WarehouseReader {

    /** pgjdbc's own wait for a connection: the page asks again within seconds anyway. */
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(10);

    private final HikariDataSource sessions;
    private final ConsoleFence fence;
    private final String url;

    /** @param queryTimeout how long a console query may run (flightcdc.http.query-timeout-ms) */
    public PostgresReader(PipelineSettings.Warehouse.Postgres settings, Duration queryTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("flightcdc-dashboard-postgres");
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password().value());
        // Names the dashboard in pg_stat_activity, beside the loader.
        config.addDataSourceProperty("ApplicationName", "flightcdc-dashboard");
        // The dashboard only reads: should a query of its own ever write, PostgreSQL refuses it.
        config.setConnectionInitSql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(0);
        // Opened on the first read, not at the start: the dashboard must not hold up or fail the pipeline's start.
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        this.sessions = new HikariDataSource(config);
        this.fence = new PostgresConsoleFence(queryTimeout);
        this.url = Secret.redactUrls(settings.jdbcUrl());
    }

    @Override
    public Connection connect() throws SQLException {
        return sessions.getConnection();
    }

    @Override
    public String currentState() {
        return "flight_state";
    }

    @Override
    public ConsoleFence consoleFence() {
        return fence;
    }

    @Override
    public String description() {
        return "PostgreSQL " + url;
    }

    @Override
    public void close() {
        sessions.close();
    }
}
