/* store.h — the Redis store: one hiredis async connection for commands and
 * one for pub/sub, both on the server's event loop.
 *
 * Contract of store_cmd(): when it returns STORE_OK the callback is called
 * exactly once, later (never from inside store_cmd), with either Redis'
 * reply (which may be an error reply) and STORE_OK, or with reply == NULL
 * and STORE_UNAVAILABLE when Redis went away or the command timed out.  A
 * reply arriving after the timeout is dropped.  The reply is only valid
 * during the callback.  When store_cmd returns STORE_UNAVAILABLE (Redis not
 * connected) the callback is never called.
 *
 * hiredis 0.14.1 has no timeouts: every command gets its own timer, and a
 * timeout tears the connection down (a Redis that does not answer one
 * command will not answer the next) and reconnects from a timer with
 * exponential backoff.  Both connections reconnect that way.
 *
 * Sentinel (DESIGN §13; design.md "High availability").  With a list of
 * Sentinels the primary's address is never configured: every (re)connect
 * of the command link asks the Sentinels (Redis' Sentinel client
 * guidelines: each in turn, a short timeout each, the one that answered
 * moved to the front of the list), connects to the address they give and
 * accepts the link only once ROLE says "master".  The pub/sub link
 * connects only to the primary the command link accepted, and is dropped
 * and reconnected when that primary changes, so both follow the same
 * primary.  A third connection, to one Sentinel, subscribes to
 * +switch-master: a hint that drops the links of a primary that is no
 * longer the one, never an address used without asking again.  When no
 * Sentinel answers, the links keep (or go back to) the last primary that
 * ROLE confirmed, and store_sentinels_unreachable() says so.  Nothing of
 * this blocks the loop: every step is asynchronous with its own timer.
 *
 * Durable writes.  store_cmd_durable() sends the command and, pipelined on
 * the same connection after it, `WAIT min-replicas wait-timeout-ms`; the
 * callback gets the command's reply only when WAIT counted enough
 * replicas, and STORE_UNAVAILABLE otherwise (the write may then be on the
 * primary alone, and may be lost in a failover: the client hears
 * `unavailable` and retries with its request_id).  Durable writes share
 * WAITs: one is sent at the end of a loop turn, or when the WAIT in flight
 * answers, for every durable write sent since the last one (WAIT counts
 * the replicas that have everything the connection wrote before it; Redis
 * blocks the connection while WAIT waits, so one WAIT per write would make
 * each write wait for its own round trip to the replicas).
 */
#ifndef COACHNET_SERVER_STORE_H
#define COACHNET_SERVER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "server/config.h"
#include "server/metrics.h"

struct event_base;

#define STORE_OK          0
#define STORE_UNAVAILABLE -1

#define STORE_BACKOFF_MIN_MS 50
#define STORE_BACKOFF_MAX_MS 2000

typedef struct store store;

typedef void store_cb(void *ud, redisReply *reply, int status);
/* A pub/sub message on the event channel (payload, len).  payload == NULL
 * means "the subscription was (re)established": caches must resync. */
typedef void store_msg_cb(void *ud, const char *payload, size_t len);

/* Where and how to reach Redis.  The strings and the array are copied. */
typedef struct store_conf {
    const char *host; /* the fixed primary when n_sentinels == 0 */
    int port;
    int timeout_ms;
    const char *channel;               /* the pub/sub link's channel */
    const cfg_hostport *sentinels;     /* in the configured order */
    size_t n_sentinels;                /* 0: no Sentinel, host:port directly */
    const char *master_name;           /* SENTINEL get-master-addr-by-name */
    int sentinel_timeout_ms;           /* per Sentinel asked */
    int min_replicas, wait_timeout_ms; /* store_cmd_durable's WAIT */
} store_conf;

store *store_new(struct event_base *base, const store_conf *conf, store_msg_cb *on_msg, void *msg_ud);
/* The command link's connect hook: cb(ud, s) runs each time that link
 * (re)connects, right after store_connected() becomes true and before
 * any other command can be queued on the new connection, so the commands
 * cb sends are the connection's first (scripts.c loads the Lua scripts
 * there).  One hook; set it before the event loop runs. */
typedef void store_connect_cb(void *ud, store *s);
void store_on_connect(store *s, store_connect_cb *cb, void *ud);
/* Fails every pending command (callbacks get STORE_UNAVAILABLE) and frees. */
void store_free(store *s);
int store_connected(const store *s);
/* The pub/sub link is connected (metrics). */
int store_sub_connected(const store *s);
/* Observe every command's time to its reply or timeout into h (the
 * server's metrics; mx_observe is inline, so linking without metrics.o
 * works). */
void store_set_latency(store *s, mx_hist *h);

int store_cmd(store *s, store_cb *cb, void *ud, int argc, const char **argv, const size_t *argvlen);
/* store_cmd() for a write that a client (or a run) is told succeeded:
 * followed by WAIT (see above) when min_replicas > 0; the same as
 * store_cmd() otherwise.  Its timer is timeout_ms + 2 wait_timeout_ms
 * (the WAIT in flight when it was sent, then its own). */
int store_cmd_durable(store *s, store_cb *cb, void *ud, int argc, const char **argv, const size_t *argvlen);

/* 1 while Sentinels are configured and none of them answers (the last
 * resolution got no answer, or the +switch-master link failed on every
 * Sentinel in a row); the links then stay on the last primary ROLE
 * confirmed.  Logged when it starts and ends; for /readyz. */
int store_sentinels_unreachable(const store *s);
/* The primary the command link is on ("" and 0 while not connected). */
void store_primary(const store *s, char *host, size_t hostsz, int *port);

/* Move list[i] to the front, the others keeping their order (the
 * guidelines' "the Sentinel that answered goes first").  Pure. */
void store_sentinel_promote(cfg_hostport *list, size_t n, size_t i);

/* Argument vector builder: pointers added with sargs_add must stay valid
 * until store_cmd returns (hiredis copies them when it formats the
 * command); sargs_addf/sargs_addll copy into owned memory. */
typedef struct sargs {
    int argc, cap;
    const char **argv;
    size_t *len;
    char **owned;
    int oom;
} sargs;

void sargs_init(sargs *a);
void sargs_add(sargs *a, const void *p, size_t len);
void sargs_adds(sargs *a, const char *s);
void sargs_addf(sargs *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sargs_addll(sargs *a, long long v);
void sargs_add_copy(sargs *a, const char *s);
/* Copy every borrowed argument from index `from` on into owned memory, so
 * the vector can be sent again later. */
void sargs_own(sargs *a, int from);
void sargs_free(sargs *a);
/* store_cmd with an sargs (which it does not free); STORE_UNAVAILABLE on oom. */
int store_cmda(store *s, store_cb *cb, void *ud, const sargs *a);
/* store_cmd_durable with an sargs. */
int store_cmda_durable(store *s, store_cb *cb, void *ud, const sargs *a);

/* Reading replies.  A reply is input like any other: a script of another
 * version, a flushed key or a Redis that lies must give "unexpected store
 * reply", never a NULL str handed to strcmp or memcpy. */
/* Element i of an array reply, or NULL. */
const redisReply *mel(const redisReply *r, size_t i);
/* 1 when r is an array and its elements from..to-1 all exist and are bulk
 * strings. */
int mel_strs(const redisReply *r, size_t from, size_t to);
/* Element i as an integer (an integer reply or a decimal string), or dflt. */
long long mel_ll(const redisReply *r, size_t i, long long dflt);

#endif
