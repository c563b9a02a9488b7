/* results.c -- codecs of the results and notification params that
 * coachnetd sends and clients decode: the session of auth.login/resume,
 * suggestion and review items, meeting.log's result, run.progress,
 * run.done, stats.get's result and the program object (design.md §3, §9,
 * docs/methods.md); match.pins' pair rules, meeting.list's items, jp.get's
 * result, feedback.list's and audit.list's items (design.md §9).
 *
 * Key order of the packers is the order docs/methods.md lists the keys in;
 * it is the order coachnetd has always sent them in.
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#include <string.h>

#include "proto/proto.h"

/* Packers trust the struct but never read past its arrays. */
#define CLAMP(n, max) ((n) < (max) ? (n) : (max))

const char *const proto_role_names[] = { "admin", "coordinator", "mentee", "coach", NULL };
const char *const proto_run_phase_names[] = { "snapshot", "prepare", "estimate", "score", "solve",
                                              "price",    "stable",  "finish",   "store", NULL };
const char *const proto_run_status_names[] = { "done", "failed", "cancelled", NULL };
const char *const proto_run_state_names[] = { "running", "done", "failed", "cancelled", NULL };

static const char *const session_keys[] = { "token", "login", "role", "subject", "programs", "expires_in", NULL };
static const char *const suggestion_keys[] = { "coach_id", "score", "explain", "coach", NULL };
static const char *const review_keys[] = { "id", "status", "error", NULL };
static const char *const meeting_keys[] = { "meeting_id",    "confirmed", "minutes",   "jp", "year",
                                            "minutes_total", "jp_total",  "jp_target", NULL };
static const char *const progress_keys[] = { "run_id", "phase", "done", "total", NULL };
static const char *const done_keys[] = { "run_id", "status", "stats", NULL };
static const char *const unmatched_item_keys[] = { "mentee_id", "name", "reason", NULL };
static const char *const run_keys[] = { "id",           "program", "status", "draft",
                                        "published_at", "policy",  "stats",  "started_at",
                                        "finished_at",  "by",      NULL };
static const char *const pstats_keys[] = { "program",     "mentees",    "coaches",  "capacity",  "load",
                                           "utilisation", "coverage",   "matches",  "unmatched", "last_run_id",
                                           "jp_total",    "jp_minutes", "feedback", "breakdown", NULL };
static const char *const breakdown_keys[] = { "by", "rows", NULL };
static const char *const stats_row_keys[] = { "key", "mentees", "matched", "coaches", "capacity", "load", NULL };
const char *const proto_stats_by_names[] = { "province", "agency", "competency", "coach_kind", NULL };
static const char *const feedback_keys[] = { "count", "mean_rating", NULL };
static const char *const program_keys[] = { "id", "name", "year", "self_service", "jp_target", "description", NULL };

static void pack_key(msgpack_packer *pk, const char *k) { proto_pack_cstr(pk, k); }

/* invalid_params at path.key: for the checks that span fields. */
static int field_error(const proto_map *m, const char *key, const char *msg, proto_error *err) {
    char fp[PROTO_PATH_MAX];
    return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(fp, sizeof(fp), m->path, key), "%s", msg);
}

/* A nested object decoded by `fn` at path.key; 0 when absent or nil. */
static int read_nested(const proto_map *m, const char *key, proto_presence req,
                       int (*fn)(const msgpack_object *, const char *, void *, proto_error *), void *out,
                       proto_error *err) {
    char fp[PROTO_PATH_MAX];
    const msgpack_object *o = proto_map_get(m, key);
    if (o == NULL || o->type == MSGPACK_OBJECT_NIL) {
        if (req == PROTO_OPTIONAL) return 0;
        return field_error(m, key, "is required", err);
    }
    if (fn(o, proto_path_key(fp, sizeof(fp), m->path, key), out, err) != PROTO_OK) return PROTO_ERR;
    return 1;
}

static int explain_fn(const msgpack_object *o, const char *path, void *out, proto_error *err) {
    return proto_explain_decode(o, path, out, err);
}

static int error_fn(const msgpack_object *o, const char *path, void *out, proto_error *err) {
    return proto_error_decode(o, path, out, err);
}

static int coach_card_fn(const msgpack_object *o, const char *path, void *out, proto_error *err) {
    return proto_coach_card_decode(o, path, out, err);
}

static int stats_fn(const msgpack_object *o, const char *path, void *out, proto_error *err) {
    return proto_run_stats_decode(o, path, out, err);
}

/* A count 0..PROTO_COUNT_MAX. */
static int read_count(const proto_map *m, const char *key, proto_presence req, int64_t *out, proto_error *err) {
    return proto_read_int(m, key, req, 0, PROTO_COUNT_MAX, out, err);
}

/* ---- session ------------------------------------------------------------ */

/* login: the characters of a login name, which PROTO_CS_CODE lacks '@' of. */
static int session_login(const proto_map *m, proto_session *out, proto_error *err) {
    static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "abcdefghijklmnopqrstuvwxyz0123456789._@-";
    int rc = proto_read_str(m, "login", PROTO_OPTIONAL, 1, PROTO_LOGIN_MAX, PROTO_CS_LINE, out->login,
                            sizeof(out->login), err);
    if (rc == 1 && out->login[strspn(out->login, allowed)] != '\0')
        return field_error(m, "login", "must be [A-Za-z0-9._@-]", err);
    return rc;
}

static int session_programs(const proto_map *m, proto_session *out, proto_error *err) {
    proto_array a;
    int rc = proto_read_array(m, "programs", PROTO_OPTIONAL, 0, PROTO_PROGRAMS_MAX, &a, err);
    if (rc <= 0) return rc;
    if (out->role != PROTO_ROLE_COORDINATOR) return field_error(m, "programs", "only allowed for a coordinator", err);
    out->has_programs = true;
    for (size_t i = 0; i < a.arr->size; i++) {
        char ep[PROTO_PATH_MAX];
        if (proto_elem_str(&a, i, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out->programs[i], sizeof(out->programs[i]), err) !=
            PROTO_OK)
            return PROTO_ERR;
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->programs[j], out->programs[i]) == 0)
                return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_index(ep, sizeof(ep), a.path, i),
                                       "duplicate value");
        out->n_programs = i + 1;
    }
    return 1;
}

