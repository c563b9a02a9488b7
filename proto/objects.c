/* objects.c -- codecs of the objects in results and notifications:
 * policy, explanation, match, run statistics and the error object
 * (design.md §3, §5).
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#include <string.h>

#include "proto/proto.h"

#define TIME_MAX (INT64_C(1) << 53) /* exact in a float64 client */

/* Packers trust the struct but never read past its arrays. */
#define CLAMP(n, max) ((n) < (max) ? (n) : (max))

const char *const proto_objective_names[] = { "participation", "quality", NULL };
const char *const proto_mode_names[] = { "optimal", "stable", NULL };
const char *const proto_match_status_names[] = { "proposed",  "requested", "approved", "accepted",  "active",
                                                 "completed", "rejected",  "declined", "cancelled", NULL };
const char *const proto_reason_names[] = { "program",  "capacity",     "same_agency", "rank",      "modality",
                                           "language", "availability", "forbidden",   "min_score", NULL };
const char *const proto_unmatched_names[] = { "no_feasible_coach", "capacity", "below_min_score", NULL };

static const char *const policy_keys[] = {
    "objective",          "mode", "min_score", "forbid_same_agency", "min_rank_gap", "waitlist_bonus", "weights",
    "competency_weights", NULL
};
static const char *const weights_keys[] = { "gap", "location", "availability", NULL };
static const char *const explain_keys[] = { "score",    "feasible",     "reason",       "gap_coverage",
                                            "location", "availability", "competencies", NULL };
static const char *const explain_comp_keys[] = { "code", "gap", "coach_level", "covered", NULL };
static const char *const match_keys[] = { "id",     "program", "mentee_id", "coach_id",   "status",
                                          "score",  "run_id",  "explain",   "created_at", "updated_at",
                                          "mentee", "coach",   "notes",     NULL };
static const char *const note_keys[] = { "by", "role", "text", "at", NULL };
static const char *const stats_keys[] = { "mentees",      "coaches",           "matched",   "unmatched",  "total_score",
                                          "mean_score",   "mean_gap_coverage", "certified", "elapsed_ms", "warm",
                                          "warm_mentees", "coach_classes",     NULL };
static const char *const error_keys[] = { "code", "message", "field", NULL };

static void pack_key(msgpack_packer *pk, const char *k) { proto_pack_cstr(pk, k); }

/* An int field into an int32_t, keeping *out when absent. */
static int read_i32(const proto_map *m, const char *key, proto_presence req, int64_t min, int64_t max, int32_t *out,
                    proto_error *err) {
    int64_t v;
    int rc = proto_read_int(m, key, req, min, max, &v, err);
    if (rc == 1) *out = (int32_t)v;
    return rc;
}

/* ---- policy ------------------------------------------------------------ */

void proto_policy_default(proto_policy *p) {
    memset(p, 0, sizeof(*p));
    p->objective = PROTO_OBJ_PARTICIPATION;
    p->mode = PROTO_MODE_OPTIMAL;
    p->min_score = 0;
    p->forbid_same_agency = true;
    p->min_rank_gap = 1;
    p->waitlist_bonus = 500;
    p->w_gap = 0.75;
    p->w_location = 0.15;
    p->w_availability = 0.10;
}

static int policy_weights(const proto_map *m, proto_policy *p, proto_error *err) {
    proto_map w;
    int rc = proto_read_map(m, "weights", PROTO_OPTIONAL, weights_keys, &w, err);
    if (rc <= 0) return rc;
    if (proto_read_float(&w, "gap", PROTO_OPTIONAL, 0, PROTO_WEIGHT_MAX, &p->w_gap, err) < 0 ||
        proto_read_float(&w, "location", PROTO_OPTIONAL, 0, PROTO_WEIGHT_MAX, &p->w_location, err) < 0 ||
        proto_read_float(&w, "availability", PROTO_OPTIONAL, 0, PROTO_WEIGHT_MAX, &p->w_availability, err) < 0)
        return PROTO_ERR;
    if (p->w_gap + p->w_location + p->w_availability <= 0)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, w.path, "weights must not all be 0");
    return 1;
}

