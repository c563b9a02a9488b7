/* pack.c — the adapter between what coachnetd holds and the wire (see
 * pack.h): conversions into proto structs, the envelopes of results, the
 * raw stored blobs.  The only file of server/ that calls msgpack-c's
 * packing functions. */
#include <stdio.h>
#include <string.h>

#include "server/pack.h"

/* Pairs of a match hash examined; a match has 16 fields today, and the
 * scripts may add mentee_card, coach_card and notes. */
#define MATCH_FIELDS_MAX 64
/* Entries of a stored meeting record examined; meeting_log.lua writes 8. */
#define MEETING_FIELDS_MAX 16
/* Entries of a stored feedback record examined; feedback_put.lua writes 3. */
#define FEEDBACK_FIELDS_MAX 8
/* Digits of a stored integer field (scores, unix seconds). */
#define INT_DIGITS_MAX 18

static void pack_strn(msgpack_packer *pk, const char *s, size_t n) {
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

int pack_name_index(const char *const *names, const char *s, size_t len) {
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], s, len)) return i;
    return -1;
}

/* ------------------------------------------------------------------ match */

/* One field of a match hash, not NUL-terminated. */
typedef struct field {
    const char *k, *v;
    size_t kl, vl;
} field;

enum { FIELD_SKIP, FIELD_STR, FIELD_INT, FIELD_EXPLAIN, FIELD_BLOB };

/* Fields a script adds to a match's own (match.lua's cards(), match_get.lua's
 * notes): msgpack blobs nested under the key `as`.  No match hash holds
 * these names. */
static const struct {
    const char *field, *as;
} blob_fields[] = { { "mentee_card", "mentee" }, { "coach_card", "coach" }, { "notes", "notes" } };

static int field_is(const field *f, const char *name) { return f->kl == strlen(name) && !memcmp(f->k, name, f->kl); }

/* How a field goes into the match object; internal fields, an empty
 * run_id and an empty explain are left out. */
static int field_kind(const field *f) {
    static const char *const str_fields[] = { "id", "program", "mentee_id", "coach_id", "status", "run_id", NULL };
    static const char *const int_fields[] = { "score", "created_at", "updated_at", NULL };
    if (field_is(f, "explain")) return f->vl ? FIELD_EXPLAIN : FIELD_SKIP;
    if (field_is(f, "run_id") && !f->vl) return FIELD_SKIP;
    for (size_t j = 0; j < sizeof blob_fields / sizeof blob_fields[0]; j++)
        if (field_is(f, blob_fields[j].field)) return FIELD_BLOB;
    for (int j = 0; str_fields[j]; j++)
        if (field_is(f, str_fields[j])) return FIELD_STR;
    for (int j = 0; int_fields[j]; j++)
        if (field_is(f, int_fields[j])) return FIELD_INT;
    return FIELD_SKIP;
}

/* A stored integer: decimal digits only (Lua's tostring of a count). */
static int parse_int(const char *s, size_t n, int64_t *out) {
    if (n == 0 || n > INT_DIGITS_MAX) return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Build the match object from the fields in a scratch buffer and decode
 * it with proto_match_decode(): the store is outside this process, so what
 * goes to clients passes the very checks their decoders apply. */
static int match_from_fields(const field *f, size_t n, proto_match *out) {
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    size_t kept = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) kept += field_kind(&f[i]) != FIELD_SKIP;
    msgpack_pack_map(&pk, kept);
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t v = 0;
        switch (field_kind(&f[i])) {
        case FIELD_STR:
            pack_strn(&pk, f[i].k, f[i].kl);
            pack_strn(&pk, f[i].v, f[i].vl);
            break;
        case FIELD_INT:
            rc = parse_int(f[i].v, f[i].vl, &v);
            pack_strn(&pk, f[i].k, f[i].kl);
            msgpack_pack_int64(&pk, v);
            break;
        case FIELD_EXPLAIN:
            /* a blob of pack_explain_blob(); checked before it is nested */
            rc = proto_body_check(f[i].v, f[i].vl, NULL, NULL) == PROTO_OK ? 0 : -1;
            pack_strn(&pk, f[i].k, f[i].kl);
            msgpack_sbuffer_write(&sb, f[i].v, f[i].vl);
            break;
        case FIELD_BLOB:
            rc = proto_body_check(f[i].v, f[i].vl, NULL, NULL) == PROTO_OK ? 0 : -1;
            for (size_t j = 0; j < sizeof blob_fields / sizeof blob_fields[0]; j++)
                if (field_is(&f[i], blob_fields[j].field)) proto_pack_cstr(&pk, blob_fields[j].as);
            msgpack_sbuffer_write(&sb, f[i].v, f[i].vl);
            break;
        default: break;
        }
    }
    if (rc == 0) {
        msgpack_unpacked u;
        proto_error e;
        msgpack_unpacked_init(&u);
        rc = proto_body_check(sb.data, sb.size, NULL, NULL) == PROTO_OK &&
                     msgpack_unpack_next(&u, sb.data, sb.size, NULL) == MSGPACK_UNPACK_SUCCESS &&
                     proto_match_decode(&u.data, "match", out, &e) == PROTO_OK
                 ? 0
                 : -1;
        msgpack_unpacked_destroy(&u);
    }
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

