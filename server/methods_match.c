/* methods_match.c — match.* (but match.run, see runs.c), meeting.log,
 * feedback.put, stats.get.
 *
 * Every state change is one Lua script (server/lua/) that checks and writes
 * atomically and publishes the new match on the event channel; each
 * coachnetd then pushes match.updated to the sessions of both sides
 * (events.c).  Ownership: a mentee or coach user acts only on
 * matches whose mentee_id / coach_id is its subject (checked inside the
 * scripts, where the match is read), a coordinator only in its programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/coachidx.h"
#include "server/db.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"
#include "server/runs.h"
#include "server/util.h"

static const char *role_str(const srv_req *r) { return auth_role_name(r->sess.role); }

/* Answer {match}. */
static void match_done(srv_req *r, const proto_match *m) {
    pack_match_result(srv_req_ok(r), m);
    srv_req_done(r);
}

static void ok_done(srv_req *r) {
    pack_empty(srv_req_ok(r));
    srv_req_done(r);
}

/* ------------------------------------------------------------ context
 * db_pair_get() gives the mentee profile, its program, the coaches
 * forbidden for it and (optionally) one coach profile with its load. */

typedef struct pair_ctx {
    int what; /* CTX_* */
    char mentee_id[PROTO_ID_MAX + 1];
    char coach_id[PROTO_ID_MAX + 1];
    int64_t limit;
    proto_mentee mentee;
    proto_coach coach;
    int coach_load;
    char forbidden_csv[4096];
    const char *forbidden[256];
    size_t n_forbidden;
    proto_suggestion *sugs; /* match.suggest's answer while the cards are read */
    size_t n_sugs;
} pair_ctx;

static void ctx_free(void *p) {
    pair_ctx *c = p;
    free(c->sugs);
    free(c);
}

enum { CTX_SUGGEST, CTX_EXPLAIN, CTX_REQUEST };

static void ctx_forbidden_split(pair_ctx *c) {
    c->n_forbidden = 0;
    char *p = c->forbidden_csv;
    while (*p && c->n_forbidden < sizeof c->forbidden / sizeof c->forbidden[0]) {
        c->forbidden[c->n_forbidden++] = p;
        char *e = strchr(p, ',');
        if (!e) break;
        *e = '\0';
        p = e + 1;
    }
}

static int ctx_is_forbidden(const pair_ctx *c, const char *coach) {
    for (size_t i = 0; i < c->n_forbidden; i++)
        if (!strcmp(c->forbidden[i], coach)) return 1;
    return 0;
}

/* suggest and explain answer from the coach index only once it is fully
 * loaded (coachidx.h): a half-loaded index would leave coaches out, or
 * explain them from a profile without saying so.  Answers unavailable
 * and returns 0 while it loads. */
static int index_ready(srv_req *r) {
    if (coachidx_ready(r->srv->cidx)) return 1;
    srv_req_fail(r, PROTO_E_UNAVAILABLE, NULL, "the coach index is loading; retry");
    return 0;
}

/* The suggestions of do_suggest() with the coaches' cards (design.md §9:
 * no contacts); a coach whose profile is gone goes without. */
static void suggest_cards_cb(srv_req *r, const db_page *pg) {
    pair_ctx *c = r->st;
    for (size_t k = 0; k < db_page_n(pg); k++) {
        const char *id, *blob;
        size_t len;
        db_page_item(pg, k, &id, &blob, &len);
        for (size_t i = 0; i < c->n_sugs; i++) {
            proto_suggestion *s = &c->sugs[i];
            if (s->has_coach || strcmp(s->coach_id, id)) continue;
            if (pack_conv_coach_card(blob, len, &s->coach)) {
                srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored coach profile %s makes no card", id);
                return;
            }
            s->has_coach = true;
        }
    }
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", c->n_sugs, false);
    for (size_t i = 0; i < c->n_sugs; i++) proto_suggestion_pack(pk, &c->sugs[i]);
    srv_req_done(r);
}

