#!/bin/sh
# bench/load/run.sh -- build the load generator and coachnetd, then run every
# load benchmark (bench/load/README.md).  Arguments go to run.py, e.g.
#   bench/load/run.sh --only get,mixed --duration 20
# Raises the open-file limit to its hard maximum first (10,000 idle TLS
# connections need as many descriptors in coachnetd and in the generator).
set -eu
cd "$(dirname "$0")/../.."
B=${B:-build/rel}; export B
ulimit -n "$(ulimit -Hn)"
make --no-print-directory -j2 "$B/server/coachnetd" "$B/bench/load/loadgen" >/dev/null
exec /usr/bin/python3 bench/load/run.py "$@"
