/* sesscheck.h — a session is valid only while Redis says so (design.md
 * §14): the periodic check of this instance's sessions against Redis.
 *
 * Sessions live in each connection (conn.c) and end on the `revoke` event
 * of the pub/sub channel (events.c).  An event is lost when the pub/sub
 * link is down at the time it is published, so every session is also
 * checked against Redis (session_check.lua: its token key is still there
 * and its user is not disabled):
 *
 *   - every session-check-s seconds (config; default 30);
 *   - right after the pub/sub link is subscribed again (events.c), since
 *     the events it missed meanwhile may have ended some.
 *
 * A round takes the distinct token hashes of the authenticated connections
 * (srv_session_tokens) and asks Redis about SESSCHECK_BATCH of them per
 * script call, one call after the other: one round trip for many sessions,
 * and the loop serves requests between the calls.  The sessions Redis no
 * longer holds end (srv_end_sessions) as each answer arrives.
 *
 * While Redis cannot answer (down, a timeout, an error reply), sessions are
 * kept, not ended: an outage must not log everybody out, and a session kept
 * meanwhile can do little, since nearly every method needs Redis too (and
 * answers `unavailable`).  The round is tried again every
 * SESSCHECK_RETRY_MS until Redis answers, so a session ended during the
 * outage ends about then.  The outage and the recovery are each one log
 * line ("session check: ...").
 */
#ifndef COACHNET_SERVER_SESSCHECK_H
#define COACHNET_SERVER_SESSCHECK_H

#include "server/server.h"

#define SESSCHECK_BATCH    500  /* token hashes per script call */
#define SESSCHECK_RETRY_MS 1000 /* next try after Redis could not answer */

typedef struct sesscheck sesscheck;

/* A checker of s's sessions, its first round session-check-s from now;
 * NULL when out of memory.  Free it after the store (store_free answers
 * a call in flight). */
sesscheck *sesscheck_new(server *s);
void sesscheck_free(sesscheck *sc);
/* Check now: start a round, or, during one, another right after it. */
void sesscheck_now(sesscheck *sc);

#endif
