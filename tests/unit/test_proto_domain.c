/* test_proto_domain.c -- domain codecs against the real catalogues of
 * data/: round trips, and every validation failure with its field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tests/unit/proto_helpers.h"

static test_vocab tv;

static int setup(void **state) {
    (void)state;
    return test_vocab_load(&tv, NULL) == PROTO_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    test_vocab_free(&tv);
    return 0;
}

/* An edit applied to a packed valid object before decoding it. */
typedef enum { OP_INT, OP_STR, OP_DEL, OP_RENAME, OP_NIL, OP_VAL } op_kind;

typedef struct edit {
    const char *at; /* path of the object to edit (map for DEL/RENAME) */
    op_kind op;
    int64_t i;
    const char *s; /* OP_STR: new value; DEL/RENAME: key (RENAME to
                           s2) */
    const char *s2;
    const char *field; /* expected error field, NULL: expect success */
    const char *text;  /* expected substring of the message */
} edit;

static void apply(msgpack_object *root, const edit *e) {
    msgpack_object *o = tobj_at(root, e->at);
    if (o == NULL) fail_msg("no object at %s", e->at);
    switch (e->op) {
    case OP_INT: tobj_set_int(o, e->i); break;
    case OP_STR: tobj_set_str(o, e->s); break;
    case OP_DEL: assert_int_equal(tobj_del_key(o, e->s), 0); break;
    case OP_RENAME: assert_int_equal(tobj_rename_key(o, e->s, e->s2), 0); break;
    case OP_NIL: o->type = MSGPACK_OBJECT_NIL; break;
    case OP_VAL: /* set the value of key s (which may hold dots) to i */
        for (uint32_t k = 0; k < o->via.map.size; k++)
            if (o->via.map.ptr[k].key.via.str.size == strlen(e->s) &&
                !memcmp(o->via.map.ptr[k].key.via.str.ptr, e->s, strlen(e->s)))
                tobj_set_int(&o->via.map.ptr[k].val, e->i);
        break;
    }
}

static void check_result(int rc, const proto_error *err, const edit *e) {
    if (e->field == NULL) {
        if (rc != PROTO_OK) fail_msg("edit at %s: unexpected error %s: %s", e->at, err->field, err->message);
        return;
    }
    if (rc == PROTO_OK) fail_msg("edit at %s: accepted", e->at);
    assert_int_equal(err->code, PROTO_E_INVALID_PARAMS);
    if (strcmp(err->field, e->field) != 0 || !strstr(err->message, e->text))
        fail_msg("edit at %s: got %s: %s; want %s: %s", e->at, err->field, err->message, e->field, e->text);
}

/* ---- mentee ----------------------------------------------------------- */

static void mentee_roundtrip(void **state) {
    (void)state;
    proto_mentee m, got;
    proto_error err;
    tdoc d;
    test_sample_mentee(&m);
    tdoc_init(&d);
    proto_mentee_pack(&d.pk, &m);
    assert_int_equal(proto_mentee_decode(tdoc_unpack(&d), "profile", &tv.v, &got, &err), PROTO_OK);
    assert_memory_equal(&m, &got, sizeof(m));
    tdoc_free(&d);
}

static int decode_mentee_edited(const edit *e, const proto_vocab *v, proto_error *err) {
    proto_mentee m, got;
    tdoc d;
    test_sample_mentee(&m);
    tdoc_init(&d);
    proto_mentee_pack(&d.pk, &m);
    msgpack_object *o = tdoc_unpack(&d);
    apply(o, e);
    int rc = proto_mentee_decode(o, "profile", v, &got, err);
    tdoc_free(&d);
    return rc;
}

static char long_goals[PROTO_GOALS_MAX + 2];
static char max_goals[PROTO_GOALS_MAX + 1];
static char long_name[PROTO_NAME_MAX + 2];

static const edit mentee_edits[] = {
    /* levels */
    { "competencies[3].required", OP_INT, 6, 0, 0, "profile.competencies[3].required", "must be an integer 1..5" },
    { "competencies[3].required", OP_INT, 0, 0, 0, "profile.competencies[3].required", "must be an integer 1..5" },
    { "competencies[0].current", OP_INT, -1, 0, 0, "profile.competencies[0].current", "must be an integer 0..5" },
    { "competencies[0].current", OP_INT, 0, 0, 0, NULL, NULL },
    { "competencies[0].current", OP_STR, 0, "2", 0, "profile.competencies[0].current", "integer" },
    { "competencies[2]", OP_DEL, 0, "required", 0, "profile.competencies[2].required", "is required" },
    { "competencies[2]", OP_RENAME, 0, "required", "requird", "profile.competencies[2].requird", "unknown key" },
    /* NIP */
    { "id", OP_STR, 0, "19850315201001100", 0, "profile.id", "18-digit" },
    { "id", OP_STR, 0, "1985031520100110011", 0, "profile.id", "18-digit" },
    { "id", OP_STR, 0, "19850315201001100a", 0, "profile.id", "18-digit" },
    { "id", OP_STR, 0, "1985-03-15-2010-01-", 0, "profile.id", "18-digit" },
    { "id", OP_INT, 198503152010011001, 0, 0, "profile.id", "string" },
    { "id", OP_STR, 0, "198513152010011001", 0, "profile.id", "birth date" },
    { "id", OP_STR, 0, "198502302010011001", 0, "profile.id", "birth date" },
    { "id", OP_STR, 0, "199002292010011001", 0, "profile.id", "birth date" },
    { "id", OP_STR, 0, "199202292014011001", 0, NULL, NULL }, /* leap year */
    { "id", OP_STR, 0, "185003152010011001", 0, "profile.id", "birth date" },
    { "id", OP_STR, 0, "198503002010011001", 0, "profile.id", "birth date" },
    { "id", OP_STR, 0, "198503152010131001", 0, "profile.id", "appointment" },
    { "id", OP_STR, 0, "198503152010001001", 0, "profile.id", "appointment" },
    { "id", OP_STR, 0, "198503151995011001", 0, "profile.id", "years after" },
    { "id", OP_STR, 0, "196503152060011001", 0, "profile.id", "years after" },
    { "", OP_DEL, 0, "id", 0, "profile.id", "is required" },
    /* catalogues */
    { "province", OP_STR, 0, "99", 0, "profile.province", "unknown province code" },
    { "province", OP_STR, 0, "9 9", 0, "profile.province", "[A-Za-z0-9._-]" },
    { "province", OP_STR, 0, "94", 0, NULL, NULL },
    { "position_class", OP_STR, 0, "menteri", 0, "profile.position_class", "unknown position class" },
    { "position_class", OP_STR, 0, "jpt_utama", 0, NULL, NULL },
    { "competencies[1].code", OP_STR, 0, "X.99", 0, "profile.competencies[1].code", "unknown competency code" },
    { "competencies[1].code", OP_STR, 0, "T.BAD", 0, "profile.competencies[1].code", "unknown competency code" },
    { "competencies[1].code", OP_STR, 0, "T.", 0, "profile.competencies[1].code", "unknown competency code" },
    { "competencies[1].code", OP_STR, 0, "T.air_bersih", 0, NULL, NULL },
    { "competencies[1].code", OP_STR, 0, "SK.1", 0, NULL, NULL },
    { "competencies[1].code", OP_STR, 0, "M.01", 0, "profile.competencies[1].code", "duplicate competency code" },
    { "competencies[3].code", OP_STR, 0, "M.08", 0, "profile.competencies[3].code", "duplicate competency code" },
    /* modality, languages, availability */
    { "modality[0]", OP_STR, 0, "video", 0, "profile.modality[0]", "must be one of: online, offline" },
    { "modality[1]", OP_STR, 0, "online", 0, "profile.modality[1]", "duplicate value" },
    { "modality", OP_STR, 0, "online", 0, "profile.modality", "array of 1..2" },
    { "languages[1]", OP_STR, 0, "id", 0, "profile.languages[1]", "duplicate language" },
    { "languages[0]", OP_STR, 0, "ID", 0, "profile.languages[0]", "[a-z]" },
    { "languages[0]", OP_STR, 0, "i", 0, "profile.languages[0]", "2..8" },
    { "availability", OP_INT, 1 << 21, 0, 0, "profile.availability", "0..2097151" },
    { "availability", OP_INT, -1, 0, 0, "profile.availability", "0..2097151" },
    { "availability", OP_INT, (1 << 21) - 1, 0, 0, NULL, NULL },
    { "", OP_DEL, 0, "availability", 0, NULL, NULL },
    /* strings */
    { "name", OP_STR, 0, "Bad \xc3\x28 UTF-8", 0, "profile.name", "UTF-8" },
    { "name", OP_STR, 0, "", 0, "profile.name", "1..128 bytes" },
    { "name", OP_STR, 0, "two\nlines", 0, "profile.name", "control" },
    { "name", OP_STR, 0, long_name, 0, "profile.name", "1..128 bytes" },
    { "goals", OP_STR, 0, long_goals, 0, "profile.goals", "0..1000 bytes" },
    { "goals", OP_STR, 0, max_goals, 0, NULL, NULL },
    { "goals", OP_NIL, 0, 0, 0, NULL, NULL },
    { "", OP_DEL, 0, "goals", 0, NULL, NULL },
    { "agency", OP_STR, 0, "kemen keu", 0, "profile.agency", "[A-Za-z0-9._-]" },
    /* contact (DESIGN §9) */
    { "email", OP_STR, 0, "siti.kemenkeu.go.id", 0, "profile.email", "exactly one '@'" },
    { "email", OP_STR, 0, "siti@rahma@kemenkeu.go.id", 0, "profile.email", "exactly one '@'" },
    { "email", OP_STR, 0, "@kemenkeu.go.id", 0, "profile.email", "before '@'" },
    { "email", OP_STR, 0, "siti@localhost", 0, "profile.email", "domain" },
    { "email", OP_STR, 0, "siti@kemenkeu.go.id.", 0, "profile.email", "domain" },
    { "email", OP_STR, 0, "siti rahma@kemenkeu.go.id", 0, "profile.email", "not allowed" },
    { "email", OP_STR, 0, "siti@kemen_keu.go.id", 0, "profile.email", "not allowed" },
    { "email", OP_STR, 0, "s+coach@x.id", 0, NULL, NULL },
    { "email", OP_INT, 1, 0, 0, "profile.email", "string" },
    { "", OP_DEL, 0, "email", 0, NULL, NULL },
    { "phone", OP_STR, 0, "081234567890", 0, "profile.phone", "E.164" },
    { "phone", OP_STR, 0, "+0812345678", 0, "profile.phone", "E.164" },
    { "phone", OP_STR, 0, "+62 812 3456", 0, "profile.phone", "E.164" },
    { "phone", OP_STR, 0, "+621234", 0, "profile.phone", "9..16 bytes" },
    { "phone", OP_STR, 0, "+6212345678901234", 0, "profile.phone", "9..16 bytes" },
    { "phone", OP_STR, 0, "+12025550123", 0, NULL, NULL },
    { "language", OP_STR, 0, "fr", 0, "profile.language", "must be one of: id, en" },
    { "language", OP_STR, 0, "id", 0, NULL, NULL },
    { "", OP_DEL, 0, "language", 0, NULL, NULL },
    { "notify.reminder", OP_INT, 1, 0, 0, "profile.notify.reminder", "true or false" },
    { "notify", OP_RENAME, 0, "reminder", "remind", "profile.notify.remind", "unknown key" },
    { "notify", OP_INT, 1, 0, 0, "profile.notify", "map" },
    { "notify", OP_NIL, 0, 0, 0, NULL, NULL },
    { "", OP_DEL, 0, "notify", 0, NULL, NULL },
    { "program", OP_INT, 1, 0, 0, "profile.program", "string" },
    /* keys */
    { "", OP_RENAME, 0, "name", "nmae", "profile.nmae", "unknown key" },
    { "", OP_RENAME, 0, "goals", "name", "profile.name", "duplicate key" },
    { "", OP_DEL, 0, "province", 0, "profile.province", "is required" },
    { "", OP_DEL, 0, "competencies", 0, "profile.competencies", "is required" },
};

