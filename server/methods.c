/* methods.c — the method table, helpers shared by the handlers, the
 * proto -> matcher adapters and the pub/sub event dispatcher. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/coachidx.h"
#include "server/log.h"
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

int mel_strs(const redisReply *r, size_t from, size_t to) {
    if (!r || r->type != REDIS_REPLY_ARRAY || to > r->elements) return 0;
    for (size_t i = from; i < to; i++)
        if (r->element[i]->type != REDIS_REPLY_STRING) return 0;
    return 1;
}

const redisReply *mel(const redisReply *r, size_t i) {
    if (!r || r->type != REDIS_REPLY_ARRAY || i >= r->elements) return NULL;
    return r->element[i];
}

long long mel_ll(const redisReply *r, size_t i, long long dflt) {
    const redisReply *e = mel(r, i);
    if (!e) return dflt;
    if (e->type == REDIS_REPLY_INTEGER) return e->integer;
    if (e->type == REDIS_REPLY_STRING) return strtoll(e->str, NULL, 10);
    return dflt;
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

/* Bytes read back from Redis were written by us, but Redis is outside this
 * process: a corrupted or foreign value must not make msgpack-c allocate a
 * declared count up front (DESIGN §7), so every stored blob passes the same
 * pre-check as a client's frame before it is unpacked.  Returns 0 with the
 * object in *u (initialised by the caller), -1 otherwise. */
int mblob_unpack(const char *data, size_t len, msgpack_unpacked *u) {
    if (!data || proto_body_check(data, len, NULL, NULL) != PROTO_OK) return -1;
    return msgpack_unpack_next(u, data, len, NULL) == MSGPACK_UNPACK_SUCCESS ? 0 : -1;
}

int mblob_mentee(server *s, const char *data, size_t len, proto_mentee *out) {
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = -1;
    proto_error e;
    if (mblob_unpack(data, len, &u) == 0 &&
        proto_mentee_decode(&u.data, "profile", &s->catalog.vocab, out, &e) == PROTO_OK)
        rc = 0;
    msgpack_unpacked_destroy(&u);
    return rc;
}

