/* test_server.c — unit tests of the pure pieces of coachnetd: the config
 * table/parser, password hashing, tokens, roles and scopes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/auth.h"
#include "server/config.h"
#include "server/util.h"

/* ---------------------------------------------------------------- config */

static void cfg_defaults_match_the_interface(void **state) {
    (void)state;
    cfg c;
    assert_int_equal(cfg_init(&c), CFG_OK);
    assert_string_equal(c.bind, "127.0.0.1");
    assert_int_equal(c.port, 7400);
    assert_string_equal(c.redis_prefix, "cn:");
    assert_int_equal(c.redis_port, 6379);
    assert_int_equal(c.redis_timeout_ms, 2000);
    assert_int_equal(c.maxclients, 10000);
    assert_int_equal(c.max_frame, 1048576);
    assert_int_equal(c.max_inflight, 64);
    assert_int_equal(c.max_output, 8388608);
    assert_int_equal(c.handshake_timeout_ms, 10000);
    assert_int_equal(c.idle_timeout_ms, 300000);
    assert_int_equal(c.login_attempts_per_minute, 10);
    assert_int_equal(c.login_attempts_per_address, 30);
    assert_int_equal(c.login_address_slots, 65536);
    assert_int_equal(c.token_ttl, 86400);
    assert_int_equal(c.session_check_s, 30);
    assert_int_equal(c.tls_min_version, 12);
    assert_int_equal(c.tls_auth_clients, 0);
    assert_int_equal(c.log_level, CFG_LOG_INFO);
    assert_string_equal(c.unixsocket, "");
    assert_string_equal(c.data_dir, "./data");
    cfg_free(&c);
}

static void cfg_parses_file_text(void **state) {
    (void)state;
    cfg c;
    char err[256];
    cfg_init(&c);
    const char *text = "# comment\n"
                       "\n"
                       "   port 7500   \n"
                       "bind 0.0.0.0\r\n"
                       "tls-auth-clients yes\n"
                       "tls-min-version 1.3\n"
                       "log-level WARNING\n"
                       "unixsocket \"\"\n"
                       "redis-prefix \"x y:\"\n";
    assert_int_equal(cfg_parse_text(&c, text, err, sizeof err), CFG_OK);
    assert_int_equal(c.port, 7500);
    assert_string_equal(c.bind, "0.0.0.0");
    assert_int_equal(c.tls_auth_clients, 1);
    assert_int_equal(c.tls_min_version, 13);
    assert_int_equal(c.log_level, CFG_LOG_WARNING);
    assert_string_equal(c.unixsocket, "");
    assert_string_equal(c.redis_prefix, "x y:");
    cfg_free(&c);
}

static void cfg_errors_name_line_and_key(void **state) {
    (void)state;
    cfg c;
    char err[256];
    cfg_init(&c);
    assert_int_equal(cfg_parse_text(&c, "port 1\nbogus 3\n", err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "line 2"));
    assert_non_null(strstr(err, "bogus"));
    assert_int_equal(cfg_parse_text(&c, "port\n", err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "missing value"));
    assert_int_equal(cfg_parse_text(&c, "bind \"abc\n", err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "quote"));
    assert_int_equal(cfg_set(&c, "port", "70000", err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "port"));
    assert_int_equal(cfg_set(&c, "port", "12x", err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "not an integer"));
    assert_int_equal(cfg_set(&c, "port", "", err, sizeof err), CFG_ERR);
    assert_int_equal(cfg_set(&c, "tls-auth-clients", "maybe", err, sizeof err), CFG_ERR);
    assert_int_equal(cfg_set(&c, "tls-min-version", "1.1", err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "1.2 or 1.3"));
    assert_int_equal(cfg_set(&c, "log-level", "loud", err, sizeof err), CFG_ERR);
    assert_int_equal(cfg_set(&c, "max-inflight", "0", err, sizeof err), CFG_ERR);
    /* a failed set leaves the old value */
    assert_int_equal(c.port, 1);
    cfg_free(&c);
}