static void mentee_validation(void **state) {
    (void)state;
    memset(long_goals, 'g', sizeof(long_goals) - 1);
    memset(max_goals, 'g', sizeof(max_goals) - 1);
    memset(long_name, 'n', sizeof(long_name) - 1);
    for (size_t i = 0; i < sizeof(mentee_edits) / sizeof(*mentee_edits); i++) {
        proto_error err;
        int rc = decode_mentee_edited(&mentee_edits[i], &tv.v, &err);
        check_result(rc, &err, &mentee_edits[i]);
    }
}

static void mentee_limits(void **state) {
    (void)state;
    proto_mentee m, got;
    proto_error err;
    tdoc d;
    test_sample_mentee(&m);
    m.n_competencies = PROTO_COMPETENCIES_MAX;
    memset(m.competencies, 0, sizeof(m.competencies));
    for (int i = 0; i < PROTO_COMPETENCIES_MAX; i++) {
        snprintf(m.competencies[i].code, sizeof(m.competencies[i].code), "T.s%d", i);
        m.competencies[i].current = 0;
        m.competencies[i].required = 5;
    }
    tdoc_init(&d);
    proto_mentee_pack(&d.pk, &m);
    assert_int_equal(proto_mentee_decode(tdoc_unpack(&d), "", &tv.v, &got, &err), PROTO_OK);
    assert_memory_equal(&m, &got, sizeof(m));
    tdoc_free(&d);
    /* 33 competencies: graft an array of 33 onto the packed profile */
    tdoc big;
    tdoc_init(&big);
    msgpack_pack_array(&big.pk, PROTO_COMPETENCIES_MAX + 1);
    for (int i = 0; i <= PROTO_COMPETENCIES_MAX; i++) msgpack_pack_map(&big.pk, 0);
    tdoc_init(&d);
    proto_mentee_pack(&d.pk, &m);
    msgpack_object *o = tdoc_unpack(&d);
    *tobj_at(o, "competencies") = *tdoc_unpack(&big);
    assert_int_equal(proto_mentee_decode(o, "profile", &tv.v, &got, &err), PROTO_ERR);
    assert_string_equal(err.field, "profile.competencies");
    assert_string_equal(err.message, "must be an array of 0..32 elements");
    tdoc_free(&d);
    tdoc_free(&big);
}

/* Without a vocabulary only formats are checked. */
static void mentee_without_vocab(void **state) {
    (void)state;
    static const edit ok[] = {
        { "province", OP_STR, 0, "99", 0, NULL, NULL },
        { "position_class", OP_STR, 0, "menteri", 0, NULL, NULL },
        { "competencies[1].code", OP_STR, 0, "X.99", 0, NULL, NULL },
        { "competencies[1].code", OP_STR, 0, "T.BAD", 0, "profile.competencies[1].code", "unknown competency code" },
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
        proto_error err;
        check_result(decode_mentee_edited(&ok[i], NULL, &err), &err, &ok[i]);
    }
}

/* ---- coach ------------------------------------------------------------ */

static void coach_roundtrip(void **state) {
    (void)state;
    proto_coach c, got;
    proto_error err;
    tdoc d;
    test_sample_coach(&c);
    for (int k = 0; k < PROTO_COACH_KIND__COUNT; k++) {
        c.kind = (proto_coach_kind)k;
        /* 1 or 2 programs: a coach lists at least one (DESIGN §9) */
        memset(c.programs, 0, sizeof(c.programs));
        c.n_programs = 1 + (size_t)k % 2;
        strcpy(c.programs[0], "coach2026");
        if (c.n_programs == 2) strcpy(c.programs[1], "coach2027");
        tdoc_init(&d);
        proto_coach_pack(&d.pk, &c);
        assert_int_equal(proto_coach_decode(tdoc_unpack(&d), "profile", &tv.v, &got, &err), PROTO_OK);
        assert_memory_equal(&c, &got, sizeof(c));
        tdoc_free(&d);
    }
}

static char long_bio[PROTO_BIO_MAX + 2];
static char long_id[PROTO_ID_MAX + 2];

static const edit coach_edits[] = {
    { "id", OP_STR, 0, "budi santoso", 0, "profile.id", "[A-Za-z0-9._-]" },
    { "id", OP_STR, 0, long_id, 0, "profile.id", "1..40 bytes" },
    { "id", OP_STR, 0, "198503152010011001", 0, NULL, NULL },
    { "kind", OP_STR, 0, "minister", 0, "profile.kind",
      "pkn1_alumni, pkn2_alumni, corporate_leader, widyaiswara, "
      "senior_official" },
    { "rank", OP_INT, 0, 0, 0, "profile.rank", "must be an integer 1..6" },
    { "rank", OP_INT, 7, 0, 0, "profile.rank", "must be an integer 1..6" },
    { "capacity", OP_INT, 51, 0, 0, "profile.capacity", "0..50" },
    { "capacity", OP_INT, 0, 0, 0, NULL, NULL },
    { "competencies[0].level", OP_INT, 0, 0, 0, "profile.competencies[0].level", "1..5" },
    { "competencies[0].level", OP_INT, 6, 0, 0, "profile.competencies[0].level", "1..5" },
    { "competencies[2].code", OP_STR, 0, "M.03", 0, "profile.competencies[2].code", "duplicate competency code" },
    { "competencies[1]", OP_RENAME, 0, "level", "current", "profile.competencies[1].current", "unknown key" },
    { "province", OP_STR, 0, "10", 0, "profile.province", "unknown province code" },
    { "programs[0]", OP_STR, 0, "a b", 0, "profile.programs[0]", "[A-Za-z0-9._-]" },
    { "", OP_DEL, 0, "programs", 0, "profile.programs", "is required" },
    { "", OP_DEL, 0, "bio", 0, NULL, NULL },
    { "bio", OP_STR, 0, long_bio, 0, "profile.bio", "0..2000 bytes" },
    { "organization", OP_STR, 0, "", 0, "profile.organization", "1..128" },
    { "modality", OP_NIL, 0, 0, 0, "profile.modality", "is required" },
    { "", OP_RENAME, 0, "bio", "agency", "profile.agency", "unknown key" },
};

