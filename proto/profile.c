/* profile.c -- mentee and coach profiles (design.md §4): decode with every
 * validation, and pack.
 *
 * Decoders fill the caller's struct field by field and stop at the first
 * failure, so the error names exactly one field.  Which keys are required,
 * their ranges and lengths are documented next to the structs in
 * proto.h and in docs/protocol.md; the code below is the one place that
 * enforces them.
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#include <string.h>

#include "proto/proto.h"

const char *const proto_coach_kind_names[] = { "pkn1_alumni", "pkn2_alumni",     "corporate_leader",
                                               "widyaiswara", "senior_official", NULL };

static const char *const modality_names[] = { "online", "offline", NULL };

const char *const proto_language_names[] = { "id", "en", NULL };

const char *const proto_notify_kind_names[] = { "approved",  "requested", "accepted", "declined", "cancelled",
                                                "completed", "meeting",   "reminder", "digest",   NULL };

static const char *const mentee_keys[] = { "id",        "name",         "agency",       "position_class",
                                           "province",  "program",      "competencies", "modality",
                                           "languages", "availability", "goals",        "email",
                                           "phone",     "language",     "notify",       NULL };

static const char *const coach_keys[] = { "id",        "name",         "kind",     "organization", "rank",
                                          "province",  "competencies", "capacity", "programs",     "modality",
                                          "languages", "availability", "bio",      "email",        "phone",
                                          "language",  "notify",       NULL };

static const char *const mentee_comp_keys[] = { "code", "current", "required", NULL };
static const char *const coach_comp_keys[] = { "code", "level", NULL };

/* Packers trust the struct but never read past its arrays. */
#define CLAMP(n, max) ((n) < (max) ? (n) : (max))

/* ---- shared field readers -------------------------------------------- */

/* A required code string [A-Za-z0-9._-]{1,32} that must be in `list` when
 * a vocabulary is given (what names the catalogue in the message). */
static int read_catalogue(const proto_map *m, const char *key, const proto_vocab *v, const char *const *list, size_t n,
                          const char *what, char *out, proto_error *err) {
    char path[PROTO_PATH_MAX];
    if (proto_read_str(m, key, PROTO_REQUIRED, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out, PROTO_CODE_MAX + 1, err) < 0)
        return PROTO_ERR;
    if (v != NULL && !proto_vocab_has(list, n, out))
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(path, sizeof(path), m->path, key),
                               "unknown %s", what);
    return PROTO_OK;
}

/* Availability: optional 21-bit mask, default 0 (any slot). */
static int read_availability(const proto_map *m, uint32_t *out, proto_error *err) {
    int64_t v = 0;
    if (proto_read_int(m, "availability", PROTO_OPTIONAL, 0, PROTO_AVAIL_ALL, &v, err) < 0) return PROTO_ERR;
    *out = (uint32_t)v;
    return PROTO_OK;
}

/* Modality: 1..2 distinct of "online", "offline", into PROTO_MOD_* bits. */
static int read_modality(const proto_map *m, unsigned *out, proto_error *err) {
    proto_array a;
    char path[PROTO_PATH_MAX];
    *out = 0;
    if (proto_read_array(m, "modality", PROTO_REQUIRED, 1, 2, &a, err) < 0) return PROTO_ERR;
    for (size_t i = 0; i < a.arr->size; i++) {
        int k;
        if (proto_elem_enum(&a, i, modality_names, &k, err) != PROTO_OK) return PROTO_ERR;
        if (*out & (1u << k))
            return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_index(path, sizeof(path), a.path, i),
                                   "duplicate value");
        *out |= 1u << k;
    }
    return PROTO_OK;
}

static void pack_modality(msgpack_packer *pk, unsigned mod) {
    msgpack_pack_array(pk, (mod & PROTO_MOD_ONLINE ? 1 : 0) + (mod & PROTO_MOD_OFFLINE ? 1 : 0));
    if (mod & PROTO_MOD_ONLINE) proto_pack_cstr(pk, "online");
    if (mod & PROTO_MOD_OFFLINE) proto_pack_cstr(pk, "offline");
}

