#!/bin/bash
# psql as users write, against `run --no-poll`: an INSERT ... SELECT of 60,000 rows, an UPDATE of all of them, one of
# 55,555, three clients at once updating 20,000 each, a \copy of 45,000 rows and a DELETE of 30,000 (310,555 changes,
# 75,000 rows left). Waits until the log has said every change loaded, stops the pipeline with SIGTERM and runs
# `verify`. Prints the peak RSS and, from the collector's log, its full collections, their pauses and the largest heap
# left after one. JAVA_OPTS goes to the launcher (say -Xmx320m); -Xlog:gc is added.
set -u
APP=${APP:?the unpacked release, target/flight-cdc-*.tar.gz}
R=${R:-/tmp/flightcdc-bulk}; rm -rf $R; mkdir -p $R
cd $APP
JAVA_OPTS="${JAVA_OPTS:-} -Xlog:gc:file=$R/gc.log" bin/flight-cdc run --no-poll --data-dir $R/data > $R/run.log 2>&1 &
PID=$!
( while kill -0 $PID 2>/dev/null; do awk '/VmRSS/ {print $2}' /proc/$PID/status >> $R/rss-kib; sleep 1; done ) &
for i in $(seq 1 180); do grep -q 'started in' $R/run.log && break; sleep 1; done
sleep 15
export PGPASSWORD=$(cat $R/data/postgres.password)
P="psql -q -h 127.0.0.1 -p 54329 -U postgres -d postgres -v ON_ERROR_STOP=1"
COLUMNS="icao24, callsign, origin_country, time_position, last_contact, longitude, latitude, baro_altitude, on_ground,
  velocity, true_track, vertical_rate, geo_altitude, squawk, spi, position_source, category"
started=$(date +%s)
$P -c "INSERT INTO flight_state ($COLUMNS) SELECT to_hex(1000000 + g), 'CS' || g, 'Country', now(), now(),
  random() * 360 - 180, random() * 180 - 90, random() * 12000, false, random() * 300, random() * 360, random() * 10 - 5,
  random() * 12000, '1000', false, 0, 1 FROM generate_series(1, 60000) g"
$P -c "UPDATE flight_state SET velocity = velocity + 1"
$P -c "UPDATE flight_state SET squawk = '2000' WHERE icao24 IN (SELECT icao24 FROM flight_state ORDER BY icao24 LIMIT 55555)"
clients=()
for k in 0 1 2; do
  $P -c "UPDATE flight_state SET true_track = true_track + 1
    WHERE icao24 IN (SELECT icao24 FROM flight_state ORDER BY icao24 OFFSET $((k * 20000)) LIMIT 20000)" &
  clients+=($!)
done
wait "${clients[@]}"
for g in $(seq 100001 145000); do
  printf '%x,CSV%d,Copyland,2026-12-04 12:00:00+00,2026-12-04 12:00:01+00,1.5,2.5,100,true,10,20,0,110,7000,false,1,2\n' $g $g
done > $R/copy.csv
$P -c "\copy flight_state ($COLUMNS) FROM '$R/copy.csv' WITH (FORMAT csv)"
$P -c "DELETE FROM flight_state WHERE icao24 IN (SELECT icao24 FROM flight_state ORDER BY icao24 LIMIT 30000)"
for i in $(seq 1 900); do
  loaded=$(grep -o 'Loaded [0-9]* changes' $R/run.log | awk '{s += $2} END {print s + 0}')
  [ "$loaded" -ge 310555 ] && break
  sleep 2
done
echo "changes loaded: $loaded, $(( $(date +%s) - started )) s after the first statement"
kill -TERM $PID; wait $PID
bin/flight-cdc verify --data-dir $R/data 2>&1 | tail -1
echo "peak RSS: $(( $(sort -n $R/rss-kib | tail -1) / 1024 )) MiB"
grep 'Pause Full' $R/gc.log | awk '{n++; gsub("ms", "", $NF); s += $NF; split($(NF-1), h, "->"); sub("M.*", "", h[2]);
  if (h[2] + 0 > m) m = h[2] + 0} END {printf "full collections: %d, %.1f s of pauses, at most %d MB after one\n", n, s / 1000, m}'