int proto_session_decode(const msgpack_object *obj, const char *path, proto_session *out, proto_error *err) {
    proto_map m;
    int role, has_token = 0, has_login = 0, has_subject = 0;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, session_keys, err) != PROTO_OK ||
        (has_token = proto_read_str(&m, "token", PROTO_OPTIONAL, 1, PROTO_TOKEN_MAX, PROTO_CS_CODE, out->token,
                                    sizeof(out->token), err)) < 0 ||
        (has_login = session_login(&m, out, err)) < 0)
        return PROTO_ERR;
    if (has_token == has_login)
        return field_error(&m, "token",
                           has_token ? "not allowed with login"
                                     : "token (auth.login) or login "
                                       "(auth.resume) is required",
                           err);
    if (proto_read_enum(&m, "role", PROTO_REQUIRED, proto_role_names, &role, err) < 0 ||
        (has_subject = proto_read_str(&m, "subject", PROTO_OPTIONAL, 1, PROTO_ID_MAX, PROTO_CS_CODE, out->subject,
                                      sizeof(out->subject), err)) < 0)
        return PROTO_ERR;
    out->role = (proto_role)role;
    bool subject_role = out->role == PROTO_ROLE_MENTEE || out->role == PROTO_ROLE_COACH;
    if (has_subject != subject_role)
        return field_error(&m, "subject",
                           subject_role ? "is required for this role"
                                        : "only allowed for mentee and "
                                          "coach",
                           err);
    if (session_programs(&m, out, err) < 0 || read_count(&m, "expires_in", PROTO_REQUIRED, &out->expires_in, err) < 0)
        return PROTO_ERR;
    return PROTO_OK;
}

void proto_session_pack(msgpack_packer *pk, const proto_session *s) {
    bool token = s->token[0] != '\0', login = s->login[0] != '\0';
    bool subject = s->subject[0] != '\0';
    msgpack_pack_map(pk, token + login + 2 + subject + s->has_programs);
    if (token) {
        pack_key(pk, "token");
        proto_pack_cstr(pk, s->token);
    }
    if (login) {
        pack_key(pk, "login");
        proto_pack_cstr(pk, s->login);
    }
    pack_key(pk, "role");
    proto_pack_name(pk, proto_role_names, (int)s->role);
    if (subject) {
        pack_key(pk, "subject");
        proto_pack_cstr(pk, s->subject);
    }
    if (s->has_programs) {
        size_t n = CLAMP(s->n_programs, PROTO_PROGRAMS_MAX);
        pack_key(pk, "programs");
        msgpack_pack_array(pk, n);
        for (size_t i = 0; i < n; i++) proto_pack_cstr(pk, s->programs[i]);
    }
    pack_key(pk, "expires_in");
    msgpack_pack_int64(pk, s->expires_in);
}

/* ---- suggestion ---------------------------------------------------------- */

int proto_suggestion_decode(const msgpack_object *obj, const char *path, proto_suggestion *out, proto_error *err) {
    proto_map m;
    int64_t score;
    int rc = 0, has_coach = 0;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, suggestion_keys, err) != PROTO_OK ||
        proto_read_str(&m, "coach_id", PROTO_REQUIRED, 1, PROTO_ID_MAX, PROTO_CS_CODE, out->coach_id,
                       sizeof(out->coach_id), err) < 0 ||
        proto_read_int(&m, "score", PROTO_REQUIRED, 0, PROTO_SCORE_MAX, &score, err) < 0 ||
        (rc = read_nested(&m, "explain", PROTO_OPTIONAL, explain_fn, &out->explain, err)) < 0 ||
        (has_coach = read_nested(&m, "coach", PROTO_OPTIONAL, coach_card_fn, &out->coach, err)) < 0)
        return PROTO_ERR;
    out->score = (int32_t)score;
    out->has_explain = rc == 1;
    out->has_coach = has_coach == 1;
    if (out->has_coach && strcmp(out->coach.id, out->coach_id))
        return field_error(&m, "coach", "is not the card of coach_id", err);
    return PROTO_OK;
}

void proto_suggestion_pack(msgpack_packer *pk, const proto_suggestion *s) {
    msgpack_pack_map(pk, 3 + s->has_coach);
    pack_key(pk, "coach_id");
    proto_pack_cstr(pk, s->coach_id);
    pack_key(pk, "score");
    msgpack_pack_int32(pk, s->score);
    pack_key(pk, "explain");
    if (s->has_explain)
        proto_explain_pack(pk, &s->explain);
    else
        msgpack_pack_nil(pk);
    if (s->has_coach) {
        pack_key(pk, "coach");
        proto_coach_card_pack(pk, &s->coach);
    }
}

/* ---- review item --------------------------------------------------------- */

int proto_review_item_decode(const msgpack_object *obj, const char *path, proto_review_item *out, proto_error *err) {
    proto_map m;
    int status = 0, has_status = 0, has_error = 0;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, review_keys, err) != PROTO_OK ||
        proto_read_str(&m, "id", PROTO_REQUIRED, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out->id, sizeof(out->id), err) <
            0 ||
        (has_status = proto_read_enum(&m, "status", PROTO_OPTIONAL, proto_match_status_names, &status, err)) < 0 ||
        (has_error = read_nested(&m, "error", PROTO_OPTIONAL, error_fn, &out->error, err)) < 0)
        return PROTO_ERR;
    if (has_status == has_error)
        return field_error(&m, "status", has_status ? "not allowed with error" : "status or error is required", err);
    out->ok = has_status == 1;
    out->status = (proto_match_status)status;
    return PROTO_OK;
}

void proto_review_item_pack(msgpack_packer *pk, const proto_review_item *r) {
    msgpack_pack_map(pk, 2);
    pack_key(pk, "id");
    proto_pack_cstr(pk, r->id);
    if (r->ok) {
        pack_key(pk, "status");
        proto_pack_name(pk, proto_match_status_names, (int)r->status);
    } else {
        pack_key(pk, "error");
        proto_error_pack(pk, &r->error);
    }
}

