/* loadgen.c — load generator for coachnetd (issue 6).
 *
 * One libevent loop, OpenSSL bufferevents, libproto for framing and
 * encoding.  Three modes:
 *
 *   req        N connections log in (one auth.login, the others auth.resume
 *              with its token), then send a mix of mentee.get, mentee.put
 *              and match.suggest.  Closed loop (each connection keeps
 *              --depth requests outstanding) or open loop (--rate R: R
 *              requests/s in total, issued on a schedule; latency is
 *              measured from the scheduled time, so a stalled server is
 *              charged for the requests it delayed -- no coordinated
 *              omission).  Reports throughput and p50/p90/p99/p99.9/max.
 *   handshake  N concurrent workers each repeat: TCP connect, TLS
 *              handshake, one request that needs no Redis (an unknown
 *              method), close.  --resume reuses the last session (TLS 1.3
 *              tickets, or TLS 1.2 session ids/tickets).  Reports
 *              handshakes/s and how many were resumed.
 *   idle       Opens N TLS connections (at most --concurrency handshakes at
 *              once), holds them for --duration, checks none was closed,
 *              and reports the server's VmRSS from /proc/<--pid>/status.
 *
 * --ws: every mode over a WebSocket instead (DESIGN §11): after TLS, the
 * upgrade of GET /rpc (subprotocol coachnet.v1), then one msgpack body per
 * masked binary message; the server's pings are answered.  The same
 * server, the same requests: the two transports compare in one run.
 *
 * Output: a human summary on stdout and one line starting with "RESULT"
 * holding key=value pairs for scripts (bench/load/run.py).
 *
 * Latency histogram: log-linear buckets over microseconds (HdrHistogram's
 * idea, 128 sub-buckets per power of two: under 0.8% error), fixed size,
 * no allocation while running.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/proto.h"

/* ------------------------------------------------------------ limits */

#define LG_MAX_IDS      200000 /* mentee ids read from --ids */
#define LG_MAX_PROFILES 256    /* profiles fetched for mentee.put */
#define LG_WINDOW_MAX   4096   /* requests outstanding per connection */
#define LG_BACKLOG_MAX  65536  /* open loop: scheduled, not yet sent */
#define LG_TOKEN_MAX    256
#define LG_TICK_MAX_US  1000 /* open loop: longest sleep between checks */
#define LG_HIST_SUB     128  /* sub-buckets per power of two */
#define LG_HIST_BUCKETS (LG_HIST_SUB * 40)

enum { M_GET, M_PUT, M_SUGGEST, M__COUNT };
static const char *const method_names[M__COUNT] = { "mentee.get", "mentee.put", "match.suggest" };

typedef enum { MODE_REQ, MODE_HANDSHAKE, MODE_IDLE } lg_mode;

/* -------------------------------------------------------- histogram */

typedef struct hist {
    uint64_t counts[LG_HIST_BUCKETS];
    uint64_t n, max, sum;
} hist;

static int hist_index(uint64_t v) {
    if (v < LG_HIST_SUB) return (int)v;
    int e = 63 - __builtin_clzll(v) - 7; /* v >> e in [128, 256) */
    int i = LG_HIST_SUB + e * LG_HIST_SUB + (int)((v >> e) - LG_HIST_SUB);
    return i < LG_HIST_BUCKETS ? i : LG_HIST_BUCKETS - 1;
}

/* Upper edge of bucket i (the value reported for a percentile). */
static uint64_t hist_value(int i) {
    if (i < LG_HIST_SUB) return (uint64_t)i;
    int e = (i - LG_HIST_SUB) / LG_HIST_SUB;
    uint64_t m = (uint64_t)((i - LG_HIST_SUB) % LG_HIST_SUB + LG_HIST_SUB);
    return ((m + 1) << e) - 1;
}

static void hist_add(hist *h, uint64_t us) {
    h->counts[hist_index(us)]++;
    h->n++;
    h->sum += us;
    if (us > h->max) h->max = us;
}

static uint64_t hist_pct(const hist *h, double p) {
    if (!h->n) return 0;
    uint64_t want = (uint64_t)ceil(p / 100.0 * (double)h->n);
    if (want < 1) want = 1;
    uint64_t acc = 0;
    for (int i = 0; i < LG_HIST_BUCKETS; i++) {
        acc += h->counts[i];
        if (acc >= want) {
            uint64_t v = hist_value(i);
            return v > h->max ? h->max : v;
        }
    }
    return h->max;
}

/* ------------------------------------------------------------ state */

typedef struct opts {
    lg_mode mode;
    const char *host;
    int port;
    const char *cacert;
    int tls13_only, tls12_only;
    int conns;
    int depth;
    double rate;
    double duration, warmup;
    int mix[M__COUNT];
    const char *login, *password, *ids_file;
    int resume;
    int concurrency;
    int pid;
    int suggest_limit;
    int request_ids; /* every mentee.put with a request_id of its own */
    int ws;          /* --ws: WebSocket at /rpc instead of length-prefixed frames */
} opts;

typedef struct lg_conn lg_conn;

typedef struct lg {
    opts o;
    struct event_base *base;
    SSL_CTX *ctx;
    struct sockaddr_in addr;
    lg_conn **conns;
    int nconns;
    /* auth */
    char token[LG_TOKEN_MAX];
    int login_state; /* 0 none, 1 in progress, 2 done */
    /* data */
    char **ids;
    size_t nids;
    unsigned long long rid_seq; /* --request-ids: a fresh id per put */
    long rid_nonce;
    msgpack_sbuffer profiles[LG_MAX_PROFILES];
    int nprofiles, profiles_wanted, profiles_asked;
    /* run */
    int ready; /* connections ready to send */
    int running, measuring, stopping;
    uint64_t t_start, t_measure, t_end;
    double sched_carry;
    uint64_t sched_next; /* open loop: requests issued so far */
    unsigned seed;
    struct event *tick, *stop_ev, *phase_ev;
    /* results */
    hist h_all, h_m[M__COUNT];
    uint64_t sent, done, errors, err_by_code[PROTO_E__COUNT], sent_m[M__COUNT], done_m[M__COUNT];
    uint64_t closed_unexpected;
    uint64_t dropped; /* open loop: not scheduled, backlog full */
    /* handshake / idle: the newest session each worker slot received, so a
     * worker reconnects as one client would (TLS 1.3 tickets are meant to
     * be used once; a session shared by every worker would be offered by
     * many connections at once) */
    SSL_SESSION **sessions;
    int conn_ex_index; /* SSL ex_data slot holding the lg_conn */
    uint64_t hs_done, hs_resumed, hs_failed;
    int idle_open, idle_target, idle_started;
    char fatal[512];
} lg;