static void cfg_load_file_and_missing_file(void **state) {
    (void)state;
    cfg c;
    char err[512];
    char path[] = "/tmp/test_server_cfgXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "port 0\nunixsocket /tmp/x.sock\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    cfg_init(&c);
    assert_int_equal(cfg_load_file(&c, path, err, sizeof err), CFG_OK);
    assert_int_equal(c.port, 0);
    assert_string_equal(c.unixsocket, "/tmp/x.sock");
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_OK);
    unlink(path);
    assert_int_equal(cfg_load_file(&c, path, err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, path));
    cfg_free(&c);
}

static void cfg_validate_cross_checks(void **state) {
    (void)state;
    cfg c;
    char err[256];
    cfg_init(&c);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_ERR); /* port 7400, no cert */
    assert_non_null(strstr(err, "tls-cert-file"));
    cfg_set(&c, "tls-cert-file", "a.pem", NULL, 0);
    cfg_set(&c, "tls-key-file", "a.key", NULL, 0);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_OK);
    cfg_set(&c, "tls-auth-clients", "yes", NULL, 0);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_ERR); /* no CA */
    assert_non_null(strstr(err, "tls-ca-file"));
    cfg_set(&c, "tls-ca-file", "ca.pem", NULL, 0);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_OK);
    assert_int_equal(c.max_frame_unauth, 16384);
    assert_int_equal(c.max_input_total, 256 * 1024 * 1024);
    cfg_set(&c, "max-input-total", "65536", NULL, 0);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_ERR); /* below max-frame */
    assert_non_null(strstr(err, "max-input-total"));
    cfg_set(&c, "max-frame", "65536", NULL, 0);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_OK);
    cfg_set(&c, "redis-min-replicas", "1", NULL, 0);
    cfg_set(&c, "redis-wait-timeout-ms", "2000", NULL, 0); /* = redis-timeout-ms */
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "redis-wait-timeout-ms (2000) must be below redis-timeout-ms (2000)"));
    cfg_set(&c, "redis-wait-timeout-ms", "1999", NULL, 0);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_OK);
    cfg_set(&c, "redis-min-replicas", "0", NULL, 0); /* no WAIT: no constraint */
    cfg_set(&c, "redis-wait-timeout-ms", "5000", NULL, 0);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_OK);
    cfg_set(&c, "port", "0", NULL, 0);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_ERR); /* no listener */
    cfg_free(&c);
}

/* timezone: Asia/Jakarta by default; a zone the time zone database does
 * not have is refused with its name (the C library would silently use
 * UTC), and so is anything that is not a zone name. */
static void cfg_timezone_must_be_known(void **state) {
    (void)state;
    cfg c;
    char err[512];
    cfg_init(&c);
    assert_string_equal(c.timezone, "Asia/Jakarta");
    cfg_set(&c, "port", "0", NULL, 0);
    cfg_set(&c, "unixsocket", "/tmp/x.sock", NULL, 0);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_OK);
    static const char *const good[] = { "UTC", "Europe/Berlin", "Pacific/Kiritimati", "Etc/GMT+12",
                                        "America/Argentina/Buenos_Aires" };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        assert_int_equal(cfg_set(&c, "timezone", good[i], err, sizeof err), CFG_OK);
        if (cfg_validate(&c, err, sizeof err) != CFG_OK) fail_msg("%s: %s", good[i], err);
    }
    assert_int_equal(cfg_set(&c, "timezone", "Asia/Jakrta", err, sizeof err), CFG_OK);
    assert_int_equal(cfg_validate(&c, err, sizeof err), CFG_ERR);
    assert_non_null(strstr(err, "timezone: unknown time zone 'Asia/Jakrta'"));
    static const char *const bad[] = {
        "", "/etc/passwd", "../../etc/passwd", "Asia//Jakarta", "Asia/", "Asia Jakarta", "WIB-7", "Asia"
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cfg_set(&c, "timezone", bad[i], NULL, 0);
        if (cfg_validate(&c, err, sizeof err) != CFG_ERR) fail_msg("'%s' was accepted", bad[i]);
        assert_non_null(strstr(err, "timezone: "));
    }
    cfg_free(&c);
}

