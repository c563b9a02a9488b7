/* proto_echo.c -- the C side of the interop test (tests/interop/run-interop)
 * and the generator of the hex dump in docs/protocol.md.
 *
 *   proto_echo            read frames on stdin, answer on stdout
 *   proto_echo --example  print the auth.login example frames in hex
 *
 * Echo mode behaves like a coachnetd connection whose methods are the
 * domain codecs: a request [0, id, "echo.<object>", [{obj: X}]] is decoded
 * and validated with the real catalogues of data/, and answered with
 * [1, id, nil, X'] where X' is X re-encoded by libproto, or with the error
 * response libproto's decoders produced.  A notification [2, "echo.<object>",
 * [{obj: X}]] is answered with a notification carrying X'.  As in the
 * server, a framing error gets one bad_frame/too_large response with msgid
 * 0 and ends the stream; any other bad message gets its error response and
 * the stream goes on.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/proto_helpers.h"

typedef int (*echo_fn)(const msgpack_object *o, const proto_vocab *v, msgpack_packer *pk, proto_error *err);

static int echo_mentee(const msgpack_object *o, const proto_vocab *v, msgpack_packer *pk, proto_error *err) {
    proto_mentee m;
    if (proto_mentee_decode(o, "obj", v, &m, err) != PROTO_OK) return PROTO_ERR;
    proto_mentee_pack(pk, &m);
    return PROTO_OK;
}

static int echo_coach(const msgpack_object *o, const proto_vocab *v, msgpack_packer *pk, proto_error *err) {
    proto_coach c;
    if (proto_coach_decode(o, "obj", v, &c, err) != PROTO_OK) return PROTO_ERR;
    proto_coach_pack(pk, &c);
    return PROTO_OK;
}

static int echo_policy(const msgpack_object *o, const proto_vocab *v, msgpack_packer *pk, proto_error *err) {
    proto_policy p;
    if (proto_policy_decode(o, "obj", v, &p, err) != PROTO_OK) return PROTO_ERR;
    proto_policy_pack(pk, &p);
    return PROTO_OK;
}

static int echo_explain(const msgpack_object *o, const proto_vocab *v, msgpack_packer *pk, proto_error *err) {
    proto_explain e;
    (void)v;
    if (proto_explain_decode(o, "obj", &e, err) != PROTO_OK) return PROTO_ERR;
    proto_explain_pack(pk, &e);
    return PROTO_OK;
}

static int echo_match(const msgpack_object *o, const proto_vocab *v, msgpack_packer *pk, proto_error *err) {
    proto_match m;
    (void)v;
    if (proto_match_decode(o, "obj", &m, err) != PROTO_OK) return PROTO_ERR;
    proto_match_pack(pk, &m);
    return PROTO_OK;
}

static int echo_stats(const msgpack_object *o, const proto_vocab *v, msgpack_packer *pk, proto_error *err) {
    proto_run_stats s;
    (void)v;
    if (proto_run_stats_decode(o, "obj", &s, err) != PROTO_OK) return PROTO_ERR;
    proto_run_stats_pack(pk, &s);
    return PROTO_OK;
}

static int echo_error(const msgpack_object *o, const proto_vocab *v, msgpack_packer *pk, proto_error *err) {
    proto_error e;
    (void)v;
    if (proto_error_decode(o, "obj", &e, err) != PROTO_OK) return PROTO_ERR;
    proto_error_pack(pk, &e);
    return PROTO_OK;
}

/* The result codecs (proto/results.c): none of them needs the vocabulary. */
#define ECHO_RESULT(name, type)                                                                                        \
    static int echo_##name(const msgpack_object *o, const proto_vocab *v, msgpack_packer *pk, proto_error *err) {      \
        type x;                                                                                                        \
        (void)v;                                                                                                       \
        if (proto_##name##_decode(o, "obj", &x, err) != PROTO_OK) return PROTO_ERR;                                    \
        proto_##name##_pack(pk, &x);                                                                                   \
        return PROTO_OK;                                                                                               \
    }
