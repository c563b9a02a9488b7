/* hws.c — see hws.h.  The HTTP/1.1 and WebSocket layer: pure, bytes in,
 * callbacks out.
 *
 * HTTP.  libhttp-parser parses request heads; the layer keeps only the
 * target and the few headers it or the caller needs (hws_head, freed once
 * the connection is a WebSocket), and pauses the parser at the end of each
 * request so that every request is answered before the next one is read.
 * Limits: the bytes of a head (http-max-header-bytes: the parser is never
 * given more than what is left of it, so a head that does not end within
 * the limit is refused 431 without being buffered), its header lines
 * (http-max-headers, 431), the target (414) and each kept value (431).
 * Only GET and HEAD exist (405); a request with a body is refused (413),
 * since nothing here takes one.  Errors are answered and close.
 *
 * WebSocket.  A libwslay event context whose recv callback reads from the
 * slice hws_feed was given and whose send callback hands bytes to the
 * caller's write callback: wslay never sees a socket.  wslay joins
 * fragments and enforces the message limit across them (a message above
 * it is closed with 1009), answers pings and the peer's close, and refuses
 * unmasked client frames (1002).  Pausing: when cb.message asks to pause,
 * the recv callback gives wslay no more input, and the messages wslay
 * still completes from bytes it had already read wait in a queue here
 * (at most its 4 KiB read buffer's worth, plus the one message whose last
 * fragment was in it) until hws_resume.
 */
#include "server/hws.h"

#include <ctype.h>
#include <http_parser.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wslay/wslay.h>

#define HWS_WS_GUID   "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define HWS_FIELD_MAX 32   /* header names longer than this are none we keep */
#define HWS_HEAD_OUT  2048 /* a response head without the security headers and extra */
#define HWS_OBUF_KEEP 4096 /* output staging kept between sends */

/* Sent with every response, the 101 included (DESIGN §11): no inline
 * script or style, nothing framed, nothing sniffed. */
static const char hws_security_headers[] =
    "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'\r\n"
    "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Cross-Origin-Resource-Policy: same-origin\r\n"
    "Permissions-Policy: camera=(), microphone=(), geolocation=()\r\n";

/* The headers the layer keeps. */
enum { HV_HOST, HV_ORIGIN, HV_UPGRADE, HV_CONNECTION, HV_KEY, HV_VERSION, HV_PROTOCOL, HV_AE, HV_INM, HV__COUNT };
static const char *const hv_names[HV__COUNT] = {
    "host",
    "origin",
    "upgrade",
    "connection",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-protocol",
    "accept-encoding",
    "if-none-match",
};

typedef struct hws_head {
    http_parser p;
    size_t head_bytes; /* bytes of the head being read */
    unsigned nheaders;
    unsigned nhost; /* Host header lines (RFC 9112 3.2: exactly one in HTTP/1.1) */
    int status;     /* an error found by a callback: the answer */
    int done;       /* a request is complete (the parser is paused) */
    char url[HWS_URL_MAX + 1];
    size_t url_len;
    char field[HWS_FIELD_MAX + 1];
    size_t field_len;
    int in_value; /* the last callback was a value */
    int which;    /* HV_* of the value being read, -1: not kept */
    char val[HV__COUNT][HWS_VALUE_MAX + 1];
    size_t val_len[HV__COUNT];
} hws_head;

typedef struct hws_waiting {
    struct hws_waiting *next;
    size_t len;
    uint8_t data[];
} hws_waiting;

struct hws {
    hws_config cfg;
    hws_callbacks cb;
    void *ud;
    hws_state state;
    const char *why;
    hws_head *hd; /* HWS_HTTP */
    int responded, close_after;
    const hws_request *cur;
    wslay_event_context_ptr ws; /* HWS_WS */
    const uint8_t *in;          /* the slice being fed */
    size_t in_len;
    int in_recv; /* inside wslay_event_recv: sends wait for its end */
    /* what one wslay_event_send writes, handed to cb.write at once: a
     * frame's header and payload come from wslay in two calls, and as two
     * writes they could become two TLS records */
    uint8_t *obuf;
    size_t olen, ocap;
    int paused;
    hws_waiting *wait_head, **wait_tail;
    int closing;         /* hws_close was called */
    uint16_t close_code; /* our close frame, to queue after the messages before it */
    char close_reason[64];
    int ping_out; /* a ping waits for its pong */
    int64_t ping_at, next_ping, close_at;
};

