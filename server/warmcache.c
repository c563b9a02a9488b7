/* warmcache.c — see warmcache.h.
 *
 * An entry is in the table (linked in LRU order, most recent first) or
 * retired (left the table while referenced; linked in the retired list
 * until its last release).  Entries of both lists are found by their state
 * pointer on release.
 */
#include "server/warmcache.h"

#include <stdlib.h>
#include <string.h>

typedef struct wc_entry {
    struct wc_entry *prev, *next;
    char *program;
    match_warm *w;
    size_t bytes;
    int64_t put_ms; /* its age counts from here */
    unsigned refs;
    int retired;
} wc_entry;

struct wc_cache {
    size_t max_bytes;
    int64_t ttl_ms;
    wc_entry *head, *tail; /* the table, most recently used first */
    wc_entry *retired;     /* referenced, out of the table (next only) */
    size_t count, bytes, held_bytes;
    int closing; /* wc_free ran with references out */
};

static void entry_free(wc_entry *e) {
    match_warm_free(e->w);
    free(e->program);
    free(e);
}

static void unlink_table(wc_cache *c, wc_entry *e) {
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
    c->count--;
    c->bytes -= e->bytes;
}

static void link_front(wc_cache *c, wc_entry *e) {
    e->prev = NULL;
    e->next = c->head;
    if (c->head) c->head->prev = e;
    c->head = e;
    if (!c->tail) c->tail = e;
}

/* Take e out of the table: freed now, or retired until its last release. */
static void evict(wc_cache *c, wc_entry *e) {
    unlink_table(c, e);
    if (e->refs == 0) {
        entry_free(e);
        return;
    }
    e->retired = 1;
    e->next = c->retired;
    c->retired = e;
    c->held_bytes += e->bytes;
}

static wc_entry *find(const wc_cache *c, const char *program) {
    for (wc_entry *e = c->head; e; e = e->next)
        if (strcmp(e->program, program) == 0) return e;
    return NULL;
}

static int expired(const wc_cache *c, const wc_entry *e, int64_t now_ms) { return now_ms - e->put_ms > c->ttl_ms; }

wc_cache *wc_new(size_t max_bytes, int64_t ttl_ms) {
    wc_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->max_bytes = max_bytes;
    c->ttl_ms = ttl_ms;
    return c;
}

int wc_enabled(const wc_cache *c) { return c->max_bytes > 0; }

const match_warm *wc_take(wc_cache *c, const char *program, int64_t now_ms) {
    wc_entry *e = find(c, program);
    if (!e) return NULL;
    if (expired(c, e, now_ms)) {
        evict(c, e);
        return NULL;
    }
    e->refs++;
    unlink_table(c, e);
    c->count++;
    c->bytes += e->bytes;
    link_front(c, e);
    return e->w;
}

/* The cache and the states still referenced after wc_free: freed once the
 * last reference is back. */
static void free_if_closed(wc_cache *c) {
    if (!c->closing || c->head || c->retired) return;
    free(c);
}

int wc_release(wc_cache *c, const match_warm *w) {
    for (wc_entry *e = c->head; e; e = e->next)
        if (e->w == w && e->refs > 0) {
            e->refs--;
            if (c->closing && e->refs == 0) {
                unlink_table(c, e);
                entry_free(e);
                free_if_closed(c);
            }
            return 0;
        }
    for (wc_entry **pp = &c->retired; *pp; pp = &(*pp)->next) {
        wc_entry *e = *pp;
        if (e->w != w) continue;
        if (--e->refs == 0) {
            *pp = e->next;
            c->held_bytes -= e->bytes;
            entry_free(e);
            free_if_closed(c);
        }
        return 0;
    }
    return -1;
}

int wc_put(wc_cache *c, const char *program, match_warm *w, int64_t now_ms) {
    wc_entry *old = find(c, program);
    if (old) evict(c, old);
    size_t bytes = match_warm_bytes(w);
    wc_entry *e = NULL;
    if (c->max_bytes == 0 || bytes > c->max_bytes || !(e = calloc(1, sizeof *e)) || !(e->program = strdup(program))) {
        free(e);
        match_warm_free(w);
        return 0;
    }
    e->w = w;
    e->bytes = bytes;
    e->put_ms = now_ms;
    while (c->tail && c->bytes + bytes > c->max_bytes) evict(c, c->tail);
    link_front(c, e);
    c->count++;
    c->bytes += bytes;
    return 1;
}

int wc_drop(wc_cache *c, const char *program) {
    wc_entry *e = find(c, program);
    if (!e) return 0;
    evict(c, e);
    return 1;
}

size_t wc_sweep(wc_cache *c, int64_t now_ms) {
    size_t n = 0;
    for (wc_entry *e = c->head, *next; e; e = next) {
        next = e->next;
        if (expired(c, e, now_ms)) {
            evict(c, e);
            n++;
        }
    }
    return n;
}

size_t wc_count(const wc_cache *c) { return c->count; }
size_t wc_bytes(const wc_cache *c) { return c->bytes; }
size_t wc_held_bytes(const wc_cache *c) { return c->held_bytes; }

size_t wc_free(wc_cache *c) {
    if (!c) return 0;
    size_t out = 0;
    for (wc_entry *e = c->head, *next; e; e = next) {
        next = e->next;
        if (e->refs == 0)
            evict(c, e);
        else
            out += e->refs;
    }
    for (wc_entry *e = c->retired; e; e = e->next) out += e->refs;
    c->closing = 1;
    free_if_closed(c);
    return out;
}