ECHO_RESULT(session, proto_session)
ECHO_RESULT(suggestion, proto_suggestion)
ECHO_RESULT(review_item, proto_review_item)
ECHO_RESULT(meeting, proto_meeting)
ECHO_RESULT(run_progress, proto_run_progress)
ECHO_RESULT(run_done, proto_run_done)
ECHO_RESULT(program_stats, proto_program_stats)

static const struct {
    const char *method;
    echo_fn fn;
} methods[] = {
    { "echo.mentee", echo_mentee },         { "echo.coach", echo_coach },
    { "echo.policy", echo_policy },         { "echo.explain", echo_explain },
    { "echo.match", echo_match },           { "echo.stats", echo_stats },
    { "echo.error", echo_error },           { "echo.session", echo_session },
    { "echo.suggestion", echo_suggestion }, { "echo.review_item", echo_review_item },
    { "echo.meeting", echo_meeting },       { "echo.run_progress", echo_run_progress },
    { "echo.run_done", echo_run_done },     { "echo.program_stats", echo_program_stats },
};

static echo_fn find_method(const char *name) {
    for (size_t i = 0; i < sizeof(methods) / sizeof(*methods); i++)
        if (strcmp(methods[i].method, name) == 0) return methods[i].fn;
    return NULL;
}

/* Write sb to stdout and empty it. */
static void flush_out(msgpack_sbuffer *sb) {
    fwrite(sb->data, 1, sb->size, stdout);
    fflush(stdout);
    sb->size = 0;
}

static void respond_error(msgpack_sbuffer *sb, uint32_t msgid, const proto_error *e) {
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    size_t at = proto_frame_begin(sb);
    proto_pack_response_error(&pk, msgid, e);
    proto_frame_end(sb, at, NULL, NULL);
    flush_out(sb);
}

/* Run the echo of one decoded message into sb (one frame). */
static int handle_msg(const proto_msg *m, const proto_vocab *v, msgpack_sbuffer *sb, proto_error *err) {
    static const char *const keys[] = { "obj", NULL };
    proto_map pm;
    msgpack_packer pk;
    echo_fn fn = find_method(m->method);
    if (fn == NULL) return proto_error_set(err, PROTO_E_UNKNOWN_METHOD, "method", "unknown method %s", m->method);
    if (proto_map_open(&pm, m->params, "", keys, err) != PROTO_OK) return PROTO_ERR;
    const msgpack_object *obj = proto_map_get(&pm, "obj");
    if (obj == NULL) return proto_error_set(err, PROTO_E_INVALID_PARAMS, "obj", "is required");
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    size_t at = proto_frame_begin(sb);
    if (m->kind == PROTO_REQUEST) {
        proto_pack_response_ok(&pk, m->msgid);
    } else {
        proto_pack_notification(&pk, m->method);
        msgpack_pack_map(&pk, 1);
        proto_pack_cstr(&pk, "obj");
    }
    if (fn(obj, v, &pk, err) != PROTO_OK) {
        sb->size = at;
        return PROTO_ERR;
    }
    return proto_frame_end(sb, at, NULL, err);
}

/* One frame body.  Returns 0 to go on, -1 when the stream must end. */
static int handle_frame(const char *body, size_t len, const proto_vocab *v, msgpack_sbuffer *sb) {
    proto_msg m;
    proto_error err;
    int rc = 0;
    unsigned kinds = PROTO_KIND_BIT(PROTO_REQUEST) | PROTO_KIND_BIT(PROTO_NOTIFICATION);
    if (proto_msg_decode(&m, body, len, NULL, kinds, &err) != PROTO_OK) {
        int fatal = err.code == PROTO_E_BAD_FRAME;
        respond_error(sb, fatal || !m.has_msgid ? 0 : m.msgid, &err);
        rc = fatal ? -1 : 0;
    } else if (handle_msg(&m, v, sb, &err) != PROTO_OK) {
        if (m.kind == PROTO_REQUEST) respond_error(sb, m.msgid, &err);
    } else {
        flush_out(sb);
    }
    proto_msg_destroy(&m);
    return rc;
}

