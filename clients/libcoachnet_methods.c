/*
 * libcoachnet_methods.c -- one typed function per method of design.md §3.
 *
 * Each function packs its params map with msgpack-c (optional params are
 * left out rather than sent as nil, so the request shows exactly what the
 * caller asked for), makes a blocking call, and either hands the result
 * handle back or copies the few scalars of a simple result into the
 * caller's variables.  Validation of values is the server's: the library
 * only refuses what it cannot encode (NULL where a string is required).
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

static void pb_cstr(msgpack_packer *pk, const char *s) {
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void pb_str(pbuf *b, const char *key, const char *val) {
    pb_key(b, key);
    pb_cstr(&b->pk, val);
}

static void pb_int(pbuf *b, const char *key, int64_t v) {
    pb_key(b, key);
    msgpack_pack_int64(&b->pk, v);
}

/* Call with the built params, then free them. */
static int pb_call(cn_client *c, pbuf *b, const char *method, cn_client_result **res,
                   cn_client_error *err) {
    int r = cn_client_call_raw(c, method, b->sb.data, b->sb.size, res, err);
    msgpack_sbuffer_destroy(&b->sb);
    return r;
}

/* Refuse NULL/empty required strings before touching the network. */
static int need(const char *method, const char *name, const char *v, cn_client_error *err) {
    if (v == NULL || v[0] == '\0')
        return cn_seterr(err, CN_CLIENT_E_USAGE, "%s: %s is required", method, name);
    return CN_CLIENT_OK;
}

/* A result field the protocol says is there but is not: protocol error. */
static int missing(const char *method, const char *field, cn_client_error *err) {
    return cn_seterr(err, CN_CLIENT_E_PROTOCOL, "%s: result lacks a valid \"%s\"", method, field);
}

const char *cn_client_kind_name(cn_client_kind k) {
    return k == CN_CLIENT_COACH ? "coach" : "mentee";
}

/* ---------------------------------------------------------------------- */
/* auth, user                                                              */
/* ---------------------------------------------------------------------- */

/* Copy role/subject (and the other fields present) of an auth result. */
static int read_session(const char *method, const msgpack_object *o, cn_client_session *s,
                        cn_client_error *err) {
    memset(s, 0, sizeof(*s));
    if (cn_client_obj_str(cn_client_map_get(o, "role"), s->role, sizeof(s->role)) != CN_CLIENT_OK)
        return missing(method, "role", err);
    cn_client_obj_str(cn_client_map_get(o, "subject"), s->subject, sizeof(s->subject));
    cn_client_obj_str(cn_client_map_get(o, "login"), s->login, sizeof(s->login));
    cn_client_obj_str(cn_client_map_get(o, "token"), s->token, sizeof(s->token));
    cn_client_obj_int(cn_client_map_get(o, "expires_in"), &s->expires_in);
    return CN_CLIENT_OK;
}

