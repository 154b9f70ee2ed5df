#!/usr/bin/env bash
# Sets up the compose stack's source database, once, when the postgres container first starts with an empty volume
# (the image runs /docker-entrypoint-initdb.d/*.sh as the superuser, through its socket). SmokeScriptEndToEndTest runs
# it too, against a PostgreSQL of its own, with libpq's PG* variables saying where.
#
#   the poll's tables, public.flight_state and public.rejected_state (sql/poll), owned by the pipeline's role: the
#   poll writes them and its migrations keep them; and public.smoke_change, which docker/smoke.sh writes;
#   the pipeline's role of least privilege, made by sql/roles/source-role.sql: LOGIN and REPLICATION, not a
#   superuser, a schema of its own, SELECT on the captured tables, owner of their publication;
#   CREATE on schema public, which the poll's migrations need (see docs/deploy.md);
#   in the image, replication connections from other hosts, for that role.
set -euo pipefail

sql_dir=${FLIGHTCDC_SQL_DIR:-/flight-cdc/sql}
role=${FLIGHTCDC_SOURCE_USER:-flightcdc}
psql=(psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}")

"${psql[@]}" -f "$sql_dir/poll/V1__flight_state.sql"
"${psql[@]}" <<'SQL'
-- What docker/smoke.sh writes; nothing else does.
CREATE TABLE public.smoke_change (
    id         bigint PRIMARY KEY,
    client     integer NOT NULL,
    note       text,
    amount     numeric(12, 2),
    changed_at timestamptz NOT NULL DEFAULT now()
);
SQL
"${psql[@]}" -v role="$role" -v password="${FLIGHTCDC_SOURCE_PASSWORD:?set FLIGHTCDC_SOURCE_PASSWORD, the password of the pipeline role}" \
    -v tables='public.flight_state, public.smoke_change' -f "$sql_dir/roles/source-role.sql"
"${psql[@]}" -v role="$role" <<'SQL'
ALTER TABLE public.flight_state OWNER TO :"role";
ALTER TABLE public.rejected_state OWNER TO :"role";
GRANT CREATE ON SCHEMA public TO :"role";
SQL
# The image lets replication connections in from its own host only (its pg_hba.conf's "all" does not cover them): the
# pipeline's come from its own container. Read when the server starts for good, after these scripts. Only in the
# image, which sets PGDATA; a server of your own has its pg_hba.conf already.
if [ -n "${PGDATA:-}" ] && [ -f "$PGDATA/pg_hba.conf" ]; then
  echo "host replication $role all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
echo "flight-cdc: source database ready for role $role"
