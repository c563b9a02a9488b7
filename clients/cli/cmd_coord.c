/*
 * cmd_coord.c -- what coordinators do: import, run, list, explain,
 * approve/reject, pin/forbid, stats, export.
 */
#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "clients/cli/cli.h"

static const char *sc(const msgpack_object *o, char *buf, size_t len) { return cli_scalar(o, buf, len); }

static void print_json_value(json_t *j) {
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    fputc('\n', stdout);
}

/* ---------------------------------------------------------------------- */
/* import                                                                  */
/* ---------------------------------------------------------------------- */

/* The rows in flight: msgid -> line, at most CLI_IMPORT_WINDOW. */
typedef struct inflight {
    uint32_t msgid;
    long line;
} inflight;

/* One import: rows stream from the file (cli_rows_each) straight into
 * pipelined puts, so memory stays constant whatever the file size. */
typedef struct import_state {
    cli_ctx *x;
    const char *file, *method;
    FILE *f;
    long long size; /* bytes of the file, for the progress bar */
    size_t rows, stored, rejected, done;
    int tty, quiet, next_tick; /* next_tick: next tenth to log when not a tty */
    size_t window;             /* puts in flight, at most (--window) */
    json_t *rejects;           /* --json: [{line, code, message, field}] */
    inflight fl[CLI_IMPORT_WINDOW];
    size_t nfl;
    msgpack_sbuffer sb;
    cn_client_error fatal; /* set when the connection failed */
} import_state;

static void import_reject(import_state *s, long line, const char *code, const char *msg, const char *field) {
    s->rejected++;
    if (s->rejects) {
        json_array_append_new(s->rejects, json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)line, "code", code,
                                                    "message", msg, "field", field));
    }
    if (s->tty && !s->quiet) fputs("\r\033[K", stderr);
    fprintf(stderr, "%s:%ld: %s%s%s%s%s%s\n", s->file, line, code, code[0] ? ": " : "", msg, field[0] ? " (field " : "",
            field, field[0] ? ")" : "");
}

/* Progress by bytes read: a bar on a terminal, else a line per tenth. */
static void import_progress(import_state *s, int final) {
    if (s->quiet) return;
    long long pos = final ? s->size : ftell(s->f);
    if (pos < 0) pos = 0;
    double frac = s->size > 0 ? (double)pos / (double)s->size : 1.0;
    if (s->tty) {
        char bar[160];
        cli_progress_bar(bar, sizeof(bar), "", (long long)(frac * 1000), 1000, 30);
        bar[strcspn(bar, "%") + 1] = '\0'; /* the bar and the percentage only */
        fprintf(stderr, "\r%s  %zu rows, %zu rejected%s", bar, s->done, s->rejected, final ? "\n" : "");
    } else if (final || (frac < 1.0 && (int)(frac * 10) >= s->next_tick)) {
        fprintf(stderr, "progress: %zu rows, %zu rejected (%.0f%% of the file)\n", s->done, s->rejected, frac * 100.0);
        s->next_tick = (int)(frac * 10) + 1;
    }
}

/* Pack {profile: <row>} into sb (reset first). */
static int pack_put(msgpack_sbuffer *sb, const json_t *profile, char *err, size_t errlen) {
    msgpack_packer pk;
    sb->size = 0;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str(&pk, 7);
    msgpack_pack_str_body(&pk, "profile", 7);
    return cli_json_pack(&pk, profile, err, errlen);
}

/* Receive one response and account for it.  -1 when the connection failed. */
static int import_collect(import_state *s) {
    uint32_t id = 0;
    cn_client_error e;
    int r = cn_client_recv(s->x->c, &id, NULL, &e);
    if (r != CN_CLIENT_OK && e.kind != CN_CLIENT_E_SERVER) {
        s->fatal = e;
        return -1;
    }
    size_t k = 0;
    while (k < s->nfl && s->fl[k].msgid != id) k++;
    if (k == s->nfl) {
        snprintf(s->fatal.message, sizeof(s->fatal.message), "response to unknown request %u", (unsigned)id);
        s->fatal.kind = CN_CLIENT_E_PROTOCOL;
        return -1;
    }
    if (r == CN_CLIENT_OK)
        s->stored++;
    else
        import_reject(s, s->fl[k].line, e.code, e.message, e.field);
    s->fl[k] = s->fl[--s->nfl];
    s->done++;
    import_progress(s, 0);
    return 0;
}

/* cli_row_fn: report a row the CLI could not read, send a good one
 * (waiting for an answer first when the window is full).  -1 stops the
 * file when the connection failed. */
static int import_row(void *ud, cli_row *row) {
    import_state *s = ud;
    char err[CLI_ERRLEN];
    s->rows++;
    if (row->profile == NULL || pack_put(&s->sb, row->profile, err, sizeof(err)) != 0) {
        import_reject(s, row->line, "", row->profile ? err : row->error, "");
        json_decref(row->profile);
        s->done++;
        import_progress(s, 0);
        return 0;
    }
    json_decref(row->profile);
    while (s->nfl == s->window)
        if (import_collect(s) != 0) return -1;
    uint32_t id;
    cn_client_error e;
    if (cn_client_send_raw(s->x->c, s->method, s->sb.data, s->sb.size, &id, &e) != CN_CLIENT_OK) {
        /* Refused before sending (the row's request is above the server's
         * frame limit): this row is rejected, the connection is as it was
         * and the rows after it go on.  Anything else stops the file. */
        if (e.kind == CN_CLIENT_E_USAGE && cn_client_is_connected(s->x->c)) {
            import_reject(s, row->line, "too_large", e.message, "");
            s->done++;
            import_progress(s, 0);
            return 0;
        }
        s->fatal = e;
        return -1;
    }
    s->fl[s->nfl].msgid = id;
    s->fl[s->nfl].line = row->line;
    s->nfl++;
    return 0;
}

/* Print the summary (human or --json) and pick the exit code. */
static int import_finish(import_state *s, int file_rc, const char *file_err) {
    int rc = CLI_EXIT_OK, broken = s->fatal.message[0] != '\0';
    import_progress(s, 1);
    if (file_rc < 0) {
        fprintf(stderr, "coachnet: %s: %s%s\n", s->file, file_err,
                s->rows ? " (the rows before it were imported)" : "");
        rc = CLI_EXIT_INPUT;
    }
    if (broken) {
        rc = cli_fail(s->method, &s->fatal);
        fprintf(stderr, "coachnet: import stopped after %zu rows (%zu stored)\n", s->done, s->stored);
    } else if (rc == CLI_EXIT_OK && s->rejected > 0) {
        rc = CLI_EXIT_INPUT;
    }
    if (s->x->o->json) {
        json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:o, s:b}", "file", s->file, "rows", (json_int_t)s->rows, "stored",
                              (json_int_t)s->stored, "rejected", (json_int_t)s->rejected, "errors", s->rejects,
                              "complete", !broken && file_rc == 0);
        s->rejects = NULL;
        print_json_value(j);
        json_decref(j);
    } else {
        printf("%s: %zu rows, %zu stored, %zu rejected\n", s->file, s->rows, s->stored, s->rejected);
    }
    return rc;
}