static void hws_set_closed(hws *h, const char *why) {
    if (h->state == HWS_CLOSED) return;
    h->state = HWS_CLOSED;
    h->why = why;
}

/* ---------------------------------------------------------- responses */

static const char *status_text(int status) {
    switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
    }
}

/* Write a response: its head (status line, the caller's headers, the
 * security headers, Connection: close when the connection ends after it)
 * and, unless head_only, its body. */
static void write_response(hws *h, const hws_response *r, int head_only) {
    char head[HWS_HEAD_OUT];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n", r->status, status_text(r->status));
    if (r->status != 304 && r->status != 101)
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", r->len);
    if (r->content_type) n += snprintf(head + n, sizeof head - (size_t)n, "Content-Type: %s\r\n", r->content_type);
    if (r->content_encoding)
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Encoding: %s\r\n", r->content_encoding);
    if (r->etag) n += snprintf(head + n, sizeof head - (size_t)n, "ETag: %s\r\n", r->etag);
    if (r->cache_control) n += snprintf(head + n, sizeof head - (size_t)n, "Cache-Control: %s\r\n", r->cache_control);
    if (r->vary_encoding) n += snprintf(head + n, sizeof head - (size_t)n, "Vary: Accept-Encoding\r\n");
    if (h->close_after) n += snprintf(head + n, sizeof head - (size_t)n, "Connection: close\r\n");
    if (n >= (int)sizeof head) n = (int)sizeof head - 1; /* callers' values are bounded: cannot happen */
    h->cb.write(h->ud, head, (size_t)n);
    if (r->extra) h->cb.write(h->ud, r->extra, strlen(r->extra));
    h->cb.write(h->ud, hws_security_headers, sizeof hws_security_headers - 1);
    h->cb.write(h->ud, "\r\n", 2);
    if (!head_only && r->status != 304 && r->len) h->cb.write(h->ud, r->body, r->len);
}

/* Answer an error the layer found itself, then close; to a HEAD request
 * without its body (RFC 9110 9.3.2), as every other answer. */
static void fail_http(hws *h, int status, const char *extra, const char *why) {
    char body[96];
    int n = snprintf(body, sizeof body, "%d %s\n", status, status_text(status));
    hws_response r = { .status = status,
                       .content_type = "text/plain; charset=utf-8",
                       .cache_control = "no-store",
                       .extra = extra,
                       .body = body,
                       .len = (size_t)n };
    h->close_after = 1;
    write_response(h, &r, h->hd && h->hd->p.method == HTTP_HEAD);
    hws_set_closed(h, why);
}

void hws_respond(hws *h, const hws_response *r) {
    if (h->state != HWS_HTTP || !h->cur || h->responded) return;
    h->responded = 1;
    write_response(h, r, h->cur->head);
}

/* ------------------------------------------------ request head parsing */

static hws *parser_hws(http_parser *p) { return p->data; }

static int on_message_begin(http_parser *p) {
    hws_head *hd = parser_hws(p)->hd;
    hd->nheaders = 0;
    hd->nhost = 0;
    hd->url_len = 0;
    hd->url[0] = '\0';
    hd->field_len = 0;
    hd->in_value = 1; /* the first field starts a header */
    hd->which = -1;
    for (int i = 0; i < HV__COUNT; i++) {
        hd->val[i][0] = '\0';
        hd->val_len[i] = 0;
    }
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len) {
    hws_head *hd = parser_hws(p)->hd;
    if (hd->url_len + len > HWS_URL_MAX) {
        hd->status = 414;
        return -1;
    }
    memcpy(hd->url + hd->url_len, at, len);
    hd->url_len += len;
    hd->url[hd->url_len] = '\0';
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len) {
    hws *h = parser_hws(p);
    hws_head *hd = h->hd;
    if (hd->in_value) { /* a new header line */
        if (++hd->nheaders > h->cfg.headers) {
            hd->status = 431;
            return -1;
        }
        hd->in_value = 0;
        hd->field_len = 0;
    }
    /* a name longer than HWS_FIELD_MAX is kept cut: no kept name is that long */
    size_t room = HWS_FIELD_MAX - hd->field_len;
    size_t n = len < room ? len : room;
    memcpy(hd->field + hd->field_len, at, n);
    hd->field_len += n;
    hd->field[hd->field_len] = '\0';
    if (len > room) hd->field_len = HWS_FIELD_MAX, hd->field[0] = '\0'; /* matches nothing */
    return 0;
}

/* Append to a kept value; a repeated header is joined with ", " (RFC 9110
 * 5.3). */