/* competency_weights: a map whose keys are competency codes, so it cannot
 * be opened with a fixed key list. */
static int policy_comp_weights(const proto_map *m, const proto_vocab *v, proto_policy *p, proto_error *err) {
    char path[PROTO_PATH_MAX], kpath[PROTO_PATH_MAX];
    const msgpack_object *o = proto_map_get(m, "competency_weights");
    proto_path_key(path, sizeof(path), m->path, "competency_weights");
    if (o == NULL || o->type == MSGPACK_OBJECT_NIL) return 0;
    if (o->type != MSGPACK_OBJECT_MAP || o->via.map.size > PROTO_COMP_WEIGHTS_MAX)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, path, "must be a map of at most %d entries",
                               PROTO_COMP_WEIGHTS_MAX);
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object_kv *kv = &o->via.map.ptr[i];
        proto_comp_weight *cw = &p->comp_weights[i];
        proto_map one = { &o->via.map, "" };
        memcpy(one.path, path, sizeof(path));
        if (kv->key.type != MSGPACK_OBJECT_STR || kv->key.via.str.size == 0 || kv->key.via.str.size > PROTO_CODE_MAX)
            return proto_error_set(err, PROTO_E_INVALID_PARAMS, path, "keys must be competency codes");
        memcpy(cw->code, kv->key.via.str.ptr, kv->key.via.str.size);
        cw->code[kv->key.via.str.size] = '\0';
        proto_path_key(kpath, sizeof(kpath), path, cw->code);
        if (strlen(cw->code) != kv->key.via.str.size || !proto_competency_ok(v, cw->code))
            return proto_error_set(err, PROTO_E_INVALID_PARAMS, strlen(cw->code) == kv->key.via.str.size ? kpath : path,
                                   "unknown competency code");
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(p->comp_weights[j].code, cw->code) == 0)
                return proto_error_set(err, PROTO_E_INVALID_PARAMS, kpath, "duplicate key");
        if (proto_read_float(&one, cw->code, PROTO_REQUIRED, 0, PROTO_WEIGHT_MAX, &cw->weight, err) < 0)
            return PROTO_ERR;
        p->n_comp_weights = i + 1;
    }
    return 1;
}

int proto_policy_decode(const msgpack_object *obj, const char *path, const proto_vocab *v, proto_policy *out,
                        proto_error *err) {
    proto_map m;
    int objective = PROTO_OBJ_PARTICIPATION, mode = PROTO_MODE_OPTIMAL;
    proto_policy_default(out);
    if (proto_map_open(&m, obj, path, policy_keys, err) != PROTO_OK ||
        proto_read_enum(&m, "objective", PROTO_OPTIONAL, proto_objective_names, &objective, err) < 0 ||
        proto_read_enum(&m, "mode", PROTO_OPTIONAL, proto_mode_names, &mode, err) < 0 ||
        read_i32(&m, "min_score", PROTO_OPTIONAL, 0, PROTO_SCORE_MAX, &out->min_score, err) < 0 ||
        proto_read_bool(&m, "forbid_same_agency", PROTO_OPTIONAL, &out->forbid_same_agency, err) < 0 ||
        read_i32(&m, "min_rank_gap", PROTO_OPTIONAL, -(PROTO_RANK_MAX - PROTO_RANK_MIN),
                 PROTO_RANK_MAX - PROTO_RANK_MIN, &out->min_rank_gap, err) < 0 ||
        read_i32(&m, "waitlist_bonus", PROTO_OPTIONAL, 0, PROTO_SCORE_MAX, &out->waitlist_bonus, err) < 0 ||
        policy_weights(&m, out, err) < 0 || policy_comp_weights(&m, v, out, err) < 0)
        return PROTO_ERR;
    out->objective = (proto_objective)objective;
    out->mode = (proto_mode)mode;
    return PROTO_OK;
}

