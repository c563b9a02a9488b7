/* frame.c -- length-prefixed framing: the incremental reader and the
 * helpers that write a frame's prefix.
 *
 * The reader keeps one buffer laid out as
 *
 *     [rpos .. cur)   complete frames, prefixes included, not yet taken
 *     [cur .. wpos)   the frame being received (maybe only part of its
 *                     4-byte header)
 *
 * A frame's header is validated the moment its fourth byte arrives, before
 * any byte of its body is copied, so a peer can never make us buffer more
 * than max_frame bytes for a frame we would refuse anyway.
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

/* Buffers above this are released when they become empty, so an idle
 * connection that once got a 1 MiB frame does not keep 1 MiB. */
#define READER_KEEP_BYTES (64u * 1024u)
#define READER_MIN_ALLOC  4096u

struct proto_reader {
    proto_limits lim;
    char *buf;
    size_t cap;
    size_t rpos;       /* first byte not yet returned by next() */
    size_t cur;        /* start of the frame being received */
    size_t wpos;       /* end of buffered data */
    uint32_t body_len; /* body length of the frame at cur, once its
                          header is complete */
    proto_error error; /* code != PROTO_E_NONE: error state */
};

static uint32_t get_be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Copy *lim (or the defaults) into *out with the ceilings applied. */
static void limits_resolve(proto_limits *out, const proto_limits *lim) {
    if (lim)
        *out = *lim;
    else
        proto_limits_default(out);
    if (out->max_frame > PROTO_MAX_FRAME_CEILING) out->max_frame = PROTO_MAX_FRAME_CEILING;
    if (out->max_depth > PROTO_MAX_DEPTH_CEILING) out->max_depth = PROTO_MAX_DEPTH_CEILING;
}

int proto_frame_header(const unsigned char hdr[PROTO_FRAME_HEADER], const proto_limits *lim, uint32_t *len,
                       proto_error *err) {
    proto_limits l;
    limits_resolve(&l, lim);
    uint32_t n = get_be32(hdr);
    if (n == 0) return proto_error_set(err, PROTO_E_BAD_FRAME, NULL, "frame length 0: a body holds one object");
    if (n > l.max_frame)
        return proto_error_set(err, PROTO_E_TOO_LARGE, NULL, "frame length %u above the limit of %u bytes", n,
                               l.max_frame);
    *len = n;
    return PROTO_OK;
}

proto_reader *proto_reader_new(const proto_limits *lim) {
    proto_reader *r = calloc(1, sizeof(*r));
    if (r == NULL) return NULL;
    limits_resolve(&r->lim, lim);
    proto_error_clear(&r->error);
    return r;
}

void proto_reader_free(proto_reader *r) {
    if (r == NULL) return;
    free(r->buf);
    free(r);
}

/* Drop bytes already returned by next().  Called only from feed(), so a
 * body returned by next() stays in place until the following feed(). */
static void reader_compact(proto_reader *r) {
    if (r->rpos == 0) return;
    if (r->rpos == r->wpos && r->cap > READER_KEEP_BYTES) {
        free(r->buf);
        r->buf = NULL;
        r->cap = 0;
    } else if (r->wpos > r->rpos) {
        memmove(r->buf, r->buf + r->rpos, r->wpos - r->rpos);
    }
    r->cur -= r->rpos;
    r->wpos -= r->rpos;
    r->rpos = 0;
}

/* Make room for `more` bytes after wpos.  PROTO_ERR on overflow or when
 * out of memory (the reader enters its error state). */
static int reader_reserve(proto_reader *r, size_t more) {
    if (r->cap - r->wpos >= more) return PROTO_OK;
    size_t need = r->wpos + more;
    size_t cap = r->cap ? r->cap : READER_MIN_ALLOC;
    while (cap < need) cap *= 2;
    char *p = realloc(r->buf, cap);
    if (p == NULL) return proto_error_set(&r->error, PROTO_E_INTERNAL, NULL, "out of memory buffering a frame");
    r->buf = p;
    r->cap = cap;
    return PROTO_OK;
}

