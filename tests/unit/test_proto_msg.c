/* test_proto_msg.c -- msgpack-RPC messages, error codes, error objects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tests/unit/proto_helpers.h"

/* Decode a body packed by `build` into *m; returns decode's result. */
typedef void (*builder)(msgpack_packer *pk);

static int decode_built(builder build, unsigned kinds, proto_msg *m, proto_error *err) {
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    build(&pk);
    int rc = proto_msg_decode(m, sb.data, sb.size, NULL, kinds, err);
    msgpack_sbuffer_destroy(&sb); /* the message keeps its own copy */
    return rc;
}

static void expect_bad(builder build, unsigned kinds, proto_errcode code, const char *field, const char *text) {
    proto_msg m;
    proto_error err;
    assert_int_equal(decode_built(build, kinds, &m, &err), PROTO_ERR);
    assert_int_equal(err.code, code);
    assert_string_equal(err.field, field);
    if (text && !strstr(err.message, text)) fail_msg("message: %s", err.message);
    proto_msg_destroy(&m);
}

/* ---- round trips ------------------------------------------------------ */

static void build_request(msgpack_packer *pk) {
    proto_pack_request(pk, 4000000000u, "mentee.get");
    msgpack_pack_map(pk, 1);
    proto_pack_cstr(pk, "id");
    proto_pack_cstr(pk, "198503152010011001");
}

static void request_roundtrip(void **state) {
    (void)state;
    proto_msg m;
    proto_error err;
    assert_int_equal(decode_built(build_request, PROTO_KIND_BIT(PROTO_REQUEST), &m, &err), PROTO_OK);
    assert_int_equal(m.kind, PROTO_REQUEST);
    assert_true(m.has_msgid);
    assert_int_equal(m.msgid, 4000000000u);
    assert_string_equal(m.method, "mentee.get");
    assert_int_equal(m.params->type, MSGPACK_OBJECT_MAP);
    proto_map pm;
    char id[PROTO_NIP_LEN + 1];
    static const char *const keys[] = { "id", NULL };
    assert_int_equal(proto_map_open(&pm, m.params, "", keys, &err), PROTO_OK);
    assert_int_equal(proto_read_str(&pm, "id", PROTO_REQUIRED, 18, 18, PROTO_CS_DIGITS, id, sizeof(id), &err), 1);
    assert_string_equal(id, "198503152010011001");
    proto_msg_destroy(&m);
}

static void build_notification(msgpack_packer *pk) {
    proto_run_stats s;
    test_sample_stats(&s);
    proto_pack_notification(pk, "run.done");
    msgpack_pack_map(pk, 3);
    proto_pack_cstr(pk, "run_id");
    proto_pack_cstr(pk, "run-7");
    proto_pack_cstr(pk, "status");
    proto_pack_cstr(pk, "done");
    proto_pack_cstr(pk, "stats");
    proto_run_stats_pack(pk, &s);
}

static void notification_roundtrip(void **state) {
    (void)state;
    proto_msg m;
    proto_error err;
    proto_run_stats s, want;
    assert_int_equal(decode_built(build_notification, PROTO_KINDS_ANY, &m, &err), PROTO_OK);
    assert_int_equal(m.kind, PROTO_NOTIFICATION);
    assert_false(m.has_msgid);
    assert_string_equal(m.method, "run.done");
    proto_map pm;
    static const char *const keys[] = { "run_id", "status", "stats", NULL };
    assert_int_equal(proto_map_open(&pm, m.params, NULL, keys, &err), PROTO_OK);
    assert_int_equal(proto_run_stats_decode(proto_map_get(&pm, "stats"), "stats", &s, &err), PROTO_OK);
    test_sample_stats(&want);
    assert_memory_equal(&s, &want, sizeof(s));
    proto_msg_destroy(&m);
}

static void build_response_ok(msgpack_packer *pk) {
    proto_pack_response_ok(pk, 9);
    msgpack_pack_map(pk, 2);
    proto_pack_cstr(pk, "id");
    proto_pack_cstr(pk, "198503152010011001");
    proto_pack_cstr(pk, "version");
    msgpack_pack_uint64(pk, 3);
}

