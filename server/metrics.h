/* metrics.h — coachnetd's Prometheus metrics (DESIGN §11/§12, docs/
 * operations.md "Metrics"): counters, gauges and fixed-bucket histograms
 * in one struct that hangs off the server (server.mx), and a pure
 * function that renders them in the text exposition format 0.0.4.
 *
 * Cheap on the hot path: every counter is a plain uint64_t in a fixed
 * array (requests by [method id][error code], latency by [method id]), an
 * observation is a short scan of the bucket bounds, and nothing allocates
 * but the rendering of a scrape.  Everything is touched on the event
 * loop's thread only (requests, Redis replies, the end of a run, the
 * scrape), so nothing is atomic.  Gauges the rest of the server already
 * knows (Redis links up, the hashing queue's depth) are sampled at scrape
 * time into a metrics_sample by the caller (web.c), so the rendering needs
 * no other module.
 *
 * Histograms keep per-bucket counts (not cumulative) and their bounds
 * (`le`, seconds, ascending; +Inf implied); the rendering makes them
 * cumulative.  mx_observe and mx_now are inline so that store.c (linked without this
 * module into coachnet-mailer and unit tests) can observe into one.
 */
#ifndef COACHNET_SERVER_METRICS_H
#define COACHNET_SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto/proto.h"

#define MX_BUCKETS_MAX 16 /* bounds of one histogram, +Inf not counted */

typedef struct mx_hist {
    const double *le; /* ascending upper bounds, n of them (metrics_init) */
    unsigned n;
    uint64_t bucket[MX_BUCKETS_MAX + 1]; /* [n]: above every bound */
    uint64_t count;
    double sum;
} mx_hist;

/* Count v (seconds) into h. */
static inline void mx_observe(mx_hist *h, double v) {
    unsigned i = 0;
    while (i < h->n && v > h->le[i]) i++;
    h->bucket[i]++;
    h->count++;
    h->sum += v;
}

/* What carries a connection (the `transport` label). */
typedef enum {
    MX_T_PENDING,   /* TLS, its first byte not read yet */
    MX_T_BINARY,    /* length-prefixed frames over TLS */
    MX_T_UNIX,      /* length-prefixed frames on the admin unix socket */
    MX_T_HTTP,      /* HTTP/1.1 over TLS (static files, /healthz, ...) */
    MX_T_WEBSOCKET, /* an HTTP connection upgraded on /rpc */
    MX_T__COUNT
} mx_transport;

extern const char *const mx_transport_names[MX_T__COUNT];

/* The states of conn.c's machine; conn.c checks it has as many. */
#define MX_CONN_STATES 7

/* Index of requests and latency for a request whose method is not known
 * (undecodable, unknown method). */
#define MX_METHOD_UNKNOWN API_M__COUNT

typedef struct metrics {
    /* [method id or MX_METHOD_UNKNOWN][PROTO_E_NONE = ok, or the error] */
    uint64_t requests[API_M__COUNT + 1][PROTO_E__COUNT];
    mx_hist request_seconds[API_M__COUNT + 1]; /* dispatch to answer */
    /* connections now, by transport and conn.c's state (conn.c keeps it) */
    int64_t conns[MX_T__COUNT][MX_CONN_STATES];
    const char *const *conn_state_names;            /* conn.c's, MX_CONN_STATES of them */
    uint64_t tls_handshakes, tls_handshakes_failed; /* ended; of those, failed */
    mx_hist redis_seconds;                          /* a command to its reply (or its timeout) */
    uint64_t runs_started;
    uint64_t runs_warm; /* solved from the program's warm state (runs.c, warmcache.h) */
    uint64_t runs_finished[PROTO_RUN_STATUS__COUNT];
    /* sampled from Redis by mxpoll.c (have_*: 0 until its first answer) */
    int64_t matches[PROTO_MATCH_STATUS__COUNT]; /* count:match, every program */
    int have_matches;
    int64_t outbox_depth; /* XLEN outbox: mail not yet delivered */
    int have_outbox;
    mx_hist run_seconds; /* started to its end recorded */
} metrics;

/* Gauges sampled by the caller at scrape time. */
typedef struct metrics_sample {
    int redis_command_up, redis_pubsub_up; /* 1/0 */
    uint64_t hashq_depth;                  /* password hashes queued or running */
} metrics_sample;

/* All zero, the histograms' bounds set. */
void metrics_init(metrics *m);

/* A growing text buffer (a scrape's body). */
typedef struct mx_buf {
    char *p;
    size_t len, cap;
    int oom;
} mx_buf;

void mx_buf_free(mx_buf *b);
/* Append; on out of memory b->oom is set and later appends do nothing. */
void mx_printf(mx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append v as a label value: backslash, double quote and newline escaped
 * as the text format wants (\\, \", \n). */
void mx_label_value(mx_buf *b, const char *v);
/* "# HELP name help\n# TYPE name type\n" (help escaped: \\ and \n). */
void mx_family(mx_buf *b, const char *name, const char *type, const char *help);
/* The series of one histogram: name_bucket{labels,le="..."} cumulative
 * (+Inf = count), name_sum, name_count.  labels: "" or already rendered
 * pairs without braces (`method="mentee.get"`). */
void mx_histogram(mx_buf *b, const char *name, const char *labels, const mx_hist *h);

/* Render every metric of m and s into out (appended): the text format
 * 0.0.4.  0, or -1 when memory ran out (out->oom). */
int metrics_render(const metrics *m, const metrics_sample *s, mx_buf *out);

/* Seconds of CLOCK_MONOTONIC (latencies; the vDSO: no system call). */
static inline double mx_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
