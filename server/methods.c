/* methods.c — helpers shared by the handlers, the
 * proto -> matcher adapters and the pub/sub event dispatcher. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/coachidx.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"

/* ------------------------------------------------------------ helpers */

int mcmd(srv_req *r, store_cb *cb, sargs *a) {
    if (script_cmd(r->srv->st, cb, r, a) != STORE_OK) {
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

int mscope(srv_req *r, const char *program) {
    if (r->sess.role != ROLE_COORDINATOR) return 0;
    if (auth_in_scope(r->sess.programs, program, strlen(program))) return 0;
    srv_req_fail(r, PROTO_E_FORBIDDEN, NULL, "program %s is outside your programs", program);
    return -1;
}

/* Bytes read back from Redis were written by us, but Redis is outside this
 * process: a corrupted or foreign value must not make msgpack-c allocate a
 * declared count up front (design.md §7), so every stored blob passes the same
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

/* ------------------------------------------------------------ adapters */

void madapt_mentee_init(madapt_mentee *a, const proto_mentee *p) {
    memset(a, 0, sizeof *a);
    for (size_t i = 0; i < p->n_competencies; i++) {
        a->needs[i].code = p->competencies[i].code;
        a->needs[i].current = p->competencies[i].current;
        a->needs[i].required = p->competencies[i].required;
    }
    for (size_t i = 0; i < p->n_languages; i++) a->langs[i] = p->languages[i];
    a->m.id = p->id;
    a->m.agency = p->agency;
    a->m.position_class = p->position_class;
    a->m.province = p->province;
    a->m.program = p->program;
    a->m.competencies = a->needs;
    a->m.n_competencies = p->n_competencies;
    a->m.modality = p->modality;
    a->m.languages = a->langs;
    a->m.n_languages = p->n_languages;
    a->m.availability = p->availability;
}

const char *madapt_org(const char *org, char *buf) {
    size_t n = strlen(org);
    int token = n > 0 && n <= MATCH_CODE_MAX;
    for (const char *q = org; token && *q; q++)
        if (*q <= ' ' || *q == ',' || (unsigned char)*q >= 0x7f) token = 0;
    if (token) return org;
    uint64_t h = 1469598103934665603ull;     /* FNV-1a: stable across processes */
    for (const char *q = org; *q; q++) h = (h ^ (unsigned char)*q) * 1099511628211ull;
    snprintf(buf, MADAPT_ORG_BUF, "~%016llx", (unsigned long long)h);
    return buf;
}

void madapt_coach_init(madapt_coach *a, const proto_coach *p, int load) {
    memset(a, 0, sizeof *a);
    for (size_t i = 0; i < p->n_competencies; i++) {
        a->skills[i].code = p->competencies[i].code;
        a->skills[i].level = p->competencies[i].level;
    }
    for (size_t i = 0; i < p->n_languages; i++) a->langs[i] = p->languages[i];
    for (size_t i = 0; i < p->n_programs; i++) a->programs[i] = p->programs[i];
    a->c.id = p->id;
    a->c.kind = (unsigned)p->kind < PROTO_COACH_KIND__COUNT ? proto_coach_kind_names[p->kind] : "";
    a->c.organization = madapt_org(p->organization, a->org);
    a->c.rank = p->rank;
    a->c.province = p->province;
    a->c.competencies = a->skills;
    a->c.n_competencies = p->n_competencies;
    a->c.capacity = p->capacity;
    a->c.load = load < 0 ? 0 : load;
    a->c.programs = a->programs;
    a->c.n_programs = p->n_programs;
    a->c.modality = p->modality;
    a->c.languages = a->langs;
    a->c.n_languages = p->n_languages;
    a->c.availability = p->availability;
}

/* --------------------------------------------------------------- events */

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
        /* the match hash as Lua's cmsgpack packed HGETALL's list */
        proto_match *m = malloc(sizeof *m);
        if (!m || pack_conv_match_array(&a->ptr[1].via.array, m)) {
            log_warn("ignoring a match event that does not make a match");
        } else {
            srv_notify_subject(s, ROLE_MENTEE, m->mentee_id, "match.updated", pack_match_updated, m);
            srv_notify_subject(s, ROLE_COACH, m->coach_id, "match.updated", pack_match_updated, m);
        }
        free(m);
    }
    msgpack_unpacked_destroy(&u);
}
