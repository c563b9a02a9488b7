/*
 * cmd_mail.c -- `mail dead|retry` (DESIGN §10: the dead letters of
 * coachnet-mailer) for admins, and `meeting schedule|move` for the sides of
 * a match (meeting.schedule: both get an iCalendar invitation by mail).
 *
 * `mail dead` lists the messages the mailer gave up on (mail.dead, every
 * page up to --limit); `mail retry ID...` puts them back on the outbox
 * (mail.retry, in batches of API_MAIL_RETRY_MAX); `mail retry all` retries
 * every dead letter listed at that moment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clients/cli/cli.h"

#define DEAD_PAGE  500 /* page size asked of mail.dead (MAIL_DEAD_LIST_MAX) */
#define RETRY_MAX  500 /* ids per mail.retry call (MAIL_RETRY_MAX) */
#define DEAD_COLS  7
#define DEAD_ALIGN "lllllrl"
static const char *const dead_headers[DEAD_COLS] = { "ID", "KIND", "TO", "MATCH", "TRIES", "AT", "REASON" };
static const char *const dead_keys[DEAD_COLS] = { "id", "kind", "to", "match", "tries", "at", "reason" };

/* Every dead letter (up to limit, 0 = all) into ids (when not NULL, a
 * growing array the caller frees) and, when t or all are given, into the
 * table or the JSON array.  CLI_EXIT_OK or the failure's exit code. */
static int dead_walk(cli_ctx *x, long long limit, char ***ids, size_t *nids, cli_table *t, json_t *all) {
    char cursor[256];
    cn_api_mail_dead_params p = { .limit = DEAD_PAGE, .has_limit = 1 };
    long long n = 0;
    for (;;) {
        cn_client_result *r;
        cn_client_error e;
        if (cn_api_mail_dead(x->c, &p, &r, &e) != CN_CLIENT_OK) return cli_fail("mail.dead", &e);
        const msgpack_object *o = cn_client_result_obj(r);
        const msgpack_object *items = cn_client_map_get(o, "items");
        for (uint32_t i = 0; items && items->type == MSGPACK_OBJECT_ARRAY && i < items->via.array.size; i++) {
            if (limit > 0 && n >= limit) break;
            const msgpack_object *it = &items->via.array.ptr[i];
            n++;
            char c[DEAD_COLS][256];
            const char *cells[DEAD_COLS];
            for (size_t k = 0; k < DEAD_COLS; k++)
                cells[k] = cli_scalar(cn_client_map_get(it, dead_keys[k]), c[k], sizeof(c[k]));
            if (all) json_array_append_new(all, cli_mp_to_json(it));
            if (t) cli_table_add(t, cells);
            if (ids) {
                char **grown = realloc(*ids, (*nids + 1) * sizeof **ids);
                if (!grown || !(grown[*nids] = strdup(cells[0]))) {
                    if (grown) *ids = grown;
                    cn_client_result_free(r);
                    fprintf(stderr, "coachnet: out of memory\n");
                    return CLI_EXIT_INPUT;
                }
                *ids = grown;
                (*nids)++;
            }
        }
        int more = cn_client_obj_str(cn_client_map_get(o, "cursor"), cursor, sizeof(cursor)) == CN_CLIENT_OK;
        cn_client_result_free(r);
        if (!more || (limit > 0 && n >= limit)) break;
        p.cursor = cursor;
    }
    return CLI_EXIT_OK;
}

static int mail_dead(cli_ctx *x) {
    if (x->o->nargs != 2) return cli_usage_error("usage: coachnet mail dead [--limit N]");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cli_table *t = x->o->json ? NULL : cli_table_new(DEAD_COLS, dead_headers, DEAD_ALIGN);
    json_t *all = x->o->json ? json_array() : NULL;
    size_t n = 0;
    char **ids = NULL;
    rc = dead_walk(x, x->o->limit, &ids, &n, t, all);
    if (rc == CLI_EXIT_OK) {
        if (all) {
            cli_print_json_new(json_pack("{s:o}", "items", all));
            all = NULL;
        } else {
            cli_table_print(t, stdout);
            printf("%zu dead letter%s\n", n, n == 1 ? "" : "s");
        }
    }
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
    json_decref(all);
    if (t) cli_table_free(t);
    return rc;
}

