# clients/ -- libcoachnet (the C client library) and the `coachnet` CLI.
#
#   $(B)/libcoachnet.a      libcoachnet + the libproto objects it uses, so
#                           that one archive (and `pkg-config libcoachnet`)
#                           is all an application links
#   $(B)/libcoachnet.pc     pkg-config file (prefix: CN_PC_PREFIX or PREFIX, default /usr/local)
#   $(B)/so/libcoachnet.so* the shared library (soname libcoachnet.so.0), installed by install.mk
#   $(B)/clients/coachnet   the CLI (clients/cli/*.c)
#   $(B)/clients/coachnet-load  load generator (clients/load/)
#   tests/unit/test_client*.c   cmocka suites of the pure parts
#   tests/cli/run-cli-tests     every CLI command against a real coachnetd

CN_CLIENT_LIB  := $(B)/libcoachnet.a
CN_CLIENT_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard clients/libcoachnet*.c))
CN_PROTO_OBJS  := $(patsubst %.c,$(B)/%.o,$(wildcard proto/*.c))
CN_CLI_OBJS    := $(patsubst %.c,$(B)/%.o,$(wildcard clients/cli/*.c))
# The CLI's pure parts (no main, no network) that the unit suites link.
CN_CLI_PURE    := $(filter-out $(B)/clients/cli/main.o $(B)/clients/cli/cmd_%.o,$(CN_CLI_OBJS))

$(B)/clients/%.o: MOD_CFLAGS = $(MSGPACK_CFLAGS) $(SSL_CFLAGS)

$(CN_CLIENT_LIB): $(CN_CLIENT_OBJS) $(CN_PROTO_OBJS)
	$(cn_archive)

# The version has one home: CN_CLIENT_VERSION in coachnet.h.
CN_PC_PREFIX ?= $(or $(PREFIX),/usr/local)
CN_CLIENT_VERSION = $(shell sed -n 's/^\#define CN_CLIENT_VERSION "\(.*\)"/\1/p' clients/coachnet.h)
$(B)/libcoachnet.pc: clients/libcoachnet.pc.in clients/module.mk clients/coachnet.h
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(CN_PC_PREFIX)|g' -e 's|@VERSION@|$(CN_CLIENT_VERSION)|g' \
	    -e 's|@LIBDIR@|$${exec_prefix}/lib|g' -e 's|@INCLUDEDIR@|$${prefix}/include|g' $< > $@

# The shared library, for installation (install.mk): the same objects built
# position-independent under $(B)/pic/, only the cn_client_* API exported
# (clients/libcoachnet.map), soname libcoachnet.so.$(CN_SO_MAJOR).  It lives
# in $(B)/so/ so that the build tree's own links (-L$(B)) keep taking the
# archive.  CN_SO_MAJOR changes only when the ABI breaks; the file name
# carries the full CN_CLIENT_VERSION.
CN_SO_MAJOR  := 0
CN_SO_NAME   := libcoachnet.so.$(CN_SO_MAJOR)
CN_SO_FILE    = $(B)/so/libcoachnet.so.$(CN_CLIENT_VERSION)
CN_PIC_OBJS  := $(patsubst $(B)/%,$(B)/pic/%,$(CN_CLIENT_OBJS) $(CN_PROTO_OBJS))
$(B)/pic/%.o: MOD_CFLAGS = $(MSGPACK_CFLAGS) $(SSL_CFLAGS)
$(B)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(MOD_CFLAGS) -fPIC -c $< -o $@
$(B)/so/libcoachnet.so: $(CN_PIC_OBJS) clients/libcoachnet.map clients/coachnet.h
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(CN_SO_NAME) -Wl,--version-script=clients/libcoachnet.map \
	    -Wl,-z,relro -Wl,-z,now -Wl,--no-undefined $(CN_PIC_OBJS) $(MSGPACK_LIBS) $(SSL_LIBS) -o $(CN_SO_FILE)
	ln -sf libcoachnet.so.$(CN_CLIENT_VERSION) $(B)/so/$(CN_SO_NAME)
	ln -sf $(CN_SO_NAME) $@
LIBS_ALL += $(B)/so/libcoachnet.so

# Where an installed CLI reads the catalogues for names (clients/cli/labels.c).
$(B)/clients/cli/labels.o: CPPFLAGS += -DCN_CLI_DATA_DIR='"$(CN_PC_PREFIX)/share/coachnet/data"'

$(B)/clients/coachnet: $(CN_CLI_OBJS) $(CN_CLIENT_LIB)
	$(CC) $(LDFLAGS) $^ $(MSGPACK_LIBS) $(SSL_LIBS) $(JANSSON_LIBS) $(CSV_LIBS) $(MATH_LIBS) -o $@

# The load generator (clients/load/): threads of pipelined libcoachnet calls.
$(B)/clients/coachnet-load: $(B)/clients/load/coachnet-load.o $(CN_CLIENT_LIB)
	$(CC) $(LDFLAGS) $^ $(MSGPACK_LIBS) $(SSL_LIBS) -o $@

LIBS_ALL += $(CN_CLIENT_LIB) $(B)/libcoachnet.pc
PROGS    += $(B)/clients/coachnet $(B)/clients/coachnet-load

# Unit suites: tests/unit/test_client*.c, each linked with the CLI's pure
# objects and libcoachnet.
CN_CLIENT_TESTS := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/test_client*.c))
$(B)/tests/unit/test_client%.o: MOD_CFLAGS = $(CMOCKA_CFLAGS) $(MSGPACK_CFLAGS) $(SSL_CFLAGS)
$(B)/tests/unit/test_client%: $(B)/tests/unit/test_client%.o $(CN_CLI_PURE) $(CN_CLIENT_LIB)
	$(CC) $(LDFLAGS) $^ $(MSGPACK_LIBS) $(SSL_LIBS) $(JANSSON_LIBS) $(CSV_LIBS) $(MATH_LIBS) $(CMOCKA_LIBS) -o $@
UNIT_TESTS += $(CN_CLIENT_TESTS)

CHECK_CMDS += tests/cli/run-cli-tests

# Fuzzers (clang + libFuzzer, sources compiled directly): the response path
# of libcoachnet against a hostile server, and the import parser.
CN_FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    $(CPPFLAGS) $(MSGPACK_CFLAGS) $(SSL_CFLAGS)
build/fuzz/fuzz_client_responses: clients/fuzz/fuzz_client_responses.c $(wildcard clients/libcoachnet*.c) \
        $(wildcard proto/*.c) clients/coachnet.h clients/libcoachnet_private.h proto/proto.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CN_FUZZ_FLAGS) $(filter %.c,$^) $(MSGPACK_LIBS) $(SSL_LIBS) -o $@
build/fuzz/fuzz_client_import: clients/fuzz/fuzz_client_import.c clients/cli/convert.c \
        clients/cli/rows.c $(wildcard clients/libcoachnet*.c) $(wildcard proto/*.c) clients/cli/cli.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CN_FUZZ_FLAGS) $(filter %.c,$^) $(MSGPACK_LIBS) $(SSL_LIBS) $(JANSSON_LIBS) \
	    $(CSV_LIBS) -o $@
FUZZERS += build/fuzz/fuzz_client_responses build/fuzz/fuzz_client_import
