# matcher/ — libmatcher: competency model, scoring, suggestions, exact
# capacitated assignment (assign.c, the solver), stable mode, explanations.
MATCHER_LIB := $(B)/libmatcher.a

# The scoring kernel is the hot loop of every run: -O3 lets gcc vectorise it
# (check with EXTRA_CFLAGS=-fopt-info-vec-optimized).
$(B)/matcher/kernel.o: MOD_CFLAGS = -O3

$(MATCHER_LIB): $(patsubst %.c,$(B)/%.o,$(wildcard matcher/*.c))
	$(cn_archive)

LIBS_ALL += $(MATCHER_LIB)

UNIT_TESTS += $(B)/tests/unit/test_matcher
$(B)/tests/unit/test_matcher.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_matcher: $(B)/tests/unit/test_matcher.o $(MATCHER_LIB)
	$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) -o $@

BENCHES += $(B)/bench/matcher/gen_instance $(B)/bench/matcher/bench_matcher
$(B)/bench/matcher/gen_instance: $(B)/bench/matcher/gen_instance.o $(MATCHER_LIB)
	$(CC) $(LDFLAGS) $^ -o $@
$(B)/bench/matcher/bench_matcher: $(B)/bench/matcher/bench_matcher.o $(B)/bench/matcher/bench_matcher_instance.o $(MATCHER_LIB)
	$(CC) $(LDFLAGS) $^ -o $@
