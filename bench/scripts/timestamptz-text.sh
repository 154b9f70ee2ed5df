#!/bin/bash
# Debezium's timestamptz text against capture.ZonedTimestampText, one value at a time, in one JVM (see the .java).
# Run from the project's root after ./mvnw compile.
set -eu
W=$(mktemp -d)
./mvnw -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$W/cp.txt > /dev/null
CP="target/classes:$(cat $W/cp.txt)"
javac -d $W/classes -cp "$CP" bench/scripts/timestamptz-text/TimestamptzText.java
java -cp "$W/classes:$CP" capture.TimestamptzText
rm -rf $W
