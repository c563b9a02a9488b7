/*
 * test_client_lib.c -- cmocka suite of libcoachnet against scripted fake
 * servers on a unix socket (plaintext: the TLS path is covered by
 * tests/cli/run-cli-tests against the real coachnetd).
 *
 * Each test starts a thread that accepts one connection and plays a script:
 * it reads requests with libproto, checks what the client sent, and answers
 * with responses, notifications, errors, garbage or silence.  The client
 * side then asserts what the library reports: results, notifications
 * delivered to the callback, error kinds, codes and fields, and whether the
 * connection stays usable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "clients/coachnet.h"
#include "clients/libcoachnet_private.h"
#include "proto/proto.h"

/* ---------------------------------------------------------------------- */
/* fake server                                                             */
/* ---------------------------------------------------------------------- */

typedef struct fake fake;
typedef void (*script_fn)(fake *f);

struct fake {
    char dir[32];
    char path[64];
    int lfd, fd;
    pthread_t th;
    script_fn script;
    proto_reader *rd;
    int failures; /* checks that failed inside the server thread */
    char why[256];
};

#define SCHECK(f, cond)                                                                                                \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            (f)->failures++;                                                                                           \
            snprintf((f)->why, sizeof((f)->why), "server check failed: %s", #cond);                                    \
        }                                                                                                              \
    } while (0)

/* Read the next request into *m (1), or 0 at EOF. */
static int srv_read(fake *f, proto_msg *m) {
    for (;;) {
        const char *body;
        size_t len;
        int r = proto_reader_next(f->rd, &body, &len);
        if (r == 1) {
            proto_error e;
            int ok = proto_msg_decode(m, body, len, NULL, PROTO_KIND_BIT(PROTO_REQUEST), &e);
            SCHECK(f, ok == PROTO_OK);
            return ok == PROTO_OK;
        }
        char buf[4096];
        ssize_t n = read(f->fd, buf, sizeof(buf));
        if (n <= 0) return 0;
        proto_reader_feed(f->rd, buf, (size_t)n);
    }
}

static void srv_write(fake *f, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(f->fd, c, n);
        if (w <= 0) return;
        c += w;
        n -= (size_t)w;
    }
}

/* Frame builder: begin, pack, end+send. */
typedef struct fb {
    msgpack_sbuffer sb;
    msgpack_packer pk;
    size_t at;
} fb;

static void fb_begin(fb *b) {
    msgpack_sbuffer_init(&b->sb);
    msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
    b->at = proto_frame_begin(&b->sb);
}

static void fb_send(fake *f, fb *b) {
    proto_error e;
    proto_frame_end(&b->sb, b->at, NULL, &e);
    srv_write(f, b->sb.data, b->sb.size);
    msgpack_sbuffer_destroy(&b->sb);
}

static void kstr(msgpack_packer *pk, const char *s) { proto_pack_cstr(pk, s); }

/* [1, msgid, nil, {key: int}] */
static void send_ok_int(fake *f, uint32_t msgid, const char *key, int64_t v) {
    fb b;
    fb_begin(&b);
    proto_pack_response_ok(&b.pk, msgid);
    msgpack_pack_map(&b.pk, 1);
    kstr(&b.pk, key);
    msgpack_pack_int64(&b.pk, v);
    fb_send(f, &b);
}

static void send_progress(fake *f, const char *run_id, int64_t done, int64_t total) {
    fb b;
    fb_begin(&b);
    proto_pack_notification(&b.pk, "run.progress");
    msgpack_pack_map(&b.pk, 4);
    kstr(&b.pk, "run_id");
    kstr(&b.pk, run_id);
    kstr(&b.pk, "phase");
    kstr(&b.pk, "solve");
    kstr(&b.pk, "done");
    msgpack_pack_int64(&b.pk, done);
    kstr(&b.pk, "total");
    msgpack_pack_int64(&b.pk, total);
    fb_send(f, &b);
}

static void send_error(fake *f, uint32_t msgid, proto_errcode code, const char *field, const char *msg) {
    fb b;
    proto_error e;
    proto_error_set(&e, code, field, "%s", msg);
    fb_begin(&b);
    proto_pack_response_error(&b.pk, msgid, &e);
    fb_send(f, &b);
}

static void *fake_main(void *arg) {
    fake *f = arg;
    f->fd = accept(f->lfd, NULL, NULL);
    if (f->fd >= 0) {
        f->script(f);
        close(f->fd);
    }
    return NULL;
}

static fake *fake_start(script_fn script) {
    fake *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/test_client_lib_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/sock", f->dir);
    f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    assert_int_equal(listen(f->lfd, 4), 0);
    f->rd = proto_reader_new(NULL);
    f->script = script;
    pthread_create(&f->th, NULL, fake_main, f);
    return f;
}

/* Join the server thread and assert its own checks passed. */
static void fake_stop(fake *f) {
    pthread_join(f->th, NULL);
    close(f->lfd);
    unlink(f->path);
    rmdir(f->dir);
    proto_reader_free(f->rd);
    int failures = f->failures;
    char why[256];
    snprintf(why, sizeof(why), "%s", f->why);
    free(f);
    if (failures) {
        fprintf(stderr, "%s\n", why);
        fail();
    }
}

