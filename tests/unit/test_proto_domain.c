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
    const char *at;     /* path of the object to edit (map for DEL/RENAME) */
    op_kind op;
    int64_t i;
    const char *s;      /* OP_STR: new value; DEL/RENAME: key (RENAME to
                           s2) */
    const char *s2;
    const char *field;  /* expected error field, NULL: expect success */
    const char *text;   /* expected substring of the message */
} edit;

static void apply(msgpack_object *root, const edit *e) {
    msgpack_object *o = tobj_at(root, e->at);
    if (o == NULL) fail_msg("no object at %s", e->at);
    switch (e->op) {
    case OP_INT: tobj_set_int(o, e->i); break;
    case OP_STR: tobj_set_str(o, e->s); break;
    case OP_DEL: assert_int_equal(tobj_del_key(o, e->s), 0); break;
    case OP_RENAME: assert_int_equal(tobj_rename_key(o, e->s, e->s2), 0);
        break;
    case OP_NIL: o->type = MSGPACK_OBJECT_NIL; break;
    case OP_VAL: /* set the value of key s (which may hold dots) to i */
        for (uint32_t k = 0; k < o->via.map.size; k++)
            if (o->via.map.ptr[k].key.via.str.size == strlen(e->s) &&
                !memcmp(o->via.map.ptr[k].key.via.str.ptr, e->s,
                        strlen(e->s)))
                tobj_set_int(&o->via.map.ptr[k].val, e->i);
        break;
    }
}

static void check_result(int rc, const proto_error *err, const edit *e) {
    if (e->field == NULL) {
        if (rc != PROTO_OK)
            fail_msg("edit at %s: unexpected error %s: %s", e->at, err->field,
                     err->message);
        return;
    }
    if (rc == PROTO_OK) fail_msg("edit at %s: accepted", e->at);
    assert_int_equal(err->code, PROTO_E_INVALID_PARAMS);
    if (strcmp(err->field, e->field) != 0 || !strstr(err->message, e->text))
        fail_msg("edit at %s: got %s: %s; want %s: %s", e->at, err->field,
                 err->message, e->field, e->text);
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
    assert_int_equal(proto_mentee_decode(tdoc_unpack(&d), "profile", &tv.v,
                                         &got, &err), PROTO_OK);
    assert_memory_equal(&m, &got, sizeof(m));
    tdoc_free(&d);
}