/* ---- server.info --------------------------------------------------------- */

static const char *const server_info_keys[] = { "version", "protocol", "time", NULL };

int proto_server_info_decode(const msgpack_object *obj, const char *path, proto_server_info *out, proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, server_info_keys, err) != PROTO_OK ||
        proto_read_str(&m, "version", PROTO_REQUIRED, 1, PROTO_SERVER_VERSION_MAX, PROTO_CS_LINE, out->version,
                       sizeof(out->version), err) < 0 ||
        proto_read_int(&m, "protocol", PROTO_REQUIRED, 1, INT32_MAX, &out->protocol, err) < 0 ||
        read_count(&m, "time", PROTO_REQUIRED, &out->time, err) < 0)
        return PROTO_ERR;
    return PROTO_OK;
}

void proto_server_info_pack(msgpack_packer *pk, const proto_server_info *s) {
    msgpack_pack_map(pk, 3);
    pack_key(pk, "version");
    proto_pack_cstr(pk, s->version);
    pack_key(pk, "protocol");
    msgpack_pack_int64(pk, s->protocol);
    pack_key(pk, "time");
    msgpack_pack_int64(pk, s->time);
}

/* ---- meeting ------------------------------------------------------------- */

double proto_jp(int64_t minutes) {
    /* tenths = round(minutes * 10 / 45), halves up, in integers */
    int64_t tenths = (minutes * 20 + PROTO_JP_MINUTES) / (2 * PROTO_JP_MINUTES);
    return (double)tenths / 10.0;
}

/* A JP value sent for `minutes`: equal to proto_jp(minutes) up to a
 * rounding error of another language's arithmetic. */
static int jp_matches(double jp, int64_t minutes) {
    double d = jp - proto_jp(minutes);
    return d > -1e-9 && d < 1e-9;
}

int proto_meeting_decode(const msgpack_object *obj, const char *path, proto_meeting *out, proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, meeting_keys, err) != PROTO_OK ||
        proto_read_str(&m, "meeting_id", PROTO_REQUIRED, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out->meeting_id,
                       sizeof(out->meeting_id), err) < 0 ||
        proto_read_bool(&m, "confirmed", PROTO_REQUIRED, &out->confirmed, err) < 0 ||
        proto_read_int(&m, "minutes", PROTO_REQUIRED, 1, API_MEETING_MINUTES_MAX, &out->minutes, err) < 0 ||
        proto_read_float(&m, "jp", PROTO_REQUIRED, 0, (double)PROTO_COUNT_MAX, &out->jp, err) < 0 ||
        proto_read_int(&m, "year", PROTO_REQUIRED, PROTO_MEETING_YEAR_MIN, PROTO_MEETING_YEAR_MAX, &out->year, err) <
            0 ||
        read_count(&m, "minutes_total", PROTO_REQUIRED, &out->minutes_total, err) < 0 ||
        proto_read_float(&m, "jp_total", PROTO_REQUIRED, 0, (double)PROTO_COUNT_MAX, &out->jp_total, err) < 0 ||
        proto_read_int(&m, "jp_target", PROTO_REQUIRED, 0, API_JP_TARGET_MAX, &out->jp_target, err) < 0)
        return PROTO_ERR;
    if (out->minutes_total < out->minutes)
        return field_error(&m, "minutes_total", "must be at least the meeting's minutes", err);
    if (!jp_matches(out->jp, out->minutes)) return field_error(&m, "jp", "must be minutes / 45 to one decimal", err);
    if (!jp_matches(out->jp_total, out->minutes_total))
        return field_error(&m, "jp_total", "must be minutes_total / 45 to one decimal", err);
    return PROTO_OK;
}

void proto_meeting_pack(msgpack_packer *pk, const proto_meeting *mt) {
    msgpack_pack_map(pk, 8);
    pack_key(pk, "meeting_id");
    proto_pack_cstr(pk, mt->meeting_id);
    pack_key(pk, "confirmed");
    if (mt->confirmed)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    pack_key(pk, "minutes");
    msgpack_pack_int64(pk, mt->minutes);
    pack_key(pk, "jp");
    msgpack_pack_double(pk, mt->jp);
    pack_key(pk, "year");
    msgpack_pack_int64(pk, mt->year);
    pack_key(pk, "minutes_total");
    msgpack_pack_int64(pk, mt->minutes_total);
    pack_key(pk, "jp_total");
    msgpack_pack_double(pk, mt->jp_total);
    pack_key(pk, "jp_target");
    msgpack_pack_int64(pk, mt->jp_target);
}

/* ---- run.progress, run.done ---------------------------------------------- */

static int read_run_id(const proto_map *m, char *out, size_t outsz, proto_error *err) {
    return proto_read_str(m, "run_id", PROTO_REQUIRED, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out, outsz, err);
}

int proto_run_progress_decode(const msgpack_object *obj, const char *path, proto_run_progress *out, proto_error *err) {
    proto_map m;
    int phase;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, progress_keys, err) != PROTO_OK ||
        read_run_id(&m, out->run_id, sizeof(out->run_id), err) < 0 ||
        proto_read_enum(&m, "phase", PROTO_REQUIRED, proto_run_phase_names, &phase, err) < 0 ||
        read_count(&m, "done", PROTO_REQUIRED, &out->done, err) < 0 ||
        read_count(&m, "total", PROTO_REQUIRED, &out->total, err) < 0)
        return PROTO_ERR;
    out->phase = (proto_run_phase)phase;
    return PROTO_OK;
}

void proto_run_progress_pack(msgpack_packer *pk, const proto_run_progress *p) {
    msgpack_pack_map(pk, 4);
    pack_key(pk, "run_id");
    proto_pack_cstr(pk, p->run_id);
    pack_key(pk, "phase");
    proto_pack_name(pk, proto_run_phase_names, (int)p->phase);
    pack_key(pk, "done");
    msgpack_pack_int64(pk, p->done);
    pack_key(pk, "total");
    msgpack_pack_int64(pk, p->total);
}

