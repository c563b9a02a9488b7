# tests/fault/fault.mk -- reliability suites of issue 6 (owned by the
# reliability engineer; included by the root Makefile).
#
#   tests/hostile/test_hostile.py  malformed and abusive input over real TLS,
#                                  with a well-behaved client checked between
#                                  cases (45-80 s; in `make check`)
#   tests/fault/test_fault.py      Redis and coachnetd killed (SIGKILL) under
#                                  write load, Redis made slow (DEBUG SLEEP)
#                                  (about 35 s; in `make check`)
#
# Both are Python scripts (Debian's /usr/bin/python3 + python3-msgpack) that
# import tests/integration/harness.py, print TAP and exit non-zero on a
# failure; tests/run-tests gives them B, so `make check SANITIZE=1` runs
# them against build/san/server/coachnetd and they fail on sanitizer
# reports in its log.
FAULT_SUITES := tests/hostile/test_hostile.py $(wildcard tests/fault/test_*.py)
CHECK_CMDS += $(FAULT_SUITES)

.PHONY: fault
fault: $(B)/server/coachnetd
	@B=$(B) tests/run-tests $(FAULT_SUITES)

# bench/load/loadgen: the load generator (bench/load/README.md); built by
# `make bench`, run by bench/load/run.sh, never by `make check`.
LOADGEN := $(B)/bench/load/loadgen
BENCHES += $(LOADGEN)
$(B)/bench/load/%.o: MOD_CFLAGS = $(MSGPACK_CFLAGS) $(EVENT_CFLAGS) $(SSL_CFLAGS)
$(LOADGEN): $(B)/bench/load/loadgen.o $(PROTO_LIB)
	$(CC) $(LDFLAGS) $^ $(EVENT_LIBS) $(SSL_LIBS) $(MSGPACK_LIBS) $(MATH_LIBS) -o $@

# tests/fuzz/fuzz_dispatch: request bytes through coachnetd's whole dispatch
# path (listener, connection, framing, decode, roles, handlers) against a
# fake store linked in with -Wl,--wrap (see the file's comment).  Built
# from the sources with clang/libFuzzer like fuzz_proto; seeds in
# tests/fuzz/seeds/fuzz_dispatch/ (made by tests/fuzz/fuzz_dispatch_seeds.py).
# The Lua scripts' C file is generated (server/module.mk).
FUZZ_DISPATCH_SRCS := tests/fuzz/fuzz_dispatch.c \
    $(filter-out server/main.c,$(wildcard server/*.c)) $(B)/server/lua_scripts.c \
    $(wildcard proto/*.c) $(wildcard matcher/*.c)
FUZZ_DISPATCH_WRAP := store_new store_free store_connected store_sub_connected store_cmda store_cmda_durable
build/fuzz/fuzz_dispatch: $(FUZZ_DISPATCH_SRCS) $(wildcard server/*.h proto/*.h matcher/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    $(CPPFLAGS) -pthread $(MSGPACK_CFLAGS) $(EVENT_CFLAGS) $(SSL_CFLAGS) \
	    $(FUZZ_DISPATCH_SRCS) $(foreach f,$(FUZZ_DISPATCH_WRAP),-Wl,--wrap=$(f)) \
	    $(EVENT_LIBS) $(HIREDIS_LIBS) $(SSL_LIBS) $(ARGON2_LIBS) $(MSGPACK_LIBS) $(WSLAY_LIBS) $(HTTP_PARSER_LIBS) \
	    $(MATH_LIBS) -o $@
FUZZERS += build/fuzz/fuzz_dispatch