static void do_suggest(srv_req *r, pair_ctx *c) {
    if (!index_ready(r)) return;
    madapt_mentee am;
    madapt_mentee_init(&am, &c->mentee);
    match_query q = { &am.m, NULL, c->forbidden, c->n_forbidden };
    match_suggestion *sug = calloc((size_t)c->limit, sizeof *sug);
    if (!sug) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    size_t n = 0;
    match_err me;
    memset(&me, 0, sizeof me);
    const match_index *idx = coachidx_index(r->srv->cidx);
    if (match_suggest(idx, &q, (size_t)c->limit, sug, &n, &me) != MATCH_OK) {
        free(sug);
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "suggest failed: %s %s", me.field, me.msg);
        return;
    }
    c->sugs = calloc(n ? n : 1, sizeof *c->sugs);
    const char **ids = calloc(n ? n : 1, sizeof *ids);
    if (!c->sugs || !ids) {
        free(sug);
        free(ids);
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        match_explain ex;
        /* explain nil when the pair cannot be explained (as it always was) */
        int has_ex = match_explain_coach(idx, &q, sug[i].coach_id, &ex, &me) == MATCH_OK;
        if (pack_conv_suggestion(&sug[i], has_ex ? &ex : NULL, &c->sugs[i])) {
            free(sug);
            free(ids);
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "suggestion out of range");
            return;
        }
        ids[i] = c->sugs[i].coach_id;
    }
    c->n_sugs = n;
    free(sug);
    db_coach_cards(r, ids, n, suggest_cards_cb);
    free(ids);
}

static void do_explain(srv_req *r, pair_ctx *c) {
    if (!index_ready(r)) return;
    madapt_mentee am;
    madapt_mentee_init(&am, &c->mentee);
    match_query q = { &am.m, NULL, c->forbidden, c->n_forbidden };
    match_explain ex;
    match_err me;
    memset(&me, 0, sizeof me);
    int rc = match_explain_coach(coachidx_index(r->srv->cidx), &q, c->coach_id, &ex, &me);
    if (rc == MATCH_ENOTFOUND) {
        /* not indexed here yet (event in flight): explain from the profile */
        madapt_coach ac;
        madapt_coach_init(&ac, &c->coach, c->coach_load);
        rc = match_explain_pair(r->srv->catalog.cat, &am.m, &ac.c, NULL, ctx_is_forbidden(c, c->coach_id), &ex, &me);
    }
    if (rc != MATCH_OK) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "explain failed: %s %s", me.field, me.msg);
        return;
    }
    proto_explain pe;
    if (pack_conv_explain(&ex, &pe)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "explanation out of range");
        return;
    }
    pack_explain_result(srv_req_ok(r), &pe);
    srv_req_done(r);
}

static void do_request(srv_req *r, pair_ctx *c) {
    madapt_mentee am;
    madapt_coach ac;
    madapt_mentee_init(&am, &c->mentee);
    /* Neither the coach's load nor its programs may hide a hard reason
     * (they come first in an explanation): the script decides those two
     * atomically, and a seat freed or a program added between this read
     * and the script would let an unworkable pair through.  Nor would a
     * seat ever make such a pair workable: its answer is the conflict,
     * not capacity_full. */
    madapt_coach_init(&ac, &c->coach, 0);
    ac.c.n_programs = 0;
    match_explain ex;
    match_err me;
    memset(&me, 0, sizeof me);
    if (match_explain_pair(r->srv->catalog.cat, &am.m, &ac.c, NULL, ctx_is_forbidden(c, c->coach_id), &ex, &me) !=
        MATCH_OK) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot score the pair: %s %s", me.field, me.msg);
        return;
    }
    /* capacity (here only a coach of capacity 0) and forbidden are decided
     * atomically by the script; the other constraints make the pair
     * unworkable whoever asks, and the script refuses it too: after its
     * request_id check, so that a repeat gets the first answer whatever
     * profile edit came since */
    const char *unworkable = "";
    if (!ex.feasible && ex.reason != MATCH_REASON_CAPACITY && ex.reason != MATCH_REASON_FORBIDDEN &&
        ex.reason != MATCH_REASON_MIN_SCORE)
        unworkable = match_reason_name(ex.reason);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    if (pack_explain_blob(&sb, &ex)) {
        msgpack_sbuffer_destroy(&sb);
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "explanation out of range");
        return;
    }
    db_match_request(r, c->mentee_id, c->coach_id, ex.score, sb.data, sb.size, unworkable, r->sess.login, match_done);
    msgpack_sbuffer_destroy(&sb);
}

static void ctx_cb(srv_req *r, const db_pair *p) {
    pair_ctx *c = r->st;
    if (mscope(r, p->program)) return;
    if (mblob_mentee(r->srv, p->mentee_blob, p->mentee_len, &c->mentee)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored mentee profile does not decode");
        return;
    }
    snprintf(c->forbidden_csv, sizeof c->forbidden_csv, "%s", p->forbidden);
    ctx_forbidden_split(c);
    if (c->coach_id[0]) {
        if (!p->coach_blob || mblob_coach(r->srv, p->coach_blob, p->coach_len, &c->coach)) {
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored coach profile does not decode");
            return;
        }
        c->coach_load = (int)p->coach_load;
    }
    if (c->what == CTX_SUGGEST)
        do_suggest(r, c);
    else if (c->what == CTX_EXPLAIN)
        do_explain(r, c);
    else
        do_request(r, c);
}