struct lg_conn {
    lg *g;
    int idx;
    struct bufferevent *bev;
    enum { C_CONNECTING, C_AUTH, C_WAIT_TOKEN, C_PREP, C_READY, C_DONE } state;
    uint32_t next_msgid;
    int inflight;
    /* msgid -> (scheduled time, method), ring indexed by msgid */
    uint64_t *t_sched;
    unsigned char *meth;
    uint64_t *backlog; /* open loop: scheduled times not yet sent */
    size_t bl_head, bl_len;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    int ws_upgrading; /* --ws: the 101 is awaited */
};

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

/* -------------------------------------------------------- requests */

static void pack_str(msgpack_packer *pk, const char *s) {
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

/* --ws: write body as one masked client frame of the given opcode. */
static void ws_write(lg_conn *c, int opcode, unsigned char *body, size_t n) {
    unsigned char hdr[14];
    size_t h = 0;
    hdr[h++] = (unsigned char)(0x80 | opcode);
    if (n < 126) {
        hdr[h++] = (unsigned char)(0x80 | n);
    } else if (n < 65536) {
        hdr[h++] = 0x80 | 126;
        hdr[h++] = (unsigned char)(n >> 8);
        hdr[h++] = (unsigned char)n;
    } else {
        hdr[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--) hdr[h++] = (unsigned char)((uint64_t)n >> (8 * i));
    }
    /* a mask that varies per frame without touching the mix's random stream */
    uint32_t r = (uint32_t)(c->next_msgid * 2654435761u) ^ (uint32_t)c->idx;
    unsigned char *mask = hdr + h;
    memcpy(mask, &r, 4);
    h += 4;
    for (size_t i = 0; i < n; i++) body[i] ^= mask[i & 3];
    bufferevent_write(c->bev, hdr, h);
    bufferevent_write(c->bev, body, n);
}

/* --ws: ask for the upgrade right after TLS. */
static void ws_upgrade(lg_conn *c) {
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET /rpc HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Protocol: coachnet.v1\r\nOrigin: https://%s:%d\r\n\r\n",
                     c->g->o.host, c->g->o.port, c->g->o.host, c->g->o.port);
    c->ws_upgrading = 1;
    bufferevent_write(c->bev, req, (size_t)n);
}

/* Queue one request frame on c.  fill packs the single params map. */
typedef void params_fn(lg_conn *c, void *ud);

static uint32_t send_req(lg_conn *c, const char *method, params_fn *fill, void *ud) {
    uint32_t id = c->next_msgid++;
    if (c->next_msgid == 0) c->next_msgid = 1;
    c->sb.size = 0;
    size_t at = proto_frame_begin(&c->sb);
    proto_pack_request(&c->pk, id, method);
    fill(c, ud);
    proto_error e;
    if (proto_frame_end(&c->sb, at, NULL, &e) != PROTO_OK) die("cannot frame %s: %s", method, e.message);
    if (c->g->o.ws)
        ws_write(c, 0x2, (unsigned char *)c->sb.data + PROTO_FRAME_HEADER, c->sb.size - PROTO_FRAME_HEADER);
    else
        bufferevent_write(c->bev, c->sb.data, c->sb.size);
    return id;
}

static void p_empty(lg_conn *c, void *ud) {
    (void)ud;
    msgpack_pack_map(&c->pk, 0);
}

static void p_login(lg_conn *c, void *ud) {
    (void)ud;
    msgpack_pack_map(&c->pk, 2);
    pack_str(&c->pk, "login");
    pack_str(&c->pk, c->g->o.login);
    pack_str(&c->pk, "password");
    pack_str(&c->pk, c->g->o.password);
}

static void p_resume(lg_conn *c, void *ud) {
    (void)ud;
    msgpack_pack_map(&c->pk, 1);
    pack_str(&c->pk, "token");
    pack_str(&c->pk, c->g->token);
}

static void p_get(lg_conn *c, void *ud) {
    msgpack_pack_map(&c->pk, 1);
    pack_str(&c->pk, "id");
    pack_str(&c->pk, (const char *)ud);
}

static void p_suggest(lg_conn *c, void *ud) {
    msgpack_pack_map(&c->pk, 2);
    pack_str(&c->pk, "mentee_id");
    pack_str(&c->pk, (const char *)ud);
    pack_str(&c->pk, "limit");
    msgpack_pack_int(&c->pk, c->g->o.suggest_limit);
}

static void p_put(lg_conn *c, void *ud) {
    const msgpack_sbuffer *prof = ud;
    msgpack_pack_map(&c->pk, c->g->o.request_ids ? 2 : 1);
    pack_str(&c->pk, "profile");
    msgpack_sbuffer_write(&c->sb, prof->data, prof->size); /* pre-packed map */
    if (c->g->o.request_ids) {
        char rid[64];
        snprintf(rid, sizeof rid, "lg-%lx-%llu", c->g->rid_nonce, ++c->g->rid_seq);
        pack_str(&c->pk, "request_id");
        pack_str(&c->pk, rid);
    }
}

static int pick_method(lg *g) {
    int tot = g->o.mix[M_GET] + g->o.mix[M_PUT] + g->o.mix[M_SUGGEST];
    int r = (int)(rand_r(&g->seed) % (unsigned)tot);
    for (int m = 0; m < M__COUNT; m++) {
        if (r < g->o.mix[m]) return m;
        r -= g->o.mix[m];
    }
    return M_GET;
}