int cn_client_login(cn_client *c, const char *login, const char *password,
                    cn_client_session *s, cn_client_error *err) {
    if (need("auth.login", "login", login, err) || password == NULL)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "auth.login: login and password are required");
    pbuf b;
    pb_init(&b, 2);
    pb_str(&b, "login", login);
    pb_str(&b, "password", password);
    cn_client_result *r;
    if (pb_call(c, &b, "auth.login", &r, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
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

int cn_client_resume(cn_client *c, const char *token, cn_client_session *s,
                     cn_client_error *err) {
    if (need("auth.resume", "token", token, err)) return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 1);
    pb_str(&b, "token", token);
    cn_client_result *r;
    if (pb_call(c, &b, "auth.resume", &r, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    cn_client_session tmp;
    int rc = read_session("auth.resume", cn_client_result_obj(r), &tmp, err);
    if (rc == CN_CLIENT_OK && s) *s = tmp;
    cn_client_result_free(r);
    return rc;
}

int cn_client_logout(cn_client *c, cn_client_error *err) {
    return cn_client_call_raw(c, "auth.logout", NULL, 0, NULL, err);
}

int cn_client_user_create(cn_client *c, const cn_client_user_spec *u, cn_client_error *err) {
    if (u == NULL || need("user.create", "login", u->login, err) ||
        need("user.create", "password", u->password, err) ||
        need("user.create", "role", u->role, err))
        return CN_CLIENT_ERR;
    for (size_t i = 0; i < u->nprograms; i++)
        if (need("user.create", "programs[i]", u->programs[i], err)) return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 3 + (u->subject != NULL) + (u->nprograms > 0));
    pb_str(&b, "login", u->login);
    pb_str(&b, "password", u->password);
    pb_str(&b, "role", u->role);
    if (u->subject) pb_str(&b, "subject", u->subject);
    if (u->nprograms > 0) {
        pb_key(&b, "programs");
        msgpack_pack_array(&b.pk, (uint32_t)u->nprograms);
        for (size_t i = 0; i < u->nprograms; i++) pb_cstr(&b.pk, u->programs[i]);
    }
    return pb_call(c, &b, "user.create", NULL, err);
}

int cn_client_user_disable(cn_client *c, const char *login, cn_client_error *err) {
    if (need("user.disable", "login", login, err)) return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 1);
    pb_str(&b, "login", login);
    return pb_call(c, &b, "user.disable", NULL, err);
}

/* ---------------------------------------------------------------------- */
/* profiles                                                                */
/* ---------------------------------------------------------------------- */

int cn_client_profile_put_raw(cn_client *c, cn_client_kind kind, const char *profile, size_t len,
                              int64_t if_version, char *id, size_t idlen, int64_t *version,
                              cn_client_error *err) {
    const char *method = kind == CN_CLIENT_COACH ? "coach.put" : "mentee.put";
    if (profile == NULL || len == 0)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "%s: profile is required", method);
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

int cn_client_profile_put(cn_client *c, cn_client_kind kind, const msgpack_object *profile,
                          int64_t if_version, char *id, size_t idlen, int64_t *version,
                          cn_client_error *err) {
    if (profile == NULL || profile->type != MSGPACK_OBJECT_MAP)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "%s.put: profile must be a map",
                         cn_client_kind_name(kind));
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_object(&pk, *profile);
    int r = cn_client_profile_put_raw(c, kind, sb.data, sb.size, if_version, id, idlen, version,
                                      err);
    msgpack_sbuffer_destroy(&sb);
    return r;
}

int cn_client_profile_get(cn_client *c, cn_client_kind kind, const char *id,
                          cn_client_result **res, cn_client_error *err) {
    const char *method = kind == CN_CLIENT_COACH ? "coach.get" : "mentee.get";
    if (need(method, "id", id, err)) return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 1);
    pb_str(&b, "id", id);
    return pb_call(c, &b, method, res, err);
}

int cn_client_profile_list(cn_client *c, cn_client_kind kind, const cn_client_list_opts *o,
                           cn_client_result **res, cn_client_error *err) {
    const char *method = kind == CN_CLIENT_COACH ? "coach.list" : "mentee.list";
    cn_client_list_opts none = { NULL, NULL, NULL, 0 };
    if (o == NULL) o = &none;
    pbuf b;
    pb_init(&b, (o->program != NULL) + (o->province != NULL) + (o->cursor != NULL) +
                    (o->limit > 0));
    if (o->program) pb_str(&b, "program", o->program);
    if (o->province) pb_str(&b, "province", o->province);
    if (o->cursor) pb_str(&b, "cursor", o->cursor);
    if (o->limit > 0) pb_int(&b, "limit", o->limit);
    return pb_call(c, &b, method, res, err);
}

/* ---------------------------------------------------------------------- */
/* matches                                                                 */
/* ---------------------------------------------------------------------- */

int cn_client_match_suggest(cn_client *c, const char *mentee_id, int64_t limit,
                            cn_client_result **res, cn_client_error *err) {
    if (need("match.suggest", "mentee_id", mentee_id, err)) return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 1 + (limit > 0));
    pb_str(&b, "mentee_id", mentee_id);
    if (limit > 0) pb_int(&b, "limit", limit);
    return pb_call(c, &b, "match.suggest", res, err);
}

