/* test_proto_params.c -- typed param readers, UTF-8, paths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "tests/unit/proto_helpers.h"

static const char *const keys[] = { "s", "i", "b", "f", "e", "a", "m", "n", NULL };
static const char *const inner_keys[] = { "x", "list", NULL };
static const char *const colours[] = { "red", "green", "blue", NULL };

/* {s:"héllo", i:-7, b:true, f:0.5, e:"green", a:["ab","cd"], m:{x:3,
 *  list:[{x:1},{x:9}]}, n:nil} */
static msgpack_object *sample(tdoc *d) {
    msgpack_packer *pk = &d->pk;
    tdoc_init(d);
    msgpack_pack_map(pk, 8);
    proto_pack_cstr(pk, "s");
    proto_pack_cstr(pk, "h\xc3\xa9llo");
    proto_pack_cstr(pk, "i");
    msgpack_pack_int64(pk, -7);
    proto_pack_cstr(pk, "b");
    msgpack_pack_true(pk);
    proto_pack_cstr(pk, "f");
    msgpack_pack_double(pk, 0.5);
    proto_pack_cstr(pk, "e");
    proto_pack_cstr(pk, "green");
    proto_pack_cstr(pk, "a");
    msgpack_pack_array(pk, 2);
    proto_pack_cstr(pk, "ab");
    proto_pack_cstr(pk, "cd");
    proto_pack_cstr(pk, "m");
    msgpack_pack_map(pk, 2);
    proto_pack_cstr(pk, "x");
    msgpack_pack_uint8(pk, 3);
    proto_pack_cstr(pk, "list");
    msgpack_pack_array(pk, 2);
    msgpack_pack_map(pk, 1);
    proto_pack_cstr(pk, "x");
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_map(pk, 1);
    proto_pack_cstr(pk, "x");
    msgpack_pack_uint8(pk, 9);
    proto_pack_cstr(pk, "n");
    msgpack_pack_nil(pk);
    msgpack_object *o = tdoc_unpack(d);
    assert_non_null(o);
    return o;
}

static void expect_err(const proto_error *e, const char *field, const char *text) {
    assert_int_equal(e->code, PROTO_E_INVALID_PARAMS);
    assert_string_equal(e->field, field);
    if (text && !strstr(e->message, text)) fail_msg("message: %s", e->message);
}

static void readers_happy(void **state) {
    (void)state;
    tdoc d;
    proto_map m, in, el;
    proto_array a, list;
    proto_error err;
    char s[16];
    int64_t i;
    bool b;
    double f;
    int e;
    msgpack_object *o = sample(&d);
    assert_int_equal(proto_map_open(&m, o, "p", keys, &err), PROTO_OK);
    assert_int_equal(proto_read_str(&m, "s", PROTO_REQUIRED, 1, 10, PROTO_CS_LINE, s, sizeof(s), &err), 1);
    assert_string_equal(s, "h\xc3\xa9llo");
    assert_int_equal(proto_read_int(&m, "i", PROTO_REQUIRED, -10, 10, &i, &err), 1);
    assert_int_equal(i, -7);
    assert_int_equal(proto_read_bool(&m, "b", PROTO_REQUIRED, &b, &err), 1);
    assert_true(b);
    assert_int_equal(proto_read_float(&m, "f", PROTO_REQUIRED, 0, 1, &f, &err), 1);
    assert_true(f == 0.5);
    /* an integer is a number too */
    assert_int_equal(proto_read_float(&m, "i", PROTO_REQUIRED, -10, 0, &f, &err), 1);
    assert_true(f == -7.0);
    assert_int_equal(proto_read_enum(&m, "e", PROTO_REQUIRED, colours, &e, &err), 1);
    assert_int_equal(e, 1);
    assert_int_equal(proto_read_array(&m, "a", PROTO_REQUIRED, 1, 2, &a, &err), 1);
    assert_int_equal(proto_elem_str(&a, 1, 2, 2, PROTO_CS_LOWER, s, sizeof(s), &err), PROTO_OK);
    assert_string_equal(s, "cd");
    assert_int_equal(proto_read_map(&m, "m", PROTO_REQUIRED, inner_keys, &in, &err), 1);
    assert_string_equal(in.path, "p.m");
    assert_int_equal(proto_read_array(&in, "list", PROTO_REQUIRED, 0, 5, &list, &err), 1);
    assert_string_equal(list.path, "p.m.list");
    assert_int_equal(proto_elem_map(&list, 1, inner_keys, &el, &err), PROTO_OK);
    assert_string_equal(el.path, "p.m.list[1]");
    assert_int_equal(proto_read_int(&el, "x", PROTO_REQUIRED, 0, 5, &i, &err), PROTO_ERR);
    expect_err(&err, "p.m.list[1].x", "must be an integer 0..5");
    tdoc_free(&d);
}

