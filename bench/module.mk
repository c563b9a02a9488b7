# bench/module.mk — benchmark programs (built by `make bench`, not by `make`).
#
# Each block below is self-contained: append a new block for a new benchmark.

# bench_assign: the exact assignment solver alone on a synthetic graph
# (bench/matcher/README-compare.md).  Linked with the solver's object only.
BENCHES += $(B)/bench/matcher/bench_assign
$(B)/bench/matcher/bench_assign: $(B)/bench/matcher/bench_assign.o $(B)/matcher/assign.o
	$(CC) $(LDFLAGS) $^ -o $@
