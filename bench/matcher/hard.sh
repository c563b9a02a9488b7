#!/bin/sh
# hard.sh — the engine on gen_instance's shapes (README.md, "Hard shapes"):
# one table row per instance with its result and its cost in pair scorings.
#
#   bench/matcher/hard.sh [--shapes "broad hub ties tight scarce"]
#                         [--sizes "5000x2000 100000x20000"] [--seed S]
#                         [--dir DIR] [--compare] [--compare-max PAIRS]
#
#   --shapes       the shapes to run (default: all, broad first as the
#                  reference of the same run);
#   --sizes        MENTEESxCOACHES, space-separated;
#   --seed S       every instance's seed (default: 1 at the first size, 2 at
#                  the second, ..., as the figures of README.md);
#   --dir DIR      write the instances there and keep them, named
#                  SHAPE-MxC-sSEED.tsv, reusing one that exists (default: a
#                  temporary folder, removed at exit).  Never commit them;
#   --compare      also run compare.sh (scipy, LEMON, same optimum) on every
#                  instance of at most --compare-max mentee x coach pairs
#                  (default 10,000,000: scipy's dense matrix and LEMON's
#                  graph of every pair must fit, and they take seconds).
#
# Environment: B (build folder, default build/rel), ENGINE_ARGS (extra
# bench_matcher options, e.g. "--objective quality"), REPEAT (compare.sh's
# runs per solver, default 3), GLIBC_TUNABLES (every solver's, default
# coachnetd's, glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432;
# GLIBC_TUNABLES= for glibc's
# defaults: see compare.sh's header).
#
# Columns: matched, objective, certified as bench_matcher prints them;
# rounds = pricing rounds; pairs = pair scorings of the whole run (first
# scoring pass included); passes = pairs / (mentees x coaches), where 1.00
# is one full pass over all pairs; ms = the run's wall time (match_run only),
# cpu_ms = its CPU time over all threads, rss_mb = the process's peak RSS
# (instance included).  With --compare: scipy_ms and lemon_ms are the solve
# calls alone (compare.sh), x_scipy and x_lemon their ratio to the engine's
# whole run as compare.sh measured it (best of REPEAT), eq = the three
# optima are equal.
#
# Exit status: 0; 1 when a step fails, a run is not certified, or (with
# --compare) an optimum differs — the message says which instance.
set -eu

B=${B:-build/rel}
here=$(dirname "$0")
export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432}"
shapes="broad hub ties tight scarce"
sizes="5000x2000 100000x20000"
seed="" dir="" compare=0 compare_max=10000000

die() { echo "hard.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
    --shapes) shapes=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --compare) compare=1; shift ;;
    --compare-max) compare_max=$2; shift 2 ;;
    *) die "unknown option $1 (see the header of $0)" ;;
    esac
done

for p in gen_instance bench_matcher; do
    [ -x "$B/bench/matcher/$p" ] || die "$B/bench/matcher/$p is missing (make bench)"
done
if [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/cn-hard.XXXXXX")
    trap 'rm -rf "$dir"' EXIT INT TERM
else
    mkdir -p "$dir"
fi

# field KEY LINE: the value of KEY=value in LINE.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

echo "# every solver with GLIBC_TUNABLES=$GLIBC_TUNABLES"
# the row format, shared by the header and the rows
hdr="%-7s %-13s %8s %16s %4s %6s %14s %6s %9s %8s %7s"
# shellcheck disable=SC2059
printf "$hdr" shape size matched objective cert rounds pairs passes ms cpu_ms rss_mb
[ "$compare" = 1 ] && printf ' %9s %9s %8s %8s %3s' scipy_ms lemon_ms x_scipy x_lemon eq
printf '\n'

status=0
i=0
for size in $sizes; do
    i=$((i + 1))
    nm=${size%x*} nc=${size#*x}
    if [ "$nm" = "$size" ] || [ -z "$nm" ] || [ -z "$nc" ]; then
        die "bad size $size (MENTEESxCOACHES)"
    fi
    s=${seed:-$i}
    for shape in $shapes; do
        inst="$dir/$shape-$size-s$s.tsv"
        if [ ! -s "$inst" ]; then
            "$B/bench/matcher/gen_instance" --shape "$shape" --mentees "$nm" --coaches "$nc" --seed "$s" \
                -o "$inst.part" || die "gen_instance failed for $shape $size"
            mv "$inst.part" "$inst"
        fi
        # shellcheck disable=SC2086  # ENGINE_ARGS is a list of options
        run=$("$B/bench/matcher/bench_matcher" --instance "$inst" ${ENGINE_ARGS:-} | grep '^run ') ||
            die "bench_matcher failed on $inst"
        # shellcheck disable=SC2059
        printf "$hdr" "$shape" "$size" "$(field matched "$run")" "$(field objective "$run")" \
            "$(field certified "$run")" "$(field pricing_rounds "$run")" "$(field pairs_scored "$run")" \
            "$(field passes "$run")" "$(field elapsed_ms "$run")" "$(field cpu_ms "$run")" \
            "$(($(field peak_rss_kb "$run") / 1024))"
        if [ "$(field certified "$run")" != 1 ]; then
            echo >&2
            echo "hard.sh: $shape $size: the run is not certified" >&2
            status=1
        fi
        if [ "$compare" = 1 ] && [ $((nm * nc)) -le "$compare_max" ]; then
            out=$("$here/compare.sh" "$inst" 2>&1) || {
                echo >&2
                printf '%s\n' "$out" >&2
                die "$shape $size: compare.sh failed or the optima differ (above)"
            }
            row() { printf '%s\n' "$out" | awk -v n="$1" '$1 == n { print $5; exit }'; }
            e_ms=$(row engine) p_ms=$(row scipy) l_ms=$(row lemon)
            printf '%s\n' "$out" | grep -q '^optima equal: yes$' ||
                die "$shape $size: compare.sh did not report equal optima"
            e_obj=$(printf '%s\n' "$out" | awk '$1 == "engine" { print $2 " " $3; exit }')
            if [ "$e_obj" != "$(field objective "$run") $(field matched "$run")" ]; then
                die "$shape $size: compare.sh's engine optimum differs from this run's"
            fi
            awk -v e="$e_ms" -v p="$p_ms" -v l="$l_ms" \
                'BEGIN { printf " %9.1f %9.1f %7.1fx %7.1fx %3s", p, l, p / e, l / e, "yes" }'
        fi
        printf '\n'
    done
done
exit "$status"