int proto_run_done_decode(const msgpack_object *obj, const char *path, proto_run_done *out, proto_error *err) {
    proto_map m;
    int status;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, done_keys, err) != PROTO_OK ||
        read_run_id(&m, out->run_id, sizeof(out->run_id), err) < 0 ||
        proto_read_enum(&m, "status", PROTO_REQUIRED, proto_run_status_names, &status, err) < 0 ||
        read_nested(&m, "stats", PROTO_REQUIRED, stats_fn, &out->stats, err) < 0)
        return PROTO_ERR;
    out->status = (proto_run_status)status;
    return PROTO_OK;
}

void proto_run_done_pack(msgpack_packer *pk, const proto_run_done *d) {
    msgpack_pack_map(pk, 3);
    pack_key(pk, "run_id");
    proto_pack_cstr(pk, d->run_id);
    pack_key(pk, "status");
    proto_pack_name(pk, proto_run_status_names, (int)d->status);
    pack_key(pk, "stats");
    proto_run_stats_pack(pk, &d->stats);
}

/* ---- run.get, run.list --------------------------------------------------- */

int proto_run_decode(const msgpack_object *obj, const char *path, proto_run *out, proto_error *err) {
    proto_map m;
    int status, pub, fin;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, run_keys, err) != PROTO_OK ||
        proto_read_str(&m, "id", PROTO_REQUIRED, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out->id, sizeof(out->id), err) <
            0 ||
        proto_read_str(&m, "program", PROTO_REQUIRED, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out->program,
                       sizeof(out->program), err) < 0 ||
        proto_read_enum(&m, "status", PROTO_REQUIRED, proto_run_state_names, &status, err) < 0 ||
        proto_read_bool(&m, "draft", PROTO_REQUIRED, &out->draft, err) < 0 ||
        (pub = read_count(&m, "published_at", PROTO_OPTIONAL, &out->published_at, err)) < 0 ||
        proto_read_int(&m, "started_at", PROTO_REQUIRED, 0, PROTO_COUNT_MAX, &out->started_at, err) < 0 ||
        (fin = read_count(&m, "finished_at", PROTO_OPTIONAL, &out->finished_at, err)) < 0 ||
        proto_read_str(&m, "by", PROTO_REQUIRED, 1, PROTO_LOGIN_MAX, PROTO_CS_ANY, out->by, sizeof(out->by), err) < 0)
        return PROTO_ERR;
    const msgpack_object *pol = proto_map_get(&m, "policy");
    if (pol == NULL || pol->type != MSGPACK_OBJECT_MAP) return field_error(&m, "policy", "must be a map", err);
    out->policy = *pol;
    int st = read_nested(&m, "stats", PROTO_OPTIONAL, stats_fn, &out->stats, err);
    if (st < 0) return PROTO_ERR;
    out->status = (proto_run_state)status;
    out->has_published_at = pub > 0;
    out->has_finished_at = fin > 0;
    out->has_stats = st > 0;
    return PROTO_OK;
}

void proto_run_pack(msgpack_packer *pk, const proto_run *r) {
    msgpack_pack_map(pk, 7 + (r->has_published_at ? 1 : 0) + (r->has_stats ? 1 : 0) + (r->has_finished_at ? 1 : 0));
    pack_key(pk, "id");
    proto_pack_cstr(pk, r->id);
    pack_key(pk, "program");
    proto_pack_cstr(pk, r->program);
    pack_key(pk, "status");
    proto_pack_name(pk, proto_run_state_names, (int)r->status);
    pack_key(pk, "draft");
    if (r->draft)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    if (r->has_published_at) {
        pack_key(pk, "published_at");
        msgpack_pack_int64(pk, r->published_at);
    }
    pack_key(pk, "policy");
    msgpack_pack_object(pk, r->policy);
    if (r->has_stats) {
        pack_key(pk, "stats");
        proto_run_stats_pack(pk, &r->stats);
    }
    pack_key(pk, "started_at");
    msgpack_pack_int64(pk, r->started_at);
    if (r->has_finished_at) {
        pack_key(pk, "finished_at");
        msgpack_pack_int64(pk, r->finished_at);
    }
    pack_key(pk, "by");
    proto_pack_cstr(pk, r->by);
}

/* ---- run.unmatched ------------------------------------------------------- */

int proto_unmatched_item_decode(const msgpack_object *obj, const char *path, proto_unmatched_item *out,
                                proto_error *err) {
    proto_map m;
    int reason;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, unmatched_item_keys, err) != PROTO_OK ||
        proto_read_str(&m, "mentee_id", PROTO_REQUIRED, 1, PROTO_ID_MAX, PROTO_CS_CODE, out->mentee_id,
                       sizeof(out->mentee_id), err) < 0 ||
        proto_read_str(&m, "name", PROTO_REQUIRED, 0, PROTO_NAME_MAX, PROTO_CS_LINE, out->name, sizeof(out->name),
                       err) < 0 ||
        proto_read_enum(&m, "reason", PROTO_REQUIRED, proto_unmatched_names, &reason, err) < 0)
        return PROTO_ERR;
    out->reason = (proto_unmatched)reason;
    return PROTO_OK;
}

void proto_unmatched_item_pack(msgpack_packer *pk, const proto_unmatched_item *u) {
    msgpack_pack_map(pk, 3);
    pack_key(pk, "mentee_id");
    proto_pack_cstr(pk, u->mentee_id);
    pack_key(pk, "name");
    proto_pack_cstr(pk, u->name);
    pack_key(pk, "reason");
    proto_pack_name(pk, proto_unmatched_names, (int)u->reason);
}

/* ---- stats.get ----------------------------------------------------------- */

static int pstats_matches(const proto_map *m, proto_program_stats *out, proto_error *err) {
    proto_map sm;
    if (proto_read_map(m, "matches", PROTO_REQUIRED, proto_match_status_names, &sm, err) < 0) return PROTO_ERR;
    for (int i = 0; i < PROTO_MATCH_STATUS__COUNT; i++)
        if (read_count(&sm, proto_match_status_names[i], PROTO_OPTIONAL, &out->matches[i], err) < 0) return PROTO_ERR;
    return PROTO_OK;
}