/* Index of s among the first n strings of a [][stride] table, or -1. */
static int table_find(const char *table, size_t stride, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(table + i * stride, s) == 0) return (int)i;
    return -1;
}

/* Languages: 1..8 distinct codes [a-z]{2,8}. */
static int read_languages(const proto_map *m, size_t *n, char langs[][PROTO_LANG_MAX + 1], proto_error *err) {
    proto_array a;
    char path[PROTO_PATH_MAX];
    *n = 0;
    if (proto_read_array(m, "languages", PROTO_REQUIRED, 1, PROTO_LANGS_MAX, &a, err) < 0) return PROTO_ERR;
    for (size_t i = 0; i < a.arr->size; i++) {
        if (proto_elem_str(&a, i, 2, PROTO_LANG_MAX, PROTO_CS_LOWER, langs[i], PROTO_LANG_MAX + 1, err) != PROTO_OK)
            return PROTO_ERR;
        if (table_find(langs[0], PROTO_LANG_MAX + 1, i, langs[i]) >= 0)
            return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_index(path, sizeof(path), a.path, i),
                                   "duplicate language");
        *n = i + 1;
    }
    return PROTO_OK;
}

/* Pack n strings of a [][stride] table as an array. */
static void pack_table(msgpack_packer *pk, const char *table, size_t stride, size_t n) {
    msgpack_pack_array(pk, n);
    for (size_t i = 0; i < n; i++) proto_pack_cstr(pk, table + i * stride);
}

/* The code of competency entry `cm` (a map at cm->path): well-formed,
 * accepted by v, and not among the `n` codes already read (stored with
 * `stride` bytes between them starting at `seen`). */
static int read_comp_code(const proto_map *cm, const proto_vocab *v, const char *seen, size_t stride, size_t n,
                          char *out, proto_error *err) {
    char path[PROTO_PATH_MAX];
    const char *why = NULL;
    if (proto_read_str(cm, "code", PROTO_REQUIRED, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out, PROTO_CODE_MAX + 1, err) < 0)
        return PROTO_ERR;
    if (!proto_competency_ok(v, out))
        why = "unknown competency code";
    else if (table_find(seen, stride, n, out) >= 0)
        why = "duplicate competency code";
    if (why == NULL) return PROTO_OK;
    return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(path, sizeof(path), cm->path, "code"), "%s",
                           why);
}

/* A required level in min..PROTO_LEVEL_MAX. */
static int read_level(const proto_map *cm, const char *key, int min, uint8_t *out, proto_error *err) {
    int64_t v;
    if (proto_read_int(cm, key, PROTO_REQUIRED, min, PROTO_LEVEL_MAX, &v, err) < 0) return PROTO_ERR;
    *out = (uint8_t)v;
    return PROTO_OK;
}

/* ---- mentee ------------------------------------------------------------ */

static int mentee_comps(const proto_map *m, const proto_vocab *v, proto_mentee *out, proto_error *err) {
    proto_array a;
    out->n_competencies = 0;
    if (proto_read_array(m, "competencies", PROTO_REQUIRED, 0, PROTO_COMPETENCIES_MAX, &a, err) < 0) return PROTO_ERR;
    for (size_t i = 0; i < a.arr->size; i++) {
        proto_map cm;
        proto_mentee_comp *c = &out->competencies[i];
        if (proto_elem_map(&a, i, mentee_comp_keys, &cm, err) != PROTO_OK ||
            read_comp_code(&cm, v, out->competencies[0].code, sizeof(proto_mentee_comp), i, c->code, err) != PROTO_OK ||
            read_level(&cm, "current", 0, &c->current, err) != PROTO_OK ||
            read_level(&cm, "required", 1, &c->required, err) != PROTO_OK)
            return PROTO_ERR;
        out->n_competencies = i + 1;
    }
    return PROTO_OK;
}

