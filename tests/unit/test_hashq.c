/* test_hashq.c — server/hashq: PBKDF2 jobs on worker threads, results
 * delivered on the loop, a bounded queue, cancellation at free. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "server/auth.h"
#include "server/hashq.h"

typedef struct result {
    int calls, status, match;
    char hash[AUTH_HASH_MAX];
} result;

static void on_result(void *ud, int status, int match, const char *hash) {
    result *r = ud;
    r->calls++;
    r->status = status;
    r->match = match;
    snprintf(r->hash, sizeof r->hash, "%s", hash ? hash : "");
}

typedef struct fixture {
    struct event_base *base;
    struct event *keep;
    hashq *q;
} fixture;

static void noop(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
}

/* A base with no event added returns from EVLOOP_ONCE at once; coachnetd's
 * always has its listeners.  A slow persistent timer stands in for them. */
static struct event *keep_alive(struct event_base *base) {
    struct event *ev = event_new(base, -1, EV_PERSIST, noop, NULL);
    struct timeval tv = { 0, 100000 };
    if (ev) event_add(ev, &tv);
    return ev;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    f->base = event_base_new();
    f->keep = f->base ? keep_alive(f->base) : NULL;
    f->q = f->keep ? hashq_new(f->base, 2) : NULL;
    *state = f;
    return f->q ? 0 : -1;
}

static int teardown(void **state) {
    fixture *f = *state;
    hashq_free(f->q);
    if (f->keep) event_free(f->keep);
    if (f->base) event_base_free(f->base);
    free(f);
    return 0;
}

/* Run the loop until every result has its callback.  Each job takes a few
 * ms; the 60 s bound only stops a broken queue from hanging the suite. */
static void run_until(fixture *f, result *rs, int n) {
    time_t give_up = time(NULL) + 60;
    while (time(NULL) < give_up) {
        int done = 1;
        for (int i = 0; i < n; i++) done &= rs[i].calls > 0;
        if (done) return;
        event_base_loop(f->base, EVLOOP_ONCE);
    }
    fail_msg("hashq results never arrived");
}

static void verify_right_and_wrong_password(void **state) {
    fixture *f = *state;
    char stored[AUTH_HASH_MAX];
    assert_int_equal(auth_hash_password("correct horse", 13, stored), AUTH_OK);
    result rs[2];
    memset(rs, 0, sizeof rs);
    assert_int_equal(hashq_verify(f->q, "correct horse", stored, on_result, &rs[0]), HASHQ_OK);
    assert_int_equal(hashq_verify(f->q, "wrong horse", stored, on_result, &rs[1]), HASHQ_OK);
    /* never called from inside the call */
    assert_int_equal(rs[0].calls + rs[1].calls, 0);
    run_until(f, rs, 2);
    assert_int_equal(rs[0].calls, 1);
    assert_int_equal(rs[0].status, HASHQ_OK);
    assert_int_equal(rs[0].match, 1);
    assert_int_equal(rs[1].status, HASHQ_OK);
    assert_int_equal(rs[1].match, 0);
    assert_int_equal(hashq_pending(f->q), 0);
}

static void malformed_or_overlong_stored_hash_does_not_match(void **state) {
    fixture *f = *state;
    char longhash[AUTH_HASH_MAX + 40];
    memset(longhash, 'a', sizeof longhash - 1);
    longhash[sizeof longhash - 1] = '\0';
    result rs[3];
    memset(rs, 0, sizeof rs);
    assert_int_equal(hashq_verify(f->q, "pw-12345", "not-a-hash", on_result, &rs[0]), HASHQ_OK);
    assert_int_equal(hashq_verify(f->q, "pw-12345", "", on_result, &rs[1]), HASHQ_OK);
    assert_int_equal(hashq_verify(f->q, "pw-12345", longhash, on_result, &rs[2]), HASHQ_OK);
    run_until(f, rs, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rs[i].status, HASHQ_OK);
        assert_int_equal(rs[i].match, 0);
    }
}

static void hash_then_verify(void **state) {
    fixture *f = *state;
    result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(hashq_hash(f->q, "a new password", on_result, &r), HASHQ_OK);
    run_until(f, &r, 1);
    assert_int_equal(r.status, HASHQ_OK);
    assert_true(strncmp(r.hash, "$argon2id$v=19$", 15) == 0);
    assert_true(auth_verify_password("a new password", 14, r.hash));
    assert_false(auth_verify_password("another one", 11, r.hash));
}

