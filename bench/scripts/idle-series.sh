#!/bin/bash
# The idle cost: pipelines with nothing to carry but the heartbeats (`run --no-poll`), side by side so that the
# machine's noise is the same for all, each thread's CPU read from /proc every STEP seconds for TOTAL seconds.
# Prints each pipeline's share of one core per window, then its threads by name over the windows from SETTLED seconds
# on (the JIT is still compiling in the first minutes). APPS lists one unpacked release per pipeline (the same one
# twice by default: the spread between them is the noise); to compare two builds, APPS="old new". Copy i listens on
# the default ports plus 10 × i. The embedded PostgreSQL's processes are not counted, as in `bench`.
set -u
APP=${APP:?the unpacked release, target/flight-cdc-*.tar.gz}
APPS=(${APPS:-$APP $APP})
TOTAL=${TOTAL:-1200} STEP=${STEP:-120} SETTLED=${SETTLED:-600}
R=${R:-/tmp/flightcdc-idle}; rm -rf $R; mkdir -p $R
HZ=$(getconf CLK_TCK)

# One line per thread: its id, its user + system CPU in clock ticks, its name (which may hold spaces).
sample() {
  local pid=$1 t s f
  for t in /proc/$pid/task/*; do
    s=$(cat $t/stat 2>/dev/null) && f=(${s##*\) }) || continue
    echo "${t##*/} $(( f[11] + f[12] )) $(cat $t/comm 2>/dev/null)"
  done
}

PIDS=()
for i in "${!APPS[@]}"; do
  off=$((10 * (i + 1))); mkdir -p $R/$i
  (cd ${APPS[$i]} && exec bin/flight-cdc run --no-poll --data-dir $R/$i/data \
      -D flightcdc.source.embedded-port=$((54329 + off)) -D flightcdc.kafka.embedded-port=$((19092 + off)) \
      -D flightcdc.http.port=$((18090 + off)) -D flightcdc.simulator.port=$((18080 + off))) > $R/$i/run.log 2>&1 &
  PIDS+=($!)
  for s in $(seq 1 120); do grep -q 'started in' $R/$i/run.log && break; sleep 1; done
  grep -q 'started in' $R/$i/run.log || { echo "pipeline $i did not start: $R/$i/run.log"; kill ${PIDS[@]}; exit 1; }
done
trap 'kill ${PIDS[@]} 2>/dev/null' EXIT

windows=$((TOTAL / STEP))
for k in $(seq 0 $windows); do
  for i in "${!PIDS[@]}"; do sample ${PIDS[$i]} > $R/$i/$k; done
  [ $k -lt $windows ] && sleep $STEP
done

# CPU per thread name between two samples, in % of one core; a thread born in between counts from zero.
share() {
  awk -v hz=$HZ -v secs=$3 'NR == FNR { before[$1] = $2; next }
    { name = $3; for (j = 4; j <= NF; j++) name = name " " $j; cpu[name] += $2 - before[$1] }
    END { for (n in cpu) printf "%.4f\t%s\n", 100 * cpu[n] / hz / secs, n }' $1 $2
}
for i in "${!PIDS[@]}"; do
  line="pipeline $i (${APPS[$i]}), % of a core per window of $STEP s:"
  for k in $(seq 1 $windows); do
    line="$line $(share $R/$i/$((k - 1)) $R/$i/$k $STEP | awk '{ s += $1 } END { printf "%.2f", s }')"
  done
  echo "$line"
done
first=$((SETTLED / STEP))
for i in "${!PIDS[@]}"; do
  echo "pipeline $i from $SETTLED to $TOTAL s: $(share $R/$i/$first $R/$i/$windows $((TOTAL - SETTLED)) \
      | awk '{ s += $1 } END { printf "%.2f", s }')% of a core; by thread:"
  share $R/$i/$first $R/$i/$windows $((TOTAL - SETTLED)) | sort -rn | head -12 | awk -F"\t" '{ printf "  %6.2f  %s\n", $1, $2 }'
done
