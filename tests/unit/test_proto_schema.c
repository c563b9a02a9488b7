/* test_proto_schema.c -- proto_params_read(), the params reader driven by
 * the API schema: every field type, default, presence flag, bound and
 * error path, with full field paths, over a hand-written shape that uses
 * every feature and over generated shapes of real methods.
 *
 * Inputs are written as JSON (jansson) and packed to msgpack, so each case
 * reads as the request a client would send. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "tests/unit/proto_helpers.h"

static test_vocab tv;

/* ---- a shape with every field type -------------------------------- */

typedef struct t_inner {
    int64_t x;
    bool has_tag;
    char tag[8 + 1];
} t_inner;

typedef struct t_params {
    char name[10 + 1]; /* required, line 1..10 */
    bool has_code;
    char code[4 + 1]; /* optional, code 2..4 */
    int64_t count;    /* optional, -5..5, default 3 */
    bool has_ratio;
    double ratio; /* optional, 0..1 */
    bool flag;    /* optional, default true */
    int colour;   /* required enum */
    size_t n_tags;
    char tags[3][5 + 1]; /* optional, 1..3 codes of 1..5 */
    bool has_tags;
    size_t n_nums;
    int64_t nums[4]; /* optional, 0..4 ints 0..9 */
    size_t n_items;
    t_inner items[2]; /* optional, 1..2 objects */
    t_inner inner;    /* optional object */
    bool has_inner;
    proto_mentee profile; /* optional mentee */
    bool has_profile;
    proto_policy policy; /* optional policy */
    bool has_policy;
} t_params;

static const char *const colours[] = { "red", "green", "blue", NULL };
static const char *const inner_keys[] = { "x", "tag", NULL };
static const proto_field inner_fields[] = {
    { .name = "x",
      .type = PROTO_F_INT,
      .required = true,
      .off = offsetof(t_inner, x),
      .has_off = PROTO_NO_HAS,
      .min = 0,
      .max = 100 },
    { .name = "tag",
      .type = PROTO_F_STR,
      .off = offsetof(t_inner, tag),
      .has_off = offsetof(t_inner, has_tag),
      .min = 1,
      .max = 8,
      .cs = PROTO_CS_LOWER },
};
static const proto_shape inner_shape = { inner_fields, 2, inner_keys };

static const proto_field tag_item = { .type = PROTO_F_STR, .min = 1, .max = 5, .cs = PROTO_CS_CODE };
static const proto_field num_item = { .type = PROTO_F_INT, .min = 0, .max = 9 };
static const proto_field obj_item = { .type = PROTO_F_OBJECT, .shape = &inner_shape };

static const char *const t_keys[] = { "name", "code",  "count", "ratio",   "flag",   "colour", "tags",
                                      "nums", "items", "inner", "profile", "policy", NULL };
