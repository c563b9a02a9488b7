# server/module.mk — coachnetd and its unit tests.
SERVER_SRCS := $(wildcard server/*.c)
SERVER_OBJS := $(patsubst %.c,$(B)/%.o,$(SERVER_SRCS)) $(B)/server/lua_scripts.o
SERVER_CORE_OBJS := $(filter-out $(B)/server/main.o,$(SERVER_OBJS))

$(B)/server/%.o: MOD_CFLAGS = $(MSGPACK_CFLAGS) $(EVENT_CFLAGS) $(SSL_CFLAGS)

# libbsd: pidfile_open() (a locked pidfile); libsystemd: sd_notify() (Type=notify).
BSD_LIBS     = $(shell $(PKG) --libs libbsd)
SYSTEMD_LIBS = $(shell $(PKG) --libs libsystemd)
# The browser transport's layer (hws.c): Debian's libwslay and
# libhttp-parser (neither ships a pkg-config file).
WSLAY_LIBS       = -lwslay
HTTP_PARSER_LIBS = -lhttp_parser

$(B)/server/coachnetd: $(SERVER_OBJS) $(PROTO_LIB) $(MATCHER_LIB)
	$(CC) $(LDFLAGS) $^ $(EVENT_LIBS) $(HIREDIS_LIBS) $(SSL_LIBS) $(ARGON2_LIBS) $(MSGPACK_LIBS) $(WSLAY_LIBS) \
	    $(HTTP_PARSER_LIBS) $(MATH_LIBS) $(BSD_LIBS) $(SYSTEMD_LIBS) -o $@

PROGS += $(B)/server/coachnetd

# The Redis Lua scripts: server/lua/*.lua become the C arrays of
# server/lua_scripts.h in $(B)/server/lua_scripts.c (scripts/embed-lua).
# lua_scripts.list holds the file names and changes only when they do, so
# that adding, removing or renaming a script regenerates the file too.
LUA_SRCS := $(sort $(wildcard server/lua/*.lua))
LUA_LIST := $(B)/server/lua_scripts.list
$(shell mkdir -p $(B)/server && echo '$(LUA_SRCS)' | cmp -s - $(LUA_LIST) || echo '$(LUA_SRCS)' > $(LUA_LIST))
$(B)/server/lua_scripts.c: $(LUA_SRCS) $(LUA_LIST) scripts/embed-lua
	scripts/embed-lua -o $@ $(LUA_SRCS)
$(B)/server/lua_scripts.o: $(B)/server/lua_scripts.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(MOD_CFLAGS) -c $< -o $@


# Unit tests of the pure pieces (config, auth, util).
UNIT_TESTS += $(B)/tests/unit/test_server
$(B)/tests/unit/test_server.o: MOD_CFLAGS = $(CMOCKA_CFLAGS) $(SSL_CFLAGS)
$(B)/tests/unit/test_server: $(B)/tests/unit/test_server.o $(B)/server/config.o $(B)/server/auth.o $(B)/server/util.o
	$(CC) $(LDFLAGS) $^ $(SSL_LIBS) $(ARGON2_LIBS) $(CMOCKA_LIBS) -o $@

# hashq: password hashing on worker threads, results on the loop.
UNIT_TESTS += $(B)/tests/unit/test_hashq
$(B)/tests/unit/test_hashq.o: MOD_CFLAGS = $(CMOCKA_CFLAGS) $(EVENT_CFLAGS) $(SSL_CFLAGS)
$(B)/tests/unit/test_hashq: $(B)/tests/unit/test_hashq.o $(B)/server/hashq.o $(B)/server/auth.o
	$(CC) $(LDFLAGS) $^ $(EVENT_LIBS) $(SSL_LIBS) $(ARGON2_LIBS) $(CMOCKA_LIBS) -o $@

# keys: the key names, checked against docs/operations.md and server/lua/.
UNIT_TESTS += $(B)/tests/unit/test_keys
$(B)/tests/unit/test_keys.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_keys: $(B)/tests/unit/test_keys.o $(B)/server/keys.o $(B)/server/store.o $(B)/server/log.o
	$(CC) $(LDFLAGS) $^ $(EVENT_LIBS) $(HIREDIS_LIBS) $(CMOCKA_LIBS) -o $@

# tokset: the sets of token hashes by which sessions end.
UNIT_TESTS += $(B)/tests/unit/test_tokset
$(B)/tests/unit/test_tokset.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_tokset: $(B)/tests/unit/test_tokset.o $(B)/server/tokset.o $(B)/server/auth.o
	$(CC) $(LDFLAGS) $^ $(SSL_LIBS) $(ARGON2_LIBS) $(CMOCKA_LIBS) -o $@
# loginrl: the per-address login limit (its window, refunds, address keys).
UNIT_TESTS += $(B)/tests/unit/test_loginrl
$(B)/tests/unit/test_loginrl.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_loginrl: $(B)/tests/unit/test_loginrl.o $(B)/server/loginrl.o
	$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) -o $@

# hws: the pure HTTP/WebSocket layer of the browser transport.
UNIT_TESTS += $(B)/tests/unit/test_hws
$(B)/tests/unit/test_hws.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_hws: $(B)/tests/unit/test_hws.o $(B)/server/hws.o
	$(CC) $(LDFLAGS) $^ $(WSLAY_LIBS) $(HTTP_PARSER_LIBS) $(SSL_LIBS) $(CMOCKA_LIBS) -o $@

# Fuzzer of the layer (clang, libFuzzer); seeds in tests/fuzz/seeds/fuzz_hws/
# (made by tests/fuzz/fuzz_hws_seeds.py).
build/fuzz/fuzz_hws: tests/fuzz/fuzz_hws.c server/hws.c server/hws.h
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(CPPFLAGS) \
	    tests/fuzz/fuzz_hws.c server/hws.c $(WSLAY_LIBS) $(HTTP_PARSER_LIBS) $(SSL_LIBS) -o $@
FUZZERS += build/fuzz/fuzz_hws

# sentinel: the redis-sentinels list and the order the Sentinels are asked in.
UNIT_TESTS += $(B)/tests/unit/test_sentinel
$(B)/tests/unit/test_sentinel.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_sentinel: $(B)/tests/unit/test_sentinel.o $(B)/server/config.o $(B)/server/store.o $(B)/server/log.o
	$(CC) $(LDFLAGS) $^ $(EVENT_LIBS) $(HIREDIS_LIBS) $(CMOCKA_LIBS) -o $@

# metrics: the Prometheus text rendering (pure; names from libproto).
UNIT_TESTS += $(B)/tests/unit/test_metrics
$(B)/tests/unit/test_metrics.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_metrics: $(B)/tests/unit/test_metrics.o $(B)/server/metrics.o $(PROTO_LIB)
	$(CC) $(LDFLAGS) $^ $(MSGPACK_LIBS) $(CMOCKA_LIBS) -o $@

# warmcache: the per-program warm states of match runs (real states from libmatcher).
UNIT_TESTS += $(B)/tests/unit/test_warmcache
$(B)/tests/unit/test_warmcache.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_warmcache: $(B)/tests/unit/test_warmcache.o $(B)/server/warmcache.o $(MATCHER_LIB)
	$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) $(MATH_LIBS) -o $@
