/* warmcache.h — the warm states of match runs, per program, in this
 * process's memory (design.md §5 "Warm starts").
 *
 * An optimal-mode run leaves a match_warm (matcher.h): its candidate graph,
 * bounds and duals, keyed inside by fingerprints of every profile and of the
 * scoring policy.  The next run of the same program starts from it, and the
 * engine decides per mentee and coach what still holds; a state that does
 * not fit at all (another catalogue, another scoring policy) is simply not
 * used.  So the cache needs no key but the program: what it must get right
 * is lifetimes and memory, not staleness of content.
 *
 * Lifetimes.  A run's worker thread reads a state while the loop may
 * replace it (another run of the program, once the first lost its lock),
 * evict it (a run of another program needs the room) or drop it.  So a
 * run takes a reference on the loop before its worker starts (wc_take)
 * and gives it back on the loop once the worker is joined (wc_release).  A state that leaves the table (replaced, evicted, expired,
 * dropped) while referenced lives on outside it and is freed by its last
 * release.
 *
 * Memory.  The states in the table hold at most max_bytes together (the sum
 * of match_warm_bytes); wc_put evicts the least recently used ones
 * (taken or put) to make room, and does not keep a state larger than
 * max_bytes alone.  A state that left the table while a run reads it is
 * counted apart (wc_held_bytes): at most one per run in flight.
 *
 * Age.  A state older than ttl_ms (since its put) is dropped by wc_take
 * and by wc_sweep (runs.c calls it from its sweep timer).
 *
 * Several coachnetd each have their own cache: a run on another instance
 * starts cold, with the same result (docs/operations.md).
 *
 * The table is a list in least-recently-used order, searched linearly: it
 * holds one entry per program that ran on this instance, tens to hundreds.
 *
 * Loop thread only: nothing here locks.  Times are the caller's monotonic
 * milliseconds, so tests choose them.
 */
#ifndef COACHNET_SERVER_WARMCACHE_H
#define COACHNET_SERVER_WARMCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "matcher/matcher.h"

#define WC_MB (1024 * 1024) /* run-warm-max-mb is in these */

typedef struct wc_cache wc_cache;

/* A cache of at most max_bytes of states, each kept at most ttl_ms.
 * max_bytes 0: disabled (wc_take finds nothing, wc_put frees at once).
 * NULL when out of memory. */
wc_cache *wc_new(size_t max_bytes, int64_t ttl_ms);

/* 1 when the cache keeps states (max_bytes > 0): runs ask for one
 * (keep_warm) only then. */
int wc_enabled(const wc_cache *c);

/* The program's state, with a reference the caller must give back with
 * wc_release (on the loop thread); NULL when there is none or it is older
 * than the TTL (then it is dropped).  Marks it the most recently used. */
const match_warm *wc_take(wc_cache *c, const char *program, int64_t now_ms);

/* Give back a reference of wc_take.  A state no longer in the table is
 * freed with its last reference.  0, or -1 when w was not taken from c (a
 * bug of the caller; nothing changes). */
int wc_release(wc_cache *c, const match_warm *w);

/* Make w (owned by the cache from now on, even on failure) the program's
 * state, replacing the one before (freed now, or by its last release),
 * then evict the least recently used states until the table fits
 * max_bytes.  1 when w is kept, 0 when it was freed instead (disabled,
 * larger than max_bytes alone, or out of memory; the program's older
 * state is dropped then too). */
int wc_put(wc_cache *c, const char *program, match_warm *w, int64_t now_ms);

/* Drop the program's state (its next run starts cold); a referenced one
 * is freed by its last release.  1 when there was one, else 0. */
int wc_drop(wc_cache *c, const char *program);

/* Drop every state older than the TTL; returns how many. */
size_t wc_sweep(wc_cache *c, int64_t now_ms);

/* States in the table and their bytes; bytes of states that left it while
 * referenced. */
size_t wc_count(const wc_cache *c);
size_t wc_bytes(const wc_cache *c);
size_t wc_held_bytes(const wc_cache *c);

/* Free the cache and every state nobody references.  Every reference
 * should have been released first (runs_free does, before this is
 * called); references still out are a caller's bug, and this guards
 * against it: it returns their count, and the states they read, with the
 * cache itself, stay alive until the last of them is released (wc_release
 * is the only call valid on c afterwards).  0 when everything was freed. */
size_t wc_free(wc_cache *c);

#endif
