# tests/module.mk — test binaries that are not tied to one module's fragment.
#
# Each block below is self-contained: append a new block for a new suite.

# test_assign: the exact assignment solver (matcher/assign.c).  Linked with
# the solver's objects alone (assign.o, par.o), so the suite does not depend
# on the rest of libmatcher.
UNIT_TESTS += $(B)/tests/unit/test_assign
$(B)/tests/unit/test_assign.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_assign: $(B)/tests/unit/test_assign.o $(B)/matcher/assign.o $(B)/matcher/par.o
	$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) -o $@

# test_assign_run: match_run's optimal mode against an exhaustive search over
# the public scoring API (both objectives, pins, forbidden pairs).
UNIT_TESTS += $(B)/tests/unit/test_assign_run
$(B)/tests/unit/test_assign_run.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_assign_run: $(B)/tests/unit/test_assign_run.o $(B)/libmatcher.a
	$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) $(MATH_LIBS) -o $@

# test_assign_oom: every allocation failure inside the solver is an error
# return without leaks.  The solver's object and this test's calls to
# malloc/calloc/realloc go through the test's failing wrappers (--wrap).
UNIT_TESTS += $(B)/tests/unit/test_assign_oom
$(B)/tests/unit/test_assign_oom.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_assign_oom: $(B)/tests/unit/test_assign_oom.o $(B)/matcher/assign.o $(B)/matcher/par.o
	$(CC) $(LDFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc $^ $(CMOCKA_LIBS) -o $@

# test_assign_compare.sh: the engine's optimum equals scipy's and LEMON's on
# small generated instances (bench/matcher/compare.sh).  The benchmark
# binaries it runs are built by `make check` through check-build.
CHECK_CMDS += tests/unit/test_assign_compare.sh
check-build: $(B)/bench/matcher/gen_instance $(B)/bench/matcher/bench_matcher \
             $(B)/bench/matcher/compare_assign $(B)/bench/matcher/lemon_ns

# test_bench_warm.sh: bench_matcher --warm-change on small instances (broad
# and hub): warm and cold re-runs reach the same certified optimum, and the
# `warm` line has the keys bench/matcher/README.md documents.
CHECK_CMDS += tests/unit/test_bench_warm.sh

# test_gen_data.py: scripts/gen-data is reproducible, writes the import
# format from the catalogues, and draws coaches with uneven expertise.
CHECK_CMDS += tests/unit/test_gen_data.py

# test_from_gen_data.py: bench/matcher/from-gen-data turns a program of
# gen-data into an instance bench_matcher certifies, every field kept, and
# names the file and line of a profile it cannot use.
CHECK_CMDS += tests/unit/test_from_gen_data.py

# test_e2e_bench.py: bench/e2e/run.py end to end at 200 x 40 (two runs,
# certified, reported), and its --redis-thp / --no-aof-rewrite reach Redis.
CHECK_CMDS += tests/unit/test_e2e_bench.py

# test_log: the log file reopened by name (SIGHUP) and rate-limited lines
# (server/log.c).
UNIT_TESTS += $(B)/tests/unit/test_log
$(B)/tests/unit/test_log.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_log: $(B)/tests/unit/test_log.o $(B)/server/log.o
	$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) -o $@
