/* methods_profile.c — mentee.put/get/list and coach.put/get/list.
 *
 * Profiles are validated by libproto against the catalogues, then stored
 * as the canonical msgpack map that proto_*_pack() writes, with a version
 * (compare-and-set through if_version) in the hash mentee:<id> or
 * coach:<id>.  Ownership: a mentee or coach user only its own subject; a
 * coordinator only profiles of its programs (a coach with no programs
 * coaches in every program, so every coordinator may edit it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/keys.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"
#include "server/util.h"


static void put_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    pack_put_result(srv_req_ok(r), (const char *)r->st, mel_ll(reply, 1, 0));
    srv_req_done(r);
}

/* Shared tail of mentee.put and coach.put. */
static void profile_store(srv_req *r, const char *kind, const char *id, const msgpack_sbuffer *blob,
                          long long if_version, const char *programs, const char *province,
                          int capacity, const char *scope) {
    r->st = strdup(id);
    r->st_free = free;
    if (!r->st) { srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory"); return; }
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_PROFILE_PUT, r->srv->cfg->redis_prefix);
    sargs_adds(&a, kind);
    sargs_adds(&a, id);
    sargs_add(&a, blob->data, blob->size);
    if (if_version >= 0) sargs_addll(&a, if_version); else sargs_adds(&a, "");
    sargs_adds(&a, scope);
    sargs_addll(&a, (long long)time(NULL));
    sargs_adds(&a, programs);
    sargs_adds(&a, province);
    sargs_addll(&a, capacity);
    sargs_adds(&a, r->sess.login);
    mcmd(r, put_cb, &a);
}

void m_mentee_put(srv_req *r, const api_mentee_put_params *pp) {
    const proto_mentee *p = &pp->profile;
    if (r->sess.role == ROLE_MENTEE && strcmp(p->id, r->sess.subject)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "profile.id", "a mentee may only write its own profile");
        return;
    }
    if (mscope(r, p->program)) return;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    proto_mentee_pack(&pk, p);
    profile_store(r, "mentee", p->id, &sb, pp->has_if_version ? pp->if_version : -1, p->program,
                  p->province, 0, r->sess.role == ROLE_COORDINATOR ? r->sess.programs : "");
    msgpack_sbuffer_destroy(&sb);
}

void m_coach_put(srv_req *r, const api_coach_put_params *pp) {
    const proto_coach *p = &pp->profile;
    /* libmatcher's own checks (catalogue codes of the coach kind etc.) */
    madapt_coach ad;
    madapt_coach_init(&ad, p, 0);
    match_err me;
    if (match_coach_check(r->srv->catalog.cat, &ad.c, &me) != MATCH_OK) {
        char field[PROTO_PATH_MAX];
        snprintf(field, sizeof field, "profile.%s", me.field);
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, field, "%s", me.msg);
        return;
    }
    char programs[PROTO_PROGRAMS_MAX * (PROTO_CODE_MAX + 1) + 1] = "";
    int in_scope = p->n_programs == 0;
    for (size_t i = 0; i < p->n_programs; i++) {
        if (i) strcat(programs, ",");
        strcat(programs, p->programs[i]);
        if (auth_in_scope(r->sess.programs, p->programs[i], strlen(p->programs[i]))) in_scope = 1;
    }
    if (r->sess.role == ROLE_COACH && strcmp(p->id, r->sess.subject)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "profile.id", "a coach may only write its own profile");
        return;
    }
    if (r->sess.role == ROLE_COORDINATOR && !in_scope) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "profile.programs", "the coach's programs are all outside your programs");
        return;
    }
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    proto_coach_pack(&pk, p);
    profile_store(r, "coach", p->id, &sb, pp->has_if_version ? pp->if_version : -1, programs,
                  p->province, p->capacity, r->sess.role == ROLE_COORDINATOR ? r->sess.programs : "");
    msgpack_sbuffer_destroy(&sb);
}

/* ---- get ----
 * coach.get reads two keys (the profile hash and load:<id>) in one script;
 * mentee.get reads one hash, so it is a plain HMGET: a script would only
 * cost Redis CPU on the most frequent read.  Both replies end in
 * get_answer(). */

/* A coordinator sees a mentee of their programs, and a coach with no
 * program (open to all) or with one of their programs. */
static int get_in_scope(const srv_req *r, int is_coach, const redisReply *prog) {
    if (r->sess.role != ROLE_COORDINATOR) return 1;
    if (!is_coach) return auth_in_scope(r->sess.programs, prog->str, prog->len);
    if (!prog->len) return 1;   /* a coach open to every program */
    for (const char *p = prog->str; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (auth_in_scope(r->sess.programs, p, n)) return 1;
        p += n + (e != NULL);
    }
    return 0;
}

static void get_answer(srv_req *r, int is_coach, const redisReply *blob, const redisReply *prog,
                       long long version, long long load) {
    if (!get_in_scope(r, is_coach, prog)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, NULL, "this profile is outside your programs");
        return;
    }
    if (proto_body_check(blob->str, blob->len, NULL, NULL) != PROTO_OK) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored profile does not decode");
        return;
    }
    pack_profile(srv_req_ok(r), blob->str, blob->len, version, is_coach, load);
    srv_req_done(r);
}

/* SCRIPT_PROFILE_GET: {'ok', blob, version, program, load} */
static void coach_get_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    if (!mel_strs(reply, 1, 2) || !mel_strs(reply, 3, 4)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    get_answer(r, 1, reply->element[1], reply->element[3], mel_ll(reply, 2, 0), mel_ll(reply, 4, 0));
}

