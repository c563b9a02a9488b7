/* bench_hash.c — the CPU cost of one password hash on one thread: today's
 * Argon2id (auth_hash_password) and the PBKDF2-HMAC-SHA256 of 10,000
 * iterations of earlier versions, each timed over N hashes, and their
 * ratio.  Both the wall time and the thread's CPU time are printed: on a
 * shared machine the CPU time is the cost, and 1 / (CPU time a hash) the
 * logins per second one core can verify (one hash a login).
 *
 *   bench_hash [N]      (default 50)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "server/auth.h"

static double now_s(clockid_t clk) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct cost {
    double wall, cpu; /* seconds a hash */
} cost;

static void report(const char *what, cost c) {
    printf("%-34s %6.2f ms a hash (CPU %6.2f ms): %6.1f hashes/s on one core\n", what, c.wall * 1e3, c.cpu * 1e3,
           1 / c.cpu);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 50;
    if (n < 1) {
        fprintf(stderr, "usage: bench_hash [N]\n");
        return 2;
    }
    char h[AUTH_HASH_MAX];
    unsigned char salt[AUTH_SALT_BYTES] = { 1 };
    cost argon, pbkdf2;
    double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < n; i++)
        if (auth_hash_password("Bench-pa55word-1", 16, h) != AUTH_OK) return 1;
    argon.wall = (now_s(CLOCK_MONOTONIC) - w0) / n;
    argon.cpu = (now_s(CLOCK_THREAD_CPUTIME_ID) - c0) / n;
    w0 = now_s(CLOCK_MONOTONIC);
    c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < n; i++)
        if (auth_pbkdf2_hash("Bench-pa55word-1", 16, salt, sizeof salt, AUTH_PBKDF2_ITER, h) != AUTH_OK) return 1;
    pbkdf2.wall = (now_s(CLOCK_MONOTONIC) - w0) / n;
    pbkdf2.cpu = (now_s(CLOCK_THREAD_CPUTIME_ID) - c0) / n;
    char what[64];
    snprintf(what, sizeof what, "argon2id m=%d KiB t=%d p=%d:", AUTH_ARGON2_M_KIB, AUTH_ARGON2_T, AUTH_ARGON2_P);
    report(what, argon);
    snprintf(what, sizeof what, "pbkdf2-sha256 %d iterations:", AUTH_PBKDF2_ITER);
    report(what, pbkdf2);
    printf("argon2id / pbkdf2 CPU cost: %.1f\n", argon.cpu / pbkdf2.cpu);
    return 0;
}