int cn_client_match_request(cn_client *c, const char *coach_id, cn_client_result **res,
                            cn_client_error *err) {
    if (need("match.request", "coach_id", coach_id, err)) return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 1);
    pb_str(&b, "coach_id", coach_id);
    return pb_call(c, &b, "match.request", res, err);
}

int cn_client_match_run(cn_client *c, const char *program, const msgpack_object *policy,
                        char *run_id, size_t run_id_len, cn_client_error *err) {
    if (need("match.run", "program", program, err)) return CN_CLIENT_ERR;
    if (policy && policy->type != MSGPACK_OBJECT_MAP)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "match.run: policy must be a map");
    pbuf b;
    pb_init(&b, 1 + (policy != NULL));
    pb_str(&b, "program", program);
    if (policy) {
        pb_key(&b, "policy");
        msgpack_pack_object(&b.pk, *policy);
    }
    cn_client_result *r;
    if (pb_call(c, &b, "match.run", &r, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    char tmp[CN_CLIENT_NAME_LEN];
    int rc = CN_CLIENT_OK;
    if (cn_client_obj_str(cn_client_map_get(cn_client_result_obj(r), "run_id"), tmp,
                          sizeof(tmp)) != CN_CLIENT_OK)
        rc = missing("match.run", "run_id", err);
    else if (run_id && run_id_len)
        snprintf(run_id, run_id_len, "%s", tmp);
    cn_client_result_free(r);
    return rc;
}

int cn_client_match_list(cn_client *c, const cn_client_match_filter *f, cn_client_result **res,
                         cn_client_error *err) {
    cn_client_match_filter none = { NULL, NULL, NULL, -1, NULL, 0 };
    if (f == NULL) f = &none;
    pbuf b;
    pb_init(&b, (f->run_id != NULL) + (f->program != NULL) + (f->status != NULL) +
                    (f->min_score >= 0) + (f->cursor != NULL) + (f->limit > 0));
    if (f->run_id) pb_str(&b, "run_id", f->run_id);
    if (f->program) pb_str(&b, "program", f->program);
    if (f->status) pb_str(&b, "status", f->status);
    if (f->min_score >= 0) pb_int(&b, "min_score", f->min_score);
    if (f->cursor) pb_str(&b, "cursor", f->cursor);
    if (f->limit > 0) pb_int(&b, "limit", f->limit);
    return pb_call(c, &b, "match.list", res, err);
}

int cn_client_match_explain(cn_client *c, const char *mentee_id, const char *coach_id,
                            cn_client_result **res, cn_client_error *err) {
    if (need("match.explain", "mentee_id", mentee_id, err) ||
        need("match.explain", "coach_id", coach_id, err))
        return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 2);
    pb_str(&b, "mentee_id", mentee_id);
    pb_str(&b, "coach_id", coach_id);
    return pb_call(c, &b, "match.explain", res, err);
}

int cn_client_match_review(cn_client *c, const char *const *match_ids, size_t n,
                           const char *decision, const char *note, cn_client_result **res,
                           cn_client_error *err) {
    if (need("match.review", "decision", decision, err)) return CN_CLIENT_ERR;
    if (match_ids == NULL || n == 0)
        return cn_seterr(err, CN_CLIENT_E_USAGE, "match.review: at least one match id is required");
    for (size_t i = 0; i < n; i++)
        if (need("match.review", "match_ids[i]", match_ids[i], err)) return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 2 + (note != NULL));
    pb_key(&b, "match_ids");
    msgpack_pack_array(&b.pk, (uint32_t)n);
    for (size_t i = 0; i < n; i++) pb_cstr(&b.pk, match_ids[i]);
    pb_str(&b, "decision", decision);
    if (note) pb_str(&b, "note", note);
    return pb_call(c, &b, "match.review", res, err);
}

