/* methods_match.c — match.* (but match.run, see runs.c), meeting.log,
 * feedback.put, stats.get.
 *
 * Every state change is one Lua script (scripts.c) that checks and writes
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
#include "server/log.h"
#include "server/methods.h"
#include "server/runs.h"
#include "server/util.h"

#define REVIEW_MAX 100
#define MATCH_LIST_DEFAULT 50
#define MATCH_LIST_MAX 500
#define SUGGEST_DEFAULT 10
#define MEETING_MINUTES_MAX 600
#define TOPIC_MAX 200
#define NOTE_MAX 500
#define COMMENT_MAX 2000
#define JP_MINUTES 45


static const char *role_str(const srv_req *r) { return auth_role_name(r->sess.role); }

/* Reply {match} from a script reply {'ok', flat}. */
static void match_result_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    const redisReply *flat = mel(reply, 1);
    if (!flat || flat->type != REDIS_REPLY_ARRAY) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    msgpack_packer *pk = srv_req_ok(r);
    msgpack_pack_map(pk, 1);
    mpack_str(pk, "match");
    mpack_match_flat(pk, flat);
    srv_req_done(r);
}

static void ok_empty_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    msgpack_pack_map(srv_req_ok(r), 0);
    srv_req_done(r);
}

static int read_id(srv_req *r, const proto_map *m, const char *key, size_t max, char *out, size_t outsz) {
    proto_error e;
    if (proto_read_str(m, key, PROTO_REQUIRED, 1, max, PROTO_CS_CODE, out, outsz, &e) < 0) {
        srv_req_fail_err(r, &e);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ context
 * SCRIPT_SUGGEST_CTX gives the mentee profile, its program, the coaches
 * forbidden for it and (optionally) one coach profile with its load. */

typedef struct pair_ctx {
    int what;                       /* CTX_* */
    char mentee_id[PROTO_ID_MAX + 1];
    char coach_id[PROTO_ID_MAX + 1];
    int64_t limit;
    proto_mentee mentee;
    proto_coach coach;
    int coach_load;
    char forbidden_csv[4096];
    const char *forbidden[256];
    size_t n_forbidden;
} pair_ctx;

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

static void pack_explain_blob(msgpack_sbuffer *sb, const match_explain *ex) {
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    mpack_explain(&pk, ex);
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

static void do_suggest(srv_req *r, pair_ctx *c) {
    if (!index_ready(r)) return;
    madapt_mentee am;
    madapt_mentee_init(&am, &c->mentee);
    match_query q = {&am.m, NULL, c->forbidden, c->n_forbidden};
    match_suggestion *sug = calloc((size_t)c->limit, sizeof *sug);
    if (!sug) { srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory"); return; }
    size_t n = 0;
    match_err me;
    memset(&me, 0, sizeof me);
    const match_index *idx = coachidx_index(r->srv->cidx);
    if (match_suggest(idx, &q, (size_t)c->limit, sug, &n, &me) != MATCH_OK) {
        free(sug);
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "suggest failed: %s %s", me.field, me.msg);
        return;
    }
    msgpack_packer *pk = srv_req_ok(r);
    msgpack_pack_map(pk, 1);
    mpack_str(pk, "items");
    msgpack_pack_array(pk, n);
    for (size_t i = 0; i < n; i++) {
        match_explain ex;
        msgpack_pack_map(pk, 3);
        mpack_kv_str(pk, "coach_id", sug[i].coach_id);
        mpack_kv_int(pk, "score", sug[i].score);
        mpack_str(pk, "explain");
        if (match_explain_coach(idx, &q, sug[i].coach_id, &ex, &me) == MATCH_OK) mpack_explain(pk, &ex);
        else msgpack_pack_nil(pk);
    }
    free(sug);
    srv_req_done(r);
}

static void do_explain(srv_req *r, pair_ctx *c) {
    if (!index_ready(r)) return;
    madapt_mentee am;
    madapt_mentee_init(&am, &c->mentee);
    match_query q = {&am.m, NULL, c->forbidden, c->n_forbidden};
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
    msgpack_packer *pk = srv_req_ok(r);
    msgpack_pack_map(pk, 1);
    mpack_str(pk, "explain");
    mpack_explain(pk, &ex);
    srv_req_done(r);
}

static void do_request(srv_req *r, pair_ctx *c) {
    madapt_mentee am;
    madapt_coach ac;
    madapt_mentee_init(&am, &c->mentee);
    madapt_coach_init(&ac, &c->coach, c->coach_load);
    match_explain ex;
    match_err me;
    memset(&me, 0, sizeof me);
    if (match_explain_pair(r->srv->catalog.cat, &am.m, &ac.c, NULL, ctx_is_forbidden(c, c->coach_id), &ex, &me) != MATCH_OK) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot score the pair: %s %s", me.field, me.msg);
        return;
    }
    /* capacity, program and forbidden are decided atomically by the script;
     * the other constraints make the pair unworkable whoever asks */
    if (!ex.feasible && ex.reason != MATCH_REASON_CAPACITY && ex.reason != MATCH_REASON_PROGRAM &&
        ex.reason != MATCH_REASON_FORBIDDEN && ex.reason != MATCH_REASON_MIN_SCORE) {
        srv_req_fail(r, PROTO_E_CONFLICT, "coach_id", "this coach cannot take you: %s", match_reason_name(ex.reason));
        return;
    }
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    pack_explain_blob(&sb, &ex);
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_MATCH_REQUEST, r->srv->cfg->redis_prefix);
    sargs_adds(&a, c->mentee_id);
    sargs_adds(&a, c->coach_id);
    sargs_addll(&a, ex.score);
    sargs_add(&a, sb.data, sb.size);
    sargs_addll(&a, (long long)time(NULL));
    mcmd(r, match_result_cb, &a);
    msgpack_sbuffer_destroy(&sb);
}

static void ctx_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    pair_ctx *c = r->st;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    const redisReply *mb = mel(reply, 1), *prog = mel(reply, 2), *forb = mel(reply, 3), *cb = mel(reply, 4);
    if (!mb || !prog || !forb || !cb || mb->type != REDIS_REPLY_STRING ||
        prog->type != REDIS_REPLY_STRING || forb->type != REDIS_REPLY_STRING) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    if (mscope(r, prog->str)) return;
    if (mblob_mentee(r->srv, mb->str, mb->len, &c->mentee)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored mentee profile does not decode");
        return;
    }
    snprintf(c->forbidden_csv, sizeof c->forbidden_csv, "%s", forb->str);
    ctx_forbidden_split(c);
    if (c->coach_id[0]) {
        if (cb->type != REDIS_REPLY_STRING || mblob_coach(r->srv, cb->str, cb->len, &c->coach)) {
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored coach profile does not decode");
            return;
        }
        c->coach_load = (int)mel_ll(reply, 5, 0);
    }
    if (c->what == CTX_SUGGEST) do_suggest(r, c);
    else if (c->what == CTX_EXPLAIN) do_explain(r, c);
    else do_request(r, c);
}

