package verify;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import settings.PipelineSettings.Warehouse.Type;
import settings.SnowflakeSettings;
import settings.StartupException;
import warehouse.ChangeLogSqlGenerator;
import warehouse.Dialect;
import warehouse.MergeSqlGenerator;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.snowflake.SnowflakeConnections;
import warehouse.snowflake.SnowflakeDialect;

/**
 * The Snowflake schema a loader writes (flightcdc.snowflake.database and .schema), read over JDBC as
 * flightcdc.snowflake.user with .role. The current state is MERGE mode's table, or in streaming mode the
 * view that derives it from the change table when read: the dynamic table lags by up to its target lag.
 */
final class SnowflakeSchema implements VerifiedWarehouse {

    private final Connection connection;
    private final Dialect dialect;
    private final SnowflakeSettings settings;
    private final Type type;

    /** @param dialect the loader's; a test passes one that DuckDB runs (see SnowflakeReading) */
    SnowflakeSchema(Connection connection, Dialect dialect, SnowflakeSettings settings, Type type) {
        if (!type.snowflake()) {
            throw new IllegalArgumentException(type.setting() + " is not a Snowflake warehouse type");
        }
        this.connection = connection;
        this.dialect = dialect;
        this.settings = settings;
        this.type = type;
    }

    static SnowflakeSchema open(SnowflakeSettings settings, Type type) {
        try {
            return new SnowflakeSchema(new SnowflakeConnections(settings).openJdbc(), new SnowflakeDialect(), settings, type);
        } catch (SQLException e) {
            throw new StartupException(String.valueOf(e.getMessage()).strip().replaceAll("\\.+$", "") + ". Check the"
                    + " flightcdc.snowflake.* settings and that this machine reaches the account (see docs/snowflake.md)", e);
        }
    }

    @Override
    public String name() {
        return "Snowflake " + settings.database() + "." + settings.schema() + " at " + settings.url();
    }

    @Override
    public CurrentState currentState(TableSchema table) {
        boolean merge = type == Type.SNOWFLAKE_MERGE;
        String object = merge ? new MergeSqlGenerator(dialect).currentTable(table) : new ChangeLogSqlGenerator(dialect).liveView(table);
        List<String> name = List.of(CurrentState.catalogName(dialect, settings.database()),
                CurrentState.catalogName(dialect, settings.schema()), CurrentState.catalogName(dialect, object));
        return new CurrentState(merge ? "table" : "view",
                new TableComparison.Location(connection, name, new SnowflakeReading(dialect)));
    }

    /** Snowflake's catalog lists only what the session's role may read, so a missing object may only be hidden. */
    @Override
    public String whenMissing(TableId table) {
        String role = "role " + settings.role() + " (flightcdc.snowflake.role) sees only what it may read";
        return type == Type.SNOWFLAKE_MERGE
                ? "run the pipeline with " + table + " in flightcdc.source.tables first; " + role
                : "run migrate first, which makes it; " + role + ", and the loader's role may read none of the views:"
                        + " verify with the role that ran migrate, or one granted SELECT on the view";
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