static void response_ok_roundtrip(void **state) {
    (void)state;
    proto_msg m;
    proto_error err;
    assert_int_equal(decode_built(build_response_ok, PROTO_KIND_BIT(PROTO_RESPONSE), &m, &err), PROTO_OK);
    assert_int_equal(m.kind, PROTO_RESPONSE);
    assert_int_equal(m.msgid, 9);
    assert_int_equal(m.error->type, MSGPACK_OBJECT_NIL);
    assert_int_equal(m.result->type, MSGPACK_OBJECT_MAP);
    assert_int_equal(m.result->via.map.size, 2);
    proto_msg_destroy(&m);
}

static void build_response_err(msgpack_packer *pk) {
    proto_error e;
    proto_error_set(&e, PROTO_E_INVALID_PARAMS, "profile.competencies[3].required", "must be an integer %d..%d", 1, 5);
    proto_pack_response_error(pk, 12, &e);
}

static void response_error_roundtrip(void **state) {
    (void)state;
    proto_msg m;
    proto_error err, got;
    assert_int_equal(decode_built(build_response_err, PROTO_KINDS_ANY, &m, &err), PROTO_OK);
    assert_int_equal(m.msgid, 12);
    assert_int_equal(m.result->type, MSGPACK_OBJECT_NIL);
    assert_int_equal(proto_error_decode(m.error, "error", &got, &err), PROTO_OK);
    assert_int_equal(got.code, PROTO_E_INVALID_PARAMS);
    assert_string_equal(got.field, "profile.competencies[3].required");
    assert_string_equal(got.message, "must be an integer 1..5");
    proto_msg_destroy(&m);
}

/* ---- malformed messages ----------------------------------------------- */

static void b_not_array(msgpack_packer *pk) { msgpack_pack_map(pk, 0); }
static void b_short(msgpack_packer *pk) {
    msgpack_pack_array(pk, 2);
    msgpack_pack_uint8(pk, 0);
    msgpack_pack_uint8(pk, 1);
}
static void b_kind3(msgpack_packer *pk) {
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint8(pk, 3);
    msgpack_pack_uint8(pk, 1);
    proto_pack_cstr(pk, "x");
    msgpack_pack_array(pk, 0);
}
static void b_kind_str(msgpack_packer *pk) {
    msgpack_pack_array(pk, 4);
    proto_pack_cstr(pk, "0");
    msgpack_pack_uint8(pk, 1);
    proto_pack_cstr(pk, "x");
    msgpack_pack_array(pk, 0);
}
static void b_request_len3(msgpack_packer *pk) {
    msgpack_pack_array(pk, 3);
    msgpack_pack_uint8(pk, 0);
    msgpack_pack_uint8(pk, 1);
    proto_pack_cstr(pk, "auth.logout");
}
static void b_request_len5(msgpack_packer *pk) {
    msgpack_pack_array(pk, 5);
    msgpack_pack_uint8(pk, 0);
    msgpack_pack_uint8(pk, 7);
    proto_pack_cstr(pk, "auth.logout");
    msgpack_pack_array(pk, 1);
    msgpack_pack_map(pk, 0);
    msgpack_pack_nil(pk);
}
static void b_notif_len4(msgpack_packer *pk) {
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint8(pk, 2);
    proto_pack_cstr(pk, "run.done");
    msgpack_pack_array(pk, 1);
    msgpack_pack_map(pk, 0);
    msgpack_pack_nil(pk);
}
static void req_with_msgid(msgpack_packer *pk, void (*id)(msgpack_packer *)) {
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint8(pk, 0);
    id(pk);
    proto_pack_cstr(pk, "auth.logout");
    msgpack_pack_array(pk, 1);
    msgpack_pack_map(pk, 0);
}
static void id_big(msgpack_packer *pk) { msgpack_pack_uint64(pk, 1ull << 32); }
static void id_neg(msgpack_packer *pk) { msgpack_pack_int8(pk, -1); }
static void id_float(msgpack_packer *pk) { msgpack_pack_double(pk, 1.0); }
static void id_str(msgpack_packer *pk) { proto_pack_cstr(pk, "1"); }
static void b_id_big(msgpack_packer *pk) { req_with_msgid(pk, id_big); }
static void b_id_neg(msgpack_packer *pk) { req_with_msgid(pk, id_neg); }
static void b_id_float(msgpack_packer *pk) { req_with_msgid(pk, id_float); }
static void b_id_str(msgpack_packer *pk) { req_with_msgid(pk, id_str); }
static void b_id_max(msgpack_packer *pk) {
    proto_pack_request(pk, UINT32_MAX, "auth.logout");
    msgpack_pack_map(pk, 0);
}

