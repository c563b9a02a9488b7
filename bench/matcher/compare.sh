#!/bin/sh
# compare.sh — solve one instance with coachnet's engine, with
# scipy.optimize.linear_sum_assignment and with LEMON's NetworkSimplex; check
# that the three optima are equal; print the times and their ratios.
#
#   bench/matcher/compare.sh INSTANCE            an instance file (README.md §1)
#   bench/matcher/compare.sh --gen M C [SEED]    generate M mentees x C coaches
#
# Environment: B (build folder, default build/rel), REPEAT (runs of each
# solver, the fastest counts; default 3), KEEP=1 keeps the temporary files,
# ENGINE_ARGS extra bench_matcher options (e.g. "--objective quality"),
# GLIBC_TUNABLES (every solver's; default coachnetd's, below).
#
# The allocator: every solver runs with the GLIBC_TUNABLES that coachnetd
# runs with (coachnetd.service, docs/operations.md):
# glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432, malloc in
# transparent huge pages, its heaps grown 32 MiB at a time.  Each solver is a fresh process making
# one call, so in 4 KiB pages it faults at the first touch of every page of
# its working memory, and on a paravirtual VM a fault costs about 12 us (a
# third of the engine's run at 5,000 x 2,000).  GLIBC_TUNABLES= (set and
# empty) runs them all with glibc's defaults instead.
#
# What is timed (see README-compare.md):
#   engine   bench_matcher's elapsed_ms: the whole match_run — validation,
#            scoring every mentee x coach pair, candidate selection, solve,
#            pricing every pruned pair until certified, reasons, statistics;
#   solver   compare_assign: assign_solve alone on the full graph of feasible
#            pairs of the dump (with its certificate check);
#   scipy    the linear_sum_assignment call only (not reading, not building
#            the capacity-expanded matrix);
#   lemon    the NetworkSimplex::run() call only (not reading, not building
#            the graph).
# The references get the pair weights precomputed by our engine (the dump);
# the engine's own figure includes computing them.
#
# Exit status: 0 when all optima agree, 1 when they differ or a step fails.
set -eu

B=${B:-build/rel}
REPEAT=${REPEAT:-3}
export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432}"
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cn-compare.XXXXXX")
cleanup() { [ "${KEEP:-0}" = 1 ] && echo "files kept in $tmp" >&2 || rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

die() { echo "compare.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: compare.sh INSTANCE | --gen MENTEES COACHES [SEED]"
case $B in
*/san) san=1 ;;
*) san=0 ;;
esac
# Bring the binaries up to date; in a shared work tree another module may be
# mid-edit, so a failed build with every binary present is only a warning.
make --no-print-directory -s bench SANITIZE=$san >/dev/null 2>&1 ||
    echo "compare.sh: warning: make bench failed, using the binaries in $B" >&2
for p in gen_instance bench_matcher compare_assign lemon_ns; do
    [ -x "$B/bench/matcher/$p" ] || die "$B/bench/matcher/$p is missing (make bench)"
done

if [ "$1" = "--gen" ]; then
    [ $# -ge 3 ] || die "--gen needs MENTEES COACHES [SEED]"
    inst="$tmp/instance.tsv"
    "$B/bench/matcher/gen_instance" --mentees "$2" --coaches "$3" --seed "${4:-1}" -o "$inst" \
        || die "gen_instance failed"
else
    inst=$1
    [ -r "$inst" ] || die "cannot read $inst"
fi
dump="$tmp/weights.cnw"

# field KEY LINE: the value of KEY=value in LINE.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

# best CMD...: run REPEAT times, keep the output line with the smallest
# time_key (solve_ms or elapsed_ms, set by the caller).
best() {
    bestline="" besttime=""
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        line=$("$@") || die "$1 failed"
        line=$(printf '%s\n' "$line" | grep -E "^(run|assign|lemon|scipy) " | head -n 1)
        t=$(field "$time_key" "$line")
        [ -n "$t" ] || die "$1 printed no $time_key"
        if [ -z "$besttime" ] || awk "BEGIN{exit !($t < $besttime)}"; then
            besttime=$t bestline=$line
        fi
        i=$((i + 1))
    done
    printf '%s\n' "$bestline"
}

time_key=elapsed_ms
# shellcheck disable=SC2086  # ENGINE_ARGS is a list of options
engine=$(best "$B/bench/matcher/bench_matcher" --instance "$inst" --dump-weights "$dump" \
    ${ENGINE_ARGS:-})
[ -s "$dump" ] || die "bench_matcher wrote no weight dump"
time_key=solve_ms
solver=$(best "$B/bench/matcher/compare_assign" "$dump")
lemon=$(best "$B/bench/matcher/lemon_ns" "$dump")
scipy=$(best /usr/bin/python3 "$here/scipy_lsa.py" "$dump")

e_obj=$(field objective "$engine")
e_ms=$(field elapsed_ms "$engine")
status=0
printf 'every solver with GLIBC_TUNABLES=%s\n' "$GLIBC_TUNABLES"
printf '%-8s %20s %9s %14s %12s\n' solver objective matched gain time_ms
printf '%-8s %20s %9s %14s %12s   (whole run: %s)\n' engine "$e_obj" \
    "$(field matched "$engine")" "-" "$e_ms" "certified=$(field certified "$engine")"
for line in "$solver" "$lemon" "$scipy"; do
    name=${line%% *}
    printf '%-8s %20s %9s %14s %12s\n' "$name" "$(field objective "$line")" \
        "$(field matched "$line")" "$(field gain "$line")" "$(field solve_ms "$line")"
done

# The optimum: the three solvers on the dump agree on objective, matched and
# gain, and their objective is the engine's.
ref_m=$(field matched "$solver") ref_g=$(field gain "$solver")
for line in "$solver" "$lemon" "$scipy"; do
    name=${line%% *}
    if [ "$(field objective "$line")" != "$e_obj" ] || [ "$(field matched "$line")" != "$ref_m" ] ||
        [ "$(field gain "$line")" != "$ref_g" ]; then
        echo "MISMATCH: $name differs from the engine's optimum" >&2
        status=1
    fi
done
[ "$(field certified "$engine")" = 1 ] || { echo "MISMATCH: engine result not certified" >&2; status=1; }

s_ms=$(field solve_ms "$solver") l_ms=$(field solve_ms "$lemon") p_ms=$(field solve_ms "$scipy")
awk -v e="$e_ms" -v s="$s_ms" -v l="$l_ms" -v p="$p_ms" 'BEGIN {
    printf "ratios (reference solve time / ours):\n"
    printf "  engine whole run:  scipy %.1fx  lemon %.1fx\n", p / e, l / e
    printf "  solver alone:      scipy %.1fx  lemon %.1fx\n", p / s, l / s
}'
[ "$status" = 0 ] && echo "optima equal: yes" || echo "optima equal: NO"
exit "$status"