static int pstats_unmatched(const proto_map *m, proto_program_stats *out, proto_error *err) {
    proto_map um;
    if (proto_read_map(m, "unmatched", PROTO_REQUIRED, proto_unmatched_names, &um, err) < 0) return PROTO_ERR;
    for (int i = 0; i < PROTO_UNMATCHED__COUNT; i++) {
        int64_t v;
        int rc = proto_read_int(&um, proto_unmatched_names[i], PROTO_OPTIONAL, 0, UINT32_MAX, &v, err);
        if (rc < 0) return PROTO_ERR;
        if (rc == 1) out->unmatched[i] = (uint32_t)v;
    }
    return PROTO_OK;
}

static int pstats_feedback(const proto_map *m, proto_program_stats *out, proto_error *err) {
    proto_map fm;
    if (proto_read_map(m, "feedback", PROTO_REQUIRED, feedback_keys, &fm, err) < 0 ||
        read_count(&fm, "count", PROTO_REQUIRED, &out->feedback_count, err) < 0 ||
        proto_read_float(&fm, "mean_rating", PROTO_REQUIRED, 0, 5, &out->feedback_mean_rating, err) < 0)
        return PROTO_ERR;
    return PROTO_OK;
}

int proto_stats_row_decode(const msgpack_object *obj, const char *path, proto_stats_row *out, proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, stats_row_keys, err) != PROTO_OK ||
        proto_read_str(&m, "key", PROTO_REQUIRED, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out->key, sizeof(out->key), err) <
            0 ||
        read_count(&m, "mentees", PROTO_REQUIRED, &out->mentees, err) < 0 ||
        read_count(&m, "matched", PROTO_REQUIRED, &out->matched, err) < 0 ||
        read_count(&m, "coaches", PROTO_REQUIRED, &out->coaches, err) < 0 ||
        read_count(&m, "capacity", PROTO_REQUIRED, &out->capacity, err) < 0 ||
        read_count(&m, "load", PROTO_REQUIRED, &out->load, err) < 0)
        return PROTO_ERR;
    return PROTO_OK;
}

const msgpack_object *proto_stats_rows(const msgpack_object *stats) {
    const msgpack_object *b = NULL, *rows = NULL;
    if (stats->type != MSGPACK_OBJECT_MAP) return NULL;
    for (uint32_t i = 0; i < stats->via.map.size; i++) {
        const msgpack_object *k = &stats->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == 9 && memcmp(k->via.str.ptr, "breakdown", 9) == 0)
            b = &stats->via.map.ptr[i].val;
    }
    if (b == NULL || b->type != MSGPACK_OBJECT_MAP) return NULL;
    for (uint32_t i = 0; i < b->via.map.size; i++) {
        const msgpack_object *k = &b->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == 4 && memcmp(k->via.str.ptr, "rows", 4) == 0)
            rows = &b->via.map.ptr[i].val;
    }
    return rows && rows->type == MSGPACK_OBJECT_ARRAY ? rows : NULL;
}

/* breakdown (optional): its `by` and every row checked; rows are not kept. */
static int pstats_breakdown(const proto_map *m, proto_program_stats *out, proto_error *err) {
    proto_map bm;
    proto_array a;
    out->by = -1;
    int rc = proto_read_map(m, "breakdown", PROTO_OPTIONAL, breakdown_keys, &bm, err);
    if (rc <= 0) return rc < 0 ? PROTO_ERR : PROTO_OK;
    if (proto_read_enum(&bm, "by", PROTO_REQUIRED, proto_stats_by_names, &out->by, err) < 0 ||
        proto_read_array(&bm, "rows", PROTO_REQUIRED, 0, PROTO_STATS_ROWS_MAX, &a, err) < 0)
        return PROTO_ERR;
    for (size_t i = 0; i < a.arr->size; i++) {
        char ep[PROTO_PATH_MAX];
        proto_stats_row row;
        if (proto_stats_row_decode(&a.arr->ptr[i], proto_path_index(ep, sizeof(ep), a.path, i), &row, err) != PROTO_OK)
            return PROTO_ERR;
    }
    out->n_rows = a.arr->size;
    out->rows_obj = proto_map_get(&bm, "rows");
    return PROTO_OK;
}

int proto_program_stats_decode(const msgpack_object *obj, const char *path, proto_program_stats *out,
                               proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, pstats_keys, err) != PROTO_OK ||
        proto_read_str(&m, "program", PROTO_REQUIRED, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out->program,
                       sizeof(out->program), err) < 0 ||
        read_count(&m, "mentees", PROTO_REQUIRED, &out->mentees, err) < 0 ||
        read_count(&m, "coaches", PROTO_REQUIRED, &out->coaches, err) < 0 ||
        read_count(&m, "capacity", PROTO_REQUIRED, &out->capacity, err) < 0 ||
        read_count(&m, "load", PROTO_REQUIRED, &out->load, err) < 0 ||
        proto_read_float(&m, "utilisation", PROTO_REQUIRED, 0, (double)PROTO_COUNT_MAX, &out->utilisation, err) < 0 ||
        proto_read_float(&m, "coverage", PROTO_REQUIRED, 0, (double)PROTO_COUNT_MAX, &out->coverage, err) < 0 ||
        pstats_matches(&m, out, err) != PROTO_OK || pstats_unmatched(&m, out, err) != PROTO_OK)
        return PROTO_ERR;
    /* last_run_id: the key is always sent, nil before the first run */
    if (proto_map_get(&m, "last_run_id") == NULL) return field_error(&m, "last_run_id", "is required", err);
    if (proto_read_str(&m, "last_run_id", PROTO_OPTIONAL, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out->last_run_id,
                       sizeof(out->last_run_id), err) < 0 ||
        proto_read_float(&m, "jp_total", PROTO_REQUIRED, 0, (double)PROTO_COUNT_MAX, &out->jp_total, err) < 0 ||
        read_count(&m, "jp_minutes", PROTO_REQUIRED, &out->jp_minutes, err) < 0)
        return PROTO_ERR;
    if (!jp_matches(out->jp_total, out->jp_minutes))
        return field_error(&m, "jp_total", "must be jp_minutes / 45 to one decimal", err);
    if (pstats_feedback(&m, out, err) != PROTO_OK) return PROTO_ERR;
    return pstats_breakdown(&m, out, err);
}

