#!/bin/bash
# Loader catch-up on a PostgreSQL warehouse: one loader process (2 consumers) vs two processes (1 consumer each),
# and the DuckDB file (1 process, 2 consumers), over the same Kafka topics (2 partitions), side by side in one run.
set -u
APP=${APP:?the unpacked release, target/flight-cdc-*.tar.gz}
R=${R:-/tmp/flightcdc-loaders}; rm -rf $R; mkdir -p $R
cd $APP
bin/flight-cdc run --no-poll --no-load --data-dir $R/cap -D flightcdc.http.enabled=false -D flightcdc.source.embedded-port=54441 \
  -D flightcdc.kafka.embedded-port=19496 -D flightcdc.kafka.partitions=2 > $R/cap.log 2>&1 &
for i in $(seq 1 60); do grep -q 'started in' $R/cap.log && break; sleep 2; done
export PGPASSWORD=$(cat $R/cap/postgres.password)
P="psql -q -h 127.0.0.1 -p 54441 -U postgres"
$P -c "INSERT INTO flight_state (icao24, callsign, origin_country, last_contact, on_ground, velocity)
       SELECT 'm' || lpad(g::text, 5, '0'), 'CS' || g, 'Testland', now(), false, g FROM generate_series(1, 20000) g"
$P -c "CREATE PROCEDURE churn() LANGUAGE plpgsql AS \$\$ BEGIN FOR r IN 1..9 LOOP FOR c IN 0..19 LOOP
       UPDATE flight_state SET velocity = velocity + 1 WHERE icao24 BETWEEN 'm' || lpad((c*1000+1)::text,5,'0') AND 'm' || lpad((c*1000+1000)::text,5,'0');
       COMMIT; END LOOP; END LOOP; END \$\$" && $P -c "CALL churn()"
# Wait until the capture has published everything (two quiet log intervals).
sleep 20
for i in $(seq 1 60); do tail -2 $R/cap.log | grep -q 'Published' || break; sleep 5; done
echo "published: $(grep -o 'Published [0-9]*' $R/cap.log | awk '{s+=$2} END {print s}')"
SRC=jdbc:postgresql://127.0.0.1:54441/postgres
loaders() { # name type processes consumers
  name=$1; type=$2; n=$3; c=$4
  [ "$type" = postgres ] && $P -c "CREATE DATABASE $name"
  start=$(date +%s.%N)
  for k in $(seq 1 $n); do
    FLIGHTCDC_SOURCE_PASSWORD=$PGPASSWORD FLIGHTCDC_WAREHOUSE_POSTGRES_PASSWORD=$PGPASSWORD bin/flight-cdc run --no-capture --no-poll \
      --data-dir $R/$name-$k --postgres-url $SRC -D flightcdc.http.port=1830$k -D flightcdc.kafka.bootstrap-servers=127.0.0.1:19496 \
      -D flightcdc.kafka.partitions=2 -D flightcdc.kafka.consumer-group=$name -D flightcdc.load.consumers=$c \
      -D flightcdc.warehouse.type=$type -D flightcdc.warehouse.postgres-url=jdbc:postgresql://127.0.0.1:54441/$name \
      -D flightcdc.warehouse.duckdb-path=$R/$name.duckdb > $R/$name-$k.log 2>&1 &
  done
  # Loaded when the loaders' meters count every change (20,000 inserts + 180,000 updates); the time from the first
  # change counted, so that the JVMs' start is left out.
  t0=""
  for i in $(seq 1 1200); do
    got=0
    for k in $(seq 1 $n); do
      m=$(curl -s http://127.0.0.1:1830$k/observe/metrics 2>/dev/null | grep '^flightcdc_loaded_changes_total' | awk '{s+=$2} END {print s+0}')
      got=$(echo "$got + ${m:-0}" | bc)
    done
    got=${got%.*}
    [ -z "$t0" ] && [ "$got" -gt 0 ] && t0=$(date +%s.%N) && g0=$got
    [ "$got" -ge 200000 ] && break; sleep 0.25
  done
  end=$(date +%s.%N)
  echo "$name: $type, $n process(es) x $c consumer(s): $got changes; $(echo "$end - $start" | bc) s from start; $(echo "($got - $g0) / ($end - $t0)" | bc) changes/s from the first change counted"
  pkill -f "consumer-group=$name" ; sleep 8
}
loaders pg1 postgres 1 2
loaders pg2 postgres 2 1
loaders duck1 duckdb 1 2
loaders pg1b postgres 1 2
loaders pg2b postgres 2 1
pkill -f 'cli.FlightCdc run'; sleep 5
