/* srv.c — the listeners: the TLS context (reloaded on SIGHUP), the TLS
 * listener on TCP and the plaintext unix socket for local administration;
 * an accepted socket goes to conn.c, which owns it from then on.  Also the
 * server's start, graceful stop and free.  See server.h for who calls
 * whom and conn.c for a connection's states.
 */
#include "server/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/log.h"

/* ---------------------------------------------------------------- TLS */

/* ALPN: "http/1.1" when the client offers it (browsers do), so that the
 * connection is told apart as HTTP (conn.c, conn_kind_decide); no ALPN
 * otherwise (the binary protocol's clients offer none). */
static int tls_alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg) {
    (void)ssl;
    (void)arg;
    static const unsigned char ours[] = "\x08http/1.1";
    unsigned char *sel;
    if (SSL_select_next_proto(&sel, outlen, ours, sizeof ours - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *tls_ctx_new(const cfg *c, char *err, size_t errlen) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        snprintf(err, errlen, "SSL_CTX_new failed");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, c->tls_min_version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION);
    long opts = SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                SSL_OP_NO_COMPRESSION;
    if (!c->tls_session_tickets) {
        opts |= SSL_OP_NO_TICKET;
        SSL_CTX_set_num_tickets(ctx, 0);
    }
    SSL_CTX_set_options(ctx, opts);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"coachnetd", 9);
    SSL_CTX_set_alpn_select_cb(ctx, tls_alpn_cb, NULL);
    if (SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert_file) != 1) {
        snprintf(err, errlen, "cannot load tls-cert-file %s: %s", c->tls_cert_file,
                 ERR_reason_error_string(ERR_get_error()));
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, c->tls_key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(err, errlen, "cannot load tls-key-file %s (or it does not match the certificate): %s", c->tls_key_file,
                 ERR_reason_error_string(ERR_get_error()));
        goto fail;
    }
    if (c->tls_ca_file[0]) {
        if (SSL_CTX_load_verify_locations(ctx, c->tls_ca_file, NULL) != 1) {
            snprintf(err, errlen, "cannot load tls-ca-file %s: %s", c->tls_ca_file,
                     ERR_reason_error_string(ERR_get_error()));
            goto fail;
        }
        if (c->tls_auth_clients) {
            STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(c->tls_ca_file);
            if (names) SSL_CTX_set_client_CA_list(ctx, names);
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        }
    }
    ERR_clear_error();
    return ctx;
fail:
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return NULL;
}

int srv_reload_tls(server *s, char *err, size_t errlen) {
    if (s->cfg->port == 0) return 0;
    SSL_CTX *ctx = tls_ctx_new(s->cfg, err, errlen);
    if (!ctx) return -1;
    /* Connections hold their own reference through their SSL. */
    SSL_CTX_free(s->ssl_ctx);
    s->ssl_ctx = ctx;
    return 0;
}

/* ---------------------------------------------------------- listeners */

static void peer_name(const struct sockaddr *sa, char *out, size_t outlen) {
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        port = ntohs(in6->sin6_port);
    } else {
        snprintf(out, outlen, "unix");
        return;
    }
    snprintf(out, outlen, "%s:%d", ip, port);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg) {
    (void)salen;
    server *s = arg;
    char peer[64];
    peer_name(sa, peer, sizeof peer);
    conn_accept(s, fd, peer, l != s->unix_l);
}