static int cmd_import(cli_ctx *x) {
    if (!cli_args_ok(x, O_NO_PROGRESS | O_WINDOW, "import", 3, 3, "import mentees|coaches FILE.csv|FILE.jsonl"))
        return CLI_EXIT_USAGE;
    cn_client_kind kind;
    if (strcmp(x->o->args[1], "mentees") == 0)
        kind = CN_CLIENT_MENTEE;
    else if (strcmp(x->o->args[1], "coaches") == 0)
        kind = CN_CLIENT_COACH;
    else
        return cli_usage_error("import: '%s' is neither mentees nor coaches", x->o->args[1]);
    const char *file = x->o->args[2];
    int fmt = cli_format_of(file);
    if (fmt < 0) return cli_usage_error("import: %s: name the format by extension: .csv or .jsonl", file);
    FILE *f = fopen(file, "r");
    if (f == NULL) {
        fprintf(stderr, "coachnet: cannot open %s: %s\n", file, strerror(errno));
        return CLI_EXIT_INPUT;
    }
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) {
        fclose(f);
        return rc;
    }
    static import_state s; /* large (the window); one import per process */
    memset(&s, 0, sizeof(s));
    s.x = x;
    s.file = file;
    s.method = kind == CN_CLIENT_COACH ? "coach.put" : "mentee.put";
    s.f = f;
    struct stat sb;
    s.size = fstat(fileno(f), &sb) == 0 ? (long long)sb.st_size : 0;
    s.tty = isatty(STDERR_FILENO);
    s.quiet = x->o->no_progress;
    s.window = x->o->given & O_WINDOW ? (size_t)x->o->window : CLI_IMPORT_WINDOW;
    s.next_tick = 1;
    s.rejects = x->o->json ? json_array() : NULL;
    msgpack_sbuffer_init(&s.sb);
    char err[CLI_ERRLEN];
    int file_rc = cli_rows_each(f, (cli_format)fmt, kind, import_row, &s, err, sizeof(err));
    /* Collect what is still in flight, also after a file error: those rows
     * were sent and deserve their answer. */
    while (s.nfl > 0 && s.fatal.message[0] == '\0' && import_collect(&s) == 0) {}
    rc = import_finish(&s, file_rc, err);
    msgpack_sbuffer_destroy(&s.sb);
    json_decref(s.rejects);
    fclose(f);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* run                                                                     */
/* ---------------------------------------------------------------------- */

typedef struct run_watch {
    char run_id[96]; /* "" until match.run answered */
    int done;
    json_t *done_params;     /* run.done params */
    proto_run_done done_dec; /* ... decoded with libproto, when done_ok */
    int done_ok;
    proto_error done_err; /* ... or why they do not decode */
    char done_run[96];
    int tty, quiet;
    char last_phase[64];
    int phase_done_shown; /* the 100% line of last_phase was printed */
} run_watch;

static void on_notify(void *priv, const char *method, const msgpack_object *params) {
    run_watch *w = priv;
    char rid[96] = "";
    cn_client_obj_str(cn_client_map_get(params, "run_id"), rid, sizeof(rid));
    if (w->run_id[0] && strcmp(rid, w->run_id) != 0) return; /* another run */
    if (strcmp(method, "run.progress") == 0 && !w->quiet) {
        proto_run_progress p;
        proto_error pe;
        if (proto_run_progress_decode(params, "params", &p, &pe) != PROTO_OK) return; /* not shown */
        const char *phase = proto_run_phase_names[p.phase];
        long long done = p.done, total = p.total;
        char bar[200];
        cli_progress_bar(bar, sizeof(bar), phase, done, total, 30);
        int new_phase = strcmp(phase, w->last_phase) != 0;
        if (new_phase) w->phase_done_shown = 0;
        if (w->tty) {
            fprintf(stderr, "\r\033[K%s", bar);
        } else if (done >= total && !w->phase_done_shown) {
            fprintf(stderr, "%s\n", bar); /* not a terminal: one line per finished phase */
            w->phase_done_shown = 1;
        }
        snprintf(w->last_phase, sizeof(w->last_phase), "%s", phase);
    } else if (strcmp(method, "run.done") == 0 && !w->done) {
        w->done = 1;
        snprintf(w->done_run, sizeof(w->done_run), "%s", rid);
        w->done_params = cli_mp_to_json(params);
        w->done_ok = proto_run_done_decode(params, "params", &w->done_dec, &w->done_err) == PROTO_OK;
        if (w->tty && !w->quiet) fputs("\r\033[K", stderr);
    }
}

/* Build the policy: --policy FILE.json, then the flags on top. */
static json_t *run_policy(const cli_ctx *x, int *rc) {
    char err[CLI_ERRLEN];
    json_t *p = NULL;
    *rc = CLI_EXIT_OK;
    if (x->o->policy) {
        p = cli_json_file(x->o->policy, err, sizeof(err));
        if (p == NULL) {
            fprintf(stderr, "coachnet: %s\n", err);
            *rc = CLI_EXIT_INPUT;
            return NULL;
        }
    }
    if (x->o->objective || x->o->mode || x->o->min_score >= 0) {
        if (p == NULL) p = json_object();
        if (x->o->objective) json_object_set_new(p, "objective", json_string(x->o->objective));
        if (x->o->mode) json_object_set_new(p, "mode", json_string(x->o->mode));
        if (x->o->min_score >= 0) json_object_set_new(p, "min_score", json_integer(x->o->min_score));
    }
    return p;
}

