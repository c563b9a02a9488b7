# tests/api -- the API schema (api/) and its generated outputs.
#
# scripts/gen-api writes every generated file (see its docstring) when the
# schema changed; `make api` runs it by hand.  `make check` first runs
# `scripts/gen-api --check`, so a commit whose generated files do not match
# its schema fails before anything is built.  tests/integration/test_api.py
# checks that the server, the docs and the three clients agree with it.
API_SCHEMA := api/limits.json api/objects.json api/notifications.json $(wildcard api/methods/*.json) \
              $(filter-out server/lua/keys.lua,$(wildcard server/lua/*.lua)) server/keys.c
API_GEN    := proto/api.gen.h proto/api.gen.c server/handlers.gen.h server/dispatch.gen.c server/scripts.gen.h \
              server/db.gen.h server/db.gen.c server/lua/keys.lua \
              clients/coachnet_api.gen.h clients/libcoachnet_api.gen.c \
              clients/python/coachnet_methods.py clients/js/methods.gen.mjs

build/api.stamp: $(API_SCHEMA) scripts/gen-api
	@mkdir -p $(@D)
	@scripts/gen-api
	@touch $@
$(API_GEN): build/api.stamp ;

.PHONY: api check-api
api: build/api.stamp
check-api:
	@scripts/gen-api --check >/dev/null || { scripts/gen-api --check; \
	    echo "generated files are stale: run 'make api' and commit them" >&2; exit 1; }

# The C side of test_api.py: the methods libcoachnet's stubs call.
$(B)/tests/api/%.o: MOD_CFLAGS = $(MSGPACK_CFLAGS)
$(B)/tests/api/api_names: $(B)/tests/api/api_names.o $(CN_CLIENT_LIB)
	$(CC) $(LDFLAGS) $^ $(MSGPACK_LIBS) $(SSL_LIBS) -o $@
PROGS += $(B)/tests/api/api_names

# The generator refuses schemas it cannot generate correct code from.
CHECK_CMDS += tests/api/test_gen_api.py
