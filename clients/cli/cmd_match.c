/*
 * cmd_match.c -- what mentees and coaches do: suggest, request, mine,
 * respond, meeting log, meetings, jp, feedback.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clients/cli/cli.h"

/* One line per match: the shape shared by mine, request and respond. */
#define MATCH_COLS  7
#define MATCH_ALIGN "lllllrr"
static const char *const match_headers[MATCH_COLS] = { "MATCH",  "PROGRAM", "MENTEE",  "COACH",
                                                       "STATUS", "SCORE",   "COVERAGE" };

/* A match decoded (and checked) with libproto. */
static void match_row(cli_table *t, const proto_match *m) {
    char score[16], cov[16], mentee[CLI_PARTY_MAX], coach[CLI_PARTY_MAX];
    snprintf(score, sizeof(score), "%d", (int)m->score);
    const char *cells[MATCH_COLS] = { m->id,
                                      m->program,
                                      cli_party(m->mentee_id, m->has_mentee, m->mentee.name, mentee, sizeof(mentee)),
                                      cli_party(m->coach_id, m->has_coach, m->coach.name, coach, sizeof(coach)),
                                      proto_match_status_names[m->status],
                                      score,
                                      m->has_explain ? cli_percent_of(m->explain.gap_coverage, cov, sizeof(cov)) : "" };
    cli_table_add(t, cells);
}

/* Print a {match} result (request, respond). */
static int print_match_result(const cli_ctx *x, const msgpack_object *o, const char *what, const char *verb) {
    if (x->o->json) {
        cli_print_json(stdout, o);
        return CLI_EXIT_OK;
    }
    proto_match m;
    proto_error pe;
    const msgpack_object *mo = cn_client_map_get(o, "match");
    if (mo == NULL) {
        proto_error_set(&pe, PROTO_E_INVALID_PARAMS, "match", "is required");
        return cli_bad_result(what, &pe);
    }
    if (proto_match_decode(mo, "match", &m, &pe) != PROTO_OK) return cli_bad_result(what, &pe);
    printf("%s%smatch %s: status %s\n", verb, verb[0] ? " " : "", m.id, proto_match_status_names[m.status]);
    cli_table *t = cli_table_new(MATCH_COLS, match_headers, MATCH_ALIGN);
    match_row(t, &m);
    cli_table_print(t, stdout);
    cli_table_free(t);
    return CLI_EXIT_OK;
}