/* id, name, agency, position_class, province, program. */
static int mentee_identity(const proto_map *m, const proto_vocab *v, proto_mentee *out, proto_error *err) {
    char path[PROTO_PATH_MAX];
    const msgpack_object *o = proto_map_get(m, "id");
    proto_path_key(path, sizeof(path), m->path, "id");
    if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, path, "is required");
    if (o->type != MSGPACK_OBJECT_STR) return proto_error_set(err, PROTO_E_INVALID_PARAMS, path, "must be a string");
    if (proto_nip_check(o->via.str.ptr, o->via.str.size, path, err) != PROTO_OK) return PROTO_ERR;
    memcpy(out->id, o->via.str.ptr, PROTO_NIP_LEN);
    out->id[PROTO_NIP_LEN] = '\0';
    if (proto_read_str(m, "name", PROTO_REQUIRED, 1, PROTO_NAME_MAX, PROTO_CS_LINE, out->name, sizeof(out->name), err) <
            0 ||
        proto_read_str(m, "agency", PROTO_REQUIRED, 1, PROTO_AGENCY_MAX, PROTO_CS_CODE, out->agency,
                       sizeof(out->agency), err) < 0 ||
        read_catalogue(m, "position_class", v, v ? v->position_classes : NULL, v ? v->n_position_classes : 0,
                       "position class", out->position_class, err) != PROTO_OK ||
        read_catalogue(m, "province", v, v ? v->provinces : NULL, v ? v->n_provinces : 0, "province code",
                       out->province, err) != PROTO_OK ||
        proto_read_str(m, "program", PROTO_REQUIRED, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out->program,
                       sizeof(out->program), err) < 0)
        return PROTO_ERR;
    return PROTO_OK;
}

/* ---- contact ----------------------------------------------------------- */

static int email_char(unsigned char ch, int domain) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-')
        return 1;
    return !domain && strchr("!#$%&'*+/=?^_`{|}~", ch) != NULL;
}

/* An address as proto_contact says: NULL when well-formed, else why not. */
const char *proto_email_problem(const char *s, size_t len) {
    const char *at = memchr(s, '@', len);
    if (at == NULL || memchr(at + 1, '@', len - (size_t)(at - s) - 1)) return "must hold exactly one '@'";
    size_t local = (size_t)(at - s), domain = len - local - 1;
    if (local < 1 || local > 64) return "the part before '@' must be 1..64 bytes";
    if (domain < 3 || memchr(at + 1, '.', domain) == NULL || at[1] == '.' || s[len - 1] == '.')
        return "the domain after '@' must hold a dot, not at its ends";
    for (size_t i = 0; i < len; i++)
        if (i != local && !email_char((unsigned char)s[i], i > local))
            return "holds a character not allowed in an address";
    return NULL;
}

static int read_contact(const proto_map *m, proto_contact *out, proto_error *err) {
    char path[PROTO_PATH_MAX];
    int lang = PROTO_LANGUAGE_ID, rc;
    if ((rc = proto_read_str(m, "email", PROTO_OPTIONAL, 3, PROTO_EMAIL_MAX, PROTO_CS_LINE, out->email,
                             sizeof(out->email), err)) < 0)
        return PROTO_ERR;
    const char *why = rc > 0 ? proto_email_problem(out->email, strlen(out->email)) : NULL;
    if (why)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(path, sizeof(path), m->path, "email"), "%s",
                               why);
    if ((rc = proto_read_str(m, "phone", PROTO_OPTIONAL, 9, PROTO_PHONE_MAX, PROTO_CS_LINE, out->phone,
                             sizeof(out->phone), err)) < 0)
        return PROTO_ERR;
    if (rc > 0 && (out->phone[0] != '+' || out->phone[1] < '1' || out->phone[1] > '9' ||
                   strspn(out->phone + 1, "0123456789") != strlen(out->phone) - 1))
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_key(path, sizeof(path), m->path, "phone"),
                               "must be E.164: '+' and 8..15 digits, the first not 0");
    if (proto_read_enum(m, "language", PROTO_OPTIONAL, proto_language_names, &lang, err) < 0) return PROTO_ERR;
    out->language = (proto_language)lang;
    proto_map nm;
    if ((rc = proto_read_map(m, "notify", PROTO_OPTIONAL, proto_notify_kind_names, &nm, err)) < 0) return PROTO_ERR;
    for (int k = 0; rc > 0 && k < PROTO_NOTIFY__COUNT; k++) {
        bool on = true;
        if (proto_read_bool(&nm, proto_notify_kind_names[k], PROTO_OPTIONAL, &on, err) < 0) return PROTO_ERR;
        if (!on) out->notify_off |= 1u << k;
    }
    return PROTO_OK;
}

