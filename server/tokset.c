/* tokset.c — see tokset.h. */
#include "server/tokset.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void tokset_init(tokset *t) { memset(t, 0, sizeof *t); }

void tokset_free(tokset *t) {
    free(t->h);
    tokset_init(t);
}

int tokset_add(tokset *t, const char *hex, size_t len) {
    if (!auth_token_wellformed(hex, len)) return -1;
    if (t->n == t->cap) {
        size_t ncap = t->cap ? 2 * t->cap : 16;
        char(*nh)[AUTH_SHA_HEX] = realloc(t->h, ncap * sizeof *nh);
        if (!nh) return -1;
        t->h = nh;
        t->cap = ncap;
    }
    memcpy(t->h[t->n], hex, len);
    t->h[t->n][len] = '\0';
    t->n++;
    t->sealed = 0;
    return 0;
}

static int hash_cmp(const void *a, const void *b) { return strcmp(a, b); }

void tokset_seal(tokset *t) {
    if (t->n) qsort(t->h, t->n, sizeof *t->h, hash_cmp);
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++)
        if (k == 0 || strcmp(t->h[k - 1], t->h[i])) memmove(t->h[k++], t->h[i], sizeof *t->h);
    t->n = k;
    t->sealed = 1;
}

int tokset_has(const tokset *t, const char *hex) {
    assert(t->sealed);
    return t->n && bsearch(hex, t->h, t->n, sizeof *t->h, hash_cmp) != NULL;
}
