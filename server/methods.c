/* methods.c — the method table and the helpers shared by the handlers. */
#include <stdlib.h>
#include <string.h>

#include "server/methods.h"

#define R_ADM ROLE_ADMIN
#define R_CO ROLE_COORDINATOR
#define R_ME ROLE_MENTEE
#define R_CH ROLE_COACH

/* Who may call what (DESIGN §3).  Ownership (a mentee only its own
 * profile and matches, a coordinator only its programs) is checked by each
 * handler once it knows the object. */
static const method_def methods[] = {
    {"auth.login", 0, m_auth_login},
    {"auth.resume", 0, m_auth_resume},
    {"auth.logout", ROLE_ANY, m_auth_logout},
    {"user.create", R_ADM | R_CO, m_user_create},
    {"user.disable", R_ADM, m_user_disable},
    {"mentee.put", R_ME | R_CO, m_mentee_put},
    {"mentee.get", R_ME | R_CO, m_mentee_get},
    {"coach.put", R_CH | R_CO, m_coach_put},
    {"coach.get", R_CH | R_CO, m_coach_get},
    {"mentee.list", R_CO, m_mentee_list},
    {"coach.list", R_CO, m_coach_list},
    {"match.suggest", R_ME | R_CO, m_match_suggest},
    {"match.request", R_ME, m_match_request},
    {"match.run", R_CO, m_match_run},
    {"match.list", R_CO, m_match_list},
    {"match.explain", R_ME | R_CO, m_match_explain},
    {"match.review", R_CO, m_match_review},
    {"match.pin", R_CO, m_match_pin},
    {"match.forbid", R_CO, m_match_forbid},
    {"match.mine", R_ME | R_CH, m_match_mine},
    {"match.respond", R_ME | R_CH, m_match_respond},
    {"meeting.log", R_ME | R_CH, m_meeting_log},
    {"feedback.put", R_ME | R_CH, m_feedback_put},
    {"stats.get", R_CO, m_stats_get},
};

const method_def *methods_find(const char *name) {
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (!strcmp(methods[i].name, name)) return &methods[i];
    return NULL;
}

/* ------------------------------------------------------------ helpers */

/* Reply of an mcmd() command: resend an EVALSHA that Redis does not know
 * (NOSCRIPT: Redis restarted or flushed its script cache) once as EVAL,
 * then hand the reply to the handler. */
static void mcmd_reply(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (status == STORE_OK && reply && reply->type == REDIS_REPLY_ERROR && !r->retried &&
        !strncmp(reply->str, "NOSCRIPT", 8) && r->args.argc >= 2 && !strcmp(r->args.argv[0], "EVALSHA")) {
        const char *text = script_text_by_sha(r->args.argv[1], r->args.len[1]);
        if (text) {
            r->retried = 1;
            r->args.argv[0] = "EVAL";
            r->args.len[0] = 4;
            r->args.argv[1] = text;
            r->args.len[1] = strlen(text);
            if (store_cmda(r->srv->st, mcmd_reply, r, &r->args) == STORE_OK) return;
            sargs_free(&r->args);
            srv_req_unavailable(r);
            return;
        }
    }
    sargs_free(&r->args);
    r->retried = 0;
    r->cb(r, reply, status);
}

int mcmd(srv_req *r, store_cb *cb, sargs *a) {
    sargs_free(&r->args);
    r->args = *a;
    sargs_init(a);
    sargs_own(&r->args, 2);    /* the caller's buffers may go before a resend */
    r->cb = cb;
    r->retried = 0;
    if (store_cmda(r->srv->st, mcmd_reply, r, &r->args) != STORE_OK) {
        sargs_free(&r->args);
        srv_req_unavailable(r);
        return -1;
    }
    return 0;
}

int mreply_ok(srv_req *r, redisReply *reply, int status) {
    if (status != STORE_OK || !reply) {
        srv_req_unavailable(r);
        return -1;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        /* e.g. LOADING, READONLY after a failover, a script bug */
        if (!strncmp(reply->str, "LOADING", 7) || !strncmp(reply->str, "READONLY", 8) ||
            !strncmp(reply->str, "BUSY", 4) || !strncmp(reply->str, "MASTERDOWN", 10))
            srv_req_fail(r, PROTO_E_UNAVAILABLE, NULL, "the store is unavailable: %.200s", reply->str);
        else
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "store error: %.200s", reply->str);
        return -1;
    }
    return 0;
}

int mscript_status(srv_req *r, redisReply *reply) {
    const redisReply *st = mel(reply, 0);
    if (!st || st->type != REDIS_REPLY_STRING) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return -1;
    }
    if (!strcmp(st->str, "ok")) return 0;
    proto_errcode code;
    if (proto_errcode_parse(st->str, st->len, &code) != PROTO_OK) code = PROTO_E_INTERNAL;
    const redisReply *msg = mel(reply, 1);
    const redisReply *field = mel(reply, 2);
    srv_req_fail(r, code, field && field->type == REDIS_REPLY_STRING ? field->str : NULL, "%s",
                 msg && msg->type == REDIS_REPLY_STRING ? msg->str : st->str);
    return -1;
}

