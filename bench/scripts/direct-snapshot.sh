#!/bin/bash
# The ceiling of a direct initial snapshot on this machine: PostgreSQL's COPY over page ranges of one exported
# snapshot, loaded by DuckDB's own CSV reader (see the .java). Run from the project's root after ./mvnw compile.
# Arguments: rows (default 500000), then the reader counts (default 1 2).
set -eu
W=$(mktemp -d)
./mvnw -q -o dependency:build-classpath -Dmdep.outputFile=$W/cp.txt > /dev/null
CP="target/classes:$(cat $W/cp.txt)"
javac -d $W/classes -cp "$CP" bench/scripts/direct-snapshot/DirectSnapshotProbe.java
java -Xmx448m -XX:+UseParallelGC -cp "$W/classes:$CP" bench.DirectSnapshotProbe "$@"
rm -rf $W
