-- Debezium's position in the WAL, when flightcdc.capture.position-store = source (capture.PositionTable): beside
-- the replication slot it belongs to, where a restarted container or another instance finds it. One set of rows
-- per slot, so that pipelines on their own slots keep their own; keys and values as Kafka Connect serialises them.
CREATE TABLE IF NOT EXISTS ${flyway:defaultSchema}.capture_position (
    slot  text  NOT NULL,
    key   bytea NOT NULL,
    value bytea,
    PRIMARY KEY (slot, key)
);