static void accept_error_cb(struct evconnlistener *l, void *arg) {
    (void)l;
    (void)arg;
    log_warn("accept: %s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* ------------------------------------------------------ init, shutdown */

/* Remove the unix socket file, only if it is still the one this process
 * bound: a later instance may have replaced a file it found dead. */
static void unix_unlink_own(server *s) {
    struct stat st;
    if (!s->unix_ino || lstat(s->cfg->unixsocket, &st) || (unsigned long long)st.st_dev != s->unix_dev ||
        (unsigned long long)st.st_ino != s->unix_ino)
        return;
    unlink(s->cfg->unixsocket);
    s->unix_ino = 0;
}

/* Bind the unix socket at path into *fd (non-blocking), mode 0700.
 *
 * The path may hold the socket of a live coachnetd (another instance, on
 * another port or with another pidfile): taking it over would cut that
 * instance's administrators off, and its exit would later remove ours.  So
 * the path is bound as it is; when it exists, a connect() tells a live
 * listener (refused: -1, errno EADDRINUSE) from a file left by a process
 * that died (ECONNREFUSED: removed, bound again).  A path that is not a
 * socket is never removed.  Returns 0 or -1 with errno set. */
static int unix_bind(const struct sockaddr_un *sun, int *fd) {
    for (int attempt = 0;; attempt++) {
        int sfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (sfd < 0) return -1;
        mode_t old = umask(0077); /* owner only: the socket is for local admins */
        int rc = bind(sfd, (const struct sockaddr *)sun, sizeof *sun);
        umask(old);
        if (rc == 0) {
            *fd = sfd;
            return 0;
        }
        int bind_errno = errno;
        close(sfd);
        struct stat st;
        if (bind_errno != EADDRINUSE || attempt > 0 || lstat(sun->sun_path, &st) || !S_ISSOCK(st.st_mode)) {
            errno = bind_errno;
            return -1;
        }
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe < 0) return -1;
        int live = connect(probe, (const struct sockaddr *)sun, sizeof *sun) == 0 || errno != ECONNREFUSED;
        close(probe);
        if (live) {
            errno = EADDRINUSE;
            return -1;
        }
        if (unlink(sun->sun_path) && errno != ENOENT) return -1;
    }
}

static int listen_unix(server *s, char *err, size_t errlen) {
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    if (strlen(s->cfg->unixsocket) >= sizeof sun.sun_path) {
        snprintf(err, errlen, "unixsocket path too long");
        return -1;
    }
    strcpy(sun.sun_path, s->cfg->unixsocket);
    int fd;
    if (unix_bind(&sun, &fd)) {
        if (errno == EADDRINUSE)
            snprintf(err, errlen, "unix socket %s: another process is listening on it (another coachnetd?)",
                     sun.sun_path);
        else
            snprintf(err, errlen, "cannot listen on unix socket %s: %s", sun.sun_path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(sun.sun_path, &st) == 0) {
        s->unix_dev = (unsigned long long)st.st_dev;
        s->unix_ino = (unsigned long long)st.st_ino;
    }
    s->unix_l = evconnlistener_new(s->base, accept_cb, s, LEV_OPT_CLOSE_ON_FREE, 128, fd);
    if (!s->unix_l) {
        snprintf(err, errlen, "cannot listen on unix socket %s: %s", sun.sun_path, strerror(errno));
        close(fd);
        unix_unlink_own(s);
        return -1;
    }
    evconnlistener_set_error_cb(s->unix_l, accept_error_cb);
    return 0;
}

static int listen_tcp(server *s, char *err, size_t errlen) {
    struct sockaddr_storage ss;
    int sslen = sizeof ss;
    char addr[128];
    snprintf(addr, sizeof addr, strchr(s->cfg->bind, ':') ? "[%s]:%d" : "%s:%d", s->cfg->bind, s->cfg->port);
    memset(&ss, 0, sizeof ss);
    if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &sslen) != 0) {
        snprintf(err, errlen, "bind: '%s' is not an IP address", s->cfg->bind);
        return -1;
    }
    s->tls_l = evconnlistener_new_bind(s->base, accept_cb, s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 511,
                                       (struct sockaddr *)&ss, sslen);
    if (!s->tls_l) {
        snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(errno));
        return -1;
    }
    evconnlistener_set_error_cb(s->tls_l, accept_error_cb);
    return 0;
}

int srv_init(server *s, cfg *c, struct event_base *base, srv_frame_fn *dispatch, char *err, size_t errlen) {
    s->cfg = c;
    s->base = base;
    s->dispatch = dispatch;
    metrics_init(&s->mx);
    proto_limits_default(&s->lim);
    s->lim.max_frame = (uint32_t)c->max_frame;
    if (conn_table_init(s)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (c->port != 0) {
        s->ssl_ctx = tls_ctx_new(c, err, errlen);
        if (!s->ssl_ctx) return -1;
        if (listen_tcp(s, err, errlen)) return -1;
    }
    if (c->unixsocket[0] && listen_unix(s, err, errlen)) return -1;
    return 0;
}

void srv_shutdown(server *s) {
    if (s->stopping) return;
    s->stopping = 1;
    if (s->tls_l) {
        evconnlistener_free(s->tls_l);
        s->tls_l = NULL;
    }
    if (s->unix_l) {
        evconnlistener_free(s->unix_l);
        s->unix_l = NULL;
        unix_unlink_own(s);
    }
    conn_shutdown(s);
}

void srv_free(server *s) {
    conn_table_free(s);
    if (s->tls_l) evconnlistener_free(s->tls_l);
    if (s->unix_l) {
        evconnlistener_free(s->unix_l);
        unix_unlink_own(s);
    }
    SSL_CTX_free(s->ssl_ctx);
}