static int pin_or_forbid(cn_client *c, const char *method, const char *program,
                         const char *mentee_id, const char *coach_id, cn_client_error *err) {
    if (need(method, "program", program, err) || need(method, "mentee_id", mentee_id, err) ||
        need(method, "coach_id", coach_id, err))
        return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 3);
    pb_str(&b, "program", program);
    pb_str(&b, "mentee_id", mentee_id);
    pb_str(&b, "coach_id", coach_id);
    return pb_call(c, &b, method, NULL, err);
}

int cn_client_match_pin(cn_client *c, const char *program, const char *mentee_id,
                        const char *coach_id, cn_client_error *err) {
    return pin_or_forbid(c, "match.pin", program, mentee_id, coach_id, err);
}

int cn_client_match_forbid(cn_client *c, const char *program, const char *mentee_id,
                           const char *coach_id, cn_client_error *err) {
    return pin_or_forbid(c, "match.forbid", program, mentee_id, coach_id, err);
}

int cn_client_match_mine(cn_client *c, cn_client_result **res, cn_client_error *err) {
    return cn_client_call_raw(c, "match.mine", NULL, 0, res, err);
}

int cn_client_match_respond(cn_client *c, const char *match_id, int accept, const char *note,
                            cn_client_result **res, cn_client_error *err) {
    if (need("match.respond", "match_id", match_id, err)) return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 2 + (note != NULL));
    pb_str(&b, "match_id", match_id);
    pb_key(&b, "accept");
    if (accept)
        msgpack_pack_true(&b.pk);
    else
        msgpack_pack_false(&b.pk);
    if (note) pb_str(&b, "note", note);
    return pb_call(c, &b, "match.respond", res, err);
}

/* ---------------------------------------------------------------------- */
/* meetings, feedback, stats                                               */
/* ---------------------------------------------------------------------- */

int cn_client_meeting_log(cn_client *c, const char *match_id, const char *date, int64_t minutes,
                          const char *topic, char *meeting_id, size_t meeting_id_len,
                          double *jp_total, cn_client_error *err) {
    if (need("meeting.log", "match_id", match_id, err) || need("meeting.log", "date", date, err))
        return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 3 + (topic != NULL));
    pb_str(&b, "match_id", match_id);
    pb_str(&b, "date", date);
    pb_int(&b, "minutes", minutes);
    if (topic) pb_str(&b, "topic", topic);
    cn_client_result *r;
    if (pb_call(c, &b, "meeting.log", &r, err) != CN_CLIENT_OK) return CN_CLIENT_ERR;
    const msgpack_object *o = cn_client_result_obj(r);
    int rc = CN_CLIENT_OK;
    double jp = 0;
    const msgpack_object *mid = cn_client_map_get(o, "meeting_id");
    if (cn_client_obj_num(cn_client_map_get(o, "jp_total"), &jp) != CN_CLIENT_OK) {
        rc = missing("meeting.log", "jp_total", err);
    } else if (meeting_id && meeting_id_len) {
        int64_t n;
        if (cn_client_obj_str(mid, meeting_id, meeting_id_len) == CN_CLIENT_OK)
            ;
        else if (cn_client_obj_int(mid, &n) == CN_CLIENT_OK)
            snprintf(meeting_id, meeting_id_len, "%lld", (long long)n);
        else
            rc = missing("meeting.log", "meeting_id", err);
    }
    if (rc == CN_CLIENT_OK && jp_total) *jp_total = jp;
    cn_client_result_free(r);
    return rc;
}

int cn_client_feedback_put(cn_client *c, const char *match_id, int rating, const char *comment,
                           cn_client_error *err) {
    if (need("feedback.put", "match_id", match_id, err)) return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 2 + (comment != NULL));
    pb_str(&b, "match_id", match_id);
    pb_int(&b, "rating", rating);
    if (comment) pb_str(&b, "comment", comment);
    return pb_call(c, &b, "feedback.put", NULL, err);
}

int cn_client_stats_get(cn_client *c, const char *program, cn_client_result **res,
                        cn_client_error *err) {
    if (need("stats.get", "program", program, err)) return CN_CLIENT_ERR;
    pbuf b;
    pb_init(&b, 1);
    pb_str(&b, "program", program);
    return pb_call(c, &b, "stats.get", res, err);
}
