-- A user's migration recorded in the same public.flyway_schema_history as an earlier flight-cdc's.
CREATE TABLE their_table (id int PRIMARY KEY);