static const proto_field t_fields[] = {
    { .name = "name",
      .type = PROTO_F_STR,
      .required = true,
      .off = offsetof(t_params, name),
      .has_off = PROTO_NO_HAS,
      .min = 1,
      .max = 10,
      .cs = PROTO_CS_LINE },
    { .name = "code",
      .type = PROTO_F_STR,
      .off = offsetof(t_params, code),
      .has_off = offsetof(t_params, has_code),
      .min = 2,
      .max = 4,
      .cs = PROTO_CS_CODE },
    { .name = "count",
      .type = PROTO_F_INT,
      .off = offsetof(t_params, count),
      .has_off = PROTO_NO_HAS,
      .min = -5,
      .max = 5,
      .dflt = 3 },
    { .name = "ratio",
      .type = PROTO_F_FLOAT,
      .off = offsetof(t_params, ratio),
      .has_off = offsetof(t_params, has_ratio),
      .fmin = 0,
      .fmax = 1 },
    { .name = "flag", .type = PROTO_F_BOOL, .off = offsetof(t_params, flag), .has_off = PROTO_NO_HAS, .dflt = 1 },
    { .name = "colour",
      .type = PROTO_F_ENUM,
      .required = true,
      .off = offsetof(t_params, colour),
      .has_off = PROTO_NO_HAS,
      .names = colours },
    { .name = "tags",
      .type = PROTO_F_ARRAY,
      .off = offsetof(t_params, tags),
      .has_off = offsetof(t_params, has_tags),
      .min = 1,
      .max = 3,
      .item = &tag_item,
      .count_off = offsetof(t_params, n_tags),
      .stride = sizeof(((t_params *)0)->tags[0]) },
    { .name = "nums",
      .type = PROTO_F_ARRAY,
      .off = offsetof(t_params, nums),
      .has_off = PROTO_NO_HAS,
      .min = 0,
      .max = 4,
      .item = &num_item,
      .count_off = offsetof(t_params, n_nums),
      .stride = sizeof(int64_t) },
    { .name = "items",
      .type = PROTO_F_ARRAY,
      .off = offsetof(t_params, items),
      .has_off = PROTO_NO_HAS,
      .min = 1,
      .max = 2,
      .item = &obj_item,
      .count_off = offsetof(t_params, n_items),
      .stride = sizeof(t_inner) },
    { .name = "inner",
      .type = PROTO_F_OBJECT,
      .off = offsetof(t_params, inner),
      .has_off = offsetof(t_params, has_inner),
      .shape = &inner_shape },
    { .name = "profile",
      .type = PROTO_F_CODEC,
      .off = offsetof(t_params, profile),
      .has_off = offsetof(t_params, has_profile),
      .codec = PROTO_CODEC_MENTEE },
    { .name = "policy",
      .type = PROTO_F_CODEC,
      .off = offsetof(t_params, policy),
      .has_off = offsetof(t_params, has_policy),
      .codec = PROTO_CODEC_POLICY },
};
static const proto_shape t_shape = { t_fields, sizeof t_fields / sizeof t_fields[0], t_keys };

/* ---- JSON -> msgpack ---------------------------------------------- */

static void pack_json(msgpack_packer *pk, const json_t *j) {
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *v;
        msgpack_pack_map(pk, json_object_size(j));
        json_object_foreach((json_t *)j, k, v) {
            proto_pack_cstr(pk, k);
            pack_json(pk, v);
        }
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *v;
        msgpack_pack_array(pk, json_array_size(j));
        json_array_foreach(j, i, v) pack_json(pk, v);
        break;
    }
    case JSON_STRING: proto_pack_cstr(pk, json_string_value(j)); break;
    case JSON_INTEGER: msgpack_pack_int64(pk, json_integer_value(j)); break;
    case JSON_REAL: msgpack_pack_double(pk, json_real_value(j)); break;
    case JSON_TRUE: msgpack_pack_true(pk); break;
    case JSON_FALSE: msgpack_pack_false(pk); break;
    case JSON_NULL: msgpack_pack_nil(pk); break;
    }
}

/* Read JSON text `js` with shape into out (zeroed first); returns the
 * reader's result with *err. */
static int read_json(const proto_shape *shape, const char *js, void *out, size_t size, proto_error *err) {
    json_error_t je;
    json_t *j = json_loads(js, JSON_DECODE_ANY, &je);
    if (!j) fail_msg("bad JSON in test: %s: %s", js, je.text);
    tdoc d;
    tdoc_init(&d);
    pack_json(&d.pk, j);
    json_decref(j);
    memset(out, 0, size);
    proto_error_clear(err);
    int rc = proto_params_read(shape, tdoc_unpack(&d), "", &tv.v, out, err);
    tdoc_free(&d);
    return rc;
}

static int read_t(const char *js, t_params *p, proto_error *err) { return read_json(&t_shape, js, p, sizeof *p, err); }

/* The case must fail with invalid_params at `field`, message containing
 * `text`. */
static void expect_fail(const char *js, const char *field, const char *text) {
    t_params p;
    proto_error err;
    if (read_t(js, &p, &err) != PROTO_ERR) fail_msg("accepted: %s", js);
    if (err.code != PROTO_E_INVALID_PARAMS || strcmp(err.field, field) || !strstr(err.message, text))
        fail_msg("%s: got %s field '%s' message '%s'; want field '%s' with '%s'", js, proto_errcode_name(err.code),
                 err.field, err.message, field, text);
}

/* ---- cases -------------------------------------------------------- */

