/* methods_profile.c — mentee.put/get/list and coach.put/get/list.
 *
 * Profiles are validated by libproto against the catalogues, then stored
 * as the canonical msgpack map that proto_*_pack() writes, with a version
 * (compare-and-set through if_version) in the hash mentee:<id> or
 * coach:<id>.  Ownership: a mentee or coach user only its own subject, an
 * existing profile, and not its coordinator-owned fields; a coordinator
 * only profiles of its programs (a coach lists 1..16 programs, each of
 * which must exist: profile_put.lua).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/db.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"
#include "server/util.h"

static void put_done(srv_req *r, long long version) {
    pack_put_result(srv_req_ok(r), (const char *)r->st, version);
    srv_req_done(r);
}

/* Shared tail of mentee.put and coach.put.  A mentee or coach user writes
 * its own profile (checked by the caller): profile_put.lua then refuses a
 * change of the coordinator-owned fields (DESIGN §9) against the stored
 * profile, in the same script as the write. */
static void profile_store(srv_req *r, const char *kind, const char *id, const msgpack_sbuffer *blob,
                          long long if_version, const char *programs, const char *province, int capacity,
                          const char *scope) {
    int self = r->sess.role == ROLE_MENTEE || r->sess.role == ROLE_COACH;
    r->st = strdup(id);
    r->st_free = free;
    if (!r->st) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    db_profile_put(r, kind, id, blob->data, blob->size, if_version, scope, programs, province, capacity, r->sess.login,
                   self, put_done);
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
    profile_store(r, "mentee", p->id, &sb, pp->has_if_version ? pp->if_version : -1, p->program, p->province, 0,
                  r->sess.role == ROLE_COORDINATOR ? r->sess.programs : "");
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
    for (size_t i = 0; i < p->n_programs; i++) {
        if (i) strcat(programs, ",");
        strcat(programs, p->programs[i]);
    }
    if (r->sess.role == ROLE_COACH && strcmp(p->id, r->sess.subject)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "profile.id", "a coach may only write its own profile");
        return;
    }
    /* A coordinator's scope is checked by profile_put.lua against the
     * stored programs as well as these: a coach it may write is one of
     * its programs', and the coach's other programs stay as they are. */
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    proto_coach_pack(&pk, p);
    profile_store(r, "coach", p->id, &sb, pp->has_if_version ? pp->if_version : -1, programs, p->province, p->capacity,
                  r->sess.role == ROLE_COORDINATOR ? r->sess.programs : "");
    msgpack_sbuffer_destroy(&sb);
}

/* ---- get ---- */

/* A coordinator sees a mentee of their programs, and a coach listing one
 * of their programs (a coach belongs to the programs it lists, DESIGN §9). */
static int get_in_scope(const srv_req *r, int is_coach, const char *prog, size_t len) {
    if (r->sess.role != ROLE_COORDINATOR) return 1;
    if (!is_coach) return auth_in_scope(r->sess.programs, prog, len);
    for (const char *p = prog; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (auth_in_scope(r->sess.programs, p, n)) return 1;
        p += n + (e != NULL);
    }
    return 0;
}

static void get_answer(srv_req *r, const db_profile *p, int is_coach) {
    if (!get_in_scope(r, is_coach, p->programs, p->programs_len)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, NULL, "this profile is outside your programs");
        return;
    }
    pack_profile(srv_req_ok(r), p->blob, p->len, p->version, is_coach, p->load);
    srv_req_done(r);
}

static void mentee_got(srv_req *r, const db_profile *p) { get_answer(r, p, 0); }
static void coach_got(srv_req *r, const db_profile *p) { get_answer(r, p, 1); }

static void profile_get(srv_req *r, const char *kind, const char *id) {
    if ((r->sess.role == ROLE_MENTEE || r->sess.role == ROLE_COACH) && strcmp(id, r->sess.subject)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "id", "a %s may only read its own profile", auth_role_name(r->sess.role));
        return;
    }
    db_profile_read(r, kind, id, !strcmp(kind, "coach") ? coach_got : mentee_got);
}

void m_mentee_get(srv_req *r, const api_mentee_get_params *p) { profile_get(r, "mentee", p->id); }
void m_coach_get(srv_req *r, const api_coach_get_params *p) { profile_get(r, "coach", p->id); }

/* ---- list ----
 * The cursor is util_cursor_encode() of the last id examined: opaque to
 * clients, and decoded ids are re-checked as codes. */

/* Pack {items, cursor}.  Items stop early when the next one would push
 * the response over max-frame (maximum-size profiles x limit 500 can be
 * larger); the cursor then points after the last item packed. */
static void list_done(srv_req *r, const db_page *pg) {
    size_t n = db_page_n(pg), take = 0, bytes = 64;
    size_t budget = r->srv->lim.max_frame > 256 ? r->srv->lim.max_frame - 256 : 0;
    const char *id, *blob;
    size_t len;
    for (; take < n; take++) {
        db_page_item(pg, take, &id, &blob, &len);
        if (bytes + len + 8 > budget) break;
        bytes += len + 8;
    }
    if (take == 0 && n > 0) {
        srv_req_fail(r, PROTO_E_TOO_LARGE, NULL, "one profile is larger than max-frame");
        return;
    }
    const char *next = db_page_next(pg);
    if (take < n) db_page_item(pg, take - 1, &next, &blob, &len);
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", take, true);
    for (size_t i = 0; i < take; i++) {
        db_page_item(pg, i, &id, &blob, &len);
        pack_raw(pk, blob, len);
    }
    char hex[2 * PROTO_ID_MAX + 3];
    const char *cursor = NULL;
    if (next && strlen(next) <= PROTO_ID_MAX) {
        util_cursor_encode(next, hex);
        cursor = hex;
    }
    pack_cursor(pk, cursor);
    srv_req_done(r);
}

static void profile_list(srv_req *r, const char *kind, const char *program, const char *province, const char *cursor,
                         int64_t limit) {
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
    db_profile_page(r, kind, after, limit, province, program, r->sess.programs, list_done);
}

void m_mentee_list(srv_req *r, const api_mentee_list_params *p) {
    profile_list(r, "mentee", p->program, p->province, p->cursor, p->limit);
}

void m_coach_list(srv_req *r, const api_coach_list_params *p) {
    profile_list(r, "coach", p->program, p->province, p->cursor, p->limit);
}
