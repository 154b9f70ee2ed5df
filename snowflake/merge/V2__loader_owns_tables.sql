-- JDBC MERGE mode: the loader makes its own current-state, history and dead-letter tables and the analytics
-- views at startup, and widens the tables when the source gains a column. ALTER TABLE needs ownership, so
-- the loader creates them itself and owns them; its temporary staging tables need CREATE TABLE too.
GRANT CREATE TABLE, CREATE VIEW ON SCHEMA ${database}.${schema} TO ROLE ${loader_role};