static void minimal_params_take_defaults(void **state) {
    (void)state;
    t_params p;
    proto_error err;
    assert_int_equal(read_t("{\"name\": \"Sari\", \"colour\": \"blue\"}", &p, &err), PROTO_OK);
    assert_string_equal(p.name, "Sari");
    assert_int_equal(p.colour, 2);
    assert_false(p.has_code);
    assert_string_equal(p.code, "");
    assert_int_equal(p.count, 3); /* default */
    assert_true(p.flag);          /* default */
    assert_false(p.has_ratio);
    assert_false(p.has_tags);
    assert_int_equal(p.n_tags, 0);
    assert_int_equal(p.n_nums, 0);
    assert_int_equal(p.n_items, 0);
    assert_false(p.has_inner);
    assert_false(p.has_profile);
    assert_false(p.has_policy);
    proto_policy dflt;
    proto_policy_default(&dflt);
    assert_int_equal(p.policy.min_rank_gap, dflt.min_rank_gap); /* absent: default policy */
    assert_int_equal(p.policy.waitlist_bonus, dflt.waitlist_bonus);
}

static void every_type_is_stored(void **state) {
    (void)state;
    t_params p;
    proto_error err;
    assert_int_equal(read_t("{\"name\": \"A b\", \"code\": \"X.1\", \"count\": -5, \"ratio\": 0.25,"
                            " \"flag\": false, \"colour\": \"red\", \"tags\": [\"a\", \"b-c\", \"d_e\"],"
                            " \"nums\": [0, 9], \"items\": [{\"x\": 1}, {\"x\": 100, \"tag\": \"z\"}],"
                            " \"inner\": {\"x\": 7, \"tag\": \"abc\"},"
                            " \"policy\": {\"objective\": \"quality\", \"min_rank_gap\": -1}}",
                            &p, &err),
                     PROTO_OK);
    assert_string_equal(p.code, "X.1");
    assert_true(p.has_code);
    assert_int_equal(p.count, -5);
    assert_true(p.has_ratio);
    assert_true(p.ratio == 0.25);
    assert_false(p.flag);
    assert_int_equal(p.colour, 0);
    assert_true(p.has_tags);
    assert_int_equal(p.n_tags, 3);
    assert_string_equal(p.tags[1], "b-c");
    assert_int_equal(p.n_nums, 2);
    assert_int_equal(p.nums[1], 9);
    assert_int_equal(p.n_items, 2);
    assert_int_equal(p.items[1].x, 100);
    assert_true(p.items[1].has_tag);
    assert_false(p.items[0].has_tag);
    assert_true(p.has_inner);
    assert_int_equal(p.inner.x, 7);
    assert_string_equal(p.inner.tag, "abc");
    assert_true(p.has_policy);
    assert_int_equal(p.policy.objective, PROTO_OBJ_QUALITY);
    assert_int_equal(p.policy.min_rank_gap, -1);
}

static void nil_counts_as_absent(void **state) {
    (void)state;
    t_params p;
    proto_error err;
    assert_int_equal(read_t("{\"name\": \"n\", \"colour\": \"red\", \"code\": null, \"count\": null,"
                            " \"tags\": null, \"inner\": null, \"policy\": null}",
                            &p, &err),
                     PROTO_OK);
    assert_false(p.has_code);
    assert_int_equal(p.count, 3);
    assert_false(p.has_tags);
    assert_false(p.has_inner);
    assert_false(p.has_policy);
    expect_fail("{\"name\": null, \"colour\": \"red\"}", "name", "required");
}

static void keys_are_checked(void **state) {
    (void)state;
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"colr\": 1}", "colr", "unknown key");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"inner\": {\"x\": 1, \"y\": 2}}", "inner.y", "unknown key");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"items\": [{\"x\": 1}, {\"x\": 2, \"q\": 0}]}", "items[1].q",
                "unknown key");
    expect_fail("[1, 2]", "", "map");

    /* a duplicate key (JSON cannot say it: pack by hand) */
    tdoc d;
    tdoc_init(&d);
    msgpack_pack_map(&d.pk, 3);
    proto_pack_cstr(&d.pk, "name");
    proto_pack_cstr(&d.pk, "a");
    proto_pack_cstr(&d.pk, "colour");
    proto_pack_cstr(&d.pk, "red");
    proto_pack_cstr(&d.pk, "name");
    proto_pack_cstr(&d.pk, "b");
    t_params p;
    proto_error err;
    memset(&p, 0, sizeof p);
    assert_int_equal(proto_params_read(&t_shape, tdoc_unpack(&d), "", &tv.v, &p, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_INVALID_PARAMS);
    assert_string_equal(err.field, "name");
    assert_non_null(strstr(err.message, "duplicate"));
    tdoc_free(&d);
}