static void ctx_fetch(srv_req *r, pair_ctx *c) { db_suggest_ctx(r, c->mentee_id, c->coach_id, ctx_cb); }

static pair_ctx *ctx_new(srv_req *r, int what) {
    pair_ctx *c = mstate(r, sizeof *c, ctx_free);
    if (c) c->what = what;
    return c;
}

void m_match_suggest(srv_req *r, const api_match_suggest_params *p) {
    pair_ctx *c = ctx_new(r, CTX_SUGGEST);
    if (!c) return;
    c->limit = p->limit;
    snprintf(c->mentee_id, sizeof c->mentee_id, "%s", p->mentee_id);
    if (r->sess.role == ROLE_MENTEE && strcmp(c->mentee_id, r->sess.subject)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "mentee_id", "a mentee may only ask suggestions for itself");
        return;
    }
    ctx_fetch(r, c);
}

void m_match_explain(srv_req *r, const api_match_explain_params *p) {
    pair_ctx *c = ctx_new(r, CTX_EXPLAIN);
    if (!c) return;
    snprintf(c->mentee_id, sizeof c->mentee_id, "%s", p->mentee_id);
    snprintf(c->coach_id, sizeof c->coach_id, "%s", p->coach_id);
    if (r->sess.role == ROLE_MENTEE && strcmp(c->mentee_id, r->sess.subject)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "mentee_id", "a mentee may only explain its own pairs");
        return;
    }
    ctx_fetch(r, c);
}

void m_match_request(srv_req *r, const api_match_request_params *p) {
    pair_ctx *c = ctx_new(r, CTX_REQUEST);
    if (!c) return;
    snprintf(c->coach_id, sizeof c->coach_id, "%s", p->coach_id);
    snprintf(c->mentee_id, sizeof c->mentee_id, "%s", r->sess.subject);
    ctx_fetch(r, c);
}

/* ---------------------------------------------------------------- run */

void m_match_run(srv_req *r, const api_match_run_params *p) {
    if (mscope(r, p->program)) return;
    runs_start(r->srv->runs, r, p->program, &p->policy, p->draft);
}

/* --------------------------------------------------------------- list */

/* Pack the matches one by one (a list holds up to 500).  0, or -1 after
 * answering `internal` for a stored match that does not decode. */
static int put_matches(srv_req *r, msgpack_packer *pk, const db_matches *ms) {
    proto_match *m = malloc(sizeof *m);
    if (!m) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < db_matches_n(ms); i++) {
        if (db_matches_at(ms, i, m)) {
            free(m);
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored match does not decode");
            return -1;
        }
        proto_match_pack(pk, m);
    }
    free(m);
    return 0;
}

/* match.list's cursors: the sort's letter, then the hex of the last sort-index
 * member shown (match_list.lua), so that a cursor of one sort is refused by
 * another. */
static const char list_sort_letter[] = { [API_MATCH_LIST_SORT_SCORE] = 's',
                                         [API_MATCH_LIST_SORT_MENTEE_NAME] = 'm',
                                         [API_MATCH_LIST_SORT_COACH_NAME] = 'c',
                                         [API_MATCH_LIST_SORT_UPDATED_AT] = 'u' };

static void list_cb(srv_req *r, const db_matches *ms) {
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", db_matches_n(ms), true);
    if (put_matches(r, pk, ms)) return;
    const char *next = db_matches_next(ms);
    char cursor[API_CURSOR_MAX + 1];
    if (next && next[0] && strlen(next) < sizeof cursor - 1)
        snprintf(cursor, sizeof cursor, "%c%s", list_sort_letter[(intptr_t)r->st], next);
    else
        cursor[0] = '\0';
    pack_cursor(pk, cursor[0] ? cursor : NULL);
    srv_req_done(r);
}

/* Whether cursor is one list_cb made for sort: its letter, then an even
 * number of lowercase hex digits. */
static int list_cursor_ok(const char *cursor, int sort) {
    size_t n = strlen(cursor);
    if (n < 3 || n % 2 == 0 || cursor[0] != list_sort_letter[sort]) return 0;
    return strspn(cursor + 1, "0123456789abcdef") == n - 1;
}

