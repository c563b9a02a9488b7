/* check.c -- the msgpack body pre-check.
 *
 * msgpack-c allocates a container's declared element count before it reads
 * a single element, so a 5-byte body "dd 10 00 00 00" (array32 of 2^28)
 * would make it allocate gigabytes.  proto_body_check() walks the encoded
 * bytes first, without allocating, and accepts a body only when every
 * declared size is possible (each element takes at least one byte) and
 * within the limits, and the body is exactly one object.  Only then is
 * msgpack-c allowed to unpack it, and its allocations are bounded by a
 * small multiple of the body size.
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#include <string.h>

#include "proto/proto.h"

/* What one msgpack header byte (plus its length field) announces. */
typedef enum { ITEM_SCALAR, ITEM_BLOB, ITEM_ARRAY, ITEM_MAP, ITEM_BAD } item_class;

typedef struct item {
    item_class cls;
    size_t hdr;      /* bytes of the header: type byte + length field */
    size_t fixed;    /* payload bytes of a scalar (ext: its type byte) */
    size_t lenbytes; /* width of the big-endian length/count field */
    uint32_t n;      /* decoded length or count (BLOB, ARRAY, MAP) */
} item;

/* Classify type byte b.  For fixed-size kinds sets everything but n. */
static item classify(unsigned char b) {
    item it = { ITEM_SCALAR, 1, 0, 0, 0 };
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) return it;
    if (b >= 0x80 && b <= 0x8f) {
        it.cls = ITEM_MAP;
        it.n = b & 0x0f;
    } else if (b >= 0x90 && b <= 0x9f) {
        it.cls = ITEM_ARRAY;
        it.n = b & 0x0f;
    } else if (b >= 0xa0 && b <= 0xbf) {
        it.cls = ITEM_BLOB;
        it.n = b & 0x1f;
    } else
        switch (b) {
        case 0xc4:
        case 0xd9:
            it.cls = ITEM_BLOB;
            it.lenbytes = 1;
            break;
        case 0xc5:
        case 0xda:
            it.cls = ITEM_BLOB;
            it.lenbytes = 2;
            break;
        case 0xc6:
        case 0xdb:
            it.cls = ITEM_BLOB;
            it.lenbytes = 4;
            break;
        case 0xc7:
            it.cls = ITEM_BLOB;
            it.lenbytes = 1;
            it.fixed = 1;
            break;
        case 0xc8:
            it.cls = ITEM_BLOB;
            it.lenbytes = 2;
            it.fixed = 1;
            break;
        case 0xc9:
            it.cls = ITEM_BLOB;
            it.lenbytes = 4;
            it.fixed = 1;
            break;
        case 0xca: it.fixed = 4; break;
        case 0xcb: it.fixed = 8; break;
        case 0xcc:
        case 0xd0: it.fixed = 1; break;
        case 0xcd:
        case 0xd1: it.fixed = 2; break;
        case 0xce:
        case 0xd2: it.fixed = 4; break;
        case 0xcf:
        case 0xd3: it.fixed = 8; break;
        case 0xd4:
            it.cls = ITEM_BLOB;
            it.n = 1;
            it.fixed = 1;
            break;
        case 0xd5:
            it.cls = ITEM_BLOB;
            it.n = 2;
            it.fixed = 1;
            break;
        case 0xd6:
            it.cls = ITEM_BLOB;
            it.n = 4;
            it.fixed = 1;
            break;
        case 0xd7:
            it.cls = ITEM_BLOB;
            it.n = 8;
            it.fixed = 1;
            break;
        case 0xd8:
            it.cls = ITEM_BLOB;
            it.n = 16;
            it.fixed = 1;
            break;
        case 0xdc:
            it.cls = ITEM_ARRAY;
            it.lenbytes = 2;
            break;
        case 0xdd:
            it.cls = ITEM_ARRAY;
            it.lenbytes = 4;
            break;
        case 0xde:
            it.cls = ITEM_MAP;
            it.lenbytes = 2;
            break;
        case 0xdf:
            it.cls = ITEM_MAP;
            it.lenbytes = 4;
            break;
        default: it.cls = ITEM_BAD; break; /* 0xc1, never used */
        }
    it.hdr = 1 + it.lenbytes;
    return it;
}

static const char *blob_name(unsigned char b) {
    if ((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb)) return "str";
    if (b >= 0xc4 && b <= 0xc6) return "bin";
    return "ext";
}

/* The checker's walk state: position and a stack of items still expected
 * at each open nesting level (level 0 expects the one root object). */
typedef struct walk {
    const unsigned char *p;
    size_t len, pos;
    uint32_t depth;
    size_t left[PROTO_MAX_DEPTH_CEILING + 1];
    proto_limits lim;
    proto_error *err;
} walk;