/* Send one workload request scheduled at t_sched. */
static void send_work(lg_conn *c, uint64_t t_sched) {
    lg *g = c->g;
    int m = pick_method(g);
    if (m == M_PUT && g->nprofiles == 0) m = M_GET;
    uint32_t id;
    if (m == M_PUT) {
        id = send_req(c, "mentee.put", p_put, &g->profiles[rand_r(&g->seed) % (unsigned)g->nprofiles]);
    } else {
        const char *mid = g->ids[rand_r(&g->seed) % g->nids];
        id = send_req(c, method_names[m], m == M_GET ? p_get : p_suggest, (void *)mid);
    }
    c->t_sched[id % LG_WINDOW_MAX] = t_sched;
    c->meth[id % LG_WINDOW_MAX] = (unsigned char)m;
    c->inflight++;
    g->sent++;
    g->sent_m[m]++;
}

static void pump(lg_conn *c) {
    lg *g = c->g;
    if (c->state != C_READY || !g->running || g->stopping) return;
    if (g->o.rate > 0) {
        while (c->bl_len > 0 && c->inflight < g->o.depth) {
            uint64_t t = c->backlog[c->bl_head];
            c->bl_head = (c->bl_head + 1) % LG_BACKLOG_MAX;
            c->bl_len--;
            send_work(c, t);
        }
    } else {
        while (c->inflight < g->o.depth) send_work(c, now_us());
    }
}

/* ------------------------------------------------------- responses */

static void start_running(lg *g);

static void on_setup_response(lg_conn *c, const proto_msg *msg) {
    lg *g = c->g;
    const msgpack_object *err = msg->error;
    if (err && err->type != MSGPACK_OBJECT_NIL) {
        const msgpack_object *res = err;
        char code[64] = "?";
        for (uint32_t i = 0; res->type == MSGPACK_OBJECT_MAP && i < res->via.map.size; i++) {
            const msgpack_object_kv *kv = &res->via.map.ptr[i];
            if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == 4 &&
                !memcmp(kv->key.via.str.ptr, "code", 4) && kv->val.type == MSGPACK_OBJECT_STR)
                snprintf(code, sizeof code, "%.*s", (int)kv->val.via.str.size, kv->val.via.str.ptr);
        }
        die("setup request on connection %d failed: %s (state %d)", c->idx, code, c->state);
    }
    if (c->state == C_AUTH && g->login_state == 1 && !g->token[0]) {
        const msgpack_object *r = msg->result;
        for (uint32_t i = 0; r && r->type == MSGPACK_OBJECT_MAP && i < r->via.map.size; i++) {
            const msgpack_object_kv *kv = &r->via.map.ptr[i];
            if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == 5 &&
                !memcmp(kv->key.via.str.ptr, "token", 5) && kv->val.type == MSGPACK_OBJECT_STR &&
                kv->val.via.str.size < LG_TOKEN_MAX)
                snprintf(g->token, sizeof g->token, "%.*s", (int)kv->val.via.str.size, kv->val.via.str.ptr);
        }
        if (!g->token[0]) die("auth.login gave no token");
        g->login_state = 2;
        for (int i = 0; i < g->nconns; i++) {
            lg_conn *o = g->conns[i];
            if (o && o->state == C_WAIT_TOKEN) {
                o->state = C_AUTH;
                send_req(o, "auth.resume", p_resume, NULL);
            }
        }
    }
    if (c->state == C_PREP) {
        /* a mentee.get for put's profiles: keep the profile map's bytes */
        const msgpack_object *r = msg->result;
        for (uint32_t i = 0; r && r->type == MSGPACK_OBJECT_MAP && i < r->via.map.size; i++) {
            const msgpack_object_kv *kv = &r->via.map.ptr[i];
            if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == 7 &&
                !memcmp(kv->key.via.str.ptr, "profile", 7) && g->nprofiles < LG_MAX_PROFILES) {
                msgpack_sbuffer *sb = &g->profiles[g->nprofiles++];
                msgpack_sbuffer_init(sb);
                msgpack_packer pk;
                msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
                msgpack_pack_object(&pk, kv->val);
            }
        }
        if (g->profiles_asked < g->profiles_wanted) {
            send_req(c, "mentee.get", p_get, g->ids[g->profiles_asked++]);
            return;
        }
        if (g->nprofiles < g->profiles_wanted) return; /* wait for the rest */
    }
    if (c->idx == 0 && c->state == C_AUTH && g->o.mix[M_PUT] > 0 && g->nprofiles == 0) {
        c->state = C_PREP;
        g->profiles_wanted = (int)(g->nids < LG_MAX_PROFILES ? g->nids : LG_MAX_PROFILES);
        for (int k = 0; k < 16 && g->profiles_asked < g->profiles_wanted; k++)
            send_req(c, "mentee.get", p_get, g->ids[g->profiles_asked++]);
        return;
    }
    c->state = C_READY;
    g->ready++;
    if (g->ready == g->nconns) start_running(g);
}

static void on_work_response(lg_conn *c, const proto_msg *msg) {
    lg *g = c->g;
    uint64_t t = now_us();
    uint32_t id = msg->msgid;
    int m = c->meth[id % LG_WINDOW_MAX];
    uint64_t lat = t - c->t_sched[id % LG_WINDOW_MAX];
    c->inflight--;
    if (g->measuring && c->t_sched[id % LG_WINDOW_MAX] >= g->t_measure) {
        g->done++;
        g->done_m[m]++;
        hist_add(&g->h_all, lat);
        hist_add(&g->h_m[m], lat);
        const msgpack_object *err = msg->error;
        if (err && err->type == MSGPACK_OBJECT_MAP) {
            g->errors++;
            proto_error pe;
            proto_errcode code = PROTO_E_INTERNAL;
            if (proto_error_decode(err, "error", &pe, NULL) == PROTO_OK) code = pe.code;
            g->err_by_code[code]++;
        }
    }
    pump(c);
}