/* The contact's keys that are set (absent ones are defaults). */
static uint32_t contact_keys(const proto_contact *c) {
    return (c->email[0] != '\0') + (c->phone[0] != '\0') + (c->language != PROTO_LANGUAGE_ID) + (c->notify_off != 0);
}

static void pack_contact(msgpack_packer *pk, const proto_contact *c) {
    if (c->email[0]) {
        proto_pack_cstr(pk, "email");
        proto_pack_cstr(pk, c->email);
    }
    if (c->phone[0]) {
        proto_pack_cstr(pk, "phone");
        proto_pack_cstr(pk, c->phone);
    }
    if (c->language != PROTO_LANGUAGE_ID) {
        proto_pack_cstr(pk, "language");
        proto_pack_name(pk, proto_language_names, (int)c->language);
    }
    if (c->notify_off) {
        uint32_t n = 0;
        for (int k = 0; k < PROTO_NOTIFY__COUNT; k++) n += (c->notify_off >> k) & 1u;
        proto_pack_cstr(pk, "notify");
        msgpack_pack_map(pk, n);
        for (int k = 0; k < PROTO_NOTIFY__COUNT; k++)
            if ((c->notify_off >> k) & 1u) {
                proto_pack_cstr(pk, proto_notify_kind_names[k]);
                msgpack_pack_false(pk);
            }
    }
}

int proto_mentee_decode(const msgpack_object *obj, const char *path, const proto_vocab *v, proto_mentee *out,
                        proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, mentee_keys, err) != PROTO_OK || mentee_identity(&m, v, out, err) != PROTO_OK ||
        mentee_comps(&m, v, out, err) != PROTO_OK || read_modality(&m, &out->modality, err) != PROTO_OK ||
        read_languages(&m, &out->n_languages, out->languages, err) != PROTO_OK ||
        read_availability(&m, &out->availability, err) != PROTO_OK ||
        proto_read_str(&m, "goals", PROTO_OPTIONAL, 0, PROTO_GOALS_MAX, PROTO_CS_TEXT, out->goals, sizeof(out->goals),
                       err) < 0 ||
        read_contact(&m, &out->contact, err) != PROTO_OK)
        return PROTO_ERR;
    return PROTO_OK;
}

static void pack_kv_str(msgpack_packer *pk, const char *k, const char *v) {
    proto_pack_cstr(pk, k);
    proto_pack_cstr(pk, v);
}

void proto_mentee_pack(msgpack_packer *pk, const proto_mentee *m) {
    msgpack_pack_map(pk, 11 + contact_keys(&m->contact));
    pack_kv_str(pk, "id", m->id);
    pack_kv_str(pk, "name", m->name);
    pack_kv_str(pk, "agency", m->agency);
    pack_kv_str(pk, "position_class", m->position_class);
    pack_kv_str(pk, "province", m->province);
    pack_kv_str(pk, "program", m->program);
    proto_pack_cstr(pk, "competencies");
    size_t nc = CLAMP(m->n_competencies, PROTO_COMPETENCIES_MAX);
    msgpack_pack_array(pk, nc);
    for (size_t i = 0; i < nc; i++) {
        const proto_mentee_comp *c = &m->competencies[i];
        msgpack_pack_map(pk, 3);
        pack_kv_str(pk, "code", c->code);
        proto_pack_cstr(pk, "current");
        msgpack_pack_uint8(pk, c->current);
        proto_pack_cstr(pk, "required");
        msgpack_pack_uint8(pk, c->required);
    }
    proto_pack_cstr(pk, "modality");
    pack_modality(pk, m->modality);
    proto_pack_cstr(pk, "languages");
    pack_table(pk, m->languages[0], PROTO_LANG_MAX + 1, CLAMP(m->n_languages, PROTO_LANGS_MAX));
    proto_pack_cstr(pk, "availability");
    msgpack_pack_uint32(pk, m->availability);
    pack_kv_str(pk, "goals", m->goals);
    pack_contact(pk, &m->contact);
}