/* Check a container header: its count fits the bytes left and the limits,
 * and opening it keeps the nesting within max_depth; then open it. */
static int walk_container(walk *w, const item *it) {
    int is_map = it->cls == ITEM_MAP;
    size_t items = is_map ? 2 * (size_t)it->n : it->n;
    size_t rest = w->len - w->pos;
    uint32_t max = is_map ? w->lim.max_map : w->lim.max_array;
    if (items > rest)
        return proto_error_set(w->err, PROTO_E_BAD_FRAME, NULL,
                               "%s of %u at offset %zu cannot fit in the %zu bytes left", is_map ? "map" : "array",
                               it->n, w->pos - it->hdr, rest);
    if (it->n > max)
        return proto_error_set(w->err, PROTO_E_TOO_LARGE, NULL, "%s of %u at offset %zu above the limit of %u",
                               is_map ? "map" : "array", it->n, w->pos - it->hdr, max);
    if (w->depth + 1 > w->lim.max_depth)
        return proto_error_set(w->err, PROTO_E_TOO_LARGE, NULL, "nesting deeper than %u at offset %zu",
                               w->lim.max_depth, w->pos - it->hdr);
    if (items > 0) w->left[++w->depth] = items;
    return PROTO_OK;
}

/* Check a str/bin/ext header and skip its payload. */
static int walk_blob(walk *w, const item *it, unsigned char b) {
    size_t rest = w->len - w->pos;
    size_t need = it->fixed + (size_t)it->n;
    if (need > rest)
        return proto_error_set(w->err, PROTO_E_BAD_FRAME, NULL,
                               "%s of %u bytes at offset %zu cannot fit in the %zu bytes left", blob_name(b), it->n,
                               w->pos - it->hdr, rest);
    if (it->n > w->lim.max_str)
        return proto_error_set(w->err, PROTO_E_TOO_LARGE, NULL, "%s of %u bytes at offset %zu above the limit of %u",
                               blob_name(b), it->n, w->pos - it->hdr, w->lim.max_str);
    w->pos += need;
    return PROTO_OK;
}

/* Read the header of the next object at w->pos and account for it. */
static int walk_one(walk *w) {
    unsigned char b = w->p[w->pos];
    item it = classify(b);
    if (it.cls == ITEM_BAD)
        return proto_error_set(w->err, PROTO_E_BAD_FRAME, NULL, "byte 0x%02x at offset %zu is not msgpack", b, w->pos);
    if (w->len - w->pos < it.hdr)
        return proto_error_set(w->err, PROTO_E_BAD_FRAME, NULL, "truncated msgpack header at offset %zu", w->pos);
    for (size_t i = 0; i < it.lenbytes; i++) it.n = it.n << 8 | w->p[w->pos + 1 + i];
    w->pos += it.hdr;
    switch (it.cls) {
    case ITEM_ARRAY:
    case ITEM_MAP: return walk_container(w, &it);
    case ITEM_BLOB: return walk_blob(w, &it, b);
    default: break;
    }
    if (w->len - w->pos < it.fixed)
        return proto_error_set(w->err, PROTO_E_BAD_FRAME, NULL, "truncated msgpack value at offset %zu",
                               w->pos - it.hdr);
    w->pos += it.fixed;
    return PROTO_OK;
}

int proto_body_check(const void *body, size_t len, const proto_limits *lim, proto_error *err) {
    walk w;
    w.p = body;
    w.len = len;
    w.pos = 0;
    w.depth = 0;
    w.left[0] = 1;
    w.err = err;
    if (lim)
        w.lim = *lim;
    else
        proto_limits_default(&w.lim);
    if (w.lim.max_depth > PROTO_MAX_DEPTH_CEILING) w.lim.max_depth = PROTO_MAX_DEPTH_CEILING;
    if (len == 0) return proto_error_set(err, PROTO_E_BAD_FRAME, NULL, "empty body");
    for (;;) {
        while (w.depth > 0 && w.left[w.depth] == 0) w.depth--;
        if (w.left[w.depth] == 0) break; /* root object complete */
        if (w.pos == w.len)
            return proto_error_set(err, PROTO_E_BAD_FRAME, NULL, "truncated msgpack: body ends inside an object");
        w.left[w.depth]--;
        if (walk_one(&w) != PROTO_OK) return PROTO_ERR;
    }
    if (w.pos != w.len)
        return proto_error_set(err, PROTO_E_BAD_FRAME, NULL, "%zu trailing bytes after the msgpack object",
                               w.len - w.pos);
    return PROTO_OK;
}
