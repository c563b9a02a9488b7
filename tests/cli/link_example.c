/*
 * link_example.c -- a minimal libcoachnet application, built by
 * tests/cli/run-cli-tests with nothing but `pkg-config libcoachnet` (the
 * archive must be self-contained: libcoachnet + libproto) and run against the
 * real coachnetd over TLS.
 *
 *   link_example HOST PORT CA LOGIN      (password on stdin)
 *
 * Logs in, resumes the session on a second connection, calls user.disable
 * for a login that does not exist (expects not_found with the connection still
 * usable), logs out.  Prints one line per step; exits 0 when all went as
 * expected, 1 otherwise.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coachnet.h>

static int fail(const char *what, const cn_client_error *e) {
    printf("FAIL %s: %s %s %s %s\n", what, cn_client_errkind_name(e->kind), e->code, e->message,
           e->field);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: link_example HOST PORT CA LOGIN\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char pw[256];
    if (fgets(pw, sizeof(pw), stdin) == NULL) return 2;
    pw[strcspn(pw, "\n")] = '\0';
    cn_client_options o;
    cn_client_options_init(&o);
    o.host = argv[1];
    o.port = (uint16_t)atoi(argv[2]);
    o.ca_file = argv[3];
    o.timeout_ms = 10000;
    cn_client *c, *c2;
    cn_client_error e;
    cn_client_session s, s2;
    if (cn_client_connect(&o, &c, &e) != CN_CLIENT_OK) return fail("connect", &e);
    if (cn_client_login(c, argv[4], pw, &s, &e) != CN_CLIENT_OK) return fail("login", &e);
    printf("login %s role %s expires_in %lld\n", argv[4], s.role, (long long)s.expires_in);
    if (cn_client_connect(&o, &c2, &e) != CN_CLIENT_OK) return fail("connect 2", &e);
    if (cn_client_resume(c2, s.token, &s2, &e) != CN_CLIENT_OK) return fail("resume", &e);
    printf("resume login %s role %s\n", s2.login, s2.role);
    if (cn_client_user_disable(c2, "no-such-user", &e) == CN_CLIENT_OK) {
        printf("FAIL user.disable of a missing user succeeded\n");
        return 1;
    }
    printf("user.disable: %s %s (%s)\n", cn_client_errkind_name(e.kind), e.code,
           cn_client_is_connected(c2) ? "still connected" : "closed");
    if (e.kind != CN_CLIENT_E_SERVER || strcmp(e.code, "not_found") != 0 ||
        !cn_client_is_connected(c2))
        return 1;
    if (cn_client_logout(c2, &e) != CN_CLIENT_OK) return fail("logout", &e);
    printf("logout ok\n");
    cn_client_free(c2);
    cn_client_free(c);
    return 0;
}
