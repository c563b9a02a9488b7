/*
 * main.c -- `coachnet`, the command-line client of coachnetd.
 *
 * main() parses the command line, finds the command, and maps every failure
 * to one of the documented exit codes (cli.h, clients/README.md).  The
 * connection helpers here are shared by all commands: cli_connect() opens a
 * TLS connection from the global options, cli_connect_session() also
 * resumes the session saved by `coachnet login`.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "clients/cli/cli.h"

int cli_usage_error(const char *fmt, ...) {
    va_list ap;
    fputs("coachnet: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(see coachnet --help)\n", stderr);
    return CLI_EXIT_USAGE;
}

int cli_args_ok(const cli_ctx *x, cli_optset allowed, const char *cmd, int min, int max, const char *usage) {
    char err[CLI_ERRLEN];
    if (cli_check_allowed(x->o, allowed, cmd, err, sizeof(err))) {
        cli_usage_error("%s", err);
        return 0;
    }
    if (x->o->nargs < min || x->o->nargs > max) {
        cli_usage_error("usage: coachnet %s", usage);
        return 0;
    }
    return 1;
}

int cli_bad_result(const char *what, const proto_error *pe) {
    fprintf(stderr, "coachnet: %s: the server's result does not decode: %s: %s\n", what, pe->field, pe->message);
    return CLI_EXIT_CONNECT;
}

int cli_fail(const char *what, const cn_client_error *err) {
    if (err->kind == CN_CLIENT_E_SERVER) {
        fprintf(stderr, "coachnet: %s: %s: %s", what, err->code, err->message);
        if (err->field[0]) fprintf(stderr, " (field %s)", err->field);
        fputc('\n', stderr);
        if (strcmp(err->code, "unauthenticated") == 0 || strcmp(err->code, "forbidden") == 0) return CLI_EXIT_AUTH;
        return CLI_EXIT_SERVER;
    }
    fprintf(stderr, "coachnet: %s: %s\n", what, err->message);
    switch (err->kind) {
    case CN_CLIENT_E_USAGE: return CLI_EXIT_USAGE;
    case CN_CLIENT_E_CONNECT:
    case CN_CLIENT_E_IO:
    case CN_CLIENT_E_TIMEOUT:
    case CN_CLIENT_E_PROTOCOL:
    case CN_CLIENT_E_CLOSED: return CLI_EXIT_CONNECT;
    default: return CLI_EXIT_SERVER;
    }
}

void cli_emit(const cli_ctx *x, const msgpack_object *o) {
    if (x->o->json)
        cli_print_json(stdout, o);
    else
        cli_print_obj(stdout, o, 0);
}

int cli_connect(cli_ctx *x) {
    cn_client_options co;
    cn_client_options_init(&co);
    co.host = x->o->host;
    co.port = (uint16_t)x->o->port;
    co.ca_file = x->o->ca;
    co.cert_file = x->o->cert;
    co.key_file = x->o->key;
    co.sni = x->o->sni;
    co.unix_path = x->o->unix_path;
    co.timeout_ms = x->o->timeout_ms;
    co.connect_timeout_ms = x->o->timeout_ms; /* --timeout bounds the handshake too */
    cn_client_error err;
    if (cn_client_connect(&co, &x->c, &err) != CN_CLIENT_OK) {
        char what[300];
        if (x->o->unix_path)
            snprintf(what, sizeof(what), "%s", x->o->unix_path);
        else
            snprintf(what, sizeof(what), "%s:%d", x->o->host, x->o->port);
        return cli_fail(what, &err);
    }
    return CLI_EXIT_OK;
}

/* The name under which a session is saved: host:port or the unix path. */
static void server_id(const cli_opts *o, char *host, size_t len, int *port) {
    snprintf(host, len, "%s", o->unix_path ? o->unix_path : o->host);
    *port = o->unix_path ? 1 : o->port;
}

/* "host:port", or the socket's path (server_id's port 1 with a path). */
static const char *server_where(const char *host, int port, char *buf, size_t len) {
    if (host[0] == '/' && port == 1)
        snprintf(buf, len, "%s", host);
    else
        snprintf(buf, len, "%s:%d", host, port);
    return buf;
}

