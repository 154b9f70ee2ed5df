package dashboard;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import settings.PipelineSettings;
import settings.SnowflakeSettings;
import warehouse.snowflake.SnowflakeConnections;
import warehouse.snowflake.SnowflakeDataSource;

/**
 * A Snowflake warehouse, read over JDBC as {@code flightcdc.snowflake.user} with its role, in sessions of the
 * dashboard's own: at most two, opened when first needed and kept, since a Snowflake login takes a second or more and
 * the map asks every few seconds. In Snowpipe Streaming mode the current state is read from the live view, which has
 * no lag (the dynamic table may be its target lag behind).
 *
 * <p>No console: Snowflake has no read-only transaction, so only the role's grants would stop a query that writes.
 */
public final class SnowflakeReader implements WarehouseReader {

    static final String NO_CONSOLE = "The SQL console is off on Snowflake: Snowflake has no read-only transaction, so"
            + " nothing but the role's grants would stop a query that writes. Query it with a role that can only read"
            + " (Snowsight, SnowSQL); the views are the same as here (docs/querying.md)";

    private final HikariDataSource sessions;
    private final PipelineSettings.Warehouse.Type type;
    private final SnowflakeSettings settings;

    public SnowflakeReader(SnowflakeConnections connections, PipelineSettings.Warehouse.Type type) {
        this.type = type;
        this.settings = connections.settings();
        HikariConfig config = new HikariConfig();
        config.setPoolName("flightcdc-dashboard-snowflake");
        config.setDataSource(new SnowflakeDataSource(connections));
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(0);
        // Opened on the first read, not at the start: the dashboard must not hold up or fail the pipeline's start.
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(settings.loginTimeout().toMillis() + 5_000);
        this.sessions = new HikariDataSource(config);
    }

    @Override
    public Connection connect() throws SQLException {
        return sessions.getConnection();
    }

    @Override
    public String currentState() {
        return type == PipelineSettings.Warehouse.Type.SNOWFLAKE_STREAMING ? "flight_state_live" : "flight_state";
    }

    @Override
    public ConsoleFence consoleFence() {
        return ConsoleFence.unavailable(NO_CONSOLE);
    }

    @Override
    public String description() {
        return "Snowflake (" + type.setting() + ") " + settings.database() + "." + settings.schema();
    }

    @Override
    public void close() {
        sessions.close();
    }
}