static int echo_loop(const proto_vocab *v) {
    proto_reader *r = proto_reader_new(NULL);
    msgpack_sbuffer sb;
    char buf[4096];
    ssize_t n;
    int done = 0;
    msgpack_sbuffer_init(&sb);
    while (!done && (n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
        const char *body;
        size_t len;
        int frc = proto_reader_feed(r, buf, (size_t)n);
        while (!done && proto_reader_next(r, &body, &len) == 1) done = handle_frame(body, len, v, &sb) != 0;
        if (!done && frc != PROTO_OK) {
            respond_error(&sb, 0, proto_reader_error(r));
            done = 1;
        }
    }
    if (!done && proto_reader_eof(r) != PROTO_OK) respond_error(&sb, 0, proto_reader_error(r));
    msgpack_sbuffer_destroy(&sb);
    proto_reader_free(r);
    return 0;
}

/* ---- --example: the frames of docs/protocol.md ------------------------- */

/* Markdown: the title, then the frame as an indented hex dump. */
static void hexdump(const char *what, const char *value, const char *p, size_t n) {
    printf("**%s** `%s` (%zu bytes):\n\n", what, value, n);
    for (size_t i = 0; i < n; i += 16) {
        printf("    %04zx  ", i);
        for (size_t j = i; j < i + 16; j++) {
            if (j < n)
                printf("%02x ", (unsigned char)p[j]);
            else
                printf("   ");
            if (j == i + 7) printf(" ");
        }
        printf(" |");
        for (size_t j = i; j < i + 16 && j < n; j++) putchar(p[j] >= 0x20 && p[j] < 0x7f ? p[j] : '.');
        printf("|\n");
    }
    printf("\n");
}

static int example(void) {
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    size_t at = proto_frame_begin(&sb);
    proto_pack_request(&pk, 1, "auth.login");
    msgpack_pack_map(&pk, 2);
    proto_pack_cstr(&pk, "login");
    proto_pack_cstr(&pk, "siti");
    proto_pack_cstr(&pk, "password");
    proto_pack_cstr(&pk, "s3cret-Passw0rd");
    proto_frame_end(&sb, at, NULL, NULL);
    hexdump("request",
            "[0, 1, \"auth.login\", [{login: \"siti\", "
            "password: \"s3cret-Passw0rd\"}]]",
            sb.data, sb.size);
    sb.size = 0;
    at = proto_frame_begin(&sb);
    proto_pack_response_ok(&pk, 1);
    msgpack_pack_map(&pk, 4);
    proto_pack_cstr(&pk, "token");
    proto_pack_cstr(&pk, "q4fP0m8x3kVZb1yTQe2nW7cLr9sHdJgAuK5oI6tY0Bw");
    proto_pack_cstr(&pk, "role");
    proto_pack_cstr(&pk, "mentee");
    proto_pack_cstr(&pk, "subject");
    proto_pack_cstr(&pk, "198503152010011001");
    proto_pack_cstr(&pk, "expires_in");
    msgpack_pack_uint32(&pk, 86400);
    proto_frame_end(&sb, at, NULL, NULL);
    hexdump("response",
            "[1, 1, nil, {token: \"q4fP...0Bw\", role: "
            "\"mentee\", subject: \"198503152010011001\", expires_in: "
            "86400}]",
            sb.data, sb.size);
    sb.size = 0;
    proto_error e;
    proto_error_set(&e, PROTO_E_INVALID_PARAMS, "profile.competencies[3].required", "must be an integer 1..5");
    at = proto_frame_begin(&sb);
    proto_pack_response_error(&pk, 2, &e);
    proto_frame_end(&sb, at, NULL, NULL);
    hexdump("error response",
            "[1, 2, {code: \"invalid_params\", message: "
            "\"must be an integer 1..5\", field: "
            "\"profile.competencies[3].required\"}, nil]",
            sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    return 0;
}

int main(int argc, char **argv) {
    test_vocab tv;
    if (argc > 1 && strcmp(argv[1], "--example") == 0) return example();
    if (argc > 1) {
        fprintf(stderr, "usage: proto_echo [--example]\n");
        return 2;
    }
    if (test_vocab_load(&tv, NULL) != PROTO_OK) return 1;
    int rc = echo_loop(&tv.v);
    test_vocab_free(&tv);
    return rc;
}