static int decode_mentee_edited(const edit *e, const proto_vocab *v,
                                proto_error *err) {
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
    {"competencies[3].required", OP_INT, 6, 0, 0,
     "profile.competencies[3].required", "must be an integer 1..5"},
    {"competencies[3].required", OP_INT, 0, 0, 0,
     "profile.competencies[3].required", "must be an integer 1..5"},
    {"competencies[0].current", OP_INT, -1, 0, 0,
     "profile.competencies[0].current", "must be an integer 0..5"},
    {"competencies[0].current", OP_INT, 0, 0, 0, NULL, NULL},
    {"competencies[0].current", OP_STR, 0, "2", 0,
     "profile.competencies[0].current", "integer"},
    {"competencies[2]", OP_DEL, 0, "required", 0,
     "profile.competencies[2].required", "is required"},
    {"competencies[2]", OP_RENAME, 0, "required", "requird",
     "profile.competencies[2].requird", "unknown key"},
    /* NIP */
    {"id", OP_STR, 0, "19850315201001100", 0, "profile.id", "18-digit"},
    {"id", OP_STR, 0, "1985031520100110011", 0, "profile.id", "18-digit"},
    {"id", OP_STR, 0, "19850315201001100a", 0, "profile.id", "18-digit"},
    {"id", OP_STR, 0, "1985-03-15-2010-01-", 0, "profile.id", "18-digit"},
    {"id", OP_INT, 198503152010011001, 0, 0, "profile.id", "string"},
    {"id", OP_STR, 0, "198513152010011001", 0, "profile.id", "birth date"},
    {"id", OP_STR, 0, "198502302010011001", 0, "profile.id", "birth date"},
    {"id", OP_STR, 0, "199002292010011001", 0, "profile.id", "birth date"},
    {"id", OP_STR, 0, "199202292014011001", 0, NULL, NULL}, /* leap year */
    {"id", OP_STR, 0, "185003152010011001", 0, "profile.id", "birth date"},
    {"id", OP_STR, 0, "198503002010011001", 0, "profile.id", "birth date"},
    {"id", OP_STR, 0, "198503152010131001", 0, "profile.id", "appointment"},
    {"id", OP_STR, 0, "198503152010001001", 0, "profile.id", "appointment"},
    {"id", OP_STR, 0, "198503151995011001", 0, "profile.id", "years after"},
    {"id", OP_STR, 0, "196503152060011001", 0, "profile.id", "years after"},
    {"", OP_DEL, 0, "id", 0, "profile.id", "is required"},
    /* catalogues */
    {"province", OP_STR, 0, "99", 0, "profile.province",
     "unknown province code"},
    {"province", OP_STR, 0, "9 9", 0, "profile.province", "[A-Za-z0-9._-]"},
    {"province", OP_STR, 0, "94", 0, NULL, NULL},
    {"position_class", OP_STR, 0, "menteri", 0, "profile.position_class",
     "unknown position class"},
    {"position_class", OP_STR, 0, "jpt_utama", 0, NULL, NULL},
    {"competencies[1].code", OP_STR, 0, "X.99", 0,
     "profile.competencies[1].code", "unknown competency code"},
    {"competencies[1].code", OP_STR, 0, "T.BAD", 0,
     "profile.competencies[1].code", "unknown competency code"},
    {"competencies[1].code", OP_STR, 0, "T.", 0,
     "profile.competencies[1].code", "unknown competency code"},
    {"competencies[1].code", OP_STR, 0, "T.air_bersih", 0, NULL, NULL},
    {"competencies[1].code", OP_STR, 0, "SK.1", 0, NULL, NULL},
    {"competencies[1].code", OP_STR, 0, "M.01", 0,
     "profile.competencies[1].code", "duplicate competency code"},
    {"competencies[3].code", OP_STR, 0, "M.08", 0,
     "profile.competencies[3].code", "duplicate competency code"},
    /* modality, languages, availability */
    {"modality[0]", OP_STR, 0, "video", 0, "profile.modality[0]",
     "must be one of: online, offline"},
    {"modality[1]", OP_STR, 0, "online", 0, "profile.modality[1]",
     "duplicate value"},
    {"modality", OP_STR, 0, "online", 0, "profile.modality", "array of 1..2"},
    {"languages[1]", OP_STR, 0, "id", 0, "profile.languages[1]",
     "duplicate language"},
    {"languages[0]", OP_STR, 0, "ID", 0, "profile.languages[0]", "[a-z]"},
    {"languages[0]", OP_STR, 0, "i", 0, "profile.languages[0]", "2..8"},
    {"availability", OP_INT, 1 << 21, 0, 0, "profile.availability",
     "0..2097151"},
    {"availability", OP_INT, -1, 0, 0, "profile.availability", "0..2097151"},
    {"availability", OP_INT, (1 << 21) - 1, 0, 0, NULL, NULL},
    {"", OP_DEL, 0, "availability", 0, NULL, NULL},
    /* strings */
    {"name", OP_STR, 0, "Bad \xc3\x28 UTF-8", 0, "profile.name", "UTF-8"},
    {"name", OP_STR, 0, "", 0, "profile.name", "1..128 bytes"},
    {"name", OP_STR, 0, "two\nlines", 0, "profile.name", "control"},
    {"name", OP_STR, 0, long_name, 0, "profile.name", "1..128 bytes"},
    {"goals", OP_STR, 0, long_goals, 0, "profile.goals", "0..1000 bytes"},
    {"goals", OP_STR, 0, max_goals, 0, NULL, NULL},
    {"goals", OP_NIL, 0, 0, 0, NULL, NULL},
    {"", OP_DEL, 0, "goals", 0, NULL, NULL},
    {"agency", OP_STR, 0, "kemen keu", 0, "profile.agency", "[A-Za-z0-9._-]"},
    {"program", OP_INT, 1, 0, 0, "profile.program", "string"},
    /* keys */
    {"", OP_RENAME, 0, "name", "nmae", "profile.nmae", "unknown key"},
    {"", OP_RENAME, 0, "goals", "name", "profile.name", "duplicate key"},
    {"", OP_DEL, 0, "province", 0, "profile.province", "is required"},
    {"", OP_DEL, 0, "competencies", 0, "profile.competencies",
     "is required"},
};