static void conn_free(lg_conn *c);
static void hs_next(lg *g, int slot);

static void conn_opened(lg_conn *c);

/* One message from the server; 1 when c was freed (handshake mode). */
static int on_message(lg_conn *c, const unsigned char *body, size_t n, const proto_limits *lim) {
    lg *g = c->g;
    proto_msg msg;
    proto_error e;
    if (proto_msg_decode(&msg, body, n, lim, PROTO_KIND_BIT(PROTO_RESPONSE) | PROTO_KIND_BIT(PROTO_NOTIFICATION), &e) !=
        PROTO_OK)
        die("undecodable message from server: %s", e.message);
    if (msg.kind == PROTO_RESPONSE) {
        if (g->o.mode == MODE_HANDSHAKE) {
            int slot = c->idx;
            g->hs_done++;
            SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
            if (SSL_session_reused(ssl)) g->hs_resumed++;
            proto_msg_destroy(&msg);
            conn_free(c);
            hs_next(g, slot);
            return 1;
        }
        if (c->state == C_READY)
            on_work_response(c, &msg);
        else
            on_setup_response(c, &msg);
    }
    proto_msg_destroy(&msg);
    return 0;
}

/* --ws: the 101, then server frames (never masked): binary messages are
 * bodies, pings are answered, a close is the server closing. */
static void ws_read(lg_conn *c, struct evbuffer *in, const proto_limits *lim) {
    if (c->ws_upgrading) {
        struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
        if (end.pos < 0) return;
        char st[13] = "";
        evbuffer_copyout(in, st, 12);
        if (strncmp(st, "HTTP/1.1 101", 12)) die("WebSocket upgrade refused: %.12s", st);
        evbuffer_drain(in, (size_t)end.pos + 4);
        c->ws_upgrading = 0;
        conn_opened(c);
    }
    for (;;) {
        size_t avail = evbuffer_get_length(in);
        unsigned char h[10];
        if (avail < 2) return;
        evbuffer_copyout(in, h, avail < 10 ? avail : 10);
        size_t hl = 2;
        uint64_t n = h[1] & 0x7f;
        if (n == 126) {
            hl = 4;
            if (avail < hl) return;
            n = (uint64_t)h[2] << 8 | h[3];
        } else if (n == 127) {
            hl = 10;
            if (avail < hl) return;
            n = 0;
            for (int i = 2; i < 10; i++) n = n << 8 | h[i];
        }
        if (n > lim->max_frame) die("WebSocket message of %llu bytes", (unsigned long long)n);
        if (avail < hl + n) return;
        unsigned char *p = evbuffer_pullup(in, (ssize_t)(hl + n));
        int op = h[0] & 0x0f;
        if (op == 0x2) {
            if (on_message(c, p + hl, (size_t)n, lim)) return;
        } else if (op == 0x9) {
            unsigned char pay[125];
            memcpy(pay, p + hl, (size_t)n);
            ws_write(c, 0xA, pay, (size_t)n);
        } else if (op == 0x8) {
            die("the server closed a WebSocket (code %d)", n >= 2 ? p[hl] << 8 | p[hl + 1] : 0);
        }
        evbuffer_drain(in, hl + (size_t)n);
    }
}

static void conn_read_cb(struct bufferevent *bev, void *arg) {
    lg_conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    proto_limits lim;
    proto_limits_default(&lim);
    lim.max_frame = 64u << 20;
    if (c->g->o.ws) {
        ws_read(c, in, &lim);
        return;
    }
    for (;;) {
        size_t avail = evbuffer_get_length(in);
        if (avail < PROTO_FRAME_HEADER) return;
        unsigned char hdr[PROTO_FRAME_HEADER];
        evbuffer_copyout(in, hdr, sizeof hdr);
        uint32_t n;
        proto_error e;
        if (proto_frame_header(hdr, &lim, &n, &e) != PROTO_OK) die("bad frame from server: %s", e.message);
        if (avail < PROTO_FRAME_HEADER + (size_t)n) return;
        unsigned char *p = evbuffer_pullup(in, PROTO_FRAME_HEADER + (ssize_t)n);
        int freed = on_message(c, p + PROTO_FRAME_HEADER, n, &lim);
        if (freed) return;
        evbuffer_drain(in, PROTO_FRAME_HEADER + (size_t)n);
    }
}

/* -------------------------------------------------------- connections */

static void conn_event_cb(struct bufferevent *bev, short what, void *arg);

static lg_conn *conn_new(lg *g, int idx) {
    lg_conn *c = calloc(1, sizeof *c);
    if (!c) die("out of memory");
    c->g = g;
    c->idx = idx;
    c->next_msgid = 1;
    if (g->o.mode == MODE_REQ) {
        c->t_sched = calloc(LG_WINDOW_MAX, sizeof *c->t_sched);
        c->meth = calloc(LG_WINDOW_MAX, 1);
        if (g->o.rate > 0) c->backlog = calloc(LG_BACKLOG_MAX, sizeof *c->backlog);
        if (!c->t_sched || !c->meth || (g->o.rate > 0 && !c->backlog)) die("out of memory");
    }
    msgpack_sbuffer_init(&c->sb);
    msgpack_packer_init(&c->pk, &c->sb, msgpack_sbuffer_write);
    SSL *ssl = SSL_new(g->ctx);
    if (!ssl) die("SSL_new failed");
    SSL_set_tlsext_host_name(ssl, g->o.host);
    SSL_set_ex_data(ssl, g->conn_ex_index, c);
    if (g->o.resume && g->sessions && g->sessions[idx]) SSL_set_session(ssl, g->sessions[idx]);
    /* TCP_NODELAY before connecting: the handshake's small flights must not
     * wait for delayed ACKs (Nagle), or every handshake costs ~40 ms. */
    evutil_socket_t fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket: %s (raise ulimit -n?)", strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    evutil_make_socket_nonblocking(fd);
    c->bev = bufferevent_openssl_socket_new(g->base, fd, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    if (!c->bev) die("bufferevent_openssl_socket_new failed");
    bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
    bufferevent_setcb(c->bev, conn_read_cb, NULL, conn_event_cb, c);
    c->state = C_CONNECTING;
    if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&g->addr, sizeof g->addr) != 0) {
        g->hs_failed++;
        snprintf(g->fatal, sizeof g->fatal, "connect: %s", strerror(errno));
    }
    return c;
}

