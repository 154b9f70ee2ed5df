-- Debezium's heartbeat writes here (see source.Heartbeat). While the captured tables are idle and
-- other tables or databases write, PostgreSQL sends Debezium nothing it could confirm, so the
-- replication slot keeps every WAL segment since the last captured change. Each heartbeat updates
-- this one row; the change reaches Debezium through the publication, its position is confirmed,
-- and PostgreSQL may recycle the WAL before it. beat_at also tells when the last heartbeat ran.
-- In the pipeline's own schema (flightcdc.source.schema), beside this history. IF NOT EXISTS: on a source made
-- by an earlier version it is public.flightcdc_heartbeat, moved here at start (source.LegacyLayout).
CREATE TABLE IF NOT EXISTS ${flyway:defaultSchema}.heartbeat (
    id      int PRIMARY KEY,
    beat_at timestamptz NOT NULL
);