static int value_add(hws_head *hd, const char *at, size_t len, int first) {
    size_t *vl = &hd->val_len[hd->which];
    char *v = hd->val[hd->which];
    if (first && *vl) {
        if (*vl + 2 > HWS_VALUE_MAX) return -1;
        memcpy(v + *vl, ", ", 2);
        *vl += 2;
    }
    if (*vl + len > HWS_VALUE_MAX) return -1;
    memcpy(v + *vl, at, len);
    *vl += len;
    v[*vl] = '\0';
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len) {
    hws_head *hd = parser_hws(p)->hd;
    int first = !hd->in_value;
    if (first) {
        hd->in_value = 1;
        hd->which = -1;
        for (int i = 0; i < HV__COUNT; i++)
            if (!strcasecmp(hd->field, hv_names[i])) hd->which = i;
        if (hd->which == HV_HOST) hd->nhost++;
    }
    if (hd->which < 0) return 0;
    if (value_add(hd, at, len, first)) {
        hd->status = 431;
        return -1;
    }
    return 0;
}

static int on_headers_complete(http_parser *p) {
    hws_head *hd = parser_hws(p)->hd;
    if (p->method != HTTP_GET && p->method != HTTP_HEAD) {
        hd->status = 405;
        return -1;
    }
    if ((p->flags & F_CHUNKED) || (p->content_length > 0 && p->content_length != ULLONG_MAX)) {
        hd->status = 413;
        return -1;
    }
    return 0;
}

static int on_message_complete(http_parser *p) {
    parser_hws(p)->hd->done = 1;
    http_parser_pause(p, 1); /* one request at a time */
    return 0;
}

static const http_parser_settings hws_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_message_complete = on_message_complete,
};

/* tok is one of the comma-separated items of list (case-insensitive,
 * blanks around items ignored; parameters after ';' ignored). */
static int has_token(const char *list, const char *tok) {
    size_t tl = strlen(tok);
    const char *s = list;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',') s++;
        const char *e = s;
        while (*e && *e != ',' && *e != ';') e++;
        const char *t = e;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t')) t--;
        if ((size_t)(t - s) == tl && !strncasecmp(s, tok, tl)) return 1;
        while (*e && *e != ',') e++;
        s = e;
    }
    return 0;
}

/* Origin is allowed: one of cfg.origins, or with none configured the
 * server's own ("https://" + Host).  Exact match (ASCII case aside). */
static int origin_allowed(const hws *h, const char *origin, const char *host) {
    if (!origin[0]) return 0;
    const char *list = h->cfg.origins;
    if (!list || !*list) {
        static const char scheme[] = "https://";
        size_t sl = sizeof scheme - 1;
        return host[0] && !strncasecmp(origin, scheme, sl) && !strcasecmp(origin + sl, host);
    }
    size_t ol = strlen(origin);
    const char *s = list;
    while (*s) {
        while (*s == ' ' || *s == ',' || *s == '\t') s++;
        const char *e = s;
        while (*e && *e != ' ' && *e != ',' && *e != '\t') e++;
        if ((size_t)(e - s) == ol && ol && !strncasecmp(s, origin, ol)) return 1;
        s = e;
    }
    return 0;
}

/* Sec-WebSocket-Key: base64 of 16 bytes, i.e. 22 characters and "==". */
static int key_valid(const char *k) {
    if (strlen(k) != 24 || strcmp(k + 22, "==")) return 0;
    for (int i = 0; i < 22; i++)
        if (!isalnum((unsigned char)k[i]) && k[i] != '+' && k[i] != '/') return 0;
    /* the last character before the padding carries 4 bits: its low 4 must be 0 */
    return strchr("AQgw", k[21]) != NULL;
}

