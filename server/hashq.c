/* hashq.c — password hashing on worker threads (see hashq.h).
 *
 * Jobs go from `todo` (FIFO, taken by the threads) to `done` (FIFO, taken
 * by the loop in done_cb).  `pending` counts a job from its queueing until
 * its callback has been called, so HASHQ_MAX_PENDING bounds the memory and
 * the work queued by every connection together.  One mutex guards both
 * lists; event_active() is called after it is released.
 */
#include "server/hashq.h"

#include <event2/event.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { JOB_VERIFY, JOB_HASH };

typedef struct hjob {
    struct hjob *next;
    int kind;
    char password[AUTH_PASSWORD_MAX + 1];
    char hash[AUTH_HASH_MAX]; /* verify: the stored hash; hash: the result */
    int match;
    hashq_fn *fn;
    void *ud;
} hjob;

typedef struct jlist {
    hjob *head, *tail;
} jlist;

struct hashq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    jlist todo, done;
    size_t pending;
    int stop;
    int nthreads;
    pthread_t th[HASHQ_THREADS_MAX];
    struct event *ev_done;
};

static void jl_push(jlist *l, hjob *j) {
    j->next = NULL;
    if (l->tail)
        l->tail->next = j;
    else
        l->head = j;
    l->tail = j;
}

static hjob *jl_pop(jlist *l) {
    hjob *j = l->head;
    if (j) {
        l->head = j->next;
        if (!l->head) l->tail = NULL;
    }
    return j;
}

static void job_free(hjob *j) {
    OPENSSL_cleanse(j->password, sizeof j->password);
    free(j);
}

static void job_run(hjob *j) {
    size_t n = strlen(j->password);
    if (j->kind == JOB_VERIFY) {
        j->match = auth_verify_password(j->password, n, j->hash);
    } else if (auth_hash_password(j->password, n, j->hash) != AUTH_OK) {
        j->hash[0] = '\0';
    }
    OPENSSL_cleanse(j->password, sizeof j->password);
}

static void *worker(void *arg) {
    hashq *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->stop && !q->todo.head) pthread_cond_wait(&q->cv, &q->mu);
        if (q->stop) break;
        hjob *j = jl_pop(&q->todo);
        pthread_mutex_unlock(&q->mu);
        job_run(j);
        pthread_mutex_lock(&q->mu);
        jl_push(&q->done, j);
        pthread_mutex_unlock(&q->mu);
        event_active(q->ev_done, EV_READ, 0);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* On the loop: deliver every finished job.  `pending` drops before the
 * callback, so a callback may queue the next job of its request. */
static void done_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    hashq *q = arg;
    pthread_mutex_lock(&q->mu);
    jlist done = q->done;
    q->done.head = q->done.tail = NULL;
    pthread_mutex_unlock(&q->mu);
    hjob *j;
    while ((j = jl_pop(&done))) {
        pthread_mutex_lock(&q->mu);
        q->pending--;
        pthread_mutex_unlock(&q->mu);
        j->fn(j->ud, HASHQ_OK, j->match, j->kind == JOB_HASH ? j->hash : NULL);
        job_free(j);
    }
}

hashq *hashq_new(struct event_base *base, int threads) {
    if (threads < 1 || threads > HASHQ_THREADS_MAX) return NULL;
    hashq *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    if (pthread_mutex_init(&q->mu, NULL)) {
        free(q);
        return NULL;
    }
    if (pthread_cond_init(&q->cv, NULL)) {
        pthread_mutex_destroy(&q->mu);
        free(q);
        return NULL;
    }
    q->ev_done = event_new(base, -1, 0, done_cb, q);
    if (!q->ev_done) {
        hashq_free(q);
        return NULL;
    }
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&q->th[i], NULL, worker, q)) {
            hashq_free(q);
            return NULL;
        }
        q->nthreads++;
    }
    return q;
}

static void cancel_all(jlist *l) {
    hjob *j;
    while ((j = jl_pop(l))) {
        j->fn(j->ud, HASHQ_CANCELLED, 0, NULL);
        job_free(j);
    }
}

void hashq_free(hashq *q) {
    if (!q) return;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    for (int i = 0; i < q->nthreads; i++) pthread_join(q->th[i], NULL);
    q->pending = 0;
    cancel_all(&q->done);
    cancel_all(&q->todo);
    if (q->ev_done) event_free(q->ev_done);
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
    free(q);
}

static int submit(hashq *q, int kind, const char *password, const char *stored, hashq_fn *fn, void *ud) {
    size_t n = password ? strlen(password) : 0;
    if (!q || !password || !fn || n > AUTH_PASSWORD_MAX) return HASHQ_ERR;
    pthread_mutex_lock(&q->mu);
    int full = q->pending >= HASHQ_MAX_PENDING;
    if (!full) q->pending++;
    pthread_mutex_unlock(&q->mu);
    if (full) return HASHQ_FULL;
    hjob *j = calloc(1, sizeof *j);
    if (!j) {
        pthread_mutex_lock(&q->mu);
        q->pending--;
        pthread_mutex_unlock(&q->mu);
        return HASHQ_ERR;
    }
    j->kind = kind;
    memcpy(j->password, password, n + 1);
    /* a stored hash too long to be ours stays "": it verifies as no match */
    if (stored && strlen(stored) < sizeof j->hash) memcpy(j->hash, stored, strlen(stored) + 1);
    j->fn = fn;
    j->ud = ud;
    pthread_mutex_lock(&q->mu);
    jl_push(&q->todo, j);
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return HASHQ_OK;
}

int hashq_verify(hashq *q, const char *password, const char *stored, hashq_fn *fn, void *ud) {
    if (!stored) return HASHQ_ERR;
    return submit(q, JOB_VERIFY, password, stored, fn, ud);
}

int hashq_hash(hashq *q, const char *password, hashq_fn *fn, void *ud) {
    return submit(q, JOB_HASH, password, NULL, fn, ud);
}

size_t hashq_pending(hashq *q) {
    pthread_mutex_lock(&q->mu);
    size_t n = q->pending;
    pthread_mutex_unlock(&q->mu);
    return n;
}
