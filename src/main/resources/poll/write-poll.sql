-- One OpenSky poll written into the source, in one statement and so in one transaction: its state vectors
-- upserted, the aircraft unseen for too long deleted, the vectors it refused kept with their reason.
-- Its parameters and the counts it returns are source/PollStatement's.
WITH received AS (
  SELECT icao24, callsign, origin_country, to_timestamp(time_position) AS time_position,
      to_timestamp(last_contact) AS last_contact, longitude, latitude, baro_altitude, on_ground, velocity,
      true_track, vertical_rate, sensors::integer[] AS sensors, geo_altitude, squawk, spi, position_source,
      category
  FROM unnest(:#icao24::text[], :#callsign::text[], :#originCountry::text[], :#timePosition::int8[],
      :#lastContact::int8[], :#longitude::float8[], :#latitude::float8[], :#baroAltitude::float8[],
      :#onGround::bool[], :#velocity::float8[], :#trueTrack::float8[], :#verticalRate::float8[],
      :#sensors::text[], :#geoAltitude::float8[], :#squawk::text[], :#spi::bool[], :#positionSource::int2[],
      :#category::int2[])
    AS v(icao24, callsign, origin_country, time_position, last_contact, longitude, latitude,
      baro_altitude, on_ground, velocity, true_track, vertical_rate, sensors, geo_altitude,
      squawk, spi, position_source, category)),
-- A vector already stale is not written only to be deleted: its aircraft's row goes as any stale one does.
fresh AS (
  SELECT * FROM received WHERE last_contact >= :#staleBefore),
-- Unchanged aircraft are left out before the INSERT: ON CONFLICT would otherwise lock each of their rows (a WAL
-- record per row) even though its WHERE then leaves the row as it is. The WHERE stays, for a row that changed
-- since this join read it.
changed AS (
  SELECT r.* FROM fresh r LEFT JOIN flight_state t ON t.icao24 = r.icao24
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
  RETURNING (xmax = 0) AS inserted),
-- The parts of one statement do not see each other's writes, and must not write one row twice: the rows this
-- poll upserts are left out here rather than deleted after. A row goes when it is stale, or when this poll
-- brought a stale vector for it.
stale AS (
  DELETE FROM flight_state t
  WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.icao24 = t.icao24)
    AND (t.last_contact IS NULL OR t.last_contact < :#staleBefore
         OR EXISTS (SELECT 1 FROM received r WHERE r.icao24 = t.icao24))
  RETURNING 1),
refused AS (
  INSERT INTO rejected_state (reason, raw)
  SELECT * FROM unnest(:#refusedReason::text[], :#refusedRaw::text[])
  RETURNING 1)
SELECT (SELECT count(*) FROM upserted WHERE inserted) AS inserted,
       (SELECT count(*) FROM upserted WHERE NOT inserted) AS updated,
       (SELECT count(*) FROM stale) AS deleted