static void optional_and_required(void **state) {
    (void)state;
    tdoc d;
    proto_map m;
    proto_error err;
    int64_t i = 42;
    char s[8] = "keep";
    msgpack_object *o = sample(&d);
    assert_int_equal(proto_map_open(&m, o, "", keys, &err), PROTO_OK);
    /* nil counts as absent */
    assert_int_equal(proto_read_int(&m, "n", PROTO_OPTIONAL, 0, 1, &i, &err), 0);
    assert_int_equal(i, 42);
    assert_int_equal(proto_read_int(&m, "n", PROTO_REQUIRED, 0, 1, &i, &err), PROTO_ERR);
    expect_err(&err, "n", "is required");
    tobj_del_key(o, "s");
    assert_int_equal(proto_read_str(&m, "s", PROTO_OPTIONAL, 0, 7, PROTO_CS_TEXT, s, sizeof(s), &err), 0);
    assert_string_equal(s, "keep");
    assert_int_equal(proto_read_str(&m, "s", PROTO_REQUIRED, 0, 7, PROTO_CS_TEXT, s, sizeof(s), &err), PROTO_ERR);
    expect_err(&err, "s", "is required");
    tdoc_free(&d);
}

static void unknown_and_duplicate_keys(void **state) {
    (void)state;
    tdoc d;
    proto_map m;
    proto_error err;
    msgpack_object *o = sample(&d);
    tobj_rename_key(o, "e", "colour");
    assert_int_equal(proto_map_open(&m, o, "params", keys, &err), PROTO_ERR);
    expect_err(&err, "params.colour", "unknown key");
    tobj_rename_key(o, "colour", "s");
    assert_int_equal(proto_map_open(&m, o, "params", keys, &err), PROTO_ERR);
    expect_err(&err, "params.s", "duplicate key");
    /* a nested unknown key gets the full path */
    tobj_rename_key(o, "s", "e");
    tobj_rename_key(tobj_at(o, "m.list[0]"), "x", "y");
    proto_map in;
    proto_array list;
    assert_int_equal(proto_map_open(&m, o, "params", keys, &err), PROTO_OK);
    assert_int_equal(proto_read_map(&m, "m", PROTO_REQUIRED, inner_keys, &in, &err), 1);
    assert_int_equal(proto_read_array(&in, "list", PROTO_REQUIRED, 0, 5, &list, &err), 1);
    assert_int_equal(proto_elem_map(&list, 0, inner_keys, &in, &err), PROTO_ERR);
    expect_err(&err, "params.m.list[0].y", "unknown key");
    /* a key with control bytes is echoed sanitised (valid UTF-8) */
    tobj_set_strn(&o->via.map.ptr[0].key, "a\xff\n", 3);
    assert_int_equal(proto_map_open(&m, o, "", keys, &err), PROTO_ERR);
    expect_err(&err, "a??", "unknown key");
    /* a non-string key */
    tobj_set_int(&o->via.map.ptr[0].key, 5);
    assert_int_equal(proto_map_open(&m, o, "", keys, &err), PROTO_ERR);
    expect_err(&err, "", "keys must be strings");
    /* not a map */
    assert_int_equal(proto_map_open(&m, tobj_at(o, "a"), "q", keys, &err), PROTO_ERR);
    expect_err(&err, "q", "must be a map");
    tdoc_free(&d);
}

