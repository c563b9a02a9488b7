/*
 * libcoachnet_methods.c -- the convenience calls of libcoachnet.
 *
 * The params of every method are packed by the generated stubs
 * (libcoachnet_api.gen.c, from the API schema: optional params are left
 * out rather than sent as nil, a required one left NULL is a usage error).
 * The functions here keep the library's older, narrower signatures on top
 * of them and copy the few scalars of a simple result (a token, a run id,
 * a version) into the caller's variables.  Validation of values is the
 * server's.
 */
#include <string.h>

#include "clients/libcoachnet_private.h"

/* A params map under construction. */
typedef struct pbuf {
    msgpack_sbuffer sb;
    msgpack_packer pk;
} pbuf;

static void pb_init(pbuf *b, size_t nkeys) {
    msgpack_sbuffer_init(&b->sb);
    msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
    msgpack_pack_map(&b->pk, (uint32_t)nkeys);
}

static void pb_key(pbuf *b, const char *key) {
    size_t n = strlen(key);
    msgpack_pack_str(&b->pk, n);
    msgpack_pack_str_body(&b->pk, key, n);
}

static void pb_int(pbuf *b, const char *key, int64_t v) {
    pb_key(b, key);
    msgpack_pack_int64(&b->pk, v);
}

/* Call with the built params, then free them. */
static int pb_call(cn_client *c, pbuf *b, const char *method, cn_client_result **res, cn_client_error *err) {
    int r = cn_client_call_raw(c, method, b->sb.data, b->sb.size, res, err);
    msgpack_sbuffer_destroy(&b->sb);
    return r;
}

/* Refuse NULL/empty required strings before touching the network. */
static int need(const char *method, const char *name, const char *v, cn_client_error *err) {
    if (v == NULL || v[0] == '\0') return cn_seterr(err, CN_CLIENT_E_USAGE, "%s: %s is required", method, name);
    return CN_CLIENT_OK;
}

/* A result field the protocol says is there but is not: protocol error. */
static int missing(const char *method, const char *field, cn_client_error *err) {
    return cn_seterr(err, CN_CLIENT_E_PROTOCOL, "%s: result lacks a valid \"%s\"", method, field);
}

const char *cn_client_kind_name(cn_client_kind k) { return k == CN_CLIENT_COACH ? "coach" : "mentee"; }

/* ---------------------------------------------------------------------- */
/* auth, user                                                              */
/* ---------------------------------------------------------------------- */

/* Copy role/subject (and the other fields present) of an auth result. */
static int read_session(const char *method, const msgpack_object *o, cn_client_session *s, cn_client_error *err) {
    memset(s, 0, sizeof(*s));
    if (cn_client_obj_str(cn_client_map_get(o, "role"), s->role, sizeof(s->role)) != CN_CLIENT_OK)
        return missing(method, "role", err);
    cn_client_obj_str(cn_client_map_get(o, "subject"), s->subject, sizeof(s->subject));
    cn_client_obj_str(cn_client_map_get(o, "login"), s->login, sizeof(s->login));
    cn_client_obj_str(cn_client_map_get(o, "token"), s->token, sizeof(s->token));
    cn_client_obj_int(cn_client_map_get(o, "expires_in"), &s->expires_in);
    return CN_CLIENT_OK;
}

