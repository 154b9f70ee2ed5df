package bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Rows of {@code flight_state} as the poll writes them, every column set, made by PostgreSQL itself in one statement. */
public final class WideRows {

    private static final String INSERT = """
            INSERT INTO public.flight_state (icao24, callsign, origin_country, time_position, last_contact, longitude,
                latitude, baro_altitude, on_ground, velocity, true_track, vertical_rate, sensors, geo_altitude, squawk, spi,
                position_source, category)
            SELECT lpad(to_hex(i), 6, '0'), 'SNP' || (i % 100000), 'Country ' || (i % 200),
                now() - (i % 600) * interval '1 second', now(), (i % 36000) / 100.0 - 180, (i % 18000) / 100.0 - 90,
                1000 + i % 12000, i % 17 = 0, 100 + (i % 2000) / 10.0, (i % 3600) / 10.0, (i % 400) / 10.0 - 20,
                ARRAY[i % 50, i % 70], 1100 + i % 12000, lpad((i % 7777)::text, 4, '0'), i % 97 = 0, (i % 4)::smallint,
                (i % 21)::smallint
            FROM generate_series(1, ?) AS i""";

    private WideRows() {
    }

    /** Inserts {@code rows} rows, keyed by their number in hex (which keeps them apart for up to 16 million rows). */
    public static void insert(Connection c, long rows) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            insert.setLong(1, rows);
            insert.executeUpdate();
        }
    }
}