static void wrong_types(void **state) {
    (void)state;
    tdoc d;
    proto_map m;
    proto_array a;
    proto_error err;
    char s[16];
    int64_t i;
    bool b;
    double f;
    int e;
    msgpack_object *o = sample(&d);
    assert_int_equal(proto_map_open(&m, o, "", keys, &err), PROTO_OK);
    assert_int_equal(proto_read_str(&m, "i", PROTO_REQUIRED, 0, 9, PROTO_CS_TEXT, s, sizeof(s), &err), PROTO_ERR);
    expect_err(&err, "i", "must be a string");
    assert_int_equal(proto_read_int(&m, "f", PROTO_REQUIRED, 0, 9, &i, &err), PROTO_ERR);
    expect_err(&err, "f", "must be an integer 0..9");
    assert_int_equal(proto_read_bool(&m, "i", PROTO_REQUIRED, &b, &err), PROTO_ERR);
    expect_err(&err, "i", "true or false");
    assert_int_equal(proto_read_float(&m, "s", PROTO_REQUIRED, 0, 1, &f, &err), PROTO_ERR);
    expect_err(&err, "s", "must be a number");
    assert_int_equal(proto_read_enum(&m, "s", PROTO_REQUIRED, colours, &e, &err), PROTO_ERR);
    expect_err(&err, "s", "must be one of: red, green, blue");
    assert_int_equal(proto_read_array(&m, "m", PROTO_REQUIRED, 0, 9, &a, &err), PROTO_ERR);
    expect_err(&err, "m", "must be an array of 0..9");
    proto_map sub;
    assert_int_equal(proto_read_map(&m, "a", PROTO_REQUIRED, keys, &sub, &err), PROTO_ERR);
    expect_err(&err, "a", "must be a map");
    tdoc_free(&d);
}

static void ranges_and_lengths(void **state) {
    (void)state;
    tdoc d;
    proto_map m;
    proto_array a;
    proto_error err;
    char s[16];
    int64_t i;
    double f;
    msgpack_object *o = sample(&d);
    assert_int_equal(proto_map_open(&m, o, "", keys, &err), PROTO_OK);
    assert_int_equal(proto_read_int(&m, "i", PROTO_REQUIRED, -6, 10, &i, &err), PROTO_ERR);
    expect_err(&err, "i", "must be an integer -6..10");
    tobj_set_int(tobj_at(o, "i"), INT64_MAX);
    assert_int_equal(proto_read_int(&m, "i", PROTO_REQUIRED, 0, INT64_MAX, &i, &err), 1);
    tobj_at(o, "i")->via.u64 = UINT64_MAX;
    assert_int_equal(proto_read_int(&m, "i", PROTO_REQUIRED, 0, INT64_MAX, &i, &err), PROTO_ERR);
    assert_int_equal(proto_read_float(&m, "f", PROTO_REQUIRED, 0.6, 1, &f, &err), PROTO_ERR);
    expect_err(&err, "f", "0.6..1");
    tobj_at(o, "f")->via.f64 = NAN;
    assert_int_equal(proto_read_float(&m, "f", PROTO_REQUIRED, -1e300, 1e300, &f, &err), PROTO_ERR);
    tobj_at(o, "f")->via.f64 = INFINITY;
    assert_int_equal(proto_read_float(&m, "f", PROTO_REQUIRED, -INFINITY, INFINITY, &f, &err), PROTO_ERR);
    /* "h\xc3\xa9llo" is 6 bytes */
    assert_int_equal(proto_read_str(&m, "s", PROTO_REQUIRED, 0, 5, PROTO_CS_TEXT, s, sizeof(s), &err), PROTO_ERR);
    expect_err(&err, "s", "must be 0..5 bytes long, not 6");
    assert_int_equal(proto_read_str(&m, "s", PROTO_REQUIRED, 7, 9, PROTO_CS_TEXT, s, sizeof(s), &err), PROTO_ERR);
    expect_err(&err, "s", "7..9 bytes");
    assert_int_equal(proto_read_array(&m, "a", PROTO_REQUIRED, 3, 5, &a, &err), PROTO_ERR);
    expect_err(&err, "a", "3..5 elements");
    assert_int_equal(proto_read_array(&m, "a", PROTO_REQUIRED, 0, 1, &a, &err), PROTO_ERR);
    /* element path */
    assert_int_equal(proto_read_array(&m, "a", PROTO_REQUIRED, 0, 2, &a, &err), 1);
    assert_int_equal(proto_elem_int(&a, 1, 0, 1, &i, &err), PROTO_ERR);
    expect_err(&err, "a[1]", "integer");
    tdoc_free(&d);
}