static void req_with(msgpack_packer *pk, void (*method)(msgpack_packer *), void (*params)(msgpack_packer *)) {
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint8(pk, 0);
    msgpack_pack_uint8(pk, 5);
    method(pk);
    params(pk);
}
static void m_int(msgpack_packer *pk) { msgpack_pack_uint8(pk, 1); }
static void m_bin(msgpack_packer *pk) {
    msgpack_pack_bin(pk, 4);
    msgpack_pack_bin_body(pk, "auth", 4);
}
static void m_empty(msgpack_packer *pk) { proto_pack_cstr(pk, ""); }
static void m_space(msgpack_packer *pk) { proto_pack_cstr(pk, "auth login"); }
static void m_long(msgpack_packer *pk) {
    char s[PROTO_METHOD_MAX + 2];
    memset(s, 'a', sizeof(s) - 1);
    s[sizeof(s) - 1] = '\0';
    proto_pack_cstr(pk, s);
}
static void m_ok(msgpack_packer *pk) { proto_pack_cstr(pk, "auth.logout"); }
static void p_ok(msgpack_packer *pk) {
    msgpack_pack_array(pk, 1);
    msgpack_pack_map(pk, 0);
}
static void p_map(msgpack_packer *pk) { msgpack_pack_map(pk, 0); }
static void p_empty(msgpack_packer *pk) { msgpack_pack_array(pk, 0); }
static void p_two(msgpack_packer *pk) {
    msgpack_pack_array(pk, 2);
    msgpack_pack_map(pk, 0);
    msgpack_pack_map(pk, 0);
}
static void p_str(msgpack_packer *pk) {
    msgpack_pack_array(pk, 1);
    proto_pack_cstr(pk, "x");
}
static void p_nil(msgpack_packer *pk) { msgpack_pack_nil(pk); }

static void b_m_int(msgpack_packer *pk) { req_with(pk, m_int, p_ok); }
static void b_m_bin(msgpack_packer *pk) { req_with(pk, m_bin, p_ok); }
static void b_m_empty(msgpack_packer *pk) { req_with(pk, m_empty, p_ok); }
static void b_m_space(msgpack_packer *pk) { req_with(pk, m_space, p_ok); }
static void b_m_long(msgpack_packer *pk) { req_with(pk, m_long, p_ok); }
static void b_p_map(msgpack_packer *pk) { req_with(pk, m_ok, p_map); }
static void b_p_empty(msgpack_packer *pk) { req_with(pk, m_ok, p_empty); }
static void b_p_two(msgpack_packer *pk) { req_with(pk, m_ok, p_two); }
static void b_p_str(msgpack_packer *pk) { req_with(pk, m_ok, p_str); }
static void b_p_nil(msgpack_packer *pk) { req_with(pk, m_ok, p_nil); }
static void b_resp_err_str(msgpack_packer *pk) {
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint8(pk, 1);
    proto_pack_cstr(pk, "internal");
    msgpack_pack_nil(pk);
}

#define REQ PROTO_KIND_BIT(PROTO_REQUEST)

