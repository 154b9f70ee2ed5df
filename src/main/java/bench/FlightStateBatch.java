package bench;

import java.sql.SQLException;

/**
 * Where {@link FlightStateChanges} puts the changes of one transaction to flight_state. Only the
 * columns a change touches are given; {@code last_contact} is always the time of the write.
 */
public interface FlightStateBatch {

    void insert(String icao24, String callsign, double longitude, double latitude, double velocity, boolean onGround,
                int[] sensors, String squawk) throws SQLException;

    void update(String icao24, String callsign, double velocity, double latitude) throws SQLException;

    void delete(String icao24) throws SQLException;

    /** Changes a row's primary key (and its callsign, so the change can be told apart). */
    void changeKey(String icao24, String newIcao24, String callsign) throws SQLException;
}
