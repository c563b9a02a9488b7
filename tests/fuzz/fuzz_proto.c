/* fuzz_proto.c -- libFuzzer target over libproto.
 *
 * The input is a byte stream fed to a proto_reader in chunks whose size
 * comes from the first byte.  Every frame goes through proto_msg_decode();
 * every map in a decoded message (params, result, error) is tried with
 * every domain decoder.  Properties checked (abort on violation):
 *   - proto_body_check() accepts exactly what msgpack-c can unpack as one
 *     object filling the body (for bodies it accepts);
 *   - whatever a decoder accepts, its packer writes bytes that the same
 *     decoder accepts again and that decode to an identical struct.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

static const char *const provinces[] = { "11", "31", "32", "94" };
static const char *const classes[] = { "administrator", "pelaksana" };
static const char *const comps[] = { "M.01", "M.03", "SK.1" };
static const proto_vocab vocab = { provinces, 4, classes, 2, comps, 3 };

/* Decode, pack, unpack, decode again and compare. */
#define ROUNDTRIP(type, decode_call, redecode_call, pack_fn)                                                           \
    do {                                                                                                               \
        type a_, b_;                                                                                                   \
        proto_error e_;                                                                                                \
        const msgpack_object *o_ = obj;                                                                                \
        if (decode_call != PROTO_OK) break;                                                                            \
        msgpack_sbuffer sb_;                                                                                           \
        msgpack_packer pk_;                                                                                            \
        msgpack_unpacked up_;                                                                                          \
        size_t off_ = 0;                                                                                               \
        msgpack_sbuffer_init(&sb_);                                                                                    \
        msgpack_packer_init(&pk_, &sb_, msgpack_sbuffer_write);                                                        \
        pack_fn(&pk_, &a_);                                                                                            \
        msgpack_unpacked_init(&up_);                                                                                   \
        if (msgpack_unpack_next(&up_, sb_.data, sb_.size, &off_) != MSGPACK_UNPACK_SUCCESS) abort();                   \
        o_ = &up_.data;                                                                                                \
        if (redecode_call != PROTO_OK) abort();                                                                        \
        if (memcmp(&a_, &b_, sizeof(a_)) != 0) abort();                                                                \
        msgpack_unpacked_destroy(&up_);                                                                                \
        msgpack_sbuffer_destroy(&sb_);                                                                                 \
    } while (0)

