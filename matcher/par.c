/* par.c — a loop over an index range, split over threads (par.h). */
#include "matcher/par.h"

#include <pthread.h>

typedef struct part_job {
    mt_part_fn fn;
    void *ctx;
    size_t i0, i1;
    int part, rc;
} part_job;

static void *part_worker(void *arg) {
    part_job *j = arg;
    j->rc = j->fn(j->ctx, j->i0, j->i1, j->part);
    return NULL;
}

int mt_par_count(int threads, size_t n, size_t min_part) {
    int parts = threads < 1 ? 1 : threads > MT_PAR_MAX ? MT_PAR_MAX : threads;
    size_t most = min_part ? n / min_part : n;
    if ((size_t)parts > most) parts = most > 1 ? (int)most : 1;
    return parts;
}

size_t mt_par_start(int parts, size_t n, int p) { return n * (size_t)p / (size_t)parts; }

int mt_par_parts(int threads, size_t n, size_t min_part, mt_part_fn fn, void *ctx) {
    int parts = mt_par_count(threads, n, min_part);
    part_job job[MT_PAR_MAX];
    pthread_t tid[MT_PAR_MAX];
    int started[MT_PAR_MAX] = { 0 };
    for (int p = 0; p < parts; p++)
        job[p] = (part_job){ fn, ctx, mt_par_start(parts, n, p), mt_par_start(parts, n, p + 1), p, 0 };
    for (int p = 1; p < parts; p++) started[p] = pthread_create(&tid[p], NULL, part_worker, &job[p]) == 0;
    part_worker(&job[0]);
    for (int p = 1; p < parts; p++) {
        if (started[p])
            pthread_join(tid[p], NULL);
        else
            part_worker(&job[p]);
    }
    for (int p = 0; p < parts; p++)
        if (job[p].rc != 0) return job[p].rc;
    return 0;
}