/* ---- coach ------------------------------------------------------------- */

static int coach_comps(const proto_map *m, const proto_vocab *v, proto_coach *out, proto_error *err) {
    proto_array a;
    out->n_competencies = 0;
    if (proto_read_array(m, "competencies", PROTO_REQUIRED, 0, PROTO_COMPETENCIES_MAX, &a, err) < 0) return PROTO_ERR;
    for (size_t i = 0; i < a.arr->size; i++) {
        proto_map cm;
        proto_coach_comp *c = &out->competencies[i];
        if (proto_elem_map(&a, i, coach_comp_keys, &cm, err) != PROTO_OK ||
            read_comp_code(&cm, v, out->competencies[0].code, sizeof(proto_coach_comp), i, c->code, err) != PROTO_OK ||
            read_level(&cm, "level", 1, &c->level, err) != PROTO_OK)
            return PROTO_ERR;
        out->n_competencies = i + 1;
    }
    return PROTO_OK;
}

/* programs: required, 1..16 distinct codes (DESIGN §9: a coach belongs to
 * the programs it lists; there is no "every program" value). */
static int coach_programs(const proto_map *m, proto_coach *out, proto_error *err) {
    proto_array a;
    char path[PROTO_PATH_MAX];
    out->n_programs = 0;
    int rc = proto_read_array(m, "programs", PROTO_REQUIRED, 1, PROTO_PROGRAMS_MAX, &a, err);
    if (rc <= 0) return rc;
    for (size_t i = 0; i < a.arr->size; i++) {
        if (proto_elem_str(&a, i, 1, PROTO_CODE_MAX, PROTO_CS_CODE, out->programs[i], PROTO_CODE_MAX + 1, err) !=
            PROTO_OK)
            return PROTO_ERR;
        if (table_find(out->programs[0], PROTO_CODE_MAX + 1, i, out->programs[i]) >= 0)
            return proto_error_set(err, PROTO_E_INVALID_PARAMS, proto_path_index(path, sizeof(path), a.path, i),
                                   "duplicate program");
        out->n_programs = i + 1;
    }
    return PROTO_OK;
}

/* id, name, kind, organization, rank, province, capacity. */
static int coach_identity(const proto_map *m, const proto_vocab *v, proto_coach *out, proto_error *err) {
    int kind;
    int64_t rank, cap;
    if (proto_read_str(m, "id", PROTO_REQUIRED, 1, PROTO_ID_MAX, PROTO_CS_CODE, out->id, sizeof(out->id), err) < 0 ||
        proto_read_str(m, "name", PROTO_REQUIRED, 1, PROTO_NAME_MAX, PROTO_CS_LINE, out->name, sizeof(out->name), err) <
            0 ||
        proto_read_enum(m, "kind", PROTO_REQUIRED, proto_coach_kind_names, &kind, err) < 0 ||
        proto_read_str(m, "organization", PROTO_REQUIRED, 1, PROTO_ORG_MAX, PROTO_CS_LINE, out->organization,
                       sizeof(out->organization), err) < 0 ||
        proto_read_int(m, "rank", PROTO_REQUIRED, PROTO_RANK_MIN, PROTO_RANK_MAX, &rank, err) < 0 ||
        read_catalogue(m, "province", v, v ? v->provinces : NULL, v ? v->n_provinces : 0, "province code",
                       out->province, err) != PROTO_OK ||
        proto_read_int(m, "capacity", PROTO_REQUIRED, 0, PROTO_CAPACITY_MAX, &cap, err) < 0)
        return PROTO_ERR;
    out->kind = (proto_coach_kind)kind;
    out->rank = (uint8_t)rank;
    out->capacity = (uint8_t)cap;
    return PROTO_OK;
}