void m_match_list(srv_req *r, const api_match_list_params *p) {
    const char *run = p->run_id, *program = p->program, *cursor = p->cursor;
    int st = p->has_status ? p->status : -1;
    int sort = p->has_sort ? p->sort : API_MATCH_LIST_SORT_SCORE;
    int64_t min_score = p->has_min_score ? p->min_score : 0, limit = p->limit;
    if (!run[0] && !program[0]) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "program", "give run_id or program");
        return;
    }
    if (cursor[0] && !list_cursor_ok(cursor, sort)) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "cursor", "not a cursor this server returned for sort %s",
                     api_match_list_sort_names[sort]);
        return;
    }
    if (program[0] && mscope(r, program)) return;
    r->st = (void *)(intptr_t)sort;
    db_match_list(r, run, program, st >= 0 ? api_match_list_status_names[st] : "", min_score,
                  cursor[0] ? cursor + 1 : "", limit, r->sess.programs, api_match_list_sort_names[sort], p->coach_id,
                  p->mentee_id, list_cb);
}

/* ------------------------------------------------------------- review */

static void review_cb(srv_req *r, const proto_review_item *items, size_t n) {
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "results", n, false);
    for (size_t i = 0; i < n; i++) proto_review_item_pack(pk, &items[i]);
    srv_req_done(r);
}

void m_match_review(srv_req *r, const api_match_review_params *p) {
    const char *ids[API_REVIEW_MAX];
    for (size_t i = 0; i < p->n_match_ids; i++) ids[i] = p->match_ids[i];
    db_match_review(r, r->sess.programs, api_match_review_decision_names[p->decision], p->note, r->sess.login, ids,
                    p->n_match_ids, review_cb);
}

/* ---------------------------------------------------------- pin/forbid */

/* A pair rule of a program: pin.lua makes one (pin, forbid), unpin.lua
 * takes one back (unpin, unforbid). */
void m_match_pin(srv_req *r, const api_match_pin_params *p) {
    if (mscope(r, p->program)) return;
    db_pin(r, "pin", p->program, p->mentee_id, p->coach_id, r->sess.login, ok_done);
}

void m_match_forbid(srv_req *r, const api_match_forbid_params *p) {
    if (mscope(r, p->program)) return;
    db_pin(r, "forbid", p->program, p->mentee_id, p->coach_id, r->sess.login, ok_done);
}

void m_match_unpin(srv_req *r, const api_match_unpin_params *p) {
    if (mscope(r, p->program)) return;
    db_unpin(r, "unpin", p->program, p->mentee_id, p->coach_id, r->sess.login, ok_done);
}

void m_match_unforbid(srv_req *r, const api_match_unforbid_params *p) {
    if (mscope(r, p->program)) return;
    db_unpin(r, "unforbid", p->program, p->mentee_id, p->coach_id, r->sess.login, ok_done);
}

/* --------------------------------------------------------------- mine */

static void mine_cb(srv_req *r, const db_matches *ms) {
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", db_matches_n(ms), false);
    if (put_matches(r, pk, ms)) return;
    srv_req_done(r);
}

void m_match_mine(srv_req *r, const api_match_mine_params *p) {
    (void)p;
    db_match_mine(r, role_str(r), r->sess.subject, mine_cb);
}

/* ---------------------------------------------------------------- get */

/* match.get: the match with the cards and notes the caller may see
 * (match_get.lua decides, where the match is read). */
void m_match_get(srv_req *r, const api_match_get_params *p) {
    db_match_get(r, p->match_id, role_str(r), r->sess.subject, r->sess.programs, match_done);
}

/* ------------------------------------------------------------ respond */

void m_match_respond(srv_req *r, const api_match_respond_params *p) {
    db_match_respond(r, p->match_id, role_str(r), r->sess.subject, p->accept ? "1" : "0", p->note, r->sess.login,
                     match_done);
}

/* ------------------------------------------------------ meeting, feedback */

static void meeting_cb(srv_req *r, const db_meeting *m) {
    const api_meeting_log_params *p = r->params;
    proto_meeting mt;
    snprintf(mt.meeting_id, sizeof mt.meeting_id, "%s", m->meeting_id);
    mt.confirmed = m->confirmed;
    mt.minutes = m->minutes;
    mt.jp = proto_jp(m->minutes);
    mt.year = atoi(p->date); /* "YYYY-MM-DD", checked by m_meeting_log */
    mt.minutes_total = m->year_minutes;
    mt.jp_total = proto_jp(m->year_minutes);
    mt.jp_target = m->jp_target;
    proto_meeting_pack(srv_req_ok(r), &mt);
    srv_req_done(r);
}