static void wrong_shape(void **state) {
    (void)state;
    expect_bad(b_not_array, REQ, PROTO_E_BAD_REQUEST, "", "array of 3 or 4");
    expect_bad(b_short, REQ, PROTO_E_BAD_REQUEST, "", "array of 3 or 4");
    expect_bad(b_request_len3, REQ, PROTO_E_BAD_REQUEST, "kind", "request must have 4");
    /* a readable msgid is kept for the error response, whatever the length */
    proto_msg m5;
    proto_error e5;
    assert_int_equal(decode_built(b_request_len5, REQ, &m5, &e5), PROTO_ERR);
    assert_int_equal(e5.code, PROTO_E_BAD_REQUEST);
    assert_true(m5.has_msgid);
    assert_int_equal(m5.msgid, 7);
    proto_msg_destroy(&m5);
    assert_int_equal(decode_built(b_request_len3, REQ, &m5, &e5), PROTO_ERR);
    assert_true(m5.has_msgid);
    assert_int_equal(m5.msgid, 1);
    proto_msg_destroy(&m5);
    expect_bad(b_notif_len4, PROTO_KINDS_ANY, PROTO_E_BAD_REQUEST, "kind", "notification must have 3");
}

static void wrong_kind(void **state) {
    (void)state;
    expect_bad(b_kind3, REQ, PROTO_E_BAD_REQUEST, "kind", "0, 1 or 2");
    expect_bad(b_kind_str, REQ, PROTO_E_BAD_REQUEST, "kind", "0, 1 or 2");
    expect_bad(build_response_ok, REQ, PROTO_E_BAD_REQUEST, "kind", "unexpected response");
    expect_bad(build_notification, REQ, PROTO_E_BAD_REQUEST, "kind", "unexpected notification");
    expect_bad(build_request, PROTO_KIND_BIT(PROTO_RESPONSE), PROTO_E_BAD_REQUEST, "kind", "unexpected request");
    /* an unexpected response still yields its msgid */
    proto_msg m;
    proto_error err;
    assert_int_equal(decode_built(build_response_ok, REQ, &m, &err), PROTO_ERR);
    assert_true(m.has_msgid);
    assert_int_equal(m.msgid, 9);
    proto_msg_destroy(&m);
}

static void msgid_range(void **state) {
    (void)state;
    const char *t = "0..4294967295";
    expect_bad(b_id_big, REQ, PROTO_E_BAD_REQUEST, "msgid", t);
    expect_bad(b_id_neg, REQ, PROTO_E_BAD_REQUEST, "msgid", t);
    expect_bad(b_id_float, REQ, PROTO_E_BAD_REQUEST, "msgid", t);
    expect_bad(b_id_str, REQ, PROTO_E_BAD_REQUEST, "msgid", t);
    proto_msg m;
    proto_error err;
    assert_int_equal(decode_built(b_id_max, REQ, &m, &err), PROTO_OK);
    assert_int_equal(m.msgid, UINT32_MAX);
    proto_msg_destroy(&m);
    assert_int_equal(decode_built(b_id_big, REQ, &m, &err), PROTO_ERR);
    assert_false(m.has_msgid);
    proto_msg_destroy(&m);
}

static void method_not_string(void **state) {
    (void)state;
    expect_bad(b_m_int, REQ, PROTO_E_BAD_REQUEST, "method", "string");
    expect_bad(b_m_bin, REQ, PROTO_E_BAD_REQUEST, "method", "string");
    expect_bad(b_m_empty, REQ, PROTO_E_BAD_REQUEST, "method", "1..64");
    expect_bad(b_m_long, REQ, PROTO_E_BAD_REQUEST, "method", "1..64");
    expect_bad(b_m_space, REQ, PROTO_E_BAD_REQUEST, "method", "[A-Za-z0-9._]");
    /* the msgid was read first, so the error response can carry it */
    proto_msg m;
    proto_error err;
    assert_int_equal(decode_built(b_m_int, REQ, &m, &err), PROTO_ERR);
    assert_true(m.has_msgid);
    assert_int_equal(m.msgid, 5);
    proto_msg_destroy(&m);
}

