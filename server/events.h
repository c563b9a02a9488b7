/* events.h — the pub/sub side of coachnetd: messages of the P`events`
 * channel (docs/operations.md), published by the Lua scripts of every
 * coachnetd sharing the Redis, applied here.
 *
 *   ["coach", id, profile, load]  coach index: upsert the profile
 *   ["load", id, n]               coach index: the coach's taken seats
 *   ["match", [field, value, ...]] match.updated to every session of the
 *                                 match's mentee and of its coach
 *   ["revoke", [tokhash, ...]]    end every session of those tokens here
 *                                 (auth.logout, user.disable: common.lua's
 *                                 end_tokens)
 *   (re)subscribed                coach index: full resync, and a session
 *                                 check now (messages may have been missed
 *                                 while the link was down: sesscheck.h)
 *
 * Calls the coach index (coachidx.h), the session check (sesscheck.h) and
 * the connections' narrow functions (srv_notify_subject,
 * srv_end_sessions); nothing calls back into it but the store's message
 * callback (main.c).
 */
#ifndef COACHNET_SERVER_EVENTS_H
#define COACHNET_SERVER_EVENTS_H

#include <stddef.h>

#include "server/server.h"

/* One message of the event channel (payload NULL: (re)subscribed).  A
 * malformed message is logged and ignored. */
void events_on_message(server *s, const char *payload, size_t len);

#endif