static void coach_validation(void **state) {
    (void)state;
    memset(long_bio, 'b', sizeof(long_bio) - 1);
    memset(long_id, 'c', sizeof(long_id) - 1);
    for (size_t i = 0; i < sizeof(coach_edits) / sizeof(*coach_edits); i++) {
        proto_coach c, got;
        proto_error err;
        tdoc d;
        test_sample_coach(&c);
        tdoc_init(&d);
        proto_coach_pack(&d.pk, &c);
        msgpack_object *o = tdoc_unpack(&d);
        apply(o, &coach_edits[i]);
        int rc = proto_coach_decode(o, "profile", &tv.v, &got, &err);
        tdoc_free(&d);
        check_result(rc, &err, &coach_edits[i]);
    }
}

/* A bad enum value in a struct packs as nil (no out-of-bounds read) and
 * the decoder refuses it. */
static void coach_bad_kind_packs_nil(void **state) {
    (void)state;
    proto_coach c, got;
    proto_error err;
    tdoc d;
    test_sample_coach(&c);
    c.kind = (proto_coach_kind)99;
    tdoc_init(&d);
    proto_coach_pack(&d.pk, &c);
    msgpack_object *o = tdoc_unpack(&d);
    assert_int_equal(tobj_at(o, "kind")->type, MSGPACK_OBJECT_NIL);
    assert_int_equal(proto_coach_decode(o, "p", &tv.v, &got, &err), PROTO_ERR);
    assert_string_equal(err.field, "p.kind");
    tdoc_free(&d);
}

static void coach_duplicate_program(void **state) {
    (void)state;
    proto_coach c, got;
    proto_error err;
    tdoc d;
    test_sample_coach(&c);
    strcpy(c.programs[1], c.programs[0]);
    c.n_programs = 2;
    tdoc_init(&d);
    proto_coach_pack(&d.pk, &c);
    assert_int_equal(proto_coach_decode(tdoc_unpack(&d), "p", &tv.v, &got, &err), PROTO_ERR);
    assert_string_equal(err.field, "p.programs[1]");
    assert_string_equal(err.message, "duplicate program");
    tdoc_free(&d);
}

/* ---- policy ----------------------------------------------------------- */

static void policy_defaults_and_roundtrip(void **state) {
    (void)state;
    proto_policy p, got, def;
    proto_error err;
    tdoc d;
    tdoc_init(&d);
    msgpack_pack_map(&d.pk, 0);
    assert_int_equal(proto_policy_decode(tdoc_unpack(&d), "policy", &tv.v, &got, &err), PROTO_OK);
    proto_policy_default(&def);
    assert_memory_equal(&got, &def, sizeof(def));
    assert_int_equal(got.objective, PROTO_OBJ_PARTICIPATION);
    assert_int_equal(got.mode, PROTO_MODE_OPTIMAL);
    assert_true(got.forbid_same_agency);
    assert_int_equal(got.min_rank_gap, 1);
    assert_int_equal(got.waitlist_bonus, 500);
    assert_true(got.w_gap == 0.75 && got.w_location == 0.15 && got.w_availability == 0.10);
    tdoc_free(&d);
    test_sample_policy(&p);
    tdoc_init(&d);
    proto_policy_pack(&d.pk, &p);
    assert_int_equal(proto_policy_decode(tdoc_unpack(&d), "policy", &tv.v, &got, &err), PROTO_OK);
    assert_memory_equal(&got, &p, sizeof(p));
    tdoc_free(&d);
}

static const edit policy_edits[] = {
    { "objective", OP_STR, 0, "speed", 0, "policy.objective", "participation, quality" },
    { "mode", OP_STR, 0, "greedy", 0, "policy.mode", "optimal, stable" },
    { "min_score", OP_INT, 10001, 0, 0, "policy.min_score", "0..10000" },
    { "min_rank_gap", OP_INT, 6, 0, 0, "policy.min_rank_gap", "-5..5" },
    { "min_rank_gap", OP_INT, -5, 0, 0, NULL, NULL },
    { "waitlist_bonus", OP_INT, -1, 0, 0, "policy.waitlist_bonus", "0..10000" },
    { "forbid_same_agency", OP_INT, 1, 0, 0, "policy.forbid_same_agency", "true or false" },
    { "weights.gap", OP_INT, 101, 0, 0, "policy.weights.gap", "0..100" },
    { "weights", OP_RENAME, 0, "gap", "gaps", "policy.weights.gaps", "unknown key" },
    { "weights", OP_DEL, 0, "gap", 0, NULL, NULL },
    { "competency_weights", OP_VAL, 101, "M.03", 0, "policy.competency_weights.M.03", "0..100" },
    { "competency_weights", OP_RENAME, 0, "M.03", "X.1", "policy.competency_weights.X.1", "unknown competency code" },
    { "competency_weights", OP_RENAME, 0, "M.03", "T.digital", "policy.competency_weights.T.digital", "duplicate key" },
    { "", OP_RENAME, 0, "mode", "modus", "policy.modus", "unknown key" },
};

static void policy_validation(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(policy_edits) / sizeof(*policy_edits); i++) {
        proto_policy p, got;
        proto_error err;
        tdoc d;
        test_sample_policy(&p);
        tdoc_init(&d);
        proto_policy_pack(&d.pk, &p);
        msgpack_object *o = tdoc_unpack(&d);
        apply(o, &policy_edits[i]);
        int rc = proto_policy_decode(o, "policy", &tv.v, &got, &err);
        tdoc_free(&d);
        check_result(rc, &err, &policy_edits[i]);
    }
    /* all weights 0 */
    proto_policy p, got;
    proto_error err;
    tdoc d;
    test_sample_policy(&p);
    p.w_gap = p.w_location = p.w_availability = 0;
    tdoc_init(&d);
    proto_policy_pack(&d.pk, &p);
    assert_int_equal(proto_policy_decode(tdoc_unpack(&d), "policy", &tv.v, &got, &err), PROTO_ERR);
    assert_string_equal(err.field, "policy.weights");
    tdoc_free(&d);
}

/* ---- explain, match, stats -------------------------------------------- */

static void explain_roundtrip(void **state) {
    (void)state;
    proto_explain e, got;
    proto_error err;
    tdoc d;
    test_sample_explain(&e);
    for (int r = PROTO_REASON_NONE; r < PROTO_REASON__COUNT; r++) {
        e.feasible = r == PROTO_REASON_NONE;
        e.reason = (proto_reason)r;
        tdoc_init(&d);
        proto_explain_pack(&d.pk, &e);
        assert_int_equal(proto_explain_decode(tdoc_unpack(&d), "explain", &got, &err), PROTO_OK);
        assert_memory_equal(&got, &e, sizeof(e));
        tdoc_free(&d);
    }
}

static const edit explain_edits[] = {
    { "score", OP_INT, 10001, 0, 0, "explain.score", "0..10000" },
    { "gap_coverage", OP_INT, 2, 0, 0, "explain.gap_coverage", "0..1" },
    { "competencies[0].covered", OP_INT, 4, 0, 0, "explain.competencies[0].covered", "0..3" },
    { "competencies[1].coach_level", OP_INT, 6, 0, 0, "explain.competencies[1].coach_level", "0..5" },
    { "competencies[1].code", OP_STR, 0, "T.X", 0, "explain.competencies[1].code", "malformed competency code" },
    { "", OP_DEL, 0, "feasible", 0, "explain.feasible", "is required" },
};