static void bad_arguments_are_refused_without_callback(void **state) {
    fixture *f = *state;
    char toolong[AUTH_PASSWORD_MAX + 2];
    memset(toolong, 'p', sizeof toolong - 1);
    toolong[sizeof toolong - 1] = '\0';
    result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(hashq_verify(f->q, NULL, "x", on_result, &r), HASHQ_ERR);
    assert_int_equal(hashq_verify(f->q, "pw", NULL, on_result, &r), HASHQ_ERR);
    assert_int_equal(hashq_verify(f->q, "pw", "x", NULL, &r), HASHQ_ERR);
    assert_int_equal(hashq_hash(f->q, toolong, on_result, &r), HASHQ_ERR);
    assert_int_equal(hashq_hash(NULL, "pw", on_result, &r), HASHQ_ERR);
    assert_int_equal(hashq_pending(f->q), 0);
    event_base_loop(f->base, EVLOOP_NONBLOCK);
    assert_int_equal(r.calls, 0);
    assert_null(hashq_new(f->base, 0));
    assert_null(hashq_new(f->base, HASHQ_THREADS_MAX + 1));
}

/* HASHQ_MAX_PENDING jobs are accepted, the next is refused at once, and
 * the queue takes jobs again once results have been delivered. */
static void queue_is_bounded(void **state) {
    fixture *f = *state;
    result *rs = calloc(HASHQ_MAX_PENDING + 1, sizeof *rs);
    assert_non_null(rs);
    for (int i = 0; i < HASHQ_MAX_PENDING; i++)
        assert_int_equal(hashq_verify(f->q, "pw-12345", "x", on_result, &rs[i]), HASHQ_OK);
    assert_int_equal(hashq_pending(f->q), HASHQ_MAX_PENDING);
    assert_int_equal(hashq_verify(f->q, "pw-12345", "x", on_result, &rs[HASHQ_MAX_PENDING]), HASHQ_FULL);
    assert_int_equal(hashq_hash(f->q, "pw-12345", on_result, &rs[HASHQ_MAX_PENDING]), HASHQ_FULL);
    run_until(f, rs, HASHQ_MAX_PENDING);
    for (int i = 0; i < HASHQ_MAX_PENDING; i++) assert_int_equal(rs[i].calls, 1);
    assert_int_equal(rs[HASHQ_MAX_PENDING].calls, 0);
    assert_int_equal(hashq_pending(f->q), 0);
    assert_int_equal(hashq_verify(f->q, "pw-12345", "x", on_result, &rs[HASHQ_MAX_PENDING]), HASHQ_OK);
    run_until(f, &rs[HASHQ_MAX_PENDING], 1);
    free(rs);
}

/* hashq_free() answers every job not delivered yet with HASHQ_CANCELLED,
 * exactly once, whether it was queued, running or finished. */
static void free_cancels_what_was_not_delivered(void **state) {
    (void)state;
    struct event_base *base = event_base_new();
    assert_non_null(base);
    struct event *keep = keep_alive(base);
    hashq *q = hashq_new(base, 1);
    assert_non_null(keep);
    assert_non_null(q);
    enum { N = 40 };
    char stored[AUTH_HASH_MAX]; /* a real hash: each job costs a full PBKDF2 */
    assert_int_equal(auth_hash_password("pw-12345", 8, stored), AUTH_OK);
    result rs[N];
    memset(rs, 0, sizeof rs);
    for (int i = 0; i < N; i++) assert_int_equal(hashq_verify(q, "pw-12345", stored, on_result, &rs[i]), HASHQ_OK);
    event_base_loop(base, EVLOOP_ONCE); /* some may be delivered */
    int delivered = 0;
    for (int i = 0; i < N; i++) delivered += rs[i].calls;
    assert_true(delivered < N);
    hashq_free(q);
    for (int i = 0; i < N; i++) {
        assert_int_equal(rs[i].calls, 1);
        if (rs[i].status != HASHQ_OK) assert_int_equal(rs[i].status, HASHQ_CANCELLED);
    }
    event_free(keep);
    event_base_free(base);
}

int main(void) {
    if (evthread_use_pthreads()) return 1; /* as coachnetd: the threads wake the loop */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(verify_right_and_wrong_password, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_or_overlong_stored_hash_does_not_match, setup, teardown),
        cmocka_unit_test_setup_teardown(hash_then_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_arguments_are_refused_without_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(queue_is_bounded, setup, teardown),
        cmocka_unit_test(free_cancels_what_was_not_delivered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