/* Sec-WebSocket-Accept: base64(SHA-1(key + GUID)); out >= 29 bytes. */
static int accept_value(const char *key, char *out) {
    char buf[24 + sizeof HWS_WS_GUID];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int n = snprintf(buf, sizeof buf, "%s%s", key, HWS_WS_GUID);
    if (EVP_Digest(buf, (size_t)n, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20) return -1;
    EVP_EncodeBlock((unsigned char *)out, md, 20);
    return 0;
}

static int ws_start(hws *h);

/* The request for cfg.ws_path: a WebSocket handshake, checked in the
 * order a client most needs to hear about; refused with an answer and a
 * close, or accepted with a 101. */
static void ws_handshake(hws *h) {
    hws_head *hd = h->hd;
    if (!has_token(hd->val[HV_UPGRADE], "websocket")) {
        fail_http(h, 426, "Upgrade: websocket\r\n", "not a WebSocket handshake");
        return;
    }
    if (hd->p.method != HTTP_GET || hd->p.http_major != 1 || hd->p.http_minor < 1 ||
        !has_token(hd->val[HV_CONNECTION], "upgrade")) {
        fail_http(h, 400, NULL, "bad WebSocket handshake (method, version or Connection)");
        return;
    }
    if (strcmp(hd->val[HV_VERSION], "13")) {
        fail_http(h, 426, "Sec-WebSocket-Version: 13\r\n", "bad Sec-WebSocket-Version");
        return;
    }
    if (!key_valid(hd->val[HV_KEY])) {
        fail_http(h, 400, NULL, "bad Sec-WebSocket-Key");
        return;
    }
    if (!origin_allowed(h, hd->val[HV_ORIGIN], hd->val[HV_HOST])) {
        fail_http(h, 403, NULL, "Origin not in allowed-origins");
        return;
    }
    if (!has_token(hd->val[HV_PROTOCOL], HWS_SUBPROTOCOL)) {
        fail_http(h, 400, NULL, "subprotocol " HWS_SUBPROTOCOL " not offered");
        return;
    }
    char acc[32];
    if (accept_value(hd->val[HV_KEY], acc) || ws_start(h)) {
        fail_http(h, 500, NULL, "out of memory");
        return;
    }
    char extra[160];
    snprintf(extra, sizeof extra,
             "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
             "Sec-WebSocket-Protocol: " HWS_SUBPROTOCOL "\r\n",
             acc);
    hws_response r = { .status = 101, .extra = extra };
    write_response(h, &r, 1);
    free(h->hd);
    h->hd = NULL;
    h->state = HWS_WS;
    h->cb.open(h->ud);
}

/* A complete request: the handshake, or the caller's. */
static void handle_request(hws *h) {
    hws_head *hd = h->hd;
    if (hd->nhost > 1 || (!hd->nhost && hd->p.http_major == 1 && hd->p.http_minor >= 1)) {
        fail_http(h, 400, NULL, hd->nhost ? "more than one Host header" : "no Host header");
        return;
    }
    char *q = strchr(hd->url, '?');
    if (q) *q++ = '\0';
    if (hd->url[0] != '/') {
        fail_http(h, 400, NULL, "request target not in origin form");
        return;
    }
    if (!strcmp(hd->url, h->cfg.ws_path)) {
        ws_handshake(h);
        return;
    }
    /* An Upgrade elsewhere is ignored (RFC 9110 7.8); the parser treats
     * what follows as not HTTP, so the connection ends after the answer. */
    h->close_after = !http_should_keep_alive(&hd->p) || hd->p.upgrade;
    hws_request rq = {
        .head = hd->p.method == HTTP_HEAD,
        .path = hd->url,
        .query = q ? q : "",
        .host = hd->val[HV_HOST],
        .origin = hd->val[HV_ORIGIN],
        .accept_encoding = hd->val[HV_AE],
        .if_none_match = hd->val[HV_INM],
    };
    h->responded = 0;
    h->cur = &rq;
    h->cb.request(h->ud, &rq);
    h->cur = NULL;
    if (!h->responded) {
        fail_http(h, 500, NULL, "request not answered");
        return;
    }
    if (h->close_after) hws_set_closed(h, "HTTP connection not kept alive");
}

static size_t http_feed(hws *h, const char *data, size_t len) {
    size_t off = 0;
    while (off < len && h->state == HWS_HTTP) {
        hws_head *hd = h->hd;
        size_t n = len - off, cap = h->cfg.header_bytes - hd->head_bytes;
        if (n > cap) n = cap;
        size_t got = http_parser_execute(&hd->p, &hws_settings, data + off, n);
        enum http_errno e = HTTP_PARSER_ERRNO(&hd->p);
        if (e == HPE_PAUSED) {
            http_parser_pause(&hd->p, 0);
        } else if (e != HPE_OK) {
            fail_http(h, hd->status ? hd->status : 400, hd->status == 405 ? "Allow: GET, HEAD\r\n" : NULL,
                      "bad HTTP request");
            return len;
        }
        off += got;
        if (hd->done) {
            hd->done = 0;
            hd->head_bytes = 0;
            handle_request(h);
            continue;
        }
        hd->head_bytes += got;
        if (hd->head_bytes >= h->cfg.header_bytes) {
            fail_http(h, 431, NULL, "request head above http-max-header-bytes");
            return len;
        }
    }
    return off;
}

/* ---------------------------------------------------------- WebSocket */

static void ws_update(hws *h) {
    if (h->state == HWS_WS && !wslay_event_want_read(h->ws) && !wslay_event_want_write(h->ws))
        hws_set_closed(h, h->closing ? "WebSocket closed by the server" : "WebSocket closed");
}

static void ws_out(hws *h);

/* Send what wslay holds.  Our close frame is queued only once every
 * message before it is written: wslay sends control frames ahead of
 * queued messages, and a frame-level error's answer must precede it. */
static void ws_flush(hws *h) {
    if (h->in_recv || h->state != HWS_WS) return;
    int r = wslay_event_send(h->ws);
    if (r == 0 && h->close_code) {
        r = wslay_event_queue_close(h->ws, h->close_code, (const uint8_t *)h->close_reason, strlen(h->close_reason));
        h->close_code = 0;
        if (r == 0) r = wslay_event_send(h->ws);
    }
    ws_out(h);
    if (r != 0) hws_set_closed(h, "WebSocket send failed");
    ws_update(h);
}

static ssize_t ws_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *ud) {
    (void)flags;
    hws *h = ud;
    if (h->paused || h->in_len == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    size_t n = len < h->in_len ? len : h->in_len;
    memcpy(buf, h->in, n);
    h->in += n;
    h->in_len -= n;
    return (ssize_t)n;
}

static ssize_t ws_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *ud) {
    (void)flags;
    hws *h = ud;
    if (h->olen + len > h->ocap) {
        size_t cap = h->ocap ? h->ocap : 256;
        while (cap < h->olen + len) cap *= 2;
        uint8_t *nb = realloc(h->obuf, cap);
        if (!nb) {
            wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
            return -1;
        }
        h->obuf = nb;
        h->ocap = cap;
    }
    memcpy(h->obuf + h->olen, data, len);
    h->olen += len;
    return (ssize_t)len;
}

