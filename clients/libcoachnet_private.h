/*
 * libcoachnet_private.h -- shared between the libcoachnet*.c files only.
 * Not installed; applications include clients/coachnet.h.
 */
#ifndef LIBCOACHNET_PRIVATE_H
#define LIBCOACHNET_PRIVATE_H

#include <stdarg.h>
#include <sys/types.h>
#include <openssl/ssl.h>
#include "clients/coachnet.h"

/* The transport: a non-blocking socket, with TLS on top unless it is a unix
 * socket.  Every operation takes an absolute deadline (cn_now_ms() clock). */
typedef struct cn_net {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;   /* NULL: plaintext (unix socket) */
    int broken; /* a read or write failed: no TLS close_notify on close */
} cn_net;

#define CN_NET_INIT                                                                                                    \
    { -1, NULL, NULL, 0 }

/* Milliseconds on a monotonic clock. */
int64_t cn_now_ms(void);

/* Fill err (if not NULL) with a local error.  Always returns CN_CLIENT_ERR. */
int cn_seterr(cn_client_error *err, cn_client_errkind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Connect per the options (TCP+TLS or unix socket), before the deadline. */
int cn_net_connect(cn_net *n, const cn_client_options *o, int64_t deadline, cn_client_error *err);

/* Write all len bytes before the deadline. */
int cn_net_write(cn_net *n, const void *buf, size_t len, int64_t deadline, cn_client_error *err);

/* Read at least one byte (at most cap) before the deadline.  Returns the
 * count, 0 when the deadline passed with nothing to read (err untouched), or
 * -1 on EOF or error (err filled). */
ssize_t cn_net_read(cn_net *n, void *buf, size_t cap, int64_t deadline, cn_client_error *err);

/* Shut down (TLS close_notify, best effort) and release everything. */
void cn_net_close(cn_net *n);

/* A client over an already connected plaintext stream socket (taken over:
 * cn_client_free closes it).  For the fuzzer of the response path
 * (clients/fuzz/fuzz_client_responses.c); applications use
 * cn_client_connect(). */
int cn_client_adopt_fd(int fd, const cn_client_options *o, cn_client **out, cn_client_error *err);

/* A request packed in place, for the typed stubs (libcoachnet_api.gen.c)
 * and cn_client_call.  cn_client_request starts request [0, msgid, method,
 * [params]] in the client's own request buffer and returns the packer for
 * its params, exactly one map (NULL when c is NULL); cn_client_call_packed
 * then sends it and waits for the answer, as cn_client_call_raw does.  The
 * params are never copied into a buffer of the caller's, and the request
 * buffer is wiped once the request is written or refused, so a password
 * does not outlive its call in the client's memory. */
msgpack_packer *cn_client_request(cn_client *c, const char *method);
int cn_client_call_packed(cn_client *c, const char *method, cn_client_result **res, cn_client_error *err);

/* 1 if the n bytes of needle are anywhere in the client's request buffer
 * (its whole allocation, not only the request's bytes).  For
 * tests/unit/test_client_lib.c, which checks that a password is gone. */
int cn_client_wbuf_holds(const cn_client *c, const void *needle, size_t n);

#endif