static void explain_validation(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(explain_edits) / sizeof(*explain_edits); i++) {
        proto_explain e, got;
        proto_error err;
        tdoc d;
        test_sample_explain(&e);
        tdoc_init(&d);
        proto_explain_pack(&d.pk, &e);
        msgpack_object *o = tdoc_unpack(&d);
        apply(o, &explain_edits[i]);
        int rc = proto_explain_decode(o, "explain", &got, &err);
        tdoc_free(&d);
        check_result(rc, &err, &explain_edits[i]);
    }
    /* feasible with a reason */
    proto_explain e, got;
    proto_error err;
    tdoc d;
    test_sample_explain(&e);
    tdoc_init(&d);
    proto_explain_pack(&d.pk, &e);
    msgpack_object *o = tdoc_unpack(&d);
    tobj_rename_key(o, "location", "reason");
    tobj_set_str(tobj_at(o, "reason"), "rank");
    assert_int_equal(proto_explain_decode(o, "explain", &got, &err), PROTO_ERR);
    assert_string_equal(err.field, "explain.reason");
    assert_string_equal(err.message, "only allowed when feasible is false");
    tdoc_free(&d);
    /* infeasible without a reason */
    e.feasible = false;
    tdoc_init(&d);
    proto_explain_pack(&d.pk, &e);
    assert_int_equal(proto_explain_decode(tdoc_unpack(&d), "explain", &got, &err), PROTO_ERR);
    assert_string_equal(err.field, "explain.reason");
    assert_string_equal(err.message, "is required");
    tdoc_free(&d);
}

static void match_roundtrip(void **state) {
    (void)state;
    proto_match m, got;
    proto_error err;
    tdoc d;
    test_sample_match(&m);
    for (int s = 0; s < PROTO_MATCH_STATUS__COUNT; s++) {
        m.status = (proto_match_status)s;
        m.has_explain = s % 2 == 0;
        if (!m.has_explain)
            memset(&m.explain, 0, sizeof(m.explain));
        else
            test_sample_explain(&m.explain);
        if (s == 1)
            memset(m.run_id, 0, sizeof(m.run_id));
        else
            strcpy(m.run_id, "run-7");
        tdoc_init(&d);
        proto_match_pack(&d.pk, &m);
        assert_int_equal(proto_match_decode(tdoc_unpack(&d), "match", &got, &err), PROTO_OK);
        assert_memory_equal(&got, &m, sizeof(m));
        tdoc_free(&d);
    }
}

static const edit match_edits[] = {
    { "status", OP_STR, 0, "lost", 0, "match.status", "proposed" },
    { "mentee_id", OP_STR, 0, "123", 0, "match.mentee_id", "18-digit" },
    { "coach_id", OP_STR, 0, "a/b", 0, "match.coach_id", "[A-Za-z0-9._-]" },
    { "explain.score", OP_INT, -1, 0, 0, "match.explain.score", "0..10000" },
    { "created_at", OP_INT, -1, 0, 0, "match.created_at", "0..9007199254740992" },
    { "", OP_DEL, 0, "run_id", 0, NULL, NULL },
    { "", OP_DEL, 0, "explain", 0, NULL, NULL },
    { "", OP_DEL, 0, "updated_at", 0, "match.updated_at", "is required" },
};

static void match_validation(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(match_edits) / sizeof(*match_edits); i++) {
        proto_match m, got;
        proto_error err;
        tdoc d;
        test_sample_match(&m);
        tdoc_init(&d);
        proto_match_pack(&d.pk, &m);
        msgpack_object *o = tdoc_unpack(&d);
        apply(o, &match_edits[i]);
        int rc = proto_match_decode(o, "match", &got, &err);
        tdoc_free(&d);
        check_result(rc, &err, &match_edits[i]);
    }
}

/* The sample match with both cards (contacts on the mentee's only) and
 * two notes. */
static void sample_match_cards(proto_match *m) {
    test_sample_match(m);
    m->has_mentee = m->has_coach = true;
    strcpy(m->mentee.id, m->mentee_id);
    strcpy(m->mentee.name, "Sari Dewi");
    strcpy(m->mentee.agency, "BKN");
    strcpy(m->mentee.position_class, "IV-a");
    strcpy(m->mentee.province, "31");
    strcpy(m->mentee.goals, "Memimpin tim");
    strcpy(m->mentee.contact.email, "sari@bkn.go.id");
    strcpy(m->mentee.contact.phone, "+6281234567890");
    strcpy(m->coach.id, m->coach_id);
    strcpy(m->coach.name, "Budi");
    m->coach.kind = PROTO_COACH_CORPORATE_LEADER;
    strcpy(m->coach.organization, "PT Pertamina (Persero)");
    strcpy(m->coach.province, "35");
    m->coach.n_languages = 2;
    strcpy(m->coach.languages[0], "id");
    strcpy(m->coach.languages[1], "en");
    m->has_notes = true;
    m->n_notes = 2;
    strcpy(m->notes[0].by, "coord1");
    m->notes[0].role = PROTO_ROLE_COORDINATOR;
    strcpy(m->notes[0].text, "Cocok: jarak dekat");
    m->notes[0].at = 1796284800;
    strcpy(m->notes[1].by, m->coach_id);
    m->notes[1].role = PROTO_ROLE_COACH;
    strcpy(m->notes[1].text, "Siap");
    m->notes[1].at = 1796284900;
}

static const edit card_edits[] = {
    { "mentee.email", OP_STR, 0, "sari.bkn.go.id", 0, "match.mentee.email", "'@'" },
    { "mentee.id", OP_STR, 0, "123", 0, "match.mentee.id", "18-digit" },
    { "mentee", OP_RENAME, 0, "goals", "program", "match.mentee.program", "unknown key" },
    { "mentee", OP_DEL, 0, "goals", 0, NULL, NULL },
    { "mentee", OP_DEL, 0, "name", 0, "match.mentee.name", "is required" },
    { "coach.kind", OP_STR, 0, "guru", 0, "match.coach.kind", "pkn1_alumni" },
    { "coach", OP_RENAME, 0, "bio", "language", "match.coach.language", "unknown key" },
    { "coach", OP_DEL, 0, "languages", 0, "match.coach.languages", "is required" },
    { "", OP_DEL, 0, "coach", 0, NULL, NULL },
    { "notes[1].text", OP_STR, 0, "", 0, "match.notes[1].text", "1..500 bytes" },
    { "notes[0].role", OP_STR, 0, "boss", 0, "match.notes[0].role", "coordinator" },
    { "notes[0].at", OP_INT, -1, 0, 0, "match.notes[0].at", "0..9007199254740992" },
    { "notes[0]", OP_DEL, 0, "by", 0, "match.notes[0].by", "is required" },
    { "", OP_DEL, 0, "notes", 0, NULL, NULL },
};

/* Cards and notes (design.md §9): optional, packed back byte for byte;
 * each of their fields is checked with its path. */
static void match_cards_roundtrip_and_validation(void **state) {
    (void)state;
    proto_match m, got;
    proto_error err;
    tdoc d;
    sample_match_cards(&m);
    tdoc_init(&d);
    proto_match_pack(&d.pk, &m);
    assert_int_equal(proto_match_decode(tdoc_unpack(&d), "match", &got, &err), PROTO_OK);
    assert_memory_equal(&got, &m, sizeof(m));
    tdoc_free(&d);
    for (size_t i = 0; i < sizeof(card_edits) / sizeof(*card_edits); i++) {
        tdoc_init(&d);
        proto_match_pack(&d.pk, &m);
        msgpack_object *o = tdoc_unpack(&d);
        apply(o, &card_edits[i]);
        int rc = proto_match_decode(o, "match", &got, &err);
        tdoc_free(&d);
        check_result(rc, &err, &card_edits[i]);
    }
}

static const edit stats_edits[] = {
    { "matched", OP_INT, 1201, 0, 0, "stats.matched", "must not exceed" },
    { "mean_gap_coverage", OP_INT, 2, 0, 0, "stats.mean_gap_coverage", "0..1" },
    { "unmatched", OP_RENAME, 0, "capacity", "full", "stats.unmatched.full", "unknown key" },
    { "unmatched", OP_DEL, 0, "capacity", 0, NULL, NULL },
    { "mentees", OP_INT, 1LL << 32, 0, 0, "stats.mentees", "0..4294967295" },
    { "warm_mentees", OP_INT, 1201, 0, 0, "stats.warm_mentees", "must not exceed" },
    { "warm", OP_INT, 1, 0, 0, "stats.warm", "true or false" },
    { "", OP_DEL, 0, "warm", 0, NULL, NULL }, /* runs recorded before warm starts */
    { "", OP_DEL, 0, "warm_mentees", 0, NULL, NULL },
    { "coach_classes", OP_INT, 151, 0, 0, "stats.coach_classes", "must not exceed" },
    { "", OP_DEL, 0, "coach_classes", 0, NULL, NULL }, /* runs recorded before coach classes */
};

static void stats_validation(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(stats_edits) / sizeof(*stats_edits); i++) {
        proto_run_stats s, got;
        proto_error err;
        tdoc d;
        test_sample_stats(&s);
        tdoc_init(&d);
        proto_run_stats_pack(&d.pk, &s);
        msgpack_object *o = tdoc_unpack(&d);
        apply(o, &stats_edits[i]);
        int rc = proto_run_stats_decode(o, "stats", &got, &err);
        tdoc_free(&d);
        check_result(rc, &err, &stats_edits[i]);
    }
}

/* ---- results and notifications (proto/results.c) ----------------------- */