static void ctx_fetch(srv_req *r, pair_ctx *c) {
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_SUGGEST_CTX, r->srv->cfg->redis_prefix);
    sargs_adds(&a, c->mentee_id);
    sargs_adds(&a, c->coach_id);
    mcmd(r, ctx_cb, &a);
}

static pair_ctx *ctx_new(srv_req *r, int what) {
    pair_ctx *c = mstate(r, sizeof *c, NULL);
    if (c) c->what = what;
    return c;
}

void m_match_suggest(srv_req *r) {
    static const char *const keys[] = {"mentee_id", "limit", NULL};
    proto_map m;
    proto_error e;
    if (mparams(r, &m, keys)) return;
    pair_ctx *c = ctx_new(r, CTX_SUGGEST);
    if (!c) return;
    c->limit = SUGGEST_DEFAULT;
    if (read_id(r, &m, "mentee_id", PROTO_ID_MAX, c->mentee_id, sizeof c->mentee_id)) return;
    if (proto_read_int(&m, "limit", PROTO_OPTIONAL, 1, MATCH_SUGGEST_MAX, &c->limit, &e) < 0) {
        srv_req_fail_err(r, &e);
        return;
    }
    if (r->sess.role == ROLE_MENTEE && strcmp(c->mentee_id, r->sess.subject)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "mentee_id", "a mentee may only ask suggestions for itself");
        return;
    }
    ctx_fetch(r, c);
}

void m_match_explain(srv_req *r) {
    static const char *const keys[] = {"mentee_id", "coach_id", NULL};
    proto_map m;
    if (mparams(r, &m, keys)) return;
    pair_ctx *c = ctx_new(r, CTX_EXPLAIN);
    if (!c) return;
    if (read_id(r, &m, "mentee_id", PROTO_ID_MAX, c->mentee_id, sizeof c->mentee_id) ||
        read_id(r, &m, "coach_id", PROTO_ID_MAX, c->coach_id, sizeof c->coach_id))
        return;
    if (r->sess.role == ROLE_MENTEE && strcmp(c->mentee_id, r->sess.subject)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "mentee_id", "a mentee may only explain its own pairs");
        return;
    }
    ctx_fetch(r, c);
}