static void conn_free(lg_conn *c) {
    if (!c) return;
    if (c->g->conns[c->idx] == c) c->g->conns[c->idx] = NULL;
    if (c->bev) {
        /* Close politely (close_notify): OpenSSL marks the session of a
         * connection freed without a shutdown as not resumable. */
        SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
        if (ssl && SSL_is_init_finished(ssl)) SSL_shutdown(ssl);
        ERR_clear_error();
        bufferevent_free(c->bev);
    }
    msgpack_sbuffer_destroy(&c->sb);
    free(c->t_sched);
    free(c->meth);
    free(c->backlog);
    free(c);
}

static void idle_next(lg *g);

/* TLS is up (and, with --ws, the WebSocket open): start c's work. */
static void conn_opened(lg_conn *c) {
    lg *g = c->g;
    if (g->o.mode == MODE_HANDSHAKE) {
        send_req(c, "bench.ping", p_empty, NULL); /* unknown_method: no Redis */
        return;
    }
    if (g->o.mode == MODE_IDLE) {
        c->state = C_READY;
        g->idle_open++;
        idle_next(g);
        return;
    }
    c->state = C_AUTH;
    if (g->login_state == 0) {
        g->login_state = 1;
        send_req(c, "auth.login", p_login, NULL);
    } else if (g->login_state == 2) {
        send_req(c, "auth.resume", p_resume, NULL);
    } else {
        c->state = C_WAIT_TOKEN;
    }
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg) {
    lg_conn *c = arg;
    lg *g = c->g;
    if (what & BEV_EVENT_CONNECTED) {
        bufferevent_enable(bev, EV_READ | EV_WRITE);
        if (g->o.ws)
            ws_upgrade(c); /* conn_opened once the 101 is in */
        else
            conn_opened(c);
        return;
    }
    /* error or EOF */
    unsigned long e = bufferevent_get_openssl_error(bev);
    char buf[160] = "";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    if (g->o.mode == MODE_HANDSHAKE) {
        int slot = c->idx;
        g->hs_failed++;
        if (!g->fatal[0])
            snprintf(g->fatal, sizeof g->fatal, "handshake connection failed: %s %s",
                     evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()), buf);
        conn_free(c);
        hs_next(g, slot);
        return;
    }
    if (g->stopping) {
        conn_free(c);
        return;
    }
    g->closed_unexpected++;
    if (!g->fatal[0])
        snprintf(g->fatal, sizeof g->fatal, "connection %d closed (state %d): %s %s", c->idx, c->state,
                 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()), buf);
    if (g->o.mode == MODE_IDLE) {
        if (c->state == C_READY)
            g->idle_open--;
        else {
            g->hs_failed++;
            idle_next(g);
        }
    }
    if (c->state == C_READY && g->o.mode == MODE_REQ) g->ready--;
    conn_free(c);
    if (g->o.mode == MODE_REQ && !g->running) die("%s", g->fatal);
}

/* ------------------------------------------------------- scheduling */

/* Open loop: request k is due at t_start + k / rate.  The scheduler is a
 * one-shot timer armed for the next due time (the base uses the precise
 * clock), so a request leaves within a timer wake-up of its time; a fixed
 * tick would add up to a tick of lag, and latency is counted from the due
 * time. */
static void tick_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    lg *g = arg;
    if (!g->running || g->stopping) return;
    /* Issue every request whose scheduled time has come, round-robin. */
    uint64_t t = now_us(), when;
    double interval = 1e6 / g->o.rate;
    while ((when = g->t_start + (uint64_t)((double)g->sched_next * interval)) <= t) {
        lg_conn *c = g->conns[g->sched_next % (uint64_t)g->nconns];
        g->sched_next++;
        if (!c || c->state != C_READY) continue;
        if (c->bl_len >= LG_BACKLOG_MAX) {
            g->dropped++;
            continue;
        }
        c->backlog[(c->bl_head + c->bl_len) % LG_BACKLOG_MAX] = when;
        c->bl_len++;
    }
    for (int i = 0; i < g->nconns; i++)
        if (g->conns[i]) pump(g->conns[i]);
    uint64_t wait = when - t; /* when > t: the next due request */
    struct timeval tv = { 0, (suseconds_t)(wait < LG_TICK_MAX_US ? wait : LG_TICK_MAX_US) };
    evtimer_add(g->tick, &tv);
}

static void phase_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    lg *g = arg;
    g->measuring = 1;
    g->t_measure = now_us();
}

static void stop_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    lg *g = arg;
    g->t_end = now_us();
    g->measuring = 0;
    g->stopping = 1;
    event_base_loopexit(g->base, NULL);
}

static void tv_set(struct timeval *tv, double s) {
    tv->tv_sec = (time_t)s;
    tv->tv_usec = (suseconds_t)((s - (double)tv->tv_sec) * 1e6);
}

static void start_running(lg *g) {
    struct timeval tv;
    g->running = 1;
    g->t_start = now_us();
    g->phase_ev = evtimer_new(g->base, phase_cb, g);
    tv_set(&tv, g->o.warmup);
    evtimer_add(g->phase_ev, &tv);
    g->stop_ev = evtimer_new(g->base, stop_cb, g);
    tv_set(&tv, g->o.warmup + g->o.duration);
    evtimer_add(g->stop_ev, &tv);
    if (g->o.rate > 0) {
        g->tick = evtimer_new(g->base, tick_cb, g);
        tick_cb(-1, 0, g);
    } else {
        for (int i = 0; i < g->nconns; i++) pump(g->conns[i]);
    }
    fprintf(stderr, "loadgen: %d connections ready, running %.0fs (+%.0fs warm-up)\n", g->nconns, g->o.duration,
            g->o.warmup);
}