static void required_fields(void **state) {
    (void)state;
    expect_fail("{\"colour\": \"red\"}", "name", "required");
    expect_fail("{\"name\": \"n\"}", "colour", "required");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"items\": [{\"tag\": \"a\"}]}", "items[0].x", "required");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"inner\": {}}", "inner.x", "required");
}

static void strings(void **state) {
    (void)state;
    expect_fail("{\"name\": \"\", \"colour\": \"red\"}", "name", "1..10");
    expect_fail("{\"name\": \"12345678901\", \"colour\": \"red\"}", "name", "1..10");
    expect_fail("{\"name\": \"a\\nb\", \"colour\": \"red\"}", "name", ""); /* line: no \n */
    expect_fail("{\"name\": 5, \"colour\": \"red\"}", "name", "string");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"code\": \"x\"}", "code", "2..4");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"code\": \"a b\"}", "code", ""); /* charset */
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"inner\": {\"x\": 1, \"tag\": \"ABC\"}}", "inner.tag", "");
    /* the byte length counts, not characters: 5 x 2-byte e-acute = 10 bytes fits, 11 not */
    t_params p;
    proto_error err;
    assert_int_equal(read_t("{\"name\": \"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\", \"colour\": \"red\"}", &p, &err),
                     PROTO_OK);
    expect_fail("{\"name\": \"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9x\", \"colour\": \"red\"}", "name", "1..10");
}

static void numbers_and_bools(void **state) {
    (void)state;
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"count\": 6}", "count", "-5..5");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"count\": -6}", "count", "-5..5");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"count\": 1.5}", "count", "integer");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"count\": \"1\"}", "count", "integer");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"ratio\": 1.5}", "ratio", "");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"ratio\": true}", "ratio", "");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"flag\": 1}", "flag", "true or false");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"inner\": {\"x\": 101}}", "inner.x", "0..100");
}

static void enums(void **state) {
    (void)state;
    expect_fail("{\"name\": \"n\", \"colour\": \"pink\"}", "colour", "red");
    expect_fail("{\"name\": \"n\", \"colour\": 1}", "colour", "");
}

static void arrays(void **state) {
    (void)state;
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"tags\": []}", "tags", "1..3");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"tags\": [\"a\", \"b\", \"c\", \"d\"]}", "tags", "1..3");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"tags\": \"a\"}", "tags", "array");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"tags\": [\"a\", \"toolong\"]}", "tags[1]", "1..5");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"tags\": [\"a\", 7]}", "tags[1]", "string");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"nums\": [1, 2, 10]}", "nums[2]", "0..9");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"items\": [{\"x\": 1}, {\"x\": 2}, {\"x\": 3}]}", "items",
                "1..2");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"items\": [{\"x\": 1}, 5]}", "items[1]", "map");
    t_params p;
    proto_error err;
    assert_int_equal(read_t("{\"name\": \"n\", \"colour\": \"red\", \"nums\": []}", &p, &err), PROTO_OK);
    assert_int_equal(p.n_nums, 0);
}

