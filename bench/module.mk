# bench/module.mk — benchmark programs (built by `make bench`, not by `make`).
#
# Each block below is self-contained: append a new block for a new benchmark.

# bench_assign: the exact assignment solver alone on a synthetic graph
# (bench/matcher/README-compare.md).  Linked with the solver's objects only.
BENCHES += $(B)/bench/matcher/bench_assign
$(B)/bench/matcher/bench_assign: $(B)/bench/matcher/bench_assign.o $(B)/matcher/assign.o $(B)/matcher/par.o
	$(CC) $(LDFLAGS) $^ -o $@

# compare_assign: the solver alone on a CNW1 weight dump, the counterpart of
# the reference solvers below (bench/matcher/compare.sh).
BENCHES += $(B)/bench/matcher/compare_assign
$(B)/bench/matcher/compare_assign: $(B)/bench/matcher/compare_assign.o $(B)/matcher/assign.o $(B)/matcher/par.o
	$(CC) $(LDFLAGS) $^ -o $@

# lemon_ns: LEMON's NetworkSimplex on a CNW1 weight dump (C++, liblemon-dev).
LEMON_CFLAGS = $(shell $(PKG) --cflags lemon)
LEMON_LIBS   = $(shell $(PKG) --libs lemon)
CXX ?= g++
BENCHES += $(B)/bench/matcher/lemon_ns
$(B)/bench/matcher/lemon_ns: bench/matcher/lemon_ns.cpp
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -Wall -Wextra -Werror $(OPT) $(SANFLAGS) $(LEMON_CFLAGS) $< -o $@ $(LEMON_LIBS)

# bench_hash: the cost of one password hash, Argon2id against the PBKDF2 of
# earlier versions (bench/login/README.md).
BENCHES += $(B)/bench/login/bench_hash
$(B)/bench/login/bench_hash.o: MOD_CFLAGS = $(SSL_CFLAGS)
$(B)/bench/login/bench_hash: $(B)/bench/login/bench_hash.o $(B)/server/auth.o
	$(CC) $(LDFLAGS) $^ $(SSL_LIBS) $(ARGON2_LIBS) -o $@
