-- Debezium's heartbeat writes here (see source.Heartbeat). While the captured tables are idle and
-- other tables or databases write, PostgreSQL sends Debezium nothing it could confirm, so the
-- replication slot keeps every WAL segment since the last captured change. Each heartbeat updates
-- this one row; the change reaches Debezium through the publication, its position is confirmed,
-- and PostgreSQL may recycle the WAL before it. beat_at also tells when the last heartbeat ran.
CREATE TABLE public.flightcdc_heartbeat (
    id      int PRIMARY KEY,
    beat_at timestamptz NOT NULL
);
