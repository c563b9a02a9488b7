/* bench_matcher_instance.h — synthetic instance files of bench/matcher (format in
 * README.md): reading them into libmatcher's profile structs.  Bench-only. */
#ifndef COACHNET_BENCH_MATCHER_BENCH_MATCHER_INSTANCE_H
#define COACHNET_BENCH_MATCHER_BENCH_MATCHER_INSTANCE_H

#include <stddef.h>
#include <stdint.h>

#include "matcher/matcher.h"

typedef struct instance {
    match_mentee *mentees;
    uint32_t *waitlist;
    size_t n_mentees;
    match_coach *coaches;
    size_t n_coaches;
    match_pair_ref *pinned, *forbidden;
    size_t n_pinned, n_forbidden;
    match_policy policy;
    match_comp_weight comp_weights[MATCH_MAX_POLICY_WEIGHTS];
    struct inst_blk *arena; /* every string and array above */
} instance;

/* Read path into *inst.  0 on success; -1 with a message "path:line: what"
 * in err. */
int instance_read(const char *path, instance *inst, char *err, size_t errlen);
void instance_free(instance *inst);

#endif