void m_match_request(srv_req *r) {
    static const char *const keys[] = {"coach_id", NULL};
    proto_map m;
    if (mparams(r, &m, keys)) return;
    pair_ctx *c = ctx_new(r, CTX_REQUEST);
    if (!c) return;
    if (read_id(r, &m, "coach_id", PROTO_ID_MAX, c->coach_id, sizeof c->coach_id)) return;
    snprintf(c->mentee_id, sizeof c->mentee_id, "%s", r->sess.subject);
    ctx_fetch(r, c);
}

/* ---------------------------------------------------------------- run */

void m_match_run(srv_req *r) {
    static const char *const keys[] = {"program", "policy", NULL};
    proto_map m;
    proto_error e;
    char program[PROTO_CODE_MAX + 1];
    if (mparams(r, &m, keys)) return;
    if (read_id(r, &m, "program", PROTO_CODE_MAX, program, sizeof program)) return;
    if (mscope(r, program)) return;
    proto_policy pol;
    proto_policy_default(&pol);
    const msgpack_object *po = proto_map_get(&m, "policy");
    if (po && po->type != MSGPACK_OBJECT_NIL &&
        proto_policy_decode(po, "policy", &r->srv->catalog.vocab, &pol, &e) != PROTO_OK) {
        srv_req_fail_err(r, &e);
        return;
    }
    runs_start(r->srv->runs, r, program, &pol);
}

/* --------------------------------------------------------------- list */

static void list_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    const redisReply *cur = mel(reply, 1);
    if (!cur || cur->type != REDIS_REPLY_STRING) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    msgpack_packer *pk = srv_req_ok(r);
    msgpack_pack_map(pk, 2);
    mpack_str(pk, "items");
    msgpack_pack_array(pk, reply->elements - 2);
    for (size_t i = 2; i < reply->elements; i++) mpack_match_flat(pk, reply->element[i]);
    mpack_str(pk, "cursor");
    if (cur->len && cur->len < 32) {
        char id[40], hex[100];
        snprintf(id, sizeof id, "m:%s", cur->str);
        util_cursor_encode(id, hex);
        mpack_str(pk, hex);
    } else {
        msgpack_pack_nil(pk);
    }
    srv_req_done(r);
}

void m_match_list(srv_req *r) {
    static const char *const keys[] = {"run_id", "program", "status", "min_score", "cursor", "limit", NULL};
    proto_map m;
    proto_error e;
    char run[PROTO_OBJID_MAX + 1] = "", program[PROTO_CODE_MAX + 1] = "", cursor[200] = "", after[80] = "";
    int st = -1;
    int64_t min_score = 0, limit = MATCH_LIST_DEFAULT;
    if (mparams(r, &m, keys)) return;
    if (proto_read_str(&m, "run_id", PROTO_OPTIONAL, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, run, sizeof run, &e) < 0 ||
        proto_read_str(&m, "program", PROTO_OPTIONAL, 1, PROTO_CODE_MAX, PROTO_CS_CODE, program, sizeof program, &e) < 0 ||
        proto_read_enum(&m, "status", PROTO_OPTIONAL, proto_match_status_names, &st, &e) < 0 ||
        proto_read_int(&m, "min_score", PROTO_OPTIONAL, 0, PROTO_SCORE_MAX, &min_score, &e) < 0 ||
        proto_read_str(&m, "cursor", PROTO_OPTIONAL, 1, 150, PROTO_CS_CODE, cursor, sizeof cursor, &e) < 0 ||
        proto_read_int(&m, "limit", PROTO_OPTIONAL, 1, MATCH_LIST_MAX, &limit, &e) < 0) {
        srv_req_fail_err(r, &e);
        return;
    }
    if (!run[0] && !program[0]) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "program", "give run_id or program");
        return;
    }
    if (cursor[0] && (util_cursor_decode(cursor, after, sizeof after) || strncmp(after, "m:", 2))) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "cursor", "not a cursor this server returned");
        return;
    }
    if (program[0] && mscope(r, program)) return;
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_MATCH_LIST, r->srv->cfg->redis_prefix);
    sargs_adds(&a, run);
    sargs_adds(&a, program);
    sargs_adds(&a, st >= 0 ? proto_match_status_names[st] : "");
    sargs_addll(&a, min_score);
    sargs_adds(&a, after[0] ? after + 2 : "");
    sargs_addll(&a, limit);
    sargs_adds(&a, r->sess.programs);
    mcmd(r, list_cb, &a);
}

