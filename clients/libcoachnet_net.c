/*
 * libcoachnet_net.c -- the transport of libcoachnet: TCP + TLS (or a unix
 * socket) on a non-blocking descriptor, every wait done with poll(2) against
 * an absolute deadline.
 *
 * Why non-blocking with poll rather than SO_RCVTIMEO: a TLS record may need
 * several reads and writes (handshake, post-handshake tickets), and a
 * per-syscall timeout would let a slow server stretch one call without bound.
 * With a deadline the caller's timeout is the whole call's budget.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "clients/libcoachnet_private.h"

int64_t cn_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cn_seterr(cn_client_error *err, cn_client_errkind kind, const char *fmt, ...) {
    if (err == NULL) return CN_CLIENT_ERR;
    va_list ap;
    err->kind = kind;
    err->code[0] = '\0';
    err->field[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return CN_CLIENT_ERR;
}

/* The first queued OpenSSL error as text (or `fallback`), clearing the queue. */
static const char *ssl_errstr(char *buf, size_t len, const char *fallback) {
    unsigned long e = ERR_get_error();
    if (e == 0) {
        snprintf(buf, len, "%s", fallback);
    } else {
        ERR_error_string_n(e, buf, len);
    }
    ERR_clear_error();
    return buf;
}

/* OpenSSL writes to the socket with write(2), which raises SIGPIPE when the
 * peer has gone.  A library must not kill its host for that, nor change its
 * signal dispositions: so around each TLS write SIGPIPE is blocked in this
 * thread, and a SIGPIPE that the write raised (and only that one) is taken
 * out of the pending set before the old mask comes back.  (libcurl's way.) */
typedef struct sigpipe_guard {
    sigset_t old;
    int was_pending;
} sigpipe_guard;

static void sigpipe_block(sigpipe_guard *g) {
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE);
}

static void sigpipe_restore(const sigpipe_guard *g) {
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    if (!g->was_pending && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = { 0, 0 };
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* Wait until fd is ready for `events` or the deadline passes.
 * Returns 1 ready, 0 timeout, -1 error (errno). */
static int wait_fd(int fd, short events, int64_t deadline) {
    for (;;) {
        int64_t left = deadline - cn_now_ms();
        if (left <= 0) return 0;
        struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
        int r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (r > 0) return 1;
        if (r < 0 && errno != EINTR) return -1;
    }
}

static int set_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* connect(2) with a deadline on an already non-blocking socket. */
static int connect_fd(int fd, const struct sockaddr *sa, socklen_t salen, int64_t deadline, int *err_no) {
    if (connect(fd, sa, salen) == 0) return 0;
    if (errno != EINPROGRESS) {
        *err_no = errno;
        return -1;
    }
    int r = wait_fd(fd, POLLOUT, deadline);
    if (r == 0) {
        *err_no = ETIMEDOUT;
        return -1;
    }
    if (r < 0) {
        *err_no = errno;
        return -1;
    }
    int soerr = 0;
    socklen_t l = sizeof(soerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) < 0) soerr = errno;
    if (soerr != 0) {
        *err_no = soerr;
        return -1;
    }
    return 0;
}

static int connect_unix(cn_net *n, const char *path, int64_t deadline, cn_client_error *err) {
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun.sun_path))
        return cn_seterr(err, CN_CLIENT_E_USAGE, "unix socket path too long: %s", path);
    memcpy(sun.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || set_nonblock(fd) < 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        return cn_seterr(err, CN_CLIENT_E_CONNECT, "socket: %s", strerror(e));
    }
    int e = 0;
    if (connect_fd(fd, (struct sockaddr *)&sun, sizeof(sun), deadline, &e) < 0) {
        close(fd);
        return cn_seterr(err, CN_CLIENT_E_CONNECT, "cannot connect to %s: %s", path, strerror(e));
    }
    n->fd = fd;
    return CN_CLIENT_OK;
}

/* Resolve host:port and connect to the first address that answers. */
static int connect_tcp(cn_net *n, const char *host, uint16_t port, int64_t deadline, cn_client_error *err) {
    char portstr[8];
    snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) return cn_seterr(err, CN_CLIENT_E_CONNECT, "cannot resolve %s: %s", host, gai_strerror(gai));
    int last = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        if (set_nonblock(fd) < 0 || connect_fd(fd, ai->ai_addr, ai->ai_addrlen, deadline, &last) < 0) {
            if (last == 0) last = errno;
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        n->fd = fd;
        freeaddrinfo(res);
        return CN_CLIENT_OK;
    }
    freeaddrinfo(res);
    return cn_seterr(err, CN_CLIENT_E_CONNECT, "cannot connect to %s:%u: %s", host, (unsigned)port, strerror(last));
}

