/* cmd_run.c — the run records: runs (run.list, run.get); publish (run.publish);
 * unmatched (run.unmatched).
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clients/cli/cli.h"

/* A run.list page holds at most this many (api RUN_LIST_MAX), a
 * run.unmatched page this many (UNMATCHED_LIST_MAX). */
#define RUNS_PAGE      100
#define UNMATCHED_PAGE 500

/* "YYYY-MM-DD HH:MM" (UTC) of a unix time; "" when absent. */
static const char *utc_time(bool has, int64_t t, char *buf, size_t len) {
    struct tm tm;
    time_t tt = (time_t)t;
    if (!has || !gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M", &tm)) buf[0] = '\0';
    return buf;
}

static void runs_table_add(cli_table *t, const proto_run *r) {
    char started[32], finished[32], matched[16] = "", unmatched[16] = "";
    if (r->has_stats) {
        snprintf(matched, sizeof(matched), "%u", r->stats.matched);
        unsigned long u = 0;
        for (int k = 0; k < PROTO_UNMATCHED__COUNT; k++) u += r->stats.unmatched[k];
        snprintf(unmatched, sizeof(unmatched), "%lu", u);
    }
    const char *status = proto_run_state_names[r->status];
    const char *cells[8] = { r->id,
                             status,
                             r->draft ? (r->has_published_at ? "published" : "draft") : "",
                             utc_time(true, r->started_at, started, sizeof(started)),
                             utc_time(r->has_finished_at, r->finished_at, finished, sizeof(finished)),
                             matched,
                             unmatched,
                             r->by };
    cli_table_add(t, cells);
}

static cli_table *runs_table(void) {
    static const char *const h[] = {
        "RUN", "STATUS", "DRAFT", "STARTED (UTC)", "FINISHED", "MATCHED", "UNMATCHED", "BY"
    };
    return cli_table_new(8, h, "lllllrrl");
}

/* runs --run ID: one run (run.get). */
static int show_run(cli_ctx *x) {
    cn_api_run_get_params p = { x->o->run };
    cn_client_result *r;
    cn_client_error e;
    if (cn_api_run_get(x->c, &p, &r, &e) != CN_CLIENT_OK) return cli_fail("run.get", &e);
    const msgpack_object *run = cn_client_map_get(cn_client_result_obj(r), "run");
    proto_run pr;
    proto_error pe;
    if (!run || proto_run_decode(run, "run", &pr, &pe) != PROTO_OK) {
        cn_client_result_free(r);
        if (!run) proto_error_set(&pe, PROTO_E_INVALID_PARAMS, "run", "is required");
        return cli_bad_result("run.get", &pe);
    }
    if (x->o->json) {
        cli_emit(x, run);
    } else {
        cli_table *t = runs_table();
        runs_table_add(t, &pr);
        cli_table_print(t, stdout);
        cli_table_free(t);
        printf("policy:\n");
        cli_print_obj(stdout, &pr.policy, 1);
        const msgpack_object *st = cn_client_map_get(run, "stats");
        if (st) {
            printf("stats:\n");
            cli_print_obj(stdout, st, 1);
        }
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

/* runs PROGRAM: every page of run.list (newest first), or the newest N. */
static int list_runs(cli_ctx *x) {
    char cursor[256] = "";
    long long n = 0, limit = x->o->limit;
    json_t *items = x->o->json ? json_array() : NULL;
    cli_table *t = x->o->json ? NULL : runs_table();
    int rc = CLI_EXIT_OK;
    for (;;) {
        cn_api_run_list_params p = { x->o->args[1], cursor[0] ? cursor : NULL, RUNS_PAGE, 1 };
        if (limit > 0 && limit - n < RUNS_PAGE) p.limit = limit - n;
        cn_client_result *r;
        cn_client_error e;
        if (cn_api_run_list(x->c, &p, &r, &e) != CN_CLIENT_OK) {
            rc = cli_fail("run.list", &e);
            break;
        }
        const msgpack_object *o = cn_client_result_obj(r);
        const msgpack_object *its = cn_client_map_get(o, "items"), *cur = cn_client_map_get(o, "cursor");
        for (uint32_t i = 0; rc == CLI_EXIT_OK && its && its->type == MSGPACK_OBJECT_ARRAY && i < its->via.array.size;
             i++, n++) {
            proto_run pr;
            proto_error pe;
            if (proto_run_decode(&its->via.array.ptr[i], "items", &pr, &pe) != PROTO_OK)
                rc = cli_bad_result("run.list", &pe);
            else if (items)
                json_array_append_new(items, cli_mp_to_json(&its->via.array.ptr[i]));
            else
                runs_table_add(t, &pr);
        }
        int more = cur && cur->type == MSGPACK_OBJECT_STR && cur->via.str.size < sizeof(cursor);
        if (more) {
            memcpy(cursor, cur->via.str.ptr, cur->via.str.size);
            cursor[cur->via.str.size] = '\0';
        }
        cn_client_result_free(r);
        if (rc != CLI_EXIT_OK || !more || (limit > 0 && n >= limit)) break;
    }
    if (rc == CLI_EXIT_OK && items) {
        cli_print_json_new(json_pack("{s:O}", "items", items));
    } else if (rc == CLI_EXIT_OK) {
        if (n == 0)
            printf("no runs\n");
        else
            cli_table_print(t, stdout);
    }
    json_decref(items);
    if (t) cli_table_free(t);
    return rc;
}

static int cmd_runs(cli_ctx *x) {
    if (!cli_args_ok(x, O_RUN | O_LIMIT, "runs", 1, 2, "runs PROGRAM [--limit N] | runs --run ID"))
        return CLI_EXIT_USAGE;
    if ((x->o->nargs == 2) == (x->o->run != NULL)) return cli_usage_error("runs: give PROGRAM or --run ID, not both");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    return x->o->run ? show_run(x) : list_runs(x);
}

/* publish RUN: a draft run's proposals replace the program's unreviewed
 * ones, then its waitlist (run.publish). */
static int cmd_publish(cli_ctx *x) {
    if (!cli_args_ok(x, 0, "publish", 2, 2, "publish RUN")) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_api_run_publish_params p = { x->o->args[1], NULL };
    cn_client_result *r;
    cn_client_error e;
    if (cn_api_run_publish(x->c, &p, &r, &e) != CN_CLIENT_OK) return cli_fail("run.publish", &e);
    const msgpack_object *o = cn_client_result_obj(r);
    const msgpack_object *n = cn_client_map_get(o, "published");
    if (!n || n->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
        proto_error pe;
        proto_error_set(&pe, PROTO_E_INVALID_PARAMS, "published", "must be an integer 0..");
        cn_client_result_free(r);
        return cli_bad_result("run.publish", &pe);
    }
    if (x->o->json)
        cli_emit(x, o);
    else
        printf("published run %s: %llu proposals (review them with coachnet list --run %s)\n", x->o->args[1],
               (unsigned long long)n->via.u64, x->o->args[1]);
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

/* unmatched RUN: every page of run.unmatched (or the first N), by reason
 * then mentee id. */
static int cmd_unmatched(cli_ctx *x) {
    if (!cli_args_ok(x, O_REASON | O_LIMIT, "unmatched", 2, 2, "unmatched RUN [--reason R] [--limit N]"))
        return CLI_EXIT_USAGE;
    int reason = -1;
    if (x->o->reason) {
        for (int k = 0; proto_unmatched_names[k]; k++)
            if (!strcmp(x->o->reason, proto_unmatched_names[k])) reason = k;
        if (reason < 0)
            return cli_usage_error("unmatched: --reason is one of no_feasible_coach, capacity, below_min_score");
    }
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    char cursor[256] = "";
    long long n = 0, limit = x->o->limit;
    json_t *items = x->o->json ? json_array() : NULL;
    static const char *const h[] = { "MENTEE", "NAME", "REASON" };
    cli_table *t = x->o->json ? NULL : cli_table_new(3, h, "lll");
    for (;;) {
        cn_api_run_unmatched_params p = { .run_id = x->o->args[1],
                                          .reason = x->o->reason,
                                          .cursor = cursor[0] ? cursor : NULL,
                                          .limit = UNMATCHED_PAGE,
                                          .has_limit = 1 };
        if (limit > 0 && limit - n < UNMATCHED_PAGE) p.limit = limit - n;
        cn_client_result *r;
        cn_client_error e;
        if (cn_api_run_unmatched(x->c, &p, &r, &e) != CN_CLIENT_OK) {
            rc = cli_fail("run.unmatched", &e);
            break;
        }
        const msgpack_object *o = cn_client_result_obj(r);
        const msgpack_object *its = cn_client_map_get(o, "items"), *cur = cn_client_map_get(o, "cursor");
        for (uint32_t i = 0; rc == CLI_EXIT_OK && its && its->type == MSGPACK_OBJECT_ARRAY && i < its->via.array.size;
             i++, n++) {
            proto_unmatched_item it;
            proto_error pe;
            if (proto_unmatched_item_decode(&its->via.array.ptr[i], "items", &it, &pe) != PROTO_OK) {
                rc = cli_bad_result("run.unmatched", &pe);
            } else if (items) {
                json_array_append_new(items, cli_mp_to_json(&its->via.array.ptr[i]));
            } else {
                const char *cells[3] = { it.mentee_id, it.name, proto_unmatched_names[it.reason] };
                cli_table_add(t, cells);
            }
        }
        int more = cur && cur->type == MSGPACK_OBJECT_STR && cur->via.str.size < sizeof(cursor);
        if (more) {
            memcpy(cursor, cur->via.str.ptr, cur->via.str.size);
            cursor[cur->via.str.size] = '\0';
        }
        cn_client_result_free(r);
        if (rc != CLI_EXIT_OK || !more || (limit > 0 && n >= limit)) break;
    }
    if (rc == CLI_EXIT_OK && items) {
        cli_print_json_new(json_pack("{s:O}", "items", items));
    } else if (rc == CLI_EXIT_OK) {
        if (n == 0) {
            printf("no unmatched mentees\n");
        } else {
            cli_table_print(t, stdout);
            printf("%lld unmatched\n", n);
        }
    }
    json_decref(items);
    if (t) cli_table_free(t);
    return rc;
}

const cli_command cli_cmds_run[] = {
    { "runs", cmd_runs, CLI_SEC_COORDINATORS,
      "runs PROGRAM [--limit N]   the program's runs, newest first\n"
      "runs --run ID              one run: status, policy, stats" },
    { "publish", cmd_publish, CLI_SEC_COORDINATORS,
      "publish RUN                a draft run: its proposals replace the unreviewed ones" },
    { "unmatched", cmd_unmatched, CLI_SEC_COORDINATORS,
      "unmatched RUN [--reason no_feasible_coach|capacity|below_min_score] [--limit N]\n"
      "                           the mentees a run left unmatched, with their reasons" },
    { NULL, NULL, 0, NULL },
};
