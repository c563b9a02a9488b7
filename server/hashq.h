/* hashq.h — password hashing off the event loop.
 *
 * One Argon2id hash of auth.h's cost takes 30-40 ms of CPU and 19 MiB
 * of memory.  On the event loop, every auth.login — also one for a login
 * that does not exist, which is verified against a dummy hash so that
 * timing does not reveal which logins exist — would stall every connection
 * for that long.  hashq runs the hashes on a few threads of their own; the
 * loop only queues jobs and runs their callbacks.
 *
 * Memory: only a running job holds the 19 MiB (libargon2 allocates it for
 * the call and frees it after), so the hashing takes at most threads x 19
 * MiB; a queued job is one hjob (under 1 KiB), and at most
 * HASHQ_MAX_PENDING of them wait.  The queue bounds the work every
 * connection together can ask for: auth.login answers `rate_limited` when
 * it is full, and limits each client address before it queues anything
 * (loginrl.h), so one address cannot fill it.  The threads run at the
 * loop's priority: with nicer threads, a real login queued behind a
 * flood's hashes waited over 10 s under load (most likely the loop
 * answering the flood left them little CPU; test_login.py).
 *
 * Contract:
 *   - hashq_verify()/hashq_hash() return HASHQ_OK and later call fn exactly
 *     once on the loop's thread (never from inside the call), or return
 *     HASHQ_FULL at once (HASHQ_MAX_PENDING jobs queued or running; the
 *     caller answers `unavailable`) or HASHQ_ERR (bad argument, out of
 *     memory) and never call fn.
 *   - The password is copied and wiped after use; the caller may wipe its
 *     own copy as soon as the call returns.
 *   - hashq_free() stops the threads after their current job and calls fn
 *     with HASHQ_CANCELLED for every job not delivered yet, so owners can
 *     free what they hold (the same rule as store_free()).
 *
 * The base must have been created after evthread_use_pthreads(): the
 * threads wake the loop with event_active().
 */
#ifndef COACHNET_SERVER_HASHQ_H
#define COACHNET_SERVER_HASHQ_H

#include <stddef.h>

#include "server/auth.h"

struct event_base;

#define HASHQ_OK        0
#define HASHQ_ERR       -1
#define HASHQ_FULL      -2
#define HASHQ_CANCELLED -3

#define HASHQ_MAX_PENDING 256 /* jobs queued or running, all connections */
#define HASHQ_THREADS_MAX 64

typedef struct hashq hashq;

/* status: HASHQ_OK or HASHQ_CANCELLED.  For a verify, match is 1 when the
 * password matches the stored hash; for a hash, hash is the new textual
 * hash (valid during the call) or "" when hashing failed. */
typedef void hashq_fn(void *ud, int status, int match, const char *hash);

hashq *hashq_new(struct event_base *base, int threads);
void hashq_free(hashq *q);

int hashq_verify(hashq *q, const char *password, const char *stored, hashq_fn *fn, void *ud);
int hashq_hash(hashq *q, const char *password, hashq_fn *fn, void *ud);

/* Jobs queued or running (for tests and logs). */
size_t hashq_pending(hashq *q);

#endif