static int is_ip_literal(const char *s) {
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Build the TLS context: TLS >= 1.2, no renegotiation, peer verification
 * against ca_file (or the system store), optional client certificate. */
static int make_ctx(cn_net *n, const cn_client_options *o, cn_client_error *err) {
    char eb[256];
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) return cn_seterr(err, CN_CLIENT_E_NOMEM, "SSL_CTX_new: %s", ssl_errstr(eb, sizeof(eb), "failed"));
    n->ctx = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* The server is always verified: there is no switch to turn it off. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    int ok = o->ca_file ? SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL) : SSL_CTX_set_default_verify_paths(ctx);
    if (ok != 1)
        return cn_seterr(err, CN_CLIENT_E_CONNECT, "cannot load CA file %s: %s", o->ca_file ? o->ca_file : "(system)",
                         ssl_errstr(eb, sizeof(eb), "unreadable"));
    if (o->cert_file) {
        const char *key = o->key_file ? o->key_file : o->cert_file;
        if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1)
            return cn_seterr(err, CN_CLIENT_E_CONNECT, "cannot load client certificate %s: %s", o->cert_file,
                             ssl_errstr(eb, sizeof(eb), "unreadable"));
        if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
            return cn_seterr(err, CN_CLIENT_E_CONNECT, "cannot load client key %s: %s", key,
                             ssl_errstr(eb, sizeof(eb), "unreadable"));
        if (SSL_CTX_check_private_key(ctx) != 1)
            return cn_seterr(err, CN_CLIENT_E_CONNECT, "client key %s does not match %s", key, o->cert_file);
    }
    return CN_CLIENT_OK;
}

/* Run the TLS handshake to completion or the deadline. */
static int handshake(cn_net *n, const cn_client_options *o, int64_t deadline, cn_client_error *err) {
    char eb[256];
    const char *name = o->sni ? o->sni : o->host;
    n->ssl = SSL_new(n->ctx);
    if (n->ssl == NULL || SSL_set_fd(n->ssl, n->fd) != 1)
        return cn_seterr(err, CN_CLIENT_E_NOMEM, "SSL_new: %s", ssl_errstr(eb, sizeof(eb), "failed"));
    /* The certificate must name the host (or the SNI name): a failure to
     * set the expected name must not leave the check out.  Only in its
     * subjectAltName (RFC 6125 §6.4.4, the CA/Browser rules): OpenSSL
     * would otherwise take a CN when the certificate has no DNS name. */
    SSL_set_hostflags(n->ssl, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    int named = is_ip_literal(name) ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(n->ssl), name)
                                    : SSL_set_tlsext_host_name(n->ssl, name) == 1 && SSL_set1_host(n->ssl, name) == 1;
    if (!named) return cn_seterr(err, CN_CLIENT_E_CONNECT, "cannot verify against server name '%s'", name);
    for (;;) {
        ERR_clear_error();
        int r = SSL_connect(n->ssl);
        if (r == 1) return CN_CLIENT_OK;
        int e = SSL_get_error(n->ssl, r);
        short ev;
        if (e == SSL_ERROR_WANT_READ) {
            ev = POLLIN;
        } else if (e == SSL_ERROR_WANT_WRITE) {
            ev = POLLOUT;
        } else {
            long v = SSL_get_verify_result(n->ssl);
            if (v != X509_V_OK)
                return cn_seterr(err, CN_CLIENT_E_CONNECT, "TLS: server certificate not accepted: %s",
                                 X509_verify_cert_error_string(v));
            return cn_seterr(err, CN_CLIENT_E_CONNECT, "TLS handshake failed: %s",
                             ssl_errstr(eb, sizeof(eb),
                                        e == SSL_ERROR_SYSCALL ? "connection closed by the server" : "protocol error"));
        }
        int w = wait_fd(n->fd, ev, deadline);
        if (w == 0) return cn_seterr(err, CN_CLIENT_E_TIMEOUT, "TLS handshake timed out");
        if (w < 0) return cn_seterr(err, CN_CLIENT_E_CONNECT, "poll: %s", strerror(errno));
    }
}

int cn_net_connect(cn_net *n, const cn_client_options *o, int64_t deadline, cn_client_error *err) {
    int r;
    if (o->unix_path) return connect_unix(n, o->unix_path, deadline, err);
    if (make_ctx(n, o, err) != CN_CLIENT_OK || connect_tcp(n, o->host, o->port, deadline, err) != CN_CLIENT_OK) {
        cn_net_close(n);
        return CN_CLIENT_ERR;
    }
    r = handshake(n, o, deadline, err);
    if (r != CN_CLIENT_OK) cn_net_close(n);
    return r;
}