int cli_connect_session(cli_ctx *x) {
    char err[CLI_ERRLEN];
    int r = cli_token_load(x->token_path, &x->session, err, sizeof(err));
    if (r < 0) {
        fprintf(stderr, "coachnet: %s\n", err);
        return CLI_EXIT_AUTH;
    }
    char host[256];
    int port;
    server_id(x->o, host, sizeof(host), &port);
    if (r == 0 || strcmp(x->session.host, host) != 0 || x->session.port != port) {
        char where[300];
        fprintf(stderr, "coachnet: not logged in to %s: run `coachnet login LOGIN` first\n",
                server_where(host, port, where, sizeof where));
        return CLI_EXIT_AUTH;
    }
    int rc = cli_connect(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_client_session s;
    cn_client_error e;
    if (cn_client_resume(x->c, x->session.token, &s, &e) != CN_CLIENT_OK) {
        if (e.kind == CN_CLIENT_E_SERVER && strcmp(e.code, "unauthenticated") == 0) {
            fprintf(stderr,
                    "coachnet: the session of %s has expired or was closed: "
                    "run `coachnet login %s` again\n",
                    x->session.login, x->session.login);
            return CLI_EXIT_AUTH;
        }
        return cli_fail("resume session", &e);
    }
    /* The server is the authority on role and subject. */
    snprintf(x->session.role, sizeof(x->session.role), "%s", s.role);
    snprintf(x->session.subject, sizeof(x->session.subject), "%s", s.subject);
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* login / logout / whoami                                                 */
/* ---------------------------------------------------------------------- */

/* The terminal's settings while the password prompt has echo off: a
 * signal that ends the process there (Ctrl-C, a closed terminal, kill)
 * puts them back first, as getpass does; it left the user's shell without
 * echo.  tcsetattr, sigaction and raise are async-signal-safe. */
static struct termios pw_tty;
static const int pw_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void pw_signal(int sig) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &pw_tty);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

/* Read the password: from the terminal without echo when stdin is a tty,
 * else the first line of stdin. */
int cli_read_password(char *buf, size_t len) {
    int tty = isatty(STDIN_FILENO);
    struct termios noecho;
    struct sigaction restore[sizeof pw_signals / sizeof pw_signals[0]];
    if (tty) {
        fputs("Password: ", stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &pw_tty) == 0) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = pw_signal;
            sigemptyset(&sa.sa_mask);
            for (size_t i = 0; i < sizeof pw_signals / sizeof pw_signals[0]; i++)
                sigaction(pw_signals[i], &sa, &restore[i]);
            noecho = pw_tty;
            noecho.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
        } else {
            tty = 0;
        }
    }
    char *r = fgets(buf, (int)len, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &pw_tty);
        for (size_t i = 0; i < sizeof pw_signals / sizeof pw_signals[0]; i++)
            sigaction(pw_signals[i], &restore[i], NULL);
        fputc('\n', stderr);
    }
    if (r == NULL) return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int cmd_login(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (cli_check_allowed(x->o, 0, "login", err, sizeof(err))) return cli_usage_error("%s", err);
    if (x->o->nargs != 2) return cli_usage_error("usage: coachnet login LOGIN");
    const char *login = x->o->args[1];
    char pw[1024];
    if (cli_read_password(pw, sizeof(pw)) != 0 || pw[0] == '\0')
        return cli_usage_error("login: no password given on stdin");
    int rc = cli_connect(x);
    if (rc != CLI_EXIT_OK) {
        explicit_bzero(pw, sizeof(pw));
        return rc;
    }
    cn_client_session s;
    cn_client_error e;
    int r = cn_client_login(x->c, login, pw, &s, &e);
    explicit_bzero(pw, sizeof(pw));
    if (r != CN_CLIENT_OK) {
        rc = cli_fail("login", &e);
        if (e.kind == CN_CLIENT_E_SERVER && strcmp(e.code, "invalid_params") == 0 && strcmp(e.field, "password") == 0)
            rc = CLI_EXIT_AUTH;
        return rc;
    }
    cli_token t;
    memset(&t, 0, sizeof(t));
    server_id(x->o, t.host, sizeof(t.host), &t.port);
    snprintf(t.login, sizeof(t.login), "%s", login);
    snprintf(t.role, sizeof(t.role), "%s", s.role);
    snprintf(t.subject, sizeof(t.subject), "%s", s.subject);
    snprintf(t.token, sizeof(t.token), "%s", s.token);
    if (cli_token_save(x->token_path, &t, err, sizeof(err)) != 0) {
        fprintf(stderr, "coachnet: login succeeded but the session cannot be saved: %s\n", err);
        return CLI_EXIT_INPUT;
    }
    int64_t expires_in = s.expires_in;
    explicit_bzero(&s, sizeof(s));
    explicit_bzero(&t.token, sizeof(t.token));
    if (x->o->json) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:I}", "login", login, "role", t.role, "subject", t.subject,
                              "expires_in", (json_int_t)expires_in);
        cli_print_json_new(j);
    } else {
        printf("logged in as %s (%s%s%s)\n", login, t.role, t.subject[0] ? " " : "", t.subject);
    }
    return CLI_EXIT_OK;
}

