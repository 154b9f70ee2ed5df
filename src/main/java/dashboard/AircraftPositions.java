package dashboard;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import notify.EmergencySquawk;

/**
 * The aircraft in the warehouse now, for the map: every row of flight_state's current state as the warehouse holds it
 * (not the source's), so that the map shows what the pipeline delivered. Emergency squawks carry their meaning.
 */
public final class AircraftPositions {

    private final WarehouseReader warehouse;
    private final Clock clock;

    public AircraftPositions(WarehouseReader warehouse, Clock clock) {
        this.warehouse = warehouse;
        this.clock = clock;
    }

    /**
     * An aircraft as the map shows it; any field but icao24 may be null, as in OpenSky's data.
     *
     * @param callsign without OpenSky's padding
     * @param altitude barometric, metres
     * @param velocity over ground, m/s
     * @param track degrees clockwise from north
     * @param emergency what its squawk means when it is an emergency code (7500, 7600, 7700), else null
     */
    public record Aircraft(String icao24, String callsign, String country, Double longitude, Double latitude,
                           Double altitude, Boolean onGround, Double velocity, Double track, String squawk,
                           String emergency) {
    }

    /**
     * @param readAt when they were read, epoch milliseconds
     * @param count every row of the current state
     * @param positioned the rows with a position, which the map draws
     */
    public record Positions(long readAt, String warehouse, int count, int positioned, List<Aircraft> aircraft) {
    }

    public Positions now() throws SQLException {
        long readAt = clock.millis();
        List<Aircraft> aircraft = new ArrayList<>();
        try (Connection c = warehouse.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT icao24, callsign, origin_country, longitude, latitude, baro_altitude,"
                     + " on_ground, velocity, true_track, squawk FROM " + warehouse.currentState())) {
            while (rs.next()) {
                String squawk = Rows.text(rs, 10);
                aircraft.add(new Aircraft(rs.getString(1), Rows.text(rs, 2), rs.getString(3), Rows.number(rs, 4),
                        Rows.number(rs, 5), Rows.number(rs, 6), Rows.bool(rs, 7), Rows.number(rs, 8), Rows.number(rs, 9),
                        squawk, EmergencySquawk.meaningOf(squawk)));
            }
        }
        int positioned = (int) aircraft.stream().filter(a -> a.latitude() != null && a.longitude() != null).count();
        return new Positions(readAt, warehouse.description(), aircraft.size(), positioned, aircraft);
    }
}