static void mentee_validation(void **state) {
    (void)state;
    memset(long_goals, 'g', sizeof(long_goals) - 1);
    memset(max_goals, 'g', sizeof(max_goals) - 1);
    memset(long_name, 'n', sizeof(long_name) - 1);
    for (size_t i = 0; i < sizeof(mentee_edits) / sizeof(*mentee_edits);
         i++) {
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
        snprintf(m.competencies[i].code, sizeof(m.competencies[i].code),
                 "T.s%d", i);
        m.competencies[i].current = 0;
        m.competencies[i].required = 5;
    }
    tdoc_init(&d);
    proto_mentee_pack(&d.pk, &m);
    assert_int_equal(proto_mentee_decode(tdoc_unpack(&d), "", &tv.v, &got,
                                         &err), PROTO_OK);
    assert_memory_equal(&m, &got, sizeof(m));
    tdoc_free(&d);
    /* 33 competencies: graft an array of 33 onto the packed profile */
    tdoc big;
    tdoc_init(&big);
    msgpack_pack_array(&big.pk, PROTO_COMPETENCIES_MAX + 1);
    for (int i = 0; i <= PROTO_COMPETENCIES_MAX; i++)
        msgpack_pack_map(&big.pk, 0);
    tdoc_init(&d);
    proto_mentee_pack(&d.pk, &m);
    msgpack_object *o = tdoc_unpack(&d);
    *tobj_at(o, "competencies") = *tdoc_unpack(&big);
    assert_int_equal(proto_mentee_decode(o, "profile", &tv.v, &got, &err),
                     PROTO_ERR);
    assert_string_equal(err.field, "profile.competencies");
    assert_string_equal(err.message, "must be an array of 0..32 elements");
    tdoc_free(&d);
    tdoc_free(&big);
}

/* Without a vocabulary only formats are checked. */
static void mentee_without_vocab(void **state) {
    (void)state;
    static const edit ok[] = {
        {"province", OP_STR, 0, "99", 0, NULL, NULL},
        {"position_class", OP_STR, 0, "menteri", 0, NULL, NULL},
        {"competencies[1].code", OP_STR, 0, "X.99", 0, NULL, NULL},
        {"competencies[1].code", OP_STR, 0, "T.BAD", 0,
         "profile.competencies[1].code", "unknown competency code"},
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
        c.n_programs = (size_t)k % 2;
        if (c.n_programs == 0) memset(c.programs, 0, sizeof(c.programs));
        else strcpy(c.programs[0], "coach2026");
        tdoc_init(&d);
        proto_coach_pack(&d.pk, &c);
        assert_int_equal(proto_coach_decode(tdoc_unpack(&d), "profile", &tv.v,
                                            &got, &err), PROTO_OK);
        assert_memory_equal(&c, &got, sizeof(c));
        tdoc_free(&d);
    }
}

static char long_bio[PROTO_BIO_MAX + 2];
static char long_id[PROTO_ID_MAX + 2];