static int cmd_logout(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (cli_check_allowed(x->o, 0, "logout", err, sizeof(err))) return cli_usage_error("%s", err);
    if (x->o->nargs != 1) return cli_usage_error("usage: coachnet logout");
    cli_token t;
    int r = cli_token_load(x->token_path, &t, err, sizeof(err));
    if (r == 0) {
        if (!x->o->json) printf("not logged in\n");
        return CLI_EXIT_OK;
    }
    /* The file goes only once its session is ended on the server (or found
     * gone there): removing it otherwise would throw away the one token
     * that can end a session still valid. */
    if (r < 0) {
        fprintf(stderr, "coachnet: %s: the session was not ended (fix or remove the file)\n", err);
        return CLI_EXIT_AUTH;
    }
    char host[256], where[300], theirs[300];
    int port;
    server_id(x->o, host, sizeof(host), &port);
    if (strcmp(t.host, host) != 0 || t.port != port) {
        fprintf(stderr, "coachnet: the session in %s is of %s, not of %s: log out with that server's address\n",
                x->token_path, server_where(t.host, t.port, theirs, sizeof theirs),
                server_where(host, port, where, sizeof where));
        return CLI_EXIT_AUTH;
    }
    int rc = cli_connect_session(x);
    if (rc == CLI_EXIT_AUTH) {
        rc = CLI_EXIT_OK; /* resume said unauthenticated: already gone on the server */
    } else if (rc == CLI_EXIT_OK) {
        cn_client_error e;
        if (cn_client_logout(x->c, &e) != CN_CLIENT_OK) rc = cli_fail("logout", &e);
    }
    if (rc != CLI_EXIT_OK) {
        fprintf(stderr, "coachnet: the session was not ended; %s is kept: run logout again\n", x->token_path);
        return rc;
    }
    if (cli_token_remove(x->token_path, err, sizeof(err)) != 0) {
        fprintf(stderr, "coachnet: %s\n", err);
        return CLI_EXIT_INPUT;
    }
    if (rc == CLI_EXIT_OK && !x->o->json) printf("logged out\n");
    return rc;
}

static int cmd_whoami(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (cli_check_allowed(x->o, 0, "whoami", err, sizeof(err))) return cli_usage_error("%s", err);
    int rc = cli_connect_session(x);
    if (rc != CLI_EXIT_OK) return rc;
    if (x->o->json) {
        json_t *j = json_pack("{s:s, s:s, s:s}", "login", x->session.login, "role", x->session.role, "subject",
                              x->session.subject);
        cli_print_json_new(j);
    } else {
        printf("%s (%s%s%s)\n", x->session.login, x->session.role, x->session.subject[0] ? " " : "",
               x->session.subject);
    }
    return CLI_EXIT_OK;
}

/* server.info: needs no session.  The clock difference is the server's
 * time minus this machine's when the answer came (whole seconds). */
