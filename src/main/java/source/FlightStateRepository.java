package source;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.sql.DataSource;
import opensky.Rejection;
import opensky.StateVector;
import opensky.StatesResponse;

/**
 * Writes one OpenSky poll into the source table in one transaction and three round trips: an
 * upsert of all vectors (one statement over column arrays), the deletion of aircraft unseen for
 * too long, and the refused vectors. A row is updated only when one of its fields changed, so an
 * unchanged aircraft produces no WAL and no change event.
 */
public final class FlightStateRepository {

    /**
     * Unchanged aircraft are left out before the INSERT: ON CONFLICT would otherwise lock each of their
     * rows (a WAL record per row) even though its WHERE then leaves the row as it is. The WHERE stays, for
     * a row that changed since the join read it.
     */
    private static final String UPSERT = """
            WITH received AS (
              SELECT icao24, callsign, origin_country, to_timestamp(time_position) AS time_position,
                  to_timestamp(last_contact) AS last_contact, longitude, latitude, baro_altitude, on_ground, velocity,
                  true_track, vertical_rate, sensors::integer[] AS sensors, geo_altitude, squawk, spi, position_source,
                  category
              FROM unnest(?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[], ?::float8[], ?::float8[],
                  ?::float8[], ?::bool[], ?::float8[], ?::float8[], ?::float8[], ?::text[], ?::float8[],
                  ?::text[], ?::bool[], ?::int2[], ?::int2[])
                AS v(icao24, callsign, origin_country, time_position, last_contact, longitude, latitude,
                  baro_altitude, on_ground, velocity, true_track, vertical_rate, sensors, geo_altitude,
                  squawk, spi, position_source, category)),
            changed AS (
              SELECT r.* FROM received r LEFT JOIN flight_state t ON t.icao24 = r.icao24
              WHERE t.icao24 IS NULL
                 OR (t.callsign, t.origin_country, t.time_position, t.last_contact, t.longitude, t.latitude,
                     t.baro_altitude, t.on_ground, t.velocity, t.true_track, t.vertical_rate, t.sensors,
                     t.geo_altitude, t.squawk, t.spi, t.position_source, t.category)
                    IS DISTINCT FROM
                    (r.callsign, r.origin_country, r.time_position, r.last_contact, r.longitude, r.latitude,
                     r.baro_altitude, r.on_ground, r.velocity, r.true_track, r.vertical_rate, r.sensors,
                     r.geo_altitude, r.squawk, r.spi, r.position_source, r.category)),
            upserted AS (
              INSERT INTO flight_state AS t (icao24, callsign, origin_country, time_position, last_contact,
                  longitude, latitude, baro_altitude, on_ground, velocity, true_track, vertical_rate, sensors,
                  geo_altitude, squawk, spi, position_source, category)
              SELECT * FROM changed
              ON CONFLICT (icao24) DO UPDATE SET
                  callsign = EXCLUDED.callsign, origin_country = EXCLUDED.origin_country,
                  time_position = EXCLUDED.time_position, last_contact = EXCLUDED.last_contact,
                  longitude = EXCLUDED.longitude, latitude = EXCLUDED.latitude,
                  baro_altitude = EXCLUDED.baro_altitude, on_ground = EXCLUDED.on_ground,
                  velocity = EXCLUDED.velocity, true_track = EXCLUDED.true_track,
                  vertical_rate = EXCLUDED.vertical_rate, sensors = EXCLUDED.sensors,
                  geo_altitude = EXCLUDED.geo_altitude, squawk = EXCLUDED.squawk, spi = EXCLUDED.spi,
                  position_source = EXCLUDED.position_source, category = EXCLUDED.category
              WHERE (t.callsign, t.origin_country, t.time_position, t.last_contact, t.longitude, t.latitude,
                     t.baro_altitude, t.on_ground, t.velocity, t.true_track, t.vertical_rate, t.sensors,
                     t.geo_altitude, t.squawk, t.spi, t.position_source, t.category)
                 IS DISTINCT FROM
                    (EXCLUDED.callsign, EXCLUDED.origin_country, EXCLUDED.time_position, EXCLUDED.last_contact,
                     EXCLUDED.longitude, EXCLUDED.latitude, EXCLUDED.baro_altitude, EXCLUDED.on_ground,
                     EXCLUDED.velocity, EXCLUDED.true_track, EXCLUDED.vertical_rate, EXCLUDED.sensors,
                     EXCLUDED.geo_altitude, EXCLUDED.squawk, EXCLUDED.spi, EXCLUDED.position_source,
                     EXCLUDED.category)
              RETURNING (xmax = 0) AS inserted)
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
            """;

    private static final String DELETE_STALE =
            "DELETE FROM flight_state WHERE last_contact IS NULL OR last_contact < ?";

    private static final String INSERT_REJECTED = "INSERT INTO rejected_state (reason, raw) VALUES (?, ?)";

    /** What is kept of one refused vector or body: enough to see what was wrong, not a hostile payload whole. */
    private static final int MAX_RAW_CHARS = 1 << 20;