/* Handshake mode: slot finished; start the next connection there. */
static void hs_next(lg *g, int slot) {
    if (g->stopping) return;
    g->conns[slot] = conn_new(g, slot);
}

/* Idle mode: keep --concurrency handshakes in progress until N are open. */
static void idle_next(lg *g) {
    while (g->idle_started < g->idle_target && g->idle_started - g->idle_open - (int)g->hs_failed < g->o.concurrency) {
        int i = g->idle_started++;
        g->conns[i] = conn_new(g, i);
    }
    if (g->idle_open == g->idle_target && !g->running) {
        g->running = 1;
        g->t_start = now_us();
        fprintf(stderr, "loadgen: %d idle connections open; holding %.0fs\n", g->idle_open, g->o.duration);
        struct timeval tv;
        g->stop_ev = evtimer_new(g->base, stop_cb, g);
        tv_set(&tv, g->o.duration);
        evtimer_add(g->stop_ev, &tv);
    }
}

/* Each worker slot keeps the newest session (TLS 1.3: each ticket) it
 * received, to offer it on its next connection. */
static int new_session_cb(SSL *ssl, SSL_SESSION *sess) {
    lg *g = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    lg_conn *c = SSL_get_ex_data(ssl, g->conn_ex_index);
    if (!g->sessions || !c) return 0;
    if (g->sessions[c->idx]) SSL_SESSION_free(g->sessions[c->idx]);
    g->sessions[c->idx] = sess; /* we keep the reference OpenSSL gives us */
    return 1;
}

/* ---------------------------------------------------------------- main */

static long vmrss_kib(int pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) v = strtol(line + 6, NULL, 10);
    fclose(f);
    return v;
}

static void load_ids(lg *g) {
    FILE *f = fopen(g->o.ids_file, "r");
    if (!f) die("cannot open --ids %s: %s", g->o.ids_file, strerror(errno));
    g->ids = calloc(LG_MAX_IDS, sizeof *g->ids);
    char line[128];
    while (g->nids < LG_MAX_IDS && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        g->ids[g->nids++] = strdup(line);
    }
    fclose(f);
    if (!g->nids) die("--ids %s holds no id", g->o.ids_file);
}

static void parse_mix(opts *o, const char *s) {
    memset(o->mix, 0, sizeof o->mix);
    char *dup = strdup(s), *save = NULL;
    for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) die("--mix: '%s' is not name=weight", tok);
        *eq = 0;
        int w = atoi(eq + 1);
        if (!strcmp(tok, "get"))
            o->mix[M_GET] = w;
        else if (!strcmp(tok, "put"))
            o->mix[M_PUT] = w;
        else if (!strcmp(tok, "suggest"))
            o->mix[M_SUGGEST] = w;
        else
            die("--mix: unknown method '%s' (get, put, suggest)", tok);
        if (w < 0) die("--mix: negative weight");
    }
    free(dup);
    if (o->mix[M_GET] + o->mix[M_PUT] + o->mix[M_SUGGEST] <= 0) die("--mix: all weights are 0");
}

static void usage(void) {
    printf("Usage: loadgen --port P --cacert CA [options]\n"
           "  --mode req|handshake|idle   (req)\n"
           "  --host IP (127.0.0.1)  --tls 1.2|1.3 (either)\n"
           "  -c, --conns N          connections (req, idle) or concurrent handshakes (50)\n"
           "  req:  --login L --password P --ids FILE (mentee ids, one per line)\n"
           "        --mix get=W,put=W,suggest=W (get=100)   --depth D outstanding per conn (1)\n"
           "        --rate R  open loop, R requests/s in total (0 = closed loop)\n"
           "        --duration S (10)  --warmup S (2)  --suggest-limit N (10)\n"
           "        --request-ids  each mentee.put carries a request_id of its own\n"
           "  handshake: --resume (reuse sessions) --duration S\n"
           "  idle: --concurrency K handshakes at once (200) --duration S --pid SERVER_PID\n"
           "  --ws   over a WebSocket (GET /rpc, subprotocol coachnet.v1) instead of length-prefixed frames\n");
}