static int cmd_info(cli_ctx *x) {
    char err[CLI_ERRLEN];
    if (cli_check_allowed(x->o, 0, "info", err, sizeof(err))) return cli_usage_error("%s", err);
    if (x->o->nargs != 1) return cli_usage_error("usage: coachnet info");
    int rc = cli_connect(x);
    if (rc != CLI_EXIT_OK) return rc;
    cn_api_server_info_params p = { 0 };
    cn_client_result *r;
    cn_client_error e;
    if (cn_api_server_info(x->c, &p, &r, &e) != CN_CLIENT_OK) return cli_fail("server.info", &e);
    const msgpack_object *o = cn_client_result_obj(r);
    proto_server_info si;
    proto_error pe;
    if (proto_server_info_decode(o, "", &si, &pe) != PROTO_OK) {
        cn_client_result_free(r);
        return cli_bad_result("server.info", &pe);
    }
    if (x->o->json) {
        cli_emit(x, o);
    } else {
        char when[32];
        time_t t = (time_t)si.time;
        struct tm tm;
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        printf("coachnetd %s, protocol %lld, server time %s (%+lld s from this machine)\n", si.version,
               (long long)si.protocol, when, (long long)(si.time - (int64_t)time(NULL)));
    }
    cn_client_result_free(r);
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* dispatch                                                                */
/* ---------------------------------------------------------------------- */

const cli_command cli_cmds_session[] = {
    { "login", cmd_login, CLI_SEC_EVERYONE,
      "login LOGIN                 password from stdin (prompted without echo on a tty)" },
    { "logout", cmd_logout, CLI_SEC_EVERYONE, "logout | whoami" },
    { "whoami", cmd_whoami, CLI_SEC_EVERYONE, NULL },
    { "info", cmd_info, CLI_SEC_EVERYONE, "info                        the server's version, protocol and clock" },
    { NULL, NULL, 0, NULL },
};

/* Every command table, in the order their help lines appear per section. */
static const cli_command *const tables[] = { cli_cmds_session, cli_cmds_profile, cli_cmds_program, cli_cmds_match,
                                             cli_cmds_coord,   cli_cmds_run,     cli_cmds_mail,    NULL };

static const cli_command *command_find(const char *name) {
    for (const cli_command *const *t = tables; *t; t++)
        for (const cli_command *c = *t; c->name; c++)
            if (c->fn && strcmp(c->name, name) == 0) return c;
    return NULL;
}

void cli_usage(FILE *f) {
    static const char *const sections[CLI_SEC__COUNT] = {
        [CLI_SEC_EVERYONE] = "everyone",
        [CLI_SEC_SIDES] = "mentees and coaches",
        [CLI_SEC_MENTEES] = "mentees",
        [CLI_SEC_COORDINATORS] = "coordinators",
        [CLI_SEC_ADMINS] = "administrators (coordinators for mentee/coach users)",
    };
    cli_usage_options(f);
    for (int sec = 0; sec < CLI_SEC__COUNT; sec++) {
        fprintf(f, "%s:\n", sections[sec]);
        for (const cli_command *const *t = tables; *t; t++)
            for (const cli_command *c = *t; c->name; c++) {
                if (c->section != (cli_section)sec || !c->usage) continue;
                for (const char *l = c->usage; *l;) {
                    size_t n = strcspn(l, "\n");
                    fprintf(f, "  %.*s\n", (int)n, l);
                    l += n + (l[n] == '\n');
                }
            }
    }
    fputs("\n"
          "exit codes: 0 ok, 1 usage, 2 connection/TLS/timeout, 3 authentication or\n"
          "permission, 4 other server error, 5 input file error (or rejected import rows)\n",
          f);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN); /* a closed connection is an error return, not a signal */
    cli_opts o;
    char err[CLI_ERRLEN];
    if (cli_parse(argc, argv, &o, err, sizeof(err)) != 0) return cli_usage_error("%s", err);
    if (o.help) {
        cli_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (o.version) {
        printf("coachnet %s\n", CN_CLIENT_VERSION);
        return CLI_EXIT_OK;
    }
    if (o.nargs == 0) {
        cli_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const cli_command *cmd = command_find(o.args[0]);
    if (cmd == NULL) return cli_usage_error("unknown command '%s'", o.args[0]);
    cli_ctx x;
    memset(&x, 0, sizeof(x));
    x.o = &o;
    if (cli_token_path(o.token_file, x.token_path, sizeof(x.token_path)) != 0)
        return cli_usage_error("no session file: set HOME or COACHNET_TOKEN_FILE");
    int rc = cmd->fn(&x);
    cn_client_free(x.c);
    explicit_bzero(&x.session, sizeof(x.session));
    fflush(stdout);
    return rc;
}