void proto_policy_pack(msgpack_packer *pk, const proto_policy *p) {
    msgpack_pack_map(pk, 8);
    pack_key(pk, "objective");
    proto_pack_name(pk, proto_objective_names, (int)p->objective);
    pack_key(pk, "mode");
    proto_pack_name(pk, proto_mode_names, (int)p->mode);
    pack_key(pk, "min_score");
    msgpack_pack_int32(pk, p->min_score);
    pack_key(pk, "forbid_same_agency");
    if (p->forbid_same_agency)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    pack_key(pk, "min_rank_gap");
    msgpack_pack_int32(pk, p->min_rank_gap);
    pack_key(pk, "waitlist_bonus");
    msgpack_pack_int32(pk, p->waitlist_bonus);
    pack_key(pk, "weights");
    msgpack_pack_map(pk, 3);
    pack_key(pk, "gap");
    msgpack_pack_double(pk, p->w_gap);
    pack_key(pk, "location");
    msgpack_pack_double(pk, p->w_location);
    pack_key(pk, "availability");
    msgpack_pack_double(pk, p->w_availability);
    pack_key(pk, "competency_weights");
    size_t nw = CLAMP(p->n_comp_weights, PROTO_COMP_WEIGHTS_MAX);
    msgpack_pack_map(pk, nw);
    for (size_t i = 0; i < nw; i++) {
        pack_key(pk, p->comp_weights[i].code);
        msgpack_pack_double(pk, p->comp_weights[i].weight);
    }
}

/* ---- explanation --------------------------------------------------------- */

static int explain_comp(const proto_array *a, size_t i, proto_explain_comp *c, proto_error *err) {
    proto_map cm;
    int64_t gap, level, covered;
    char path[PROTO_PATH_MAX];
    if (proto_elem_map(a, i, explain_comp_keys, &cm, err) != PROTO_OK ||
        proto_read_str(&cm, "code", PROTO_REQUIRED, 1, PROTO_CODE_MAX, PROTO_CS_CODE, c->code, sizeof(c->code), err) <
            0)
        return PROTO_ERR;
    if (!proto_competency_ok(NULL, c->code))
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(path, sizeof(path), cm.path, "code"),
                               "malformed competency code");
    if (proto_read_int(&cm, "gap", PROTO_REQUIRED, 0, PROTO_LEVEL_MAX, &gap, err) < 0 ||
        proto_read_int(&cm, "coach_level", PROTO_REQUIRED, 0, PROTO_LEVEL_MAX, &level, err) < 0 ||
        proto_read_int(&cm, "covered", PROTO_REQUIRED, 0, gap, &covered, err) < 0)
        return PROTO_ERR;
    c->gap = (uint8_t)gap;
    c->coach_level = (uint8_t)level;
    c->covered = (uint8_t)covered;
    return PROTO_OK;
}

/* reason: required when infeasible, refused when feasible. */
static int explain_reason(const proto_map *m, proto_explain *out, proto_error *err) {
    char path[PROTO_PATH_MAX];
    int reason = PROTO_REASON_NONE;
    int rc =
        proto_read_enum(m, "reason", out->feasible ? PROTO_OPTIONAL : PROTO_REQUIRED, proto_reason_names, &reason, err);
    if (rc < 0) return PROTO_ERR;
    if (rc == 1 && out->feasible)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(path, sizeof(path), m->path, "reason"),
                               "only allowed when feasible is false");
    out->reason = (proto_reason)reason;
    return PROTO_OK;
}

int proto_explain_decode(const msgpack_object *obj, const char *path, proto_explain *out, proto_error *err) {
    proto_map m;
    proto_array a;
    memset(out, 0, sizeof(*out));
    out->reason = PROTO_REASON_NONE;
    if (proto_map_open(&m, obj, path, explain_keys, err) != PROTO_OK ||
        read_i32(&m, "score", PROTO_REQUIRED, 0, PROTO_SCORE_MAX, &out->score, err) < 0 ||
        proto_read_bool(&m, "feasible", PROTO_REQUIRED, &out->feasible, err) < 0 ||
        explain_reason(&m, out, err) != PROTO_OK ||
        proto_read_float(&m, "gap_coverage", PROTO_REQUIRED, 0, 1, &out->gap_coverage, err) < 0 ||
        proto_read_float(&m, "location", PROTO_REQUIRED, 0, 1, &out->location, err) < 0 ||
        proto_read_float(&m, "availability", PROTO_REQUIRED, 0, 1, &out->availability, err) < 0 ||
        proto_read_array(&m, "competencies", PROTO_REQUIRED, 0, PROTO_COMPETENCIES_MAX, &a, err) < 0)
        return PROTO_ERR;
    for (size_t i = 0; i < a.arr->size; i++) {
        if (explain_comp(&a, i, &out->competencies[i], err) != PROTO_OK) return PROTO_ERR;
        out->n_competencies = i + 1;
    }
    return PROTO_OK;
}

