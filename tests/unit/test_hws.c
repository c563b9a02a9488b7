/* test_hws.c — server/hws.c, the pure HTTP/WebSocket layer: requests and
 * handshakes split at every byte boundary, pipelining, fragmented
 * messages, the limits (head bytes and lines, target, message size across
 * fragments), bad handshakes, the Origin check, the close handshake both
 * ways, ping/pong keepalive, text and unmasked frames, pausing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/hws.h"

#define T_OUT_MAX 65536
#define T_MSGS    8

/* What the callbacks saw. */
typedef struct t_peer {
    char out[T_OUT_MAX];
    size_t out_len;
    int requests, opened;
    char path[256], query[256], ae[256], inm[256], origin[256];
    int head;
    int nmsgs;
    size_t msg_len[T_MSGS];
    uint8_t msg[T_MSGS][4096];
    int pause_after; /* pause once this many messages arrived (0: never) */
} t_peer;

static void t_write(void *ud, const void *data, size_t len) {
    t_peer *p = ud;
    assert_true(p->out_len + len <= T_OUT_MAX);
    memcpy(p->out + p->out_len, data, len);
    p->out_len += len;
}

static hws *t_h; /* the connection the request callback answers on */

static void t_request(void *ud, const hws_request *rq) {
    t_peer *p = ud;
    p->requests++;
    snprintf(p->path, sizeof p->path, "%s", rq->path);
    snprintf(p->query, sizeof p->query, "%s", rq->query);
    snprintf(p->ae, sizeof p->ae, "%s", rq->accept_encoding);
    snprintf(p->inm, sizeof p->inm, "%s", rq->if_none_match);
    snprintf(p->origin, sizeof p->origin, "%s", rq->origin);
    p->head = rq->head;
    hws_response r = { .status = 200, .content_type = "text/plain", .body = "hi", .len = 2, .etag = "\"e1\"" };
    hws_respond(t_h, &r);
}

static void t_open(void *ud) { ((t_peer *)ud)->opened++; }

static int t_message(void *ud, const uint8_t *data, size_t len) {
    t_peer *p = ud;
    assert_true(p->nmsgs < T_MSGS && len <= sizeof p->msg[0]);
    memcpy(p->msg[p->nmsgs], data, len);
    p->msg_len[p->nmsgs++] = len;
    return p->pause_after && p->nmsgs >= p->pause_after;
}

static const hws_callbacks t_cbs = { t_write, t_request, t_open, t_message };

static hws_config t_cfg(void) {
    hws_config c = {
        .header_bytes = 1024,
        .headers = 16,
        .message_bytes = 100,
        .ping_interval_ms = 1000,
        .pong_timeout_ms = 500,
        .ws_path = "/rpc",
        .origins = NULL,
    };
    return c;
}

static hws *t_new(t_peer *p, const hws_config *c) {
    memset(p, 0, sizeof *p);
    hws_config d = t_cfg();
    t_h = hws_new(c ? c : &d, &t_cbs, p);
    assert_non_null(t_h);
    return t_h;
}

/* Feed all of data, asserting the layer takes it. */
static void t_feed(hws *h, const void *data, size_t len) { assert_int_equal(hws_feed(h, data, len), len); }

/* The output's status code (first response). */
static int t_status(const t_peer *p) {
    int st = 0;
    if (p->out_len < 12 || sscanf(p->out, "HTTP/1.1 %d", &st) != 1) return -1;
    return st;
}

/* The bytes after the first response head (WebSocket frames). */
static const uint8_t *t_frames(const t_peer *p, size_t *len) {
    const char *e = NULL;
    for (size_t i = 0; i + 4 <= p->out_len; i++)
        if (!memcmp(p->out + i, "\r\n\r\n", 4)) {
            e = p->out + i + 4;
            break;
        }
    assert_non_null(e);
    *len = p->out_len - (size_t)(e - p->out);
    return (const uint8_t *)e;
}

/* Parse one server frame at *at (unmasked); returns its opcode. */
static int t_frame(const uint8_t *buf, size_t len, size_t *at, const uint8_t **payload, size_t *plen) {
    assert_true(*at + 2 <= len);
    const uint8_t *f = buf + *at;
    assert_int_equal(f[1] & 0x80, 0); /* a server never masks */
    size_t n = f[1] & 0x7f, h = 2;
    if (n == 126) {
        n = (size_t)f[2] << 8 | f[3];
        h = 4;
    }
    assert_true(n < 127);
    assert_true(*at + h + n <= len);
    *payload = f + h;
    *plen = n;
    *at += h + n;
    return f[0] & 0x0f;
}