int proto_coach_decode(const msgpack_object *obj, const char *path, const proto_vocab *v, proto_coach *out,
                       proto_error *err) {
    proto_map m;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, coach_keys, err) != PROTO_OK || coach_identity(&m, v, out, err) != PROTO_OK ||
        coach_comps(&m, v, out, err) != PROTO_OK || coach_programs(&m, out, err) < 0 ||
        read_modality(&m, &out->modality, err) != PROTO_OK ||
        read_languages(&m, &out->n_languages, out->languages, err) != PROTO_OK ||
        read_availability(&m, &out->availability, err) != PROTO_OK ||
        proto_read_str(&m, "bio", PROTO_OPTIONAL, 0, PROTO_BIO_MAX, PROTO_CS_TEXT, out->bio, sizeof(out->bio), err) <
            0 ||
        read_contact(&m, &out->contact, err) != PROTO_OK)
        return PROTO_ERR;
    return PROTO_OK;
}

void proto_coach_pack(msgpack_packer *pk, const proto_coach *c) {
    msgpack_pack_map(pk, 13 + contact_keys(&c->contact));
    pack_kv_str(pk, "id", c->id);
    pack_kv_str(pk, "name", c->name);
    proto_pack_cstr(pk, "kind");
    proto_pack_name(pk, proto_coach_kind_names, (int)c->kind);
    pack_kv_str(pk, "organization", c->organization);
    proto_pack_cstr(pk, "rank");
    msgpack_pack_uint8(pk, c->rank);
    pack_kv_str(pk, "province", c->province);
    proto_pack_cstr(pk, "competencies");
    size_t nc = CLAMP(c->n_competencies, PROTO_COMPETENCIES_MAX);
    msgpack_pack_array(pk, nc);
    for (size_t i = 0; i < nc; i++) {
        msgpack_pack_map(pk, 2);
        pack_kv_str(pk, "code", c->competencies[i].code);
        proto_pack_cstr(pk, "level");
        msgpack_pack_uint8(pk, c->competencies[i].level);
    }
    proto_pack_cstr(pk, "capacity");
    msgpack_pack_uint8(pk, c->capacity);
    proto_pack_cstr(pk, "programs");
    pack_table(pk, c->programs[0], PROTO_CODE_MAX + 1, CLAMP(c->n_programs, PROTO_PROGRAMS_MAX));
    proto_pack_cstr(pk, "modality");
    pack_modality(pk, c->modality);
    proto_pack_cstr(pk, "languages");
    pack_table(pk, c->languages[0], PROTO_LANG_MAX + 1, CLAMP(c->n_languages, PROTO_LANGS_MAX));
    proto_pack_cstr(pk, "availability");
    msgpack_pack_uint32(pk, c->availability);
    pack_kv_str(pk, "bio", c->bio);
    pack_contact(pk, &c->contact);
}

/* ---- cards --------------------------------------------------------------- */

static const char *const mentee_card_keys[] = { "id",    "name",  "agency", "position_class", "province", "goals",
                                                "email", "phone", NULL };
static const char *const coach_card_keys[] = { "id",  "name",      "kind",  "organization", "province",
                                               "bio", "languages", "email", "phone",        NULL };