static const edit coach_edits[] = {
    {"id", OP_STR, 0, "budi santoso", 0, "profile.id", "[A-Za-z0-9._-]"},
    {"id", OP_STR, 0, long_id, 0, "profile.id", "1..40 bytes"},
    {"id", OP_STR, 0, "198503152010011001", 0, NULL, NULL},
    {"kind", OP_STR, 0, "minister", 0, "profile.kind",
     "pkn1_alumni, pkn2_alumni, corporate_leader, widyaiswara, "
     "senior_official"},
    {"rank", OP_INT, 0, 0, 0, "profile.rank", "must be an integer 1..6"},
    {"rank", OP_INT, 7, 0, 0, "profile.rank", "must be an integer 1..6"},
    {"capacity", OP_INT, 51, 0, 0, "profile.capacity", "0..50"},
    {"capacity", OP_INT, 0, 0, 0, NULL, NULL},
    {"competencies[0].level", OP_INT, 0, 0, 0,
     "profile.competencies[0].level", "1..5"},
    {"competencies[0].level", OP_INT, 6, 0, 0,
     "profile.competencies[0].level", "1..5"},
    {"competencies[2].code", OP_STR, 0, "M.03", 0,
     "profile.competencies[2].code", "duplicate competency code"},
    {"competencies[1]", OP_RENAME, 0, "level", "current",
     "profile.competencies[1].current", "unknown key"},
    {"province", OP_STR, 0, "10", 0, "profile.province",
     "unknown province code"},
    {"programs[0]", OP_STR, 0, "a b", 0, "profile.programs[0]",
     "[A-Za-z0-9._-]"},
    {"", OP_DEL, 0, "programs", 0, NULL, NULL},
    {"", OP_DEL, 0, "bio", 0, NULL, NULL},
    {"bio", OP_STR, 0, long_bio, 0, "profile.bio", "0..2000 bytes"},
    {"organization", OP_STR, 0, "", 0, "profile.organization", "1..128"},
    {"modality", OP_NIL, 0, 0, 0, "profile.modality", "is required"},
    {"", OP_RENAME, 0, "bio", "agency", "profile.agency", "unknown key"},
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
    assert_int_equal(proto_coach_decode(o, "p", &tv.v, &got, &err),
                     PROTO_ERR);
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
    assert_int_equal(proto_coach_decode(tdoc_unpack(&d), "p", &tv.v, &got,
                                        &err), PROTO_ERR);
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
    assert_int_equal(proto_policy_decode(tdoc_unpack(&d), "policy", &tv.v,
                                         &got, &err), PROTO_OK);
    proto_policy_default(&def);
    assert_memory_equal(&got, &def, sizeof(def));
    assert_int_equal(got.objective, PROTO_OBJ_PARTICIPATION);
    assert_int_equal(got.mode, PROTO_MODE_OPTIMAL);
    assert_true(got.forbid_same_agency);
    assert_int_equal(got.min_rank_gap, 1);
    assert_int_equal(got.waitlist_bonus, 500);
    assert_true(got.w_gap == 0.75 && got.w_location == 0.15 &&
                got.w_availability == 0.10);
    tdoc_free(&d);
    test_sample_policy(&p);
    tdoc_init(&d);
    proto_policy_pack(&d.pk, &p);
    assert_int_equal(proto_policy_decode(tdoc_unpack(&d), "policy", &tv.v,
                                         &got, &err), PROTO_OK);
    assert_memory_equal(&got, &p, sizeof(p));
    tdoc_free(&d);
}

static const edit policy_edits[] = {
    {"objective", OP_STR, 0, "speed", 0, "policy.objective",
     "participation, quality"},
    {"mode", OP_STR, 0, "greedy", 0, "policy.mode", "optimal, stable"},
    {"min_score", OP_INT, 10001, 0, 0, "policy.min_score", "0..10000"},
    {"min_rank_gap", OP_INT, 6, 0, 0, "policy.min_rank_gap", "-5..5"},
    {"min_rank_gap", OP_INT, -5, 0, 0, NULL, NULL},
    {"waitlist_bonus", OP_INT, -1, 0, 0, "policy.waitlist_bonus",
     "0..10000"},
    {"forbid_same_agency", OP_INT, 1, 0, 0, "policy.forbid_same_agency",
     "true or false"},
    {"weights.gap", OP_INT, 101, 0, 0, "policy.weights.gap", "0..100"},
    {"weights", OP_RENAME, 0, "gap", "gaps", "policy.weights.gaps",
     "unknown key"},
    {"weights", OP_DEL, 0, "gap", 0, NULL, NULL},
    {"competency_weights", OP_VAL, 101, "M.03", 0,
     "policy.competency_weights.M.03", "0..100"},
    {"competency_weights", OP_RENAME, 0, "M.03", "X.1",
     "policy.competency_weights.X.1", "unknown competency code"},
    {"competency_weights", OP_RENAME, 0, "M.03", "T.digital",
     "policy.competency_weights.T.digital", "duplicate key"},
    {"", OP_RENAME, 0, "mode", "modus", "policy.modus", "unknown key"},
};