static void print_run_summary(const char *run_id, const proto_run_done *d) {
    const proto_run_stats *st = &d->stats;
    printf("run %s: %s\n", run_id, proto_run_status_names[d->status]);
    printf("  mentees %lld, coaches %lld, matched %lld (%.1f%%)\n", (long long)st->mentees, (long long)st->coaches,
           (long long)st->matched, st->mentees ? 100.0 * (double)st->matched / (double)st->mentees : 0.0);
    printf("  unmatched:");
    for (int i = 0; i < PROTO_UNMATCHED__COUNT; i++)
        printf("%s %s %lld", i ? "," : "", proto_unmatched_names[i], (long long)st->unmatched[i]);
    printf("\n");
    printf("  total score %lld, mean score %.1f, mean gap coverage %.1f%%\n", (long long)st->total_score,
           st->mean_score, 100.0 * st->mean_gap_coverage);
    printf("  certified optimal: %s, elapsed %lld ms, ", st->certified ? "yes" : "no", (long long)st->elapsed_ms);
    /* how the engine got there (matching.md: warm starts, coach classes) */
    if (st->coach_classes)
        printf("solved as %lld classes of identical coaches\n", (long long)st->coach_classes);
    else if (st->warm)
        printf("warm start (%lld mentees' candidates reused)\n", (long long)st->warm_mentees);
    else
        printf("cold start\n");
}

/* Milliseconds on the monotonic clock. */
static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The run's policy as a msgpack object in *pu (backed by *psb), or *out NULL
 * when none was asked for.  Exit code. */
static int encode_policy(const cli_ctx *x, msgpack_sbuffer *psb, msgpack_unpacked *pu, const msgpack_object **out) {
    int rc;
    char err[CLI_ERRLEN] = "cannot encode the policy";
    *out = NULL;
    json_t *policy = run_policy(x, &rc);
    if (rc != CLI_EXIT_OK || policy == NULL) return rc;
    msgpack_sbuffer_destroy(psb);
    if (cli_json_to_sbuf(policy, psb, err, sizeof(err)) != 0 ||
        msgpack_unpack_next(pu, psb->data, psb->size, NULL) != MSGPACK_UNPACK_SUCCESS) {
        fprintf(stderr, "coachnet: policy: %s\n", err);
        rc = CLI_EXIT_INPUT;
    } else {
        *out = &pu->data;
    }
    json_decref(policy);
    return rc;
}

/* Deliver notifications until run.done of w->run_id, or --run-timeout. */
static int wait_run_done(cli_ctx *x, run_watch *w) {
    int64_t deadline = mono_ms() + (int64_t)x->o->run_timeout_s * 1000;
    while (!(w->done && strcmp(w->done_run, w->run_id) == 0)) {
        if (w->done) { /* the run.done of another run, seen before ours was known */
            json_decref(w->done_params);
            w->done_params = NULL;
            w->done = 0;
        }
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            fprintf(stderr, "coachnet: run %s: no run.done within %d s\n", w->run_id, x->o->run_timeout_s);
            return CLI_EXIT_CONNECT;
        }
        int got;
        cn_client_error e;
        if (cn_client_wait(x->c, left > 1000 ? 1000 : (int)left, &got, &e) != CN_CLIENT_OK)
            return cli_fail("waiting for run.done", &e);
    }
    return CLI_EXIT_OK;
}

/* The share of the program's coach capacity this run's proposals would use
 * (matched / capacity from stats.get), as a summary line; nothing when the
 * stats cannot be had. */
static void print_run_utilisation(const cli_ctx *x, const proto_run_done *done) {
    cn_client_result *r;
    if (cn_client_stats_get(x->c, x->o->args[1], &r, NULL) != CN_CLIENT_OK) return;
    proto_program_stats ps;
    proto_error pe;
    if (proto_program_stats_decode(cn_client_result_obj(r), "", &ps, &pe) == PROTO_OK && ps.capacity > 0)
        printf("  coach capacity %lld, used by these proposals %.1f%%\n", (long long)ps.capacity,
               100.0 * (double)done->stats.matched / (double)ps.capacity);
    cn_client_result_free(r);
}

/* Print run.done (summary or JSON); a run that did not end "done" is exit 4. */
static int report_run(const cli_ctx *x, const run_watch *w) {
    if (!w->done_ok) return cli_bad_result("run.done", &w->done_err);
    const char *status = proto_run_status_names[w->done_dec.status];
    if (x->o->json) {
        print_json_value(w->done_params);
    } else {
        print_run_summary(w->run_id, &w->done_dec);
        if (w->done_dec.status == PROTO_RUN_DONE && x->o->draft)
            printf("  a draft: nothing changed yet; see coachnet list --run %s, then coachnet publish %s\n", w->run_id,
                   w->run_id);
        else if (w->done_dec.status == PROTO_RUN_DONE)
            print_run_utilisation(x, &w->done_dec);
    }
    if (w->done_dec.status != PROTO_RUN_DONE) {
        fprintf(stderr, "coachnet: run %s ended with status %s\n", w->run_id, status);
        return CLI_EXIT_SERVER;
    }
    return CLI_EXIT_OK;
}

/* match.run of args[1] with the policy (NULL: the server's default), a
 * draft with --draft; its run id in rid.  CN_CLIENT_OK or an error. */