static cn_client *connect_to(fake *f, int timeout_ms) {
    cn_client_options o;
    cn_client_options_init(&o);
    o.unix_path = f->path;
    o.timeout_ms = timeout_ms;
    cn_client *c = NULL;
    cn_client_error e;
    assert_int_equal(cn_client_connect(&o, &c, &e), CN_CLIENT_OK);
    assert_true(cn_client_is_connected(c));
    return c;
}

/* ---------------------------------------------------------------------- */
/* pure helpers                                                            */
/* ---------------------------------------------------------------------- */

static void test_options_and_names(void **state) {
    (void)state;
    cn_client_options o;
    cn_client_options_init(&o);
    assert_string_equal(o.host, CN_CLIENT_DEFAULT_HOST);
    assert_int_equal(o.port, CN_CLIENT_DEFAULT_PORT);
    assert_int_equal(o.timeout_ms, CN_CLIENT_DEFAULT_TIMEOUT_MS);
    assert_null(o.ca_file);
    assert_string_equal(cn_client_errkind_name(CN_CLIENT_E_SERVER), "server");
    assert_string_equal(cn_client_errkind_name(CN_CLIENT_E_TIMEOUT), "timeout");
    assert_string_equal(cn_client_errkind_name((cn_client_errkind)99), "unknown");
    assert_string_equal(cn_client_kind_name(CN_CLIENT_COACH), "coach");
    assert_string_equal(cn_client_kind_name(CN_CLIENT_MENTEE), "mentee");
}

static void test_obj_helpers(void **state) {
    (void)state;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 5);
    kstr(&pk, "s");
    kstr(&pk, "hello");
    kstr(&pk, "i");
    msgpack_pack_int64(&pk, -5);
    kstr(&pk, "f");
    msgpack_pack_double(&pk, 3.0);
    kstr(&pk, "g");
    msgpack_pack_double(&pk, 0.5);
    kstr(&pk, "u");
    msgpack_pack_uint64(&pk, UINT64_MAX);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
    const msgpack_object *m = &u.data;
    char buf[4];
    assert_int_equal(cn_client_obj_str(cn_client_map_get(m, "s"), buf, sizeof(buf)), CN_CLIENT_OK);
    assert_string_equal(buf, "hel"); /* truncated, NUL-terminated */
    assert_int_equal(cn_client_obj_str(cn_client_map_get(m, "i"), buf, sizeof(buf)), CN_CLIENT_ERR);
    int64_t v;
    assert_int_equal(cn_client_obj_int(cn_client_map_get(m, "i"), &v), CN_CLIENT_OK);
    assert_int_equal(v, -5);
    assert_int_equal(cn_client_obj_int(cn_client_map_get(m, "f"), &v), CN_CLIENT_OK);
    assert_int_equal(v, 3);
    assert_int_equal(cn_client_obj_int(cn_client_map_get(m, "g"), &v), CN_CLIENT_ERR);
    assert_int_equal(cn_client_obj_int(cn_client_map_get(m, "u"), &v), CN_CLIENT_ERR);
    assert_int_equal(cn_client_obj_int(cn_client_map_get(m, "s"), &v), CN_CLIENT_ERR);
    double d;
    assert_int_equal(cn_client_obj_num(cn_client_map_get(m, "g"), &d), CN_CLIENT_OK);
    assert_true(d == 0.5);
    assert_int_equal(cn_client_obj_num(cn_client_map_get(m, "i"), &d), CN_CLIENT_OK);
    assert_true(d == -5.0);
    assert_null(cn_client_map_get(m, "missing"));
    assert_null(cn_client_map_get(cn_client_map_get(m, "s"), "x")); /* not a map */
    assert_null(cn_client_map_get(NULL, "x"));
    assert_int_equal(cn_client_obj_int(NULL, &v), CN_CLIENT_ERR);
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
}

