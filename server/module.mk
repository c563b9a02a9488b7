# server/module.mk — coachnetd and its unit tests.
SERVER_SRCS := $(wildcard server/*.c)
SERVER_OBJS := $(patsubst %.c,$(B)/%.o,$(SERVER_SRCS))
SERVER_CORE_OBJS := $(filter-out $(B)/server/main.o,$(SERVER_OBJS))

$(B)/server/%.o: MOD_CFLAGS = $(MSGPACK_CFLAGS) $(EVENT_CFLAGS) $(SSL_CFLAGS)

$(B)/server/coachnetd: $(SERVER_OBJS) $(PROTO_LIB) $(MATCHER_LIB)
	$(CC) $(LDFLAGS) $^ $(EVENT_LIBS) $(HIREDIS_LIBS) $(SSL_LIBS) $(MSGPACK_LIBS) $(MATH_LIBS) -o $@

PROGS += $(B)/server/coachnetd

