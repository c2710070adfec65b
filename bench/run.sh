#!/bin/sh
# One command for the benchmarks (docs/bench.md): builds the jar, then runs the scenarios of
# BENCHMARKS.md on this machine. Needs: apt-get install -y wrk python3-qpid-proton
# Knobs (environment): RUNS=3 DURATION=10 N_FILES=2000 N_MESSAGES=2000 SCENARIOS=a,b,c,d,e JFR=0
set -eu
cd "$(dirname "$0")/.."
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -B -q package -DskipTests
fi
exec /usr/bin/python3 bench/bench.py "$@"
