#!/usr/bin/env bash
# Smoke test of a running pipeline in external mode: makes changes with psql the ways applications do, waits until
# the warehouse has them (flight-cdc catch-up), stops the pipeline (DuckDB lets one process open its file), then
# checks that the warehouse's current state equals the source (flight-cdc verify) and that its history holds each
# change exactly once (as many rows as the statements reported changes). Exits non-zero at the first failure.
#
# It writes public.smoke_change only (docker/postgres-init.sh makes it and the pipeline captures it), with keys above
# every key there, so it can run again on the same stack. verify compares that table alone: flight_state changes
# with every poll up to the stop, and the last poll's changes may reach the warehouse only at the next start.
#
# Run from anywhere, against the compose stack (docker compose -f docker/compose.yaml up -d --wait first):
#   docker/smoke.sh
# With three brokers: SMOKE_COMPOSE="docker compose -f docker/compose.yaml -f docker/compose.ha.yaml" docker/smoke.sh
# Elsewhere, the environment says how to reach each piece (each a command line, split on spaces):
#   SMOKE_COMPOSE        the stack's compose command, for the defaults below; default: docker compose -f docker/compose.yaml
#   SMOKE_PSQL           psql into the source database as a user that may write smoke_change (libpq's PG*
#                        variables work too); default: docker compose exec -T postgres psql -U postgres -d flights
#   SMOKE_FLIGHT_CDC     flight-cdc with the pipeline's settings; default: docker compose run --rm --no-deps -T pipeline
#   SMOKE_STOP_PIPELINE  stops the pipeline and returns once it has exited; default: docker compose stop pipeline
#   SMOKE_DUCKDB         the warehouse file, as flight-cdc sees it; default: /var/lib/flight-cdc/warehouse.duckdb
#   SMOKE_ROWS (1000), SMOKE_CLIENTS (4), SMOKE_TIMEOUT (180, seconds for each catch-up)
set -euo pipefail
set -f # the commands are split on spaces, never globbed

here=$(cd "$(dirname "$0")" && pwd)
compose=${SMOKE_COMPOSE:-docker compose -f $here/compose.yaml}
read -r -a psql_command <<< "${SMOKE_PSQL:-$compose exec -T postgres psql -U postgres -d flights}"
read -r -a flight_cdc_command <<< "${SMOKE_FLIGHT_CDC:-$compose run --rm --no-deps -T pipeline}"
read -r -a stop_command <<< "${SMOKE_STOP_PIPELINE:-$compose stop pipeline}"
duckdb=${SMOKE_DUCKDB:-/var/lib/flight-cdc/warehouse.duckdb}
rows=${SMOKE_ROWS:-1000}
clients=${SMOKE_CLIENTS:-4}
timeout=${SMOKE_TIMEOUT:-180}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Not named psql: SMOKE_PSQL may be just that.
source_sql() { "${psql_command[@]}" -X -v ON_ERROR_STOP=1 "$@"; }
flight_cdc() { "${flight_cdc_command[@]}" "$@"; }
say() { echo "smoke: $*"; }
# The rows each statement reports changing (psql prints INSERT 0 n, UPDATE n, DELETE n, COPY n).
changed() { awk '/^(INSERT 0|UPDATE|DELETE|COPY) [0-9]+$/ { n += $NF } END { print n + 0 }' "$@"; }

say "waiting for the pipeline to stream and load what the source holds"
flight_cdc catch-up --timeout "$timeout"

base=$(source_sql -At -c "SELECT coalesce(max(id), 0) + 1 FROM smoke_change")
say "writing keys from $base on"

# One client: a multi-row INSERT, a COPY, bulk and single-row UPDATEs, a bulk DELETE.
source_sql > "$work/bulk.out" <<SQL
INSERT INTO smoke_change (id, client, note, amount)
SELECT $base + g, 0, 'inserted ' || g, g * 1.25 FROM generate_series(0, $rows - 1) g;
UPDATE smoke_change SET note = 'bulk update ' || id, amount = amount + 1 WHERE id >= $base AND id % 3 = 0;
BEGIN;
UPDATE smoke_change SET note = 'one of many' WHERE id = $base + 1;
UPDATE smoke_change SET note = 'one of many, again' WHERE id = $base + 1;
UPDATE smoke_change SET amount = NULL WHERE id = $base + 2;
COMMIT;
DELETE FROM smoke_change WHERE id >= $base AND id % 7 = 0;
SQL
seq $((base + rows)) $((base + 2 * rows - 1)) | awk '{ printf "%d,0,copied %d,%d.50\n", $1, $1, $1 % 1000 }' \
    | source_sql -c "COPY smoke_change (id, client, note, amount) FROM STDIN (FORMAT csv)" > "$work/copy.out"
# Primary keys changed: each arrives as a delete of the old key and an insert of the new one.
source_sql -c "UPDATE smoke_change SET id = id + 100 * $rows WHERE id >= $base AND id < $base + 2 * $rows AND id % 11 = 5" \
    > "$work/keys.out"
# Rolled back: none of it may arrive.
source_sql > /dev/null <<SQL
BEGIN;
INSERT INTO smoke_change (id, client, note) VALUES ($base + 99 * $rows, 0, 'rolled back');
UPDATE smoke_change SET note = 'rolled back' WHERE id >= $base;
ROLLBACK;
SQL

# Clients at once, each in keys of its own: small transactions of inserts, updates and deletes.
pids=()
outputs=("$work/bulk.out" "$work/copy.out")
for client in $(seq 1 "$clients"); do
  from=$((base + (client + 1) * rows))
  {
    for tx in $(seq 0 19); do
      first=$((from + tx * 10))
      echo "BEGIN;"
      echo "INSERT INTO smoke_change (id, client, note, amount) SELECT g, $client, 'client $client', g % 100 FROM generate_series($first, $first + 9) g;"
      echo "UPDATE smoke_change SET note = 'client $client, updated in $tx' WHERE id BETWEEN $first AND $first + 4;"
      echo "DELETE FROM smoke_change WHERE id IN ($first + 8, $first + 9);"
      echo "COMMIT;"
    done
  } | source_sql > "$work/client-$client.out" &
  pids+=($!)
  outputs+=("$work/client-$client.out")
done
for pid in "${pids[@]}"; do
  wait "$pid"
done

key_changes=$(changed "$work/keys.out")
expected=$(( $(changed "${outputs[@]}") + 2 * key_changes ))
say "made $expected row changes ($key_changes primary keys changed, each a delete and an insert)"

flight_cdc catch-up --timeout "$timeout"
say "stopping the pipeline"
"${stop_command[@]}"

flight_cdc verify -D flightcdc.source.tables=public.smoke_change
loaded=$(flight_cdc query --duckdb "$duckdb" \
    "SELECT 'changes=' || count(*) FROM smoke_change_history WHERE id >= $base AND _op IN ('c', 'u', 'd')" \
    | sed -n 's/^changes=\([0-9][0-9]*\).*/\1/p')
if [ "$loaded" != "$expected" ]; then
  say "FAILED: the warehouse's history holds ${loaded:-no} changes of this run, the source made $expected"
  exit 1
fi
say "passed: $expected changes, each in the warehouse's history once, and smoke_change equal to the source"