int cn_client_login(cn_client *c, const char *login, const char *password, cn_client_session *s, cn_client_error *err) {
    if (need("auth.login", "login", login, err) || password == NULL)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "auth.login: login and password are required");
    cn_api_auth_login_params p = { .login = login, .password = password };
    cn_client_result *r;
    if (cn_api_auth_login(c, &p, &r, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    cn_client_session tmp;
    int rc = read_session("auth.login", cn_client_result_obj(r), &tmp, err);
    if (rc == CN_CLIENT_OK && tmp.token[0] == '\0') rc = missing("auth.login", "token", err);
    if (rc == CN_CLIENT_OK && s) {
        *s = tmp;
        if (s->login[0] == '\0') snprintf(s->login, sizeof(s->login), "%s", login);
    }
    cn_client_result_free(r);
    return rc;
}

int cn_client_resume(cn_client *c, const char *token, cn_client_session *s, cn_client_error *err) {
    if (need("auth.resume", "token", token, err)) return CN_CLIENT_ERR;
    cn_api_auth_resume_params p = { .token = token };
    cn_client_result *r;
    if (cn_api_auth_resume(c, &p, &r, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    cn_client_session tmp;
    int rc = read_session("auth.resume", cn_client_result_obj(r), &tmp, err);
    if (rc == CN_CLIENT_OK && s) *s = tmp;
    cn_client_result_free(r);
    return rc;
}

int cn_client_logout(cn_client *c, cn_client_error *err) {
    cn_api_auth_logout_params p = { 0 };
    return cn_api_auth_logout(c, &p, NULL, err);
}

int cn_client_user_create(cn_client *c, const cn_client_user_spec *u, cn_client_error *err) {
    if (u == NULL) return cn_seterr(err, CN_CLIENT_E_USAGE, "user.create: no user");
    cn_api_user_create_params p = { .login = u->login,
                                    .password = u->password,
                                    .role = u->role,
                                    .subject = u->subject,
                                    .programs = u->nprograms ? u->programs : NULL,
                                    .n_programs = u->nprograms };
    return cn_api_user_create(c, &p, NULL, err);
}

int cn_client_user_disable(cn_client *c, const char *login, cn_client_error *err) {
    cn_api_user_disable_params p = { .login = login };
    return cn_api_user_disable(c, &p, NULL, err);
}

/* ---------------------------------------------------------------------- */
/* profiles                                                                */
/* ---------------------------------------------------------------------- */

int cn_client_profile_put_raw(cn_client *c, cn_client_kind kind, const char *profile, size_t len, int64_t if_version,
                              char *id, size_t idlen, int64_t *version, cn_client_error *err) {
    const char *method = kind == CN_CLIENT_COACH ? "coach.put" : "mentee.put";
    if (profile == NULL || len == 0) return cn_seterr(err, CN_CLIENT_E_USAGE, "%s: profile is required", method);
    pbuf b;
    pb_init(&b, 1 + (if_version >= 0));
    pb_key(&b, "profile");
    msgpack_sbuffer_write(&b.sb, profile, len);
    if (if_version >= 0) pb_int(&b, "if_version", if_version);
    cn_client_result *r;
    if (pb_call(c, &b, method, &r, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    const msgpack_object *o = cn_client_result_obj(r);
    int rc = CN_CLIENT_OK;
    int64_t v = 0;
    if (cn_client_obj_int(cn_client_map_get(o, "version"), &v) != CN_CLIENT_OK)
        rc = missing(method, "version", err);
    else if (id && idlen && cn_client_obj_str(cn_client_map_get(o, "id"), id, idlen) != CN_CLIENT_OK)
        rc = missing(method, "id", err);
    if (rc == CN_CLIENT_OK && version) *version = v;
    cn_client_result_free(r);
    return rc;
}

int cn_client_profile_put(cn_client *c, cn_client_kind kind, const msgpack_object *profile, int64_t if_version,
                          char *id, size_t idlen, int64_t *version, cn_client_error *err) {
    if (profile == NULL || profile->type != MSGPACK_OBJECT_MAP)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "%s.put: profile must be a map", cn_client_kind_name(kind));
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_object(&pk, *profile);
    int r = cn_client_profile_put_raw(c, kind, sb.data, sb.size, if_version, id, idlen, version, err);
    msgpack_sbuffer_destroy(&sb);
    return r;
}

int cn_client_profile_get(cn_client *c, cn_client_kind kind, const char *id, cn_client_result **res,
                          cn_client_error *err) {
    if (kind == CN_CLIENT_COACH) {
        cn_api_coach_get_params p = { .id = id };
        return cn_api_coach_get(c, &p, res, err);
    }
    cn_api_mentee_get_params p = { .id = id };
    return cn_api_mentee_get(c, &p, res, err);
}

int cn_client_profile_list(cn_client *c, cn_client_kind kind, const cn_client_list_opts *o, cn_client_result **res,
                           cn_client_error *err) {
    cn_client_list_opts none = { NULL, NULL, NULL, 0 };
    if (o == NULL) o = &none;
    if (kind == CN_CLIENT_COACH) {
        cn_api_coach_list_params p = { .program = o->program,
                                       .province = o->province,
                                       .cursor = o->cursor,
                                       .limit = o->limit,
                                       .has_limit = o->limit > 0 };
        return cn_api_coach_list(c, &p, res, err);
    }
    cn_api_mentee_list_params p = { .program = o->program,
                                    .province = o->province,
                                    .cursor = o->cursor,
                                    .limit = o->limit,
                                    .has_limit = o->limit > 0 };
    return cn_api_mentee_list(c, &p, res, err);
}

/* ---------------------------------------------------------------------- */
/* matches                                                                 */
/* ---------------------------------------------------------------------- */

int cn_client_match_suggest(cn_client *c, const char *mentee_id, int64_t limit, cn_client_result **res,
                            cn_client_error *err) {
    cn_api_match_suggest_params p = { .mentee_id = mentee_id, .limit = limit, .has_limit = limit > 0 };
    return cn_api_match_suggest(c, &p, res, err);
}

int cn_client_match_request(cn_client *c, const char *coach_id, cn_client_result **res, cn_client_error *err) {
    cn_api_match_request_params p = { .coach_id = coach_id };
    return cn_api_match_request(c, &p, res, err);
}

int cn_client_match_run(cn_client *c, const char *program, const msgpack_object *policy, char *run_id,
                        size_t run_id_len, cn_client_error *err) {
    if (policy && policy->type != MSGPACK_OBJECT_MAP)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "match.run: policy must be a map");
    cn_api_match_run_params p = { .program = program, .policy = policy };
    cn_client_result *r;
    if (cn_api_match_run(c, &p, &r, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    char tmp[CN_CLIENT_NAME_LEN];
    int rc = CN_CLIENT_OK;
    if (cn_client_obj_str(cn_client_map_get(cn_client_result_obj(r), "run_id"), tmp, sizeof(tmp)) != CN_CLIENT_OK)
        rc = missing("match.run", "run_id", err);
    else if (run_id && run_id_len)
        snprintf(run_id, run_id_len, "%s", tmp);
    cn_client_result_free(r);
    return rc;
}

int cn_client_match_list(cn_client *c, const cn_client_match_filter *f, cn_client_result **res, cn_client_error *err) {
    cn_client_match_filter none = { NULL, NULL, NULL, -1, NULL, 0, NULL, NULL, NULL };
    if (f == NULL) f = &none;
    cn_api_match_list_params p = { .run_id = f->run_id,
                                   .program = f->program,
                                   .status = f->status,
                                   .min_score = f->min_score,
                                   .has_min_score = f->min_score >= 0,
                                   .cursor = f->cursor,
                                   .limit = f->limit,
                                   .has_limit = f->limit > 0,
                                   .sort = f->sort,
                                   .coach_id = f->coach_id,
                                   .mentee_id = f->mentee_id };
    return cn_api_match_list(c, &p, res, err);
}

int cn_client_match_explain(cn_client *c, const char *mentee_id, const char *coach_id, cn_client_result **res,
                            cn_client_error *err) {
    cn_api_match_explain_params p = { .mentee_id = mentee_id, .coach_id = coach_id };
    return cn_api_match_explain(c, &p, res, err);
}

int cn_client_match_review(cn_client *c, const char *const *match_ids, size_t n, const char *decision, const char *note,
                           cn_client_result **res, cn_client_error *err) {
    cn_api_match_review_params p = { .match_ids = match_ids, .n_match_ids = n, .decision = decision, .note = note };
    return cn_api_match_review(c, &p, res, err);
}

int cn_client_match_pin(cn_client *c, const char *program, const char *mentee_id, const char *coach_id,
                        cn_client_error *err) {
    cn_api_match_pin_params p = { .program = program, .mentee_id = mentee_id, .coach_id = coach_id };
    return cn_api_match_pin(c, &p, NULL, err);
}

int cn_client_match_forbid(cn_client *c, const char *program, const char *mentee_id, const char *coach_id,
                           cn_client_error *err) {
    cn_api_match_forbid_params p = { .program = program, .mentee_id = mentee_id, .coach_id = coach_id };
    return cn_api_match_forbid(c, &p, NULL, err);
}

int cn_client_match_mine(cn_client *c, cn_client_result **res, cn_client_error *err) {
    return cn_api_match_mine(c, NULL, res, err);
}

int cn_client_match_respond(cn_client *c, const char *match_id, int accept, const char *note, cn_client_result **res,
                            cn_client_error *err) {
    cn_api_match_respond_params p = { .match_id = match_id, .accept = accept, .note = note };
    return cn_api_match_respond(c, &p, res, err);
}

/* ---------------------------------------------------------------------- */
/* meetings, feedback, stats                                               */
/* ---------------------------------------------------------------------- */

int cn_client_meeting_log(cn_client *c, const char *match_id, const char *date, int64_t minutes, const char *topic,
                          cn_client_meeting *out, cn_client_error *err) {
    cn_api_meeting_log_params p = { .match_id = match_id, .date = date, .minutes = minutes, .topic = topic };
    cn_client_result *r;
    if (cn_api_meeting_log(c, &p, &r, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    const msgpack_object *o = cn_client_result_obj(r);
    const msgpack_object *conf = cn_client_map_get(o, "confirmed");
    cn_client_meeting m;
    memset(&m, 0, sizeof m);
    int64_t year = 0;
    int rc = CN_CLIENT_OK;
    const msgpack_object *mid = cn_client_map_get(o, "meeting_id");
    int64_t n;
    if (cn_client_obj_str(mid, m.meeting_id, sizeof m.meeting_id) == CN_CLIENT_OK)
        ; /* an older server may send an integer id: shown as text */
    else if (cn_client_obj_int(mid, &n) == CN_CLIENT_OK)
        snprintf(m.meeting_id, sizeof m.meeting_id, "%lld", (long long)n);
    else
        rc = missing("meeting.log", "meeting_id", err);
    if (rc != CN_CLIENT_OK)
        ;
    else if (!conf || conf->type != MSGPACK_OBJECT_BOOLEAN)
        rc = missing("meeting.log", "confirmed", err);
    else if (cn_client_obj_int(cn_client_map_get(o, "minutes"), &m.minutes) != CN_CLIENT_OK)
        rc = missing("meeting.log", "minutes", err);
    else if (cn_client_obj_num(cn_client_map_get(o, "jp"), &m.jp) != CN_CLIENT_OK)
        rc = missing("meeting.log", "jp", err);
    else if (cn_client_obj_int(cn_client_map_get(o, "year"), &year) != CN_CLIENT_OK || year < 0 || year > 9999)
        rc = missing("meeting.log", "year", err);
    else if (cn_client_obj_int(cn_client_map_get(o, "minutes_total"), &m.minutes_total) != CN_CLIENT_OK)
        rc = missing("meeting.log", "minutes_total", err);
    else if (cn_client_obj_num(cn_client_map_get(o, "jp_total"), &m.jp_total) != CN_CLIENT_OK)
        rc = missing("meeting.log", "jp_total", err);
    else if (cn_client_obj_int(cn_client_map_get(o, "jp_target"), &m.jp_target) != CN_CLIENT_OK || m.jp_target < 0)
        rc = missing("meeting.log", "jp_target", err);
    if (rc == CN_CLIENT_OK && out) {
        m.confirmed = conf->via.boolean;
        m.year = (int)year;
        *out = m;
    }
    cn_client_result_free(r);
    return rc;
}

int cn_client_feedback_put(cn_client *c, const char *match_id, int rating, const char *comment, cn_client_error *err) {
    cn_api_feedback_put_params p = { .match_id = match_id, .rating = rating, .comment = comment };
    return cn_api_feedback_put(c, &p, NULL, err);
}

int cn_client_stats_get(cn_client *c, const char *program, cn_client_result **res, cn_client_error *err) {
    cn_api_stats_get_params p = { .program = program };
    return cn_api_stats_get(c, &p, res, err);
}