/* ------------------------------------------------------------- review */

static void review_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    if ((reply->elements - 1) % 4 || !mel_strs(reply, 1, reply->elements)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    size_t n = (reply->elements - 1) / 4;
    msgpack_packer *pk = srv_req_ok(r);
    msgpack_pack_map(pk, 1);
    mpack_str(pk, "results");
    msgpack_pack_array(pk, n);
    for (size_t i = 0; i < n; i++) {
        const redisReply *id = reply->element[1 + 4 * i], *st = reply->element[2 + 4 * i],
                         *code = reply->element[3 + 4 * i], *msg = reply->element[4 + 4 * i];
        msgpack_pack_map(pk, 2);
        mpack_kv_str(pk, "id", id->str);
        if (code->len == 0) {
            mpack_kv_str(pk, "status", st->str);
        } else {
            mpack_str(pk, "error");
            msgpack_pack_map(pk, 2);
            mpack_kv_str(pk, "code", code->str);
            mpack_kv_str(pk, "message", msg->str);
        }
    }
    srv_req_done(r);
}

void m_match_review(srv_req *r) {
    static const char *const keys[] = {"match_ids", "decision", "note", NULL};
    static const char *const decisions[] = {"approve", "reject", "cancel", "complete", NULL};
    proto_map m;
    proto_error e;
    proto_array ids;
    int dec;
    char note[NOTE_MAX + 1] = "";
    if (mparams(r, &m, keys)) return;
    if (proto_read_array(&m, "match_ids", PROTO_REQUIRED, 1, REVIEW_MAX, &ids, &e) < 0 ||
        proto_read_enum(&m, "decision", PROTO_REQUIRED, decisions, &dec, &e) < 0 ||
        proto_read_str(&m, "note", PROTO_OPTIONAL, 0, NOTE_MAX, PROTO_CS_TEXT, note, sizeof note, &e) < 0) {
        srv_req_fail_err(r, &e);
        return;
    }
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_MATCH_REVIEW, r->srv->cfg->redis_prefix);
    sargs_adds(&a, r->sess.programs);
    sargs_adds(&a, decisions[dec]);
    sargs_adds(&a, note);
    sargs_addll(&a, (long long)time(NULL));
    for (size_t i = 0; i < ids.arr->size; i++) {
        char id[PROTO_OBJID_MAX + 1];
        if (proto_elem_str(&ids, i, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, id, sizeof id, &e) != PROTO_OK) {
            sargs_free(&a);
            srv_req_fail_err(r, &e);
            return;
        }
        sargs_add_copy(&a, id);   /* id goes out of scope: copy it */
    }
    mcmd(r, review_cb, &a);
}

/* ---------------------------------------------------------- pin/forbid */

static void pin_or_forbid(srv_req *r, const char *kind) {
    static const char *const keys[] = {"program", "mentee_id", "coach_id", NULL};
    proto_map m;
    char program[PROTO_CODE_MAX + 1], mentee[PROTO_ID_MAX + 1], coach[PROTO_ID_MAX + 1];
    if (mparams(r, &m, keys)) return;
    if (read_id(r, &m, "program", PROTO_CODE_MAX, program, sizeof program) ||
        read_id(r, &m, "mentee_id", PROTO_ID_MAX, mentee, sizeof mentee) ||
        read_id(r, &m, "coach_id", PROTO_ID_MAX, coach, sizeof coach))
        return;
    if (mscope(r, program)) return;
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_PIN, r->srv->cfg->redis_prefix);
    sargs_adds(&a, kind);
    sargs_adds(&a, program);
    sargs_adds(&a, mentee);
    sargs_adds(&a, coach);
    sargs_adds(&a, r->sess.login);
    mcmd(r, ok_empty_cb, &a);
}

void m_match_pin(srv_req *r) { pin_or_forbid(r, "pin"); }
void m_match_forbid(srv_req *r) { pin_or_forbid(r, "forbid"); }

/* --------------------------------------------------------------- mine */

static void mine_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    msgpack_packer *pk = srv_req_ok(r);
    msgpack_pack_map(pk, 1);
    mpack_str(pk, "items");
    msgpack_pack_array(pk, reply->elements - 1);
    for (size_t i = 1; i < reply->elements; i++) mpack_match_flat(pk, reply->element[i]);
    srv_req_done(r);
}

