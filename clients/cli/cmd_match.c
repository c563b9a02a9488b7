/*
 * cmd_match.c -- what mentees and coaches do: suggest, request, mine,
 * respond, meeting log, feedback.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clients/cli/cli.h"

static const char *num(const msgpack_object *o, char *buf, size_t len) {
    return cli_scalar(o, buf, len);
}

/* One line per match: the shape shared by mine, request and respond. */
#define MATCH_COLS 7
#define MATCH_ALIGN "lllllrr"
static const char *const match_headers[MATCH_COLS] = { "MATCH", "PROGRAM", "MENTEE", "COACH",
                                                       "STATUS", "SCORE", "COVERAGE" };

static void match_row(cli_table *t, const msgpack_object *m) {
    char c[MATCH_COLS][128];
    const char *keys[MATCH_COLS - 1] = { "id", "program", "mentee_id", "coach_id", "status", "score" };
    const char *cells[MATCH_COLS];
    for (int i = 0; i < MATCH_COLS - 1; i++)
        cells[i] = num(cn_client_map_get(m, keys[i]), c[i], sizeof(c[i]));
    cells[MATCH_COLS - 1] = cli_percent(cn_client_map_get(cn_client_map_get(m, "explain"),
                                                          "gap_coverage"),
                                        c[MATCH_COLS - 1], sizeof(c[MATCH_COLS - 1]));
    cli_table_add(t, cells);
}

/* Print a {match} result (request, respond). */
static void print_match_result(const cli_ctx *x, const msgpack_object *o, const char *verb) {
    if (x->o->json) {
        cli_print_json(stdout, o);
        return;
    }
    const msgpack_object *m = cn_client_map_get(o, "match");
    char id[96], st[32];
    printf("%s match %s: status %s\n", verb, num(cn_client_map_get(m, "id"), id, sizeof(id)),
           num(cn_client_map_get(m, "status"), st, sizeof(st)));
    if (m) {
        cli_table *t = cli_table_new(MATCH_COLS, match_headers, MATCH_ALIGN);
        match_row(t, m);
        cli_table_print(t, stdout);
        cli_table_free(t);
    }
}

