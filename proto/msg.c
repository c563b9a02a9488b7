/* msg.c -- msgpack-RPC messages: decode with precise errors, and pack.
 *
 * Which code a malformed message gets (docs/protocol.md has the table):
 * anything wrong below the msgpack object -- framing, bytes that are not
 * msgpack, trailing bytes -- is bad_frame (the server closes); a size over
 * a limit is too_large; a well-formed msgpack object that is not a valid
 * message of an accepted kind is bad_request (the connection stays
 * usable).  Params content is never judged here: that is invalid_params,
 * raised by the param readers.
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

static const char *const kind_names[] = { "request", "response", "notification" };

/* Best effort: read the msgid of a body that failed the pre-check (e.g. a
 * too_large request) straight from its first bytes, so the error response
 * can carry it.  Only the canonical [0|1, uint, ...] prefix is recognised. */
static void peek_msgid(proto_msg *m, const unsigned char *p, size_t len) {
    if (len < 3 || (p[0] != 0x94) || (p[1] != 0x00 && p[1] != 0x01)) return;
    uint32_t v = 0;
    size_t w = 0;
    if (p[2] <= 0x7f)
        v = p[2];
    else if (p[2] == 0xcc)
        w = 1;
    else if (p[2] == 0xcd)
        w = 2;
    else if (p[2] == 0xce)
        w = 4;
    else
        return;
    if (len < 3 + w) return;
    for (size_t i = 0; i < w; i++) v = v << 8 | p[3 + i];
    m->msgid = v;
    m->has_msgid = true;
}

/* An object that is a non-negative integer <= max. */
static int obj_uint(const msgpack_object *o, uint64_t max, uint64_t *out) {
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 > max) return PROTO_ERR;
    *out = o->via.u64;
    return PROTO_OK;
}

static int method_char_ok(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
}

static int decode_method(proto_msg *m, const msgpack_object *o, proto_error *err) {
    if (o->type != MSGPACK_OBJECT_STR)
        return proto_error_set(err, PROTO_E_BAD_REQUEST, "method", "method must be a string");
    uint32_t n = o->via.str.size;
    if (n == 0 || n > PROTO_METHOD_MAX)
        return proto_error_set(err, PROTO_E_BAD_REQUEST, "method", "method must be 1..%d bytes", PROTO_METHOD_MAX);
    for (uint32_t i = 0; i < n; i++)
        if (!method_char_ok(o->via.str.ptr[i]))
            return proto_error_set(err, PROTO_E_BAD_REQUEST, "method", "method may hold only [A-Za-z0-9._]");
    memcpy(m->method, o->via.str.ptr, n);
    m->method[n] = '\0';
    return PROTO_OK;
}

/* params must be [ {map} ]: msgpack-RPC allows any array, coachnet always
 * sends exactly one map so that every param is named. */
static int decode_params(proto_msg *m, const msgpack_object *o, proto_error *err) {
    if (o->type != MSGPACK_OBJECT_ARRAY)
        return proto_error_set(err, PROTO_E_BAD_REQUEST, "params", "params must be an array holding one map");
    if (o->via.array.size != 1)
        return proto_error_set(err, PROTO_E_BAD_REQUEST, "params",
                               "params must hold exactly one map, not %u "
                               "elements",
                               o->via.array.size);
    if (o->via.array.ptr[0].type != MSGPACK_OBJECT_MAP)
        return proto_error_set(err, PROTO_E_BAD_REQUEST, "params", "params must hold a map");
    m->params = &o->via.array.ptr[0];
    return PROTO_OK;
}

static int decode_msgid(proto_msg *m, const msgpack_object *o, proto_error *err) {
    uint64_t v;
    if (obj_uint(o, UINT32_MAX, &v) != PROTO_OK)
        return proto_error_set(err, PROTO_E_BAD_REQUEST, "msgid", "msgid must be an integer 0..4294967295");
    m->msgid = (uint32_t)v;
    m->has_msgid = true;
    return PROTO_OK;
}

/* Before the shape checks: the msgid of an array whose kind (request or
 * response) and msgid are readable, so that a request of the wrong length
 * ([0, 7, method, [params], extra]) is answered with its msgid 7, not 0
 * (design.md §2: msgid 0 only when it cannot be read). */
static void root_msgid(proto_msg *m, const msgpack_object *root) {
    uint64_t kind, id;
    if (root->type != MSGPACK_OBJECT_ARRAY || root->via.array.size < 2) return;
    if (obj_uint(&root->via.array.ptr[0], PROTO_RESPONSE, &kind) != PROTO_OK ||
        obj_uint(&root->via.array.ptr[1], UINT32_MAX, &id) != PROTO_OK)
        return;
    m->msgid = (uint32_t)id;
    m->has_msgid = true;
}

