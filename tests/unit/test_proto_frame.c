/* test_proto_frame.c -- libproto frames and the body pre-check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/proto_helpers.h"

/* ---- helpers --------------------------------------------------------- */

/* Bytes the process has allocated (glibc: brk heap + mmapped blocks).
 * Under ASan mallinfo2 reports zeros, and the checks using it prove
 * nothing there; they do in the plain build. */
static size_t heap_in_use(void) {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static void fill_login(msgpack_packer *pk, const void *arg) {
    (void)arg;
    msgpack_pack_map(pk, 2);
    proto_pack_cstr(pk, "login");
    proto_pack_cstr(pk, "siti");
    proto_pack_cstr(pk, "password");
    proto_pack_cstr(pk, "correct horse");
}

/* Feed all of buf to a fresh reader in chunks of `chunk` bytes and collect
 * the bodies (concatenated) into out; returns the number of frames. */
static int feed_chunks(const char *buf, size_t len, size_t chunk, msgpack_sbuffer *out) {
    proto_reader *r = proto_reader_new(NULL);
    int frames = 0;
    assert_non_null(r);
    for (size_t at = 0; at < len; at += chunk) {
        size_t n = len - at < chunk ? len - at : chunk;
        const char *body;
        size_t blen;
        assert_int_equal(proto_reader_feed(r, buf + at, n), PROTO_OK);
        while (proto_reader_next(r, &body, &blen) == 1) {
            msgpack_sbuffer_write(out, body, blen);
            frames++;
        }
    }
    assert_int_equal(proto_reader_eof(r), PROTO_OK);
    proto_reader_free(r);
    return frames;
}

/* ---- reader ---------------------------------------------------------- */

static void reader_one_byte_at_a_time(void **state) {
    (void)state;
    msgpack_sbuffer sb, got;
    msgpack_sbuffer_init(&sb);
    msgpack_sbuffer_init(&got);
    test_frame_request(&sb, 1, "auth.login", fill_login, NULL);
    test_frame_request(&sb, 2, "auth.logout", NULL, NULL);
    assert_int_equal(feed_chunks(sb.data, sb.size, 1, &got), 2);
    /* the two bodies are the frames minus their prefixes */
    assert_int_equal(got.size, sb.size - 8);
    msgpack_sbuffer_destroy(&sb);
    msgpack_sbuffer_destroy(&got);
}

/* One request split into two chunks at every byte boundary decodes to the
 * same message each time. */
static void reader_split_every_boundary(void **state) {
    (void)state;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    test_frame_request(&sb, 77, "auth.login", fill_login, NULL);
    for (size_t cut = 0; cut <= sb.size; cut++) {
        proto_reader *r = proto_reader_new(NULL);
        const char *body;
        size_t blen;
        proto_msg m;
        proto_error err;
        assert_int_equal(proto_reader_feed(r, sb.data, cut), PROTO_OK);
        if (cut < sb.size) assert_int_equal(proto_reader_next(r, &body, &blen), 0);
        assert_int_equal(proto_reader_feed(r, sb.data + cut, sb.size - cut), PROTO_OK);
        assert_int_equal(proto_reader_next(r, &body, &blen), 1);
        assert_int_equal(blen, sb.size - 4);
        assert_memory_equal(body, sb.data + 4, blen);
        assert_int_equal(proto_msg_decode(&m, body, blen, NULL, PROTO_KINDS_ANY, &err), PROTO_OK);
        assert_int_equal(m.kind, PROTO_REQUEST);
        assert_int_equal(m.msgid, 77);
        assert_string_equal(m.method, "auth.login");
        assert_int_equal(m.params->via.map.size, 2);
        proto_msg_destroy(&m);
        assert_int_equal(proto_reader_next(r, &body, &blen), 0);
        assert_int_equal(proto_reader_eof(r), PROTO_OK);
        proto_reader_free(r);
    }
    msgpack_sbuffer_destroy(&sb);
}

static void reader_many_frames_one_chunk(void **state) {
    (void)state;
    msgpack_sbuffer sb, got;
    msgpack_sbuffer_init(&sb);
    msgpack_sbuffer_init(&got);
    for (uint32_t i = 0; i < 500; i++) test_frame_request(&sb, i, "auth.login", fill_login, NULL);
    assert_int_equal(feed_chunks(sb.data, sb.size, sb.size, &got), 500);
    msgpack_sbuffer_destroy(&got);
    msgpack_sbuffer_init(&got);
    assert_int_equal(feed_chunks(sb.data, sb.size, 7, &got), 500);
    msgpack_sbuffer_destroy(&got);
    msgpack_sbuffer_destroy(&sb);
}

static void reader_zero_length(void **state) {
    (void)state;
    proto_reader *r = proto_reader_new(NULL);
    const char *body;
    size_t blen;
    assert_int_equal(proto_reader_feed(r, "\0\0\0\0\x90", 5), PROTO_ERR);
    assert_int_equal(proto_reader_error(r)->code, PROTO_E_BAD_FRAME);
    assert_int_equal(proto_reader_next(r, &body, &blen), PROTO_ERR);
    /* sticky */
    assert_int_equal(proto_reader_feed(r, "\0\0\0\1\x90", 5), PROTO_ERR);
    proto_reader_free(r);
}

/* A frame above the limit is refused as soon as its header is in, and no
 * byte of its body is buffered even when the body came in the same chunk. */
static void reader_too_large_before_body(void **state) {
    (void)state;
    proto_limits lim;
    proto_limits_default(&lim);
    lim.max_frame = 64;
    proto_reader *r = proto_reader_new(&lim);
    char chunk[4 + 65];
    memset(chunk, 0xc0, sizeof(chunk));
    memcpy(chunk, "\0\0\0\x41", 4); /* 65 */
    assert_int_equal(proto_reader_feed(r, chunk, sizeof(chunk)), PROTO_ERR);
    assert_int_equal(proto_reader_error(r)->code, PROTO_E_TOO_LARGE);
    assert_int_equal(proto_reader_buffered(r), 0);
    proto_reader_free(r);

    /* default limit: 1 MiB + 1 */
    r = proto_reader_new(NULL);
    assert_int_equal(proto_reader_feed(r, "\x00\x10\x00\x01", 4), PROTO_ERR);
    assert_int_equal(proto_reader_error(r)->code, PROTO_E_TOO_LARGE);
    assert_int_equal(proto_reader_buffered(r), 0);
    proto_reader_free(r);

    /* exactly at the limit is fine */
    r = proto_reader_new(&lim);
    chunk[3] = 0x40;
    assert_int_equal(proto_reader_feed(r, chunk, 4 + 64), PROTO_OK);
    assert_int_equal(proto_reader_buffered(r), 68);
    proto_reader_free(r);
}

/* A header announcing 1 MiB does not make the reader allocate 1 MiB: the
 * buffer grows with the bytes that arrive. */
static void reader_header_only_allocates_little(void **state) {
    (void)state;
    proto_reader *r = proto_reader_new(NULL);
    size_t before = heap_in_use();
    assert_int_equal(proto_reader_feed(r, "\x00\x10\x00\x00\x94", 5), PROTO_OK);
    assert_true(heap_in_use() - before < 64 * 1024);
    assert_int_equal(proto_reader_buffered(r), 5);
    assert_int_equal(proto_reader_eof(r), PROTO_ERR);
    proto_reader_free(r);
}

/* Frames complete before an error are still delivered. */
static void reader_frames_before_error(void **state) {
    (void)state;
    proto_reader *r = proto_reader_new(NULL);
    const char *body;
    size_t blen;
    assert_int_equal(proto_reader_feed(r, "\0\0\0\1\xc0\0\0\0\0", 9), PROTO_ERR);
    assert_int_equal(proto_reader_next(r, &body, &blen), 1);
    assert_int_equal(blen, 1);
    assert_int_equal((unsigned char)body[0], 0xc0);
    assert_int_equal(proto_reader_next(r, &body, &blen), PROTO_ERR);
    proto_reader_free(r);
}

static void reader_truncated(void **state) {
    (void)state;
    proto_reader *r = proto_reader_new(NULL);
    assert_int_equal(proto_reader_feed(r, "\0\0", 2), PROTO_OK);
    assert_int_equal(proto_reader_eof(r), PROTO_ERR);
    assert_int_equal(proto_reader_error(r)->code, PROTO_E_BAD_FRAME);
    assert_non_null(strstr(proto_reader_error(r)->message, "truncated"));
    proto_reader_free(r);

    r = proto_reader_new(NULL);
    assert_int_equal(proto_reader_feed(r, "\0\0\0\5\x94\0", 6), PROTO_OK);
    assert_int_equal(proto_reader_buffered(r), 6);
    assert_int_equal(proto_reader_eof(r), PROTO_ERR);
    assert_string_equal(proto_reader_error(r)->message, "truncated frame: 2 of 5 body bytes");
    proto_reader_free(r);
}

/* The buffer is reused: after many frames it does not grow without end. */
static void reader_buffer_reuse(void **state) {
    (void)state;
    proto_reader *r = proto_reader_new(NULL);
    const char *body;
    size_t blen;
    for (int i = 0; i < 100000; i++) {
        assert_int_equal(proto_reader_feed(r, "\0\0\0\1\xc0", 5), PROTO_OK);
        assert_int_equal(proto_reader_next(r, &body, &blen), 1);
    }
    assert_int_equal(proto_reader_buffered(r), 0);
    proto_reader_free(r);
}

static void frame_header_helper(void **state) {
    (void)state;
    uint32_t n = 0;
    proto_error err;
    assert_int_equal(proto_frame_header((const unsigned char *)"\0\0\1\0", NULL, &n, &err), PROTO_OK);
    assert_int_equal(n, 256);
    assert_int_equal(proto_frame_header((const unsigned char *)"\0\0\0\0", NULL, &n, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_BAD_FRAME);
    assert_int_equal(proto_frame_header((const unsigned char *)"\xff\0\0\0", NULL, &n, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_TOO_LARGE);
}

static void frame_end_limits(void **state) {
    (void)state;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    proto_error err;
    proto_limits lim;
    proto_limits_default(&lim);
    lim.max_frame = 16;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    size_t at = proto_frame_begin(&sb);
    proto_pack_cstr(&pk, "0123456789");
    assert_int_equal(proto_frame_end(&sb, at, &lim, &err), PROTO_OK);
    assert_int_equal(sb.size, 4 + 11);
    assert_memory_equal(sb.data, "\0\0\0\x0b", 4);
    at = proto_frame_begin(&sb);
    proto_pack_cstr(&pk, "0123456789abcdefgh");
    assert_int_equal(proto_frame_end(&sb, at, &lim, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_TOO_LARGE);
    assert_int_equal(sb.size, 15); /* the oversized frame was removed */
    at = proto_frame_begin(&sb);
    assert_int_equal(proto_frame_end(&sb, at, &lim, &err), PROTO_ERR);
    assert_int_equal(sb.size, 15);
    msgpack_sbuffer_destroy(&sb);
}

/* ---- body check ------------------------------------------------------- */

static int check(const char *b, size_t n, const proto_limits *lim, proto_error *err) {
    return proto_body_check(b, n, lim, err);
}

static void body_valid(void **state) {
    (void)state;
    proto_error err;
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    test_frame_request(&sb, 5, "auth.login", fill_login, NULL);
    assert_int_equal(check(sb.data + 4, sb.size - 4, NULL, &err), PROTO_OK);
    msgpack_sbuffer_destroy(&sb);
    assert_int_equal(check("\xc0", 1, NULL, &err), PROTO_OK);
    assert_int_equal(check("\x90", 1, NULL, &err), PROTO_OK);
    assert_int_equal(check("\x80", 1, NULL, &err), PROTO_OK);
    assert_int_equal(check("\xcf\1\2\3\4\5\6\7\x08", 9, NULL, &err), PROTO_OK);
    assert_int_equal(check("\xd8\x01"
                           "0123456789abcdef",
                           18, NULL, &err),
                     PROTO_OK);
    assert_int_equal(check("\xc7\x02\x05xy", 5, NULL, &err), PROTO_OK);
}

static void expect_err(const char *b, size_t n, const proto_limits *lim, proto_errcode want, const char *text) {
    proto_error e;
    assert_int_equal(check(b, n, lim, &e), PROTO_ERR);
    assert_int_equal(e.code, want);
    if (text && !strstr(e.message, text)) fail_msg("message: %s", e.message);
}

#define EXPECT(body_, code_, text_) expect_err(body_, sizeof(body_) - 1, lim, code_, text_)

static void body_malformed(void **state) {
    (void)state;
    const proto_limits *lim = NULL;
    proto_error err;
    assert_int_equal(check("", 0, NULL, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_BAD_FRAME);
    EXPECT("\xc1", PROTO_E_BAD_FRAME, "not msgpack");
    EXPECT("\x92\x01", PROTO_E_BAD_FRAME, "fit"); /* 2 in 1 */
    EXPECT("\x92\x01\x92", PROTO_E_BAD_FRAME, "fit");
    EXPECT("\x91\x91", PROTO_E_BAD_FRAME, "fit");
    EXPECT("\x92\xc0", PROTO_E_BAD_FRAME, "fit");
    EXPECT("\x92\x91\xc0", PROTO_E_BAD_FRAME, "ends inside");
    EXPECT("\xcd\x01", PROTO_E_BAD_FRAME, "truncated"); /* uint16 */
    EXPECT("\xdc\x00", PROTO_E_BAD_FRAME, "truncated"); /* array16 */
    EXPECT("\xa5"
           "abc",
           PROTO_E_BAD_FRAME, "str of 5");
    EXPECT("\xc4\x09"
           "abc",
           PROTO_E_BAD_FRAME, "bin of 9");
    EXPECT("\xc7\x01\x05", PROTO_E_BAD_FRAME, "ext of 1");
    EXPECT("\x81\xa1k", PROTO_E_BAD_FRAME, "ends inside");
    EXPECT("\xc0\xc0", PROTO_E_BAD_FRAME, "trailing");
    EXPECT("\x91\x01\x02", PROTO_E_BAD_FRAME, "trailing");
    EXPECT("not msgpack at all", PROTO_E_BAD_FRAME, NULL);
}

/* design.md §7: array32 claiming 2^28 elements, refused by the walk (no
 * allocation at all: it only reads bytes) and therefore before msgpack-c,
 * which proto_msg_decode shows by not having created msgpack-c's zone. */
static void body_array32_huge(void **state) {
    (void)state;
    const proto_limits *lim = NULL;
    EXPECT("\xdd\x10\x00\x00\x00", PROTO_E_BAD_FRAME, "268435456");
    EXPECT("\xdf\x10\x00\x00\x00", PROTO_E_BAD_FRAME, "268435456");
    EXPECT("\xdb\x10\x00\x00\x00", PROTO_E_BAD_FRAME, "268435456");
    proto_msg m;
    proto_error err;
    /* The heap does not grow by a byte. */
    size_t before = heap_in_use();
    assert_int_equal(proto_msg_decode(&m, "\xdd\x10\x00\x00\x00", 5, NULL, PROTO_KINDS_ANY, &err), PROTO_ERR);
    assert_int_equal(heap_in_use(), before);
    assert_int_equal(err.code, PROTO_E_BAD_FRAME);
    assert_null(m.unpacked.zone); /* msgpack-c never ran */
    assert_null(m.body_copy);
    proto_msg_destroy(&m);
    /* inside a request, with more bytes around it */
    static const char req[] = "\x94\x00\x07\xa1x\x91\xdd\x10\x00\x00\x00"
                              "\xc0\xc0\xc0";
    assert_int_equal(proto_msg_decode(&m, req, sizeof(req) - 1, NULL, PROTO_KINDS_ANY, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_BAD_FRAME);
    assert_null(m.unpacked.zone);
    assert_true(m.has_msgid); /* peeked for the error response */
    assert_int_equal(m.msgid, 7);
    proto_msg_destroy(&m);
}

static void body_limits(void **state) {
    (void)state;
    proto_limits l;
    proto_limits_default(&l);
    l.max_depth = 3;
    l.max_array = 4;
    l.max_map = 2;
    l.max_str = 5;
    const proto_limits *lim = &l;
    proto_error err;
    /* depth: 3 nested arrays ok, 4 too deep (empty counts too) */
    assert_int_equal(check("\x91\x91\x91\xc0", 4, lim, &err), PROTO_OK);
    assert_int_equal(check("\x91\x91\x90", 3, lim, &err), PROTO_OK);
    EXPECT("\x91\x91\x91\x91\xc0", PROTO_E_TOO_LARGE, "nesting");
    EXPECT("\x91\x91\x91\x90", PROTO_E_TOO_LARGE, "nesting");
    EXPECT("\x81\xc0\x81\xc0\x81\xc0\x81\xc0\xc0", PROTO_E_TOO_LARGE, "nesting");
    /* array count */
    assert_int_equal(check("\x94\1\2\3\4", 5, lim, &err), PROTO_OK);
    EXPECT("\x95\1\2\3\4\5", PROTO_E_TOO_LARGE, "array of 5");
    EXPECT("\xdc\x00\x05\1\2\3\4\5", PROTO_E_TOO_LARGE, "array of 5");
    /* map count */
    assert_int_equal(check("\x82\1\2\3\4", 5, lim, &err), PROTO_OK);
    EXPECT("\x83\1\2\3\4\5\6", PROTO_E_TOO_LARGE, "map of 3");
    /* string length */
    assert_int_equal(check("\xa5"
                           "abcde",
                           6, lim, &err),
                     PROTO_OK);
    EXPECT("\xa6"
           "abcdef",
           PROTO_E_TOO_LARGE, "str of 6");
    EXPECT("\xc4\x06"
           "abcdef",
           PROTO_E_TOO_LARGE, "bin of 6");
    EXPECT("\xd8\x01"
           "0123456789abcdef",
           PROTO_E_TOO_LARGE, "ext of 16");
    /* the default depth limit */
    char deep[PROTO_DEFAULT_MAX_DEPTH + 2];
    memset(deep, 0x91, sizeof(deep));
    deep[PROTO_DEFAULT_MAX_DEPTH] = (char)0xc0;
    assert_int_equal(check(deep, PROTO_DEFAULT_MAX_DEPTH + 1, NULL, &err), PROTO_OK);
    deep[PROTO_DEFAULT_MAX_DEPTH] = (char)0x91;
    deep[PROTO_DEFAULT_MAX_DEPTH + 1] = (char)0xc0;
    assert_int_equal(check(deep, sizeof(deep), NULL, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_TOO_LARGE);
    /* limits above the ceiling are clamped, not trusted */
    l.max_depth = 1000;
    char *very = malloc(200);
    memset(very, 0x91, 200);
    very[199] = (char)0xc0;
    assert_int_equal(check(very, 200, lim, &err), PROTO_ERR);
    assert_int_equal(err.code, PROTO_E_TOO_LARGE);
    free(very);
}

/* Every msgpack type, in every width, passes the check and is exactly what
 * msgpack-c then unpacks; one byte less is refused as truncated. */
static void body_every_type(void **state) {
    (void)state;
    static const struct {
        const char *b;
        size_t n;
    } v[] = {
#define B(lit) { lit, sizeof(lit) - 1 }
        B("\xc0"),
        B("\xc2"),
        B("\xc3"),
        B("\x7f"),
        B("\xe0"),
        B("\xcc\x01"),
        B("\xcd\x01\x02"),
        B("\xce\x01\x02\x03\x04"),
        B("\xcf\x01\x02\x03\x04\x05\x06\x07\x08"),
        B("\xd0\x80"),
        B("\xd1\x80\x00"),
        B("\xd2\x80\x00\x00\x00"),
        B("\xd3\x80\x00\x00\x00\x00\x00\x00\x00"),
        B("\xca\x3f\x80\x00\x00"),
        B("\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"),
        B("\xa2hi"),
        B("\xd9\x02hi"),
        B("\xda\x00\x02hi"),
        B("\xdb\x00\x00\x00\x02hi"),
        B("\xc4\x02hi"),
        B("\xc5\x00\x02hi"),
        B("\xc6\x00\x00\x00\x02hi"),
        B("\xd4\x01x"),
        B("\xd5\x01xy"),
        B("\xd6\x01wxyz"),
        B("\xd7\x01"
          "01234567"),
        B("\xd8\x01"
          "0123456789abcdef"),
        B("\xc7\x02\x01xy"),
        B("\xc8\x00\x02\x01xy"),
        B("\xc9\x00\x00\x00\x02\x01xy"),
        B("\x92\x01\x02"),
        B("\xdc\x00\x02\x01\x02"),
        B("\xdd\x00\x00\x00\x02\x01\x02"),
        B("\x81\x01\x02"),
        B("\xde\x00\x01\x01\x02"),
        B("\xdf\x00\x00\x00\x01\x01\x02"),
        B("\x90"),
        B("\x80"),
        B("\xa0"),
        B("\xdd\x00\x00\x00\x00"),
#undef B
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
        proto_error err;
        msgpack_unpacked up;
        size_t off = 0;
        if (proto_body_check(v[i].b, v[i].n, NULL, &err) != PROTO_OK)
            fail_msg("case %zu (0x%02x): %s", i, (unsigned char)v[i].b[0], err.message);
        msgpack_unpacked_init(&up);
        assert_int_equal(msgpack_unpack_next(&up, v[i].b, v[i].n, &off), MSGPACK_UNPACK_SUCCESS);
        assert_int_equal(off, v[i].n);
        msgpack_unpacked_destroy(&up);
        assert_int_equal(proto_body_check(v[i].b, v[i].n - 1, NULL, &err), PROTO_ERR);
        assert_int_equal(err.code, PROTO_E_BAD_FRAME);
    }
}

/* Limits above the ceilings are clamped when a reader is made. */
static void reader_limits_clamped(void **state) {
    (void)state;
    proto_limits lim;
    proto_limits_default(&lim);
    lim.max_frame = UINT32_MAX;
    proto_reader *r = proto_reader_new(&lim);
    /* 64 MiB + 1: above the ceiling although below the configured limit */
    assert_int_equal(proto_reader_feed(r, "\x04\x00\x00\x01", 4), PROTO_ERR);
    assert_int_equal(proto_reader_error(r)->code, PROTO_E_TOO_LARGE);
    proto_reader_free(r);
}

/* After a large frame (whose buffer is released when the reader empties,
 * see READER_KEEP_BYTES) the reader goes on working. */
static void reader_after_large_frame(void **state) {
    (void)state;
    proto_reader *r = proto_reader_new(NULL);
    size_t n = 200 * 1024;
    char *big = malloc(4 + n);
    const char *body;
    size_t len;
    big[0] = 0;
    big[1] = (char)(n >> 16);
    big[2] = (char)(n >> 8);
    big[3] = (char)n;
    big[4] = (char)0xc6; /* bin32 of n - 5 bytes */
    big[5] = 0;
    big[6] = (char)((n - 5) >> 16);
    big[7] = (char)((n - 5) >> 8);
    big[8] = (char)(n - 5);
    memset(big + 9, 'x', n - 5);
    assert_int_equal(proto_reader_feed(r, big, 4 + n), PROTO_OK);
    assert_int_equal(proto_reader_next(r, &body, &len), 1);
    assert_int_equal(len, n);
    assert_int_equal(proto_reader_feed(r, "\0\0\0\1\xc0", 5), PROTO_OK);
    assert_int_equal(proto_reader_buffered(r), 5);
    assert_int_equal(proto_reader_next(r, &body, &len), 1);
    assert_int_equal((unsigned char)body[0], 0xc0);
    free(big);
    proto_reader_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_one_byte_at_a_time),
        cmocka_unit_test(reader_split_every_boundary),
        cmocka_unit_test(reader_many_frames_one_chunk),
        cmocka_unit_test(reader_zero_length),
        cmocka_unit_test(reader_too_large_before_body),
        cmocka_unit_test(reader_header_only_allocates_little),
        cmocka_unit_test(reader_frames_before_error),
        cmocka_unit_test(reader_truncated),
        cmocka_unit_test(reader_buffer_reuse),
        cmocka_unit_test(frame_header_helper),
        cmocka_unit_test(frame_end_limits),
        cmocka_unit_test(body_valid),
        cmocka_unit_test(body_malformed),
        cmocka_unit_test(body_array32_huge),
        cmocka_unit_test(body_limits),
        cmocka_unit_test(body_every_type),
        cmocka_unit_test(reader_limits_clamped),
        cmocka_unit_test(reader_after_large_frame),
    };
    return cmocka_run_group_tests_name("proto_frame", tests, NULL, NULL);
}