/* meeting.log: the date is a real date of the server's time zone
 * (util_tz_use, config `timezone`), not after today there; the script
 * checks it against the day the match was accepted (it gets the first
 * second after the date) and keeps one record per match and date. */
void m_meeting_log(srv_req *r, const api_meeting_log_params *p) {
    time_t start, end;
    if (util_date_span(p->date, &start, &end)) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "date", "must be a real date YYYY-MM-DD (2000..2100)");
        return;
    }
    if (start > time(NULL)) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "date", "%s is in the future (time zone %s)", p->date,
                     r->srv->cfg->timezone);
        return;
    }
    db_meeting_log(r, p->match_id, role_str(r), r->sess.subject, p->date, (long long)end, p->minutes, p->topic,
                   r->sess.login, API_JP_TARGET_DEFAULT, meeting_cb);
}

void m_feedback_put(srv_req *r, const api_feedback_put_params *p) {
    db_feedback_put(r, p->match_id, role_str(r), r->sess.subject, p->rating, p->comment, r->sess.login, ok_done);
}

/* -------------------------------------------------------------- stats */

/* stats.get's state between its two scripts: the figures of stats.lua,
 * then, with `by`, the rows of stats_by.lua. */
typedef struct stats_job {
    char program[PROTO_CODE_MAX + 1];
    proto_program_stats ps; /* ps.by: the breakdown asked for, -1 none */
} stats_job;

static void stats_done(srv_req *r, const proto_program_stats *ps) {
    proto_program_stats_pack(srv_req_ok(r), ps);
    srv_req_done(r);
}

/* stats_by.lua's rows: key mentees matched coaches capacity load, as strings. */
static void stats_by_cb(srv_req *r, const db_strs *ss) {
    stats_job *j = r->st;
    size_t n = db_strs_n(ss) / 6;
    proto_stats_row *rows = calloc(n ? n : 1, sizeof(*rows));
    if (rows == NULL || n > PROTO_STATS_ROWS_MAX) {
        free(rows);
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, rows ? "breakdown too large" : "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t *f[] = { &rows[i].mentees, &rows[i].matched, &rows[i].coaches, &rows[i].capacity, &rows[i].load };
        size_t len;
        snprintf(rows[i].key, sizeof(rows[i].key), "%s", db_strs_at(ss, 6 * i, &len));
        for (size_t k = 0; k < 5; k++) *f[k] = strtoll(db_strs_at(ss, 6 * i + 1 + k, &len), NULL, 10);
    }
    j->ps.rows = rows;
    j->ps.n_rows = n;
    stats_done(r, &j->ps);
    free(rows);
}

static void stats_cb(srv_req *r, const db_stats *s) {
    stats_job *j = r->st;
    proto_program_stats *ps = &j->ps;
    if (s->has_unmatched) memcpy(ps->unmatched, s->unmatched, sizeof ps->unmatched);
    snprintf(ps->program, sizeof ps->program, "%s", j->program);
    ps->mentees = s->mentees;
    ps->coaches = s->coaches;
    ps->capacity = s->capacity;
    ps->load = s->load;
    ps->utilisation = s->capacity > 0 ? (double)s->load / (double)s->capacity : 0.0;
    ps->coverage = s->mentees > 0 ? (double)s->covered / (double)s->mentees : 0.0;
    for (size_t k = 0; k < PROTO_MATCH_STATUS__COUNT; k++) ps->matches[k] = s->matches[k];
    snprintf(ps->last_run_id, sizeof ps->last_run_id, "%s", s->last_run_id);
    ps->jp_total = proto_jp(s->jp_minutes);
    ps->jp_minutes = s->jp_minutes;
    ps->feedback_count = s->feedback_count;
    ps->feedback_mean_rating = s->feedback_count ? (double)s->feedback_sum / (double)s->feedback_count : 0.0;
    if (ps->by < 0)
        stats_done(r, ps);
    else
        db_stats_by(r, j->program, proto_stats_by_names[ps->by], stats_by_cb);
}

void m_stats_get(srv_req *r, const api_stats_get_params *p) {
    if (mscope(r, p->program)) return;
    stats_job *j = calloc(1, sizeof(*j));
    if (!j) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    snprintf(j->program, sizeof j->program, "%s", p->program);
    j->ps.by = p->has_by ? p->by : -1;
    r->st = j;
    r->st_free = free;
    db_stats_get(r, j->program, stats_cb);
}