int cmd_suggest(cli_ctx *x) {
    if (!cli_args_ok(x, O_LIMIT | O_MENTEE, "suggest", 1, 1, "suggest [--limit N] [--mentee ID]"))
        return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    const char *mentee = x->o->mentee ? x->o->mentee : x->session.subject;
    if (mentee[0] == '\0') return cli_usage_error("suggest: name the mentee with --mentee ID");
    cn_client_result *r;
    cn_client_error e;
    if (cn_client_match_suggest(x->c, mentee, x->o->limit, &r, &e) != CN_CLIENT_OK)
        return cli_fail("match.suggest", &e);
    const msgpack_object *o = cn_client_result_obj(r);
    if (x->o->json) {
        cli_print_json(stdout, o);
    } else {
        const msgpack_object *items = cn_client_map_get(o, "items");
        static const char *const h[] = { "#", "COACH", "SCORE", "GAP COVERAGE", "LOCATION",
                                         "AVAILABILITY" };
        cli_table *t = cli_table_new(6, h, "rlrrrr");
        for (uint32_t i = 0; items && items->type == MSGPACK_OBJECT_ARRAY && i < items->via.array.size; i++) {
            const msgpack_object *it = &items->via.array.ptr[i];
            const msgpack_object *ex = cn_client_map_get(it, "explain");
            char c[6][96];
            snprintf(c[0], sizeof(c[0]), "%u", i + 1);
            const char *cells[6] = { c[0], num(cn_client_map_get(it, "coach_id"), c[1], 96),
                                     num(cn_client_map_get(it, "score"), c[2], 96),
                                     cli_percent(cn_client_map_get(ex, "gap_coverage"), c[3], 96),
                                     cli_percent(cn_client_map_get(ex, "location"), c[4], 96),
                                     cli_percent(cn_client_map_get(ex, "availability"), c[5], 96) };
            cli_table_add(t, cells);
        }
        if (cli_table_rows(t) == 0)
            printf("no coach available for %s\n", mentee);
        else
            cli_table_print(t, stdout);
        cli_table_free(t);
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

int cmd_request(cli_ctx *x) {
    if (!cli_args_ok(x, 0, "request", 2, 2, "request COACH_ID")) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_result *r;
    cn_client_error e;
    if (cn_client_match_request(x->c, x->o->args[1], &r, &e) != CN_CLIENT_OK)
        return cli_fail("match.request", &e);
    print_match_result(x, cn_client_result_obj(r), "requested");
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

int cmd_mine(cli_ctx *x) {
    if (!cli_args_ok(x, 0, "mine", 1, 1, "mine")) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_result *r;
    cn_client_error e;
    if (cn_client_match_mine(x->c, &r, &e) != CN_CLIENT_OK) return cli_fail("match.mine", &e);
    const msgpack_object *o = cn_client_result_obj(r);
    if (x->o->json) {
        cli_print_json(stdout, o);
    } else {
        const msgpack_object *items = cn_client_map_get(o, "items");
        cli_table *t = cli_table_new(MATCH_COLS, match_headers, MATCH_ALIGN);
        for (uint32_t i = 0; items && items->type == MSGPACK_OBJECT_ARRAY && i < items->via.array.size; i++)
            match_row(t, &items->via.array.ptr[i]);
        if (cli_table_rows(t) == 0)
            printf("no matches yet\n");
        else
            cli_table_print(t, stdout);
        cli_table_free(t);
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

int cmd_respond(cli_ctx *x) {
    if (!cli_args_ok(x, O_NOTE, "respond", 3, 3, "respond MATCH_ID accept|decline [--note TEXT]"))
        return CLI_EXIT_USAGE;
    const char *d = x->o->args[2];
    int accept;
    if (strcmp(d, "accept") == 0)
        accept = 1;
    else if (strcmp(d, "decline") == 0)
        accept = 0;
    else
        return cli_usage_error("respond: '%s' is neither accept nor decline", d);
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_result *r;
    cn_client_error e;
    if (cn_client_match_respond(x->c, x->o->args[1], accept, x->o->note, &r, &e) != CN_CLIENT_OK)
        return cli_fail("match.respond", &e);
    print_match_result(x, cn_client_result_obj(r), accept ? "accepted" : "declined");
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

int cmd_meeting(cli_ctx *x) {
    if (!cli_args_ok(x, O_DATE | O_MINUTES | O_TOPIC, "meeting", 3, 3,
                 "meeting log MATCH_ID --date YYYY-MM-DD --minutes N [--topic TEXT]"))
        return CLI_EXIT_USAGE;
    if (strcmp(x->o->args[1], "log") != 0)
        return cli_usage_error("unknown meeting command '%s' (log)", x->o->args[1]);
    if (x->o->date == NULL || !(x->o->given & O_MINUTES))
        return cli_usage_error("meeting log: --date and --minutes are required");
    if (cli_date_valid(x->o->date) != 0)
        return cli_usage_error("--date: '%s' is not a date YYYY-MM-DD", x->o->date);
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    char mid[96];
    double jp_total;
    cn_client_error e;
    if (cn_client_meeting_log(x->c, x->o->args[2], x->o->date, x->o->minutes, x->o->topic, mid,
                              sizeof(mid), &jp_total, &e) != CN_CLIENT_OK)
        return cli_fail("meeting.log", &e);
    double jp = cli_jp_of_minutes(x->o->minutes);
    if (x->o->json) {
        json_t *j = json_pack("{s:s, s:I, s:f, s:f, s:i}", "meeting_id", mid, "minutes",
                              (json_int_t)x->o->minutes, "jp", jp, "jp_total", jp_total,
                              "jp_obligation", CLI_JP_YEARLY);
        cli_print_json_new(j);
    } else {
        /* jp_total is the mentee's total for the year of the meeting */
        double pct = jp_total * 100.0 / CLI_JP_YEARLY;
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        char when[32];
        if (atoi(x->o->date) == tm.tm_year + 1900)
            snprintf(when, sizeof(when), "this year");
        else
            snprintf(when, sizeof(when), "in %.4s", x->o->date);
        printf("logged meeting %s: %lld minutes = %.1f JP\n", mid, x->o->minutes, jp);
        printf("JP %s: %.1f of %d (%.0f%%)%s\n", when, jp_total, CLI_JP_YEARLY, pct,
               jp_total >= CLI_JP_YEARLY ? " -- yearly obligation met" : "");
    }
    return CLI_EXIT_OK;
}

int cmd_feedback(cli_ctx *x) {
    if (!cli_args_ok(x, O_RATING | O_COMMENT, "feedback", 2, 2,
                 "feedback MATCH_ID --rating 1..5 [--comment TEXT]"))
        return CLI_EXIT_USAGE;
    if (!(x->o->given & O_RATING)) return cli_usage_error("feedback: --rating 1..5 is required");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_error e;
    if (cn_client_feedback_put(x->c, x->o->args[1], (int)x->o->rating, x->o->comment, &e) !=
        CN_CLIENT_OK)
        return cli_fail("feedback.put", &e);
    if (x->o->json)
        printf("{}\n");
    else
        printf("feedback recorded for match %s (rating %lld)\n", x->o->args[1], x->o->rating);
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* watch                                                                   */
/* ---------------------------------------------------------------------- */

typedef struct watch_state {
    int json;
    long long seen;
} watch_state;

static void on_watch(void *priv, const char *method, const msgpack_object *params) {
    watch_state *w = priv;
    w->seen++;
    if (w->json) {
        /* JSON Lines: one notification per line, flushed, for scripts */
        json_t *p = cli_mp_to_json(params);
        json_t *j = json_pack("{s:s, s:o}", "method", method, "params", p ? p : json_null());
        json_dumpf(j, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(j);
    } else if (strcmp(method, "match.updated") == 0) {
        const msgpack_object *m = cn_client_map_get(params, "match");
        if (m == NULL) m = params;
        char id[96], st[32], me[64], co[64], sc[32];
        printf("match.updated %s: %s (mentee %s, coach %s, score %s)\n",
               num(cn_client_map_get(m, "id"), id, sizeof(id)),
               num(cn_client_map_get(m, "status"), st, sizeof(st)),
               num(cn_client_map_get(m, "mentee_id"), me, sizeof(me)),
               num(cn_client_map_get(m, "coach_id"), co, sizeof(co)),
               num(cn_client_map_get(m, "score"), sc, sizeof(sc)));
    } else {
        printf("%s:\n", method);
        cli_print_obj(stdout, params, 2);
    }
    fflush(stdout);
}

int cmd_watch(cli_ctx *x) {
    if (!cli_args_ok(x, O_LIMIT | O_WAIT, "watch", 1, 1, "watch [--limit N] [--wait SECONDS]"))
        return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    watch_state w = { x->o->json, 0 };
    cn_client_set_notify(x->c, on_watch, &w);
    /* On stderr, so that --json output stays clean; also tells a script that
     * the session is live and nothing from now on will be missed. */
    fprintf(stderr, "watching notifications for %s (%d s)\n", x->session.login, x->o->wait_s);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double deadline = (double)ts.tv_sec + ts.tv_nsec / 1e9 + x->o->wait_s;
    while (x->o->limit == 0 || w.seen < x->o->limit) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double left = deadline - ((double)ts.tv_sec + ts.tv_nsec / 1e9);
        if (left <= 0) break;
        int got;
        cn_client_error e;
        if (cn_client_wait(x->c, left > 1.0 ? 1000 : (int)(left * 1000) + 1, &got, &e) !=
            CN_CLIENT_OK)
            return cli_fail("watch", &e);
    }
    return CLI_EXIT_OK;
}