void m_match_mine(srv_req *r) {
    static const char *const keys[] = {NULL};
    proto_map m;
    if (mparams(r, &m, keys)) return;
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_MATCH_MINE, r->srv->cfg->redis_prefix);
    sargs_adds(&a, role_str(r));
    sargs_adds(&a, r->sess.subject);
    mcmd(r, mine_cb, &a);
}

/* ------------------------------------------------------------ respond */

void m_match_respond(srv_req *r) {
    static const char *const keys[] = {"match_id", "accept", "note", NULL};
    proto_map m;
    proto_error e;
    char id[PROTO_OBJID_MAX + 1], note[NOTE_MAX + 1] = "";
    bool accept;
    if (mparams(r, &m, keys)) return;
    if (read_id(r, &m, "match_id", PROTO_OBJID_MAX, id, sizeof id)) return;
    if (proto_read_bool(&m, "accept", PROTO_REQUIRED, &accept, &e) < 0 ||
        proto_read_str(&m, "note", PROTO_OPTIONAL, 0, NOTE_MAX, PROTO_CS_TEXT, note, sizeof note, &e) < 0) {
        srv_req_fail_err(r, &e);
        return;
    }
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_MATCH_RESPOND, r->srv->cfg->redis_prefix);
    sargs_adds(&a, id);
    sargs_adds(&a, role_str(r));
    sargs_adds(&a, r->sess.subject);
    sargs_adds(&a, accept ? "1" : "0");
    sargs_adds(&a, note);
    sargs_addll(&a, (long long)time(NULL));
    mcmd(r, match_result_cb, &a);
}

/* ------------------------------------------------------ meeting, feedback */

static void meeting_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    const redisReply *mid = mel(reply, 1);
    if (!mid || mid->type != REDIS_REPLY_STRING) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    msgpack_packer *pk = srv_req_ok(r);
    msgpack_pack_map(pk, 3);
    mpack_kv_str(pk, "meeting_id", mid->str);
    mpack_kv_int(pk, "jp_total", mel_ll(reply, 2, 0) / JP_MINUTES);
    mpack_kv_int(pk, "minutes_total", mel_ll(reply, 2, 0));
    srv_req_done(r);
}

void m_meeting_log(srv_req *r) {
    static const char *const keys[] = {"match_id", "date", "minutes", "topic", NULL};
    proto_map m;
    proto_error e;
    char id[PROTO_OBJID_MAX + 1], date[16], topic[TOPIC_MAX + 1] = "";
    int64_t minutes;
    if (mparams(r, &m, keys)) return;
    if (read_id(r, &m, "match_id", PROTO_OBJID_MAX, id, sizeof id)) return;
    if (proto_read_str(&m, "date", PROTO_REQUIRED, 10, 10, PROTO_CS_CODE, date, sizeof date, &e) < 0 ||
        proto_read_int(&m, "minutes", PROTO_REQUIRED, 1, MEETING_MINUTES_MAX, &minutes, &e) < 0 ||
        proto_read_str(&m, "topic", PROTO_OPTIONAL, 0, TOPIC_MAX, PROTO_CS_LINE, topic, sizeof topic, &e) < 0) {
        srv_req_fail_err(r, &e);
        return;
    }
    if (!util_date_valid(date)) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "date", "must be a real date YYYY-MM-DD (2000..2100)");
        return;
    }
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_MEETING_LOG, r->srv->cfg->redis_prefix);
    sargs_adds(&a, id);
    sargs_adds(&a, role_str(r));
    sargs_adds(&a, r->sess.subject);
    sargs_adds(&a, date);
    sargs_addll(&a, minutes);
    sargs_adds(&a, topic);
    sargs_addll(&a, (long long)time(NULL));
    mcmd(r, meeting_cb, &a);
}

void m_feedback_put(srv_req *r) {
    static const char *const keys[] = {"match_id", "rating", "comment", NULL};
    proto_map m;
    proto_error e;
    char id[PROTO_OBJID_MAX + 1], comment[COMMENT_MAX + 1] = "";
    int64_t rating;
    if (mparams(r, &m, keys)) return;
    if (read_id(r, &m, "match_id", PROTO_OBJID_MAX, id, sizeof id)) return;
    if (proto_read_int(&m, "rating", PROTO_REQUIRED, 1, 5, &rating, &e) < 0 ||
        proto_read_str(&m, "comment", PROTO_OPTIONAL, 0, COMMENT_MAX, PROTO_CS_TEXT, comment, sizeof comment, &e) < 0) {
        srv_req_fail_err(r, &e);
        return;
    }
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_FEEDBACK_PUT, r->srv->cfg->redis_prefix);
    sargs_adds(&a, id);
    sargs_adds(&a, role_str(r));
    sargs_adds(&a, r->sess.subject);
    sargs_addll(&a, rating);
    sargs_adds(&a, comment);
    sargs_addll(&a, (long long)time(NULL));
    mcmd(r, ok_empty_cb, &a);
}