/* Hand what wslay wrote to the caller in one piece.  A buffer grown
 * beyond HWS_OBUF_KEEP by a large message is not kept (idle connections
 * are many). */
static void ws_out(hws *h) {
    if (h->olen) h->cb.write(h->ud, h->obuf, h->olen);
    h->olen = 0;
    if (h->ocap > HWS_OBUF_KEEP) {
        free(h->obuf);
        h->obuf = NULL;
        h->ocap = 0;
    }
}

/* A message while paused: copied to wait for hws_resume. */
static int ws_wait(hws *h, const uint8_t *data, size_t len) {
    hws_waiting *w = malloc(sizeof *w + len);
    if (!w) return -1;
    w->next = NULL;
    w->len = len;
    if (len) memcpy(w->data, data, len);
    *h->wait_tail = w;
    h->wait_tail = &w->next;
    return 0;
}

static void ws_on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *ud) {
    (void)ctx;
    hws *h = ud;
    switch (arg->opcode) {
    case WSLAY_BINARY_FRAME: {
        /* an empty message comes with msg NULL: callers get a pointer */
        const uint8_t *msg = arg->msg_length ? arg->msg : (const uint8_t *)"";
        if (h->closing || h->state != HWS_WS) return;
        if (h->paused) {
            if (ws_wait(h, msg, arg->msg_length)) hws_close(h, HWS_CLOSE_TRY_LATER, "out of memory");
            return;
        }
        if (h->cb.message(h->ud, msg, arg->msg_length)) h->paused = 1;
        break;
    }
    case WSLAY_TEXT_FRAME: hws_close(h, HWS_CLOSE_UNSUPPORTED, "binary messages only"); break;
    case WSLAY_PONG: h->ping_out = 0; break;
    default: break; /* ping: wslay answers; close: wslay replies */
    }
}

static int ws_start(hws *h) {
    static const struct wslay_event_callbacks cbs = {
        .recv_callback = ws_recv_cb,
        .send_callback = ws_send_cb,
        .on_msg_recv_callback = ws_on_msg,
    };
    if (wslay_event_context_server_init(&h->ws, &cbs, h) != 0) return -1;
    wslay_event_config_set_max_recv_msg_length(h->ws, h->cfg.message_bytes);
    return 0;
}