int mblob_coach(server *s, const char *data, size_t len, proto_coach *out) {
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = -1;
    proto_error e;
    if (mblob_unpack(data, len, &u) == 0 &&
        proto_coach_decode(&u.data, "profile", &s->catalog.vocab, out, &e) == PROTO_OK)
        rc = 0;
    msgpack_unpacked_destroy(&u);
    return rc;
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

/* --------------------------------------------------------------- events */

/* Pack {match} from the msgpack array of strings that Lua's cmsgpack
 * packed (HGETALL order): build a redisReply-shaped view with
 * NUL-terminated copies so mpack_match_flat() serves both paths. */
#define EVENT_FIELDS_MAX 64

static void pack_match_from_obj(msgpack_packer *pk, void *ud) {
    const msgpack_object_array *a = ud;
    redisReply *els[EVENT_FIELDS_MAX];
    redisReply store_[EVENT_FIELDS_MAX];
    size_t n = a->size > EVENT_FIELDS_MAX ? EVENT_FIELDS_MAX : a->size;
    for (size_t i = 0; i < n; i++) {
        memset(&store_[i], 0, sizeof store_[i]);
        store_[i].type = REDIS_REPLY_STRING;
        const char *src = a->ptr[i].type == MSGPACK_OBJECT_STR ? a->ptr[i].via.str.ptr : "";
        size_t len = a->ptr[i].type == MSGPACK_OBJECT_STR ? a->ptr[i].via.str.size : 0;
        store_[i].str = malloc(len + 1);
        if (store_[i].str) {
            memcpy(store_[i].str, src, len);
            store_[i].str[len] = '\0';
            store_[i].len = len;
        } else {
            store_[i].str = NULL;
        }
        els[i] = &store_[i];
    }
    int ok = 1;
    for (size_t i = 0; i < n; i++) ok &= store_[i].str != NULL;
    redisReply flat;
    memset(&flat, 0, sizeof flat);
    flat.type = REDIS_REPLY_ARRAY;
    flat.elements = ok ? n : 0;
    flat.element = els;
    msgpack_pack_map(pk, 1);
    mpack_str(pk, "match");
    mpack_match_flat(pk, &flat);
    for (size_t i = 0; i < n; i++) free(store_[i].str);
}

/* Field keys in the flat array are not NUL-terminated inside msgpack; copy
 * the field names we compare on. */
static int obj_field(const msgpack_object_array *a, const char *name, char *out, size_t outsz) {
    for (size_t i = 0; i + 1 < a->size; i += 2) {
        const msgpack_object *k = &a->ptr[i], *v = &a->ptr[i + 1];
        if (k->type != MSGPACK_OBJECT_STR || v->type != MSGPACK_OBJECT_STR) continue;
        if (k->via.str.size == strlen(name) && !memcmp(k->via.str.ptr, name, k->via.str.size)) {
            size_t n = v->via.str.size < outsz - 1 ? v->via.str.size : outsz - 1;
            memcpy(out, v->via.str.ptr, n);
            out[n] = '\0';
            return 0;
        }
    }
    return -1;
}

static void strz(const msgpack_object *o, char *out, size_t outsz) {
    out[0] = '\0';
    if (o->type != MSGPACK_OBJECT_STR) return;
    size_t n = o->via.str.size < outsz - 1 ? o->via.str.size : outsz - 1;
    memcpy(out, o->via.str.ptr, n);
    out[n] = '\0';
}

void methods_on_event(server *s, const char *payload, size_t len) {
    if (!payload) {          /* (re)subscribed: refresh caches */
        coachidx_resync(s->cidx);
        return;
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    /* our own scripts packed it, but check like any input */
    if (mblob_unpack(payload, len, &u) != 0 ||
        u.data.type != MSGPACK_OBJECT_ARRAY || u.data.via.array.size < 2 ||
        u.data.via.array.ptr[0].type != MSGPACK_OBJECT_STR) {
        log_warn("ignoring a malformed event (%zu bytes)", len);
        msgpack_unpacked_destroy(&u);
        return;
    }
    const msgpack_object_array *a = &u.data.via.array;
    char kind[16];
    strz(&a->ptr[0], kind, sizeof kind);
    if (!strcmp(kind, "coach") && a->size == 4 && a->ptr[2].type == MSGPACK_OBJECT_STR) {
        char id[PROTO_ID_MAX + 1];
        strz(&a->ptr[1], id, sizeof id);
        int load = a->ptr[3].type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int)a->ptr[3].via.u64 : 0;
        coachidx_put_blob(s->cidx, a->ptr[2].via.str.ptr, a->ptr[2].via.str.size, load);
    } else if (!strcmp(kind, "load") && a->size == 3) {
        char id[PROTO_ID_MAX + 1];
        strz(&a->ptr[1], id, sizeof id);
        int load = a->ptr[2].type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int)a->ptr[2].via.u64 : 0;
        coachidx_set_load(s->cidx, id, load);
    } else if (!strcmp(kind, "logout") && a->size == 2) {
        char login[AUTH_LOGIN_MAX + 1];
        strz(&a->ptr[1], login, sizeof login);
        srv_logout_login(s, login);
    } else if (!strcmp(kind, "match") && a->size == 2 && a->ptr[1].type == MSGPACK_OBJECT_ARRAY) {
        const msgpack_object_array *f = &a->ptr[1].via.array;
        char mentee[PROTO_ID_MAX + 1] = "", coach[PROTO_ID_MAX + 1] = "";
        obj_field(f, "mentee_id", mentee, sizeof mentee);
        obj_field(f, "coach_id", coach, sizeof coach);
        srv_notify_subject(s, ROLE_MENTEE, mentee, "match.updated", pack_match_from_obj, (void *)f);
        srv_notify_subject(s, ROLE_COACH, coach, "match.updated", pack_match_from_obj, (void *)f);
    }
    msgpack_unpacked_destroy(&u);
}