/* A masked client frame into out; returns its size. */
static size_t t_client_frame(uint8_t *out, int opcode, int fin, const void *payload, size_t n) {
    static const uint8_t mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
    size_t h = 0;
    out[h++] = (uint8_t)((fin ? 0x80 : 0) | opcode);
    if (n < 126) {
        out[h++] = (uint8_t)(0x80 | n);
    } else {
        out[h++] = 0x80 | 126;
        out[h++] = (uint8_t)(n >> 8);
        out[h++] = (uint8_t)n;
    }
    memcpy(out + h, mask, 4);
    h += 4;
    for (size_t i = 0; i < n; i++) out[h + i] = ((const uint8_t *)payload)[i] ^ mask[i % 4];
    return h + n;
}

#define T_KEY    "dGhlIHNhbXBsZSBub25jZQ=="
#define T_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" /* RFC 6455 1.3 */

/* A handshake request with the given lines in place of the defaults
 * (NULL: default). */
static size_t t_handshake(char *buf, size_t size, const char *upgrade, const char *key, const char *version,
                          const char *origin, const char *proto) {
    int n = snprintf(buf, size,
                     "GET /rpc HTTP/1.1\r\nHost: coach.example\r\n%s%sConnection: keep-alive, Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: %s\r\n%s%s%s%s%s\r\n",
                     upgrade ? upgrade : "Upgrade: websocket", "\r\n", key ? key : T_KEY, version ? version : "13",
                     origin ? "Origin: " : "Origin: https://coach.example", origin ? origin : "", "\r\n",
                     proto ? proto : "Sec-WebSocket-Protocol: chat, coachnet.v1", "\r\n");
    assert_true(n > 0 && (size_t)n < size);
    return (size_t)n;
}

/* ------------------------------------------------------------------ HTTP */

static const char t_get[] = "GET /js/app.mjs?v=3 HTTP/1.1\r\nHost: coach.example\r\nAccept-Encoding: gzip, br\r\n"
                            "If-None-Match: \"abc\"\r\n\r\n";

static void request_split_at_every_byte(void **state) {
    (void)state;
    size_t len = sizeof t_get - 1;
    for (size_t cut = 0; cut <= len; cut++) {
        t_peer p;
        hws *h = t_new(&p, NULL);
        t_feed(h, t_get, cut);
        assert_int_equal(p.requests, 0 + (cut == len));
        t_feed(h, t_get + cut, len - cut);
        assert_int_equal(p.requests, 1);
        assert_string_equal(p.path, "/js/app.mjs");
        assert_string_equal(p.query, "v=3");
        assert_string_equal(p.ae, "gzip, br");
        assert_string_equal(p.inm, "\"abc\"");
        assert_int_equal(t_status(&p), 200);
        assert_int_equal(hws_get_state(h), HWS_HTTP); /* kept alive */
        hws_free(h);
    }
    /* and one byte at a time */
    t_peer p;
    hws *h = t_new(&p, NULL);
    for (size_t i = 0; i < len; i++) t_feed(h, t_get + i, 1);
    assert_int_equal(p.requests, 1);
    hws_free(h);
}

static void responses_carry_security_headers(void **state) {
    (void)state;
    t_peer p;
    hws *h = t_new(&p, NULL);
    t_feed(h, t_get, sizeof t_get - 1);
    p.out[p.out_len] = '\0';
    assert_non_null(strstr(p.out, "Content-Security-Policy: default-src 'self'; script-src 'self';"));
    assert_non_null(strstr(p.out, "frame-ancestors 'none'"));
    assert_null(strstr(p.out, "unsafe-inline"));
    assert_non_null(strstr(p.out, "Strict-Transport-Security: max-age="));
    assert_non_null(strstr(p.out, "X-Content-Type-Options: nosniff\r\n"));
    assert_non_null(strstr(p.out, "Referrer-Policy: no-referrer\r\n"));
    assert_non_null(strstr(p.out, "Content-Length: 2\r\n"));
    assert_non_null(strstr(p.out, "ETag: \"e1\"\r\n"));
    assert_memory_equal(p.out + p.out_len - 6, "\r\n\r\nhi", 6);
    hws_free(h);
    /* an error the layer answers itself has them too */
    h = t_new(&p, NULL);
    t_feed(h, "BREW / HTTP/1.1\r\n\r\n", 19);
    p.out[p.out_len] = '\0';
    assert_int_equal(t_status(&p), 400);
    assert_non_null(strstr(p.out, "X-Content-Type-Options: nosniff\r\n"));
    hws_free(h);
}

