package dashboard;

import analytics.FlightAnalyticsViews;
import com.fasterxml.jackson.databind.ObjectMapper;
import embedded.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import settings.PipelineSettings;
import settings.Secret;
import verify.FlightStateCopies;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeEvent.Operation;
import warehouse.LoadResult;
import warehouse.SourcePosition;
import warehouse.Warehouse;
import warehouse.postgres.PostgresWarehouse;

/**
 * A PostgreSQL warehouse as the pipeline leaves it for the dashboard: database {@code warehouse} of an embedded server
 * (whose postgres database holds the source's flight_state, for its schema), owned by a user who is no superuser, as
 * the loader's should be, and loaded by the real loader with its analytics views from these changes of flight_state:
 * <ol start="0">
 * <li>abc123 appears, airborne, at {@link #T0};</li>
 * <li>c0ffee appears, on the ground, squawking 7700;</li>
 * <li>abc123 moves, 5 s later;</li>
 * <li>3c4b5a appears without a position, 6 s later;</li>
 * <li>dead01 appears with a position_source no smallint holds: the warehouse refuses it, and it is set aside.</li>
 * </ol>
 */
final class LoadedPostgresWarehouse implements AutoCloseable {

    /** The loader's user, and the dashboard's. */
    static final String LOADER = "loader";
    /** When the first change was committed in the source: 2024-05-01T10:00:00Z. */
    static final long T0 = 1_714_557_600_000L;

    private static final String LOADER_PASSWORD = "loader's secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FlightStateCopies source;

    private LoadedPostgresWarehouse(FlightStateCopies source) {
        this.source = source;
    }

    static LoadedPostgresWarehouse start(String prefix) throws Exception {
        FlightStateCopies source = FlightStateCopies.start(FlightStateCopies.newDirectory(prefix).resolve("postgres"));
        try {
            source.sourceSql("CREATE ROLE " + LOADER + " LOGIN PASSWORD '" + LOADER_PASSWORD.replace("'", "''") + "'");
            source.sourceSql("CREATE DATABASE warehouse OWNER " + LOADER);
            LoadedPostgresWarehouse warehouse = new LoadedPostgresWarehouse(source);
            warehouse.load();
            return warehouse;
        } catch (Exception e) {
            source.close();
            throw e;
        }
    }

    private void load() throws Exception {
        PipelineSettings.Warehouse.Postgres loader = settings();
        try (Warehouse warehouse = PostgresWarehouse.open(loader.jdbcUrl(), loader.user(), loader.password().value(),
                FlightAnalyticsViews::over, 1)) {
            warehouse.prepare(List.of(source.schema()));
            List<ChangeEvent> changes = new ArrayList<>();
            add(changes, Operation.CREATE, T0, """
                    {"icao24":"abc123","callsign":"DLH1    ","origin_country":"Germany","longitude":8.5,"latitude":50.0,
                     "baro_altitude":10668.0,"on_ground":false,"velocity":230.5,"true_track":90.0,"squawk":"1000"}""");
            add(changes, Operation.CREATE, T0, """
                    {"icao24":"c0ffee","callsign":"JAL2    ","origin_country":"Japan","longitude":139.78,"latitude":35.55,
                     "on_ground":true,"velocity":5.1,"true_track":180.0,"squawk":"7700"}""");
            add(changes, Operation.UPDATE, T0 + 5_000, """
                    {"icao24":"abc123","callsign":"DLH1    ","origin_country":"Germany","longitude":8.6,"latitude":50.1,
                     "baro_altitude":10972.8,"on_ground":false,"velocity":231.0,"true_track":90.0,"squawk":"1000"}""");
            add(changes, Operation.CREATE, T0 + 6_000, "{\"icao24\":\"3c4b5a\",\"origin_country\":\"Germany\"}");
            add(changes, Operation.CREATE, T0 + 7_000, "{\"icao24\":\"dead01\",\"position_source\":99999}");
            LoadResult loaded = warehouse.load(ChangeBatch.of(changes));
            if (loaded.deadLetters().size() != 1) {
                throw new IllegalStateException("Expected dead01 alone set aside, got " + loaded.deadLetters());
            }
        }
    }

    private static void add(List<ChangeEvent> changes, Operation op, long sourceTsMs, String row) throws Exception {
        long offset = changes.size();
        changes.add(new ChangeEvent("flightcdc." + FlightStateCopies.TABLE, 0, offset, FlightStateCopies.TABLE, op,
                new SourcePosition(1000 + offset, 1000 + offset, 1L), 100 + offset, sourceTsMs, JSON.readTree(row), row));
    }

    /** The warehouse as the loader's user: the settings the dashboard reads it with. */
    PipelineSettings.Warehouse.Postgres settings() {
        return new PipelineSettings.Warehouse.Postgres(url(), LOADER, Secret.of(LOADER_PASSWORD));
    }

    /** The warehouse as the server's superuser. */
    PipelineSettings.Warehouse.Postgres superuserSettings() {
        return new PipelineSettings.Warehouse.Postgres(url(), EmbeddedPostgresServer.SUPERUSER, Secret.of(source.password()));
    }

    String url() {
        return source.jdbcUrl().substring(0, source.jdbcUrl().lastIndexOf('/')) + "/warehouse";
    }

    /** Runs {@code sql} in the warehouse as the loader's user, outside the dashboard. */
    void execute(String sql) throws SQLException {
        try (Connection c = loaderConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The first column of the first row of {@code sql}, run as the loader's user, as text. */
    String value(String sql) throws SQLException {
        try (Connection c = loaderConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Connection loaderConnection() throws SQLException {
        return DriverManager.getConnection(url(), LOADER, LOADER_PASSWORD);
    }

    @Override
    public void close() throws Exception {
        source.close();
    }
}