int proto_mentee_card_decode(const msgpack_object *obj, const char *path, proto_mentee_card *out, proto_error *err) {
    proto_map m;
    char fp[PROTO_PATH_MAX];
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, mentee_card_keys, err) != PROTO_OK ||
        proto_read_str(&m, "id", PROTO_REQUIRED, 1, PROTO_NIP_LEN, PROTO_CS_DIGITS, out->id, sizeof(out->id), err) <
            0 ||
        proto_nip_check(out->id, strlen(out->id), proto_path_key(fp, sizeof(fp), m.path, "id"), err) != PROTO_OK ||
        proto_read_str(&m, "name", PROTO_REQUIRED, 1, PROTO_NAME_MAX, PROTO_CS_LINE, out->name, sizeof(out->name),
                       err) < 0 ||
        proto_read_str(&m, "agency", PROTO_REQUIRED, 1, PROTO_AGENCY_MAX, PROTO_CS_CODE, out->agency,
                       sizeof(out->agency), err) < 0 ||
        read_catalogue(&m, "position_class", NULL, NULL, 0, "position class", out->position_class, err) != PROTO_OK ||
        read_catalogue(&m, "province", NULL, NULL, 0, "province code", out->province, err) != PROTO_OK ||
        proto_read_str(&m, "goals", PROTO_OPTIONAL, 0, PROTO_GOALS_MAX, PROTO_CS_TEXT, out->goals, sizeof(out->goals),
                       err) < 0 ||
        read_contact(&m, &out->contact, err) != PROTO_OK)
        return PROTO_ERR;
    return PROTO_OK;
}

void proto_mentee_card_pack(msgpack_packer *pk, const proto_mentee_card *c) {
    proto_contact ct = c->contact;
    ct.language = PROTO_LANGUAGE_ID; /* not a card's key */
    ct.notify_off = 0;
    msgpack_pack_map(pk, 6 + contact_keys(&ct));
    pack_kv_str(pk, "id", c->id);
    pack_kv_str(pk, "name", c->name);
    pack_kv_str(pk, "agency", c->agency);
    pack_kv_str(pk, "position_class", c->position_class);
    pack_kv_str(pk, "province", c->province);
    pack_kv_str(pk, "goals", c->goals);
    pack_contact(pk, &ct);
}

int proto_coach_card_decode(const msgpack_object *obj, const char *path, proto_coach_card *out, proto_error *err) {
    proto_map m;
    int kind;
    memset(out, 0, sizeof(*out));
    if (proto_map_open(&m, obj, path, coach_card_keys, err) != PROTO_OK ||
        proto_read_str(&m, "id", PROTO_REQUIRED, 1, PROTO_ID_MAX, PROTO_CS_CODE, out->id, sizeof(out->id), err) < 0 ||
        proto_read_str(&m, "name", PROTO_REQUIRED, 1, PROTO_NAME_MAX, PROTO_CS_LINE, out->name, sizeof(out->name),
                       err) < 0 ||
        proto_read_enum(&m, "kind", PROTO_REQUIRED, proto_coach_kind_names, &kind, err) < 0 ||
        proto_read_str(&m, "organization", PROTO_REQUIRED, 1, PROTO_ORG_MAX, PROTO_CS_LINE, out->organization,
                       sizeof(out->organization), err) < 0 ||
        read_catalogue(&m, "province", NULL, NULL, 0, "province code", out->province, err) != PROTO_OK ||
        proto_read_str(&m, "bio", PROTO_OPTIONAL, 0, PROTO_BIO_MAX, PROTO_CS_TEXT, out->bio, sizeof(out->bio), err) <
            0 ||
        read_languages(&m, &out->n_languages, out->languages, err) != PROTO_OK ||
        read_contact(&m, &out->contact, err) != PROTO_OK)
        return PROTO_ERR;
    out->kind = (proto_coach_kind)kind;
    return PROTO_OK;
}

void proto_coach_card_pack(msgpack_packer *pk, const proto_coach_card *c) {
    proto_contact ct = c->contact;
    ct.language = PROTO_LANGUAGE_ID; /* not a card's key */
    ct.notify_off = 0;
    msgpack_pack_map(pk, 7 + contact_keys(&ct));
    pack_kv_str(pk, "id", c->id);
    pack_kv_str(pk, "name", c->name);
    proto_pack_cstr(pk, "kind");
    proto_pack_name(pk, proto_coach_kind_names, (int)c->kind);
    pack_kv_str(pk, "organization", c->organization);
    pack_kv_str(pk, "province", c->province);
    pack_kv_str(pk, "bio", c->bio);
    proto_pack_cstr(pk, "languages");
    pack_table(pk, c->languages[0], PROTO_LANG_MAX + 1, CLAMP(c->n_languages, PROTO_LANGS_MAX));
    pack_contact(pk, &ct);
}