static void pipelined_and_head(void **state) {
    (void)state;
    t_peer p;
    hws *h = t_new(&p, NULL);
    static const char two[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\n";
    t_feed(h, two, sizeof two - 1);
    assert_int_equal(p.requests, 2);
    assert_string_equal(p.path, "/b");
    assert_int_equal(p.head, 1);
    p.out[p.out_len] = '\0';
    /* the second (HEAD) answer has the length but no body */
    const char *second = strstr(p.out + 1, "HTTP/1.1 200");
    assert_non_null(second);
    assert_non_null(strstr(second, "Content-Length: 2\r\n"));
    assert_memory_equal(p.out + p.out_len - 4, "\r\n\r\n", 4);
    hws_free(h);
}

static void connection_close_and_http10(void **state) {
    (void)state;
    t_peer p;
    hws *h = t_new(&p, NULL);
    static const char req[] = "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    t_feed(h, req, sizeof req - 1);
    assert_int_equal(hws_get_state(h), HWS_CLOSED);
    p.out[p.out_len] = '\0';
    assert_non_null(strstr(p.out, "Connection: close\r\n"));
    hws_free(h);
    h = t_new(&p, NULL);
    t_feed(h, "GET /a HTTP/1.0\r\n\r\n", 19);
    assert_int_equal(p.requests, 1);
    assert_int_equal(hws_get_state(h), HWS_CLOSED);
    hws_free(h);
}

static void head_limits(void **state) {
    (void)state;
    t_peer p;
    char big[2048];
    /* head bytes: a head that does not end within 1024 bytes is 431,
     * whether it comes at once or byte by byte */
    int n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nX-Pad: %01100d\r\n\r\n", 0);
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        hws *h = t_new(&p, NULL);
        if (bytewise)
            for (int i = 0; i < n && hws_get_state(h) == HWS_HTTP; i++) hws_feed(h, big + i, 1);
        else
            t_feed(h, big, (size_t)n);
        assert_int_equal(t_status(&p), 431);
        assert_int_equal(hws_get_state(h), HWS_CLOSED);
        assert_int_equal(p.requests, 0);
        hws_free(h);
    }
    /* exactly at the limit is fine */
    hws_config c = t_cfg();
    n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: %0*d\r\n\r\n", 1024 - 16 - 9 - 7 - 4, 0);
    assert_int_equal(n, 1024);
    hws *h = t_new(&p, &c);
    t_feed(h, big, (size_t)n);
    assert_int_equal(p.requests, 1);
    hws_free(h);
    /* header lines: 17 > 16 */
    size_t m = (size_t)snprintf(big, sizeof big, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 17; i++) m += (size_t)snprintf(big + m, sizeof big - m, "X-%d: y\r\n", i);
    m += (size_t)snprintf(big + m, sizeof big - m, "\r\n");
    h = t_new(&p, NULL);
    t_feed(h, big, m);
    assert_int_equal(t_status(&p), 431);
    hws_free(h);
    /* a kept value above HWS_VALUE_MAX */
    c.header_bytes = 4096;
    n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nOrigin: %0600d\r\n\r\n", 0);
    h = t_new(&p, &c);
    t_feed(h, big, (size_t)n);
    assert_int_equal(t_status(&p), 431);
    hws_free(h);
    /* a target above HWS_URL_MAX */
    char url[HWS_URL_MAX + 64];
    c.header_bytes = 8192;
    n = snprintf(url, sizeof url, "GET /%0*d HTTP/1.1\r\n\r\n", HWS_URL_MAX, 0);
    h = t_new(&p, &c);
    t_feed(h, url, (size_t)n);
    assert_int_equal(t_status(&p), 414);
    hws_free(h);
}

