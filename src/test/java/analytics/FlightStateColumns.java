package analytics;

import java.util.List;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.TableSchema;

/** The columns of flight_state that the analytics views and the dashboard read, for tests that make the table. */
public final class FlightStateColumns {

    public static final TableSchema FLIGHT_STATE = new TableSchema(FlightAnalyticsViews.FLIGHT_STATE, List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("callsign", ColumnType.TEXT, false),
            new Column("origin_country", ColumnType.TEXT, false),
            new Column("longitude", ColumnType.DOUBLE, false),
            new Column("latitude", ColumnType.DOUBLE, false),
            new Column("baro_altitude", ColumnType.DOUBLE, false),
            new Column("on_ground", ColumnType.BOOLEAN, false),
            new Column("velocity", ColumnType.DOUBLE, false),
            new Column("true_track", ColumnType.DOUBLE, false),
            new Column("squawk", ColumnType.TEXT, false)), List.of("icao24"));

    private FlightStateColumns() {
    }
}