static size_t ws_feed(hws *h, const uint8_t *data, size_t len) {
    h->in = data;
    h->in_len = len;
    h->in_recv = 1;
    int r = wslay_event_recv(h->ws);
    h->in_recv = 0;
    size_t taken = len - h->in_len;
    h->in = NULL;
    h->in_len = 0;
    if (r != 0) {
        hws_set_closed(h, "WebSocket receive failed");
        return len;
    }
    ws_flush(h);
    if (h->state == HWS_CLOSED || !wslay_event_get_read_enabled(h->ws)) return len;
    return taken;
}

/* ---------------------------------------------------------------- API */

hws *hws_new(const hws_config *cfg, const hws_callbacks *cb, void *ud) {
    hws *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->hd = calloc(1, sizeof *h->hd);
    if (!h->hd) {
        free(h);
        return NULL;
    }
    h->cfg = *cfg;
    h->cb = *cb;
    h->ud = ud;
    h->state = HWS_HTTP;
    h->why = "";
    h->wait_tail = &h->wait_head;
    http_parser_init(&h->hd->p, HTTP_REQUEST);
    h->hd->p.data = h;
    return h;
}

void hws_free(hws *h) {
    if (!h) return;
    free(h->hd);
    if (h->ws) wslay_event_context_free(h->ws);
    free(h->obuf);
    while (h->wait_head) {
        hws_waiting *w = h->wait_head;
        h->wait_head = w->next;
        free(w);
    }
    free(h);
}

hws_state hws_get_state(const hws *h) { return h->state; }

int hws_closing(const hws *h) { return h->closing || h->state == HWS_CLOSED; }

const char *hws_why(const hws *h) { return h->why; }

size_t hws_feed(hws *h, const void *data, size_t len) {
    size_t off = 0;
    if (h->state == HWS_HTTP) off = http_feed(h, data, len);
    if (h->state == HWS_WS && off < len) off += ws_feed(h, (const uint8_t *)data + off, len - off);
    return h->state == HWS_CLOSED ? len : off;
}

int hws_resume(hws *h) {
    if (h->state != HWS_WS) return 0;
    h->paused = 0;
    while (h->wait_head && !h->paused && h->state == HWS_WS && !h->closing) {
        hws_waiting *w = h->wait_head;
        h->wait_head = w->next;
        if (!h->wait_head) h->wait_tail = &h->wait_head;
        if (h->cb.message(h->ud, w->data, w->len)) h->paused = 1;
        free(w);
    }
    return h->paused;
}

void hws_set_max_message(hws *h, uint64_t n) {
    h->cfg.message_bytes = n;
    if (h->ws) wslay_event_config_set_max_recv_msg_length(h->ws, n);
}

int hws_send(hws *h, const void *data, size_t len) {
    if (h->state != HWS_WS || h->closing) return -1;
    struct wslay_event_msg m = { WSLAY_BINARY_FRAME, data, len };
    if (wslay_event_queue_msg(h->ws, &m) != 0) return -1;
    ws_flush(h);
    return 0;
}

void hws_close(hws *h, uint16_t code, const char *reason) {
    if (h->state == HWS_HTTP) {
        hws_set_closed(h, reason);
        return;
    }
    if (h->state != HWS_WS || h->closing) return;
    h->closing = 1;
    h->close_code = code;
    snprintf(h->close_reason, sizeof h->close_reason, "%s", reason);
    ws_flush(h);
}

void hws_heard(hws *h) {
    if (h->state == HWS_WS) h->ping_out = 0;
}

int64_t hws_tick(hws *h, int64_t now_ms) {
    if (h->state != HWS_WS) return -1;
    int64_t wait = h->cfg.pong_timeout_ms;
    if (h->closing) {
        if (!h->close_at) h->close_at = now_ms + wait;
        if (now_ms < h->close_at) return h->close_at - now_ms;
        hws_set_closed(h, "no close reply within ws-pong-timeout-ms");
        return -1;
    }
    if (h->ping_out) {
        if (now_ms < h->ping_at + wait) return h->ping_at + wait - now_ms;
        hws_set_closed(h, "no pong within ws-pong-timeout-ms");
        return -1;
    }
    if (!h->next_ping) h->next_ping = now_ms + h->cfg.ping_interval_ms;
    if (now_ms < h->next_ping) return h->next_ping - now_ms;
    struct wslay_event_msg m = { WSLAY_PING, NULL, 0 };
    if (wslay_event_queue_msg(h->ws, &m) != 0) {
        hws_set_closed(h, "out of memory");
        return -1;
    }
    h->ping_out = 1;
    h->ping_at = now_ms;
    h->next_ping = now_ms + h->cfg.ping_interval_ms;
    ws_flush(h);
    return h->state == HWS_WS ? wait : -1;
}