void proto_explain_pack(msgpack_packer *pk, const proto_explain *e) {
    bool reason = !e->feasible && e->reason > PROTO_REASON_NONE && e->reason < PROTO_REASON__COUNT;
    msgpack_pack_map(pk, reason ? 7 : 6);
    pack_key(pk, "score");
    msgpack_pack_int32(pk, e->score);
    pack_key(pk, "feasible");
    if (e->feasible)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    if (reason) {
        pack_key(pk, "reason");
        proto_pack_name(pk, proto_reason_names, (int)e->reason);
    }
    pack_key(pk, "gap_coverage");
    msgpack_pack_double(pk, e->gap_coverage);
    pack_key(pk, "location");
    msgpack_pack_double(pk, e->location);
    pack_key(pk, "availability");
    msgpack_pack_double(pk, e->availability);
    pack_key(pk, "competencies");
    size_t nc = CLAMP(e->n_competencies, PROTO_COMPETENCIES_MAX);
    msgpack_pack_array(pk, nc);
    for (size_t i = 0; i < nc; i++) {
        const proto_explain_comp *c = &e->competencies[i];
        msgpack_pack_map(pk, 4);
        pack_key(pk, "code");
        proto_pack_cstr(pk, c->code);
        pack_key(pk, "gap");
        msgpack_pack_uint8(pk, c->gap);
        pack_key(pk, "coach_level");
        msgpack_pack_uint8(pk, c->coach_level);
        pack_key(pk, "covered");
        msgpack_pack_uint8(pk, c->covered);
    }
}

/* ---- match ------------------------------------------------------------- */

/* mentee_id: a NIP, checked like a mentee profile's id. */
static int match_mentee_id(const proto_map *m, proto_match *out, proto_error *err) {
    char path[PROTO_PATH_MAX];
    if (proto_read_str(m, "mentee_id", PROTO_REQUIRED, 1, PROTO_NIP_LEN, PROTO_CS_DIGITS, out->mentee_id,
                       sizeof(out->mentee_id), err) < 0)
        return PROTO_ERR;
    return proto_nip_check(out->mentee_id, strlen(out->mentee_id),
                           proto_path_key(path, sizeof(path), m->path, "mentee_id"), err);
}

static int match_explain(const proto_map *m, proto_match *out, proto_error *err) {
    char path[PROTO_PATH_MAX];
    const msgpack_object *o = proto_map_get(m, "explain");
    if (o == NULL || o->type == MSGPACK_OBJECT_NIL) return PROTO_OK;
    out->has_explain = true;
    return proto_explain_decode(o, proto_path_key(path, sizeof(path), m->path, "explain"), &out->explain, err);
}

_Static_assert(PROTO_NOTE_MAX == API_NOTE_MAX, "a note holds what match.review and match.respond take");

/* The cards: each optional, present when the viewer may see it. */
static int match_cards(const proto_map *m, proto_match *out, proto_error *err) {
    char path[PROTO_PATH_MAX];
    const msgpack_object *o = proto_map_get(m, "mentee");
    if (o != NULL && o->type != MSGPACK_OBJECT_NIL) {
        out->has_mentee = true;
        if (proto_mentee_card_decode(o, proto_path_key(path, sizeof(path), m->path, "mentee"), &out->mentee, err) !=
            PROTO_OK)
            return PROTO_ERR;
    }
    o = proto_map_get(m, "coach");
    if (o != NULL && o->type != MSGPACK_OBJECT_NIL) {
        out->has_coach = true;
        if (proto_coach_card_decode(o, proto_path_key(path, sizeof(path), m->path, "coach"), &out->coach, err) !=
            PROTO_OK)
            return PROTO_ERR;
    }
    return PROTO_OK;
}