static void parse_args(opts *o, int argc, char **argv) {
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->conns = 50;
    o->depth = 1;
    o->duration = 10;
    o->warmup = 2;
    o->mix[M_GET] = 100;
    o->concurrency = 200;
    o->suggest_limit = 10;
    enum {
        O_MODE = 256,
        O_HOST,
        O_PORT,
        O_CA,
        O_TLS,
        O_DEPTH,
        O_RATE,
        O_DUR,
        O_WARM,
        O_MIX,
        O_LOGIN,
        O_PASS,
        O_IDS,
        O_RESUME,
        O_CONC,
        O_PID,
        O_SLIM,
        O_RID,
        O_WS,
        O_HELP
    };
    static const struct option lo[] = { { "mode", 1, 0, O_MODE },       { "host", 1, 0, O_HOST },
                                        { "port", 1, 0, O_PORT },       { "cacert", 1, 0, O_CA },
                                        { "tls", 1, 0, O_TLS },         { "conns", 1, 0, 'c' },
                                        { "depth", 1, 0, O_DEPTH },     { "rate", 1, 0, O_RATE },
                                        { "duration", 1, 0, O_DUR },    { "warmup", 1, 0, O_WARM },
                                        { "mix", 1, 0, O_MIX },         { "login", 1, 0, O_LOGIN },
                                        { "password", 1, 0, O_PASS },   { "ids", 1, 0, O_IDS },
                                        { "resume", 0, 0, O_RESUME },   { "concurrency", 1, 0, O_CONC },
                                        { "pid", 1, 0, O_PID },         { "suggest-limit", 1, 0, O_SLIM },
                                        { "request-ids", 0, 0, O_RID }, { "help", 0, 0, O_HELP },
                                        { "ws", 0, 0, O_WS },           { 0, 0, 0, 0 } };
    int ch;
    while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
        switch (ch) {
        case O_MODE:
            if (!strcmp(optarg, "req"))
                o->mode = MODE_REQ;
            else if (!strcmp(optarg, "handshake"))
                o->mode = MODE_HANDSHAKE;
            else if (!strcmp(optarg, "idle"))
                o->mode = MODE_IDLE;
            else
                die("--mode: req, handshake or idle");
            break;
        case O_HOST: o->host = optarg; break;
        case O_PORT: o->port = atoi(optarg); break;
        case O_CA: o->cacert = optarg; break;
        case O_TLS:
            if (!strcmp(optarg, "1.3"))
                o->tls13_only = 1;
            else if (!strcmp(optarg, "1.2"))
                o->tls12_only = 1;
            else
                die("--tls: 1.2 or 1.3");
            break;
        case 'c': o->conns = atoi(optarg); break;
        case O_DEPTH: o->depth = atoi(optarg); break;
        case O_RATE: o->rate = atof(optarg); break;
        case O_DUR: o->duration = atof(optarg); break;
        case O_WARM: o->warmup = atof(optarg); break;
        case O_MIX: parse_mix(o, optarg); break;
        case O_LOGIN: o->login = optarg; break;
        case O_PASS: o->password = optarg; break;
        case O_IDS: o->ids_file = optarg; break;
        case O_RESUME: o->resume = 1; break;
        case O_CONC: o->concurrency = atoi(optarg); break;
        case O_PID: o->pid = atoi(optarg); break;
        case O_SLIM: o->suggest_limit = atoi(optarg); break;
        case O_RID: o->request_ids = 1; break;
        case O_WS: o->ws = 1; break;
        case 'h':
        case O_HELP: usage(); exit(0);
        default: usage(); exit(2);
        }
    }
    if (o->port <= 0 || o->port > 65535) die("--port is required");
    if (!o->cacert) die("--cacert is required");
    if (o->conns < 1 || o->conns > 1000000) die("--conns out of range");
    if (o->depth < 1 || o->depth > LG_WINDOW_MAX / 2) die("--depth must be 1..%d", LG_WINDOW_MAX / 2);
    if (o->mode == MODE_REQ && o->rate > 0 && o->depth == 1) o->depth = 64; /* open loop window */
    if (o->mode == MODE_REQ && (!o->login || !o->password || !o->ids_file))
        die("req mode needs --login, --password and --ids");
    if (o->concurrency < 1) o->concurrency = 1;
}

static void raise_nofile(int want) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    rlim_t need = (rlim_t)want + 64;
    if (rl.rlim_cur < need) {
        rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < need)
        fprintf(stderr, "loadgen: warning: RLIMIT_NOFILE %lu < %d connections\n", (unsigned long)rl.rlim_cur, want);
}

static void report_req(lg *g) {
    double secs = (double)(g->t_end - g->t_measure) / 1e6;
    double tput = secs > 0 ? (double)g->done / secs : 0;
    printf("mode req: %d connections, %s loop, mix get=%d put=%d suggest=%d, %.1f s measured\n", g->nconns,
           g->o.rate > 0 ? "open" : "closed", g->o.mix[M_GET], g->o.mix[M_PUT], g->o.mix[M_SUGGEST], secs);
    if (g->o.rate > 0) printf("target rate %.0f req/s\n", g->o.rate);
    printf("throughput %.0f req/s (%llu responses, %llu errors)\n", tput, (unsigned long long)g->done,
           (unsigned long long)g->errors);
    printf("latency us: p50 %llu  p90 %llu  p99 %llu  p99.9 %llu  max %llu  mean %.0f\n",
           (unsigned long long)hist_pct(&g->h_all, 50), (unsigned long long)hist_pct(&g->h_all, 90),
           (unsigned long long)hist_pct(&g->h_all, 99), (unsigned long long)hist_pct(&g->h_all, 99.9),
           (unsigned long long)g->h_all.max, g->h_all.n ? (double)g->h_all.sum / (double)g->h_all.n : 0.0);
    for (int m = 0; m < M__COUNT; m++) {
        if (!g->h_m[m].n) continue;
        printf("  %-14s %8llu  p50 %llu  p99 %llu  p99.9 %llu us\n", method_names[m], (unsigned long long)g->done_m[m],
               (unsigned long long)hist_pct(&g->h_m[m], 50), (unsigned long long)hist_pct(&g->h_m[m], 99),
               (unsigned long long)hist_pct(&g->h_m[m], 99.9));
    }
    for (int e = 0; e < PROTO_E__COUNT; e++)
        if (g->err_by_code[e])
            printf("  error %s: %llu\n", proto_errcode_name((proto_errcode)e), (unsigned long long)g->err_by_code[e]);
    if (g->dropped)
        printf("open loop: %llu requests never sent (a connection's backlog of %d was full)\n",
               (unsigned long long)g->dropped, LG_BACKLOG_MAX);
    if (g->closed_unexpected)
        printf("connections closed unexpectedly: %llu (%s)\n", (unsigned long long)g->closed_unexpected, g->fatal);
    printf("RESULT mode=req conns=%d rate=%.0f throughput=%.0f responses=%llu errors=%llu "
           "p50_us=%llu p90_us=%llu p99_us=%llu p999_us=%llu max_us=%llu closed=%llu dropped=%llu\n",
           g->nconns, g->o.rate, tput, (unsigned long long)g->done, (unsigned long long)g->errors,
           (unsigned long long)hist_pct(&g->h_all, 50), (unsigned long long)hist_pct(&g->h_all, 90),
           (unsigned long long)hist_pct(&g->h_all, 99), (unsigned long long)hist_pct(&g->h_all, 99.9),
           (unsigned long long)g->h_all.max, (unsigned long long)g->closed_unexpected, (unsigned long long)g->dropped);
}

