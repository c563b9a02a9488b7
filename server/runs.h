/* runs.h — match.run: snapshot the program from Redis, run libmatcher on a
 * worker thread, store the proposals, notify the coordinator. */
#ifndef COACHNET_SERVER_RUNS_H
#define COACHNET_SERVER_RUNS_H

#include "server/server.h"

typedef struct runs runs;

/* Waitlisted mentees per call of run.publish's settle of a draft
 * (methods_run.c): about 10 us of Redis each (a HINCRBY), so 250 hold
 * Redis 2-3 ms.  1000 took 6-19 ms a call at 100,000 x 20,000, and a run
 * of 1,000,000 leaves 850,000 unmatched (bench/e2e).  A run's own store
 * and settle are paced instead (runs.c, run-chunk-us). */
#define RUN_UNMATCHED_CHUNK 250

/* Also starts the sweep of orphaned runs (every third of run-lock-ttl-ms;
 * runs.c); needs s->base and s->cfg, and sends nothing until s->st is
 * connected. */
runs *runs_new(server *s);
/* Ask every worker to stop (their runs end as "cancelled"). */
void runs_cancel_all(runs *rs);
/* Wait for every worker thread (call after the loop has stopped). */
void runs_join_all(runs *rs);
/* Call after store_free(): a sweep in flight has been answered by then. */
void runs_free(runs *rs);
/* Start a run for request r (already authorised); answers r.  A draft run
 * ends done but staged: run.publish switches it on (methods_run.c). */
void runs_start(runs *rs, srv_req *r, const char *program, const proto_policy *policy, bool draft);

#endif
