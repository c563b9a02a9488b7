/* metrics.c — see metrics.h.  The names, labels and units are documented
 * in docs/operations.md "Metrics"; a change here is a change there. */
#include "server/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const mx_transport_names[MX_T__COUNT] = { "pending", "binary", "unix", "http", "websocket" };

/* Latencies of a request or a Redis command: 100 µs to 10 s. */
static const double mx_latency_le[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                        0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10 };
/* A match run: 10 ms to 30 min. */
static const double mx_run_le[] = { 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800 };

_Static_assert(sizeof mx_latency_le / sizeof mx_latency_le[0] <= MX_BUCKETS_MAX, "too many latency buckets");
_Static_assert(sizeof mx_run_le / sizeof mx_run_le[0] <= MX_BUCKETS_MAX, "too many run buckets");

static void mx_hist_init(mx_hist *h, const double *le, unsigned n) {
    memset(h, 0, sizeof *h);
    h->le = le;
    h->n = n;
}

void metrics_init(metrics *m) {
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i <= API_M__COUNT; i++)
        mx_hist_init(&m->request_seconds[i], mx_latency_le, sizeof mx_latency_le / sizeof mx_latency_le[0]);
    mx_hist_init(&m->redis_seconds, mx_latency_le, sizeof mx_latency_le / sizeof mx_latency_le[0]);
    mx_hist_init(&m->run_seconds, mx_run_le, sizeof mx_run_le / sizeof mx_run_le[0]);
}

/* ------------------------------------------------------------ the buffer */