static int mail_retry(cli_ctx *x) {
    if (x->o->nargs < 3) return cli_usage_error("usage: coachnet mail retry ID... | mail retry all");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    char **owned = NULL;
    size_t n = 0;
    const char *const *ids = (const char *const *)(x->o->args + 2);
    if (x->o->nargs == 3 && strcmp(x->o->args[2], "all") == 0) {
        rc = dead_walk(x, 0, &owned, &n, NULL, NULL);
        ids = (const char *const *)owned;
    } else
        n = (size_t)x->o->nargs - 2;
    long long retried = 0;
    for (size_t i = 0; rc == CLI_EXIT_OK && i < n; i += RETRY_MAX) {
        cn_api_mail_retry_params p = { .ids = ids + i, .n_ids = n - i < RETRY_MAX ? n - i : RETRY_MAX };
        cn_client_result *r;
        cn_client_error e;
        if (cn_api_mail_retry(x->c, &p, &r, &e) != CN_CLIENT_OK) {
            rc = cli_fail("mail.retry", &e);
            break;
        }
        const msgpack_object *v = cn_client_map_get(cn_client_result_obj(r), "retried");
        if (v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) retried += (long long)v->via.u64;
        cn_client_result_free(r);
    }
    if (rc == CLI_EXIT_OK) {
        if (x->o->json)
            cli_print_json_new(json_pack("{s:I}", "retried", (json_int_t)retried));
        else
            printf("%lld dead letter%s back on the outbox\n", retried, retried == 1 ? "" : "s");
    }
    for (size_t i = 0; owned && i < n; i++) free(owned[i]);
    free(owned);
    return rc;
}

static int cmd_mail(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (x->o->nargs < 2) return cli_usage_error("usage: coachnet mail dead|retry ...");
    const char *sub = x->o->args[1];
    unsigned allowed = strcmp(sub, "dead") == 0 ? O_LIMIT : 0;
    if (cli_check_allowed(x->o, allowed, "mail", err, sizeof(err))) return cli_usage_error("%s", err);
    if (strcmp(sub, "dead") == 0) return mail_dead(x);
    if (strcmp(sub, "retry") == 0) return mail_retry(x);
    return cli_usage_error("unknown mail command '%s' (dead, retry)", sub);
}

/* "YYYY-MM-DDTHH:MM" in the CLI's local time zone (TZ), or "@<unix
 * seconds>"; -1 when it is neither. */
static int parse_when(const char *s, long long *out) {
    if (s[0] == '@') return cli_parse_int(s + 1, 0, 4102444800LL, out);
    struct tm tm;
    int used = 0;
    memset(&tm, 0, sizeof tm);
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &used) != 5 ||
        s[used] != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1) return -1;
    *out = (long long)t;
    return 0;
}

/* meeting schedule MATCH_ID WHEN --minutes N [--place TEXT]
 * meeting move MATCH_ID MEETING_ID WHEN --minutes N [--place TEXT] */
int cli_meeting_plan(cli_ctx *x) {
    int move = strcmp(x->o->args[1], "move") == 0;
    if (x->o->nargs != (move ? 5 : 4) || !(x->o->given & O_MINUTES))
        return cli_usage_error(move ? "usage: coachnet meeting move MATCH_ID MEETING_ID WHEN --minutes N [--place TEXT]"
                                    : "usage: coachnet meeting schedule MATCH_ID WHEN --minutes N [--place TEXT]");
    long long start;
    const char *when = x->o->args[move ? 4 : 3];
    if (parse_when(when, &start))
        return cli_usage_error("'%s' is not a time YYYY-MM-DDTHH:MM (local) or @UNIX_SECONDS", when);
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_api_meeting_schedule_params p = { .match_id = x->o->args[2],
                                         .start = start,
                                         .minutes = x->o->minutes,
                                         .place = x->o->place,
                                         .meeting_id = move ? x->o->args[3] : NULL };
    cn_client_result *r;
    cn_client_error e;
    if (cn_api_meeting_schedule(x->c, &p, &r, &e) != CN_CLIENT_OK) return cli_fail("meeting.schedule", &e);
    char id[PROTO_OBJID_MAX + 1] = "";
    cn_client_obj_str(cn_client_map_get(cn_client_result_obj(r), "meeting_id"), id, sizeof id);
    cn_client_result_free(r);
    if (x->o->json)
        cli_print_json_new(json_pack("{s:s, s:I}", "meeting_id", id, "start", (json_int_t)start));
    else
        printf("%s meeting %s of %s: both sides get a calendar invitation by mail\n", move ? "moved" : "planned", id,
               x->o->args[2]);
    return CLI_EXIT_OK;
}

const cli_command cli_cmds_mail[] = {
    { "mail", cmd_mail, CLI_SEC_ADMINS,
      "mail dead [--limit N]          messages coachnet-mailer gave up on\n"
      "mail retry ID... | mail retry all   put them back on the outbox (same Message-ID)" },
    { NULL, NULL, 0, NULL },
};