static void test_connect_failures(void **state) {
    (void)state;
    cn_client_options o;
    cn_client_options_init(&o);
    cn_client *c = (cn_client *)1;
    cn_client_error e;
    o.unix_path = "/nonexistent/dir/sock";
    assert_int_equal(cn_client_connect(&o, &c, &e), CN_CLIENT_ERR);
    assert_null(c);
    assert_int_equal(e.kind, CN_CLIENT_E_CONNECT);
    assert_non_null(strstr(e.message, "/nonexistent/dir/sock"));
    /* a TCP port nobody listens on */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sin);
    bind(s, (struct sockaddr *)&sin, sizeof(sin));
    getsockname(s, (struct sockaddr *)&sin, &sl);
    close(s);
    cn_client_options_init(&o);
    o.port = ntohs(sin.sin_port);
    assert_int_equal(cn_client_connect(&o, &c, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_CONNECT);
    assert_non_null(strstr(e.message, "cannot connect"));
    /* missing CA file */
    o.ca_file = "/nonexistent/ca.pem";
    assert_int_equal(cn_client_connect(&o, &c, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_CONNECT);
    assert_non_null(strstr(e.message, "CA file"));
    /* usage */
    cn_client_options_init(&o);
    o.host = NULL;
    assert_int_equal(cn_client_connect(&o, &c, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_USAGE);
    cn_client_free(NULL);
}

/* ---------------------------------------------------------------------- */
/* calls, notifications, errors                                            */
/* ---------------------------------------------------------------------- */

static void send_login_ok(fake *f, uint32_t id);

/* login: check params, push two notifications before the response. */
static void script_login(fake *f) {
    proto_msg m;
    if (!srv_read(f, &m)) return;
    SCHECK(f, strcmp(m.method, "auth.login") == 0);
    SCHECK(f, m.params->via.map.size == 2);
    char login[32] = "", pw[32] = "";
    cn_client_obj_str(cn_client_map_get(m.params, "login"), login, sizeof(login));
    cn_client_obj_str(cn_client_map_get(m.params, "password"), pw, sizeof(pw));
    SCHECK(f, strcmp(login, "budi") == 0 && strcmp(pw, "s3cret") == 0);
    uint32_t id = m.msgid;
    proto_msg_destroy(&m);
    send_progress(f, "r1", 1, 4);
    send_progress(f, "r1", 2, 4);
    send_login_ok(f, id);
}

/* auth.login's answer: a mentee's session. */
static void send_login_ok(fake *f, uint32_t id) {
    fb b;
    fb_begin(&b);
    proto_pack_response_ok(&b.pk, id);
    msgpack_pack_map(&b.pk, 4);
    kstr(&b.pk, "token");
    kstr(&b.pk, "tok-123");
    kstr(&b.pk, "role");
    kstr(&b.pk, "mentee");
    kstr(&b.pk, "subject");
    kstr(&b.pk, "199001012015011001");
    kstr(&b.pk, "expires_in");
    msgpack_pack_int64(&b.pk, 86400);
    fb_send(f, &b);
}

typedef struct seen {
    int n;
    int64_t last_done;
    char method[32];
    cn_client *c; /* if set: try a call from inside the callback */
    int reentry_refused;
} seen;

static void on_note(void *priv, const char *method, const msgpack_object *params) {
    seen *s = priv;
    s->n++;
    if (s->c) {
        cn_client_error e;
        s->reentry_refused += cn_client_logout(s->c, &e) == CN_CLIENT_ERR && e.kind == CN_CLIENT_E_USAGE;
    }
    snprintf(s->method, sizeof(s->method), "%s", method);
    cn_client_obj_int(cn_client_map_get(params, "done"), &s->last_done);
}

static void test_login_with_notifications(void **state) {
    (void)state;
    fake *f = fake_start(script_login);
    cn_client *c = connect_to(f, 5000);
    seen s = { 0, 0, "", c, 0 };
    cn_client_set_notify(c, on_note, &s);
    cn_client_session ss;
    cn_client_error e;
    assert_int_equal(cn_client_login(c, "budi", "s3cret", &ss, &e), CN_CLIENT_OK);
    assert_string_equal(ss.token, "tok-123");
    assert_string_equal(ss.role, "mentee");
    assert_string_equal(ss.subject, "199001012015011001");
    assert_string_equal(ss.login, "budi");
    assert_int_equal(ss.expires_in, 86400);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.last_done, 2);
    assert_string_equal(s.method, "run.progress");
    assert_int_equal(s.reentry_refused, 2); /* calls from the callback are refused */
    cn_client_free(c);
    fake_stop(f);
}

/* A password does not outlive its call in the client's memory: neither
 * auth.login's nor user.create's (sent and answered), nor one refused
 * before it was sent (a call from the notification callback, a closed
 * connection).  Regression test (an earlier note's finding): the request
 * stayed in the client's write buffer for the connection's life, and the
 * typed stubs packed it in a buffer of their own first, freed unwiped. */
static void script_login_then_create(fake *f) {
    proto_msg m;
    if (!srv_read(f, &m)) return;
    char pw[32] = "";
    cn_client_obj_str(cn_client_map_get(m.params, "password"), pw, sizeof(pw));
    SCHECK(f, strcmp(m.method, "auth.login") == 0 && strcmp(pw, "pw-Login-4711") == 0);
    uint32_t id = m.msgid;
    proto_msg_destroy(&m);
    send_progress(f, "r1", 1, 4);
    send_login_ok(f, id);
    if (!srv_read(f, &m)) return;
    SCHECK(f, strcmp(m.method, "user.create") == 0);
    cn_client_obj_str(cn_client_map_get(m.params, "password"), pw, sizeof(pw));
    SCHECK(f, strcmp(pw, "another-Secret-9") == 0);
    send_ok_int(f, m.msgid, "created", 1);
    proto_msg_destroy(&m);
}

static void on_note_create(void *priv, const char *method, const msgpack_object *params) {
    (void)method;
    (void)params;
    cn_client *c = priv;
    cn_api_user_create_params u = { .login = "ani", .password = "refused-Secret-7", .role = "mentee" };
    cn_client_error e;
    assert_int_equal(cn_api_user_create(c, &u, NULL, &e), CN_CLIENT_ERR); /* from the callback: refused */
    assert_int_equal(e.kind, CN_CLIENT_E_USAGE);
    assert_false(cn_client_wbuf_holds(c, "refused-Secret-7", 16));
}

static void test_passwords_do_not_stay(void **state) {
    (void)state;
    fake *f = fake_start(script_login_then_create);
    cn_client *c = connect_to(f, 5000);
    cn_client_set_notify(c, on_note_create, c);
    cn_client_session ss;
    cn_client_error e;
    assert_int_equal(cn_client_login(c, "budi", "pw-Login-4711", &ss, &e), CN_CLIENT_OK);
    assert_false(cn_client_wbuf_holds(c, "pw-Login-4711", 13));
    cn_api_user_create_params u = { .login = "siti", .password = "another-Secret-9", .role = "mentee" };
    assert_int_equal(cn_api_user_create(c, &u, NULL, &e), CN_CLIENT_OK);
    assert_false(cn_client_wbuf_holds(c, "another-Secret-9", 16));
    fake_stop(f); /* the server has closed */
    assert_int_equal(cn_client_login(c, "budi", "third-Secret-5", &ss, &e), CN_CLIENT_ERR);
    assert_false(cn_client_wbuf_holds(c, "third-Secret-5", 14));
    cn_client_free(c);
}

/* An error response, then a normal one: the connection stays usable. */
static void script_error_then_ok(fake *f) {
    proto_msg m;
    if (!srv_read(f, &m)) return;
    SCHECK(f, strcmp(m.method, "feedback.put") == 0);
    int64_t rating = 0;
    cn_client_obj_int(cn_client_map_get(m.params, "rating"), &rating);
    SCHECK(f, rating == 9);
    SCHECK(f, cn_client_map_get(m.params, "comment") == NULL); /* NULL comment left out */
    send_error(f, m.msgid, PROTO_E_INVALID_PARAMS, "rating", "must be an integer 1..5");
    proto_msg_destroy(&m);
    if (!srv_read(f, &m)) return;
    SCHECK(f, strcmp(m.method, "stats.get") == 0);
    send_ok_int(f, m.msgid, "matched", 42);
    proto_msg_destroy(&m);
}

static void test_server_error_keeps_connection(void **state) {
    (void)state;
    fake *f = fake_start(script_error_then_ok);
    cn_client *c = connect_to(f, 5000);
    cn_client_error e;
    assert_int_equal(cn_client_feedback_put(c, "m1", 9, NULL, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_SERVER);
    assert_string_equal(e.code, "invalid_params");
    assert_string_equal(e.field, "rating");
    assert_string_equal(e.message, "must be an integer 1..5");
    assert_true(cn_client_is_connected(c));
    cn_client_result *r;
    assert_int_equal(cn_client_stats_get(c, "p1", &r, &e), CN_CLIENT_OK);
    int64_t v;
    assert_int_equal(cn_client_obj_int(cn_client_map_get(cn_client_result_obj(r), "matched"), &v), CN_CLIENT_OK);
    assert_int_equal(v, 42);
    cn_client_result_free(r);
    cn_client_free(c);
    fake_stop(f);
}

/* A framing error answered with msgid 0: the server closes after it. */
static void script_bad_frame(fake *f) {
    proto_msg m;
    if (!srv_read(f, &m)) return;
    proto_msg_destroy(&m);
    send_error(f, 0, PROTO_E_BAD_FRAME, NULL, "frame length 0");
}

static void test_msgid0_error_closes(void **state) {
    (void)state;
    fake *f = fake_start(script_bad_frame);
    cn_client *c = connect_to(f, 5000);
    cn_client_error e;
    assert_int_equal(cn_client_logout(c, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_SERVER);
    assert_string_equal(e.code, "bad_frame");
    assert_false(cn_client_is_connected(c));
    assert_int_equal(cn_client_logout(c, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_CLOSED);
    assert_non_null(strstr(e.message, "frame length 0"));
    cn_client_free(c);
    fake_stop(f);
}

/* Garbage from the server: a frame of declared length 0. */
static void script_garbage(fake *f) {
    proto_msg m;
    if (!srv_read(f, &m)) return;
    proto_msg_destroy(&m);
    srv_write(f, "\0\0\0\0", 4);
}

static void test_garbage_is_protocol_error(void **state) {
    (void)state;
    fake *f = fake_start(script_garbage);
    cn_client *c = connect_to(f, 5000);
    cn_client_error e;
    cn_client_result *r = (cn_client_result *)1;
    assert_int_equal(cn_client_match_mine(c, &r, &e), CN_CLIENT_ERR);
    assert_null(r);
    assert_int_equal(e.kind, CN_CLIENT_E_PROTOCOL);
    assert_false(cn_client_is_connected(c));
    cn_client_free(c);
    fake_stop(f);
}

/* A response that is not msgpack-RPC ([1, id] only). */
static void script_bad_message(fake *f) {
    proto_msg m;
    if (!srv_read(f, &m)) return;
    fb b;
    fb_begin(&b);
    msgpack_pack_array(&b.pk, 2);
    msgpack_pack_int(&b.pk, 1);
    msgpack_pack_uint32(&b.pk, m.msgid);
    fb_send(f, &b);
    proto_msg_destroy(&m);
}

static void test_bad_message_is_protocol_error(void **state) {
    (void)state;
    fake *f = fake_start(script_bad_message);
    cn_client *c = connect_to(f, 5000);
    cn_client_error e;
    assert_int_equal(cn_client_user_disable(c, "x", &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_PROTOCOL);
    assert_non_null(strstr(e.message, "bad message"));
    cn_client_free(c);
    fake_stop(f);
}

/* A success with msgid 0: no request of the client has it (0 is only the
 * server's errors'), so it is a protocol error, not the call's result. */
static void script_msgid0_ok(fake *f) {
    proto_msg m;
    if (!srv_read(f, &m)) return;
    proto_msg_destroy(&m);
    send_ok_int(f, 0, "n", 666);
}

static void test_msgid0_success_is_protocol_error(void **state) {
    (void)state;
    fake *f = fake_start(script_msgid0_ok);
    cn_client *c = connect_to(f, 5000);
    cn_client_error e;
    cn_client_result *r = (cn_client_result *)1;
    assert_int_equal(cn_client_match_mine(c, &r, &e), CN_CLIENT_ERR);
    assert_null(r);
    assert_int_equal(e.kind, CN_CLIENT_E_PROTOCOL);
    assert_non_null(strstr(e.message, "unknown request 0"));
    assert_false(cn_client_is_connected(c));
    cn_client_free(c);
    fake_stop(f);
}

/* Silence: the client times out. */
static void script_silent(fake *f) {
    proto_msg m;
    if (!srv_read(f, &m)) return;
    proto_msg_destroy(&m);
    char buf[16];
    while (read(f->fd, buf, sizeof(buf)) > 0) {}
}

static void test_timeout_closes(void **state) {
    (void)state;
    fake *f = fake_start(script_silent);
    cn_client *c = connect_to(f, 200);
    cn_client_error e;
    assert_int_equal(cn_client_match_pin(c, "p", "m", "c", &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_TIMEOUT);
    assert_non_null(strstr(e.message, "match.pin"));
    assert_false(cn_client_is_connected(c));
    cn_client_free(c); /* closes the socket: the fake's read returns 0 */
    fake_stop(f);
}

/* The server closes without answering. */
static void script_close(fake *f) {
    proto_msg m;
    if (srv_read(f, &m)) proto_msg_destroy(&m);
}

static void test_server_close_is_io_error(void **state) {
    (void)state;
    fake *f = fake_start(script_close);
    cn_client *c = connect_to(f, 5000);
    cn_client_error e;
    assert_int_equal(cn_client_match_forbid(c, "p", "m", "c", &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_IO);
    assert_non_null(strstr(e.message, "closed"));
    cn_client_free(c);
    fake_stop(f);
}

/* Three pipelined requests answered in reverse order. */
static void script_reverse(fake *f) {
    uint32_t ids[3];
    for (int i = 0; i < 3; i++) {
        proto_msg m;
        if (!srv_read(f, &m)) return;
        SCHECK(f, strcmp(m.method, "mentee.put") == 0);
        SCHECK(f, cn_client_map_get(m.params, "profile") != NULL);
        ids[i] = m.msgid;
        proto_msg_destroy(&m);
    }
    send_ok_int(f, ids[2], "version", 3);
    send_error(f, ids[1], PROTO_E_INVALID_PARAMS, "profile.id", "not a NIP");
    send_ok_int(f, ids[0], "version", 1);
}

static void test_pipelining_out_of_order(void **state) {
    (void)state;
    fake *f = fake_start(script_reverse);
    cn_client *c = connect_to(f, 5000);
    cn_client_error e;
    const char params[] = "\x81\xa7profile\x81\xa2id\xa1x"; /* {profile: {id: "x"}} */
    uint32_t ids[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(cn_client_send_raw(c, "mentee.put", params, sizeof(params) - 1, &ids[i], &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_pending(c), 3);
    /* a blocking call is refused while requests are pending */
    assert_int_equal(cn_client_logout(c, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_USAGE);
    uint32_t got;
    cn_client_result *r;
    assert_int_equal(cn_client_recv(c, &got, &r, &e), CN_CLIENT_OK);
    assert_int_equal(got, ids[2]);
    cn_client_result_free(r);
    assert_int_equal(cn_client_recv(c, &got, &r, &e), CN_CLIENT_ERR);
    assert_int_equal(got, ids[1]);
    assert_int_equal(e.kind, CN_CLIENT_E_SERVER);
    assert_string_equal(e.field, "profile.id");
    assert_int_equal(cn_client_recv(c, &got, NULL, &e), CN_CLIENT_OK);
    assert_int_equal(got, ids[0]);
    assert_int_equal(cn_client_pending(c), 0);
    assert_int_equal(cn_client_recv(c, &got, NULL, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_USAGE);
    /* params that are not a map are refused before sending */
    assert_int_equal(cn_client_send_raw(c, "mentee.put", "\x91\x01", 2, &got, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_USAGE);
    cn_client_free(c);
    fake_stop(f);
}

/* match.run, then run.progress and run.done pushed after a pause. */
static void script_run(fake *f) {
    proto_msg m;
    if (!srv_read(f, &m)) return;
    SCHECK(f, strcmp(m.method, "match.run") == 0);
    const msgpack_object *pol = cn_client_map_get(m.params, "policy");
    char obj[32] = "";
    cn_client_obj_str(cn_client_map_get(pol, "objective"), obj, sizeof(obj));
    SCHECK(f, strcmp(obj, "quality") == 0);
    fb b;
    fb_begin(&b);
    proto_pack_response_ok(&b.pk, m.msgid);
    msgpack_pack_map(&b.pk, 1);
    kstr(&b.pk, "run_id");
    kstr(&b.pk, "run-7");
    fb_send(f, &b);
    proto_msg_destroy(&m);
    usleep(300 * 1000);
    send_progress(f, "run-7", 5, 5);
    fb_begin(&b);
    proto_pack_notification(&b.pk, "run.done");
    msgpack_pack_map(&b.pk, 2);
    kstr(&b.pk, "run_id");
    kstr(&b.pk, "run-7");
    kstr(&b.pk, "status");
    kstr(&b.pk, "done");
    fb_send(f, &b);
    script_silent(f);
}

static void test_run_and_wait(void **state) {
    (void)state;
    fake *f = fake_start(script_run);
    cn_client *c = connect_to(f, 5000);
    seen s = { 0, 0, "", NULL, 0 };
    cn_client_set_notify(c, on_note, &s);
    cn_client_error e;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    kstr(&pk, "objective");
    kstr(&pk, "quality");
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
    char run_id[16];
    assert_int_equal(cn_client_match_run(c, "p1", &u.data, run_id, sizeof(run_id), &e), CN_CLIENT_OK);
    assert_string_equal(run_id, "run-7");
    int delivered = -1;
    /* nothing within 50 ms: not an error, still connected */
    assert_int_equal(cn_client_wait(c, 50, &delivered, &e), CN_CLIENT_OK);
    assert_int_equal(delivered, 0);
    assert_true(cn_client_is_connected(c));
    while (strcmp(s.method, "run.done") != 0) {
        assert_int_equal(cn_client_wait(c, 2000, &delivered, &e), CN_CLIENT_OK);
        assert_int_equal(delivered, 1);
    }
    assert_int_equal(s.n, 2);
    assert_int_equal(s.last_done, 5);
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
    cn_client_free(c);
    fake_stop(f);
}

/* Typed calls refuse what they cannot encode without touching the network. */
static void script_none(fake *f) {
    proto_msg m;
    SCHECK(f, srv_read(f, &m) == 0); /* the client sends nothing */
}

static void test_typed_call_usage_errors(void **state) {
    (void)state;
    fake *f = fake_start(script_none);
    cn_client *c = connect_to(f, 5000);
    cn_client_error e;
    assert_int_equal(cn_client_login(c, NULL, "x", NULL, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_USAGE);
    assert_int_equal(cn_client_match_review(c, NULL, 0, "approve", NULL, NULL, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_USAGE);
    assert_int_equal(cn_client_profile_get(c, CN_CLIENT_MENTEE, "", NULL, &e), CN_CLIENT_ERR);
    assert_non_null(strstr(e.message, "mentee.get: id is required"));
    assert_int_equal(cn_client_meeting_log(c, "m", NULL, 60, NULL, NULL, &e), CN_CLIENT_ERR);
    assert_int_equal(cn_client_profile_put(c, CN_CLIENT_COACH, NULL, -1, NULL, 0, NULL, &e), CN_CLIENT_ERR);
    assert_non_null(strstr(e.message, "coach.put"));
    cn_client_user_spec u = { "x", "pw", NULL, NULL, NULL, 0 };
    assert_int_equal(cn_client_user_create(c, &u, &e), CN_CLIENT_ERR);
    assert_non_null(strstr(e.message, "role"));
    assert_int_equal(cn_client_call_raw(c, "", NULL, 0, NULL, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_USAGE);
    assert_true(cn_client_is_connected(c));
    cn_client_free(c);
    fake_stop(f);
}

/* A result missing what the protocol promises is a protocol error. */
static void script_login_no_token(fake *f) {
    proto_msg m;
    if (!srv_read(f, &m)) return;
    fb b;
    fb_begin(&b);
    proto_pack_response_ok(&b.pk, m.msgid);
    msgpack_pack_map(&b.pk, 1);
    kstr(&b.pk, "role");
    kstr(&b.pk, "admin");
    fb_send(f, &b);
    proto_msg_destroy(&m);
    if (!srv_read(f, &m)) return;
    SCHECK(f, strcmp(m.method, "meeting.log") == 0);
    char date[16] = "";
    int64_t minutes = 0;
    cn_client_obj_str(cn_client_map_get(m.params, "date"), date, sizeof(date));
    cn_client_obj_int(cn_client_map_get(m.params, "minutes"), &minutes);
    SCHECK(f, strcmp(date, "2026-03-02") == 0 && minutes == 90);
    fb_begin(&b);
    proto_pack_response_ok(&b.pk, m.msgid);
    msgpack_pack_map(&b.pk, 8);
    kstr(&b.pk, "meeting_id");
    msgpack_pack_int64(&b.pk, 17);
    kstr(&b.pk, "confirmed");
    msgpack_pack_true(&b.pk);
    kstr(&b.pk, "minutes");
    msgpack_pack_int64(&b.pk, 60);
    kstr(&b.pk, "jp");
    msgpack_pack_double(&b.pk, 1.3);
    kstr(&b.pk, "year");
    msgpack_pack_int64(&b.pk, 2026);
    kstr(&b.pk, "minutes_total");
    msgpack_pack_int64(&b.pk, 150);
    kstr(&b.pk, "jp_total");
    msgpack_pack_double(&b.pk, 3.3);
    kstr(&b.pk, "jp_target");
    msgpack_pack_int64(&b.pk, 24);
    fb_send(f, &b);
    proto_msg_destroy(&m);
    /* the result of before issue 10 (no confirmed, ...): a protocol error */
    if (!srv_read(f, &m)) return;
    fb_begin(&b);
    proto_pack_response_ok(&b.pk, m.msgid);
    msgpack_pack_map(&b.pk, 3);
    kstr(&b.pk, "meeting_id");
    kstr(&b.pk, "mt1");
    kstr(&b.pk, "jp_total");
    msgpack_pack_int64(&b.pk, 2);
    kstr(&b.pk, "minutes_total");
    msgpack_pack_int64(&b.pk, 90);
    fb_send(f, &b);
    proto_msg_destroy(&m);
}

static void test_result_shapes(void **state) {
    (void)state;
    fake *f = fake_start(script_login_no_token);
    cn_client *c = connect_to(f, 5000);
    cn_client_error e;
    cn_client_session s;
    assert_int_equal(cn_client_login(c, "a", "b", &s, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_PROTOCOL);
    assert_non_null(strstr(e.message, "token"));
    cn_client_meeting mt;
    assert_int_equal(cn_client_meeting_log(c, "m1", "2026-03-02", 90, NULL, &mt, &e), CN_CLIENT_OK);
    assert_string_equal(mt.meeting_id, "17"); /* an integer id is shown as text */
    assert_int_equal(mt.confirmed, 1);
    assert_int_equal(mt.minutes, 60); /* the record's, not the 90 this side sent */
    assert_int_equal(mt.year, 2026);
    assert_int_equal(mt.minutes_total, 150);
    assert_int_equal(mt.jp_target, 24);
    char shown[64];
    snprintf(shown, sizeof shown, "%.1f %.1f", mt.jp, mt.jp_total);
    assert_string_equal(shown, "1.3 3.3");
    assert_int_equal(cn_client_meeting_log(c, "m1", "2026-03-02", 90, NULL, &mt, &e), CN_CLIENT_ERR);
    assert_int_equal(e.kind, CN_CLIENT_E_PROTOCOL);
    assert_non_null(strstr(e.message, "confirmed"));
    cn_client_free(c);
    fake_stop(f);
}

/* Every typed call sends the method and exactly the keys of design.md §3
 * (optional ones only when given). */
static const struct {
    const char *method, *keys; /* keys sorted, comma-separated */
} expected_calls[] = {
    { "auth.resume", "token" },
    { "user.create", "login,password,programs,role,subject" },
    { "user.create", "login,password,role" },
    { "mentee.put", "if_version,profile" },
    { "coach.put", "profile" },
    { "coach.get", "id" },
    { "mentee.list", "limit,program,province" },
    { "coach.list", "" },
    { "match.suggest", "mentee_id" },
    { "match.request", "coach_id" },
    { "match.run", "program" },
    { "match.list", "limit,min_score,run_id,status" },
    { "match.list", "" },
    { "match.explain", "coach_id,mentee_id" },
    { "match.review", "decision,match_ids,note" },
    { "match.pin", "coach_id,mentee_id,program" },
    { "match.mine", "" },
    { "match.respond", "accept,match_id" },
    { "feedback.put", "comment,match_id,rating" },
    { "stats.get", "program" },
    { "auth.logout", "" },
};
#define N_EXPECTED (sizeof(expected_calls) / sizeof(expected_calls[0]))

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void script_params(fake *f) {
    for (size_t i = 0; i < N_EXPECTED; i++) {
        proto_msg m;
        if (!srv_read(f, &m)) {
            SCHECK(f, !"client sent fewer requests than expected");
            return;
        }
        char keys[256] = "";
        char names[16][32];
        char *ptrs[16];
        uint32_t n = m.params->via.map.size < 16 ? m.params->via.map.size : 16;
        for (uint32_t k = 0; k < n; k++) {
            cn_client_obj_str(&m.params->via.map.ptr[k].key, names[k], sizeof(names[k]));
            ptrs[k] = names[k];
        }
        qsort(ptrs, n, sizeof(char *), cmp_str);
        for (uint32_t k = 0; k < n; k++)
            snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%s%s", k ? "," : "", ptrs[k]);
        if (strcmp(m.method, expected_calls[i].method) != 0 || strcmp(keys, expected_calls[i].keys) != 0) {
            f->failures++;
            snprintf(f->why, sizeof(f->why), "call %zu: got %.40s {%.80s}, expected %s {%s}", i, m.method, keys,
                     expected_calls[i].method, expected_calls[i].keys);
        }
        if (strcmp(m.method, "match.respond") == 0) {
            const msgpack_object *acc = cn_client_map_get(m.params, "accept");
            SCHECK(f, acc && acc->type == MSGPACK_OBJECT_BOOLEAN && !acc->via.boolean);
        }
        if (strcmp(m.method, "match.review") == 0) {
            const msgpack_object *ids = cn_client_map_get(m.params, "match_ids");
            SCHECK(f, ids && ids->type == MSGPACK_OBJECT_ARRAY && ids->via.array.size == 2);
        }
        /* one result that satisfies every typed call */
        fb b;
        fb_begin(&b);
        proto_pack_response_ok(&b.pk, m.msgid);
        msgpack_pack_map(&b.pk, 5);
        kstr(&b.pk, "id");
        kstr(&b.pk, "x1");
        kstr(&b.pk, "version");
        msgpack_pack_int(&b.pk, 4);
        kstr(&b.pk, "role");
        kstr(&b.pk, "coordinator");
        kstr(&b.pk, "login");
        kstr(&b.pk, "sari");
        kstr(&b.pk, "run_id");
        kstr(&b.pk, "r9");
        fb_send(f, &b);
        proto_msg_destroy(&m);
    }
}

static void test_typed_calls_send_design_keys(void **state) {
    (void)state;
    fake *f = fake_start(script_params);
    cn_client *c = connect_to(f, 5000);
    cn_client_error e;
    cn_client_session s;
    cn_client_result *r;
    char id[16], run_id[16];
    int64_t version = 0;
    const char *progs[] = { "p1", "p2" };
    const char *ids[] = { "m1", "m2" };
    const char profile[] = "\x81\xa2id\xa2x1";
    assert_int_equal(cn_client_resume(c, "tok", &s, &e), CN_CLIENT_OK);
    assert_string_equal(s.login, "sari");
    assert_string_equal(s.role, "coordinator");
    cn_client_user_spec u1 = { "b", "pw", "mentee", "199001012015011001", progs, 2 };
    assert_int_equal(cn_client_user_create(c, &u1, &e), CN_CLIENT_OK);
    cn_client_user_spec u2 = { "c", "pw", "coordinator", NULL, NULL, 0 };
    assert_int_equal(cn_client_user_create(c, &u2, &e), CN_CLIENT_OK);
    assert_int_equal(
        cn_client_profile_put_raw(c, CN_CLIENT_MENTEE, profile, sizeof(profile) - 1, 3, id, sizeof(id), &version, &e),
        CN_CLIENT_OK);
    assert_string_equal(id, "x1");
    assert_int_equal(version, 4);
    assert_int_equal(cn_client_profile_put_raw(c, CN_CLIENT_COACH, profile, sizeof(profile) - 1, -1, NULL, 0, NULL, &e),
                     CN_CLIENT_OK);
    assert_int_equal(cn_client_profile_get(c, CN_CLIENT_COACH, "x1", NULL, &e), CN_CLIENT_OK);
    cn_client_list_opts lo = { "p1", "31", NULL, 10 };
    assert_int_equal(cn_client_profile_list(c, CN_CLIENT_MENTEE, &lo, NULL, &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_profile_list(c, CN_CLIENT_COACH, NULL, NULL, &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_match_suggest(c, "m", 0, NULL, &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_match_request(c, "c", &r, &e), CN_CLIENT_OK);
    assert_non_null(cn_client_map_get(cn_client_result_obj(r), "run_id"));
    cn_client_result_free(r);
    assert_int_equal(cn_client_match_run(c, "p1", NULL, run_id, sizeof(run_id), &e), CN_CLIENT_OK);
    assert_string_equal(run_id, "r9");
    cn_client_match_filter mf = { "r9", NULL, "proposed", 0, NULL, 50, NULL, NULL, NULL };
    assert_int_equal(cn_client_match_list(c, &mf, NULL, &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_match_list(c, NULL, NULL, &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_match_explain(c, "m", "c", NULL, &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_match_review(c, ids, 2, "reject", "dup", NULL, &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_match_pin(c, "p", "m", "c", &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_match_mine(c, NULL, &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_match_respond(c, "m1", 0, NULL, NULL, &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_feedback_put(c, "m1", 5, "ok", &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_stats_get(c, "p1", NULL, &e), CN_CLIENT_OK);
    assert_int_equal(cn_client_logout(c, &e), CN_CLIENT_OK);
    cn_client_free(c);
    fake_stop(f);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_and_names),
        cmocka_unit_test(test_obj_helpers),
        cmocka_unit_test(test_connect_failures),
        cmocka_unit_test(test_login_with_notifications),
        cmocka_unit_test(test_server_error_keeps_connection),
        cmocka_unit_test(test_msgid0_error_closes),
        cmocka_unit_test(test_garbage_is_protocol_error),
        cmocka_unit_test(test_bad_message_is_protocol_error),
        cmocka_unit_test(test_msgid0_success_is_protocol_error),
        cmocka_unit_test(test_timeout_closes),
        cmocka_unit_test(test_server_close_is_io_error),
        cmocka_unit_test(test_pipelining_out_of_order),
        cmocka_unit_test(test_run_and_wait),
        cmocka_unit_test(test_typed_call_usage_errors),
        cmocka_unit_test(test_result_shapes),
        cmocka_unit_test(test_typed_calls_send_design_keys),
        cmocka_unit_test(test_passwords_do_not_stay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