static void cfg_key_table_is_complete(void **state) {
    (void)state;
    static const char *const want[] = { "bind",
                                        "port",
                                        "tls-cert-file",
                                        "tls-key-file",
                                        "tls-ca-file",
                                        "tls-auth-clients",
                                        "tls-min-version",
                                        "unixsocket",
                                        "redis-host",
                                        "redis-port",
                                        "redis-prefix",
                                        "redis-timeout-ms",
                                        "data-dir",
                                        "maxclients",
                                        "max-frame",
                                        "max-frame-unauth",
                                        "max-input-total",
                                        "max-inflight",
                                        "max-output",
                                        "handshake-timeout-ms",
                                        "idle-timeout-ms",
                                        "login-attempts-per-minute",
                                        "login-attempts-per-address",
                                        "login-address-slots",
                                        "auth-threads",
                                        "token-ttl",
                                        "session-check-s",
                                        "redis-sentinels",
                                        "redis-master-name",
                                        "redis-sentinel-timeout-ms",
                                        "redis-min-replicas",
                                        "redis-wait-timeout-ms",
                                        "log-level",
                                        "log-file",
                                        "pidfile",
                                        "timezone",
                                        "web-root",
                                        "allowed-origins",
                                        "http-max-header-bytes",
                                        "http-max-headers",
                                        "ws-ping-interval-ms",
                                        "ws-pong-timeout-ms",
                                        NULL };
    for (int i = 0; want[i]; i++) {
        int found = 0;
        const char *help;
        for (size_t k = 0; cfg_key_name(k, &help); k++)
            if (!strcmp(cfg_key_name(k, NULL), want[i])) {
                found = 1;
                assert_non_null(help);
            }
        if (!found) fail_msg("config key %s missing", want[i]);
    }
}

/* ------------------------------------------------------------------ auth */

