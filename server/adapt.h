/* adapt.h — the one adapter between libproto and libmatcher.
 *
 * A profile has three forms in coachnetd: the msgpack blob stored in Redis
 * (written by proto_*_pack), the validated proto struct (libproto) and
 * libmatcher's view of it (match_mentee / match_coach, whose strings and
 * arrays point into the proto struct).  Every conversion between them
 * lives here, for every user: the handlers (methods_*.c), the coach index
 * (coachidx.c), the event channel (events.c) and match runs (runs.c, which
 * then copies the views into its arena).  The same goes for a run's policy (proto ->
 * matcher) and its statistics (matcher -> proto).  adapt.c holds the
 * _Static_asserts that tie the protocol's limits to libmatcher's, so a
 * limit raised on one side only fails the build, not a request.
 *
 * Calls only libproto, msgpack-c and libmatcher (the server is read for
 * its vocabulary): no request, connection or store.
 */
#ifndef COACHNET_SERVER_ADAPT_H
#define COACHNET_SERVER_ADAPT_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

#include "matcher/matcher.h"
#include "proto/proto.h"

struct server;

/* ---- stored blob -> proto ---- */

/* Unpack a msgpack blob (a profile produced by proto_*_pack, or an event
 * payload) after the same pre-check as a client's frame.  0 with the
 * object in *u (initialised by the caller), -1 otherwise. */
int mblob_unpack(const char *data, size_t len, msgpack_unpacked *u);
/* Decode a stored profile against the server's vocabulary; 0 or -1. */
int mblob_mentee(struct server *s, const char *data, size_t len, proto_mentee *out);
int mblob_coach(struct server *s, const char *data, size_t len, proto_coach *out);

/* ---- proto -> matcher: the views point into the proto structs ---- */

typedef struct madapt_mentee {
    match_mentee m;
    match_need needs[PROTO_COMPETENCIES_MAX];
    const char *langs[PROTO_LANGS_MAX];
} madapt_mentee;

/* A coach organization written as text becomes a surrogate token
 * "~<FNV-1a hash>" of this size (adapt.c says why). */
#define MADAPT_ORG_BUF 24

typedef struct madapt_coach {
    match_coach c;
    char org[MADAPT_ORG_BUF];
    match_skill skills[PROTO_COMPETENCIES_MAX];
    const char *langs[PROTO_LANGS_MAX];
    const char *programs[PROTO_PROGRAMS_MAX];
} madapt_coach;

void madapt_mentee_init(madapt_mentee *a, const proto_mentee *p);
/* load: the coach's taken seats, clamped to 0..capacity (free capacity is
 * capacity - load either way). */
void madapt_coach_init(madapt_coach *a, const proto_coach *p, int load);

/* A run's policy: weights rescaled to libmatcher's units, then checked by
 * libmatcher against the catalogue.  The view points into pp, which must
 * outlive it.  0, or -1 with the offending field ("policy.…") and a
 * message. */
typedef struct madapt_policy {
    match_policy p;
    match_comp_weight cw[PROTO_COMP_WEIGHTS_MAX];
} madapt_policy;
int madapt_policy_init(madapt_policy *a, const proto_policy *pp, const match_catalog *cat, char *field, size_t fsz,
                       char *msg, size_t msz);

/* ---- matcher -> proto ---- */

/* A run's statistics (st NULL: none yet, counts only from mentees and
 * coaches); elapsed_ms is the caller's. */
void madapt_run_stats(proto_run_stats *ps, const match_stats *st, uint32_t mentees, uint32_t coaches,
                      int64_t elapsed_ms);

#endif
