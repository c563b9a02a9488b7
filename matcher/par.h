/* par.h — a loop over an index range, split over threads.
 *
 * The matcher's even loops (checking and coding profiles, filling the
 * graph's rows, the solver's column-major copy and certificate check) need
 * no work queue: [0, n) is cut into at most `threads` contiguous parts of
 * at least min_part indices each, and part p runs fn(ctx, i0, i1, p) on a
 * thread of its own (part 0 on the caller's; a part whose thread cannot be
 * started runs on the caller's after part 0).  The split depends only on
 * (threads, n, min_part): two loops with the same arguments see the same
 * parts, so a first loop may count per part what a second one fills. */
#ifndef COACHNET_MATCHER_PAR_H
#define COACHNET_MATCHER_PAR_H

#include <stddef.h>

#define MT_PAR_MAX 16 /* parts at most, whatever `threads` asks */

typedef int (*mt_part_fn)(void *ctx, size_t i0, size_t i1, int part);

/* The number of parts of the split (1..MT_PAR_MAX). */
int mt_par_count(int threads, size_t n, size_t min_part);
/* Part p's first index: parts p covers [mt_par_start(p), mt_par_start(p+1)). */
size_t mt_par_start(int parts, size_t n, int p);
/* fn over every part; the result of the first part in index order whose fn
 * returned non-zero (a fn that stops at its part's first failure reports
 * the loop's first, as a serial loop would), else 0. */
int mt_par_parts(int threads, size_t n, size_t min_part, mt_part_fn fn, void *ctx);

#endif
