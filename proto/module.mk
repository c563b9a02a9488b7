# proto/ -- libproto, the wire protocol (frames, body pre-check, msgpack-RPC
# messages, typed param readers, domain codecs).  See proto/proto.h.
#
#   $(B)/libproto.a                  the library
#   tests/unit/test_proto*.c         cmocka suites (one binary per file)
#   tests/interop/run-interop        Python (python3-msgpack) <-> C, via
#   $(B)/tests/interop/proto_echo    a decode/validate/re-encode filter
#   build/fuzz/fuzz_proto            libFuzzer target (clang)
#   $(B)/bench/proto/bench_proto     mentee.put decode+validate+encode rate

PROTO_LIB  := $(B)/libproto.a
PROTO_SRCS := $(wildcard proto/*.c)
PROTO_OBJS := $(patsubst %.c,$(B)/%.o,$(PROTO_SRCS))

$(B)/proto/%.o: MOD_CFLAGS = $(MSGPACK_CFLAGS)
$(PROTO_LIB): $(PROTO_OBJS)
	$(cn_archive)
LIBS_ALL += $(PROTO_LIB)

# Unit suites share tests/unit/proto_helpers.c (vocabulary from data/*.tsv,
# frame builders).
PROTO_TESTS := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/test_proto*.c))
PROTO_TEST_HELPERS := $(B)/tests/unit/proto_helpers.o
$(B)/tests/unit/test_proto%.o $(PROTO_TEST_HELPERS): MOD_CFLAGS = $(CMOCKA_CFLAGS) $(MSGPACK_CFLAGS)
$(B)/tests/unit/test_proto%: $(B)/tests/unit/test_proto%.o $(PROTO_TEST_HELPERS) $(PROTO_LIB)
	$(CC) $(LDFLAGS) $^ $(MSGPACK_LIBS) $(CMOCKA_LIBS) $(PROTO_TEST_LIBS) -o $@
# test_proto_schema writes its cases as JSON (jansson) and packs them.
$(B)/tests/unit/test_proto_schema: PROTO_TEST_LIBS = $(JANSSON_LIBS)
UNIT_TESTS += $(PROTO_TESTS)

# Interop: the C side is a filter program; the Python script drives it.
PROTO_ECHO := $(B)/tests/interop/proto_echo
$(B)/tests/interop/%.o: MOD_CFLAGS = $(MSGPACK_CFLAGS)
$(PROTO_ECHO): $(B)/tests/interop/proto_echo.o $(PROTO_TEST_HELPERS) $(PROTO_LIB)
	$(CC) $(LDFLAGS) $^ $(MSGPACK_LIBS) -o $@
PROGS += $(PROTO_ECHO)
CHECK_CMDS += tests/interop/run-interop

# Fuzzer: clang with libFuzzer, compiling the proto sources directly.
build/fuzz/fuzz_proto: tests/fuzz/fuzz_proto.c $(PROTO_SRCS) proto/proto.h
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all $(CPPFLAGS) $(MSGPACK_CFLAGS) \
	    tests/fuzz/fuzz_proto.c $(PROTO_SRCS) $(MSGPACK_LIBS) -o $@
FUZZERS += build/fuzz/fuzz_proto

# Benchmark.
$(B)/bench/proto/%.o: MOD_CFLAGS = $(MSGPACK_CFLAGS)
$(B)/bench/proto/bench_proto: $(B)/bench/proto/bench_proto.o $(PROTO_TEST_HELPERS) $(PROTO_LIB)
	$(CC) $(LDFLAGS) $^ $(MSGPACK_LIBS) -o $@
BENCHES += $(B)/bench/proto/bench_proto