/* notes: 0..PROTO_MATCH_NOTES_MAX {by, role, text, at}, oldest first. */
static int match_notes(const proto_map *m, proto_match *out, proto_error *err) {
    proto_array a;
    int rc = proto_read_array(m, "notes", PROTO_OPTIONAL, 0, PROTO_MATCH_NOTES_MAX, &a, err);
    if (rc <= 0) return rc < 0 ? PROTO_ERR : PROTO_OK;
    out->has_notes = true;
    for (size_t i = 0; i < a.arr->size; i++) {
        proto_map nm;
        proto_match_note *n = &out->notes[i];
        int role;
        if (proto_elem_map(&a, i, note_keys, &nm, err) != PROTO_OK ||
            proto_read_str(&nm, "by", PROTO_REQUIRED, 1, PROTO_LOGIN_MAX, PROTO_CS_LINE, n->by, sizeof(n->by), err) <
                0 ||
            proto_read_enum(&nm, "role", PROTO_REQUIRED, proto_role_names, &role, err) < 0 ||
            proto_read_str(&nm, "text", PROTO_REQUIRED, 1, PROTO_NOTE_MAX, PROTO_CS_TEXT, n->text, sizeof(n->text),
                           err) < 0 ||
            proto_read_int(&nm, "at", PROTO_REQUIRED, 0, TIME_MAX, &n->at, err) < 0)
            return PROTO_ERR;
        n->role = (proto_role)role;
        out->n_notes = i + 1;
    }
    return PROTO_OK;
}

int proto_match_decode(const msgpack_object *obj, const char *path, proto_match *out, proto_error *err) {
    proto_map m;
    int status;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, match_keys, err) != PROTO_OK ||
        proto_read_str(&m, "id", PROTO_REQUIRED, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out->id, sizeof(out->id), err) <
            0 ||
        proto_read_str(&m, "program", PROTO_REQUIRED, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out->program,
                       sizeof(out->program), err) < 0 ||
        match_mentee_id(&m, out, err) != PROTO_OK ||
        proto_read_str(&m, "coach_id", PROTO_REQUIRED, 1, PROTO_ID_MAX, PROTO_CS_CODE, out->coach_id,
                       sizeof(out->coach_id), err) < 0 ||
        proto_read_enum(&m, "status", PROTO_REQUIRED, proto_match_status_names, &status, err) < 0 ||
        read_i32(&m, "score", PROTO_REQUIRED, 0, PROTO_SCORE_MAX, &out->score, err) < 0 ||
        proto_read_str(&m, "run_id", PROTO_OPTIONAL, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out->run_id,
                       sizeof(out->run_id), err) < 0 ||
        match_explain(&m, out, err) != PROTO_OK ||
        proto_read_int(&m, "created_at", PROTO_REQUIRED, 0, TIME_MAX, &out->created_at, err) < 0 ||
        proto_read_int(&m, "updated_at", PROTO_REQUIRED, 0, TIME_MAX, &out->updated_at, err) < 0 ||
        match_cards(&m, out, err) != PROTO_OK || match_notes(&m, out, err) != PROTO_OK)
        return PROTO_ERR;
    out->status = (proto_match_status)status;
    return PROTO_OK;
}

