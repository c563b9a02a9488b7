/* coachidx.h — the in-memory coach index behind match.suggest and
 * match.explain (a match_index of libmatcher), kept in sync with Redis.
 *
 * Every coach.put publishes the new profile on the event channel, every
 * capacity change publishes the coach's load; each coachnetd applies
 * those messages, so a coach put through one instance is suggested by all.
 * On (re)subscribing the index resyncs from Redis (messages may have been
 * missed while the link was down) by paging through idx:coach; a coach an
 * event changes while a page is on its way keeps the event's data (the
 * page may be older: coachidx.c).
 */
#ifndef COACHNET_SERVER_COACHIDX_H
#define COACHNET_SERVER_COACHIDX_H

#include <stddef.h>

#include "server/server.h"

typedef struct coachidx coachidx;

coachidx *coachidx_new(server *s);
void coachidx_free(coachidx *ci);
/* Apply a coach profile blob (msgpack, as stored) with its load. */
void coachidx_put_blob(coachidx *ci, const char *blob, size_t len, int load);
void coachidx_set_load(coachidx *ci, const char *coach_id, int load);
/* Start a full reload from Redis (no-op when one is running). */
void coachidx_resync(coachidx *ci);
const match_index *coachidx_index(const coachidx *ci);
/* 1 once a full load completed (and from then on: a later resync keeps
 * the complete index it had while it reloads).  match.suggest and
 * match.explain answer `unavailable` before. */
int coachidx_ready(const coachidx *ci);

#endif