/* The shape checks of design.md §2 on an unpacked root object. */
static int decode_root(proto_msg *m, const msgpack_object *root, unsigned kinds, proto_error *err) {
    root_msgid(m, root);
    if (root->type != MSGPACK_OBJECT_ARRAY || (root->via.array.size != 3 && root->via.array.size != 4))
        return proto_error_set(err, PROTO_E_BAD_REQUEST, NULL, "message must be an array of 3 or 4 elements");
    const msgpack_object *e = root->via.array.ptr;
    uint32_t n = root->via.array.size;
    uint64_t kind;
    if (obj_uint(&e[0], PROTO_NOTIFICATION, &kind) != PROTO_OK)
        return proto_error_set(err, PROTO_E_BAD_REQUEST, "kind", "message kind must be 0, 1 or 2");
    m->kind = (proto_kind)kind;
    uint32_t want = m->kind == PROTO_NOTIFICATION ? 3 : 4;
    if (n != want)
        return proto_error_set(err, PROTO_E_BAD_REQUEST, "kind", "a %s must have %u elements, not %u", kind_names[kind],
                               want, n);
    if (m->kind != PROTO_NOTIFICATION && decode_msgid(m, &e[1], err) != PROTO_OK) return PROTO_ERR;
    if (!(kinds & PROTO_KIND_BIT(m->kind)))
        return proto_error_set(err, PROTO_E_BAD_REQUEST, "kind", "unexpected %s", kind_names[kind]);
    switch (m->kind) {
    case PROTO_REQUEST:
        if (decode_method(m, &e[2], err) != PROTO_OK) return PROTO_ERR;
        return decode_params(m, &e[3], err);
    case PROTO_NOTIFICATION:
        if (decode_method(m, &e[1], err) != PROTO_OK) return PROTO_ERR;
        return decode_params(m, &e[2], err);
    case PROTO_RESPONSE:
        if (e[2].type != MSGPACK_OBJECT_NIL && e[2].type != MSGPACK_OBJECT_MAP)
            return proto_error_set(err, PROTO_E_BAD_REQUEST, "error", "response error must be nil or a map");
        m->error = &e[2];
        m->result = &e[3];
        return PROTO_OK;
    }
    return PROTO_ERR; /* not reached */
}

static void msg_init(proto_msg *m) {
    memset(m, 0, sizeof(*m));
    msgpack_unpacked_init(&m->unpacked);
}

int proto_msg_decode(proto_msg *m, const void *body, size_t len, const proto_limits *lim, unsigned kinds,
                     proto_error *err) {
    msg_init(m);
    if (proto_body_check(body, len, lim, err) != PROTO_OK) {
        peek_msgid(m, body, len);
        return PROTO_ERR;
    }
    /* msgpack-c points str objects into its input: keep our own copy so
     * the message outlives the reader's buffer. */
    m->body_copy = malloc(len);
    if (m->body_copy == NULL) return proto_error_set(err, PROTO_E_INTERNAL, NULL, "out of memory");
    memcpy(m->body_copy, body, len);
    size_t off = 0;
    msgpack_unpack_return rc = msgpack_unpack_next(&m->unpacked, m->body_copy, len, &off);
    if (rc == MSGPACK_UNPACK_NOMEM_ERROR) return proto_error_set(err, PROTO_E_INTERNAL, NULL, "out of memory");
    if (rc != MSGPACK_UNPACK_SUCCESS || off != len)
        return proto_error_set(err, PROTO_E_BAD_FRAME, NULL, "body is not one msgpack object");
    m->root = &m->unpacked.data;
    return decode_root(m, m->root, kinds, err);
}

void proto_msg_destroy(proto_msg *m) {
    msgpack_unpacked_destroy(&m->unpacked);
    free(m->body_copy);
    msg_init(m);
}

void proto_pack_cstr(msgpack_packer *pk, const char *s) {
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

void proto_pack_name(msgpack_packer *pk, const char *const *names, int v) {
    for (int i = 0; v >= 0 && names[i]; i++) {
        if (i == v) {
            proto_pack_cstr(pk, names[i]);
            return;
        }
    }
    msgpack_pack_nil(pk);
}

void proto_pack_request(msgpack_packer *pk, uint32_t msgid, const char *method) {
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint32(pk, PROTO_REQUEST);
    msgpack_pack_uint32(pk, msgid);
    proto_pack_cstr(pk, method);
    msgpack_pack_array(pk, 1);
}

void proto_pack_notification(msgpack_packer *pk, const char *method) {
    msgpack_pack_array(pk, 3);
    msgpack_pack_uint32(pk, PROTO_NOTIFICATION);
    proto_pack_cstr(pk, method);
    msgpack_pack_array(pk, 1);
}

void proto_pack_response_ok(msgpack_packer *pk, uint32_t msgid) {
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint32(pk, PROTO_RESPONSE);
    msgpack_pack_uint32(pk, msgid);
    msgpack_pack_nil(pk);
}

void proto_pack_response_error(msgpack_packer *pk, uint32_t msgid, const proto_error *e) {
    msgpack_pack_array(pk, 4);
    msgpack_pack_uint32(pk, PROTO_RESPONSE);
    msgpack_pack_uint32(pk, msgid);
    proto_error_pack(pk, e);
    msgpack_pack_nil(pk);
}