    private final DataSource dataSource;
    private final int staleAfterSeconds;
    private final AtomicLong malformedResponses = new AtomicLong();
    /** Of {@link #malformedResponses}, how many the last poll's result already told; polls run one at a time. */
    private long malformedResponsesReported;

    public FlightStateRepository(DataSource dataSource, int staleAfterSeconds) {
        this.dataSource = dataSource;
        this.staleAfterSeconds = staleAfterSeconds;
    }

    /** Applies one poll; returns what it changed. */
    public PollResult write(StatesResponse response) throws SQLException {
        // The parser keeps one vector per aircraft; one statement may not update a row twice, so should a
        // caller still hand over an aircraft twice, the last one wins.
        Collection<StateVector> vectors = lastPerAircraft(response.states());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long inserted = 0;
                long updated = 0;
                if (!vectors.isEmpty()) {
                    try (PreparedStatement upsert = c.prepareStatement(UPSERT)) {
                        bindColumns(c, upsert, vectors);
                        try (ResultSet rs = upsert.executeQuery()) {
                            rs.next();
                            inserted = rs.getLong(1);
                            updated = rs.getLong(2);
                        }
                    }
                }
                int deleted;
                try (PreparedStatement delete = c.prepareStatement(DELETE_STALE)) {
                    delete.setTimestamp(1, Timestamp.from(Instant.ofEpochSecond(response.time() - staleAfterSeconds)));
                    deleted = delete.executeUpdate();
                }
                insertRejections(c, response.rejections());
                c.commit();
                long malformed = malformedResponses.get();
                PollResult result = new PollResult(vectors.size(), inserted, updated, deleted,
                        response.rejections().size(), malformed - malformedResponsesReported);
                malformedResponsesReported = malformed;
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Records a response refused as a whole, with as much of its body as is reasonable to keep, and
     * counts it: the next poll's result tells how many were refused since the one before.
     */
    public void rejectResponse(String reason, String body) throws SQLException {
        malformedResponses.incrementAndGet();
        try (Connection c = dataSource.getConnection()) {
            insertRejections(c, List.of(new Rejection(reason, body)));
        }
    }

    /** Responses refused as a whole since this repository was made. */
    public long malformedResponses() {
        return malformedResponses.get();
    }

    private static void insertRejections(Connection c, List<Rejection> rejections) throws SQLException {
        if (rejections.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT_REJECTED)) {
            for (Rejection r : rejections) {
                Rejection kept = r.keepingAtMost(MAX_RAW_CHARS);
                insert.setString(1, kept.reason());
                insert.setString(2, kept.raw());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static Collection<StateVector> lastPerAircraft(List<StateVector> states) {
        Map<String, StateVector> byIcao = new LinkedHashMap<>();
        states.forEach(s -> byIcao.put(s.icao24(), s));
        return byIcao.values();
    }

    private static void bindColumns(Connection c, PreparedStatement ps, Collection<StateVector> v) throws SQLException {
        int i = 1;
        ps.setArray(i++, array(c, "text", v, StateVector::icao24));
        ps.setArray(i++, array(c, "text", v, StateVector::callsign));
        ps.setArray(i++, array(c, "text", v, StateVector::originCountry));
        ps.setArray(i++, array(c, "int8", v, StateVector::timePosition));
        ps.setArray(i++, array(c, "int8", v, StateVector::lastContact));
        ps.setArray(i++, array(c, "float8", v, StateVector::longitude));
        ps.setArray(i++, array(c, "float8", v, StateVector::latitude));
        ps.setArray(i++, array(c, "float8", v, StateVector::baroAltitude));
        ps.setArray(i++, array(c, "bool", v, StateVector::onGround));
        ps.setArray(i++, array(c, "float8", v, StateVector::velocity));
        ps.setArray(i++, array(c, "float8", v, StateVector::trueTrack));
        ps.setArray(i++, array(c, "float8", v, StateVector::verticalRate));
        // A column of integer arrays travels as text literals ({1,2}): unnest would flatten a 2-D array.
        ps.setArray(i++, array(c, "text", v, s -> s.sensors() == null ? null
                : s.sensors().stream().map(String::valueOf).reduce((a, b) -> a + "," + b)
                        .map(list -> "{" + list + "}").orElse("{}")));
        ps.setArray(i++, array(c, "float8", v, StateVector::geoAltitude));
        ps.setArray(i++, array(c, "text", v, StateVector::squawk));
        ps.setArray(i++, array(c, "bool", v, StateVector::spi));
        ps.setArray(i++, array(c, "int2", v, s -> s.positionSource() == null ? null : s.positionSource().shortValue()));
        ps.setArray(i, array(c, "int2", v, s -> s.category() == null ? null : s.category().shortValue()));
    }

    private static Array array(Connection c, String type, Collection<StateVector> vectors,
                               Function<StateVector, Object> column) throws SQLException {
        return c.createArrayOf(type, vectors.stream().map(column).toArray());
    }
}