int pack_conv_match(const redisReply *flat, proto_match *out) {
    field f[MATCH_FIELDS_MAX];
    size_t n = 0;
    if (!flat || flat->type != REDIS_REPLY_ARRAY || flat->elements % 2 || flat->elements / 2 > MATCH_FIELDS_MAX)
        return -1;
    for (size_t i = 0; i + 1 < flat->elements; i += 2) {
        const redisReply *k = flat->element[i], *v = flat->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
        f[n++] = (field){ k->str, v->str, k->len, v->len };
    }
    return match_from_fields(f, n, out);
}

/* The run object in sb from the record's strings; -1 on a bad number. */
static int run_from_fields(msgpack_sbuffer *sb, redisReply *const *e) {
    static const char *const keys[PACK_RUN_FIELDS] = { "id",     "program", "status",     "draft",       "published_at",
                                                       "policy", "stats",   "started_at", "finished_at", "by" };
    enum { F_DRAFT = 3, F_PUBLISHED = 4, F_POLICY = 5, F_STATS = 6, F_STARTED = 7, F_FINISHED = 8 };
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    size_t n = 0;
    for (size_t i = 0; i < PACK_RUN_FIELDS; i++) n += e[i]->len > 0 || i == F_DRAFT || i == F_POLICY;
    msgpack_pack_map(&pk, n);
    for (size_t i = 0; i < PACK_RUN_FIELDS; i++) {
        int64_t v;
        if (e[i]->len == 0 && i != F_DRAFT && i != F_POLICY) continue;
        proto_pack_cstr(&pk, keys[i]);
        if (i == F_DRAFT) {
            if (e[i]->len == 1 && e[i]->str[0] == '1')
                msgpack_pack_true(&pk);
            else
                msgpack_pack_false(&pk);
        } else if (i == F_POLICY && e[i]->len == 0) {
            msgpack_pack_map(&pk, 0);
        } else if (i == F_POLICY || i == F_STATS) {
            if (proto_body_check(e[i]->str, e[i]->len, NULL, NULL) != PROTO_OK) return -1;
            msgpack_sbuffer_write(sb, e[i]->str, e[i]->len);
        } else if (i == F_PUBLISHED || i == F_STARTED || i == F_FINISHED) {
            if (parse_int(e[i]->str, e[i]->len, &v)) return -1;
            msgpack_pack_int64(&pk, v);
        } else {
            pack_strn(&pk, e[i]->str, e[i]->len);
        }
    }
    return 0;
}

