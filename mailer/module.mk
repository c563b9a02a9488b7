# mailer/module.mk — coachnet-mailer, the SMTP delivery of the outbox
# (design.md §10).  It reads coachnetd's config table, key table and job
# scripts (server/lua/mail_remind.lua, mail_digest.lua), so it links those
# objects of server/.
MAILER_SRCS := $(wildcard mailer/*.c)
MAILER_OBJS := $(patsubst %.c,$(B)/%.o,$(MAILER_SRCS))
CURL_LIBS    = $(shell $(PKG) --libs libcurl)
ICAL_LIBS    = $(shell $(PKG) --libs libical)

$(B)/mailer/%.o: MOD_CFLAGS = $(MSGPACK_CFLAGS) $(EVENT_CFLAGS) $(SSL_CFLAGS)

$(B)/mailer/coachnet-mailer: $(MAILER_OBJS) $(B)/server/config.o $(B)/server/log.o $(B)/server/keys.o \
		$(B)/server/store.o $(B)/server/lua_scripts.o $(PROTO_LIB)
	$(CC) $(LDFLAGS) $^ $(CURL_LIBS) $(ICAL_LIBS) $(EVENT_LIBS) $(HIREDIS_LIBS) $(SSL_LIBS) $(MSGPACK_LIBS) -o $@

PROGS += $(B)/mailer/coachnet-mailer

# The pure pieces (templates, rendering, MIME, iCalendar).
UNIT_TESTS += $(B)/tests/unit/test_mail
$(B)/tests/unit/test_mail.o: MOD_CFLAGS = $(CMOCKA_CFLAGS)
$(B)/tests/unit/test_mail: $(B)/tests/unit/test_mail.o $(B)/mailer/mail.o
	$(CC) $(LDFLAGS) $^ $(ICAL_LIBS) $(SSL_LIBS) $(CMOCKA_LIBS) -o $@
