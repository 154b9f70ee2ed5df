#!/bin/bash
# What a batch costs in DuckDB's statements: the current state applied by a MERGE against a DELETE and an INSERT (see
# the .java). Run from the project's root after ./mvnw compile. Arguments: the current state's rows (default 45000),
# the batch sizes (default 100,1000,10000), the batches of each size per variant (default 21).
set -eu
W=$(mktemp -d)
./mvnw -q -o dependency:build-classpath -Dmdep.outputFile=$W/cp.txt > /dev/null
CP="target/classes:$(cat $W/cp.txt)"
javac -d $W/classes -cp "$CP" bench/scripts/duckdb-apply/DuckDbApply.java
java -cp "$W/classes:$CP" warehouse.DuckDbApply "${1:-45000}" "${2:-100,1000,10000}" "${3:-21}"
rm -rf $W