int pack_run(msgpack_packer *pk, redisReply *const *e) {
    for (size_t i = 0; i < PACK_RUN_FIELDS; i++)
        if (e[i]->type != REDIS_REPLY_STRING) return -1;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    int rc = run_from_fields(&sb, e);
    if (rc == 0) {
        msgpack_unpacked u;
        proto_error err;
        proto_run run;
        msgpack_unpacked_init(&u);
        rc = proto_body_check(sb.data, sb.size, NULL, NULL) == PROTO_OK &&
                     msgpack_unpack_next(&u, sb.data, sb.size, NULL) == MSGPACK_UNPACK_SUCCESS &&
                     proto_run_decode(&u.data, "run", &run, &err) == PROTO_OK
                 ? 0
                 : -1;
        if (rc == 0) proto_run_pack(pk, &run); /* run.policy points into u */
        msgpack_unpacked_destroy(&u);
    }
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

int pack_conv_unmatched(const char *mentee_id, const char *name, const char *reason, proto_unmatched_item *out) {
    size_t il = strlen(mentee_id), nl = strlen(name);
    int k = pack_name_index(proto_unmatched_names, reason, strlen(reason));
    memset(out, 0, sizeof(*out));
    if (il == 0 || il > PROTO_ID_MAX || strspn(mentee_id, PROTO_CODE_CHARS) != il || nl > PROTO_NAME_MAX || k < 0)
        return -1;
    memcpy(out->mentee_id, mentee_id, il);
    memcpy(out->name, name, nl);
    out->reason = (proto_unmatched)k;
    return 0;
}

int pack_conv_match_array(const msgpack_object_array *a, proto_match *out) {
    field f[MATCH_FIELDS_MAX];
    size_t n = 0;
    if (a->size % 2 || a->size / 2 > MATCH_FIELDS_MAX) return -1;
    for (size_t i = 0; i + 1 < a->size; i += 2) {
        const msgpack_object *k = &a->ptr[i], *v = &a->ptr[i + 1];
        if (k->type != MSGPACK_OBJECT_STR || v->type != MSGPACK_OBJECT_STR) continue;
        f[n++] = (field){ k->via.str.ptr, v->via.str.ptr, k->via.str.size, v->via.str.size };
    }
    return match_from_fields(f, n, out);
}

int pack_conv_coach_card(const char *blob, size_t len, proto_coach_card *out) {
    msgpack_unpacked u;
    proto_error e;
    msgpack_unpacked_init(&u);
    int rc = proto_body_check(blob, len, NULL, NULL) == PROTO_OK &&
                     msgpack_unpack_next(&u, blob, len, NULL) == MSGPACK_UNPACK_SUCCESS &&
                     proto_coach_card_decode(&u.data, "coach", out, &e) == PROTO_OK
                 ? 0
                 : -1;
    msgpack_unpacked_destroy(&u);
    return rc;
}

/* ---------------------------------------------------------------- explain */

static int unit_range(double x) { return x >= 0.0 && x <= 1.0; } /* NaN fails */

int pack_conv_explain(const match_explain *in, proto_explain *out) {
    memset(out, 0, sizeof *out);
    if (in->score < 0 || in->score > PROTO_SCORE_MAX || in->n_competencies > PROTO_COMPETENCIES_MAX ||
        !unit_range(in->gap_coverage) || !unit_range(in->location) || !unit_range(in->availability))
        return -1;
    out->score = in->score;
    out->feasible = in->feasible != 0;
    out->reason = PROTO_REASON_NONE;
    if (!out->feasible) {
        const char *name = match_reason_name(in->reason);
        int i = name ? pack_name_index(proto_reason_names, name, strlen(name)) : -1;
        if (i < 0) return -1;
        out->reason = (proto_reason)i;
    }
    out->gap_coverage = in->gap_coverage;
    out->location = in->location;
    out->availability = in->availability;
    for (size_t i = 0; i < in->n_competencies; i++) {
        const match_explain_comp *c = &in->competencies[i];
        proto_explain_comp *pc = &out->competencies[i];
        if (strlen(c->code) > PROTO_CODE_MAX || !proto_competency_ok(NULL, c->code) || c->gap > PROTO_LEVEL_MAX ||
            c->coach_level > PROTO_LEVEL_MAX || c->covered > c->gap)
            return -1;
        memcpy(pc->code, c->code, strlen(c->code) + 1);
        pc->gap = c->gap;
        pc->coach_level = c->coach_level;
        pc->covered = c->covered;
    }
    out->n_competencies = in->n_competencies;
    return 0;
}

int pack_conv_suggestion(const match_suggestion *s, const match_explain *ex, proto_suggestion *out) {
    memset(out, 0, sizeof *out);
    size_t n = strlen(s->coach_id);
    if (n == 0 || n > PROTO_ID_MAX || s->score < 0 || s->score > PROTO_SCORE_MAX) return -1;
    memcpy(out->coach_id, s->coach_id, n + 1);
    out->score = s->score;
    out->has_explain = ex && pack_conv_explain(ex, &out->explain) == 0;
    return 0;
}

int pack_explain_blob(msgpack_sbuffer *sb, const match_explain *ex) {
    proto_explain pe;
    msgpack_packer pk;
    if (pack_conv_explain(ex, &pe)) return -1;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    proto_explain_pack(&pk, &pe);
    return 0;
}

/* ---------------------------------------------------------------- program */

void pack_conv_program(const api_program_put_params_program *in, proto_program *out) {
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", in->id);
    snprintf(out->name, sizeof out->name, "%s", in->name);
    out->year = in->year;
    out->self_service = in->self_service;
    out->jp_target = in->jp_target;
    snprintf(out->description, sizeof out->description, "%s", in->description);
}

void pack_program_blob(msgpack_sbuffer *sb, const proto_program *p) {
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    proto_program_pack(&pk, p);
}

int pack_program_valid(const char *blob, size_t len) {
    msgpack_unpacked u;
    proto_program p;
    proto_error e;
    size_t off = 0;
    msgpack_unpacked_init(&u);
    int ok = msgpack_unpack_next(&u, blob, len, &off) == MSGPACK_UNPACK_SUCCESS && off == len &&
             proto_program_decode(&u.data, "program", &p, &e) == PROTO_OK;
    msgpack_unpacked_destroy(&u);
    return ok ? 0 : -1;
}

/* ---------------------------------------------------------- session, review */

int pack_conv_session(const srv_session *sess, const char *token, int64_t expires_in, proto_session *out) {
    memset(out, 0, sizeof *out);
    const char *rn = auth_role_name(sess->role);
    int role = pack_name_index(proto_role_names, rn, strlen(rn));
    if (role < 0 || strlen(sess->subject) > PROTO_ID_MAX) return -1;
    out->role = (proto_role)role;
    if (token) {
        if (strlen(token) > PROTO_TOKEN_MAX) return -1;
        memcpy(out->token, token, strlen(token) + 1);
    } else {
        if (strlen(sess->login) > PROTO_LOGIN_MAX) return -1;
        memcpy(out->login, sess->login, strlen(sess->login) + 1);
    }
    memcpy(out->subject, sess->subject, strlen(sess->subject) + 1);
    out->expires_in = expires_in;
    if (!token || out->role != PROTO_ROLE_COORDINATOR) return 0;
    /* the session keeps a coordinator's programs as csv */
    out->has_programs = true;
    for (const char *p = sess->programs; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (out->n_programs == PROTO_PROGRAMS_MAX || len == 0 || len > PROTO_CODE_MAX) return -1;
        memcpy(out->programs[out->n_programs], p, len);
        out->programs[out->n_programs++][len] = '\0';
        p += len + (e != NULL);
    }
    return 0;
}

int pack_conv_review(const redisReply *id, const redisReply *status, const redisReply *code, const redisReply *msg,
                     proto_review_item *out) {
    memset(out, 0, sizeof *out);
    if (id->len == 0 || id->len > PROTO_OBJID_MAX) return -1;
    memcpy(out->id, id->str, id->len);
    out->id[id->len] = '\0';
    if (code->len == 0) {
        int st = pack_name_index(proto_match_status_names, status->str, status->len);
        if (st < 0) return -1;
        out->ok = true;
        out->status = (proto_match_status)st;
        return 0;
    }
    if (proto_errcode_parse(code->str, code->len, &out->error.code) != PROTO_OK) out->error.code = PROTO_E_INTERNAL;
    snprintf(out->error.message, sizeof out->error.message, "%s", msg->str);
    proto_utf8_scrub(out->error.message);
    return 0;
}

/* ---------------------------------------------------------------- meeting */

/* The keys of a stored meeting record that meeting.list shows. */
static bool meeting_item_key(const msgpack_object *k) {
    static const char *const shown[] = { "id", "date", "minutes", "topic", "logged_by", "confirmed_by", NULL };
    return k->type == MSGPACK_OBJECT_STR && pack_name_index(shown, k->via.str.ptr, k->via.str.size) >= 0;
}

int pack_conv_meeting(const char *blob, size_t len, proto_meeting_item *out) {
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = -1;
    if (proto_body_check(blob, len, NULL, NULL) == PROTO_OK &&
        msgpack_unpack_next(&u, blob, len, NULL) == MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_MAP &&
        u.data.via.map.size <= MEETING_FIELDS_MAX) {
        /* a view of the map without the times (the entries stay in u's zone) */
        msgpack_object_kv kept[MEETING_FIELDS_MAX];
        uint32_t n = 0;
        for (uint32_t i = 0; i < u.data.via.map.size; i++)
            if (meeting_item_key(&u.data.via.map.ptr[i].key)) kept[n++] = u.data.via.map.ptr[i];
        msgpack_object view = { .type = MSGPACK_OBJECT_MAP, .via.map = { .size = n, .ptr = kept } };
        proto_error e;
        rc = proto_meeting_item_decode(&view, "meeting", out, &e) == PROTO_OK ? 0 : -1;
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

/* --------------------------------------------------------------- feedback */

static msgpack_object str_object(const char *s) {
    msgpack_object o = { .type = MSGPACK_OBJECT_STR };
    o.via.str.ptr = s;
    o.via.str.size = (uint32_t)strlen(s);
    return o;
}

int pack_conv_feedback(const char *match_id, const char *by, const char *role, const char *blob, size_t len,
                       proto_feedback_item *out) {
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = -1;
    if (proto_body_check(blob, len, NULL, NULL) == PROTO_OK &&
        msgpack_unpack_next(&u, blob, len, NULL) == MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_MAP &&
        u.data.via.map.size <= FEEDBACK_FIELDS_MAX) {
        /* the stored map's entries after the three the key names give */
        msgpack_object_kv kv[3 + FEEDBACK_FIELDS_MAX] = {
            { str_object("match_id"), str_object(match_id) },
            { str_object("by"), str_object(by) },
            { str_object("role"), str_object(role) },
        };
        memcpy(kv + 3, u.data.via.map.ptr, u.data.via.map.size * sizeof kv[0]);
        msgpack_object view = { .type = MSGPACK_OBJECT_MAP, .via.map = { .size = 3 + u.data.via.map.size, .ptr = kv } };
        proto_error e;
        rc = proto_feedback_item_decode(&view, "feedback", out, &e) == PROTO_OK ? 0 : -1;
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

/* ------------------------------------------------------------------ audit */

int pack_conv_audit(const char *const s[5], const size_t len[5], proto_audit_item *out) {
    static const char *const keys[5] = { "at", "actor", "action", "object", "detail" };
    int64_t at;
    if (parse_int(s[0], len[0], &at)) return -1;
    msgpack_object_kv kv[5];
    for (int i = 0; i < 5; i++) {
        kv[i].key = str_object(keys[i]);
        kv[i].val = (msgpack_object){ .type = MSGPACK_OBJECT_STR };
        kv[i].val.via.str.ptr = s[i];
        kv[i].val.via.str.size = (uint32_t)len[i];
    }
    kv[0].val = (msgpack_object){ .type = MSGPACK_OBJECT_POSITIVE_INTEGER, .via.u64 = (uint64_t)at };
    msgpack_object view = { .type = MSGPACK_OBJECT_MAP, .via.map = { .size = 5, .ptr = kv } };
    proto_error e;
    return proto_audit_item_decode(&view, "audit", out, &e) == PROTO_OK ? 0 : -1;
}

/* ---------------------------------------------------------------- results */

void pack_empty(msgpack_packer *pk) { msgpack_pack_map(pk, 0); }

void pack_run_id(msgpack_packer *pk, const char *run_id) {
    msgpack_pack_map(pk, 1);
    proto_pack_cstr(pk, "run_id");
    proto_pack_cstr(pk, run_id);
}

void pack_put_result(msgpack_packer *pk, const char *id, long long version) {
    msgpack_pack_map(pk, 2);
    proto_pack_cstr(pk, "id");
    proto_pack_cstr(pk, id);
    proto_pack_cstr(pk, "version");
    msgpack_pack_int64(pk, version);
}

void pack_profile(msgpack_packer *pk, const char *blob, size_t len, long long version, bool has_load, long long load) {
    msgpack_pack_map(pk, has_load ? 3 : 2);
    proto_pack_cstr(pk, "profile");
    pack_raw(pk, blob, len);
    proto_pack_cstr(pk, "version");
    msgpack_pack_int64(pk, version);
    if (has_load) {
        proto_pack_cstr(pk, "load");
        msgpack_pack_int64(pk, load);
    }
}

void pack_match_result(msgpack_packer *pk, const proto_match *m) {
    msgpack_pack_map(pk, 1);
    proto_pack_cstr(pk, "match");
    proto_match_pack(pk, m);
}

void pack_count_result(msgpack_packer *pk, const char *key, long long n) {
    msgpack_pack_map(pk, 1);
    proto_pack_cstr(pk, key);
    msgpack_pack_int64(pk, n);
}

void pack_str_result(msgpack_packer *pk, const char *key, const char *s) {
    msgpack_pack_map(pk, 1);
    proto_pack_cstr(pk, key);
    proto_pack_cstr(pk, s);
}

void pack_wrap_begin(msgpack_packer *pk, const char *key) {
    msgpack_pack_map(pk, 1);
    proto_pack_cstr(pk, key);
}

void pack_explain_result(msgpack_packer *pk, const proto_explain *e) {
    msgpack_pack_map(pk, 1);
    proto_pack_cstr(pk, "explain");
    proto_explain_pack(pk, e);
}

void pack_program_result(msgpack_packer *pk, const char *blob, size_t len) {
    msgpack_pack_map(pk, 1);
    proto_pack_cstr(pk, "program");
    pack_raw(pk, blob, len);
}

void pack_pins_result(msgpack_packer *pk, const proto_pair_rule *pins, size_t npins, const proto_pair_rule *forbids,
                      size_t nforbids) {
    msgpack_pack_map(pk, 2);
    proto_pack_cstr(pk, "pins");
    msgpack_pack_array(pk, npins);
    for (size_t i = 0; i < npins; i++) proto_pair_rule_pack(pk, &pins[i]);
    proto_pack_cstr(pk, "forbids");
    msgpack_pack_array(pk, nforbids);
    for (size_t i = 0; i < nforbids; i++) proto_pair_rule_pack(pk, &forbids[i]);
}

void pack_items_begin(msgpack_packer *pk, const char *key, size_t n, bool has_cursor) {
    msgpack_pack_map(pk, has_cursor ? 2 : 1);
    proto_pack_cstr(pk, key);
    msgpack_pack_array(pk, n);
}

void pack_cursor(msgpack_packer *pk, const char *cursor) {
    proto_pack_cstr(pk, "cursor");
    if (cursor)
        proto_pack_cstr(pk, cursor);
    else
        msgpack_pack_nil(pk);
}

void pack_raw(msgpack_packer *pk, const char *data, size_t len) {
    pk->callback(pk->data, data, len); /* the packer's own sink */
}

static bool secret_key(const msgpack_object *k, const char *const *secrets) {
    if (k->type != MSGPACK_OBJECT_STR || !secrets) return false;
    for (; *secrets; secrets++)
        if (strlen(*secrets) == k->via.str.size && !memcmp(*secrets, k->via.str.ptr, k->via.str.size)) return true;
    return false;
}

int pack_object_sha256(const msgpack_object *o, const char *const *secrets, char *out) {
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int rc = 0;
    if (o->type == MSGPACK_OBJECT_MAP) {
        const msgpack_object_map *m = &o->via.map;
        uint32_t n = 0;
        for (uint32_t i = 0; i < m->size; i++) n += !secret_key(&m->ptr[i].key, secrets);
        rc = msgpack_pack_map(&pk, n);
        for (uint32_t i = 0; i < m->size && rc == 0; i++) {
            if (secret_key(&m->ptr[i].key, secrets)) continue;
            rc = msgpack_pack_object(&pk, m->ptr[i].key);
            if (rc == 0) rc = msgpack_pack_object(&pk, m->ptr[i].val);
        }
    } else {
        rc = msgpack_pack_object(&pk, *o);
    }
    if (rc == 0) auth_sha256_hex(sb.data ? sb.data : "", sb.size, out);
    msgpack_sbuffer_destroy(&sb);
    return rc == 0 ? 0 : -1;
}

/* ---------------------------------------------------------- notifications */

void pack_match_updated(msgpack_packer *pk, void *match) { pack_match_result(pk, match); }
void pack_run_progress(msgpack_packer *pk, void *progress) { proto_run_progress_pack(pk, progress); }
void pack_run_done(msgpack_packer *pk, void *done) { proto_run_done_pack(pk, done); }