static void stats_row_pack(msgpack_packer *pk, const proto_stats_row *r) {
    msgpack_pack_map(pk, 6);
    pack_key(pk, "key");
    proto_pack_cstr(pk, r->key);
    pack_key(pk, "mentees");
    msgpack_pack_int64(pk, r->mentees);
    pack_key(pk, "matched");
    msgpack_pack_int64(pk, r->matched);
    pack_key(pk, "coaches");
    msgpack_pack_int64(pk, r->coaches);
    pack_key(pk, "capacity");
    msgpack_pack_int64(pk, r->capacity);
    pack_key(pk, "load");
    msgpack_pack_int64(pk, r->load);
}

void proto_program_stats_pack(msgpack_packer *pk, const proto_program_stats *s) {
    size_t nst = 0;
    for (int i = 0; i < PROTO_MATCH_STATUS__COUNT; i++) nst += s->matches[i] != 0;
    msgpack_pack_map(pk, s->by >= 0 ? 14 : 13);
    pack_key(pk, "program");
    proto_pack_cstr(pk, s->program);
    pack_key(pk, "mentees");
    msgpack_pack_int64(pk, s->mentees);
    pack_key(pk, "coaches");
    msgpack_pack_int64(pk, s->coaches);
    pack_key(pk, "capacity");
    msgpack_pack_int64(pk, s->capacity);
    pack_key(pk, "load");
    msgpack_pack_int64(pk, s->load);
    pack_key(pk, "utilisation");
    msgpack_pack_double(pk, s->utilisation);
    pack_key(pk, "coverage");
    msgpack_pack_double(pk, s->coverage);
    pack_key(pk, "matches");
    msgpack_pack_map(pk, nst);
    for (int i = 0; i < PROTO_MATCH_STATUS__COUNT; i++)
        if (s->matches[i] != 0) {
            pack_key(pk, proto_match_status_names[i]);
            msgpack_pack_int64(pk, s->matches[i]);
        }
    pack_key(pk, "unmatched");
    msgpack_pack_map(pk, PROTO_UNMATCHED__COUNT);
    for (int i = 0; i < PROTO_UNMATCHED__COUNT; i++) {
        pack_key(pk, proto_unmatched_names[i]);
        msgpack_pack_uint32(pk, s->unmatched[i]);
    }
    pack_key(pk, "last_run_id");
    if (s->last_run_id[0])
        proto_pack_cstr(pk, s->last_run_id);
    else
        msgpack_pack_nil(pk);
    pack_key(pk, "jp_total");
    msgpack_pack_double(pk, s->jp_total);
    pack_key(pk, "jp_minutes");
    msgpack_pack_int64(pk, s->jp_minutes);
    pack_key(pk, "feedback");
    msgpack_pack_map(pk, 2);
    pack_key(pk, "count");
    msgpack_pack_int64(pk, s->feedback_count);
    pack_key(pk, "mean_rating");
    msgpack_pack_double(pk, s->feedback_mean_rating);
    if (s->by < 0) return;
    pack_key(pk, "breakdown");
    msgpack_pack_map(pk, 2);
    pack_key(pk, "by");
    proto_pack_name(pk, proto_stats_by_names, s->by);
    pack_key(pk, "rows");
    msgpack_pack_array(pk, s->n_rows);
    for (size_t i = 0; i < s->n_rows; i++) {
        proto_stats_row row;
        proto_error err;
        if (s->rows)
            stats_row_pack(pk, &s->rows[i]);
        else if (s->rows_obj && i < s->rows_obj->via.array.size &&
                 proto_stats_row_decode(&s->rows_obj->via.array.ptr[i], "row", &row, &err) == PROTO_OK)
            stats_row_pack(pk, &row);
        else
            msgpack_pack_nil(pk); /* a struct without its rows: a caller's bug, never a crash */
    }
}

/* ---- program --------------------------------------------------------------- */

int proto_program_decode(const msgpack_object *obj, const char *path, proto_program *out, proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, program_keys, err) != PROTO_OK ||
        proto_read_str(&m, "id", PROTO_REQUIRED, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out->id, sizeof(out->id), err) < 0 ||
        proto_read_str(&m, "name", PROTO_REQUIRED, 1, API_PROGRAM_NAME_MAX, PROTO_CS_LINE, out->name, sizeof(out->name),
                       err) < 0 ||
        proto_read_int(&m, "year", PROTO_REQUIRED, API_PROGRAM_YEAR_MIN, API_PROGRAM_YEAR_MAX, &out->year, err) < 0 ||
        proto_read_bool(&m, "self_service", PROTO_REQUIRED, &out->self_service, err) < 0 ||
        proto_read_int(&m, "jp_target", PROTO_REQUIRED, 0, API_JP_TARGET_MAX, &out->jp_target, err) < 0 ||
        proto_read_str(&m, "description", PROTO_REQUIRED, 0, API_PROGRAM_DESCRIPTION_MAX, PROTO_CS_TEXT,
                       out->description, sizeof(out->description), err) < 0)
        return PROTO_ERR;
    return PROTO_OK;
}

void proto_program_pack(msgpack_packer *pk, const proto_program *p) {
    msgpack_pack_map(pk, 6);
    pack_key(pk, "id");
    proto_pack_cstr(pk, p->id);
    pack_key(pk, "name");
    proto_pack_cstr(pk, p->name);
    pack_key(pk, "year");
    msgpack_pack_int64(pk, p->year);
    pack_key(pk, "self_service");
    if (p->self_service)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
    pack_key(pk, "jp_target");
    msgpack_pack_int64(pk, p->jp_target);
    pack_key(pk, "description");
    proto_pack_cstr(pk, p->description);
}

