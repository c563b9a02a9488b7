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

check() {
    desc=$1 shape=$2 nm=$3 nc=$4 pct=$5
    n=$((n + 1))
    inst="$tmp/$shape-$nm.tsv"
    why=
    if ! "$B/bench/matcher/gen_instance" --shape "$shape" --mentees "$nm" --coaches "$nc" --seed 4 -o "$inst" \
        >"$tmp/gen.out" 2>&1; then
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
    if [ -z "$why" ]; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc"
        printf '%s\n' "$why" | sed 's/^/# /'
        status=1
    fi
}

echo "1..2"
check "broad 1,500 x 300, 2 % changed" broad 1500 300 2
check "hub 800 x 200, 5 % changed" hub 800 200 5
exit $status