static void try_decoders(const msgpack_object *obj) {
    if (obj->type != MSGPACK_OBJECT_MAP) return;
    ROUNDTRIP(proto_mentee, proto_mentee_decode(o_, "p", &vocab, &a_, &e_),
              proto_mentee_decode(o_, "p", &vocab, &b_, &e_), proto_mentee_pack);
    ROUNDTRIP(proto_mentee, proto_mentee_decode(o_, "p", NULL, &a_, &e_), proto_mentee_decode(o_, "p", NULL, &b_, &e_),
              proto_mentee_pack);
    ROUNDTRIP(proto_coach, proto_coach_decode(o_, "p", &vocab, &a_, &e_), proto_coach_decode(o_, "p", &vocab, &b_, &e_),
              proto_coach_pack);
    ROUNDTRIP(proto_policy, proto_policy_decode(o_, "p", &vocab, &a_, &e_),
              proto_policy_decode(o_, "p", &vocab, &b_, &e_), proto_policy_pack);
    ROUNDTRIP(proto_explain, proto_explain_decode(o_, "p", &a_, &e_), proto_explain_decode(o_, "p", &b_, &e_),
              proto_explain_pack);
    ROUNDTRIP(proto_match, proto_match_decode(o_, "p", &a_, &e_), proto_match_decode(o_, "p", &b_, &e_),
              proto_match_pack);
    ROUNDTRIP(proto_run_stats, proto_run_stats_decode(o_, "p", &a_, &e_), proto_run_stats_decode(o_, "p", &b_, &e_),
              proto_run_stats_pack);
    ROUNDTRIP(proto_error, proto_error_decode(o_, "p", &a_, &e_), proto_error_decode(o_, "p", &b_, &e_),
              proto_error_pack);
    ROUNDTRIP(proto_session, proto_session_decode(o_, "p", &a_, &e_), proto_session_decode(o_, "p", &b_, &e_),
              proto_session_pack);
    ROUNDTRIP(proto_suggestion, proto_suggestion_decode(o_, "p", &a_, &e_), proto_suggestion_decode(o_, "p", &b_, &e_),
              proto_suggestion_pack);
    ROUNDTRIP(proto_review_item, proto_review_item_decode(o_, "p", &a_, &e_),
              proto_review_item_decode(o_, "p", &b_, &e_), proto_review_item_pack);
    ROUNDTRIP(proto_meeting, proto_meeting_decode(o_, "p", &a_, &e_), proto_meeting_decode(o_, "p", &b_, &e_),
              proto_meeting_pack);
    ROUNDTRIP(proto_run_progress, proto_run_progress_decode(o_, "p", &a_, &e_),
              proto_run_progress_decode(o_, "p", &b_, &e_), proto_run_progress_pack);
    ROUNDTRIP(proto_run_done, proto_run_done_decode(o_, "p", &a_, &e_), proto_run_done_decode(o_, "p", &b_, &e_),
              proto_run_done_pack);
    ROUNDTRIP(proto_program_stats, proto_program_stats_decode(o_, "p", &a_, &e_),
              proto_program_stats_decode(o_, "p", &b_, &e_), proto_program_stats_pack);
    ROUNDTRIP(proto_program, proto_program_decode(o_, "p", &a_, &e_), proto_program_decode(o_, "p", &b_, &e_),
              proto_program_pack);
}

/* The pre-check must agree with msgpack-c on what it accepts. */
static void check_agrees(const char *body, size_t len, const proto_limits *lim) {
    proto_error err;
    if (proto_body_check(body, len, lim, &err) != PROTO_OK) return;
    msgpack_unpacked up;
    size_t off = 0;
    msgpack_unpacked_init(&up);
    if (msgpack_unpack_next(&up, body, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len) abort();
    msgpack_unpacked_destroy(&up);
}

static void handle_frame(const char *body, size_t len, const proto_limits *lim) {
    proto_msg m;
    proto_error err;
    check_agrees(body, len, lim);
    if (proto_msg_decode(&m, body, len, lim, PROTO_KINDS_ANY, &err) == PROTO_OK) {
        if (m.params) try_decoders(m.params);
        if (m.result) try_decoders(m.result);
        if (m.error) try_decoders(m.error);
    } else if (err.code != PROTO_E_BAD_FRAME && err.code != PROTO_E_BAD_REQUEST && err.code != PROTO_E_TOO_LARGE) {
        abort();
    }
    proto_msg_destroy(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    proto_limits lim;
    const char *body;
    size_t len;
    if (size < 1) return 0;
    size_t chunk = (size_t)(data[0] % 31) + 1;
    proto_limits_default(&lim);
    lim.max_frame = 1 << 16;
    proto_reader *r = proto_reader_new(&lim);
    if (r == NULL) return 0;
    for (size_t at = 1; at < size; at += chunk) {
        size_t n = size - at < chunk ? size - at : chunk;
        int rc = proto_reader_feed(r, data + at, n);
        while (proto_reader_next(r, &body, &len) == 1) handle_frame(body, len, &lim);
        if (rc != PROTO_OK) break;
    }
    proto_reader_eof(r);
    proto_reader_free(r);
    /* The whole input as one body, under tight limits too. */
    lim.max_depth = 4;
    lim.max_array = 8;
    lim.max_str = 16;
    check_agrees((const char *)data + 1, size - 1, &lim);
    return 0;
}
