/*
 * mxpoll.h -- the /metrics values that live in Redis, sampled on a timer.
 *
 * Matches by status (count:match, the counter hash the scripts keep in
 * msort.lua) and the mail outbox depth (XLEN outbox) are read every
 * MXPOLL_INTERVAL_MS on the command link, one HGETALL and one XLEN, not on
 * each scrape: /metrics answers from memory (metrics.h), whatever its
 * scrape rate.  A poll that fails leaves the last values.
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#ifndef COACHNET_SERVER_MXPOLL_H
#define COACHNET_SERVER_MXPOLL_H

#define MXPOLL_INTERVAL_MS 5000 /* how old the Redis-held metrics may be */

struct server;
typedef struct mxpoll mxpoll;

/* A poller of s's metrics, started (its first poll after one interval).
 * NULL when out of memory. */
mxpoll *mxpoll_new(struct server *s);
/* Stops it; call after store_free(), which answers its commands in flight. */
void mxpoll_free(mxpoll *p);

#endif