static void methods_and_bodies(void **state) {
    (void)state;
    t_peer p;
    static const char post[] = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
    hws *h = t_new(&p, NULL);
    t_feed(h, post, sizeof post - 1);
    p.out[p.out_len] = '\0';
    assert_int_equal(t_status(&p), 405);
    assert_non_null(strstr(p.out, "Allow: GET, HEAD\r\n"));
    hws_free(h);
    static const char body[] = "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
    h = t_new(&p, NULL);
    t_feed(h, body, sizeof body - 1);
    assert_int_equal(t_status(&p), 413);
    hws_free(h);
    h = t_new(&p, NULL);
    t_feed(h, "GET http://x/a HTTP/1.1\r\n\r\n", 27);
    assert_int_equal(t_status(&p), 400);
    hws_free(h);
    /* Host (RFC 9112 3.2): exactly one in HTTP/1.1, none needed in 1.0 */
    static const char *const hosts[] = { "GET /a HTTP/1.1\r\n\r\n", "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                                         "GET /a HTTP/1.0\r\n\r\n", "GET /a HTTP/1.1\r\nhost: a\r\n\r\n" };
    static const int host_status[] = { 400, 400, 200, 200 };
    for (size_t i = 0; i < 4; i++) {
        h = t_new(&p, NULL);
        hws_feed(h, hosts[i], strlen(hosts[i]));
        assert_int_equal(t_status(&p), host_status[i]);
        assert_int_equal(p.requests, host_status[i] == 200);
        hws_free(h);
    }
    /* the layer's own errors to a HEAD request: the head alone */
    static const char *const heads[] = { "HEAD /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
                                         "HEAD /rpc HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD http://x/a HTTP/1.1\r\n\r\n" };
    static const int want[] = { 413, 426, 400 };
    for (size_t i = 0; i < 3; i++) {
        h = t_new(&p, NULL);
        hws_feed(h, heads[i], strlen(heads[i]));
        assert_int_equal(t_status(&p), want[i]);
        assert_true(p.out_len >= 4 && !memcmp(p.out + p.out_len - 4, "\r\n\r\n", 4)); /* nothing after the head */
        p.out[p.out_len] = '\0';
        assert_non_null(strstr(p.out, "Content-Length: "));
        hws_free(h);
    }
}

/* ------------------------------------------------------------ handshake */

static void handshake_split_at_every_byte(void **state) {
    (void)state;
    uint8_t buf[1024];
    size_t n = t_handshake((char *)buf, sizeof buf, NULL, NULL, NULL, NULL, NULL);
    n += t_client_frame(buf + n, 0x2, 1, "hello", 5);
    for (size_t cut = 0; cut <= n; cut++) {
        t_peer p;
        hws *h = t_new(&p, NULL);
        t_feed(h, buf, cut);
        t_feed(h, buf + cut, n - cut);
        assert_int_equal(p.opened, 1);
        assert_int_equal(hws_get_state(h), HWS_WS);
        assert_int_equal(t_status(&p), 101);
        p.out[p.out_len] = '\0';
        assert_non_null(strstr(p.out, "Sec-WebSocket-Accept: " T_ACCEPT "\r\n"));
        assert_non_null(strstr(p.out, "Sec-WebSocket-Protocol: coachnet.v1\r\n"));
        assert_non_null(strstr(p.out, "Upgrade: websocket\r\n"));
        assert_int_equal(p.nmsgs, 1);
        assert_int_equal(p.msg_len[0], 5);
        assert_memory_equal(p.msg[0], "hello", 5);
        hws_free(h);
    }
    t_peer p;
    hws *h = t_new(&p, NULL);
    for (size_t i = 0; i < n; i++) t_feed(h, buf + i, 1);
    assert_int_equal(p.nmsgs, 1);
    hws_free(h);
}

static int t_refused(const char *upgrade, const char *key, const char *version, const char *origin, const char *proto,
                     const char *origins) {
    char buf[1024];
    size_t n = t_handshake(buf, sizeof buf, upgrade, key, version, origin, proto);
    hws_config c = t_cfg();
    c.origins = origins;
    t_peer p;
    hws *h = t_new(&p, &c);
    t_feed(h, buf, n);
    int st = t_status(&p);
    if (st != 101) {
        assert_int_equal(hws_get_state(h), HWS_CLOSED);
        assert_int_equal(p.opened, 0);
    }
    hws_free(h);
    return st;
}

static void bad_handshakes(void **state) {
    (void)state;
    assert_int_equal(t_refused(NULL, NULL, NULL, NULL, NULL, NULL), 101);
    assert_int_equal(t_refused("X-No-Upgrade: 1", NULL, NULL, NULL, NULL, NULL), 426);
    assert_int_equal(t_refused("Upgrade: h2c", NULL, NULL, NULL, NULL, NULL), 426);
    assert_int_equal(t_refused(NULL, "", NULL, NULL, NULL, NULL), 400);
    assert_int_equal(t_refused(NULL, "dGhlIHNhbXBsZSBub25jZQ", NULL, NULL, NULL, NULL), 400);
    assert_int_equal(t_refused(NULL, "dGhlIHNhbXBsZSBub25jZQ=", NULL, NULL, NULL, NULL), 400);
    assert_int_equal(t_refused(NULL, "dGhlIHNhbXBsZSBub25j*Q==", NULL, NULL, NULL, NULL), 400);
    /* 22 characters then "==" carry 16 bytes only if the last one ends in four zero bits */
    assert_int_equal(t_refused(NULL, "dGhlIHNhbXBsZSBub25jZR==", NULL, NULL, NULL, NULL), 400);
    assert_int_equal(t_refused(NULL, NULL, "8", NULL, NULL, NULL), 426);
    assert_int_equal(t_refused(NULL, NULL, "", NULL, NULL, NULL), 426);
    assert_int_equal(t_refused(NULL, NULL, NULL, NULL, "Sec-WebSocket-Protocol: chat", NULL), 400);
    assert_int_equal(t_refused(NULL, NULL, NULL, NULL, "X-None: 1", NULL), 400);
    /* Connection without the upgrade token */
    t_peer p;
    hws *h = t_new(&p, NULL);
    static const char noconn[] = "GET /rpc HTTP/1.1\r\nHost: coach.example\r\nUpgrade: websocket\r\n"
                                 "Sec-WebSocket-Key: " T_KEY "\r\nSec-WebSocket-Version: 13\r\n"
                                 "Origin: https://coach.example\r\nSec-WebSocket-Protocol: coachnet.v1\r\n\r\n";
    t_feed(h, noconn, sizeof noconn - 1);
    assert_int_equal(t_status(&p), 400);
    hws_free(h);
    /* the version header tells the client which version we speak */
    char buf[1024];
    size_t n = t_handshake(buf, sizeof buf, NULL, NULL, "12", NULL, NULL);
    h = t_new(&p, NULL);
    t_feed(h, buf, n);
    p.out[p.out_len] = '\0';
    assert_non_null(strstr(p.out, "Sec-WebSocket-Version: 13\r\n"));
    hws_free(h);
}

static void origin_check(void **state) {
    (void)state;
    /* default: the server's own origin, https://<Host> */
    assert_int_equal(t_refused(NULL, NULL, NULL, "https://evil.example", NULL, NULL), 403);
    assert_int_equal(t_refused(NULL, NULL, NULL, "http://coach.example", NULL, NULL), 403);
    assert_int_equal(t_refused(NULL, NULL, NULL, "https://coach.example.evil", NULL, NULL), 403);
    assert_int_equal(t_refused(NULL, NULL, NULL, "", NULL, NULL), 403);
    assert_int_equal(t_refused(NULL, NULL, NULL, "https://COACH.example", NULL, NULL), 101);
    /* a configured list replaces the default */
    const char *list = "https://app.example, https://admin.example:8443";
    assert_int_equal(t_refused(NULL, NULL, NULL, "https://admin.example:8443", NULL, list), 101);
    assert_int_equal(t_refused(NULL, NULL, NULL, "https://app.example", NULL, list), 101);
    assert_int_equal(t_refused(NULL, NULL, NULL, "https://coach.example", NULL, list), 403);
    assert_int_equal(t_refused(NULL, NULL, NULL, "https://admin.example", NULL, list), 403);
    assert_int_equal(t_refused(NULL, NULL, NULL, "https://app.exampl", NULL, list), 403);
}

/* ----------------------------------------------------------- WebSocket */

/* A connection past its handshake. */
static hws *t_open_ws(t_peer *p, const hws_config *c) {
    char buf[1024];
    size_t n = t_handshake(buf, sizeof buf, NULL, NULL, NULL, NULL, NULL);
    hws *h = t_new(p, c);
    t_feed(h, buf, n);
    assert_int_equal(hws_get_state(h), HWS_WS);
    return h;
}

static void fragmented_message(void **state) {
    (void)state;
    t_peer p;
    hws *h = t_open_ws(&p, NULL);
    uint8_t buf[512];
    size_t n = t_client_frame(buf, 0x2, 0, "frag", 4);
    n += t_client_frame(buf + n, 0x9, 1, "png", 3); /* a control frame between fragments */
    n += t_client_frame(buf + n, 0x0, 0, "ment", 4);
    n += t_client_frame(buf + n, 0x0, 1, "ed", 2);
    for (size_t cut = 0; cut <= n; cut++) {
        hws_free(h);
        h = t_open_ws(&p, NULL);
        t_feed(h, buf, cut);
        t_feed(h, buf + cut, n - cut);
        assert_int_equal(p.nmsgs, 1);
        assert_int_equal(p.msg_len[0], 10);
        assert_memory_equal(p.msg[0], "fragmented", 10);
        size_t fl, at = 0, pl;
        const uint8_t *f = t_frames(&p, &fl), *pay;
        assert_int_equal(t_frame(f, fl, &at, &pay, &pl), 0xA); /* the pong */
        assert_int_equal(pl, 3);
        assert_memory_equal(pay, "png", 3);
    }
    hws_free(h);
}

static void message_limit_across_fragments(void **state) {
    (void)state;
    t_peer p;
    uint8_t buf[512], pay[100];
    memset(pay, 'x', sizeof pay);
    /* 60 + 60 > 100: closed with 1009, nothing delivered */
    hws *h = t_open_ws(&p, NULL);
    size_t n = t_client_frame(buf, 0x2, 0, pay, 60);
    n += t_client_frame(buf + n, 0x0, 1, pay, 60);
    t_feed(h, buf, n);
    assert_int_equal(p.nmsgs, 0);
    assert_int_equal(hws_get_state(h), HWS_CLOSED);
    size_t fl, at = 0, pl;
    const uint8_t *f = t_frames(&p, &fl), *cp;
    assert_int_equal(t_frame(f, fl, &at, &cp, &pl), 0x8);
    assert_true(pl >= 2);
    assert_int_equal(cp[0] << 8 | cp[1], HWS_CLOSE_TOO_BIG);
    hws_free(h);
    /* exactly 100 across two fragments is delivered */
    h = t_open_ws(&p, NULL);
    n = t_client_frame(buf, 0x2, 0, pay, 50);
    n += t_client_frame(buf + n, 0x0, 1, pay, 50);
    t_feed(h, buf, n);
    assert_int_equal(p.nmsgs, 1);
    assert_int_equal(p.msg_len[0], 100);
    hws_free(h);
    /* a raised limit (a session) takes effect */
    h = t_open_ws(&p, NULL);
    hws_set_max_message(h, 200);
    n = t_client_frame(buf, 0x2, 0, pay, 100);
    n += t_client_frame(buf + n, 0x0, 1, pay, 60);
    t_feed(h, buf, n);
    assert_int_equal(p.nmsgs, 1);
    assert_int_equal(p.msg_len[0], 160);
    hws_free(h);
}

static void close_handshake(void **state) {
    (void)state;
    t_peer p;
    uint8_t buf[64];
    /* the peer closes: we reply with its code and are done */
    hws *h = t_open_ws(&p, NULL);
    size_t n = t_client_frame(buf, 0x8, 1, "\x03\xe8", 2);
    t_feed(h, buf, n);
    assert_int_equal(hws_get_state(h), HWS_CLOSED);
    size_t fl, at = 0, pl;
    const uint8_t *f = t_frames(&p, &fl), *cp;
    assert_int_equal(t_frame(f, fl, &at, &cp, &pl), 0x8);
    assert_int_equal(cp[0] << 8 | cp[1], 1000);
    hws_free(h);
    /* we close: a message queued before goes out first; done when the
     * peer's close arrives; nothing is sent or delivered in between */
    h = t_open_ws(&p, NULL);
    assert_int_equal(hws_send(h, "bye", 3), 0);
    assert_int_equal(hws_closing(h), 0);
    hws_close(h, HWS_CLOSE_GOING_AWAY, "shutting down");
    assert_int_equal(hws_get_state(h), HWS_WS);
    assert_int_equal(hws_closing(h), 1);
    assert_int_equal(hws_send(h, "late", 4), -1);
    n = t_client_frame(buf, 0x2, 1, "x", 1);
    t_feed(h, buf, n);
    assert_int_equal(p.nmsgs, 0);
    n = t_client_frame(buf, 0x8, 1, "\x03\xe9", 2);
    t_feed(h, buf, n);
    assert_int_equal(hws_get_state(h), HWS_CLOSED);
    f = t_frames(&p, &fl);
    at = 0;
    assert_int_equal(t_frame(f, fl, &at, &cp, &pl), 0x2);
    assert_memory_equal(cp, "bye", 3);
    assert_int_equal(t_frame(f, fl, &at, &cp, &pl), 0x8);
    assert_int_equal(cp[0] << 8 | cp[1], HWS_CLOSE_GOING_AWAY);
    assert_memory_equal(cp + 2, "shutting down", 13);
    assert_int_equal(at, fl);
    hws_free(h);
    /* we close and the peer never answers: closed a pong timeout later */
    h = t_open_ws(&p, NULL);
    hws_close(h, HWS_CLOSE_NORMAL, "");
    assert_int_equal(hws_tick(h, 10000), 500);
    assert_int_equal(hws_tick(h, 10499), 1);
    assert_int_equal(hws_get_state(h), HWS_WS);
    assert_int_equal(hws_tick(h, 10500), -1);
    assert_int_equal(hws_get_state(h), HWS_CLOSED);
    hws_free(h);
}

static void ping_pong(void **state) {
    (void)state;
    t_peer p;
    uint8_t buf[64];
    hws *h = t_open_ws(&p, NULL);
    size_t base = p.out_len;
    assert_int_equal(hws_tick(h, 5000), 1000); /* first call: a ping interval from now */
    assert_int_equal(hws_tick(h, 5400), 600);
    assert_int_equal(p.out_len, base);
    assert_int_equal(hws_tick(h, 6000), 500); /* ping sent, pong awaited */
    size_t at = base, pl;
    const uint8_t *pay;
    assert_int_equal(t_frame((const uint8_t *)p.out, p.out_len, &at, &pay, &pl), 0x9);
    size_t n = t_client_frame(buf, 0xA, 1, pay, pl);
    t_feed(h, buf, n);
    assert_int_equal(hws_tick(h, 6500), 500); /* next ping at 7000 */
    assert_int_equal(hws_tick(h, 7000), 500); /* pinged again */
    assert_int_equal(hws_tick(h, 7499), 1);
    assert_int_equal(hws_get_state(h), HWS_WS);
    assert_int_equal(hws_tick(h, 7500), -1); /* no pong */
    assert_int_equal(hws_get_state(h), HWS_CLOSED);
    assert_non_null(strstr(hws_why(h), "pong"));
    hws_heard(h); /* closed stays closed */
    assert_int_equal(hws_get_state(h), HWS_CLOSED);
    hws_free(h);
    /* bytes held back by a paused caller count as the pong */
    h = t_open_ws(&p, NULL);
    assert_int_equal(hws_tick(h, 5000), 1000);
    assert_int_equal(hws_tick(h, 6000), 500); /* pinged */
    hws_heard(h);
    assert_int_equal(hws_tick(h, 6500), 500); /* not closed: next ping at 7000 */
    assert_int_equal(hws_tick(h, 7000), 500); /* pinged again, nothing heard */
    assert_int_equal(hws_tick(h, 7500), -1);
    assert_int_equal(hws_get_state(h), HWS_CLOSED);
    hws_free(h);
    /* the peer's ping is answered with its payload */
    h = t_open_ws(&p, NULL);
    n = t_client_frame(buf, 0x9, 1, "abc", 3);
    t_feed(h, buf, n);
    size_t fl;
    const uint8_t *f = t_frames(&p, &fl);
    at = 0;
    assert_int_equal(t_frame(f, fl, &at, &pay, &pl), 0xA);
    assert_memory_equal(pay, "abc", 3);
    hws_free(h);
}

static void text_and_unmasked_frames(void **state) {
    (void)state;
    t_peer p;
    uint8_t buf[64];
    hws *h = t_open_ws(&p, NULL);
    size_t n = t_client_frame(buf, 0x1, 1, "hi", 2);
    t_feed(h, buf, n);
    assert_int_equal(p.nmsgs, 0);
    size_t fl, at = 0, pl;
    const uint8_t *f = t_frames(&p, &fl), *cp;
    assert_int_equal(t_frame(f, fl, &at, &cp, &pl), 0x8);
    assert_int_equal(cp[0] << 8 | cp[1], HWS_CLOSE_UNSUPPORTED);
    hws_free(h);
    /* a client frame without a mask is a protocol error */
    h = t_open_ws(&p, NULL);
    static const uint8_t unmasked[] = { 0x82, 0x02, 'h', 'i' };
    t_feed(h, unmasked, sizeof unmasked);
    assert_int_equal(p.nmsgs, 0);
    f = t_frames(&p, &fl);
    at = 0;
    assert_int_equal(t_frame(f, fl, &at, &cp, &pl), 0x8);
    assert_int_equal(cp[0] << 8 | cp[1], HWS_CLOSE_PROTOCOL);
    assert_int_equal(hws_get_state(h), HWS_CLOSED);
    hws_free(h);
}

static void send_and_pause(void **state) {
    (void)state;
    t_peer p;
    uint8_t buf[256];
    hws *h = t_open_ws(&p, NULL);
    size_t base = p.out_len;
    assert_int_equal(hws_send(h, "answer", 6), 0);
    size_t at = base, pl;
    const uint8_t *pay;
    assert_int_equal(t_frame((const uint8_t *)p.out, p.out_len, &at, &pay, &pl), 0x2);
    assert_memory_equal(pay, "answer", 6);
    /* three messages in one read; the first pauses: the other two wait in
     * the layer, the bytes after them stay with the caller */
    p.pause_after = 1;
    size_t n = t_client_frame(buf, 0x2, 1, "m1", 2);
    n += t_client_frame(buf + n, 0x2, 1, "m2", 2);
    n += t_client_frame(buf + n, 0x2, 1, "m3", 2);
    size_t used = hws_feed(h, buf, n);
    assert_int_equal(used, n); /* wslay read them all into its buffer */
    assert_int_equal(p.nmsgs, 1);
    size_t m = t_client_frame(buf, 0x2, 1, "m4", 2);
    assert_int_equal(hws_feed(h, buf, m), 0); /* paused: not taken */
    p.pause_after = 2;
    assert_int_equal(hws_resume(h), 1); /* m2 delivered, pauses again */
    assert_int_equal(p.nmsgs, 2);
    p.pause_after = 0;
    assert_int_equal(hws_resume(h), 0);
    assert_int_equal(p.nmsgs, 3);
    t_feed(h, buf, m);
    assert_int_equal(p.nmsgs, 4);
    for (int i = 0; i < 4; i++) {
        char want[3] = { 'm', (char)('1' + i), 0 };
        assert_memory_equal(p.msg[i], want, 2);
    }
    hws_free(h);
    /* an empty message, also one that waits (found by fuzz_hws: a NULL
     * payload copied while paused) */
    h = t_open_ws(&p, NULL);
    p.pause_after = 1;
    n = t_client_frame(buf, 0x2, 1, "", 0);
    n += t_client_frame(buf + n, 0x2, 1, "", 0);
    t_feed(h, buf, n);
    assert_int_equal(p.nmsgs, 1);
    p.pause_after = 0;
    assert_int_equal(hws_resume(h), 0);
    assert_int_equal(p.nmsgs, 2);
    assert_int_equal(p.msg_len[1], 0);
    hws_free(h);
    /* freed with messages waiting: no leak (ASan) */
    h = t_open_ws(&p, NULL);
    p.pause_after = 1;
    t_feed(h, buf, t_client_frame(buf, 0x2, 1, "a", 1) + t_client_frame(buf + 7, 0x2, 1, "b", 1));
    hws_free(h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_split_at_every_byte),
        cmocka_unit_test(responses_carry_security_headers),
        cmocka_unit_test(pipelined_and_head),
        cmocka_unit_test(connection_close_and_http10),
        cmocka_unit_test(head_limits),
        cmocka_unit_test(methods_and_bodies),
        cmocka_unit_test(handshake_split_at_every_byte),
        cmocka_unit_test(bad_handshakes),
        cmocka_unit_test(origin_check),
        cmocka_unit_test(fragmented_message),
        cmocka_unit_test(message_limit_across_fragments),
        cmocka_unit_test(close_handshake),
        cmocka_unit_test(ping_pong),
        cmocka_unit_test(text_and_unmasked_frames),
        cmocka_unit_test(send_and_pause),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