void proto_match_pack(msgpack_packer *pk, const proto_match *m) {
    msgpack_pack_map(pk, 8 + (m->run_id[0] ? 1 : 0) + (m->has_explain) + m->has_mentee + m->has_coach + m->has_notes);
    pack_key(pk, "id");
    proto_pack_cstr(pk, m->id);
    pack_key(pk, "program");
    proto_pack_cstr(pk, m->program);
    pack_key(pk, "mentee_id");
    proto_pack_cstr(pk, m->mentee_id);
    pack_key(pk, "coach_id");
    proto_pack_cstr(pk, m->coach_id);
    pack_key(pk, "status");
    proto_pack_name(pk, proto_match_status_names, (int)m->status);
    pack_key(pk, "score");
    msgpack_pack_int32(pk, m->score);
    if (m->run_id[0]) {
        pack_key(pk, "run_id");
        proto_pack_cstr(pk, m->run_id);
    }
    if (m->has_explain) {
        pack_key(pk, "explain");
        proto_explain_pack(pk, &m->explain);
    }
    pack_key(pk, "created_at");
    msgpack_pack_int64(pk, m->created_at);
    pack_key(pk, "updated_at");
    msgpack_pack_int64(pk, m->updated_at);
    if (m->has_mentee) {
        pack_key(pk, "mentee");
        proto_mentee_card_pack(pk, &m->mentee);
    }
    if (m->has_coach) {
        pack_key(pk, "coach");
        proto_coach_card_pack(pk, &m->coach);
    }
    if (m->has_notes) {
        size_t n = m->n_notes < PROTO_MATCH_NOTES_MAX ? m->n_notes : PROTO_MATCH_NOTES_MAX;
        pack_key(pk, "notes");
        msgpack_pack_array(pk, n);
        for (size_t i = 0; i < n; i++) {
            const proto_match_note *nt = &m->notes[i];
            msgpack_pack_map(pk, 4);
            pack_key(pk, "by");
            proto_pack_cstr(pk, nt->by);
            pack_key(pk, "role");
            proto_pack_name(pk, proto_role_names, (int)nt->role);
            pack_key(pk, "text");
            proto_pack_cstr(pk, nt->text);
            pack_key(pk, "at");
            msgpack_pack_int64(pk, nt->at);
        }
    }
}

/* ---- run statistics ------------------------------------------------------ */

static int read_u32(const proto_map *m, const char *key, proto_presence req, uint32_t *out, proto_error *err) {
    int64_t v;
    int rc = proto_read_int(m, key, req, 0, UINT32_MAX, &v, err);
    if (rc == 1) *out = (uint32_t)v;
    return rc;
}

static int stats_unmatched(const proto_map *m, proto_run_stats *out, proto_error *err) {
    proto_map u;
    if (proto_read_map(m, "unmatched", PROTO_REQUIRED, proto_unmatched_names, &u, err) < 0) return PROTO_ERR;
    for (int i = 0; i < PROTO_UNMATCHED__COUNT; i++)
        if (read_u32(&u, proto_unmatched_names[i], PROTO_OPTIONAL, &out->unmatched[i], err) < 0) return PROTO_ERR;
    return PROTO_OK;
}

int proto_run_stats_decode(const msgpack_object *obj, const char *path, proto_run_stats *out, proto_error *err) {
    proto_map m;
    char fp[PROTO_PATH_MAX];
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, stats_keys, err) != PROTO_OK ||
        read_u32(&m, "mentees", PROTO_REQUIRED, &out->mentees, err) < 0 ||
        read_u32(&m, "coaches", PROTO_REQUIRED, &out->coaches, err) < 0 ||
        read_u32(&m, "matched", PROTO_REQUIRED, &out->matched, err) < 0 || stats_unmatched(&m, out, err) != PROTO_OK ||
        proto_read_int(&m, "total_score", PROTO_REQUIRED, 0, TIME_MAX, &out->total_score, err) < 0 ||
        proto_read_float(&m, "mean_score", PROTO_REQUIRED, 0, PROTO_SCORE_MAX, &out->mean_score, err) < 0 ||
        proto_read_float(&m, "mean_gap_coverage", PROTO_REQUIRED, 0, 1, &out->mean_gap_coverage, err) < 0 ||
        proto_read_bool(&m, "certified", PROTO_REQUIRED, &out->certified, err) < 0 ||
        proto_read_int(&m, "elapsed_ms", PROTO_REQUIRED, 0, TIME_MAX, &out->elapsed_ms, err) < 0 ||
        proto_read_bool(&m, "warm", PROTO_OPTIONAL, &out->warm, err) < 0 ||
        read_u32(&m, "warm_mentees", PROTO_OPTIONAL, &out->warm_mentees, err) < 0 ||
        read_u32(&m, "coach_classes", PROTO_OPTIONAL, &out->coach_classes, err) < 0)
        return PROTO_ERR;
    if (out->matched > out->mentees)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(fp, sizeof(fp), m.path, "matched"),
                               "must not exceed mentees");
    if (out->warm_mentees > out->mentees)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(fp, sizeof(fp), m.path, "warm_mentees"),
                               "must not exceed mentees");
    if (out->coach_classes > out->coaches)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(fp, sizeof(fp), m.path, "coach_classes"),
                               "must not exceed coaches");
    return PROTO_OK;
}

