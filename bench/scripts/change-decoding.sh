#!/bin/bash
# A change's record value read from a String with Jackson's char parser against from its UTF-8 bytes, in one JVM (see
# the .java). Run from the project's root after ./mvnw compile; JAVA_HOME picks the Java that runs it.
set -eu
W=$(mktemp -d)
./mvnw -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$W/cp.txt > /dev/null
CP="target/classes:$(cat $W/cp.txt)"
javac -d $W/classes -cp "$CP" bench/scripts/change-decoding/ChangeDecoding.java
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -XX:+UseParallelGC -cp "$W/classes:$CP" warehouse.ChangeDecoding
rm -rf $W
