/* loginrl.h — the per-address login limit, in this process's memory.
 *
 * auth.login limits attempts per login name in Redis (login.lua), but only
 * for logins that exist: an attempt for an unknown name writes nothing to
 * Redis (DESIGN §14), so a flood of random names is not slowed there.  It
 * is slowed here, per client address, before anything is read from Redis
 * or queued for hashing (hashq.h), so one address cannot fill the hash
 * queue and keep the logins of other addresses out.
 *
 * What counts: an attempt is taken when it starts and given back when it
 * succeeds (loginrl_refund), so at most `limit` attempts of one address are
 * in flight or have failed within its window of LOGINRL_WINDOW_S seconds,
 * while the successful logins of many users behind one NAT cost nothing.
 * An attempt answered `unavailable` before any password was checked (the
 * store could not read the user) is given back too: an outage of Redis
 * must not leave those who retried meanwhile rate_limited after it.
 * The window is fixed: it starts with the address's first attempt and the
 * count restarts when it is over.
 *
 * Addresses: the peer text srv.c makes ("ip:port").  An IPv4 address (also
 * an IPv4-mapped IPv6 one) counts alone; an IPv6 address counts with its
 * /64, the block one customer usually gets.  A peer without an address
 * (the unix socket, local administration) is never limited.
 *
 * Memory: a table of `slots` entries (rounded up to a power of two) of
 * under 40 bytes each, allocated once.  An address is looked for in
 * LOGINRL_PROBE neighbouring slots of its (seeded) hash; a new address
 * takes a free or expired one there (or one whose attempts were all given
 * back), else the one whose window started first (so the table never
 * refuses an address: more live addresses than slots only makes the limit
 * forget the oldest).
 *
 * One loginrl per process: several coachnetd each count their own share
 * of an address's attempts (docs/operations.md).  Loop thread only.
 */
#ifndef COACHNET_SERVER_LOGINRL_H
#define COACHNET_SERVER_LOGINRL_H

#include <stddef.h>
#include <stdint.h>

#define LOGINRL_WINDOW_S 60
#define LOGINRL_PROBE    8
#define LOGINRL_KEY      16 /* bytes of a key */
/* Logins of one name a coachnetd verifies at once (whatever the addresses):
 * login.lua checks the per-name count of failures before the password is
 * verified, so without this bound the attempts in flight would all pass
 * it; with it a name gets at most LOGINRL_NAME_INFLIGHT guesses past its
 * limit per coachnetd. */
#define LOGINRL_NAME_INFLIGHT 2

typedef struct loginrl loginrl;

/* A table of at least `slots` (>= LOGINRL_PROBE) entries allowing `limit`
 * attempts per address and window (0: no limit, every take succeeds);
 * seed varies the hash.  NULL when out of memory or slots is too small. */
loginrl *loginrl_new(size_t slots, int limit, uint64_t seed);
void loginrl_free(loginrl *t);

/* The key of a peer: 1 with the key in key, or 0 for a peer without an
 * address (not "ip:port"). */
int loginrl_key(const char *peer, unsigned char key[LOGINRL_KEY]);

/* Take one attempt of peer at now (seconds, monotonic): 0 when it may go
 * on, or the seconds (>= 1) until the address's window ends. */
int loginrl_take(loginrl *t, const char *peer, int64_t now);

/* Give back an attempt of peer taken in the current window (a login that
 * succeeded).  Nothing when the address has been forgotten meanwhile. */
void loginrl_refund(loginrl *t, const char *peer, int64_t now);

/* The same counting for any key (auth.login also counts the logins of one
 * name in flight: LOGINRL_NAME_INFLIGHT), with the limit of this call
 * (>= 1) instead of the table's; keys of both kinds share the table. */
int loginrl_take_key(loginrl *t, const unsigned char key[LOGINRL_KEY], int limit, int64_t now);
void loginrl_refund_key(loginrl *t, const unsigned char key[LOGINRL_KEY], int64_t now);

#endif