void proto_run_stats_pack(msgpack_packer *pk, const proto_run_stats *s) {
    msgpack_pack_map(pk, 12);
    pack_key(pk, "mentees");
    msgpack_pack_uint32(pk, s->mentees);
    pack_key(pk, "coaches");
    msgpack_pack_uint32(pk, s->coaches);
    pack_key(pk, "matched");
    msgpack_pack_uint32(pk, s->matched);
    pack_key(pk, "unmatched");
    msgpack_pack_map(pk, PROTO_UNMATCHED__COUNT);
    for (int i = 0; i < PROTO_UNMATCHED__COUNT; i++) {
        pack_key(pk, proto_unmatched_names[i]);
        msgpack_pack_uint32(pk, s->unmatched[i]);
    }
    pack_key(pk, "total_score");
    msgpack_pack_int64(pk, s->total_score);
    pack_key(pk, "mean_score");
    msgpack_pack_double(pk, s->mean_score);
    pack_key(pk, "mean_gap_coverage");
    msgpack_pack_double(pk, s->mean_gap_coverage);
    pack_key(pk, "certified");
    if (s->certified)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    pack_key(pk, "elapsed_ms");
    msgpack_pack_int64(pk, s->elapsed_ms);
    pack_key(pk, "warm");
    if (s->warm)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    pack_key(pk, "warm_mentees");
    msgpack_pack_uint32(pk, s->warm_mentees);
    pack_key(pk, "coach_classes");
    msgpack_pack_uint32(pk, s->coach_classes);
}

/* ---- error object -------------------------------------------------------- */

int proto_error_decode(const msgpack_object *obj, const char *path, proto_error *out, proto_error *err) {
    proto_map m;
    char code[32], fp[PROTO_PATH_MAX];
    memset(out, 0, sizeof(*out)); /* PROTO_E_NONE, empty strings */
    if (proto_map_open(&m, obj, path, error_keys, err) != PROTO_OK ||
        proto_read_str(&m, "code", PROTO_REQUIRED, 1, sizeof(code) - 1, PROTO_CS_CODE, code, sizeof(code), err) < 0)
        return PROTO_ERR;
    if (proto_errcode_parse(code, strlen(code), &out->code) != PROTO_OK)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(fp, sizeof(fp), m.path, "code"),
                               "unknown error code");
    if (proto_read_str(&m, "message", PROTO_REQUIRED, 0, PROTO_MESSAGE_MAX - 1, PROTO_CS_TEXT, out->message,
                       sizeof(out->message), err) < 0 ||
        proto_read_str(&m, "field", PROTO_OPTIONAL, 0, PROTO_PATH_MAX - 1, PROTO_CS_LINE, out->field,
                       sizeof(out->field), err) < 0)
        return PROTO_ERR;
    return PROTO_OK;
}

void proto_error_pack(msgpack_packer *pk, const proto_error *e) {
    bool field = e->field[0] != '\0';
    msgpack_pack_map(pk, field ? 3 : 2);
    pack_key(pk, "code");
    /* An unset code would be "" on the wire: send "internal" instead. */
    proto_pack_cstr(pk, e->code == PROTO_E_NONE ? proto_errcode_name(PROTO_E_INTERNAL) : proto_errcode_name(e->code));
    pack_key(pk, "message");
    proto_pack_cstr(pk, e->message);
    if (field) {
        pack_key(pk, "field");
        proto_pack_cstr(pk, e->field);
    }
}
