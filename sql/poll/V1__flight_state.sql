-- Current state of every aircraft the poll has seen recently: one row per icao24 with all
-- 18 fields of an OpenSky state vector. The poll inserts new aircraft, updates changed ones
-- and deletes those unseen for flightcdc.opensky.stale-after-seconds, so the table's WAL
-- carries inserts, updates and deletes for Debezium.
-- Made only when the poll is on or flightcdc.source.tables captures it; its history is in the pipeline's
-- own schema (poll_schema_history). IF NOT EXISTS: a source made by an earlier version has them already.
CREATE TABLE IF NOT EXISTS public.flight_state (
    icao24          text PRIMARY KEY,          -- ICAO 24-bit transponder address, 6 hex digits
    callsign        text,                      -- 8 characters, may be null
    origin_country  text,                      -- country inferred from the ICAO address
    time_position   timestamptz,               -- last position update
    last_contact    timestamptz,               -- last message of any kind from the transponder
    longitude       double precision,          -- WGS-84 degrees
    latitude        double precision,          -- WGS-84 degrees
    baro_altitude   double precision,          -- barometric altitude, metres
    on_ground       boolean,                   -- position from a surface position report
    velocity        double precision,          -- ground speed, m/s
    true_track      double precision,          -- degrees clockwise from north
    vertical_rate   double precision,          -- m/s, positive when climbing
    sensors         integer[],                 -- receivers that contributed (usually null)
    geo_altitude    double precision,          -- geometric altitude, metres
    squawk          text,                      -- transponder code, 4 octal digits
    spi             boolean,                   -- special purpose indicator
    position_source smallint,                  -- 0 ADS-B, 1 ASTERIX, 2 MLAT, 3 FLARM
    category        smallint                   -- aircraft category 0..20 (extended=1 only)
);

-- Updates and deletes carry the whole old row, so the change history holds full before-images.
ALTER TABLE public.flight_state REPLICA IDENTITY FULL;

-- State vectors the poll refused, with the reason and the vector as received: nothing is lost.
CREATE TABLE IF NOT EXISTS public.rejected_state (
    id          bigserial PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now(),
    reason      text NOT NULL,
    raw         text NOT NULL
);