static int cmd_suggest(cli_ctx *x) {
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
        static const char *const h[] = { "#", "COACH", "SCORE", "GAP COVERAGE", "LOCATION", "AVAILABILITY" };
        cli_table *t = cli_table_new(6, h, "rlrrrr");
        for (uint32_t i = 0; items && items->type == MSGPACK_OBJECT_ARRAY && i < items->via.array.size; i++) {
            proto_suggestion s;
            proto_error pe;
            char path[32];
            snprintf(path, sizeof(path), "items[%u]", i);
            if (proto_suggestion_decode(&items->via.array.ptr[i], path, &s, &pe) != PROTO_OK) {
                cli_table_free(t);
                cn_client_result_free(r);
                return cli_bad_result("match.suggest", &pe);
            }
            char c[6][96];
            snprintf(c[0], sizeof(c[0]), "%u", i + 1);
            snprintf(c[2], sizeof(c[2]), "%d", (int)s.score);
            c[3][0] = c[4][0] = c[5][0] = '\0';
            if (s.has_explain) {
                cli_percent_of(s.explain.gap_coverage, c[3], 96);
                cli_percent_of(s.explain.location, c[4], 96);
                cli_percent_of(s.explain.availability, c[5], 96);
            }
            char coach[CLI_PARTY_MAX];
            const char *who = cli_party(s.coach_id, s.has_coach, s.coach.name, coach, sizeof(coach));
            const char *cells[6] = { c[0], who, c[2], c[3], c[4], c[5] };
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

static int cmd_request(cli_ctx *x) {
    if (!cli_args_ok(x, 0, "request", 2, 2, "request COACH_ID")) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_result *r;
    cn_client_error e;
    if (cn_client_match_request(x->c, x->o->args[1], &r, &e) != CN_CLIENT_OK) return cli_fail("match.request", &e);
    rc = print_match_result(x, cn_client_result_obj(r), "match.request", "requested");
    cn_client_result_free(r);
    return rc;
}

static int cmd_mine(cli_ctx *x) {
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
        for (uint32_t i = 0; items && items->type == MSGPACK_OBJECT_ARRAY && i < items->via.array.size; i++) {
            proto_match m;
            proto_error pe;
            char path[32];
            snprintf(path, sizeof(path), "items[%u]", i);
            if (proto_match_decode(&items->via.array.ptr[i], path, &m, &pe) != PROTO_OK) {
                cli_table_free(t);
                cn_client_result_free(r);
                return cli_bad_result("match.mine", &pe);
            }
            match_row(t, &m);
        }
        if (cli_table_rows(t) == 0)
            printf("no matches yet\n");
        else
            cli_table_print(t, stdout);
        cli_table_free(t);
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

static int cmd_respond(cli_ctx *x) {
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
    rc = print_match_result(x, cn_client_result_obj(r), "match.respond", accept ? "accepted" : "declined");
    cn_client_result_free(r);
    return rc;
}

/* The contact lines of a card, when it carries them. */
static void print_contact(const proto_contact *c) {
    if (c->email[0]) printf("  email: %s\n", c->email);
    if (c->phone[0]) printf("  phone: %s\n", c->phone);
}

/* match.get: the match line, then the cards and notes the caller may see. */
static int cmd_show(cli_ctx *x) {
    if (!cli_args_ok(x, 0, "show", 2, 2, "show MATCH_ID")) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_result *r;
    cn_client_error e;
    cn_api_match_get_params p = { x->o->args[1] };
    if (cn_api_match_get(x->c, &p, &r, &e) != CN_CLIENT_OK) return cli_fail("match.get", &e);
    rc = print_match_result(x, cn_client_result_obj(r), "match.get", "");
    if (rc == CLI_EXIT_OK && !x->o->json) {
        proto_match *m = malloc(sizeof(*m));
        proto_error pe;
        if (m && proto_match_decode(cn_client_map_get(cn_client_result_obj(r), "match"), "match", m, &pe) == PROTO_OK) {
            if (m->has_mentee) {
                const proto_mentee_card *c = &m->mentee;
                printf("\nmentee %s: %s\n  agency %s, position class %s, province %s\n", c->id, c->name, c->agency,
                       c->position_class, c->province);
                if (c->goals[0]) printf("  goals: %s\n", c->goals);
                print_contact(&c->contact);
            }
            if (m->has_coach) {
                const proto_coach_card *c = &m->coach;
                printf("\ncoach %s: %s\n  %s, %s, province %s, languages", c->id, c->name,
                       proto_coach_kind_names[c->kind], c->organization, c->province);
                for (size_t i = 0; i < c->n_languages; i++) printf("%s%s", i ? ", " : " ", c->languages[i]);
                putchar('\n');
                if (c->bio[0]) printf("  bio: %s\n", c->bio);
                print_contact(&c->contact);
            }
            if (m->n_notes) printf("\nnotes:\n");
            for (size_t i = 0; i < m->n_notes; i++) {
                char at[32];
                time_t t = (time_t)m->notes[i].at;
                strftime(at, sizeof(at), "%Y-%m-%d %H:%M", gmtime(&t));
                printf("  %s UTC  %s (%s): %s\n", at, m->notes[i].by, proto_role_names[m->notes[i].role],
                       m->notes[i].text);
            }
        }
        free(m);
    }
    cn_client_result_free(r);
    return rc;
}

static int cmd_meeting(cli_ctx *x) {
    if (x->o->nargs >= 2 && (strcmp(x->o->args[1], "schedule") == 0 || strcmp(x->o->args[1], "move") == 0)) {
        if (!cli_args_ok(x, O_MINUTES | O_PLACE, "meeting", 4, 5,
                         "meeting schedule MATCH_ID WHEN --minutes N [--place TEXT] | "
                         "meeting move MATCH_ID MEETING_ID WHEN --minutes N [--place TEXT]"))
            return CLI_EXIT_USAGE;
        return cli_meeting_plan(x);
    }
    if (!cli_args_ok(x, O_DATE | O_MINUTES | O_TOPIC, "meeting", 3, 3,
                     "meeting log MATCH_ID --date YYYY-MM-DD --minutes N [--topic TEXT]"))
        return CLI_EXIT_USAGE;
    if (strcmp(x->o->args[1], "log") != 0)
        return cli_usage_error("unknown meeting command '%s' (log, schedule, move)", x->o->args[1]);
    if (x->o->date == NULL || !(x->o->given & O_MINUTES))
        return cli_usage_error("meeting log: --date and --minutes are required");
    if (cli_date_valid(x->o->date) != 0) return cli_usage_error("--date: '%s' is not a date YYYY-MM-DD", x->o->date);
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_meeting mt;
    cn_client_error e;
    if (cn_client_meeting_log(x->c, x->o->args[2], x->o->date, x->o->minutes, x->o->topic, &mt, &e) != CN_CLIENT_OK)
        return cli_fail("meeting.log", &e);
    /* JP come from the server rounded to one decimal: shown with one */
    if (x->o->json) {
        json_t *j =
            json_pack("{s:s, s:b, s:I, s:f, s:i, s:I, s:f, s:i}", "meeting_id", mt.meeting_id, "confirmed",
                      mt.confirmed, "minutes", (json_int_t)mt.minutes, "jp", mt.jp, "year", mt.year, "minutes_total",
                      (json_int_t)mt.minutes_total, "jp_total", mt.jp_total, "jp_target", (int)mt.jp_target);
        cli_print_json_new(j);
    } else {
        /* jp_total is the mentee's total for the year of the meeting */
        double pct = mt.jp_target > 0 ? mt.jp_total * 100.0 / (double)mt.jp_target : 100.0;
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        char when[32];
        if (mt.year == tm.tm_year + 1900)
            snprintf(when, sizeof(when), "this year");
        else
            snprintf(when, sizeof(when), "in %d", mt.year);
        if (mt.confirmed)
            printf("confirmed meeting %s of %s (logged by the other side): %lld minutes = %.1f JP, counted once\n",
                   mt.meeting_id, x->o->date, (long long)mt.minutes, mt.jp);
        else
            printf("logged meeting %s of %s: %lld minutes = %.1f JP\n", mt.meeting_id, x->o->date,
                   (long long)mt.minutes, mt.jp);
        printf("JP %s: %.1f of %lld (%.0f%%)%s\n", when, mt.jp_total, (long long)mt.jp_target, pct,
               mt.jp_total >= (double)mt.jp_target ? " -- the program's yearly target met" : "");
    }
    return CLI_EXIT_OK;
}

/* feedback MATCH_ID | feedback --program P [--limit N]: feedback.list, every
 * page (up to --limit items), one table row each, the comment's first
 * line (--json: every item, comments whole). */
#define FEEDBACK_COLS  6
#define FEEDBACK_ALIGN "lllrll"
static const char *const feedback_headers[FEEDBACK_COLS] = { "MATCH", "BY", "ROLE", "RATING", "AT", "COMMENT" };

static int feedback_list(cli_ctx *x) {
    const char *match_id = x->o->nargs == 2 ? x->o->args[1] : NULL;
    if ((match_id != NULL) == (x->o->program != NULL))
        return cli_usage_error("feedback: give MATCH_ID or --program P, not both");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cli_table *t = cli_table_new(FEEDBACK_COLS, feedback_headers, FEEDBACK_ALIGN);
    json_t *all = json_array();
    char cursor[256];
    cn_api_feedback_list_params p = { .program = x->o->program, .match_id = match_id };
    long long n = 0;
    for (;;) {
        p.limit = CLI_LIST_PAGE;
        if (x->o->limit > 0 && x->o->limit - n < CLI_LIST_PAGE) p.limit = x->o->limit - n;
        p.has_limit = 1;
        cn_client_result *r;
        cn_client_error e;
        if (cn_api_feedback_list(x->c, &p, &r, &e) != CN_CLIENT_OK) {
            rc = cli_fail("feedback.list", &e);
            break;
        }
        const msgpack_object *o = cn_client_result_obj(r);
        const msgpack_object *items = cn_client_map_get(o, "items");
        for (uint32_t i = 0;
             rc == CLI_EXIT_OK && items && items->type == MSGPACK_OBJECT_ARRAY && i < items->via.array.size; i++) {
            proto_feedback_item f;
            proto_error pe;
            char path[32], rating[8], at[32];
            snprintf(path, sizeof(path), "items[%u]", i);
            if (proto_feedback_item_decode(&items->via.array.ptr[i], path, &f, &pe) != PROTO_OK) {
                rc = cli_bad_result("feedback.list", &pe);
                break;
            }
            json_array_append_new(all, cli_mp_to_json(&items->via.array.ptr[i]));
            snprintf(rating, sizeof(rating), "%lld", (long long)f.rating);
            time_t when = (time_t)f.at;
            struct tm tm;
            if (localtime_r(&when, &tm) == NULL || strftime(at, sizeof(at), "%Y-%m-%d %H:%M", &tm) == 0) at[0] = '\0';
            f.comment[strcspn(f.comment, "\r\n")] = '\0';
            const char *cells[FEEDBACK_COLS] = {
                f.match_id, f.by, f.mentee ? "mentee" : "coach", rating, at, f.comment
            };
            cli_table_add(t, cells);
            n++;
        }
        int more = rc == CLI_EXIT_OK && (x->o->limit <= 0 || n < x->o->limit) &&
                   cn_client_obj_str(cn_client_map_get(o, "cursor"), cursor, sizeof(cursor)) == CN_CLIENT_OK;
        cn_client_result_free(r);
        if (!more) break;
        p.cursor = cursor;
    }
    if (rc == CLI_EXIT_OK) {
        if (x->o->json)
            cli_print_json_new(json_pack("{s:O}", "items", all));
        else if (cli_table_rows(t) == 0)
            printf("no feedback\n");
        else
            cli_table_print(t, stdout);
    }
    json_decref(all);
    cli_table_free(t);
    return rc;
}

/* feedback MATCH_ID --rating N [--comment TEXT] gives feedback; without
 * --rating it lists (feedback_list). */
static int cmd_feedback(cli_ctx *x) {
    static const char usage[] = "feedback MATCH_ID --rating 1..5 [--comment TEXT] | feedback MATCH_ID | "
                                "feedback --program P [--limit N]";
    if (!(x->o->given & (O_RATING | O_COMMENT))) {
        if (!cli_args_ok(x, O_PROGRAM | O_LIMIT, "feedback", 1, 2, usage)) return CLI_EXIT_USAGE;
        return feedback_list(x);
    }
    if (!cli_args_ok(x, O_RATING | O_COMMENT, "feedback", 2, 2, usage)) return CLI_EXIT_USAGE;
    if (!(x->o->given & O_RATING)) return cli_usage_error("feedback: --rating 1..5 is required");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_error e;
    if (cn_client_feedback_put(x->c, x->o->args[1], (int)x->o->rating, x->o->comment, &e) != CN_CLIENT_OK)
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
    proto_match m; /* the last match.updated, decoded */
} watch_state;

/* Decode a match.updated's {match} (or a bare match) with libproto: 1 if
 * it is a valid match. */
static int match_of(const msgpack_object *params, proto_match *m) {
    const msgpack_object *o = cn_client_map_get(params, "match");
    proto_error pe;
    return proto_match_decode(o ? o : params, "match", m, &pe) == PROTO_OK;
}

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
    } else if (strcmp(method, "match.updated") == 0 && match_of(params, &w->m)) {
        printf("match.updated %s: %s (mentee %s, coach %s, score %d)\n", w->m.id, proto_match_status_names[w->m.status],
               w->m.mentee_id, w->m.coach_id, (int)w->m.score);
    } else {
        /* another notification, or a match.updated libproto refuses: as it came */
        printf("%s:\n", method);
        cli_print_obj(stdout, params, 2);
    }
    fflush(stdout);
}

static int cmd_watch(cli_ctx *x) {
    if (!cli_args_ok(x, O_LIMIT | O_WAIT, "watch", 1, 1, "watch [--limit N] [--wait SECONDS]")) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    watch_state w = { .json = x->o->json };
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
        if (cn_client_wait(x->c, left > 1.0 ? 1000 : (int)(left * 1000) + 1, &got, &e) != CN_CLIENT_OK)
            return cli_fail("watch", &e);
    }
    return CLI_EXIT_OK;
}

