package app;

import analytics.FlightAnalyticsViews;
import java.sql.SQLException;
import java.util.Optional;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClientFactory;
import settings.PipelineSettings;
import settings.Secret;
import settings.SnowflakeSettings;
import settings.StartupException;
import warehouse.Warehouse;
import warehouse.duckdb.DuckDbWarehouse;
import warehouse.postgres.PostgresWarehouse;
import warehouse.snowflake.SnowflakeConnections;
import warehouse.snowflake.SnowflakeMergeWarehouse;
import warehouse.snowflake.streaming.SnowpipeStreamingWarehouse;

/** Opens the warehouse {@code flightcdc.warehouse.type} names; one that cannot be reached stops the start. */
final class WarehouseConnector {

    private WarehouseConnector() {
    }

    /**
     * @param streamingClient a Snowpipe Streaming client bound in Camel's registry, used instead of one
     *        made from the settings (to set the SDK up otherwise, or a fake in tests)
     */
    static Warehouse open(PipelineSettings settings, Optional<SnowflakeStreamingIngestClient> streamingClient)
            throws SQLException {
        PipelineSettings.Warehouse.Type type = settings.warehouse().type();
        if (type == PipelineSettings.Warehouse.Type.POSTGRES) {
            PipelineSettings.Warehouse.Postgres postgres = settings.warehouse().postgres().orElseThrow();
            try {
                return PostgresWarehouse.open(postgres.jdbcUrl(), postgres.user(), postgres.password().value(),
                        FlightAnalyticsViews::over, settings.warehouse().consumers());
            } catch (SQLException e) {
                String reason = Secret.redactUrls(String.valueOf(e.getMessage()).strip().replaceAll("\\.+$", ""));
                throw new StartupException("Cannot open the PostgreSQL warehouse " + Secret.redactUrls(postgres.jdbcUrl())
                        + " as user " + postgres.user() + ": " + reason + ". Check flightcdc.warehouse.postgres-url, -user and"
                        + " FLIGHTCDC_WAREHOUSE_POSTGRES_PASSWORD, and that the user may create tables there", e);
            }
        }
        if (!type.snowflake()) {
            try {
                return DuckDbWarehouse.open(settings.warehouse().duckdbPath(), FlightAnalyticsViews::over,
                        settings.warehouse().consumers(), settings.warehouse().duckdbMemoryLimit());
            } catch (SQLException e) {
                // Its messages say what to fix.
                throw new StartupException(e.getMessage(), e);
            }
        }
        SnowflakeConnections snowflake = new SnowflakeConnections(settings.snowflake().orElseThrow());
        SnowflakeSettings s = snowflake.settings();
        try {
            if (type == PipelineSettings.Warehouse.Type.SNOWFLAKE_MERGE) {
                return SnowflakeMergeWarehouse.open(snowflake::openJdbc, FlightAnalyticsViews::over);
            }
            SnowflakeStreamingIngestClient client = streamingClient.orElseGet(() -> SnowflakeStreamingIngestClientFactory
                    .builder("flightcdc-" + settings.kafka().consumerGroup())
                    .setProperties(snowflake.streamingProperties())
                    .build());
            return new SnowpipeStreamingWarehouse(client, s.database(), s.schema(), settings.kafka().consumerGroup(),
                    settings.kafka()::topicFor, s.commitTimeout());
        } catch (SQLException | RuntimeException e) {
            throw new StartupException("Cannot open the Snowflake warehouse (" + type.setting() + ") at " + s.url()
                    + " as user " + s.user() + " with role " + s.role() + ": "
                    + String.valueOf(e.getMessage()).strip().replaceAll("\\.+$", "") + ". Check the flightcdc.snowflake.* settings, the user's public key and the role's grants"
                    + " (see docs/snowflake.md)", e);
        }
    }
}
