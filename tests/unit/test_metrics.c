/* test_metrics.c — server/metrics.c: the text exposition format 0.0.4 as
 * rendered (HELP/TYPE lines, label escaping, histograms with cumulative
 * buckets, +Inf, _sum and _count), without sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/metrics.h"

/* The rendered text has this line exactly. */
static int has_line(const char *text, const char *line) {
    size_t n = strlen(line);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == '\0')) return 1;
    return 0;
}

static void assert_line(const char *text, const char *line) {
    if (!has_line(text, line)) fail_msg("no line '%s' in:\n%s", line, text);
}

static void escaping(void **state) {
    (void)state;
    mx_buf b = { 0 };
    mx_label_value(&b, "a\\b\"c\nd");
    assert_string_equal(b.p, "a\\\\b\\\"c\\nd");
    assert_int_equal(b.len, strlen("a\\\\b\\\"c\\nd"));
    mx_buf_free(&b);
    /* HELP text escapes backslash and newline, not quotes */
    mx_family(&b, "x_total", "counter", "says \"hi\"\\ and\nmore");
    assert_string_equal(b.p, "# HELP x_total says \"hi\"\\\\ and\\nmore\n# TYPE x_total counter\n");
    mx_buf_free(&b);
    /* an empty value leaves nothing, also in an empty buffer */
    mx_label_value(&b, "");
    assert_int_equal(b.len, 0);
    mx_buf_free(&b);
}

static void histogram(void **state) {
    (void)state;
    static const double le[] = { 0.1, 1, 10 };
    mx_hist h = { .le = le, .n = 3 };
    mx_observe(&h, 0.05);
    mx_observe(&h, 0.1); /* on a bound: in that bucket (le is <=) */
    mx_observe(&h, 0.5);
    mx_observe(&h, 20);
    mx_observe(&h, 30);
    mx_buf b = { 0 };
    mx_histogram(&b, "t_seconds", "method=\"a.b\"", &h);
    assert_line(b.p, "t_seconds_bucket{method=\"a.b\",le=\"0.1\"} 2");
    assert_line(b.p, "t_seconds_bucket{method=\"a.b\",le=\"1\"} 3");
    assert_line(b.p, "t_seconds_bucket{method=\"a.b\",le=\"10\"} 3");
    assert_line(b.p, "t_seconds_bucket{method=\"a.b\",le=\"+Inf\"} 5");
    assert_line(b.p, "t_seconds_sum{method=\"a.b\"} 50.649999999999999");
    assert_line(b.p, "t_seconds_count{method=\"a.b\"} 5");
    mx_buf_free(&b);
    /* without labels: no empty braces on _sum/_count */
    mx_histogram(&b, "u_seconds", "", &h);
    assert_line(b.p, "u_seconds_bucket{le=\"+Inf\"} 5");
    assert_line(b.p, "u_seconds_count 5");
    assert_null(strstr(b.p, "{}"));
    mx_buf_free(&b);
}