/* ---- match.pins, meeting.list, jp.get ------------------------------------ */

static const char *const pair_rule_keys[] = { "mentee_id", "coach_id", NULL };
static const char *const meeting_item_keys[] = { "id", "date", "minutes", "topic", "logged_by", "confirmed_by", NULL };
static const char *const jp_result_keys[] = { "mentee_id", "year", "minutes", "jp", "target", NULL };
/* The two sides of a match that log and confirm meetings. */
static const char *const side_names[] = { "mentee", "coach", NULL };

int proto_pair_rule_decode(const msgpack_object *obj, const char *path, proto_pair_rule *out, proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, pair_rule_keys, err) != PROTO_OK ||
        proto_read_str(&m, "mentee_id", PROTO_REQUIRED, 1, PROTO_ID_MAX, PROTO_CS_CODE, out->mentee_id,
                       sizeof(out->mentee_id), err) < 0 ||
        proto_read_str(&m, "coach_id", PROTO_REQUIRED, 1, PROTO_ID_MAX, PROTO_CS_CODE, out->coach_id,
                       sizeof(out->coach_id), err) < 0)
        return PROTO_ERR;
    return PROTO_OK;
}

void proto_pair_rule_pack(msgpack_packer *pk, const proto_pair_rule *pr) {
    msgpack_pack_map(pk, 2);
    pack_key(pk, "mentee_id");
    proto_pack_cstr(pk, pr->mentee_id);
    pack_key(pk, "coach_id");
    proto_pack_cstr(pk, pr->coach_id);
}

int proto_meeting_item_decode(const msgpack_object *obj, const char *path, proto_meeting_item *out, proto_error *err) {
    proto_map m;
    int logged, conf = -1, rc;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, meeting_item_keys, err) != PROTO_OK ||
        proto_read_str(&m, "id", PROTO_REQUIRED, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out->id, sizeof(out->id), err) <
            0 ||
        proto_read_str(&m, "date", PROTO_REQUIRED, PROTO_DATE_LEN, PROTO_DATE_LEN, PROTO_CS_CODE, out->date,
                       sizeof(out->date), err) < 0 ||
        proto_read_int(&m, "minutes", PROTO_REQUIRED, 1, API_MEETING_MINUTES_MAX, &out->minutes, err) < 0 ||
        proto_read_str(&m, "topic", PROTO_REQUIRED, 0, PROTO_TOPIC_MAX, PROTO_CS_LINE, out->topic, sizeof(out->topic),
                       err) < 0 ||
        proto_read_enum(&m, "logged_by", PROTO_REQUIRED, side_names, &logged, err) < 0 ||
        (rc = proto_read_enum(&m, "confirmed_by", PROTO_OPTIONAL, side_names, &conf, err)) < 0)
        return PROTO_ERR;
    out->mentee_logged = logged == 0;
    out->confirmed = rc == 1;
    if (out->confirmed && conf == logged)
        return field_error(&m, "confirmed_by", "must be the side that did not log the meeting", err);
    return PROTO_OK;
}

void proto_meeting_item_pack(msgpack_packer *pk, const proto_meeting_item *mi) {
    msgpack_pack_map(pk, mi->confirmed ? 6 : 5);
    pack_key(pk, "id");
    proto_pack_cstr(pk, mi->id);
    pack_key(pk, "date");
    proto_pack_cstr(pk, mi->date);
    pack_key(pk, "minutes");
    msgpack_pack_int64(pk, mi->minutes);
    pack_key(pk, "topic");
    proto_pack_cstr(pk, mi->topic);
    pack_key(pk, "logged_by");
    proto_pack_cstr(pk, side_names[mi->mentee_logged ? 0 : 1]);
    if (mi->confirmed) {
        pack_key(pk, "confirmed_by");
        proto_pack_cstr(pk, side_names[mi->mentee_logged ? 1 : 0]);
    }
}

int proto_jp_result_decode(const msgpack_object *obj, const char *path, proto_jp_result *out, proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, jp_result_keys, err) != PROTO_OK ||
        proto_read_str(&m, "mentee_id", PROTO_REQUIRED, 1, PROTO_ID_MAX, PROTO_CS_CODE, out->mentee_id,
                       sizeof(out->mentee_id), err) < 0 ||
        proto_read_int(&m, "year", PROTO_REQUIRED, PROTO_MEETING_YEAR_MIN, PROTO_MEETING_YEAR_MAX, &out->year, err) <
            0 ||
        read_count(&m, "minutes", PROTO_REQUIRED, &out->minutes, err) < 0 ||
        proto_read_float(&m, "jp", PROTO_REQUIRED, 0, (double)PROTO_COUNT_MAX, &out->jp, err) < 0 ||
        proto_read_float(&m, "target", PROTO_REQUIRED, 0, (double)PROTO_COUNT_MAX, &out->target, err) < 0)
        return PROTO_ERR;
    if (!jp_matches(out->jp, out->minutes)) return field_error(&m, "jp", "must be minutes / 45 to one decimal", err);
    return PROTO_OK;
}

void proto_jp_result_pack(msgpack_packer *pk, const proto_jp_result *j) {
    msgpack_pack_map(pk, 5);
    pack_key(pk, "mentee_id");
    proto_pack_cstr(pk, j->mentee_id);
    pack_key(pk, "year");
    msgpack_pack_int64(pk, j->year);
    pack_key(pk, "minutes");
    msgpack_pack_int64(pk, j->minutes);
    pack_key(pk, "jp");
    msgpack_pack_double(pk, j->jp);
    pack_key(pk, "target");
    msgpack_pack_double(pk, j->target);
}

/* ---- feedback.list ------------------------------------------------------- */

static const char *const feedback_item_keys[] = { "match_id", "by", "role", "rating", "comment", "at", NULL };

