/* hws.h — the HTTP/1.1 and WebSocket layer of coachnetd's browser
 * transport (DESIGN §11, docs/design.md "The browser transport").
 *
 * Pure, like proto/ and hiredis' read.c: bytes in (hws_feed), events out
 * (callbacks), bytes to write out (the write callback).  No socket, no
 * libevent, no clock: the caller passes the time to hws_tick.  The request
 * head is parsed by libhttp-parser, WebSocket framing is libwslay's event
 * API driven by recv/send callbacks over in-memory buffers (as aria2's
 * WebSocketSession does it), the handshake's SHA-1/base64 are OpenSSL's.
 *
 * A connection starts in HWS_HTTP: request heads are parsed one at a time
 * (keep-alive, pipelined requests are answered in order).  A request for
 * cfg.ws_path with a valid WebSocket handshake is answered 101 by the
 * layer itself and the connection is HWS_WS from then on: every complete
 * binary message goes to cb.message.  Any other request goes to
 * cb.request, which answers it with hws_respond before it returns.
 * HWS_CLOSED: the caller writes out what the write callback was given and
 * closes the connection (an HTTP error, a WebSocket close handshake that
 * ended, a protocol error, a keepalive timeout).
 */
#ifndef COACHNET_SERVER_HWS_H
#define COACHNET_SERVER_HWS_H

#include <stddef.h>
#include <stdint.h>

/* ---- limits: the defaults of the config keys of the same meaning ---- */
#define HWS_HEADER_BYTES_DEFAULT     8192  /* http-max-header-bytes: one request head */
#define HWS_HEADERS_DEFAULT          64    /* http-max-headers: header lines of a head */
#define HWS_PING_INTERVAL_MS_DEFAULT 30000 /* ws-ping-interval-ms */
#define HWS_PONG_TIMEOUT_MS_DEFAULT  10000 /* ws-pong-timeout-ms (also the close handshake's wait) */
/* Fixed sizes of the few header values the layer keeps (a longer one is
 * answered 431, like a head above the byte limit). */
#define HWS_URL_MAX   2048 /* request target */
#define HWS_VALUE_MAX 512  /* Host, Origin, Accept-Encoding, If-None-Match, ... */

#define HWS_SUBPROTOCOL "coachnet.v1"

/* WebSocket close codes the layer and its caller send (RFC 6455 7.4.1). */
#define HWS_CLOSE_NORMAL      1000
#define HWS_CLOSE_GOING_AWAY  1001
#define HWS_CLOSE_PROTOCOL    1002
#define HWS_CLOSE_UNSUPPORTED 1003 /* a text message on a binary protocol */
#define HWS_CLOSE_TOO_BIG     1009
#define HWS_CLOSE_TRY_LATER   1013

typedef enum { HWS_HTTP, HWS_WS, HWS_CLOSED } hws_state;

typedef struct hws_config {
    size_t header_bytes;    /* at most this many bytes in one request head */
    unsigned headers;       /* at most this many header lines */
    uint64_t message_bytes; /* a WebSocket message, all its fragments together */
    int ping_interval_ms;
    int pong_timeout_ms;
    const char *ws_path; /* e.g. "/rpc" */
    /* Origins a WebSocket handshake may come from, separated by spaces or
     * commas ("https://a.example https://b.example:8443"); NULL or empty:
     * the server's own, i.e. "https://" + the request's Host.  Not copied:
     * must outlive the hws. */
    const char *origins;
} hws_config;

/* A request handed to cb.request.  Strings are NUL-terminated, "" when
 * the header is absent; valid during the callback only. */
typedef struct hws_request {
    int head;          /* HEAD: hws_respond sends no body */
    const char *path;  /* the target's path, still percent-encoded */
    const char *query; /* after '?', "" when none */
    const char *host;
    const char *origin;
    const char *accept_encoding;
    const char *if_none_match;
} hws_request;

typedef struct hws_response {
    int status;                   /* 200, 304, 404, ... */
    const char *content_type;     /* NULL: none */
    const char *content_encoding; /* NULL: none */
    const char *etag;             /* NULL: none; quoted */
    const char *cache_control;    /* NULL: none */
    const char *extra;            /* NULL, or header lines each ending in \r\n */
    int vary_encoding;            /* Vary: Accept-Encoding */
    const void *body;
    size_t len; /* Content-Length (sent for HEAD too, without the body) */
} hws_response;

typedef struct hws_callbacks {
    /* Bytes for the peer: the caller writes all of them, in order. */
    void (*write)(void *ud, const void *data, size_t len);
    /* A complete request that is not a WebSocket handshake: answer it with
     * exactly one hws_respond before returning (else 500). */
    void (*request)(void *ud, const hws_request *rq);
    /* The 101 is written: the connection speaks WebSocket from now on. */
    void (*open)(void *ud);
    /* One complete binary message (its fragments joined).  Return 0 to go
     * on, 1 to pause: further messages wait inside the layer (and input
     * stays with the caller) until hws_resume. */
    int (*message)(void *ud, const uint8_t *data, size_t len);
} hws_callbacks;

typedef struct hws hws;

/* A new connection in HWS_HTTP, or NULL when out of memory.  cfg is
 * copied (not the origins string). */
hws *hws_new(const hws_config *cfg, const hws_callbacks *cb, void *ud);
void hws_free(hws *h);
hws_state hws_get_state(const hws *h);

/* Input.  Returns how many of the len bytes were taken: fewer than len
 * when the layer waits (paused by cb.message) or the connection is
 * HWS_CLOSED (the rest is of no use then).  Call again with the rest
 * after hws_resume. */
size_t hws_feed(hws *h, const void *data, size_t len);
/* Deliver the messages that wait since cb.message paused; returns 1 if
 * it paused again (the caller keeps its input), 0 when input may be fed. */
int hws_resume(hws *h);
/* The largest message accepted from now on (a session raises it). */
void hws_set_max_message(hws *h, uint64_t n);

/* Answer the request being handed to cb.request. */
void hws_respond(hws *h, const hws_response *r);

/* HWS_WS: send one binary message; 0, or -1 (closed, out of memory). */
int hws_send(hws *h, const void *data, size_t len);
/* Start the close handshake with code (HWS_CLOSE_*) and a short reason:
 * no more messages in or out; HWS_CLOSED once the peer's close arrives
 * or a pong timeout later (hws_tick).  In HWS_HTTP: HWS_CLOSED now. */
void hws_close(hws *h, uint16_t code, const char *reason);

/* hws_close was called, or the connection is HWS_CLOSED: nothing more is
 * sent or delivered (a server may close the connection once its close
 * frame is written, RFC 6455 7.1.1). */
int hws_closing(const hws *h);

/* Keepalive, HWS_WS: call at the time returned (ms from now_ms); it pings
 * every ping interval and ends a connection whose pong (or close reply)
 * is not back within the pong timeout (HWS_CLOSED; returns -1).  now_ms:
 * any monotonic clock in ms. */
int64_t hws_tick(hws *h, int64_t now_ms);

/* The peer sent bytes the caller holds back instead of feeding them (it
 * stopped feeding at its limit of requests in flight): they prove the
 * peer alive as well as the pong that may be among them, so the ping out
 * counts as answered.  Without it a connection whose requests outlast the
 * ping interval plus the pong timeout is closed for "no pong". */
void hws_heard(hws *h);

/* For logs: why the connection is HWS_CLOSED ("" while it is not). */
const char *hws_why(const hws *h);

#endif
