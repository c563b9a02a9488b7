/*
 * link_example.c -- a minimal libcoachnet application, built by
 * tests/cli/run-cli-tests with nothing but `pkg-config libcoachnet` (the
 * archive must be self-contained: libcoachnet + libproto) and run against the
 * real coachnetd over TLS.
 *
 *   link_example HOST PORT CA LOGIN [IDLE_MS]     (password on stdin)
 *
 * Logs in, resumes the session on a second connection, calls user.disable
 * for a login that does not exist (expects not_found with the connection still
 * usable), logs out.  Prints one line per step; exits 0 when all went as
 * expected, 1 otherwise.
 *
 * With IDLE_MS (a server whose idle-timeout-ms is IDLE_MS): SIGPIPE is left
 * at its default (death), a connection logs in, waits until the
 * server has closed it for idleness, then keeps writing requests: the
 * library must report an I/O error, not let SIGPIPE kill the process.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coachnet.h>

static int fail(const char *what, const cn_client_error *e) {
    printf("FAIL %s: %s %s %s %s\n", what, cn_client_errkind_name(e->kind), e->code, e->message, e->field);
    return 1;
}

/* Login, resume on a second connection, a server error, logout.  0 or 1. */
static int basic(const cn_client_options *o, const char *login, const char *pw) {
    cn_client *c = NULL, *c2 = NULL;
    cn_client_error e;
    cn_client_session s, s2;
    int rc = 1;
    if (cn_client_connect(o, &c, &e) != CN_CLIENT_OK) {
        fail("connect", &e);
        goto out;
    }
    if (cn_client_login(c, login, pw, &s, &e) != CN_CLIENT_OK) {
        fail("login", &e);
        goto out;
    }
    printf("login %s role %s expires_in %lld\n", login, s.role, (long long)s.expires_in);
    if (cn_client_connect(o, &c2, &e) != CN_CLIENT_OK) {
        fail("connect 2", &e);
        goto out;
    }
    if (cn_client_resume(c2, s.token, &s2, &e) != CN_CLIENT_OK) {
        fail("resume", &e);
        goto out;
    }
    printf("resume login %s role %s\n", s2.login, s2.role);
    if (cn_client_user_disable(c2, "no-such-user", &e) == CN_CLIENT_OK) {
        printf("FAIL user.disable of a missing user succeeded\n");
        goto out;
    }
    printf("user.disable: %s %s (%s)\n", cn_client_errkind_name(e.kind), e.code,
           cn_client_is_connected(c2) ? "still connected" : "closed");
    if (e.kind != CN_CLIENT_E_SERVER || strcmp(e.code, "not_found") != 0 || !cn_client_is_connected(c2)) goto out;
    if (cn_client_logout(c2, &e) != CN_CLIENT_OK) {
        fail("logout", &e);
        goto out;
    }
    printf("logout ok\n");
    rc = 0;
out:
    cn_client_free(c2);
    cn_client_free(c);
    return rc;
}

/* Log in on a server with idle-timeout-ms idle_ms, wait until it closed the
 * connection, keep writing: an error, not SIGPIPE.  0 or 1. */
static int after_idle(const cn_client_options *o, const char *login, const char *pw, long idle_ms) {
    cn_client *c = NULL;
    cn_client_error e;
    cn_client_session s;
    int rc = 1;
    if (cn_client_connect(o, &c, &e) != CN_CLIENT_OK) {
        fail("connect 3", &e);
    } else if (cn_client_login(c, login, pw, &s, &e) != CN_CLIENT_OK) {
        fail("login 3", &e);
    } else {
        long ms = idle_ms + 1000;
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        int sent = 0;
        uint32_t id;
        while (sent < 1000 && cn_client_send_raw(c, "match.mine", NULL, 0, &id, &e) == CN_CLIENT_OK) sent++;
        if (sent == 1000 && cn_client_recv(c, &id, NULL, &e) == CN_CLIENT_OK) {
            printf("FAIL the idle connection still answers\n");
        } else {
            printf("after idle close: %s error after %d writes, no SIGPIPE\n", cn_client_errkind_name(e.kind), sent);
            rc = 0;
        }
    }
    cn_client_free(c);
    return rc;
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: link_example HOST PORT CA LOGIN [IDLE_MS]\n");
        return 2;
    }
    char pw[256];
    if (fgets(pw, sizeof(pw), stdin) == NULL) return 2;
    pw[strcspn(pw, "\n")] = '\0';
    cn_client_options o;
    cn_client_options_init(&o);
    o.host = argv[1];
    o.port = (uint16_t)atoi(argv[2]);
    o.ca_file = argv[3];
    o.timeout_ms = 10000;
    if (argc == 6) return after_idle(&o, argv[4], pw, atol(argv[5]));
    return basic(&o, argv[4], pw);
}