/* -------------------------------------------------------------- stats */

static void stats_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    int shape_ok = reply->elements >= 11;
    for (size_t i = 11; shape_ok && i < reply->elements; i += 2) shape_ok = mel_strs(reply, i, i + 1);
    if (!shape_ok) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    long long mentees = mel_ll(reply, 1, 0), coaches = mel_ll(reply, 2, 0), cap = mel_ll(reply, 3, 0),
              load = mel_ll(reply, 4, 0), jpmin = mel_ll(reply, 5, 0), covered = mel_ll(reply, 8, 0),
              fbn = mel_ll(reply, 9, 0), fbsum = mel_ll(reply, 10, 0);
    const redisReply *last = mel(reply, 6), *lst = mel(reply, 7);
    proto_run_stats rs;
    int has_rs = 0;
    if (lst && lst->type == REDIS_REPLY_STRING && lst->len) {
        msgpack_unpacked u;
        msgpack_unpacked_init(&u);
        proto_error e;
        if (mblob_unpack(lst->str, lst->len, &u) == 0 &&
            proto_run_stats_decode(&u.data, "stats", &rs, &e) == PROTO_OK)
            has_rs = 1;
        msgpack_unpacked_destroy(&u);
    }
    msgpack_packer *pk = srv_req_ok(r);
    msgpack_pack_map(pk, 13);
    mpack_kv_str(pk, "program", (const char *)r->st);
    mpack_kv_int(pk, "mentees", mentees);
    mpack_kv_int(pk, "coaches", coaches);
    mpack_kv_int(pk, "capacity", cap);
    mpack_kv_int(pk, "load", load);
    mpack_str(pk, "utilisation");
    msgpack_pack_double(pk, cap > 0 ? (double)load / (double)cap : 0.0);
    mpack_str(pk, "coverage");
    msgpack_pack_double(pk, mentees > 0 ? (double)covered / (double)mentees : 0.0);
    mpack_str(pk, "matches");
    size_t nst = (reply->elements - 11) / 2;
    msgpack_pack_map(pk, nst);
    for (size_t i = 0; i < nst; i++) {
        mpack_str(pk, reply->element[11 + 2 * i]->str);
        msgpack_pack_int64(pk, mel_ll(reply, 12 + 2 * i, 0));
    }
    mpack_str(pk, "unmatched");
    msgpack_pack_map(pk, PROTO_UNMATCHED__COUNT);
    for (int i = 0; i < PROTO_UNMATCHED__COUNT; i++) {
        mpack_str(pk, proto_unmatched_names[i]);
        msgpack_pack_uint32(pk, has_rs ? rs.unmatched[i] : 0);
    }
    mpack_str(pk, "last_run_id");
    if (last && last->type == REDIS_REPLY_STRING && last->len) mpack_strn(pk, last->str, last->len);
    else msgpack_pack_nil(pk);
    mpack_kv_int(pk, "jp_total", jpmin / JP_MINUTES);
    mpack_kv_int(pk, "jp_minutes", jpmin);
    mpack_str(pk, "feedback");
    msgpack_pack_map(pk, 2);
    mpack_kv_int(pk, "count", fbn);
    mpack_str(pk, "mean_rating");
    msgpack_pack_double(pk, fbn ? (double)fbsum / (double)fbn : 0.0);
    srv_req_done(r);
}

void m_stats_get(srv_req *r) {
    static const char *const keys[] = {"program", NULL};
    proto_map m;
    char program[PROTO_CODE_MAX + 1];
    if (mparams(r, &m, keys)) return;
    if (read_id(r, &m, "program", PROTO_CODE_MAX, program, sizeof program)) return;
    if (mscope(r, program)) return;
    r->st = strdup(program);
    r->st_free = free;
    if (!r->st) { srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory"); return; }
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_STATS, r->srv->cfg->redis_prefix);
    sargs_adds(&a, program);
    mcmd(r, stats_cb, &a);
}
