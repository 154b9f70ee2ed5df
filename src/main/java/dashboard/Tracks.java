package dashboard;

import static warehouse.MetadataColumn.LSN;
import static warehouse.MetadataColumn.OP;
import static warehouse.MetadataColumn.SOURCE_TS;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An aircraft's track, rebuilt from the warehouse's history of flight_state: each change that left it with a position
 * (an insert, an update, a snapshot read), in source order (commit time, then WAL position). Only its newest
 * positions are kept, so that an aircraft followed for days does not send the page a book.
 */
public final class Tracks {

    /** The most positions of one track: over an hour of an aircraft that changes at every poll, every 5 s. */
    static final int MAX_POINTS = 1_000;

    private final WarehouseReader warehouse;

    public Tracks(WarehouseReader warehouse) {
        this.warehouse = warehouse;
    }

    /**
     * A position the aircraft reported, as a change of the source carried it.
     *
     * @param at the source commit of the change, epoch milliseconds
     * @param op c (insert), u (update) or r (snapshot read)
     */
    public record Point(long at, String op, double latitude, double longitude, Double altitude, Double velocity,
                        Double track) {
    }

    /**
     * @param points oldest first
     * @param truncated whether older positions were left out
     */
    public record Track(String icao24, List<Point> points, boolean truncated) {
    }

    public Track of(String icao24) throws SQLException {
        String sql = "SELECT " + OP.columnName() + ", " + SOURCE_TS.columnName() + ", latitude, longitude, baro_altitude,"
                + " velocity, true_track FROM " + warehouse.history() + " WHERE icao24 = ? AND " + OP.columnName()
                + " IN ('c', 'u', 'r') AND latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY "
                + SOURCE_TS.columnName() + " DESC, " + LSN.columnName() + " DESC LIMIT " + (MAX_POINTS + 1);
        List<Point> points = new ArrayList<>();
        try (Connection c = warehouse.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, icao24);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    points.add(new Point(Rows.millis(rs, 2), rs.getString(1), rs.getDouble(3), rs.getDouble(4),
                            Rows.number(rs, 5), Rows.number(rs, 6), Rows.number(rs, 7)));
                }
            }
        }
        boolean truncated = points.size() > MAX_POINTS;
        List<Point> kept = new ArrayList<>(points.subList(0, Math.min(points.size(), MAX_POINTS)));
        Collections.reverse(kept);
        return new Track(icao24, kept, truncated);
    }
}