static void policy_validation(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(policy_edits) / sizeof(*policy_edits);
         i++) {
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
    assert_int_equal(proto_policy_decode(tdoc_unpack(&d), "policy", &tv.v,
                                         &got, &err), PROTO_ERR);
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
        assert_int_equal(proto_explain_decode(tdoc_unpack(&d), "explain",
                                              &got, &err), PROTO_OK);
        assert_memory_equal(&got, &e, sizeof(e));
        tdoc_free(&d);
    }
}

static const edit explain_edits[] = {
    {"score", OP_INT, 10001, 0, 0, "explain.score", "0..10000"},
    {"gap_coverage", OP_INT, 2, 0, 0, "explain.gap_coverage", "0..1"},
    {"competencies[0].covered", OP_INT, 4, 0, 0,
     "explain.competencies[0].covered", "0..3"},
    {"competencies[1].coach_level", OP_INT, 6, 0, 0,
     "explain.competencies[1].coach_level", "0..5"},
    {"competencies[1].code", OP_STR, 0, "T.X", 0,
     "explain.competencies[1].code", "malformed competency code"},
    {"", OP_DEL, 0, "feasible", 0, "explain.feasible", "is required"},
};

static void explain_validation(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(explain_edits) / sizeof(*explain_edits);
         i++) {
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
    assert_int_equal(proto_explain_decode(o, "explain", &got, &err),
                     PROTO_ERR);
    assert_string_equal(err.field, "explain.reason");
    assert_string_equal(err.message, "only allowed when feasible is false");
    tdoc_free(&d);
    /* infeasible without a reason */
    e.feasible = false;
    tdoc_init(&d);
    proto_explain_pack(&d.pk, &e);
    assert_int_equal(proto_explain_decode(tdoc_unpack(&d), "explain", &got,
                                          &err), PROTO_ERR);
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
        if (!m.has_explain) memset(&m.explain, 0, sizeof(m.explain));
        else test_sample_explain(&m.explain);
        if (s == 1) memset(m.run_id, 0, sizeof(m.run_id));
        else strcpy(m.run_id, "run-7");
        tdoc_init(&d);
        proto_match_pack(&d.pk, &m);
        assert_int_equal(proto_match_decode(tdoc_unpack(&d), "match", &got,
                                            &err), PROTO_OK);
        assert_memory_equal(&got, &m, sizeof(m));
        tdoc_free(&d);
    }
}

static const edit match_edits[] = {
    {"status", OP_STR, 0, "lost", 0, "match.status", "proposed"},
    {"mentee_id", OP_STR, 0, "123", 0, "match.mentee_id", "18-digit"},
    {"coach_id", OP_STR, 0, "a/b", 0, "match.coach_id", "[A-Za-z0-9._-]"},
    {"explain.score", OP_INT, -1, 0, 0, "match.explain.score", "0..10000"},
    {"created_at", OP_INT, -1, 0, 0, "match.created_at", "0..9007199254740992"},
    {"", OP_DEL, 0, "run_id", 0, NULL, NULL},
    {"", OP_DEL, 0, "explain", 0, NULL, NULL},
    {"", OP_DEL, 0, "updated_at", 0, "match.updated_at", "is required"},
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

static const edit stats_edits[] = {
    {"matched", OP_INT, 1201, 0, 0, "stats.matched", "must not exceed"},
    {"mean_gap_coverage", OP_INT, 2, 0, 0, "stats.mean_gap_coverage", "0..1"},
    {"unmatched", OP_RENAME, 0, "capacity", "full", "stats.unmatched.full",
     "unknown key"},
    {"unmatched", OP_DEL, 0, "capacity", 0, NULL, NULL},
    {"mentees", OP_INT, 1LL << 32, 0, 0, "stats.mentees", "0..4294967295"},
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
    static const char *const unsorted[] = {"b", "a"};
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
        cmocka_unit_test(stats_validation),
        cmocka_unit_test(vocab_rules),
    };
    return cmocka_run_group_tests_name("proto_domain", tests, setup,
                                       teardown);
}
