#!/bin/bash
# The first change after a quiet spell: the pipeline idle, then one INSERT every 6 s, each timed from the start of
# psql until the dashboard's console finds the row in the warehouse (polled every 10 ms, so add up to ~20 ms).
set -u
APP=${APP:?the unpacked release, target/flight-cdc-*.tar.gz}
R=${R:-/tmp/flightcdc-quiet}; rm -rf $R; mkdir -p $R
cd $APP
bin/flight-cdc run --no-poll --data-dir $R > $R/run.log 2>&1 & echo $! > $R/pid
for i in $(seq 1 120); do grep -q 'started in' $R/run.log && break; sleep 1; done
sleep 15
export PGPASSWORD=$(cat $R/postgres.password)
P="psql -q -h 127.0.0.1 -p 54329 -U postgres -d postgres -v ON_ERROR_STOP=1"
for k in 1 2 3 4 5 6; do
  sleep 6
  t1=$(date +%s%N)
  $P -c "INSERT INTO flight_state (icao24, callsign, last_contact) VALUES ('quiet$k', 'Q$k', now())"
  for i in $(seq 1 600); do
    curl -s -G http://127.0.0.1:18090/api/console/query --data-urlencode "sql=SELECT count(*) FROM flight_state WHERE icao24 = 'quiet$k'" \
      | grep -q '"rows":\[\["1"\]\]' && break
    sleep 0.01
  done
  echo "change $k: in the warehouse $(( ($(date +%s%N) - t1) / 1000000 )) ms after psql started"
done
kill -TERM $(cat $R/pid); while kill -0 $(cat $R/pid) 2>/dev/null; do sleep 0.2; done
