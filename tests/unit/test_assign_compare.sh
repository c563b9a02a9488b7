#!/bin/sh
# test_assign_compare.sh — exactness of the whole engine against two
# independent reference solvers, in `make check`: small instances from
# gen_instance are solved by bench_matcher, by scipy's linear_sum_assignment
# and by LEMON's NetworkSimplex on the engine's weight dump, and by our
# solver alone on that dump (bench/matcher/compare.sh, README-compare.md);
# every optimum must be equal and the engine's result certified.  TAP output.
#
# Env: B (build folder; tests/run-tests sets it).  The binaries are built by
# `make check` (tests/module.mk adds them to check-build).
B=${B:-build/rel}
export B
n=0
status=0

check() {
    desc=$1
    shift
    n=$((n + 1))
    if out=$(REPEAT=1 "$@" 2>&1); then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc"
        printf '%s\n' "$out" | sed 's/^/# /'
        status=1
    fi
}

echo "1..3"
check "participation, 400 mentees x 120 coaches, seed 1" \
    bench/matcher/compare.sh --gen 400 120 1
check "quality, 300 mentees x 150 coaches, seed 2" \
    env ENGINE_ARGS="--objective quality" bench/matcher/compare.sh --gen 300 150 2
check "participation, over-subscribed 500 mentees x 40 coaches, seed 3" \
    bench/matcher/compare.sh --gen 500 40 3
exit $status
