#!/bin/bash
# The direct snapshot into a PostgreSQL warehouse by 1 and by 2 writers (flightcdc.load.consumers, the topics of 2
# partitions either way), taking turns: a table of $ROWS rows on a PostgreSQL server of Debian's package (the
# `postgresql` package, as .ci/run installs it), which also holds the warehouse's database. Prints the pipeline's
# "Direct snapshot done" line of each run.
set -u
APP=${APP:?the unpacked release, target/flight-cdc-*.tar.gz}
ROWS=${ROWS:-500000}; ROUNDS=${ROUNDS:-3}
R=${R:-/tmp/flightcdc-snapshot-writers}; rm -rf $R; mkdir -p $R; chmod 777 $R
PGB=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
su postgres -c "$PGB/initdb -D $R/pg -A trust" > /dev/null
su postgres -c "$PGB/pg_ctl -D $R/pg -o '-p 55439 -k $R -c wal_level=logical' -l $R/pg.log start" > /dev/null
P="psql -q -h 127.0.0.1 -p 55439 -U postgres -v ON_ERROR_STOP=1"
$P -d postgres -c "CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2), placed timestamptz, tags text[], note text)"
$P -d postgres -c "INSERT INTO orders SELECT g, 'customer ' || (g % 997), (g % 10000) / 100.0, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second', ARRAY['t' || (g % 7), NULL], CASE WHEN g % 11 = 0 THEN NULL ELSE 'order ' || g END FROM generate_series(1, $ROWS) g" -c "VACUUM ANALYZE orders"
snapshot() { # writers round
  $P -d postgres -c "DROP PUBLICATION IF EXISTS flightcdc" -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots" \
    -c "DROP SCHEMA IF EXISTS flightcdc CASCADE" -c "DROP DATABASE IF EXISTS analytics" -c "CREATE DATABASE analytics" > /dev/null 2>&1
  log=$R/w$1-$2.log
  (cd $APP && exec bin/flight-cdc run --no-poll --data-dir $R/data-w$1-$2 --postgres-url jdbc:postgresql://127.0.0.1:55439/postgres \
    --postgres-user postgres -D flightcdc.source.tables=public.orders -D flightcdc.capture.snapshot=direct \
    -D flightcdc.kafka.partitions=2 -D flightcdc.load.consumers=$1 -D flightcdc.warehouse.type=postgres \
    -D flightcdc.warehouse.postgres-url=jdbc:postgresql://127.0.0.1:55439/analytics > $log 2>&1) &
  pid=$!
  for i in $(seq 1 600); do grep -q "Direct snapshot done\|Exception" $log && break; sleep 0.5; done
  kill -TERM $pid; wait $pid
  echo "$1 writer(s), round $2: $(grep -h 'Direct snapshot done' $log | sed 's/.*done: //;s/; the capture.*//')"
}
for round in $(seq 1 $ROUNDS); do snapshot 1 $round; snapshot 2 $round; done
su postgres -c "$PGB/pg_ctl -D $R/pg stop -m fast" > /dev/null
