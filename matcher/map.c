/* map.c — string -> uint32 hash map with owned keys (module-private).
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones), so lookups stay short however many upserts and removals the
 * coach index sees.  The load factor is kept at most 1/2. */
#include <stdlib.h>
#include <string.h>

#include "matcher/internal.h"

#define MAP_MIN_CAP 16

static uint64_t map_hash(const char *s) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

void mt_map_init(mt_map *m) { memset(m, 0, sizeof(*m)); }

void mt_map_free(mt_map *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* Slot holding key, or the empty slot where it would go. */
static size_t map_slot(const mt_map *m, const char *key) {
    size_t mask = m->cap - 1, i = (size_t)map_hash(key) & mask;
    while (m->keys[i] && strcmp(m->keys[i], key) != 0) i = (i + 1) & mask;
    return i;
}

static int map_grow(mt_map *m) {
    size_t ncap = m->cap ? m->cap * 2 : MAP_MIN_CAP;
    char **keys = calloc(ncap, sizeof(*keys));
    uint32_t *vals = calloc(ncap, sizeof(*vals));
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return MATCH_ENOMEM;
    }
    mt_map old = *m;
    m->keys = keys;
    m->vals = vals;
    m->cap = ncap;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.keys[i]) continue;
        size_t j = map_slot(m, old.keys[i]);
        m->keys[j] = old.keys[i];
        m->vals[j] = old.vals[i];
    }
    free(old.keys);
    free(old.vals);
    return MATCH_OK;
}

uint32_t mt_map_get(const mt_map *m, const char *key) {
    if (m->cap == 0) return MT_NONE;
    size_t i = map_slot(m, key);
    return m->keys[i] ? m->vals[i] : MT_NONE;
}

int mt_map_put(mt_map *m, const char *key, uint32_t val) {
    if ((m->len + 1) * 2 > m->cap && map_grow(m) != MATCH_OK) return MATCH_ENOMEM;
    size_t i = map_slot(m, key);
    if (!m->keys[i]) {
        char *k = strdup(key);
        if (!k) return MATCH_ENOMEM;
        m->keys[i] = k;
        m->len++;
    }
    m->vals[i] = val;
    return MATCH_OK;
}

uint32_t mt_map_intern(mt_map *m, const char *key) {
    uint32_t v = mt_map_get(m, key);
    if (v != MT_NONE) return v;
    v = (uint32_t)m->len;
    return mt_map_put(m, key, v) == MATCH_OK ? v : MT_NONE;
}

void mt_map_del(mt_map *m, const char *key) {
    if (m->cap == 0) return;
    size_t mask = m->cap - 1, i = map_slot(m, key);
    if (!m->keys[i]) return;
    free(m->keys[i]);
    m->keys[i] = NULL;
    m->len--;
    /* Backward shift: move later entries of the probe run into the hole
     * when their home slot does not lie strictly between hole and them. */
    for (size_t j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
        size_t home = (size_t)map_hash(m->keys[j]) & mask;
        int between = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (between) continue;
        m->keys[i] = m->keys[j];
        m->vals[i] = m->vals[j];
        m->keys[j] = NULL;
        i = j;
    }
}