static int start_run(cli_ctx *x, const msgpack_object *policy, char *rid, size_t len, cn_client_error *e) {
    if (!x->o->draft) return cn_client_match_run(x->c, x->o->args[1], policy, rid, len, e);
    cn_api_match_run_params p = { .program = x->o->args[1], .policy = policy, .draft = 1, .has_draft = 1 };
    cn_client_result *r;
    if (cn_api_match_run(x->c, &p, &r, e) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    int rc = cn_client_obj_str(cn_client_map_get(cn_client_result_obj(r), "run_id"), rid, len);
    cn_client_result_free(r);
    if (rc != CN_CLIENT_OK) {
        memset(e, 0, sizeof(*e));
        e->kind = CN_CLIENT_E_PROTOCOL;
        snprintf(e->message, sizeof(e->message), "no run_id in the result");
    }
    return rc;
}

static int cmd_run(cli_ctx *x) {
    if (!cli_args_ok(x, O_OBJECTIVE | O_MODE | O_MIN_SCORE | O_POLICY | O_NO_PROGRESS | O_TIMEOUT_RUN | O_DRAFT, "run",
                     2, 2, "run PROGRAM [--objective O] [--mode M] [--min-score N] [--draft]"))
        return CLI_EXIT_USAGE;
    msgpack_sbuffer psb;
    msgpack_unpacked pu;
    msgpack_sbuffer_init(&psb);
    msgpack_unpacked_init(&pu);
    const msgpack_object *policy;
    run_watch w;
    memset(&w, 0, sizeof(w));
    w.tty = isatty(STDERR_FILENO);
    w.quiet = x->o->no_progress;
    int rc = encode_policy(x, &psb, &pu, &policy);
    if (rc == CLI_EXIT_OK) rc = cli_connect_session(x);
    if (rc == CLI_EXIT_OK) {
        /* Notifications may come before match.run's answer: the watcher
         * takes any run's until it knows the id. */
        cn_client_set_notify(x->c, on_notify, &w);
        cn_client_error e;
        char rid[96];
        if (start_run(x, policy, rid, sizeof(rid), &e) != CN_CLIENT_OK) {
            rc = cli_fail("match.run", &e);
        } else {
            snprintf(w.run_id, sizeof(w.run_id), "%s", rid);
            if (!x->o->json && !w.quiet) fprintf(stderr, "run %s started\n", rid);
            rc = wait_run_done(x, &w);
        }
    }
    if (rc == CLI_EXIT_OK) rc = report_run(x, &w);
    json_decref(w.done_params);
    msgpack_unpacked_destroy(&pu);
    msgpack_sbuffer_destroy(&psb);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* list / export: every page of match.list                                 */
/* ---------------------------------------------------------------------- */

/* A match as the server sent it (for JSON) and decoded with libproto. */
typedef struct match_item {
    const msgpack_object *obj;
    proto_match m;
} match_item;

typedef struct match_set {
    cn_client_result **pages;
    size_t npages;
    match_item *items;
    size_t n, cap;
} match_set;

static void match_set_free(match_set *m) {
    for (size_t i = 0; i < m->npages; i++) cn_client_result_free(m->pages[i]);
    free(m->pages);
    free(m->items);
    memset(m, 0, sizeof(*m));
}

/* Fetch pages until the cursor is nil or `limit` items (0: all). */
static int fetch_matches(cli_ctx *x, cn_client_match_filter f, long long limit, match_set *m) {
    char cursor[256];
    memset(m, 0, sizeof(*m));
    for (;;) {
        f.limit = CLI_LIST_PAGE;
        if (limit > 0 && limit - (long long)m->n < CLI_LIST_PAGE) f.limit = limit - (long long)m->n;
        cn_client_result *r;
        cn_client_error e;
        if (cn_client_match_list(x->c, &f, &r, &e) != CN_CLIENT_OK) return cli_fail("match.list", &e);
        cn_client_result **np = realloc(m->pages, (m->npages + 1) * sizeof(*np));
        if (np == NULL) {
            cn_client_result_free(r);
            fprintf(stderr, "coachnet: out of memory\n");
            return CLI_EXIT_SERVER;
        }
        m->pages = np;
        m->pages[m->npages++] = r;
        const msgpack_object *o = cn_client_result_obj(r);
        const msgpack_object *items = cn_client_map_get(o, "items");
        if (items && items->type == MSGPACK_OBJECT_ARRAY) {
            for (uint32_t i = 0; i < items->via.array.size; i++) {
                if (m->n == m->cap) {
                    size_t cap = m->cap ? m->cap * 2 : 256;
                    match_item *ni = realloc(m->items, cap * sizeof(*ni));
                    if (ni == NULL) {
                        fprintf(stderr, "coachnet: out of memory\n");
                        return CLI_EXIT_SERVER;
                    }
                    m->items = ni;
                    m->cap = cap;
                }
                match_item *it = &m->items[m->n];
                proto_error pe;
                char path[32];
                snprintf(path, sizeof(path), "items[%u]", i);
                it->obj = &items->via.array.ptr[i];
                if (proto_match_decode(it->obj, path, &it->m, &pe) != PROTO_OK)
                    return cli_bad_result("match.list", &pe);
                m->n++;
            }
        }
        if ((limit > 0 && (long long)m->n >= limit) ||
            cn_client_obj_str(cn_client_map_get(o, "cursor"), cursor, sizeof(cursor)) != CN_CLIENT_OK)
            return CLI_EXIT_OK;
        f.cursor = cursor;
    }
}

/* The parts of the score of a match ("" each when it has no explanation). */
static void explain_parts(const proto_match *m, char part[3][16]) {
    part[0][0] = part[1][0] = part[2][0] = '\0';
    if (!m->has_explain) return;
    cli_percent_of(m->explain.gap_coverage, part[0], sizeof(part[0]));
    cli_percent_of(m->explain.location, part[1], sizeof(part[1]));
    cli_percent_of(m->explain.availability, part[2], sizeof(part[2]));
}

/* One match's explanation in two lines: the parts of the score, then each
 * competency with a gap ("M.02 1/1" = gap 1, 1 level covered by the coach). */
static void print_explain_brief(FILE *f, const proto_match *m) {
    char part[3][16];
    explain_parts(m, part);
    fprintf(f, "%s: gap coverage %s, location %s, availability %s\n", m->id, part[0], part[1], part[2]);
    fputs("    covered/gap:", f);
    int any = 0;
    for (size_t i = 0; m->has_explain && i < m->explain.n_competencies; i++) {
        const proto_explain_comp *cp = &m->explain.competencies[i];
        if (cp->gap == 0) continue;
        fprintf(f, " %s %u/%u", cp->code, (unsigned)cp->covered, (unsigned)cp->gap);
        any = 1;
    }
    fputs(any ? "\n" : " no gaps\n", f);
}

static int cmd_list(cli_ctx *x) {
    if (!cli_args_ok(x,
                     O_RUN | O_PROGRAM | O_STATUS | O_MIN_SCORE | O_COACH | O_MENTEE | O_SORT | O_PAGE | O_LIMIT |
                         O_IDS | O_EXPLAIN,
                     "list", 1, 1,
                     "list [--run ID | --program P] [--status S] [--min-score N] [--coach ID] [--mentee ID] "
                     "[--sort score|mentee_name|coach_name|updated_at] [--page N] [--limit N] [--ids | --explain]"))
        return CLI_EXIT_USAGE;
    if (x->o->run && x->o->program) return cli_usage_error("list: give --run or --program, not both");
    if (x->o->ids_only && x->o->explain) return cli_usage_error("list: --ids or --explain, not both");
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_match_filter f = { x->o->run, x->o->program, x->o->status, x->o->min_score, NULL,
                                 0,         x->o->sort,    x->o->coach,  x->o->mentee };
    match_set m;
    /* The server sorts (score descending by default).  Without --page every
     * match up to --limit; with --page N, the N-th page of --limit
     * (CLI_REVIEW_PAGE by default) matches, fetched through the cursors
     * (one more to tell whether a next page exists). */
    long long per = x->o->limit > 0 ? x->o->limit : CLI_REVIEW_PAGE, skip = 0;
    if (x->o->page > 0) skip = (x->o->page - 1) * per;
    rc = fetch_matches(x, f, x->o->page > 0 ? skip + per + 1 : x->o->limit, &m);
    if (rc == CLI_EXIT_OK) {
        int more = 0;
        if (x->o->page > 0) {
            size_t from = (size_t)skip < m.n ? (size_t)skip : m.n;
            more = (long long)m.n > skip + per;
            m.n -= from;
            if ((long long)m.n > per) m.n = (size_t)per;
            memmove(m.items, m.items + from, m.n * sizeof(*m.items));
        }
        if (x->o->ids_only) { /* for scripts: coachnet approve $(coachnet list ... --ids) */
            for (size_t i = 0; i < m.n; i++) printf("%s\n", m.items[i].m.id);
        } else if (x->o->json) {
            json_t *a = json_array();
            for (size_t i = 0; i < m.n; i++) json_array_append_new(a, cli_mp_to_json(m.items[i].obj));
            json_t *j = json_pack("{s:o}", "items", a);
            print_json_value(j);
            json_decref(j);
        } else if (m.n == 0) {
            printf("no matches\n");
        } else {
            static const char *const h[] = { "MATCH", "MENTEE", "COACH", "SCORE", "COVERAGE", "STATUS", "PROGRAM" };
            cli_table *t = cli_table_new(7, h, "lllrrll");
            for (size_t i = 0; i < m.n; i++) {
                const proto_match *it = &m.items[i].m;
                char score[16], part[3][16], mentee[CLI_PARTY_MAX], coach[CLI_PARTY_MAX];
                snprintf(score, sizeof(score), "%d", (int)it->score);
                explain_parts(it, part);
                const char *who_m = cli_party(it->mentee_id, it->has_mentee, it->mentee.name, mentee, sizeof(mentee));
                const char *who_c = cli_party(it->coach_id, it->has_coach, it->coach.name, coach, sizeof(coach));
                const char *cells[7] = { it->id,     who_m, who_c, score, part[0], proto_match_status_names[it->status],
                                         it->program };
                cli_table_add(t, cells);
            }
            cli_table_print(t, stdout);
            cli_table_free(t);
            if (x->o->page > 0)
                printf("page %lld: %zu match%s%s\n", x->o->page, m.n, m.n == 1 ? "" : "es",
                       more ? "; more on the next --page" : ", the last page");
            else
                printf("%zu match%s\n", m.n, m.n == 1 ? "" : "es");
            if (x->o->explain) {
                putchar('\n');
                for (size_t i = 0; i < m.n; i++) print_explain_brief(stdout, &m.items[i].m);
            }
        }
    }
    match_set_free(&m);
    return rc;
}

/* Write one CSV field with csv_fwrite (quoted). */
static void csv_cell(FILE *f, const char *s, int last) {
    csv_fwrite(f, s, strlen(s));
    fputc(last ? '\n' : ',', f);
}

static int cmd_export(cli_ctx *x) {
    if (!cli_args_ok(x, O_STATUS | O_RUN, "export", 3, 3, "export PROGRAM FILE.csv [--status S] [--run ID]"))
        return CLI_EXIT_USAGE;
    const char *path = x->o->args[2];
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_match_filter f = { x->o->run, x->o->run ? NULL : x->o->args[1], x->o->status, -1, NULL, 0, NULL, NULL,
                                 NULL };
    match_set m;
    rc = fetch_matches(x, f, 0, &m); /* the server's order: score descending */
    if (rc == CLI_EXIT_OK) {
        FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
        if (out == NULL) {
            fprintf(stderr, "coachnet: cannot write %s: %s\n", path, strerror(errno));
            rc = CLI_EXIT_INPUT;
        } else {
            static const char *const cols[] = { "id",           "program", "mentee_id",    "coach_id",
                                                "status",       "score",   "gap_coverage", "location",
                                                "availability", "run_id",  "created_at",   "updated_at" };
            const size_t nc = sizeof(cols) / sizeof(cols[0]);
            for (size_t c = 0; c < nc; c++) csv_cell(out, cols[c], c + 1 == nc);
            for (size_t i = 0; i < m.n; i++) {
                const proto_match *it = &m.items[i].m;
                char score[16], g[16] = "", l[16] = "", a[16] = "", created[24], updated[24];
                snprintf(score, sizeof(score), "%d", (int)it->score);
                if (it->has_explain) {
                    cli_number(it->explain.gap_coverage, g, sizeof(g));
                    cli_number(it->explain.location, l, sizeof(l));
                    cli_number(it->explain.availability, a, sizeof(a));
                }
                snprintf(created, sizeof(created), "%lld", (long long)it->created_at);
                snprintf(updated, sizeof(updated), "%lld", (long long)it->updated_at);
                const char *row[] = {
                    it->id, it->program, it->mentee_id, it->coach_id, proto_match_status_names[it->status], score, g, l,
                    a,      it->run_id,  created,       updated
                };
                _Static_assert(sizeof(row) / sizeof(*row) == sizeof(cols) / sizeof(*cols), "one cell per column");
                for (size_t c = 0; c < nc; c++) csv_cell(out, row[c], c + 1 == nc);
            }
            int bad = ferror(out);
            if (out != stdout) bad |= fclose(out) != 0;
            if (bad) {
                fprintf(stderr, "coachnet: cannot write %s: %s\n", path, strerror(errno));
                rc = CLI_EXIT_INPUT;
            } else if (out != stdout) {
                if (x->o->json)
                    cli_print_json_new(json_pack("{s:s, s:I}", "file", path, "matches", (json_int_t)m.n));
                else
                    printf("wrote %zu matches to %s\n", m.n, path);
            }
        }
    }
    match_set_free(&m);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* explain, review, pin/forbid, stats                                      */
/* ---------------------------------------------------------------------- */

static int cmd_explain(cli_ctx *x) {
    if (!cli_args_ok(x, 0, "explain", 3, 3, "explain MENTEE_ID COACH_ID")) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_result *r;
    cn_client_error e;
    if (cn_client_match_explain(x->c, x->o->args[1], x->o->args[2], &r, &e) != CN_CLIENT_OK)
        return cli_fail("match.explain", &e);
    const msgpack_object *o = cn_client_result_obj(r);
    const msgpack_object *exo = cn_client_map_get(o, "explain");
    proto_explain ex;
    proto_error pe;
    if (exo == NULL) proto_error_set(&pe, PROTO_E_INVALID_PARAMS, "explain", "is required");
    if (exo == NULL || proto_explain_decode(exo, "explain", &ex, &pe) != PROTO_OK) {
        cn_client_result_free(r);
        return cli_bad_result("match.explain", &pe);
    }
    if (x->o->json) {
        cli_print_json(stdout, o);
    } else {
        char c[16], d[16], g[16];
        printf("mentee %s with coach %s: score %d of 10000, %s%s%s\n", x->o->args[1], x->o->args[2], (int)ex.score,
               ex.feasible ? "feasible" : "not feasible", ex.feasible ? "" : ": ",
               ex.feasible ? "" : proto_reason_names[ex.reason]);
        printf("  gap coverage %s, location %s, availability %s\n", cli_percent_of(ex.gap_coverage, c, sizeof(c)),
               cli_percent_of(ex.location, d, sizeof(d)), cli_percent_of(ex.availability, g, sizeof(g)));
        if (ex.n_competencies > 0) {
            static const char *const h[] = { "COMPETENCY", "GAP", "COACH LEVEL", "COVERED" };
            cli_table *t = cli_table_new(4, h, "lrrl");
            for (size_t i = 0; i < ex.n_competencies; i++) {
                const proto_explain_comp *cp = &ex.competencies[i];
                char k[3][8];
                snprintf(k[0], sizeof(k[0]), "%u", (unsigned)cp->gap);
                snprintf(k[1], sizeof(k[1]), "%u", (unsigned)cp->coach_level);
                snprintf(k[2], sizeof(k[2]), "%u", (unsigned)cp->covered);
                const char *cells[4] = { cp->code, k[0], k[1], k[2] };
                cli_table_add(t, cells);
            }
            cli_table_print(t, stdout);
            cli_table_free(t);
        }
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

/* 1 if a review result item reports a failure. */
static int item_failed(const msgpack_object *it) {
    const msgpack_object *err = cn_client_map_get(it, "error");
    const msgpack_object *ok = cn_client_map_get(it, "ok");
    if (err && err->type != MSGPACK_OBJECT_NIL) return 1;
    return ok && ok->type == MSGPACK_OBJECT_BOOLEAN && !ok->via.boolean;
}

/* The review commands: command word -> decision and past tense. */
static const struct {
    const char *cmd, *decision, *done;
} reviews[] = {
    { "approve", "approve", "approved" },
    { "reject", "reject", "rejected" },
    { "cancel", "cancel", "cancelled" },
    { "complete", "complete", "completed" },
};

/* Print one batch's review results (lines, or its JSON object); adds to
 * *n and *failed. */
static void review_batch(const cli_ctx *x, size_t k, const msgpack_object *o, size_t *n, size_t *failed) {
    const msgpack_object *res = cn_client_map_get(o, "results");
    if (x->o->json) {
        cli_print_json(stdout, o);
    } else if (!res || res->type != MSGPACK_OBJECT_ARRAY) {
        cli_print_obj(stdout, o, 0);
    }
    if (!res || res->type != MSGPACK_OBJECT_ARRAY) return;
    *n += res->via.array.size;
    for (uint32_t i = 0; i < res->via.array.size; i++) {
        const msgpack_object *it = &res->via.array.ptr[i];
        int bad = item_failed(it);
        *failed += (size_t)bad;
        if (x->o->json) continue;
        char id[96], st[64], code[64], msg[256];
        const msgpack_object *idv = cn_client_map_get(it, "id");
        if (idv == NULL) idv = cn_client_map_get(it, "match_id");
        const msgpack_object *er = cn_client_map_get(it, "error");
        if (bad)
            fprintf(stderr, "coachnet: %s: %s: %s\n", sc(idv, id, sizeof(id)),
                    sc(cn_client_map_get(er, "code"), code, sizeof(code)),
                    sc(cn_client_map_get(er, "message"), msg, sizeof(msg)));
        else
            printf("%s: %s\n", sc(idv, id, sizeof(id)),
                   sc(cn_client_map_get(it, "status"), st, sizeof(st))[0] ? st : reviews[k].done);
    }
}

/* approve/reject/cancel/complete MATCH_ID...: the ids go to match.review in
 * batches of CN_API_REVIEW_MAX (the server's bound per call), so
 * `approve $(list --ids)` works for any number of proposals; with --json
 * each batch's answer is printed as one object per line.  A failing batch
 * (a whole-request error) stops the command after the batches before it
 * were applied. */
static int cmd_review(cli_ctx *x) {
    size_t k = 0;
    while (k + 1 < sizeof(reviews) / sizeof(reviews[0]) && strcmp(reviews[k].cmd, x->o->args[0]) != 0) k++;
    char usage[64];
    snprintf(usage, sizeof(usage), "%s MATCH_ID... [--note TEXT]", reviews[k].cmd);
    if (!cli_args_ok(x, O_NOTE, x->o->args[0], 2, 1 + 10000, usage)) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    const char *const *ids = (const char *const *)x->o->args + 1;
    size_t total = (size_t)x->o->nargs - 1, failed = 0, n = 0;
    for (size_t at = 0; at < total; at += CN_API_REVIEW_MAX) {
        size_t len = total - at < CN_API_REVIEW_MAX ? total - at : CN_API_REVIEW_MAX;
        cn_client_result *r;
        cn_client_error e;
        if (cn_client_match_review(x->c, ids + at, len, reviews[k].decision, x->o->note, &r, &e) != CN_CLIENT_OK) {
            if (at > 0 && !x->o->json) printf("%zu of %zu %s before the error\n", n - failed, n, reviews[k].done);
            return cli_fail("match.review", &e);
        }
        review_batch(x, k, cn_client_result_obj(r), &n, &failed);
        cn_client_result_free(r);
    }
    if (!x->o->json) printf("%zu of %zu %s\n", n - failed, n, reviews[k].done);
    return failed ? CLI_EXIT_SERVER : CLI_EXIT_OK;
}

/* pin, forbid, unpin, unforbid: the pair rules of a program. */
static int cmd_pin(cli_ctx *x) {
    static const struct {
        const char *cmd, *method, *done;
    } rules[] = {
        { "pin", "match.pin", "pinned" },
        { "forbid", "match.forbid", "forbade" },
        { "unpin", "match.unpin", "unpinned" },
        { "unforbid", "match.unforbid", "no longer forbade" },
    };
    size_t k = 0;
    while (k + 1 < sizeof(rules) / sizeof(rules[0]) && strcmp(rules[k].cmd, x->o->args[0]) != 0) k++;
    char usage[64];
    snprintf(usage, sizeof(usage), "%s PROGRAM MENTEE_ID COACH_ID", rules[k].cmd);
    if (!cli_args_ok(x, 0, x->o->args[0], 4, 4, usage)) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    /* the four methods have the same params: {program, mentee_id, coach_id} */
    const char *prog = x->o->args[1], *mentee = x->o->args[2], *coach = x->o->args[3];
    cn_client_error e;
    int r;
    if (k == 0) {
        cn_api_match_pin_params p = { .program = prog, .mentee_id = mentee, .coach_id = coach };
        r = cn_api_match_pin(x->c, &p, NULL, &e);
    } else if (k == 1) {
        cn_api_match_forbid_params p = { .program = prog, .mentee_id = mentee, .coach_id = coach };
        r = cn_api_match_forbid(x->c, &p, NULL, &e);
    } else if (k == 2) {
        cn_api_match_unpin_params p = { .program = prog, .mentee_id = mentee, .coach_id = coach };
        r = cn_api_match_unpin(x->c, &p, NULL, &e);
    } else {
        cn_api_match_unforbid_params p = { .program = prog, .mentee_id = mentee, .coach_id = coach };
        r = cn_api_match_unforbid(x->c, &p, NULL, &e);
    }
    if (r != CN_CLIENT_OK) return cli_fail(rules[k].method, &e);
    if (x->o->json)
        printf("{}\n");
    else
        printf("%s %s with %s in %s\n", rules[k].done, mentee, coach, prog);
    return CLI_EXIT_OK;
}

/* pins PROGRAM: the pair rules of a program, one "pin|forbid MENTEE COACH"
 * line each (the arguments of the command that takes it back, less "un"). */
static int cmd_pins(cli_ctx *x) {
    if (!cli_args_ok(x, 0, "pins", 2, 2, "pins PROGRAM")) return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_result *r;
    cn_client_error e;
    cn_api_match_pins_params p = { .program = x->o->args[1] };
    if (cn_api_match_pins(x->c, &p, &r, &e) != CN_CLIENT_OK) return cli_fail("match.pins", &e);
    const msgpack_object *o = cn_client_result_obj(r);
    static const char *const lists[][2] = { { "pins", "pin" }, { "forbids", "forbid" } };
    proto_pair_rule pr;
    proto_error pe;
    for (size_t k = 0; k < 2; k++) {
        const msgpack_object *a = cn_client_map_get(o, lists[k][0]);
        if (!a || a->type != MSGPACK_OBJECT_ARRAY) {
            cn_client_result_free(r);
            proto_error_set(&pe, PROTO_E_INVALID_PARAMS, lists[k][0], "is required and must be an array");
            return cli_bad_result("match.pins", &pe);
        }
        for (uint32_t i = 0; i < a->via.array.size; i++)
            if (proto_pair_rule_decode(&a->via.array.ptr[i], lists[k][0], &pr, &pe) != PROTO_OK) {
                cn_client_result_free(r);
                return cli_bad_result("match.pins", &pe);
            }
    }
    if (x->o->json) {
        cli_emit(x, o);
    } else {
        for (size_t k = 0; k < 2; k++) {
            const msgpack_object *a = cn_client_map_get(o, lists[k][0]);
            for (uint32_t i = 0; i < a->via.array.size; i++) {
                proto_pair_rule_decode(&a->via.array.ptr[i], lists[k][0], &pr, &pe);
                printf("%s %s %s %s\n", lists[k][1], x->o->args[1], pr.mentee_id, pr.coach_id);
            }
        }
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

/* audit [--program P] [--actor LOGIN] [--since YYYY-MM-DD] [--limit N]: the
 * audit trail newest first (audit.list), every page until --limit items
 * (default CLI_AUDIT_DEFAULT); --since is local midnight of the date. */
#define CLI_AUDIT_DEFAULT 100
static int cmd_audit(cli_ctx *x) {
    if (!cli_args_ok(x, O_PROGRAM | O_ACTOR | O_SINCE | O_LIMIT, "audit", 1, 1,
                     "audit [--program P] [--actor LOGIN] [--since YYYY-MM-DD] [--limit N]"))
        return CLI_EXIT_USAGE;
    cn_api_audit_list_params p = { .program = x->o->program, .actor = x->o->actor };
    if (x->o->since) {
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        int y, mo, d, len = 0;
        time_t t = (time_t)-1;
        if (sscanf(x->o->since, "%4d-%2d-%2d%n", &y, &mo, &d, &len) == 3 && len == 10 && !x->o->since[len] && mo >= 1 &&
            mo <= 12 && d >= 1 && d <= 31) {
            tm.tm_year = y - 1900;
            tm.tm_mon = mo - 1;
            tm.tm_mday = d;
            tm.tm_isdst = -1;
            t = mktime(&tm);
        }
        if (t == (time_t)-1 || t < 0) return cli_usage_error("--since: '%s' is not a date YYYY-MM-DD", x->o->since);
        p.since = (int64_t)t;
        p.has_since = 1;
    }
    long long want = x->o->limit > 0 ? x->o->limit : CLI_AUDIT_DEFAULT, n = 0;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    static const char *const h[] = { "AT", "ACTOR", "ACTION", "OBJECT", "DETAIL" };
    cli_table *t = cli_table_new(5, h, "lllll");
    json_t *all = json_array();
    char cursor[256];
    while (rc == CLI_EXIT_OK && n < want) {
        p.limit = want - n < CLI_LIST_PAGE ? want - n : CLI_LIST_PAGE;
        p.has_limit = 1;
        cn_client_result *r;
        cn_client_error e;
        if (cn_api_audit_list(x->c, &p, &r, &e) != CN_CLIENT_OK) {
            rc = cli_fail("audit.list", &e);
            break;
        }
        const msgpack_object *o = cn_client_result_obj(r);
        const msgpack_object *items = cn_client_map_get(o, "items");
        for (uint32_t i = 0; items && items->type == MSGPACK_OBJECT_ARRAY && i < items->via.array.size; i++) {
            proto_audit_item a;
            proto_error pe;
            char path[32], at[32];
            snprintf(path, sizeof(path), "items[%u]", i);
            if (proto_audit_item_decode(&items->via.array.ptr[i], path, &a, &pe) != PROTO_OK) {
                rc = cli_bad_result("audit.list", &pe);
                break;
            }
            json_array_append_new(all, cli_mp_to_json(&items->via.array.ptr[i]));
            time_t when = (time_t)a.at;
            struct tm tm;
            if (localtime_r(&when, &tm) == NULL || strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm) == 0)
                at[0] = '\0';
            a.detail[strcspn(a.detail, "\r\n")] = '\0';
            const char *cells[5] = { at, a.actor, a.action, a.object, a.detail };
            cli_table_add(t, cells);
            n++;
        }
        int more = rc == CLI_EXIT_OK &&
                   cn_client_obj_str(cn_client_map_get(o, "cursor"), cursor, sizeof(cursor)) == CN_CLIENT_OK;
        cn_client_result_free(r);
        if (!more) break;
        p.cursor = cursor;
    }
    if (rc == CLI_EXIT_OK) {
        if (x->o->json)
            cli_print_json_new(json_pack("{s:O}", "items", all));
        else if (cli_table_rows(t) == 0)
            printf("no audit entries\n");
        else
            cli_table_print(t, stdout);
    }
    json_decref(all);
    cli_table_free(t);
    return rc;
}

/* The breakdown of stats.get {by} as a table: a row per key, its mentees and
 * how many of them are matched (coverage), its coaches, seats and seats taken
 * (utilisation). */
static void print_breakdown(const msgpack_object *o, const char *by) {
    const msgpack_object *rows = proto_stats_rows(o);
    if (rows == NULL) return;
    static const char *const h[] = { "KEY", "MENTEES", "MATCHED", "COVERAGE", "COACHES", "CAPACITY", "LOAD", "UTIL" };
    cli_table *t = cli_table_new(8, h, "lrrrrrrr");
    for (uint32_t i = 0; i < rows->via.array.size; i++) {
        proto_stats_row row;
        proto_error pe;
        if (proto_stats_row_decode(&rows->via.array.ptr[i], "row", &row, &pe) != PROTO_OK) continue;
        char n[5][24], cov[16], util[16];
        const int64_t v[5] = { row.mentees, row.matched, row.coaches, row.capacity, row.load };
        for (int k = 0; k < 5; k++) snprintf(n[k], sizeof(n[k]), "%lld", (long long)v[k]);
        if (row.mentees > 0)
            snprintf(cov, sizeof(cov), "%.1f%%", 100.0 * (double)row.matched / (double)row.mentees);
        else
            snprintf(cov, sizeof(cov), "-");
        if (row.capacity > 0)
            snprintf(util, sizeof(util), "%.1f%%", 100.0 * (double)row.load / (double)row.capacity);
        else
            snprintf(util, sizeof(util), "-");
        const char *cells[8] = { row.key, n[0], n[1], cov, n[2], n[3], n[4], util };
        cli_table_add(t, cells);
    }
    printf("\nby %s:\n", by);
    cli_table_print(t, stdout);
    cli_table_free(t);
}

static int cmd_stats(cli_ctx *x) {
    if (!cli_args_ok(x, O_BY, "stats", 2, 2, "stats PROGRAM [--by province|agency|competency|coach_kind]"))
        return CLI_EXIT_USAGE;
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_result *r;
    cn_client_error e;
    cn_api_stats_get_params sp = { .program = x->o->args[1], .by = x->o->by };
    if (cn_api_stats_get(x->c, &sp, &r, &e) != CN_CLIENT_OK) return cli_fail("stats.get", &e);
    const msgpack_object *o = cn_client_result_obj(r);
    proto_program_stats ps;
    proto_error pe;
    if (proto_program_stats_decode(o, "", &ps, &pe) != PROTO_OK) {
        cn_client_result_free(r);
        return cli_bad_result("stats.get", &pe);
    }
    if (x->o->json) {
        cli_emit(x, o);
    } else {
        /* The fractions (utilisation, coverage) read better as percentages. */
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
            char kb[64], vb[32];
            sc(k, kb, sizeof(kb));
            if (strstr(kb, "utilisation") || strstr(kb, "coverage")) { /* DESIGN: fractions 0..1 */
                printf("%s: %s\n", kb, cli_percent(v, vb, sizeof(vb)));
                continue;
            }
            if (strcmp(kb, "breakdown") == 0) continue; /* the table, below */
            if (strcmp(kb, "jp_total") == 0) {          /* JP with one decimal everywhere */
                printf("jp_total: %.1f\n", ps.jp_total);
                continue;
            }
            msgpack_object_kv one = o->via.map.ptr[i];
            msgpack_object single = { .type = MSGPACK_OBJECT_MAP, .via.map = { .size = 1, .ptr = &one } };
            cli_print_obj(stdout, &single, 0);
        }
        if (ps.by >= 0) print_breakdown(o, proto_stats_by_names[ps.by]);
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

const cli_command cli_cmds_coord[] = {
    { "import", cmd_import, CLI_SEC_COORDINATORS,
      "import mentees|coaches FILE.csv|FILE.jsonl [--no-progress] [--window N]" },
    { "run", cmd_run, CLI_SEC_COORDINATORS,
      "run PROGRAM [--objective participation|quality] [--mode optimal|stable]\n"
      "            [--min-score N] [--policy FILE.json] [--no-progress] [--run-timeout S]\n"
      "            [--draft]   (a draft changes nothing until coachnet publish RUN)" },
    { "list", cmd_list, CLI_SEC_COORDINATORS,
      "list [--run ID | --program P] [--status S] [--min-score N] [--coach ID] [--mentee ID]\n"
      "     [--sort score|mentee_name|coach_name|updated_at] [--page N] [--limit N]\n"
      "     [--ids | --explain]   (score descending by default; --page N: the N-th page\n"
      "     of --limit, default 50, matches)" },
    { "explain", cmd_explain, CLI_SEC_COORDINATORS, "explain MENTEE_ID COACH_ID" },
    { "approve", cmd_review, CLI_SEC_COORDINATORS, "approve|reject MATCH_ID... [--note TEXT]" },
    { "reject", cmd_review, CLI_SEC_COORDINATORS, NULL },
    { "cancel", cmd_review, CLI_SEC_COORDINATORS, "cancel|complete MATCH_ID... [--note TEXT]" },
    { "complete", cmd_review, CLI_SEC_COORDINATORS, NULL },
    { "pin", cmd_pin, CLI_SEC_COORDINATORS, "pin|forbid|unpin|unforbid PROGRAM MENTEE_ID COACH_ID" },
    { "forbid", cmd_pin, CLI_SEC_COORDINATORS, NULL },
    { "unpin", cmd_pin, CLI_SEC_COORDINATORS, NULL },
    { "unforbid", cmd_pin, CLI_SEC_COORDINATORS, NULL },
    { "pins", cmd_pins, CLI_SEC_COORDINATORS, "pins PROGRAM" },
    { "stats", cmd_stats, CLI_SEC_COORDINATORS, "stats PROGRAM [--by province|agency|competency|coach_kind]" },
    { "audit", cmd_audit, CLI_SEC_COORDINATORS,
      "audit [--program P] [--actor LOGIN] [--since YYYY-MM-DD] [--limit N]   (admins too)" },
    { "export", cmd_export, CLI_SEC_COORDINATORS, "export PROGRAM FILE.csv [--status S] [--run ID]" },
    { NULL, NULL, 0, NULL },
};