int proto_feedback_item_decode(const msgpack_object *obj, const char *path, proto_feedback_item *out,
                               proto_error *err) {
    proto_map m;
    int role;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, feedback_item_keys, err) != PROTO_OK ||
        proto_read_str(&m, "match_id", PROTO_REQUIRED, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out->match_id,
                       sizeof(out->match_id), err) < 0 ||
        proto_read_str(&m, "by", PROTO_REQUIRED, 1, PROTO_ID_MAX, PROTO_CS_CODE, out->by, sizeof(out->by), err) < 0 ||
        proto_read_enum(&m, "role", PROTO_REQUIRED, side_names, &role, err) < 0 ||
        proto_read_int(&m, "rating", PROTO_REQUIRED, 1, PROTO_RATING_MAX, &out->rating, err) < 0 ||
        proto_read_str(&m, "comment", PROTO_REQUIRED, 0, PROTO_COMMENT_MAX, PROTO_CS_TEXT, out->comment,
                       sizeof(out->comment), err) < 0 ||
        read_count(&m, "at", PROTO_REQUIRED, &out->at, err) < 0)
        return PROTO_ERR;
    out->mentee = role == 0;
    return PROTO_OK;
}

void proto_feedback_item_pack(msgpack_packer *pk, const proto_feedback_item *f) {
    msgpack_pack_map(pk, 6);
    pack_key(pk, "match_id");
    proto_pack_cstr(pk, f->match_id);
    pack_key(pk, "by");
    proto_pack_cstr(pk, f->by);
    pack_key(pk, "role");
    proto_pack_cstr(pk, side_names[f->mentee ? 0 : 1]);
    pack_key(pk, "rating");
    msgpack_pack_int64(pk, f->rating);
    pack_key(pk, "comment");
    proto_pack_cstr(pk, f->comment);
    pack_key(pk, "at");
    msgpack_pack_int64(pk, f->at);
}

/* ---- audit.list ---------------------------------------------------------- */

static const char *const audit_item_keys[] = { "at", "actor", "action", "object", "detail", NULL };

int proto_audit_item_decode(const msgpack_object *obj, const char *path, proto_audit_item *out, proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, audit_item_keys, err) != PROTO_OK ||
        read_count(&m, "at", PROTO_REQUIRED, &out->at, err) < 0 ||
        proto_read_str(&m, "actor", PROTO_REQUIRED, 0, PROTO_LOGIN_MAX, PROTO_CS_LINE, out->actor, sizeof(out->actor),
                       err) < 0 ||
        proto_read_str(&m, "action", PROTO_REQUIRED, 1, PROTO_METHOD_MAX, PROTO_CS_CODE, out->action,
                       sizeof(out->action), err) < 0 ||
        proto_read_str(&m, "object", PROTO_REQUIRED, 0, PROTO_AUDIT_OBJECT_MAX, PROTO_CS_LINE, out->object,
                       sizeof(out->object), err) < 0 ||
        proto_read_str(&m, "detail", PROTO_REQUIRED, 0, PROTO_AUDIT_DETAIL_MAX, PROTO_CS_TEXT, out->detail,
                       sizeof(out->detail), err) < 0)
        return PROTO_ERR;
    return PROTO_OK;
}

void proto_audit_item_pack(msgpack_packer *pk, const proto_audit_item *a) {
    msgpack_pack_map(pk, 5);
    pack_key(pk, "at");
    msgpack_pack_int64(pk, a->at);
    pack_key(pk, "actor");
    proto_pack_cstr(pk, a->actor);
    pack_key(pk, "action");
    proto_pack_cstr(pk, a->action);
    pack_key(pk, "object");
    proto_pack_cstr(pk, a->object);
    pack_key(pk, "detail");
    proto_pack_cstr(pk, a->detail);
}

/* ---- mail.dead ----------------------------------------------------------- */

static const char *const dead_mail_keys[] = { "id", "event", "kind", "to", "match", "reason", "tries", "at", NULL };

int proto_dead_mail_decode(const msgpack_object *obj, const char *path, proto_dead_mail *out, proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, dead_mail_keys, err) != PROTO_OK ||
        proto_read_str(&m, "id", PROTO_REQUIRED, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out->id, sizeof(out->id), err) <
            0 ||
        proto_read_str(&m, "event", PROTO_REQUIRED, 1, PROTO_OBJID_MAX, PROTO_CS_CODE, out->event, sizeof(out->event),
                       err) < 0 ||
        proto_read_str(&m, "kind", PROTO_REQUIRED, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out->kind, sizeof(out->kind),
                       err) < 0 ||
        proto_read_str(&m, "to", PROTO_REQUIRED, 1, PROTO_MAIL_TO_MAX, PROTO_CS_LINE, out->to, sizeof(out->to), err) <
            0 ||
        proto_read_str(&m, "match", PROTO_REQUIRED, 0, PROTO_OBJID_MAX, PROTO_CS_CODE, out->match, sizeof(out->match),
                       err) < 0 ||
        proto_read_str(&m, "reason", PROTO_REQUIRED, 0, PROTO_MAIL_REASON_MAX, PROTO_CS_TEXT, out->reason,
                       sizeof(out->reason), err) < 0 ||
        read_count(&m, "tries", PROTO_REQUIRED, &out->tries, err) < 0 ||
        read_count(&m, "at", PROTO_REQUIRED, &out->at, err) < 0)
        return PROTO_ERR;
    return PROTO_OK;
}

void proto_dead_mail_pack(msgpack_packer *pk, const proto_dead_mail *d) {
    msgpack_pack_map(pk, 8);
    pack_key(pk, "id");
    proto_pack_cstr(pk, d->id);
    pack_key(pk, "event");
    proto_pack_cstr(pk, d->event);
    pack_key(pk, "kind");
    proto_pack_cstr(pk, d->kind);
    pack_key(pk, "to");
    proto_pack_cstr(pk, d->to);
    pack_key(pk, "match");
    proto_pack_cstr(pk, d->match);
    pack_key(pk, "reason");
    proto_pack_cstr(pk, d->reason);
    pack_key(pk, "tries");
    msgpack_pack_int64(pk, d->tries);
    pack_key(pk, "at");
    msgpack_pack_int64(pk, d->at);
}
