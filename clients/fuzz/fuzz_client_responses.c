/*
 * fuzz_client_responses.c -- libFuzzer target: whatever a hostile or broken
 * server sends, libcoachnet must report an error (or a result) and never
 * crash, leak or read out of bounds.
 *
 * The input is the byte stream "from the server", written into one end of a
 * socketpair that the client adopts; the client then makes a fixed sequence
 * of typed calls (each reads whatever frames come: responses, notifications,
 * errors, garbage) until the connection is closed.  The stream ends after
 * the input, so no call ever waits for the timeout.  An odd first byte puts
 * a valid auth.login response (msgid 1) in front, so the fuzzer reaches the
 * later calls without having to build one.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clients/libcoachnet_private.h"

static void on_note(void *priv, const char *method, const msgpack_object *params) {
    int64_t v;
    char buf[32];
    (*(int *)priv)++;
    cn_client_obj_str(cn_client_map_get(params, "run_id"), buf, sizeof(buf));
    cn_client_obj_int(cn_client_map_get(params, "done"), &v);
    (void)method;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int sv[2];
    if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 0;
    int big = 1 << 20;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    /* [1, 1, nil, {token: "tok", role: "coach"}] */
    static const char login_ok[] = "\x00\x00\x00\x1a\x94\x01\x01\xc0\x82\xa5\x74\x6f\x6b\x65\x6e\xa3\x74\x6f\x6b\xa4"
                                   "\x72\x6f\x6c\x65\xa5\x63\x6f\x61\x63\x68";
    if (size > 0 && (data[0] & 1) && write(sv[1], login_ok, sizeof(login_ok) - 1) != (ssize_t)sizeof(login_ok) - 1) {
        close(sv[0]);
        close(sv[1]);
        return 0;
    }
    if (size > 0 && write(sv[1], data, size) != (ssize_t)size) {
        close(sv[0]);
        close(sv[1]);
        return 0;
    }
    shutdown(sv[1], SHUT_WR);
    cn_client_options o;
    cn_client_options_init(&o);
    o.timeout_ms = 1000;
    cn_client *c;
    cn_client_error e;
    if (cn_client_adopt_fd(sv[0], &o, &c, &e) != CN_CLIENT_OK) {
        close(sv[0]);
        close(sv[1]);
        return 0;
    }
    int notes = 0;
    cn_client_set_notify(c, on_note, &notes);
    cn_client_session s;
    cn_client_result *r;
    char id[32];
    int64_t version;
    cn_client_meeting mt;
    int delivered;
    for (int step = 0; step < 8 && cn_client_is_connected(c); step++) {
        switch (step) {
        case 0: cn_client_login(c, "a", "b", &s, &e); break;
        case 1:
            if (cn_client_match_list(c, NULL, &r, &e) == CN_CLIENT_OK) cn_client_result_free(r);
            break;
        case 2: cn_client_match_run(c, "p", NULL, id, sizeof(id), &e); break;
        case 3: cn_client_wait(c, 0, &delivered, &e); break;
        case 4: cn_client_meeting_log(c, "m", "2026-01-01", 45, NULL, &mt, &e); break;
        case 5: cn_client_profile_put_raw(c, CN_CLIENT_MENTEE, "\x80", 1, -1, id, sizeof(id), &version, &e); break;
        case 6: cn_client_resume(c, "t", &s, &e); break;
        default: {
            uint32_t msgid;
            if (cn_client_send_raw(c, "match.mine", NULL, 0, &msgid, &e) == CN_CLIENT_OK &&
                cn_client_recv(c, &msgid, &r, &e) == CN_CLIENT_OK)
                cn_client_result_free(r);
        }
        }
    }
    cn_client_free(c);
    close(sv[1]);
    return 0;
}
