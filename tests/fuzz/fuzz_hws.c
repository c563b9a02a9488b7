/* fuzz_hws.c -- libFuzzer target over server/hws.c, the HTTP/WebSocket
 * layer of the browser transport.
 *
 * Input: byte 0 picks the chunk size the rest is fed in (1..64 bytes, or
 * all at once) and byte 1 the behaviour of the callbacks (pause after
 * every n-th message, echo messages back, resume/tick between chunks).
 * The rest is the byte stream of one connection: request heads, a
 * handshake, WebSocket frames (tests/fuzz/seeds/fuzz_hws/, made by
 * fuzz_hws_seeds.py).  Properties checked (abort on violation):
 *   - hws_feed takes at most what it is given, and all of it once closed;
 *   - it takes less only while a message paused it;
 *   - no message is above the message limit, and none arrives before the
 *     101 was written or after the connection closed;
 *   - every request is answered exactly once (the layer writes a head).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/hws.h"

#define FZ_MAX_MESSAGE 300

typedef struct fz {
    hws *h;
    int mode;
    int nmsgs;
    int paused; /* a message paused the layer; hws_resume not called yet */
    int opened;
    size_t out;
} fz;

static void fz_write(void *ud, const void *data, size_t len) {
    fz *f = ud;
    (void)data;
    f->out += len;
}

static void fz_request(void *ud, const hws_request *rq) {
    fz *f = ud;
    if (!rq->path || rq->path[0] != '/') abort();
    hws_response r = { .status = 200, .content_type = "text/plain", .body = "ok", .len = 2 };
    size_t before = f->out;
    hws_respond(f->h, &r);
    hws_respond(f->h, &r); /* a second answer is ignored */
    if (f->out == before) abort();
}

static void fz_open(void *ud) { ((fz *)ud)->opened = 1; }

static int fz_message(void *ud, const uint8_t *data, size_t len) {
    fz *f = ud;
    (void)data;
    if (!f->opened || hws_get_state(f->h) != HWS_WS || len > FZ_MAX_MESSAGE) abort();
    f->nmsgs++;
    if (f->mode & 0x10) hws_send(f->h, data, len);
    if ((f->mode & 0x20) && f->nmsgs == 3) hws_close(f->h, HWS_CLOSE_NORMAL, "enough");
    int every = f->mode & 0x3;
    int pause = every && f->nmsgs % (every + 1) == 0;
    if (pause) f->paused = 1;
    return pause;
}

static const hws_callbacks fz_cbs = { fz_write, fz_request, fz_open, fz_message };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    size_t chunk = data[0] & 0x3f ? data[0] & 0x3f : size;
    fz f = { .mode = data[1] };
    hws_config c = {
        .header_bytes = 512,
        .headers = 12,
        .message_bytes = FZ_MAX_MESSAGE,
        .ping_interval_ms = 1000,
        .pong_timeout_ms = 500,
        .ws_path = "/rpc",
        .origins = (f.mode & 0x40) ? "https://a.example b.example" : NULL,
    };
    f.h = hws_new(&c, &fz_cbs, &f);
    if (!f.h) return 0;
    data += 2;
    size -= 2;
    int64_t now = 0;
    size_t off = 0;
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk;
        size_t used = hws_feed(f.h, data + off, n);
        if (used > n) abort();
        if (hws_get_state(f.h) == HWS_CLOSED && used != n) abort();
        if (used < n && !f.paused) abort();
        off += used;
        if (f.paused) {
            /* deliver what waits; a message that pauses again stops
             * pausing from then on, so that the loop ends */
            while (hws_resume(f.h)) f.mode &= ~0x3;
            f.paused = 0;
        }
        if (f.mode & 0x80) {
            now += 400;
            hws_tick(f.h, now);
        }
        if (hws_get_state(f.h) == HWS_CLOSED) break;
    }
    hws_free(f.h);
    return 0;
}