/* Strings: UTF-8 validity and the charsets. */
static int str_check(const char *v, size_t n, proto_charset cs, proto_error *err) {
    tdoc d;
    proto_map m;
    char out[64];
    msgpack_object *o = sample(&d);
    tobj_set_strn(tobj_at(o, "s"), v, n);
    assert_int_equal(proto_map_open(&m, o, "", keys, err), PROTO_OK);
    int rc = proto_read_str(&m, "s", PROTO_REQUIRED, 0, 60, cs, out, sizeof(out), err);
    tdoc_free(&d);
    return rc;
}

#define STR_OK(lit, cs) assert_int_equal(str_check(lit, sizeof(lit) - 1, cs, &err), 1)
#define STR_BAD(lit, cs, text)                                                                                         \
    do {                                                                                                               \
        assert_int_equal(str_check(lit, sizeof(lit) - 1, cs, &err), PROTO_ERR);                                        \
        expect_err(&err, "s", text);                                                                                   \
    } while (0)

static void utf8_and_charsets(void **state) {
    (void)state;
    proto_error err;
    STR_OK("plain", PROTO_CS_TEXT);
    STR_OK("\xe2\x82\xac \xf0\x9f\x98\x80", PROTO_CS_LINE); /* euro, emoji */
    STR_OK("two\nlines\ttab", PROTO_CS_TEXT);
    STR_BAD("two\nlines", PROTO_CS_LINE, "control");
    STR_BAD("bell\x07", PROTO_CS_TEXT, "control");
    STR_BAD("del\x7f", PROTO_CS_TEXT, "control");
    STR_BAD("nul\0x", PROTO_CS_ANY, "NUL");
    STR_BAD("nul\0x", PROTO_CS_TEXT, "control");
    STR_BAD("\xc3", PROTO_CS_TEXT, "UTF-8");             /* truncated */
    STR_BAD("\xc0\xaf", PROTO_CS_TEXT, "UTF-8");         /* overlong '/' */
    STR_BAD("\xe0\x80\xaf", PROTO_CS_TEXT, "UTF-8");     /* overlong */
    STR_BAD("\xed\xa0\x80", PROTO_CS_TEXT, "UTF-8");     /* surrogate */
    STR_BAD("\xf4\x90\x80\x80", PROTO_CS_TEXT, "UTF-8"); /* > U+10FFFF */
    STR_BAD("\x80", PROTO_CS_TEXT, "UTF-8");             /* lone cont. */
    STR_BAD("\xff", PROTO_CS_ANY, "UTF-8");
    STR_OK("Ab-0._z", PROTO_CS_CODE);
    STR_BAD("a b", PROTO_CS_CODE, "[A-Za-z0-9._-]");
    STR_BAD("caf\xc3\xa9", PROTO_CS_CODE, "[A-Za-z0-9._-]");
    STR_OK("abc", PROTO_CS_LOWER);
    STR_BAD("aBc", PROTO_CS_LOWER, "[a-z]");
    STR_OK("0123", PROTO_CS_DIGITS);
    STR_BAD("01a", PROTO_CS_DIGITS, "digits");
    assert_int_equal(proto_utf8_valid("", 0), 1);
    assert_int_equal(proto_utf8_valid("\xef\xbf\xbf", 3), 1);
    assert_int_equal(proto_utf8_valid("\xf0\x8f\xbf\xbf", 4), 0);
}

static void paths(void **state) {
    (void)state;
    char buf[PROTO_PATH_MAX], small[8];
    assert_string_equal(proto_path_key(buf, sizeof(buf), "", "id"), "id");
    assert_string_equal(proto_path_key(buf, sizeof(buf), NULL, "id"), "id");
    assert_string_equal(proto_path_key(buf, sizeof(buf), "profile", "id"), "profile.id");
    assert_string_equal(proto_path_index(buf, sizeof(buf), "a.b", 1234), "a.b[1234]");
    assert_string_equal(proto_path_index(buf, sizeof(buf), "x", 0), "x[0]");
    assert_string_equal(proto_path_key(small, sizeof(small), "profile", "id"), "profile");
    assert_string_equal(proto_path_index(small, sizeof(small), "abcd", 123), "abcd[12");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readers_happy),
        cmocka_unit_test(optional_and_required),
        cmocka_unit_test(unknown_and_duplicate_keys),
        cmocka_unit_test(wrong_types),
        cmocka_unit_test(ranges_and_lengths),
        cmocka_unit_test(utf8_and_charsets),
        cmocka_unit_test(paths),
    };
    return cmocka_run_group_tests_name("proto_params", tests, NULL, NULL);
}