void *mstate(srv_req *r, size_t size, void (*free_fn)(void *)) {
    void *st = calloc(1, size);
    if (!st) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return NULL;
    }
    r->st = st;
    r->st_free = free_fn ? free_fn : free;
    return st;
}

int mparams(srv_req *r, proto_map *m, const char *const *keys) {
    proto_error e;
    if (proto_map_open(m, r->msg.params, "", keys, &e) != PROTO_OK) {
        srv_req_fail_err(r, &e);
        return -1;
    }
    return 0;
}

int mscope(srv_req *r, const char *program) {
    if (r->sess.role != ROLE_COORDINATOR) return 0;
    if (auth_in_scope(r->sess.programs, program, strlen(program))) return 0;
    srv_req_fail(r, PROTO_E_FORBIDDEN, NULL, "program %s is outside your programs", program);
    return -1;
}

/* ------------------------------------------------------------- packers */

void mpack_strn(msgpack_packer *pk, const char *s, size_t n) {
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}
void mpack_str(msgpack_packer *pk, const char *s) { mpack_strn(pk, s, strlen(s)); }
void mpack_kv_str(msgpack_packer *pk, const char *k, const char *v) { mpack_str(pk, k); mpack_str(pk, v); }
void mpack_kv_int(msgpack_packer *pk, const char *k, long long v) { mpack_str(pk, k); msgpack_pack_int64(pk, v); }

void mpack_explain(msgpack_packer *pk, const match_explain *e) {
    const char *reason = e->feasible ? NULL : match_reason_name(e->reason);
    msgpack_pack_map(pk, reason ? 7 : 6);
    mpack_kv_int(pk, "score", e->score);
    mpack_str(pk, "feasible");
    if (e->feasible) msgpack_pack_true(pk); else msgpack_pack_false(pk);
    if (reason) mpack_kv_str(pk, "reason", reason);
    mpack_str(pk, "gap_coverage");
    msgpack_pack_double(pk, e->gap_coverage);
    mpack_str(pk, "location");
    msgpack_pack_double(pk, e->location);
    mpack_str(pk, "availability");
    msgpack_pack_double(pk, e->availability);
    mpack_str(pk, "competencies");
    msgpack_pack_array(pk, e->n_competencies);
    for (size_t i = 0; i < e->n_competencies; i++) {
        const match_explain_comp *c = &e->competencies[i];
        msgpack_pack_map(pk, 4);
        mpack_kv_str(pk, "code", c->code);
        mpack_kv_int(pk, "gap", c->gap);
        mpack_kv_int(pk, "coach_level", c->coach_level);
        mpack_kv_int(pk, "covered", c->covered);
    }
}

/* Match hash fields and how they are packed; internal fields (mentee_ok,
 * coach_ok, jp_minutes, notes) are skipped, and so is any pair whose key
 * or value is not a string (a reply from another script version must not
 * produce a map whose count disagrees with its items). */
enum { FLAT_SKIP, FLAT_STR, FLAT_INT, FLAT_EXPLAIN };

static int flat_kind(const redisReply *k, const redisReply *v) {
    static const char *const str_fields[] = {"id", "program", "mentee_id", "coach_id", "status", "run_id", NULL};
    static const char *const int_fields[] = {"score", "created_at", "updated_at", NULL};
    if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) return FLAT_SKIP;
    if (!strcmp(k->str, "explain"))
        return v->len && proto_body_check(v->str, v->len, NULL, NULL) == PROTO_OK ? FLAT_EXPLAIN : FLAT_SKIP;
    if (!strcmp(k->str, "run_id") && !v->len) return FLAT_SKIP;
    for (int j = 0; str_fields[j]; j++) if (!strcmp(k->str, str_fields[j])) return FLAT_STR;
    for (int j = 0; int_fields[j]; j++) if (!strcmp(k->str, int_fields[j])) return FLAT_INT;
    return FLAT_SKIP;
}

void mpack_match_flat(msgpack_packer *pk, const redisReply *flat) {
    size_t pairs = flat->type == REDIS_REPLY_ARRAY ? flat->elements / 2 : 0, n = 0;
    for (size_t i = 0; i < pairs; i++)
        n += flat_kind(flat->element[2 * i], flat->element[2 * i + 1]) != FLAT_SKIP;
    msgpack_pack_map(pk, n);
    for (size_t i = 0; i < pairs; i++) {
        const redisReply *k = flat->element[2 * i], *v = flat->element[2 * i + 1];
        switch (flat_kind(k, v)) {
        case FLAT_EXPLAIN:
            /* a msgpack map packed by mpack_explain when the match was made */
            mpack_str(pk, "explain");
            msgpack_sbuffer_write(pk->data, v->str, v->len);
            break;
        case FLAT_STR: mpack_str(pk, k->str); mpack_strn(pk, v->str, v->len); break;
        case FLAT_INT: mpack_str(pk, k->str); msgpack_pack_int64(pk, strtoll(v->str, NULL, 10)); break;
        default: break;
        }
    }
}