int cn_net_write(cn_net *n, const void *buf, size_t len, int64_t deadline, cn_client_error *err) {
    const char *p = buf;
    char eb[256];
    while (len > 0) {
        short ev;
        if (n->ssl) {
            ERR_clear_error();
            size_t w = 0;
            sigpipe_guard g;
            sigpipe_block(&g);
            int r = SSL_write_ex(n->ssl, p, len, &w);
            sigpipe_restore(&g);
            if (r == 1) {
                p += w;
                len -= w;
                continue;
            }
            int e = SSL_get_error(n->ssl, r);
            if (e == SSL_ERROR_WANT_WRITE) {
                ev = POLLOUT;
            } else if (e == SSL_ERROR_WANT_READ) {
                ev = POLLIN;
            } else {
                n->broken = 1;
                return cn_seterr(
                    err, CN_CLIENT_E_IO, "TLS write failed: %s",
                    ssl_errstr(eb, sizeof(eb), e == SSL_ERROR_SYSCALL ? strerror(errno) : "connection closed"));
            }
        } else {
            ssize_t w = send(n->fd, p, len, MSG_NOSIGNAL);
            if (w > 0) {
                p += w;
                len -= (size_t)w;
                continue;
            }
            if (w < 0 && errno == EINTR) continue;
            if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                n->broken = 1;
                return cn_seterr(err, CN_CLIENT_E_IO, "write failed: %s", strerror(errno));
            }
            ev = POLLOUT;
        }
        int wr = wait_fd(n->fd, ev, deadline);
        if (wr == 0) return cn_seterr(err, CN_CLIENT_E_TIMEOUT, "timed out sending the request");
        if (wr < 0) return cn_seterr(err, CN_CLIENT_E_IO, "poll: %s", strerror(errno));
    }
    return CN_CLIENT_OK;
}

ssize_t cn_net_read(cn_net *n, void *buf, size_t cap, int64_t deadline, cn_client_error *err) {
    char eb[256];
    for (;;) {
        short ev;
        if (n->ssl) {
            ERR_clear_error();
            size_t got = 0;
            sigpipe_guard g; /* a read may write too (alerts, key updates) */
            sigpipe_block(&g);
            int r = SSL_read_ex(n->ssl, buf, cap, &got);
            sigpipe_restore(&g);
            if (r == 1) return (ssize_t)got;
            int e = SSL_get_error(n->ssl, r);
            if (e == SSL_ERROR_WANT_READ) {
                ev = POLLIN;
            } else if (e == SSL_ERROR_WANT_WRITE) {
                ev = POLLOUT;
            } else if (e == SSL_ERROR_ZERO_RETURN) {
                /* close_notify, or (SSL_OP_IGNORE_UNEXPECTED_EOF) a plain EOF */
                n->broken = 1;
                cn_seterr(err, CN_CLIENT_E_IO, "the server closed the connection");
                return -1;
            } else {
                n->broken = 1;
                cn_seterr(
                    err, CN_CLIENT_E_IO, "TLS read failed: %s",
                    ssl_errstr(eb, sizeof(eb), e == SSL_ERROR_SYSCALL ? "connection reset" : "connection closed"));
                return -1;
            }
        } else {
            ssize_t r = recv(n->fd, buf, cap, 0);
            if (r > 0) return r;
            if (r == 0) {
                cn_seterr(err, CN_CLIENT_E_IO, "the server closed the connection");
                return -1;
            }
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                cn_seterr(err, CN_CLIENT_E_IO, "read failed: %s", strerror(errno));
                return -1;
            }
            ev = POLLIN;
        }
        int w = wait_fd(n->fd, ev, deadline);
        if (w == 0) return 0;
        if (w < 0) {
            cn_seterr(err, CN_CLIENT_E_IO, "poll: %s", strerror(errno));
            return -1;
        }
    }
}

void cn_net_close(cn_net *n) {
    if (n->ssl) {
        /* Best effort: a non-blocking shutdown sends close_notify if the
         * socket has room, and never waits for the peer's.  Not on a broken
         * stream (OpenSSL: no SSL_shutdown after a fatal error). */
        if (n->fd >= 0 && !n->broken && SSL_is_init_finished(n->ssl)) {
            sigpipe_guard g;
            sigpipe_block(&g);
            SSL_shutdown(n->ssl);
            sigpipe_restore(&g);
        }
        SSL_free(n->ssl);
        n->ssl = NULL;
    }
    if (n->ctx) {
        SSL_CTX_free(n->ctx);
        n->ctx = NULL;
    }
    if (n->fd >= 0) {
        close(n->fd);
        n->fd = -1;
    }
    ERR_clear_error();
}