static void params_not_one_map(void **state) {
    (void)state;
    expect_bad(b_p_map, REQ, PROTO_E_BAD_REQUEST, "params", "array");
    expect_bad(b_p_nil, REQ, PROTO_E_BAD_REQUEST, "params", "array");
    expect_bad(b_p_empty, REQ, PROTO_E_BAD_REQUEST, "params", "exactly one");
    expect_bad(b_p_two, REQ, PROTO_E_BAD_REQUEST, "params", "exactly one");
    expect_bad(b_p_str, REQ, PROTO_E_BAD_REQUEST, "params", "map");
    expect_bad(b_resp_err_str, PROTO_KINDS_ANY, PROTO_E_BAD_REQUEST, "error", "nil or a map");
}

static void not_msgpack(void **state) {
    (void)state;
    proto_msg m;
    proto_error err;
    static const char junk[] = "GET / HTTP/1.1\r\n\r\n";
    assert_int_equal(proto_msg_decode(&m, junk, sizeof(junk) - 1, NULL, REQ, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_BAD_FRAME);
    assert_false(m.has_msgid);
    proto_msg_destroy(&m);
    /* a truncated request body */
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    test_frame_request(&sb, 3, "auth.logout", NULL, NULL);
    assert_int_equal(proto_msg_decode(&m, sb.data + 4, sb.size - 5, NULL, REQ, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_BAD_FRAME);
    assert_true(m.has_msgid);
    proto_msg_destroy(&m);
    msgpack_sbuffer_destroy(&sb);
}

/* A request whose params hold a string over the limit is too_large, and
 * the msgid is still known. */
static void too_large_keeps_msgid(void **state) {
    (void)state;
    proto_limits lim;
    proto_limits_default(&lim);
    lim.max_str = 8;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    proto_pack_request(&pk, 300, "auth.login");
    msgpack_pack_map(&pk, 1);
    proto_pack_cstr(&pk, "login");
    proto_pack_cstr(&pk, "a string longer than eight bytes");
    proto_msg m;
    proto_error err;
    assert_int_equal(proto_msg_decode(&m, sb.data, sb.size, &lim, REQ, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_TOO_LARGE);
    assert_true(m.has_msgid);
    assert_int_equal(m.msgid, 300);
    proto_msg_destroy(&m);
    /* a 32-bit msgid is peeked too */
    sb.size = 0;
    proto_pack_request(&pk, 3000000000u, "auth.login");
    msgpack_pack_map(&pk, 1);
    proto_pack_cstr(&pk, "login");
    proto_pack_cstr(&pk, "a string longer than eight bytes");
    assert_int_equal(proto_msg_decode(&m, sb.data, sb.size, &lim, REQ, &err), PROTO_ERR);
    assert_true(m.has_msgid);
    assert_int_equal(m.msgid, 3000000000u);
    proto_msg_destroy(&m);
    msgpack_sbuffer_destroy(&sb);
}

/* ---- error codes and objects ------------------------------------------ */

static void errcode_names(void **state) {
    (void)state;
    static const char *const wire[] = { "bad_frame",       "bad_request",  "unknown_method", "invalid_params",
                                        "unauthenticated", "forbidden",    "not_found",      "conflict",
                                        "capacity_full",   "rate_limited", "too_large",      "unavailable",
                                        "internal" };
    assert_int_equal(sizeof(wire) / sizeof(wire[0]), PROTO_E__COUNT - 1);
    for (int i = 1; i < PROTO_E__COUNT; i++) {
        proto_errcode c;
        assert_string_equal(proto_errcode_name((proto_errcode)i), wire[i - 1]);
        assert_int_equal(proto_errcode_parse(wire[i - 1], strlen(wire[i - 1]), &c), PROTO_OK);
        assert_int_equal(c, i);
    }
    proto_errcode c;
    assert_int_equal(proto_errcode_parse("", 0, &c), PROTO_ERR);
    assert_int_equal(proto_errcode_parse("bad_framez", 10, &c), PROTO_ERR);
    assert_int_equal(proto_errcode_parse("bad_frame", 8, &c), PROTO_ERR);
    assert_string_equal(proto_errcode_name((proto_errcode)99), "internal");
    assert_string_equal(proto_errcode_name(PROTO_E_NONE), "");
}

static void error_object_rules(void **state) {
    (void)state;
    tdoc d;
    proto_error e, got, err;
    proto_error_set(&e, PROTO_E_NOT_FOUND, NULL, "no mentee %s", "x");
    tdoc_init(&d);
    proto_error_pack(&d.pk, &e);
    msgpack_object *o = tdoc_unpack(&d);
    assert_int_equal(o->via.map.size, 2); /* no field */
    assert_int_equal(proto_error_decode(o, "error", &got, &err), PROTO_OK);
    assert_int_equal(got.code, PROTO_E_NOT_FOUND);
    assert_string_equal(got.field, "");
    tobj_set_str(tobj_at(o, "code"), "nope");
    assert_int_equal(proto_error_decode(o, "error", &got, &err), PROTO_ERR);
    assert_string_equal(err.field, "error.code");
    tobj_rename_key(o, "code", "kode");
    assert_int_equal(proto_error_decode(o, "error", &got, &err), PROTO_ERR);
    assert_string_equal(err.field, "error.kode");
    assert_string_equal(err.message, "unknown key");
    tdoc_free(&d);
    /* an unset code never goes out as "" */
    proto_error_clear(&e);
    tdoc_init(&d);
    proto_error_pack(&d.pk, &e);
    o = tdoc_unpack(&d);
    assert_int_equal(proto_error_decode(o, "", &got, &err), PROTO_OK);
    assert_int_equal(got.code, PROTO_E_INTERNAL);
    tdoc_free(&d);
}

static void error_set_truncates(void **state) {
    (void)state;
    proto_error e;
    char longf[400];
    memset(longf, 'f', sizeof(longf) - 1);
    longf[sizeof(longf) - 1] = '\0';
    assert_int_equal(proto_error_set(&e, PROTO_E_INVALID_PARAMS, longf, "%s", longf), PROTO_ERR);
    assert_int_equal(strlen(e.field), PROTO_PATH_MAX - 1);
    assert_int_equal(strlen(e.message), PROTO_MESSAGE_MAX - 1);
    assert_int_equal(proto_error_set(NULL, PROTO_E_INTERNAL, NULL, "x"), PROTO_ERR);
    /* a 2-byte character cut by truncation becomes '?' */
    char euros[PROTO_MESSAGE_MAX + 8] = "";
    for (int i = 0; i < PROTO_MESSAGE_MAX / 2 + 2; i++) strcat(euros, "\xc3\xa9");
    euros[PROTO_MESSAGE_MAX + 2] = '\0';
    proto_error_set(&e, PROTO_E_NOT_FOUND,
                    "a\xff"
                    "b",
                    "%s", euros);
    assert_true(proto_utf8_valid(e.message, strlen(e.message)));
    assert_int_equal(e.message[PROTO_MESSAGE_MAX - 2], '?');
    assert_string_equal(e.field, "a?b");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_roundtrip),     cmocka_unit_test(notification_roundtrip),
        cmocka_unit_test(response_ok_roundtrip), cmocka_unit_test(response_error_roundtrip),
        cmocka_unit_test(wrong_shape),           cmocka_unit_test(wrong_kind),
        cmocka_unit_test(msgid_range),           cmocka_unit_test(method_not_string),
        cmocka_unit_test(params_not_one_map),    cmocka_unit_test(not_msgpack),
        cmocka_unit_test(too_large_keeps_msgid), cmocka_unit_test(errcode_names),
        cmocka_unit_test(error_object_rules),    cmocka_unit_test(error_set_truncates),
    };
    return cmocka_run_group_tests_name("proto_msg", tests, NULL, NULL);
}