/* A codec seen through void pointers, so one loop runs every edit table. */
typedef struct codec {
    const char *path; /* the object's path in error fields */
    size_t size;
    void (*pack)(msgpack_packer *pk, const void *obj);
    int (*decode)(const msgpack_object *o, const char *path, void *out, proto_error *err);
} codec;

#define CODEC(name, type, path)                                                                                        \
    static void name##_p(msgpack_packer *pk, const void *o) { proto_##name##_pack(pk, o); }                            \
    static int name##_d(const msgpack_object *o, const char *p, void *out, proto_error *err) {                         \
        return proto_##name##_decode(o, p, out, err);                                                                  \
    }                                                                                                                  \
    static const codec name##_codec = { path, sizeof(type), name##_p, name##_d };

CODEC(session, proto_session, "session")
CODEC(suggestion, proto_suggestion, "item")
CODEC(review_item, proto_review_item, "results[0]")
CODEC(server_info, proto_server_info, "info")
CODEC(meeting, proto_meeting, "result")
CODEC(run_progress, proto_run_progress, "progress")
CODEC(run_done, proto_run_done, "done")
CODEC(program_stats, proto_program_stats, "stats")
CODEC(program, proto_program, "program")
CODEC(run, proto_run, "run")
CODEC(unmatched_item, proto_unmatched_item, "items[0]")

/* Room for any of them. */
typedef union any_result {
    proto_session session;
    proto_suggestion suggestion;
    proto_review_item review_item;
    proto_server_info server_info;
    proto_meeting meeting;
    proto_run_progress run_progress;
    proto_run_done run_done;
    proto_program_stats program_stats;
    proto_program program;
    proto_run run;
    proto_unmatched_item unmatched_item;
} any_result;

/* Pack obj, decode it back and compare byte for byte. */
static void roundtrip(const codec *c, const void *obj) {
    tdoc d;
    proto_error err;
    any_result got;
    assert_true(c->size <= sizeof(got));
    tdoc_init(&d);
    c->pack(&d.pk, obj);
    if (c->decode(tdoc_unpack(&d), c->path, &got, &err) != PROTO_OK)
        fail_msg("%s: %s: %s", c->path, err.field, err.message);
    assert_memory_equal(&got, obj, c->size);
    tdoc_free(&d);
}

/* Pack obj, apply each edit and decode: the edit's error or success. */
static void run_edits(const codec *c, const void *obj, const edit *edits, size_t n) {
    any_result got;
    for (size_t i = 0; i < n; i++) {
        tdoc d;
        proto_error err;
        tdoc_init(&d);
        c->pack(&d.pk, obj);
        msgpack_object *o = tdoc_unpack(&d);
        apply(o, &edits[i]);
        int rc = c->decode(o, c->path, &got, &err);
        tdoc_free(&d);
        check_result(rc, &err, &edits[i]);
    }
}

/* Decode one packed struct and expect an error at field with text. */
static void expect_refused(const codec *c, const void *obj, const char *field, const char *text) {
    edit e = { "", OP_STR, 0, NULL, NULL, field, text };
    tdoc d;
    proto_error err;
    any_result got;
    tdoc_init(&d);
    c->pack(&d.pk, obj);
    int rc = c->decode(tdoc_unpack(&d), c->path, &got, &err);
    tdoc_free(&d);
    check_result(rc, &err, &e);
}