/* The frame at cur just got its 4th header byte: validate it.  Its body is
 * not reserved here but grows with the bytes that arrive, so a peer that
 * sends only a header cannot make us allocate max_frame bytes.  On error
 * the partial header is dropped with the stream. */
static int reader_header_done(proto_reader *r) {
    uint32_t n;
    if (proto_frame_header((unsigned char *)r->buf + r->cur, &r->lim, &n, &r->error) != PROTO_OK) {
        r->wpos = r->cur;
        return PROTO_ERR;
    }
    r->body_len = n;
    return PROTO_OK;
}

int proto_reader_feed(proto_reader *r, const void *data, size_t len) {
    const char *p = data;
    if (r->error.code != PROTO_E_NONE) return PROTO_ERR;
    reader_compact(r);
    while (len > 0) {
        size_t have = r->wpos - r->cur;
        bool in_header = have < PROTO_FRAME_HEADER;
        size_t want = in_header ? PROTO_FRAME_HEADER - have : PROTO_FRAME_HEADER + r->body_len - have;
        size_t take = want < len ? want : len;
        if (reader_reserve(r, take) != PROTO_OK) return PROTO_ERR;
        memcpy(r->buf + r->wpos, p, take);
        r->wpos += take;
        p += take;
        len -= take;
        have += take;
        if (in_header && have == PROTO_FRAME_HEADER && reader_header_done(r) != PROTO_OK) return PROTO_ERR;
        if (!in_header && have == PROTO_FRAME_HEADER + (size_t)r->body_len) r->cur = r->wpos; /* frame complete */
    }
    return PROTO_OK;
}

int proto_reader_next(proto_reader *r, const char **body, size_t *len) {
    if (r->rpos == r->cur) return r->error.code != PROTO_E_NONE ? PROTO_ERR : 0;
    uint32_t n = get_be32((unsigned char *)r->buf + r->rpos);
    *body = r->buf + r->rpos + PROTO_FRAME_HEADER;
    *len = n;
    r->rpos += PROTO_FRAME_HEADER + (size_t)n;
    return 1;
}

int proto_reader_eof(proto_reader *r) {
    if (r->error.code != PROTO_E_NONE) return PROTO_ERR;
    size_t have = r->wpos - r->cur;
    if (have == 0) return PROTO_OK;
    if (have < PROTO_FRAME_HEADER)
        proto_error_set(&r->error, PROTO_E_BAD_FRAME, NULL, "truncated frame: %zu of 4 header bytes", have);
    else
        proto_error_set(&r->error, PROTO_E_BAD_FRAME, NULL, "truncated frame: %zu of %u body bytes",
                        have - PROTO_FRAME_HEADER, r->body_len);
    return PROTO_ERR;
}

size_t proto_reader_buffered(const proto_reader *r) { return r->wpos - r->rpos; }

const proto_error *proto_reader_error(const proto_reader *r) { return &r->error; }

size_t proto_frame_begin(msgpack_sbuffer *sb) {
    size_t at = sb->size;
    /* A failed write leaves sb->size at `at`; proto_frame_end() then sees
     * a frame shorter than its prefix and reports it. */
    msgpack_sbuffer_write(sb, "\0\0\0\0", PROTO_FRAME_HEADER);
    return at;
}

int proto_frame_end(msgpack_sbuffer *sb, size_t at, const proto_limits *lim, proto_error *err) {
    proto_limits l;
    limits_resolve(&l, lim);
    if (sb->size < at + PROTO_FRAME_HEADER) {
        if (sb->size > at) sb->size = at;
        return proto_error_set(err, PROTO_E_INTERNAL, NULL, "frame prefix missing (out of memory?)");
    }
    size_t n = sb->size - at - PROTO_FRAME_HEADER;
    if (n == 0) {
        sb->size = at;
        return proto_error_set(err, PROTO_E_INTERNAL, NULL, "empty frame body");
    }
    if (n > l.max_frame) {
        sb->size = at;
        return proto_error_set(err, PROTO_E_TOO_LARGE, NULL, "message of %zu bytes above the limit of %u", n,
                               l.max_frame);
    }
    put_be32((unsigned char *)sb->data + at, (uint32_t)n);
    return PROTO_OK;
}