static void password_hash_round_trip(void **state) {
    (void)state;
    char h1[AUTH_HASH_MAX], h2[AUTH_HASH_MAX];
    assert_int_equal(auth_hash_password("s3cret-pass", 11, h1), AUTH_OK);
    assert_int_equal(auth_hash_password("s3cret-pass", 11, h2), AUTH_OK);
    assert_string_not_equal(h1, h2); /* fresh salt each time */
    assert_int_equal(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
    assert_false(auth_needs_rehash(h1));
    assert_true(auth_verify_password("s3cret-pass", 11, h1));
    assert_true(auth_verify_password("s3cret-pass", 11, h2));
    assert_false(auth_verify_password("s3cret-pasS", 11, h1));
    assert_false(auth_verify_password("s3cret-pas", 10, h1));
    assert_false(auth_verify_password("", 0, h1));
}

static void password_hash_known_vector(void **state) {
    (void)state;
    /* PBKDF2-HMAC-SHA256("password", 16 x 0x00, 1 iteration), computed
     * independently with Python's
     * hashlib.pbkdf2_hmac('sha256', b'password', bytes(16), 1). */
    unsigned char salt[AUTH_SALT_BYTES] = { 0 };
    char h[AUTH_HASH_MAX];
    assert_int_equal(auth_pbkdf2_hash("password", 8, salt, sizeof salt, 1, h), AUTH_OK);
    assert_string_equal(h, "pbkdf2-sha256$1$00000000000000000000000000000000$"
                           "1fefe125ab13dd2c06db86711ec448e9490e6c73024d7d8d659126c6f9fadd68");
    assert_true(auth_verify_password("password", 8, h));
    assert_true(auth_needs_rehash(h));
    /* the reference implementation's Argon2id vector (phc-winner-argon2
     * test.c: "password", salt "somesalt", t=2, m=65536, p=1): verifies,
     * and needs a rehash since its cost is not today's */
    static const char ref[] = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
    assert_true(auth_verify_password("password", 8, ref));
    assert_false(auth_verify_password("passwore", 8, ref));
    assert_true(auth_needs_rehash(ref));
}

/* A user stored by an earlier version (PBKDF2, 10,000 iterations) still
 * logs in, and its hash is then due for a rehash; the new hash is
 * Argon2id of today's cost and needs none. */
static void old_hashes_verify_and_are_upgraded(void **state) {
    (void)state;
    unsigned char salt[AUTH_SALT_BYTES];
    for (size_t i = 0; i < sizeof salt; i++) salt[i] = (unsigned char)(7 * i + 1);
    char old[AUTH_HASH_MAX], fresh[AUTH_HASH_MAX];
    assert_int_equal(auth_pbkdf2_hash("old password", 12, salt, sizeof salt, AUTH_PBKDF2_ITER, old), AUTH_OK);
    assert_int_equal(strncmp(old, "pbkdf2-sha256$10000$", 20), 0);
    assert_true(auth_verify_password("old password", 12, old));
    assert_false(auth_verify_password("old passworD", 12, old));
    assert_true(auth_needs_rehash(old));
    assert_int_equal(auth_hash_password("old password", 12, fresh), AUTH_OK);
    assert_false(auth_needs_rehash(fresh));
    assert_true(auth_verify_password("old password", 12, fresh));
    /* the same cost with other spellings, or another variant, needs one */
    static const char *const stale[] = {
        NULL,
        "",
        "$argon2id$v=19$m=19456,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=9216,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=019456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=16$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2i$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };
    for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++) assert_true(auth_needs_rehash(stale[i]));
}

/* The dummy hash of unknown logins costs what a real one does (today's
 * parameters, so no rehash is due) and matches no password tried. */
static void dummy_hash_has_todays_cost(void **state) {
    (void)state;
    const char *d = auth_dummy_hash();
    char real[AUTH_HASH_MAX];
    assert_int_equal(auth_hash_password("whatever", 8, real), AUTH_OK);
    assert_false(auth_needs_rehash(d));
    assert_int_equal(strlen(d), strlen(real)); /* same salt and tag sizes */
    assert_int_equal(strncmp(d, real, 31), 0);
    assert_false(auth_verify_password("", 0, d));
    assert_false(auth_verify_password("whatever", 8, d));
}

static void password_verify_refuses_malformed(void **state) {
    (void)state;
    static const char *const bad[] = {
        NULL,
        "",
        "plain",
        "pbkdf2-sha256$",
        "pbkdf2-sha256$x$00$00",
        "pbkdf2-sha256$0$00$00",
        "pbkdf2-sha256$99999999$00000000000000000000000000000000$00",
        "pbkdf2-sha256$1$0000$4fc58a21c100ce1835b8f9991d738b56965d14b24e1761fbdffa6f5b3b6ce1b4",
        "pbkdf2-sha256$1$00000000000000000000000000000000$4fc58a",
        "pbkdf2-sha256$1$0000000000000000000000000000000G$"
        "4fc58a21c100ce1835b8f9991d738b56965d14b24e1761fbdffa6f5b3b6ce1b4",
        "sha1$1$00000000000000000000000000000000$4fc58a21c100ce1835b8f9991d738b56965d14b24e1761fbdffa6f5b3b6ce1b4",
        /* Argon2id beyond the bounds of one verify, or malformed */
        "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=65536,t=17,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=65536,t=2,p=5$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPP",
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ",
        "$argon2id$v=19$m=-65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_false(auth_verify_password("password", 8, bad[i]));
}

static void tokens_are_random_hex_and_hashed(void **state) {
    (void)state;
    char t1[AUTH_TOKEN_HEX], t2[AUTH_TOKEN_HEX], s1[AUTH_SHA_HEX], s2[AUTH_SHA_HEX];
    assert_int_equal(auth_new_token(t1), AUTH_OK);
    assert_int_equal(auth_new_token(t2), AUTH_OK);
    assert_int_equal(strlen(t1), 64);
    assert_string_not_equal(t1, t2);
    assert_true(auth_token_wellformed(t1, strlen(t1)));
    auth_sha256_hex(t1, strlen(t1), s1);
    auth_sha256_hex(t2, strlen(t2), s2);
    assert_int_equal(strlen(s1), 64);
    assert_string_not_equal(s1, s2);
    assert_string_not_equal(s1, t1);
    auth_sha256_hex("abc", 3, s1);
    assert_string_equal(s1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_false(auth_token_wellformed("abc", 3));
    t1[5] = 'G';
    assert_false(auth_token_wellformed(t1, 64));
    t1[5] = 'A'; /* uppercase is not what we hand out */
    assert_false(auth_token_wellformed(t1, 64));
}

static void roles_parse_and_create_rules(void **state) {
    (void)state;
    assert_int_equal(auth_role_parse("admin", 5), ROLE_ADMIN);
    assert_int_equal(auth_role_parse("coordinator", 11), ROLE_COORDINATOR);
    assert_int_equal(auth_role_parse("mentee", 6), ROLE_MENTEE);
    assert_int_equal(auth_role_parse("coach", 5), ROLE_COACH);
    assert_int_equal(auth_role_parse("coachx", 6), ROLE_NONE);
    assert_int_equal(auth_role_parse("coach", 4), ROLE_NONE);
    assert_int_equal(auth_role_parse("", 0), ROLE_NONE);
    assert_string_equal(auth_role_name(ROLE_COORDINATOR), "coordinator");
    assert_string_equal(auth_role_name(ROLE_NONE), "none");
    assert_true(auth_may_create(ROLE_ADMIN, ROLE_ADMIN));
    assert_true(auth_may_create(ROLE_ADMIN, ROLE_COORDINATOR));
    assert_true(auth_may_create(ROLE_COORDINATOR, ROLE_MENTEE));
    assert_true(auth_may_create(ROLE_COORDINATOR, ROLE_COACH));
    assert_false(auth_may_create(ROLE_COORDINATOR, ROLE_COORDINATOR));
    assert_false(auth_may_create(ROLE_COORDINATOR, ROLE_ADMIN));
    assert_false(auth_may_create(ROLE_MENTEE, ROLE_MENTEE));
    assert_false(auth_may_create(ROLE_COACH, ROLE_COACH));
    assert_false(auth_may_create(ROLE_ADMIN, ROLE_NONE));
}

static void login_names_and_scopes(void **state) {
    (void)state;
    assert_true(auth_login_valid("coord-1.a_b@x", 13));
    assert_false(auth_login_valid("", 0));
    assert_false(auth_login_valid("a b", 3));
    assert_false(auth_login_valid("a:b", 3));
    char longname[AUTH_LOGIN_MAX + 2];
    memset(longname, 'a', sizeof longname);
    assert_true(auth_login_valid(longname, AUTH_LOGIN_MAX));
    assert_false(auth_login_valid(longname, AUTH_LOGIN_MAX + 1));
    assert_true(auth_in_scope("p1,p2,p3", "p2", 2));
    assert_true(auth_in_scope("p1", "p1", 2));
    assert_false(auth_in_scope("p1,p2", "p", 1)); /* no prefix matches */
    assert_false(auth_in_scope("p1,p22", "p2", 2));
    assert_false(auth_in_scope("", "p1", 2));
    assert_false(auth_in_scope(NULL, "p1", 2));
    assert_false(auth_in_scope("p1", "", 0));
    assert_true(auth_in_scope("p1,p2", "p2,junk", 2)); /* length-bounded */
}

/* ------------------------------------------------------------------ util */

static void cursors_round_trip_and_refuse_forgeries(void **state) {
    (void)state;
    char hex[200], back[80];
    util_cursor_encode("198004222001022733", hex);
    assert_string_equal(hex, "313938303034323232303031303232373333");
    assert_int_equal(util_cursor_decode(hex, back, sizeof back), 0);
    assert_string_equal(back, "198004222001022733");
    util_cursor_encode("m:42", hex);
    assert_int_equal(util_cursor_decode(hex, back, sizeof back), 0);
    assert_string_equal(back, "m:42");
    assert_int_equal(util_cursor_decode("", back, sizeof back), -1);     /* empty */
    assert_int_equal(util_cursor_decode("313", back, sizeof back), -1);  /* odd */
    assert_int_equal(util_cursor_decode("3G", back, sizeof back), -1);   /* not hex */
    assert_int_equal(util_cursor_decode("3A", back, sizeof back), -1);   /* uppercase */
    assert_int_equal(util_cursor_decode("2720", back, sizeof back), -1); /* "' " */
    assert_int_equal(util_cursor_decode("00", back, sizeof back), -1);   /* NUL */
    assert_int_equal(util_cursor_decode("3132", back, 2), -1);           /* too long */
    assert_int_equal(util_cursor_decode("3132", back, 3), 0);
}

static void dates_are_real_calendar_days(void **state) {
    (void)state;
    assert_true(util_date_valid("2026-03-02"));
    assert_true(util_date_valid("2024-02-29")); /* leap year */
    assert_true(util_date_valid("2000-02-29")); /* divisible by 400 */
    assert_true(util_date_valid("2026-12-31"));
    assert_false(util_date_valid("2026-02-29"));
    assert_false(util_date_valid("2100-02-29")); /* divisible by 100 */
    assert_false(util_date_valid("2026-02-30"));
    assert_false(util_date_valid("2026-04-31"));
    assert_false(util_date_valid("2026-13-01"));
    assert_false(util_date_valid("2026-00-10"));
    assert_false(util_date_valid("2026-01-00"));
    assert_false(util_date_valid("1999-12-31"));
    assert_false(util_date_valid("2101-01-01"));
    assert_false(util_date_valid("2026-3-02"));
    assert_false(util_date_valid("2026/03/02"));
    assert_false(util_date_valid("2026-03-0x"));
    assert_false(util_date_valid("2026-03-021"));
    assert_false(util_date_valid(""));
}

/* A date's span is local midnight to local midnight of util_tz_use's zone
 * (values from Python's zoneinfo); a day with a DST change has 23 hours. */
static void date_spans_follow_the_time_zone(void **state) {
    (void)state;
    time_t start, end;
    assert_int_equal(util_tz_use("Asia/Jakarta"), 0);
    assert_int_equal(util_date_span("2026-12-03", &start, &end), 0);
    assert_int_equal((long long)start, 1796230800LL); /* 2026-12-02T17:00Z */
    assert_int_equal((long long)(end - start), 86400);
    assert_int_equal(util_tz_use("Pacific/Kiritimati"), 0);
    assert_int_equal(util_date_span("2026-12-03", &start, &end), 0);
    assert_int_equal((long long)start, 1796205600LL); /* 2026-12-02T10:00Z */
    assert_int_equal(util_tz_use("Europe/Berlin"), 0);
    assert_int_equal(util_date_span("2026-03-29", &start, &end), 0);
    assert_int_equal((long long)start, 1774738800LL);
    assert_int_equal((long long)(end - start), 23 * 3600);
    assert_int_equal(util_date_span("2026-12-31", &start, &end), 0); /* across a year's end */
    assert_int_equal((long long)(end - start), 86400);
    assert_int_equal(util_date_span("2026-02-29", &start, &end), -1);
    assert_int_equal(util_date_span("1999-12-31", &start, &end), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cfg_defaults_match_the_interface),
        cmocka_unit_test(cfg_parses_file_text),
        cmocka_unit_test(cfg_errors_name_line_and_key),
        cmocka_unit_test(cfg_load_file_and_missing_file),
        cmocka_unit_test(cfg_validate_cross_checks),
        cmocka_unit_test(cfg_key_table_is_complete),
        cmocka_unit_test(password_hash_round_trip),
        cmocka_unit_test(password_hash_known_vector),
        cmocka_unit_test(password_verify_refuses_malformed),
        cmocka_unit_test(old_hashes_verify_and_are_upgraded),
        cmocka_unit_test(dummy_hash_has_todays_cost),
        cmocka_unit_test(tokens_are_random_hex_and_hashed),
        cmocka_unit_test(roles_parse_and_create_rules),
        cmocka_unit_test(login_names_and_scopes),
        cmocka_unit_test(cursors_round_trip_and_refuse_forgeries),
        cmocka_unit_test(dates_are_real_calendar_days),
        cmocka_unit_test(date_spans_follow_the_time_zone),
        cmocka_unit_test(cfg_timezone_must_be_known),
    };
    return cmocka_run_group_tests_name("server", tests, NULL, NULL);
}
