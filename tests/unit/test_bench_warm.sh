#!/bin/sh
# test_bench_warm.sh — bench_matcher --warm-change, in `make check`: on small
# generated instances (broad and hub shapes) a re-run after a change, warm
# and then cold, twice, must reach the same certified optimum (the benchmark
# exits 1 when it does not), score fewer pairs warm than cold, and print the
# keys bench/matcher/README.md documents for its `warm` line.  TAP output.
#
# Env: B (build folder; tests/run-tests sets it).  The binaries are built by
# `make check` (tests/module.mk adds them to check-build).
B=${B:-build/rel}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cn-bench-warm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
status=0

# key KEY LINE: the value of KEY=... in LINE (empty when absent)
key() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# gen SHAPE NM NC: write the instance to $inst (seed 4); its messages to
# $tmp/gen.out
gen() {
    inst="$tmp/$1-$2.tsv"
    "$B/bench/matcher/gen_instance" --shape "$1" --mentees "$2" --coaches "$3" --seed 4 -o "$inst" \
        >"$tmp/gen.out" 2>&1
}

# report DESC: the TAP line of test $n, failed when why is set
report() {
    if [ -z "$why" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        printf '%s\n' "$why" | sed 's/^/# /'
        status=1
    fi
}

check() {
    desc=$1 shape=$2 nm=$3 nc=$4 pct=$5
    n=$((n + 1))
    why=
    if ! gen "$shape" "$nm" "$nc"; then
        why="gen_instance failed: $(cat "$tmp/gen.out")"
    elif ! out=$("$B/bench/matcher/bench_matcher" --instance "$inst" --warm-change "$pct" --seed 5 --repeat 2 \
        --threads 1 2>&1); then
        why="bench_matcher exited non-zero: $out"
    else
        line=$(printf '%s\n' "$out" | grep '^warm ')
        for k in warm_ms cold_ms cold_over_warm warm_ms_first warm_faults warm_faults_first cold_faults \
            warm_pairs cold_pairs state_mb; do
            [ -n "$(key "$k" "$line")" ] || why="$why no $k;"
        done
        [ "$(key same_optimum "$line")" = 1 ] || why="$why same_optimum is not 1;"
        [ "$(key repeat "$line")" = 2 ] || why="$why repeat is not 2;"
        wp=$(key warm_pairs "$line") cp=$(key cold_pairs "$line")
        [ -n "$wp" ] && [ -n "$cp" ] && [ "$wp" -lt "$cp" ] || why="$why warm pairs $wp not below cold $cp;"
        [ -z "$why" ] || why="$why line: $line"
    fi
    report "$desc"
}

# A warm re-run whose round defers drift scans: hub 2,000 x 400, 1 % changed
# with --seed 1, is one where a batch of the waiting scans (price_wait in
# matcher/run.c) finds a violation and the rest wait for the next round.
# With --check-bounds every round's bounds are checked against every pair:
# a deferred scan must leave its mentee's bound as it was (a mutation that
# gave the deferred mentees this round's bounds fails here), and the re-run
# must still reach the cold run's certified optimum.
check_wait() {
    n=$((n + 1))
    why=
    if ! gen hub 2000 400; then
        why="gen_instance failed: $(cat "$tmp/gen.out")"
    elif ! out=$("$B/bench/matcher/bench_matcher" --instance "$inst" --warm-change 1 --seed 1 --threads 1 \
        --check-bounds --verbose 2>&1); then
        why="bench_matcher exited non-zero: $(printf '%s\n' "$out" | grep -v '^progress')"
    else
        for label in run rerun_warm rerun_cold; do
            line=$(printf '%s\n' "$out" | grep "^$label ")
            [ "$(key bound_errors "$line")" = 0 ] || why="$why $label: bound_errors is not 0;"
        done
        [ "$(key same_optimum "$(printf '%s\n' "$out" | grep '^warm ')")" = 1 ] || why="$why same_optimum is not 1;"
        # the warm re-run's rounds: the lines after rerun_warm, before rerun_cold
        waited=$(printf '%s\n' "$out" | sed -n '/^rerun_warm /,/^rerun_cold /p' | grep '^round ' |
            tr ' ' '\n' | sed -n 's/^waited=//p' | sort -n | tail -1)
        [ -n "$waited" ] && [ "$waited" -gt 0 ] || why="$why no round of the warm re-run deferred a scan;"
    fi
    report "hub 2,000 x 400: drift scans deferred, every bound checked"
}

echo "1..3"
check "broad 1,500 x 300, 2 % changed" broad 1500 300 2
check "hub 800 x 200, 5 % changed" hub 800 200 5
check_wait
exit $status