int main(int argc, char **argv) {
    lg *g = calloc(1, sizeof *g);
    if (!g) die("out of memory");
    parse_args(&g->o, argc, argv);
    signal(SIGPIPE, SIG_IGN);
    g->seed = (unsigned)getpid();
    g->rid_nonce = (long)time(NULL) ^ (long)getpid();
    memset(&g->addr, 0, sizeof g->addr);
    g->addr.sin_family = AF_INET;
    g->addr.sin_port = htons((uint16_t)g->o.port);
    if (inet_pton(AF_INET, g->o.host, &g->addr.sin_addr) != 1) die("--host must be an IPv4 literal");
    if (g->o.mode == MODE_REQ) load_ids(g);

    g->ctx = SSL_CTX_new(TLS_client_method());
    if (!g->ctx) die("SSL_CTX_new failed");
    SSL_CTX_set_min_proto_version(g->ctx, g->o.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION);
    if (g->o.tls12_only) SSL_CTX_set_max_proto_version(g->ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(g->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (SSL_CTX_load_verify_locations(g->ctx, g->o.cacert, NULL) != 1) die("cannot load --cacert %s", g->o.cacert);
    SSL_CTX_set_verify(g->ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_app_data(g->ctx, g);
    g->conn_ex_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    if (g->o.resume) {
        SSL_CTX_set_session_cache_mode(g->ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(g->ctx, new_session_cb);
    }

    /* The open-loop tick is 1 ms.  libevent's default clock is
     * CLOCK_MONOTONIC_COARSE (4 ms resolution on a HZ=250 kernel), which
     * fires such a timer up to a few ms late; since latency is counted
     * from the scheduled time, that lateness would be charged to the
     * server (it showed as a flat 0-7 ms spread at any rate). */
    struct event_config *ec = event_config_new();
    if (!ec || event_config_set_flag(ec, EVENT_BASE_FLAG_PRECISE_TIMER)) die("event_config failed");
    g->base = event_base_new_with_config(ec);
    event_config_free(ec);
    if (!g->base) die("event_base_new failed");
    int n = g->o.conns;
    raise_nofile(n);
    g->nconns = n;
    g->conns = calloc((size_t)n, sizeof *g->conns);
    if (!g->conns) die("out of memory");
    if (g->o.resume) {
        g->sessions = calloc((size_t)n, sizeof *g->sessions);
        if (!g->sessions) die("out of memory");
    }
    uint64_t t0 = now_us();

    if (g->o.mode == MODE_REQ) {
        for (int i = 0; i < n; i++) g->conns[i] = conn_new(g, i);
        event_base_dispatch(g->base);
        report_req(g);
    } else if (g->o.mode == MODE_HANDSHAKE) {
        g->running = 1;
        g->t_start = now_us();
        struct timeval tv;
        g->stop_ev = evtimer_new(g->base, stop_cb, g);
        tv_set(&tv, g->o.duration);
        evtimer_add(g->stop_ev, &tv);
        for (int i = 0; i < n; i++) g->conns[i] = conn_new(g, i);
        event_base_dispatch(g->base);
        double secs = (double)(g->t_end - g->t_start) / 1e6;
        printf("mode handshake: %d concurrent, session reuse %s, %.1f s: %.0f handshakes/s "
               "(%llu done, %llu resumed, %llu failed)%s%s\n",
               n, g->o.resume ? "on" : "off", secs, (double)g->hs_done / secs, (unsigned long long)g->hs_done,
               (unsigned long long)g->hs_resumed, (unsigned long long)g->hs_failed,
               g->fatal[0] ? " first failure: " : "", g->fatal);
        printf("RESULT mode=handshake conns=%d resume=%d hs_per_s=%.0f done=%llu resumed=%llu failed=%llu\n", n,
               g->o.resume, (double)g->hs_done / secs, (unsigned long long)g->hs_done,
               (unsigned long long)g->hs_resumed, (unsigned long long)g->hs_failed);
    } else {
        g->idle_target = n;
        long rss0 = g->o.pid ? vmrss_kib(g->o.pid) : -1;
        idle_next(g);
        event_base_dispatch(g->base);
        long rss = g->o.pid ? vmrss_kib(g->o.pid) : -1;
        double open_s = (double)(g->t_start - t0) / 1e6;
        printf("mode idle: %d of %d connections open after the hold (opened in %.1f s, %llu failed); "
               "server VmRSS %ld KiB before, %ld KiB with them (%.1f MiB; %.1f KiB per connection)%s%s\n",
               g->idle_open, n, open_s, (unsigned long long)g->hs_failed, rss0, rss, rss / 1024.0,
               g->idle_open ? (double)(rss - rss0) / g->idle_open : 0.0, g->fatal[0] ? "; first failure: " : "",
               g->fatal);
        printf("RESULT mode=idle conns=%d open=%d failed=%llu rss_before_kib=%ld rss_kib=%ld open_s=%.1f\n", n,
               g->idle_open, (unsigned long long)g->hs_failed, rss0, rss, open_s);
    }
    for (int i = 0; i < g->nconns; i++) conn_free(g->conns[i]);
    free(g->conns);
    for (int i = 0; i < g->nprofiles; i++) msgpack_sbuffer_destroy(&g->profiles[i]);
    for (size_t i = 0; i < g->nids; i++) free(g->ids[i]);
    free(g->ids);
    for (int i = 0; g->sessions && i < n; i++)
        if (g->sessions[i]) SSL_SESSION_free(g->sessions[i]);
    free(g->sessions);
    if (g->tick) event_free(g->tick);
    if (g->stop_ev) event_free(g->stop_ev);
    if (g->phase_ev) event_free(g->phase_ev);
    SSL_CTX_free(g->ctx);
    event_base_free(g->base);
    int rc = g->closed_unexpected && g->o.mode != MODE_HANDSHAKE ? 1 : 0;
    free(g);
    return rc;
}