void mx_buf_free(mx_buf *b) {
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Room for n more bytes and a NUL; -1 (and oom) when memory ran out. */
static int mx_reserve(mx_buf *b, size_t n) {
    if (b->oom) return -1;
    if (b->len + n + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void mx_printf(mx_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || mx_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Append v with the escapes of `esc` ("\\\n" for HELP text, "\\\"\n" for
 * label values). */
static void mx_escaped(mx_buf *b, const char *v, const char *esc) {
    for (const char *p = v; *p; p++) {
        if (mx_reserve(b, 2)) return;
        if (strchr(esc, *p)) {
            b->p[b->len++] = '\\';
            b->p[b->len++] = *p == '\n' ? 'n' : *p;
        } else {
            b->p[b->len++] = *p;
        }
    }
    if (b->p) b->p[b->len] = '\0';
}

void mx_label_value(mx_buf *b, const char *v) { mx_escaped(b, v, "\\\"\n"); }

void mx_family(mx_buf *b, const char *name, const char *type, const char *help) {
    mx_printf(b, "# HELP %s ", name);
    mx_escaped(b, help, "\\\n");
    mx_printf(b, "\n# TYPE %s %s\n", name, type);
}

void mx_histogram(mx_buf *b, const char *name, const char *labels, const mx_hist *h) {
    const char *sep = labels[0] ? "," : "";
    uint64_t cum = 0;
    for (unsigned i = 0; i < h->n; i++) {
        cum += h->bucket[i];
        mx_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, h->le[i], (unsigned long long)cum);
    }
    mx_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, (unsigned long long)h->count);
    mx_printf(b, "%s_sum%s%s%s %.17g\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "", h->sum);
    mx_printf(b, "%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
              (unsigned long long)h->count);
}

/* ------------------------------------------------------------ rendering */

static const char *mx_method_name(size_t i) { return i < API_M__COUNT ? api_methods[i].name : "unknown"; }

/* Requests: only the (method, code) pairs seen so far, like a client
 * library's children made on first use (49 methods x 14 codes of zeros
 * would be most of a scrape). */
static void render_requests(const metrics *m, mx_buf *b) {
    mx_family(b, "coachnet_requests_total", "counter",
              "Requests answered, by method and outcome (code: ok or the error code).");
    for (size_t i = 0; i <= API_M__COUNT; i++)
        for (int c = 0; c < PROTO_E__COUNT; c++) {
            if (!m->requests[i][c]) continue;
            mx_printf(b, "coachnet_requests_total{method=\"");
            mx_label_value(b, mx_method_name(i));
            mx_printf(b, "\",code=\"");
            mx_label_value(b, c == PROTO_E_NONE ? "ok" : proto_errcode_name((proto_errcode)c));
            mx_printf(b, "\"} %llu\n", (unsigned long long)m->requests[i][c]);
        }
    mx_family(b, "coachnet_request_duration_seconds", "histogram",
              "Time from a request's dispatch to its answer, by method.");
    for (size_t i = 0; i <= API_M__COUNT; i++) {
        if (!m->request_seconds[i].count) continue;
        mx_buf lab = { 0 };
        mx_printf(&lab, "method=\"");
        mx_label_value(&lab, mx_method_name(i));
        mx_printf(&lab, "\"");
        if (lab.oom) {
            b->oom = 1;
        } else {
            mx_histogram(b, "coachnet_request_duration_seconds", lab.p, &m->request_seconds[i]);
        }
        mx_buf_free(&lab);
    }
}

static void render_conns(const metrics *m, mx_buf *b) {
    mx_family(b, "coachnet_connections", "gauge", "Connections open now, by transport and state.");
    if (!m->conn_state_names) return;
    for (int t = 0; t < MX_T__COUNT; t++)
        for (int st = 0; st < MX_CONN_STATES; st++)
            mx_printf(b, "coachnet_connections{transport=\"%s\",state=\"%s\"} %lld\n", mx_transport_names[t],
                      m->conn_state_names[st], (long long)m->conns[t][st]);
    mx_family(b, "coachnet_tls_handshakes_total", "counter", "TLS handshakes ended (completed or failed).");
    mx_printf(b, "coachnet_tls_handshakes_total %llu\n", (unsigned long long)m->tls_handshakes);
    mx_family(b, "coachnet_tls_handshakes_failed_total", "counter",
              "TLS handshakes that did not complete (error, timeout, shutdown).");
    mx_printf(b, "coachnet_tls_handshakes_failed_total %llu\n", (unsigned long long)m->tls_handshakes_failed);
}

static void render_redis(const metrics *m, const metrics_sample *s, mx_buf *b) {
    mx_family(b, "coachnet_redis_link_up", "gauge", "1 when the Redis link is connected, by link.");
    mx_printf(b, "coachnet_redis_link_up{link=\"command\"} %d\n", s->redis_command_up ? 1 : 0);
    mx_printf(b, "coachnet_redis_link_up{link=\"pubsub\"} %d\n", s->redis_pubsub_up ? 1 : 0);
    mx_family(b, "coachnet_redis_command_duration_seconds", "histogram",
              "Time from a Redis command to its reply (or its timeout).");
    mx_histogram(b, "coachnet_redis_command_duration_seconds", "", &m->redis_seconds);
}

static void render_runs(const metrics *m, mx_buf *b) {
    mx_family(b, "coachnet_runs_started_total", "counter", "Match runs started on this instance.");
    mx_printf(b, "coachnet_runs_started_total %llu\n", (unsigned long long)m->runs_started);
    mx_family(b, "coachnet_runs_warm_total", "counter",
              "Match runs on this instance that started from the program's previous run (warm start).");
    mx_printf(b, "coachnet_runs_warm_total %llu\n", (unsigned long long)m->runs_warm);
    mx_family(b, "coachnet_runs_finished_total", "counter", "Match runs ended on this instance, by status.");
    for (int st = 0; st < PROTO_RUN_STATUS__COUNT; st++)
        mx_printf(b, "coachnet_runs_finished_total{status=\"%s\"} %llu\n", proto_run_status_names[st],
                  (unsigned long long)m->runs_finished[st]);
    mx_family(b, "coachnet_run_duration_seconds", "histogram", "Duration of the match runs ended on this instance.");
    mx_histogram(b, "coachnet_run_duration_seconds", "", &m->run_seconds);
}

int metrics_render(const metrics *m, const metrics_sample *s, mx_buf *out) {
    render_requests(m, out);
    render_conns(m, out);
    render_redis(m, s, out);
    render_runs(m, out);
    if (m->have_matches) {
        mx_family(out, "coachnet_matches", "gauge",
                  "Matches by status, every program (staged proposals of unpublished runs included).");
        for (int st = 0; st < PROTO_MATCH_STATUS__COUNT; st++)
            mx_printf(out, "coachnet_matches{status=\"%s\"} %lld\n", proto_match_status_names[st],
                      (long long)m->matches[st]);
    }
    if (m->have_outbox) {
        mx_family(out, "coachnet_mail_outbox_depth", "gauge", "Messages in the mail outbox not yet delivered.");
        mx_printf(out, "coachnet_mail_outbox_depth %lld\n", (long long)m->outbox_depth);
    }
    mx_family(out, "coachnet_password_hash_queue_depth", "gauge", "Password hashes queued or running.");
    mx_printf(out, "coachnet_password_hash_queue_depth %llu\n", (unsigned long long)s->hashq_depth);
    return out->oom ? -1 : 0;
}