static void render_all(void **state) {
    (void)state;
    metrics *m = malloc(sizeof *m);
    assert_non_null(m);
    metrics_init(m);
    static const char *const names[MX_CONN_STATES] = { "s0", "s1", "s2", "s3", "s4", "s5", "s6" };
    m->conn_state_names = names;
    m->requests[API_M_MENTEE_GET][PROTO_E_NONE] = 3;
    m->requests[API_M_MENTEE_GET][PROTO_E_NOT_FOUND] = 2;
    m->requests[MX_METHOD_UNKNOWN][PROTO_E_UNKNOWN_METHOD] = 1;
    mx_observe(&m->request_seconds[API_M_MENTEE_GET], 0.002);
    m->conns[MX_T_WEBSOCKET][1] = 4;
    m->tls_handshakes = 7;
    m->tls_handshakes_failed = 2;
    m->runs_started = 1;
    m->runs_warm = 6;
    m->runs_finished[PROTO_RUN_DONE] = 1;
    mx_observe(&m->run_seconds, 0.3);
    mx_buf none = { 0 };
    metrics_sample s0 = { 0 };
    assert_int_equal(metrics_render(m, &s0, &none), 0); /* not sampled yet: absent */
    assert_null(strstr(none.p, "coachnet_matches"));
    assert_null(strstr(none.p, "coachnet_mail_outbox_depth"));
    mx_buf_free(&none);
    m->have_matches = 1;
    m->matches[PROTO_MATCH_APPROVED] = 4;
    m->have_outbox = 1;
    m->outbox_depth = 9;
    metrics_sample s = { .redis_command_up = 1, .redis_pubsub_up = 0, .hashq_depth = 5 };
    mx_buf b = { 0 };
    assert_int_equal(metrics_render(m, &s, &b), 0);
    const char *t = b.p;
    assert_line(t, "# TYPE coachnet_requests_total counter");
    assert_line(t, "coachnet_requests_total{method=\"mentee.get\",code=\"ok\"} 3");
    assert_line(t, "coachnet_requests_total{method=\"mentee.get\",code=\"not_found\"} 2");
    assert_line(t, "coachnet_requests_total{method=\"unknown\",code=\"unknown_method\"} 1");
    /* pairs never seen are not rendered */
    assert_null(strstr(t, "code=\"forbidden\""));
    assert_line(t, "# TYPE coachnet_request_duration_seconds histogram");
    assert_line(t, "coachnet_request_duration_seconds_bucket{method=\"mentee.get\",le=\"0.001\"} 0");
    assert_line(t, "coachnet_request_duration_seconds_bucket{method=\"mentee.get\",le=\"0.0025\"} 1");
    assert_line(t, "coachnet_request_duration_seconds_count{method=\"mentee.get\"} 1");
    assert_null(strstr(t, "coachnet_request_duration_seconds_count{method=\"coach.get\"}"));
    assert_line(t, "# TYPE coachnet_connections gauge");
    assert_line(t, "coachnet_connections{transport=\"websocket\",state=\"s1\"} 4");
    assert_line(t, "coachnet_connections{transport=\"binary\",state=\"s0\"} 0");
    assert_line(t, "coachnet_tls_handshakes_total 7");
    assert_line(t, "coachnet_tls_handshakes_failed_total 2");
    assert_line(t, "coachnet_redis_link_up{link=\"command\"} 1");
    assert_line(t, "coachnet_redis_link_up{link=\"pubsub\"} 0");
    assert_line(t, "coachnet_redis_command_duration_seconds_bucket{le=\"+Inf\"} 0");
    assert_line(t, "coachnet_runs_started_total 1");
    assert_line(t, "coachnet_runs_warm_total 6");
    assert_line(t, "coachnet_runs_finished_total{status=\"done\"} 1");
    assert_line(t, "coachnet_runs_finished_total{status=\"failed\"} 0");
    assert_line(t, "coachnet_run_duration_seconds_bucket{le=\"0.25\"} 0");
    assert_line(t, "coachnet_run_duration_seconds_bucket{le=\"0.5\"} 1");
    assert_line(t, "coachnet_run_duration_seconds_sum 0.29999999999999999");
    assert_line(t, "# HELP coachnet_password_hash_queue_depth Password hashes queued or running.");
    assert_line(t, "coachnet_password_hash_queue_depth 5");
    assert_line(t, "# TYPE coachnet_matches gauge");
    assert_line(t, "coachnet_matches{status=\"approved\"} 4");
    assert_line(t, "coachnet_matches{status=\"proposed\"} 0");
    assert_line(t, "coachnet_mail_outbox_depth 9");
    /* every family has exactly one HELP and one TYPE, HELP first, and
     * every sample line belongs to the family announced before it */
    char fam[128] = "";
    for (const char *p = t; *p; p = strchr(p, '\n') + 1) {
        if (!strncmp(p, "# HELP ", 7)) {
            sscanf(p + 7, "%127s", fam);
            assert_true(!strncmp(strchr(p, '\n') + 1, "# TYPE ", 7));
            char again[128];
            sscanf(strchr(p, '\n') + 8, "%127s", again);
            assert_string_equal(fam, again);
            p = strchr(p, '\n') + 1;
            continue;
        }
        assert_true(fam[0]);
        assert_int_equal(strncmp(p, fam, strlen(fam)), 0);
    }
    assert_int_equal(t[b.len - 1], '\n');
    mx_buf_free(&b);
    free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escaping),
        cmocka_unit_test(histogram),
        cmocka_unit_test(render_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