/* meetings MATCH_ID: the match's meetings (meeting.list), oldest first,
 * with their JP and who confirmed them. */
#define MEETING_COLS  7
#define MEETING_ALIGN "llrrlll"
static const char *const meeting_headers[MEETING_COLS] = { "MEETING",   "DATE",      "MINUTES", "JP",
                                                           "LOGGED_BY", "CONFIRMED", "TOPIC" };

static int cmd_meetings(cli_ctx *x) {
    if (!cli_args_ok(x, 0, "meetings", 2, 2, "meetings MATCH_ID")) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_result *r;
    cn_client_error e;
    cn_api_meeting_list_params p = { .match_id = x->o->args[1] };
    if (cn_api_meeting_list(x->c, &p, &r, &e) != CN_CLIENT_OK) return cli_fail("meeting.list", &e);
    const msgpack_object *o = cn_client_result_obj(r);
    const msgpack_object *items = cn_client_map_get(o, "items");
    if (!items || items->type != MSGPACK_OBJECT_ARRAY) {
        proto_error pe;
        proto_error_set(&pe, PROTO_E_INVALID_PARAMS, "items", "is required and must be an array");
        cn_client_result_free(r);
        return cli_bad_result("meeting.list", &pe);
    }
    cli_table *t = cli_table_new(MEETING_COLS, meeting_headers, MEETING_ALIGN);
    for (uint32_t i = 0; i < items->via.array.size; i++) {
        proto_meeting_item mi;
        proto_error pe;
        char path[32], minutes[24], jp[24];
        snprintf(path, sizeof(path), "items[%u]", i);
        if (proto_meeting_item_decode(&items->via.array.ptr[i], path, &mi, &pe) != PROTO_OK) {
            cli_table_free(t);
            cn_client_result_free(r);
            return cli_bad_result("meeting.list", &pe);
        }
        snprintf(minutes, sizeof(minutes), "%lld", (long long)mi.minutes);
        snprintf(jp, sizeof(jp), "%.1f", proto_jp(mi.minutes));
        const char *by = mi.mentee_logged ? "mentee" : "coach", *other = mi.mentee_logged ? "coach" : "mentee";
        const char *cells[MEETING_COLS] = { mi.id, mi.date, minutes, jp, by, mi.confirmed ? other : "", mi.topic };
        cli_table_add(t, cells);
    }
    if (x->o->json)
        cli_print_json(stdout, o);
    else if (cli_table_rows(t) == 0)
        printf("no meetings yet\n");
    else
        cli_table_print(t, stdout);
    cli_table_free(t);
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

/* jp [MENTEE_ID] [--year YYYY]: a mentee's JP of a year (jp.get) against
 * its program's target; a mentee leaves its own id out, a coordinator
 * names one. */
static int cmd_jp(cli_ctx *x) {
    if (!cli_args_ok(x, O_YEAR, "jp", 1, 2, "jp [MENTEE_ID] [--year YYYY]")) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_result *r;
    cn_client_error e;
    cn_api_jp_get_params p = { .mentee_id = x->o->nargs == 2 ? x->o->args[1] : NULL,
                               .year = x->o->year,
                               .has_year = (x->o->given & O_YEAR) != 0 };
    if (cn_api_jp_get(x->c, &p, &r, &e) != CN_CLIENT_OK) return cli_fail("jp.get", &e);
    const msgpack_object *o = cn_client_result_obj(r);
    proto_jp_result j;
    proto_error pe;
    if (proto_jp_result_decode(o, "", &j, &pe) != PROTO_OK) {
        cn_client_result_free(r);
        return cli_bad_result("jp.get", &pe);
    }
    if (x->o->json) {
        cli_print_json(stdout, o);
    } else {
        printf("mentee %s, %lld: %lld minutes = %.1f JP of %g", j.mentee_id, (long long)j.year, (long long)j.minutes,
               j.jp, j.target);
        if (j.target > 0) printf(" (%.0f%%)", 100.0 * j.jp / j.target);
        printf("\n");
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

const cli_command cli_cmds_match[] = {
    { "watch", cmd_watch, CLI_SEC_EVERYONE,
      "watch [--limit N] [--wait SECONDS]   print notifications (match.updated, ...) as they come" },
    { "mine", cmd_mine, CLI_SEC_SIDES, "mine" },
    { "show", cmd_show, CLI_SEC_EVERYONE, "show MATCH_ID        (match.get: the cards and notes you may see)" },
    { "respond", cmd_respond, CLI_SEC_SIDES, "respond MATCH_ID accept|decline [--note TEXT]" },
    { "meeting", cmd_meeting, CLI_SEC_SIDES,
      "meeting log MATCH_ID --date YYYY-MM-DD --minutes N [--topic TEXT]\n"
      "meeting schedule MATCH_ID WHEN --minutes N [--place TEXT]   (WHEN: YYYY-MM-DDTHH:MM local, or @UNIX_SECONDS)\n"
      "meeting move MATCH_ID MEETING_ID WHEN --minutes N [--place TEXT]   (same calendar event, updated)" },
    { "meetings", cmd_meetings, CLI_SEC_SIDES, "meetings MATCH_ID            (coordinators too)" },
    { "jp", cmd_jp, CLI_SEC_MENTEES, "jp [MENTEE_ID] [--year YYYY]  (coordinators: MENTEE_ID required)" },
    { "feedback", cmd_feedback, CLI_SEC_SIDES,
      "feedback MATCH_ID --rating 1..5 [--comment TEXT]\n"
      "            feedback MATCH_ID | feedback --program P [--limit N]   (list; coordinators too)" },
    { "suggest", cmd_suggest, CLI_SEC_MENTEES, "suggest [--limit N]         (coordinators: --mentee ID)" },
    { "request", cmd_request, CLI_SEC_MENTEES, "request COACH_ID" },
    { NULL, NULL, 0, NULL },
};
