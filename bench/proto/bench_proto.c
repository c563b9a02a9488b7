/* bench_proto.c -- libproto throughput on a typical mentee.put request.
 *
 * One iteration is what coachnetd does for each mentee.put frame:
 *   1. feed the stream to a proto_reader in 16 KiB chunks (as read from a
 *      socket) and take the frame out;
 *   2. proto_msg_decode(): body pre-check, msgpack-c unpack, shape checks;
 *   3. open the params {profile, if_version} and proto_mentee_decode() the
 *      profile with every validation, against the real catalogues;
 *   4. encode: pack the profile (the blob the store writes) and the
 *      response frame [1, msgid, nil, {id, version}].
 *
 *   bench_proto [seconds]     (default 3)
 *
 * Prints messages per second (by wall-clock and by CPU time) and bytes per
 * second of request frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/proto_helpers.h"

#define FRAMES_PER_BATCH 1024
#define CHUNK            (16 * 1024)

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time, and this process's CPU time: on a shared machine the CPU-time
 * rate is the better estimate of what one idle core would do. */
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_now(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static void fill_put(msgpack_packer *pk, const void *arg) {
    msgpack_pack_map(pk, 2);
    proto_pack_cstr(pk, "profile");
    proto_mentee_pack(pk, arg);
    proto_pack_cstr(pk, "if_version");
    msgpack_pack_uint32(pk, 7);
}

/* The server's work for one request body; returns 0 on success. */
static int serve_one(const char *body, size_t len, const proto_vocab *v, msgpack_sbuffer *blob, msgpack_sbuffer *out) {
    static const char *const keys[] = { "profile", "if_version", NULL };
    proto_msg m;
    proto_map pm;
    proto_mentee mentee;
    proto_error err;
    int64_t if_version;
    msgpack_packer pk;
    int rc = -1;
    if (proto_msg_decode(&m, body, len, NULL, PROTO_KIND_BIT(PROTO_REQUEST), &err) != PROTO_OK ||
        proto_map_open(&pm, m.params, "", keys, &err) != PROTO_OK ||
        proto_read_int(&pm, "if_version", PROTO_OPTIONAL, 0, INT64_MAX, &if_version, &err) < 0 ||
        proto_mentee_decode(proto_map_get(&pm, "profile"), "profile", v, &mentee, &err) != PROTO_OK)
        goto done;
    blob->size = 0;
    msgpack_packer_init(&pk, blob, msgpack_sbuffer_write);
    proto_mentee_pack(&pk, &mentee);
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    size_t at = proto_frame_begin(out);
    proto_pack_response_ok(&pk, m.msgid);
    msgpack_pack_map(&pk, 2);
    proto_pack_cstr(&pk, "id");
    proto_pack_cstr(&pk, mentee.id);
    proto_pack_cstr(&pk, "version");
    msgpack_pack_uint64(&pk, (uint64_t)if_version + 1);
    rc = proto_frame_end(out, at, NULL, &err) == PROTO_OK ? 0 : -1;
done:
    if (rc != 0) fprintf(stderr, "bench: %s: %s\n", err.field, err.message);
    proto_msg_destroy(&m);
    return rc;
}

/* Run one batch of frames through a reader; returns frames served. */
static long run_batch(const msgpack_sbuffer *in, const proto_vocab *v, msgpack_sbuffer *blob, msgpack_sbuffer *out) {
    proto_reader *r = proto_reader_new(NULL);
    long served = 0;
    for (size_t at = 0; at < in->size; at += CHUNK) {
        size_t n = in->size - at < CHUNK ? in->size - at : CHUNK;
        const char *body;
        size_t len;
        if (proto_reader_feed(r, in->data + at, n) != PROTO_OK) break;
        while (proto_reader_next(r, &body, &len) == 1) {
            if (serve_one(body, len, v, blob, out) != 0) {
                proto_reader_free(r);
                return -1;
            }
            served++;
        }
        out->size = 0; /* "written to the socket" */
    }
    proto_reader_free(r);
    return served;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    test_vocab tv;
    proto_mentee m;
    msgpack_sbuffer in, blob, out;
    if (test_vocab_load(&tv, NULL) != PROTO_OK) return 1;
    test_sample_mentee(&m);
    msgpack_sbuffer_init(&in);
    msgpack_sbuffer_init(&blob);
    msgpack_sbuffer_init(&out);
    for (uint32_t i = 0; i < FRAMES_PER_BATCH; i++) test_frame_request(&in, i + 1, "mentee.put", fill_put, &m);
    size_t frame_bytes = in.size / FRAMES_PER_BATCH;

    long total = 0;
    double t0 = now(), c0 = cpu_now(), t;
    do {
        long n = run_batch(&in, &tv.v, &blob, &out);
        if (n != FRAMES_PER_BATCH) {
            fprintf(stderr, "bench: batch failed\n");
            return 1;
        }
        total += n;
        t = now();
    } while (t - t0 < seconds);
    double cpu = cpu_now() - c0;
    double rate = (double)total / (t - t0), cpu_rate = (double)total / cpu;
    printf("mentee.put frame: %zu bytes (profile with %zu competencies)\n", frame_bytes, m.n_competencies);
    printf("decode+validate+encode: %ld messages in %.2f s wall = %.0f msg/s "
           "(%.1f MB/s of requests)\n",
           total, t - t0, rate, rate * (double)frame_bytes / 1e6);
    printf("by CPU time: %.2f s = %.0f msg/s, %.2f us/msg\n", cpu, cpu_rate, 1e6 / cpu_rate);
    msgpack_sbuffer_destroy(&in);
    msgpack_sbuffer_destroy(&blob);
    msgpack_sbuffer_destroy(&out);
    test_vocab_free(&tv);
    return 0;
}
