#!/bin/bash
# What Kafka's producer, configured as the capture's, takes before compression while the broker does not answer,
# fresh and after it has learnt the changes' compression ratio (see the .java and capture/InFlightBudget). Run from the
# project's root after ./mvnw test-compile (it sends the tests' FlightStateInserts); JAVA_HOME picks the Java that runs
# it. Uses ports 29092-29093.
set -eu
W=$(mktemp -d)
trap 'rm -rf $W' EXIT
./mvnw -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$W/cp.txt > /dev/null
CP="target/classes:target/test-classes:$(cat $W/cp.txt)"
javac -d $W/classes -cp "$CP" bench/scripts/producer-stall/ProducerStall.java
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$W/classes:$CP" capture.ProducerStall $W/kafka 29092 2>&1 | grep "^after"