static void sample_login(proto_session *s) {
    memset(s, 0, sizeof(*s));
    strcpy(s->token, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    s->role = PROTO_ROLE_COORDINATOR;
    s->has_programs = true;
    s->n_programs = 2;
    strcpy(s->programs[0], "coach2026");
    strcpy(s->programs[1], "pkn-2");
    s->expires_in = 86400;
}

static void sample_resume(proto_session *s) {
    memset(s, 0, sizeof(*s));
    strcpy(s->login, "siti.r@kemenkeu");
    s->role = PROTO_ROLE_MENTEE;
    strcpy(s->subject, "198503152010011001");
    s->expires_in = 3599;
}

static void session_roundtrip(void **state) {
    (void)state;
    proto_session s;
    sample_login(&s);
    roundtrip(&session_codec, &s);
    s.n_programs = 0; /* a coordinator's session may list none */
    memset(s.programs, 0, sizeof(s.programs));
    roundtrip(&session_codec, &s);
    s.has_programs = false; /* resume: programs are not sent */
    roundtrip(&session_codec, &s);
    sample_resume(&s);
    roundtrip(&session_codec, &s);
    s.role = PROTO_ROLE_COACH;
    memset(s.subject, 0, sizeof(s.subject));
    strcpy(s.subject, "coach.budi-01");
    roundtrip(&session_codec, &s);
    s.role = PROTO_ROLE_ADMIN;
    memset(s.subject, 0, sizeof(s.subject));
    roundtrip(&session_codec, &s);
}

static const edit login_edits[] = {
    { "", OP_DEL, 0, "token", 0, "session.token", "token (auth.login) or login (auth.resume) is required" },
    { "token", OP_STR, 0, "a b", 0, "session.token", "[A-Za-z0-9._-]" },
    { "token", OP_STR, 0, "", 0, "session.token", "1..127 bytes" },
    { "role", OP_STR, 0, "root", 0, "session.role", "must be one of" },
    { "", OP_DEL, 0, "role", 0, "session.role", "is required" },
    { "programs[1]", OP_STR, 0, "coach2026", 0, "session.programs[1]", "duplicate value" },
    { "programs[0]", OP_STR, 0, "a,b", 0, "session.programs[0]", "[A-Za-z0-9._-]" },
    { "role", OP_STR, 0, "admin", 0, "session.programs", "only allowed for a coordinator" },
    { "expires_in", OP_INT, -1, 0, 0, "session.expires_in", "0..9007199254740992" },
    { "", OP_DEL, 0, "expires_in", 0, "session.expires_in", "is required" },
    { "", OP_RENAME, 0, "expires_in", "ttl", "session.ttl", "unknown key" },
    { "", OP_DEL, 0, "programs", 0, NULL, NULL },
};

static const edit resume_edits[] = {
    { "login", OP_STR, 0, "siti!", 0, "session.login", "must be [A-Za-z0-9._@-]" },
    { "login", OP_STR, 0, "", 0, "session.login", "1..64 bytes" },
    { "", OP_DEL, 0, "subject", 0, "session.subject", "is required for this role" },
    { "subject", OP_STR, 0, "a/b", 0, "session.subject", "[A-Za-z0-9._-]" },
    { "role", OP_STR, 0, "admin", 0, "session.subject", "only allowed for mentee and coach" },
    { "", OP_RENAME, 0, "login", "token", "session.token",
      "may hold only [A-Za-z0-9._-]" }, /* '@' is for logins only */
};

static void session_validation(void **state) {
    (void)state;
    proto_session s;
    sample_login(&s);
    run_edits(&session_codec, &s, login_edits, sizeof(login_edits) / sizeof(*login_edits));
    sample_resume(&s);
    run_edits(&session_codec, &s, resume_edits, sizeof(resume_edits) / sizeof(*resume_edits));
    strcpy(s.token, "tok-1"); /* both token and login */
    expect_refused(&session_codec, &s, "session.token", "not allowed with login");
    sample_login(&s); /* programs of a mentee */
    s.role = PROTO_ROLE_MENTEE;
    strcpy(s.subject, "198503152010011001");
    expect_refused(&session_codec, &s, "session.programs", "only allowed for a coordinator");
    sample_login(&s); /* 16 programs fit, 17 do not */
    memset(s.programs, 0, sizeof(s.programs));
    s.n_programs = PROTO_PROGRAMS_MAX;
    for (size_t i = 0; i < PROTO_PROGRAMS_MAX; i++) snprintf(s.programs[i], sizeof(s.programs[i]), "p%zu", i);
    roundtrip(&session_codec, &s);
    tdoc d;
    proto_error err;
    proto_session got;
    tdoc_init(&d);
    msgpack_pack_map(&d.pk, 3);
    proto_pack_cstr(&d.pk, "token");
    proto_pack_cstr(&d.pk, "t");
    proto_pack_cstr(&d.pk, "role");
    proto_pack_cstr(&d.pk, "coordinator");
    proto_pack_cstr(&d.pk, "programs");
    msgpack_pack_array(&d.pk, PROTO_PROGRAMS_MAX + 1);
    for (int i = 0; i <= PROTO_PROGRAMS_MAX; i++) proto_pack_cstr(&d.pk, "p");
    assert_int_equal(proto_session_decode(tdoc_unpack(&d), "session", &got, &err), PROTO_ERR);
    assert_string_equal(err.field, "session.programs");
    assert_non_null(strstr(err.message, "0..16 elements"));
    tdoc_free(&d);
}

static void suggestion_roundtrip_and_validation(void **state) {
    (void)state;
    proto_suggestion s;
    memset(&s, 0, sizeof(s));
    strcpy(s.coach_id, "coach.budi-01");
    s.score = 8125;
    roundtrip(&suggestion_codec, &s); /* explain nil */
    s.has_explain = true;
    test_sample_explain(&s.explain);
    roundtrip(&suggestion_codec, &s);
    static const edit edits[] = {
        { "score", OP_INT, 10001, 0, 0, "item.score", "0..10000" },
        { "coach_id", OP_STR, 0, "a/b", 0, "item.coach_id", "[A-Za-z0-9._-]" },
        { "", OP_DEL, 0, "coach_id", 0, "item.coach_id", "is required" },
        { "", OP_DEL, 0, "score", 0, "item.score", "is required" },
        { "explain.score", OP_INT, -1, 0, 0, "item.explain.score", "0..10000" },
        { "explain.competencies[0].covered", OP_INT, 4, 0, 0, "item.explain.competencies[0].covered", "0..3" },
        { "", OP_RENAME, 0, "score", "rank", "item.rank", "unknown key" },
        { "explain", OP_NIL, 0, 0, 0, NULL, NULL },
        { "", OP_DEL, 0, "explain", 0, NULL, NULL },
    };
    run_edits(&suggestion_codec, &s, edits, sizeof(edits) / sizeof(*edits));
    /* with the coach's card (design.md §9), which must be coach_id's */
    proto_match m;
    sample_match_cards(&m);
    s.coach = m.coach;
    memset(&s.coach.contact, 0, sizeof(s.coach.contact));
    strcpy(s.coach.id, s.coach_id);
    s.has_coach = true;
    roundtrip(&suggestion_codec, &s);
    static const edit card_edits_s[] = {
        { "coach.id", OP_STR, 0, "coach.other", 0, "item.coach", "is not the card of coach_id" },
        { "coach.kind", OP_STR, 0, "guru", 0, "item.coach.kind", "pkn1_alumni" },
        { "", OP_DEL, 0, "coach", 0, NULL, NULL },
    };
    run_edits(&suggestion_codec, &s, card_edits_s, sizeof(card_edits_s) / sizeof(*card_edits_s));
}

static void review_item_roundtrip_and_validation(void **state) {
    (void)state;
    proto_review_item ok, bad;
    memset(&ok, 0, sizeof(ok));
    strcpy(ok.id, "m-000042");
    ok.ok = true;
    for (int st = 0; st < PROTO_MATCH_STATUS__COUNT; st++) {
        ok.status = (proto_match_status)st;
        roundtrip(&review_item_codec, &ok);
    }
    memset(&bad, 0, sizeof(bad));
    strcpy(bad.id, "m-000043");
    proto_error_set(&bad.error, PROTO_E_CAPACITY_FULL, NULL, "coach %s has no free seat", "coach.budi-01");
    roundtrip(&review_item_codec, &bad);
    static const edit ok_edits[] = {
        { "status", OP_STR, 0, "lost", 0, "results[0].status", "must be one of" },
        { "", OP_DEL, 0, "status", 0, "results[0].status", "status or error is required" },
        { "", OP_DEL, 0, "id", 0, "results[0].id", "is required" },
        { "id", OP_STR, 0, "", 0, "results[0].id", "1..64 bytes" },
    };
    run_edits(&review_item_codec, &ok, ok_edits, sizeof(ok_edits) / sizeof(*ok_edits));
    static const edit bad_edits[] = {
        { "error.code", OP_STR, 0, "oops", 0, "results[0].error.code", "unknown error code" },
        { "error", OP_DEL, 0, "message", 0, "results[0].error.message", "is required" },
        { "", OP_RENAME, 0, "error", "status", "results[0].status", "must be one of" },
        { "error", OP_NIL, 0, 0, 0, "results[0].status", "status or error is required" },
    };
    run_edits(&review_item_codec, &bad, bad_edits, sizeof(bad_edits) / sizeof(*bad_edits));
    /* both status and error */
    tdoc d;
    proto_error err;
    proto_review_item got;
    tdoc_init(&d);
    msgpack_pack_map(&d.pk, 3);
    proto_pack_cstr(&d.pk, "id");
    proto_pack_cstr(&d.pk, "m-1");
    proto_pack_cstr(&d.pk, "status");
    proto_pack_cstr(&d.pk, "approved");
    proto_pack_cstr(&d.pk, "error");
    proto_error_pack(&d.pk, &bad.error);
    assert_int_equal(proto_review_item_decode(tdoc_unpack(&d), "results[0]", &got, &err), PROTO_ERR);
    assert_string_equal(err.field, "results[0].status");
    assert_string_equal(err.message, "not allowed with error");
    tdoc_free(&d);
}

static void meeting_roundtrip_and_validation(void **state) {
    (void)state;
    proto_meeting m;
    memset(&m, 0, sizeof(m));
    strcpy(m.meeting_id, "mt17");
    m.confirmed = true;
    m.minutes = 60;
    m.jp = proto_jp(60); /* 1.3 */
    m.year = 2026;
    m.minutes_total = 100;
    m.jp_total = proto_jp(100); /* 2.2 */
    m.jp_target = 20;
    roundtrip(&meeting_codec, &m);
    static const edit edits[] = {
        { "jp_total", OP_INT, 2, 0, 0, "result.jp_total", "must be minutes_total / 45 to one decimal" },
        { "minutes_total", OP_INT, 103, 0, 0, "result.jp_total", "must be minutes_total / 45 to one decimal" },
        { "minutes_total", OP_INT, 101, 0, 0, NULL, NULL }, /* 2.244: 2.2 */
        { "minutes_total", OP_INT, 59, 0, 0, "result.minutes_total", "must be at least the meeting's minutes" },
        { "minutes_total", OP_INT, -45, 0, 0, "result.minutes_total", "0..9007199254740992" },
        { "minutes", OP_INT, 61, 0, 0, "result.jp", "must be minutes / 45 to one decimal" }, /* 1.36: 1.4 */
        { "minutes", OP_INT, 601, 0, 0, "result.minutes", "1..600" },
        { "jp", OP_STR, 0, "1.3", 0, "result.jp", "number" },
        { "year", OP_INT, 1999, 0, 0, "result.year", "2000..2100" },
        { "confirmed", OP_INT, 1, 0, 0, "result.confirmed", "must be true or false" },
        { "meeting_id", OP_STR, 0, "mt 1", 0, "result.meeting_id", "[A-Za-z0-9._-]" },
        { "", OP_DEL, 0, "meeting_id", 0, "result.meeting_id", "is required" },
        { "", OP_DEL, 0, "confirmed", 0, "result.confirmed", "is required" },
        { "", OP_DEL, 0, "jp_total", 0, "result.jp_total", "is required" },
        { "", OP_DEL, 0, "jp_target", 0, "result.jp_target", "is required" },
        { "jp_target", OP_INT, 1001, 0, 0, "result.jp_target", "0..1000" },
    };
    run_edits(&meeting_codec, &m, edits, sizeof(edits) / sizeof(*edits));
}

/* JP as reported: minutes / 45 to one decimal, halves up, the same double
 * as a literal with one decimal (so "%.1f" and other languages agree). */
static void jp_is_rounded_to_tenths(void **state) {
    (void)state;
    static const struct {
        int64_t minutes;
        double jp;
    } cases[] = { { 0, 0.0 },  { 2, 0.0 },  { 3, 0.1 },   { 22, 0.5 },   { 30, 0.7 },    { 44, 1.0 },     { 45, 1.0 },
                  { 60, 1.3 }, { 90, 2.0 }, { 100, 2.2 }, { 600, 13.3 }, { 1500, 33.3 }, { 12000, 266.7 } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        if (proto_jp(cases[i].minutes) != cases[i].jp)
            fail_msg("proto_jp(%lld) = %.17g, not %.1f", (long long)cases[i].minutes, proto_jp(cases[i].minutes),
                     cases[i].jp);
}

static void run_progress_roundtrip_and_validation(void **state) {
    (void)state;
    proto_run_progress p;
    memset(&p, 0, sizeof(p));
    strcpy(p.run_id, "r-000007");
    p.done = 120;
    p.total = 300;
    for (int ph = 0; ph < PROTO_PHASE__COUNT; ph++) {
        p.phase = (proto_run_phase)ph;
        roundtrip(&run_progress_codec, &p);
    }
    static const edit edits[] = {
        { "phase", OP_STR, 0, "warp", 0, "progress.phase", "must be one of" },
        { "done", OP_INT, -1, 0, 0, "progress.done", "0..9007199254740992" },
        { "total", OP_STR, 0, "300", 0, "progress.total", "0..9007199254740992" },
        { "", OP_DEL, 0, "run_id", 0, "progress.run_id", "is required" },
        { "", OP_RENAME, 0, "total", "of", "progress.of", "unknown key" },
    };
    run_edits(&run_progress_codec, &p, edits, sizeof(edits) / sizeof(*edits));
}

static void run_done_roundtrip_and_validation(void **state) {
    (void)state;
    proto_run_done d;
    memset(&d, 0, sizeof(d));
    strcpy(d.run_id, "r-000007");
    test_sample_stats(&d.stats);
    for (int st = 0; st < PROTO_RUN_STATUS__COUNT; st++) {
        d.status = (proto_run_status)st;
        roundtrip(&run_done_codec, &d);
    }
    static const edit edits[] = {
        { "status", OP_STR, 0, "ok", 0, "done.status", "must be one of" },
        { "stats.matched", OP_INT, 5000, 0, 0, "done.stats.matched", "must not exceed" },
        { "", OP_DEL, 0, "stats", 0, "done.stats", "is required" },
        { "stats", OP_NIL, 0, 0, 0, "done.stats", "is required" },
        { "stats", OP_INT, 1, 0, 0, "done.stats", "must be a map" },
        { "run_id", OP_STR, 0, "r/7", 0, "done.run_id", "[A-Za-z0-9._-]" },
    };
    run_edits(&run_done_codec, &d, edits, sizeof(edits) / sizeof(*edits));
}

/* A run record; its policy is the map {"objective": "quality"} in pol. */
static void sample_run(proto_run *r, msgpack_object_kv *kv) {
    memset(r, 0, sizeof(*r));
    strcpy(r->id, "r12");
    strcpy(r->program, "coach2026");
    strcpy(r->by, "coord.1@x");
    r->status = PROTO_RUN_STATE_DONE;
    r->draft = true;
    r->has_published_at = r->has_finished_at = r->has_stats = true;
    r->started_at = 1796000001;
    r->finished_at = 1796000011;
    r->published_at = 1796000020;
    test_sample_stats(&r->stats);
    kv->key = (msgpack_object){ .type = MSGPACK_OBJECT_STR, .via.str = { 9, "objective" } };
    kv->val = (msgpack_object){ .type = MSGPACK_OBJECT_STR, .via.str = { 7, "quality" } };
    r->policy = (msgpack_object){ .type = MSGPACK_OBJECT_MAP, .via.map = { 1, kv } };
}

/* Pack, decode and compare: the policy by content (it points into the
 * decoded buffer), the rest byte for byte. */
static void run_roundtrip(const proto_run *r) {
    tdoc d;
    proto_error err;
    proto_run got;
    tdoc_init(&d);
    proto_run_pack(&d.pk, r);
    if (proto_run_decode(tdoc_unpack(&d), "run", &got, &err) != PROTO_OK)
        fail_msg("run: %s: %s", err.field, err.message);
    assert_true(msgpack_object_equal(got.policy, r->policy));
    got.policy = r->policy;
    assert_memory_equal(&got, r, sizeof(got));
    tdoc_free(&d);
}

static void run_roundtrip_and_validation(void **state) {
    (void)state;
    proto_run r;
    msgpack_object_kv kv;
    sample_run(&r, &kv);
    for (int st = 0; st < PROTO_RUN_STATE__COUNT; st++) {
        r.status = (proto_run_state)st;
        run_roundtrip(&r);
    }
    r.has_published_at = r.has_finished_at = r.has_stats = r.draft = false; /* running, not a draft */
    r.published_at = r.finished_at = 0;
    memset(&r.stats, 0, sizeof(r.stats));
    run_roundtrip(&r);
    sample_run(&r, &kv);
    static const edit edits[] = {
        { "status", OP_STR, 0, "ok", 0, "run.status", "must be one of" },
        { "", OP_DEL, 0, "policy", 0, "run.policy", "must be a map" },
        { "policy", OP_INT, 1, 0, 0, "run.policy", "must be a map" },
        { "", OP_DEL, 0, "draft", 0, "run.draft", "is required" },
        { "", OP_DEL, 0, "by", 0, "run.by", "is required" },
        { "", OP_DEL, 0, "started_at", 0, "run.started_at", "is required" },
        { "", OP_DEL, 0, "stats", 0, NULL, NULL },
        { "", OP_DEL, 0, "finished_at", 0, NULL, NULL },
        { "", OP_DEL, 0, "published_at", 0, NULL, NULL },
        { "finished_at", OP_INT, -1, 0, 0, "run.finished_at", "0..9007199254740992" },
        { "stats.matched", OP_INT, 5000, 0, 0, "run.stats.matched", "must not exceed" },
        { "id", OP_STR, 0, "r/7", 0, "run.id", "[A-Za-z0-9._-]" },
        { "", OP_RENAME, 0, "by", "who", "run.who", "unknown key" },
    };
    run_edits(&run_codec, &r, edits, sizeof(edits) / sizeof(*edits));
}

static void unmatched_item_roundtrip_and_validation(void **state) {
    (void)state;
    proto_unmatched_item u;
    memset(&u, 0, sizeof(u));
    strcpy(u.mentee_id, "198503152010011001");
    strcpy(u.name, "Sari Wulandari");
    for (int k = 0; k < PROTO_UNMATCHED__COUNT; k++) {
        u.reason = (proto_unmatched)k;
        roundtrip(&unmatched_item_codec, &u);
    }
    memset(u.name, 0, sizeof(u.name)); /* the mentee is gone */
    roundtrip(&unmatched_item_codec, &u);
    strcpy(u.name, "Sari");
    static const edit edits[] = {
        { "reason", OP_STR, 0, "lazy", 0, "items[0].reason", "must be one of" },
        { "", OP_DEL, 0, "reason", 0, "items[0].reason", "is required" },
        { "", OP_DEL, 0, "name", 0, "items[0].name", "is required" },
        { "name", OP_STR, 0, "a\nb", 0, "items[0].name", "" },
        { "mentee_id", OP_STR, 0, "", 0, "items[0].mentee_id", "" },
        { "", OP_RENAME, 0, "name", "nama", "items[0].nama", "unknown key" },
    };
    run_edits(&unmatched_item_codec, &u, edits, sizeof(edits) / sizeof(*edits));
}

static void sample_program_stats(proto_program_stats *s) {
    memset(s, 0, sizeof(*s));
    strcpy(s->program, "coach2026");
    s->mentees = 12;
    s->coaches = 4;
    s->capacity = 9;
    s->load = 6;
    s->utilisation = 6.0 / 9.0;
    s->coverage = 0.5;
    s->matches[PROTO_MATCH_PROPOSED] = 5;
    s->matches[PROTO_MATCH_ACTIVE] = 1;
    s->unmatched[PROTO_UNMATCHED_CAPACITY] = 3;
    strcpy(s->last_run_id, "r-000007");
    s->jp_minutes = 100;
    s->jp_total = proto_jp(100); /* 2.2 */
    s->feedback_count = 2;
    s->feedback_mean_rating = 4.5;
    s->by = -1;
}

static void program_stats_roundtrip_and_validation(void **state) {
    (void)state;
    proto_program_stats s;
    sample_program_stats(&s);
    roundtrip(&program_stats_codec, &s);
    memset(s.last_run_id, 0, sizeof(s.last_run_id)); /* nil: no run yet */
    memset(s.matches, 0, sizeof(s.matches));
    roundtrip(&program_stats_codec, &s);
    sample_program_stats(&s);
    static const edit edits[] = {
        { "matches", OP_RENAME, 0, "active", "lost", "stats.matches.lost", "unknown key" },
        { "matches.proposed", OP_INT, -1, 0, 0, "stats.matches.proposed", "0..9007199254740992" },
        { "unmatched", OP_RENAME, 0, "capacity", "full", "stats.unmatched.full", "unknown key" },
        { "unmatched.capacity", OP_INT, 1LL << 32, 0, 0, "stats.unmatched.capacity", "0..4294967295" },
        { "jp_total", OP_INT, 2, 0, 0, "stats.jp_total", "must be jp_minutes / 45 to one decimal" },
        { "feedback.mean_rating", OP_INT, 6, 0, 0, "stats.feedback.mean_rating", "0..5" },
        { "feedback", OP_DEL, 0, "count", 0, "stats.feedback.count", "is required" },
        { "utilisation", OP_INT, -1, 0, 0, "stats.utilisation", "must be a number" },
        { "coverage", OP_INT, 2, 0, 0, NULL, NULL }, /* mentees left */
        { "", OP_DEL, 0, "last_run_id", 0, "stats.last_run_id", "is required" },
        { "last_run_id", OP_NIL, 0, 0, 0, NULL, NULL },
        { "last_run_id", OP_STR, 0, "", 0, "stats.last_run_id", "1..64 bytes" },
        { "program", OP_STR, 0, "co ach", 0, "stats.program", "[A-Za-z0-9._-]" },
        { "mentees", OP_INT, -1, 0, 0, "stats.mentees", "0..9007199254740992" },
        { "", OP_DEL, 0, "matches", 0, "stats.matches", "is required" },
        { "", OP_DEL, 0, "load", 0, "stats.load", "is required" },
    };
    run_edits(&program_stats_codec, &s, edits, sizeof(edits) / sizeof(*edits));
}

/* stats.get {by}: the breakdown packed from the caller's rows; the decoder
 * checks each row, keeps by and n_rows, and proto_stats_rows() finds them. */
static void program_stats_breakdown(void **state) {
    (void)state;
    proto_program_stats s, got;
    static const proto_stats_row rows[] = { { "31", 10, 6, 3, 9, 6 }, { "32", 2, 0, 1, 2, 0 } };
    sample_program_stats(&s);
    s.by = 0; /* province */
    s.rows = rows;
    s.n_rows = 2;
    tdoc d;
    proto_error err;
    tdoc_init(&d);
    proto_program_stats_pack(&d.pk, &s);
    msgpack_object *o = tdoc_unpack(&d);
    assert_int_equal(proto_program_stats_decode(o, "stats", &got, &err), PROTO_OK);
    assert_int_equal(got.by, 0);
    assert_int_equal(got.n_rows, 2);
    assert_null(got.rows);
    const msgpack_object *a = proto_stats_rows(o);
    assert_non_null(a);
    assert_int_equal(a->via.array.size, 2);
    proto_stats_row r;
    assert_int_equal(proto_stats_row_decode(&a->via.array.ptr[1], "r", &r, &err), PROTO_OK);
    assert_memory_equal(&r, &rows[1], sizeof(r));
    /* the decoded struct packs again with its rows (from rows_obj) */
    tdoc d2;
    proto_program_stats again;
    tdoc_init(&d2);
    proto_program_stats_pack(&d2.pk, &got);
    assert_int_equal(proto_program_stats_decode(tdoc_unpack(&d2), "stats", &again, &err), PROTO_OK);
    assert_int_equal(again.n_rows, 2);
    assert_int_equal(proto_stats_row_decode(&again.rows_obj->via.array.ptr[0], "r", &r, &err), PROTO_OK);
    assert_memory_equal(&r, &rows[0], sizeof(r));
    tdoc_free(&d2);
    tdoc_free(&d);
    static const edit edits[] = {
        { "breakdown.by", OP_STR, 0, "city", 0, "stats.breakdown.by", "one of" },
        { "breakdown", OP_DEL, 0, "rows", 0, "stats.breakdown.rows", "is required" },
        { "breakdown.rows", OP_INT, 3, 0, 0, "stats.breakdown.rows", "array" },
    };
    run_edits(&program_stats_codec, &s, edits, sizeof(edits) / sizeof(*edits));
}

static void server_info_roundtrip_and_validation(void **state) {
    (void)state;
    proto_server_info si;
    memset(&si, 0, sizeof(si));
    strcpy(si.version, "0.1.0");
    si.protocol = PROTO_VERSION;
    si.time = 1796284800;
    roundtrip(&server_info_codec, &si);
    static const edit edits[] = {
        { "version", OP_STR, 0, "", 0, "info.version", "1..32 bytes" },
        { "protocol", OP_INT, 0, 0, 0, "info.protocol", "1..2147483647" },
        { "time", OP_INT, -1, 0, 0, "info.time", "0..9007199254740992" },
        { "", OP_DEL, 0, "time", 0, "info.time", "is required" },
        { "", OP_RENAME, 0, "version", "release", "info.release", "unknown key" },
    };
    run_edits(&server_info_codec, &si, edits, sizeof(edits) / sizeof(*edits));
}

/* The program object of program.get / program.list (DESIGN §9). */
static void program_roundtrip_and_validation(void **state) {
    (void)state;
    proto_program p;
    memset(&p, 0, sizeof(p));
    strcpy(p.id, "PKN2-2026");
    strcpy(p.name, "PKN Tingkat II 2026");
    p.year = 2026;
    p.self_service = true;
    p.jp_target = 20;
    strcpy(p.description, "Angkatan I\nJakarta");
    roundtrip(&program_codec, &p);
    p.self_service = false;
    memset(p.description, 0, sizeof(p.description));
    roundtrip(&program_codec, &p);
    static const edit edits[] = {
        { "id", OP_STR, 0, "a b", 0, "program.id", "[A-Za-z0-9._-]" },
        { "name", OP_STR, 0, "", 0, "program.name", "1..128" },
        { "name", OP_STR, 0, "two\nlines", 0, "program.name", "" },
        { "year", OP_INT, 1999, 0, 0, "program.year", "2000..2100" },
        { "year", OP_INT, 2100, 0, 0, NULL, NULL },
        { "jp_target", OP_INT, 1001, 0, 0, "program.jp_target", "0..1000" },
        { "jp_target", OP_INT, 0, 0, 0, NULL, NULL },
        { "self_service", OP_INT, 1, 0, 0, "program.self_service", "" },
        { "", OP_DEL, 0, "description", 0, "program.description", "is required" },
        { "", OP_RENAME, 0, "name", "title", "program.title", "unknown key" },
    };
    run_edits(&program_codec, &p, edits, sizeof(edits) / sizeof(*edits));
}

/* Bad enums in a struct pack as nil, which the decoders refuse. */
static void results_bad_enums_pack_nil(void **state) {
    (void)state;
    proto_run_progress p;
    memset(&p, 0, sizeof(p));
    strcpy(p.run_id, "r-1");
    p.phase = PROTO_PHASE__COUNT;
    expect_refused(&run_progress_codec, &p, "progress.phase", "is required");
    proto_session s;
    sample_resume(&s);
    s.role = (proto_role)-1;
    expect_refused(&session_codec, &s, "session.role", "is required");
}

/* ---- vocabulary ------------------------------------------------------- */

static void vocab_rules(void **state) {
    (void)state;
    proto_error err;
    assert_int_equal(proto_vocab_check(&tv.v, &err), PROTO_OK);
    assert_int_equal(tv.v.n_provinces, 38);
    assert_true(proto_vocab_has(tv.v.provinces, tv.v.n_provinces, "31"));
    assert_false(proto_vocab_has(tv.v.provinces, tv.v.n_provinces, "30"));
    assert_true(proto_competency_ok(&tv.v, "M.08"));
    assert_false(proto_competency_ok(&tv.v, "M.09"));
    assert_true(proto_competency_ok(&tv.v, "T.anything_1"));
    assert_false(proto_competency_ok(&tv.v, "T.Anything"));
    assert_false(proto_competency_ok(NULL, "bad code"));
    static const char *const unsorted[] = { "b", "a" };
    proto_vocab v = tv.v;
    v.provinces = unsorted;
    v.n_provinces = 2;
    assert_int_equal(proto_vocab_check(&v, &err), PROTO_ERR);
    assert_non_null(strstr(err.message, "provinces"));
    assert_false(proto_vocab_has(NULL, 0, "a"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mentee_roundtrip),
        cmocka_unit_test(mentee_validation),
        cmocka_unit_test(mentee_limits),
        cmocka_unit_test(mentee_without_vocab),
        cmocka_unit_test(coach_roundtrip),
        cmocka_unit_test(coach_validation),
        cmocka_unit_test(coach_bad_kind_packs_nil),
        cmocka_unit_test(coach_duplicate_program),
        cmocka_unit_test(policy_defaults_and_roundtrip),
        cmocka_unit_test(policy_validation),
        cmocka_unit_test(explain_roundtrip),
        cmocka_unit_test(explain_validation),
        cmocka_unit_test(match_roundtrip),
        cmocka_unit_test(match_validation),
        cmocka_unit_test(match_cards_roundtrip_and_validation),
        cmocka_unit_test(stats_validation),
        cmocka_unit_test(session_roundtrip),
        cmocka_unit_test(session_validation),
        cmocka_unit_test(suggestion_roundtrip_and_validation),
        cmocka_unit_test(review_item_roundtrip_and_validation),
        cmocka_unit_test(meeting_roundtrip_and_validation),
        cmocka_unit_test(jp_is_rounded_to_tenths),
        cmocka_unit_test(run_progress_roundtrip_and_validation),
        cmocka_unit_test(run_done_roundtrip_and_validation),
        cmocka_unit_test(program_stats_roundtrip_and_validation),
        cmocka_unit_test(program_stats_breakdown),
        cmocka_unit_test(server_info_roundtrip_and_validation),
        cmocka_unit_test(program_roundtrip_and_validation),
        cmocka_unit_test(run_roundtrip_and_validation),
        cmocka_unit_test(unmatched_item_roundtrip_and_validation),
        cmocka_unit_test(results_bad_enums_pack_nil),
        cmocka_unit_test(vocab_rules),
    };
    return cmocka_run_group_tests_name("proto_domain", tests, setup, teardown);
}
