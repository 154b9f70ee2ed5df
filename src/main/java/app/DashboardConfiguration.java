package app;

import dashboard.AircraftPositions;
import dashboard.DashboardFiles;
import dashboard.DuckDbReader;
import dashboard.PipelineTimeline;
import dashboard.PostgresReader;
import dashboard.ReadOnlyConsole;
import dashboard.SetAside;
import dashboard.SnowflakeReader;
import dashboard.Tracks;
import dashboard.WarehouseReader;
import embedded.StopOrder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.DashboardRoute;
import settings.PipelineSettings;
import source.SourceDatabase;
import warehouse.Warehouse;
import warehouse.duckdb.DuckDbWarehouse;
import warehouse.snowflake.SnowflakeConnections;

/**
 * The dashboard's beans (routes/DashboardRoute), bound only when the HTTP server is on: they read the warehouse the
 * load stage opened, through a {@link WarehouseReader} of the dashboard's own, and the pipeline's meters.
 */
public class DashboardConfiguration extends StageConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardConfiguration.class);

    /** What camel-micrometer names the registry it binds, and the Prometheus endpoint scrapes. */
    private static final String METER_REGISTRY = "metricsRegistry";

    /** It shows the warehouse: a process that loads none serves health and metrics only. */
    @Override
    protected boolean runsIn(PipelineSettings settings) {
        return settings.servesDashboard();
    }

    @Override
    protected void prepare(CamelContext context) {
        PipelineSettings settings = bean(context, PipelineSettings.class);
        PipelineSettings.Http http = settings.http();
        StopOrder stopOrder = bean(context, StopOrder.class);
        WarehouseReader warehouse = stopOrder.add(reader(settings, bean(context, Warehouse.class)));
        Optional<DataSource> pollSource = settings.pollTables()
                ? Optional.of(bean(context, SourceDatabase.class).dataSource()) : Optional.empty();
        Registry registry = context.getRegistry();
        registry.bind(DashboardRoute.FILES, new DashboardFiles(DashboardConfiguration.class.getClassLoader()));
        registry.bind(DashboardRoute.AIRCRAFT, new AircraftPositions(warehouse, Clock.systemUTC()));
        registry.bind(DashboardRoute.TRACKS, new Tracks(warehouse));
        registry.bind(DashboardRoute.SET_ASIDE, new SetAside(warehouse, pollSource));
        registry.bind(DashboardRoute.CONSOLE, stopOrder.add(new ReadOnlyConsole(warehouse, http.queryTimeout(),
                http.consoleMaxRows())));
        registry.bind(DashboardRoute.TIMELINE, new PipelineTimeline(() -> meterRegistry(context), Clock.systemUTC(),
                http.sampleInterval(), http.samplesKept()));
        warehouse.consoleFence().unavailable().ifPresent(why -> LOG.info("Dashboard: {}", why));
    }

    /** The dashboard's way into the warehouse the load stage opened. */
    private static WarehouseReader reader(PipelineSettings settings, Warehouse warehouse) {
        if (warehouse instanceof DuckDbWarehouse duckDb) {
            return new DuckDbReader(duckDb, settings.warehouse().duckdbPath());
        }
        if (settings.warehouse().type() == PipelineSettings.Warehouse.Type.POSTGRES) {
            return new PostgresReader(settings.warehouse().postgres().orElseThrow(), settings.http().queryTimeout());
        }
        return new SnowflakeReader(new SnowflakeConnections(settings.snowflake().orElseThrow()), settings.warehouse().type());
    }

    /** The registry Camel binds once it starts (camel-micrometer-prometheus); the one of its type if it is named otherwise. */
    private static Optional<MeterRegistry> meterRegistry(CamelContext context) {
        MeterRegistry named = context.getRegistry().lookupByNameAndType(METER_REGISTRY, MeterRegistry.class);
        return Optional.ofNullable(named != null ? named : context.getRegistry().findSingleByType(MeterRegistry.class));
    }
}