/* HMGET mentee:<id> p v program: {blob, version, program}, nil when absent */
static void mentee_get_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status)) return;
    const redisReply *blob = mel(reply, 0);
    if (blob && blob->type == REDIS_REPLY_NIL && reply->elements == 3) {
        srv_req_fail(r, PROTO_E_NOT_FOUND, "id", "no such mentee");
        return;
    }
    if (reply->elements != 3 || !mel_strs(reply, 0, 3)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    get_answer(r, 0, blob, reply->element[2], mel_ll(reply, 1, 0), 0);
}

static void profile_get(srv_req *r, const char *kind, const char *id) {
    if ((r->sess.role == ROLE_MENTEE || r->sess.role == ROLE_COACH) && strcmp(id, r->sess.subject)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "id", "a %s may only read its own profile", auth_role_name(r->sess.role));
        return;
    }
    sargs a;
    sargs_init(&a);
    if (!strcmp(kind, "coach")) {
        script_args(&a, SCRIPT_PROFILE_GET, r->srv->cfg->redis_prefix);
        sargs_adds(&a, kind);
        sargs_adds(&a, id);
        mcmd(r, coach_get_cb, &a);
    } else {
        sargs_adds(&a, "HMGET");
        keys_add(&a, r->srv->cfg->redis_prefix, KEY_MENTEE, id);
        sargs_adds(&a, "p");
        sargs_adds(&a, "v");
        sargs_adds(&a, "program");
        mcmd(r, mentee_get_cb, &a);
    }
}

void m_mentee_get(srv_req *r, const api_mentee_get_params *p) { profile_get(r, "mentee", p->id); }
void m_coach_get(srv_req *r, const api_coach_get_params *p) { profile_get(r, "coach", p->id); }

/* ---- list ----
 * The cursor is util_cursor_encode() of the last id examined: opaque to
 * clients, and decoded ids are re-checked as codes. */

/* Pack {items, cursor}.  Items stop early when the next one would push
 * the response over max-frame (maximum-size profiles x limit 500 can be
 * larger); the cursor then points after the last item packed. */
static void list_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    const redisReply *cur = mel(reply, 1);
    if (!cur || cur->type != REDIS_REPLY_STRING || (reply->elements - 2) % 2 ||
        !mel_strs(reply, 2, reply->elements)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    size_t n = (reply->elements - 2) / 2, take = 0, bytes = 64;
    for (size_t i = 0; i < n; i++) {
        const redisReply *b = reply->element[3 + 2 * i];
        if (proto_body_check(b->str, b->len, NULL, NULL) != PROTO_OK) {
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored profile does not decode");
            return;
        }
    }
    size_t budget = r->srv->lim.max_frame > 256 ? r->srv->lim.max_frame - 256 : 0;
    while (take < n && bytes + reply->element[3 + 2 * take]->len + 8 <= budget) {
        bytes += reply->element[3 + 2 * take]->len + 8;
        take++;
    }
    const char *next = NULL;
    if (take < n) next = reply->element[2 + 2 * (take ? take - 1 : 0)]->str;
    else if (cur->len) next = cur->str;
    if (take == 0 && n > 0) {
        srv_req_fail(r, PROTO_E_TOO_LARGE, NULL, "one profile is larger than max-frame");
        return;
    }
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", take, true);
    for (size_t i = 0; i < take; i++)
        pack_raw(pk, reply->element[3 + 2 * i]->str, reply->element[3 + 2 * i]->len);
    char hex[2 * PROTO_ID_MAX + 3];
    const char *cursor = NULL;
    if (next && strlen(next) <= PROTO_ID_MAX) {
        util_cursor_encode(next, hex);
        cursor = hex;
    }
    pack_cursor(pk, cursor);
    srv_req_done(r);
}

static void profile_list(srv_req *r, const char *kind, const char *program, const char *province,
                         const char *cursor, int64_t limit) {
    char after[PROTO_ID_MAX + 1] = "";
    if (cursor[0] && util_cursor_decode(cursor, after, sizeof after)) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "cursor", "not a cursor this server returned");
        return;
    }
    if (program[0] && mscope(r, program)) return;
    if (province[0] && !proto_vocab_has(r->srv->catalog.vocab.provinces, r->srv->catalog.vocab.n_provinces, province)) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "province", "unknown province code %s", province);
        return;
    }
    /* Pick the narrowest index; the script filters the rest.  Its name
     * goes without the prefix: the script adds it. */
    int mentee = !strcmp(kind, "mentee");
    char index[PROTO_CODE_MAX + 32];
    if (mentee && program[0]) keys_name(index, sizeof index, "", KEY_IDX_MENTEE_PROG, program);
    else if (province[0]) keys_name(index, sizeof index, "", mentee ? KEY_IDX_MENTEE_PROV : KEY_IDX_COACH_PROV, province);
    else keys_name(index, sizeof index, "", mentee ? KEY_IDX_MENTEE : KEY_IDX_COACH, NULL);
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_LIST, r->srv->cfg->redis_prefix);
    sargs_adds(&a, kind);
    sargs_adds(&a, index);
    sargs_adds(&a, after);
    sargs_addll(&a, limit);
    sargs_adds(&a, province);
    sargs_adds(&a, program);
    sargs_adds(&a, r->sess.programs);
    mcmd(r, list_cb, &a);
}

void m_mentee_list(srv_req *r, const api_mentee_list_params *p) {
    profile_list(r, "mentee", p->program, p->province, p->cursor, p->limit);
}

void m_coach_list(srv_req *r, const api_coach_list_params *p) {
    profile_list(r, "coach", p->program, p->province, p->cursor, p->limit);
}