/* A codec field reports the codec's own paths under its name. */
static void codec_paths(void **state) {
    (void)state;
    proto_mentee m;
    test_sample_mentee(&m);
    tdoc d;
    tdoc_init(&d);
    msgpack_pack_map(&d.pk, 3);
    proto_pack_cstr(&d.pk, "name");
    proto_pack_cstr(&d.pk, "n");
    proto_pack_cstr(&d.pk, "colour");
    proto_pack_cstr(&d.pk, "red");
    proto_pack_cstr(&d.pk, "profile");
    proto_mentee_pack(&d.pk, &m);
    msgpack_object *o = tdoc_unpack(&d);
    t_params p;
    proto_error err;
    memset(&p, 0, sizeof p);
    assert_int_equal(proto_params_read(&t_shape, o, "", &tv.v, &p, &err), PROTO_OK);
    assert_true(p.has_profile);
    assert_string_equal(p.profile.id, m.id);
    assert_true(m.n_competencies >= 1);
    /* competencies[0].required = 9 */
    tobj_set_int(tobj_at(o, "profile.competencies[0].required"), 9);
    memset(&p, 0, sizeof p);
    assert_int_equal(proto_params_read(&t_shape, o, "", &tv.v, &p, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_INVALID_PARAMS);
    assert_string_equal(err.field, "profile.competencies[0].required");
    tdoc_free(&d);
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"policy\": {\"mode\": \"fast\"}}", "policy.mode", "");
    expect_fail("{\"name\": \"n\", \"colour\": \"red\", \"profile\": 3}", "profile", "");
}

/* The generated shapes of real methods (proto/api.gen.c). */
static void generated_shapes(void **state) {
    (void)state;
    const api_method *m = api_method_find("match.review");
    assert_non_null(m);
    assert_ptr_equal(m, &api_methods[API_M_MATCH_REVIEW]);
    assert_null(api_method_find("match.nope"));
    api_match_review_params rp;
    proto_error err;
    assert_int_equal(
        read_json(m->params, "{\"match_ids\": [\"m1\", \"m22\"], \"decision\": \"reject\"}", &rp, sizeof rp, &err),
        PROTO_OK);
    assert_int_equal(rp.n_match_ids, 2);
    assert_string_equal(rp.match_ids[1], "m22");
    assert_int_equal(rp.decision, API_MATCH_REVIEW_DECISION_REJECT);
    assert_false(rp.has_note);
    assert_int_equal(
        read_json(m->params, "{\"match_ids\": [\"m1\", \"m 2\"], \"decision\": \"reject\"}", &rp, sizeof rp, &err),
        PROTO_ERR);
    assert_string_equal(err.field, "match_ids[1]");
    /* API_REVIEW_MAX + 1 ids */
    char js[4096] = "{\"decision\": \"approve\", \"match_ids\": [";
    for (int i = 0; i <= API_REVIEW_MAX; i++) strcat(js, i ? ", \"m1\"" : "\"m1\"");
    strcat(js, "]}");
    assert_int_equal(read_json(m->params, js, &rp, sizeof rp, &err), PROTO_ERR);
    assert_string_equal(err.field, "match_ids");

    api_mentee_list_params lp;
    assert_int_equal(read_json(api_methods[API_M_MENTEE_LIST].params, "{}", &lp, sizeof lp, &err), PROTO_OK);
    assert_int_equal(lp.limit, API_PROFILE_LIST_DEFAULT);
    assert_int_equal(read_json(api_methods[API_M_MENTEE_LIST].params, "{\"limit\": 501}", &lp, sizeof lp, &err),
                     PROTO_ERR);
    assert_string_equal(err.field, "limit");
    /* every method's shape lists its keys: the key list and the fields agree */
    for (size_t i = 0; i < API_M__COUNT; i++) {
        const proto_shape *s = api_methods[i].params;
        size_t n = 0;
        while (s->keys[n]) n++;
        assert_int_equal(n, s->n_fields);
        for (size_t k = 0; k < n; k++) assert_string_equal(s->keys[k], s->fields[k].name);
        assert_true(api_methods[i].size > 0);
    }
}

static int setup(void **state) {
    (void)state;
    return test_vocab_load(&tv, NULL) == PROTO_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    test_vocab_free(&tv);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal_params_take_defaults),
        cmocka_unit_test(every_type_is_stored),
        cmocka_unit_test(nil_counts_as_absent),
        cmocka_unit_test(keys_are_checked),
        cmocka_unit_test(required_fields),
        cmocka_unit_test(strings),
        cmocka_unit_test(numbers_and_bools),
        cmocka_unit_test(enums),
        cmocka_unit_test(arrays),
        cmocka_unit_test(codec_paths),
        cmocka_unit_test(generated_shapes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
