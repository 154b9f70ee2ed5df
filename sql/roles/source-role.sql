-- The source user of least privilege: what the pipeline needs in a database of yours, and nothing more.
-- Run once, as a superuser, in the database to capture, with psql:
--
--   psql "host=db.example port=5432 dbname=shop user=postgres" \
--        -v role=flightcdc -v password='a long secret' -v tables='public.orders, public.order_lines' \
--        -f sql/roles/source-role.sql
--
-- Optional: -v schemas='public, sales' (the schemas of those tables; default public), -v pipeline_schema=...
-- and -v publication=... when flightcdc.source.schema and flightcdc.source.publication are not the default
-- flightcdc. Then set flightcdc.source.user and FLIGHTCDC_SOURCE_PASSWORD to the role and its password.
--
-- The role gets:
--   LOGIN and REPLICATION     to stream changes through a replication slot (on Amazon RDS, where
--                             REPLICATION cannot be granted: GRANT rds_replication TO the role instead);
--   a schema of its own       its heartbeat table and its migration histories (flightcdc.source.schema);
--   USAGE and SELECT          on the captured tables, which the first snapshot reads;
--   the publication           of the captured tables, as its owner, so that it adds its heartbeat table to it.
-- Not: ownership of your tables, CREATE on the database or on public, superuser. A start that finds a
-- privilege missing stops and names the statement that grants it. With the OpenSky poll on, the role also
-- needs CREATE on schema public for public.flight_state and public.rejected_state.
\set ON_ERROR_STOP on
\if :{?schemas}
\else
  \set schemas public
\endif
\if :{?pipeline_schema}
\else
  \set pipeline_schema flightcdc
\endif
\if :{?publication}
\else
  \set publication flightcdc
\endif

BEGIN;
CREATE ROLE :"role" LOGIN REPLICATION PASSWORD :'password';
CREATE SCHEMA :"pipeline_schema" AUTHORIZATION :"role";
GRANT USAGE ON SCHEMA :schemas TO :"role";
GRANT SELECT ON TABLE :tables TO :"role";
-- Only a table's owner may publish it; the publication then passes to the role (a superuser may give it to a
-- role without CREATE on the database).
CREATE PUBLICATION :"publication" FOR TABLE :tables WITH (publish_via_partition_root = true);
ALTER PUBLICATION :"publication" OWNER TO :"role";
COMMIT;
