/* catalog.c — load data/ through libmatcher and derive the sorted,
 * duplicate-free vocabulary that libproto validates profiles against. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted unique copy of vocabulary v.  Returns the count or -1. */
static long sorted_codes(const match_catalog *cat, match_vocab v, char ***out) {
    size_t n = match_catalog_count(cat, v);
    char **list = calloc(n ? n : 1, sizeof *list);
    if (!list) return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *code = match_catalog_code(cat, v, i);
        if (!code) continue;
        list[k] = strdup(code);
        if (!list[k]) {
            for (size_t j = 0; j < k; j++) free(list[j]);
            free(list);
            return -1;
        }
        k++;
    }
    qsort(list, k, sizeof *list, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u && !strcmp(list[u - 1], list[i])) {
            free(list[i]);
            continue;
        }
        list[u++] = list[i];
    }
    *out = list;
    return (long)u;
}

int srv_catalog_load(srv_catalog *c, const char *dir, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    match_err me;
    memset(&me, 0, sizeof me);
    if (match_catalog_load(dir, &c->cat, &me) != MATCH_OK) {
        snprintf(err, errlen, "cannot load catalogues from %s: %s", dir, me.msg);
        return -1;
    }
    static const match_vocab which[3] = { MATCH_VOCAB_PROVINCE, MATCH_VOCAB_POSITION_CLASS, MATCH_VOCAB_COMPETENCY };
    long n[3];
    for (int i = 0; i < 3; i++) {
        n[i] = sorted_codes(c->cat, which[i], &c->lists[i]);
        if (i == 0) c->vocab.n_provinces = n[i] > 0 ? (size_t)n[i] : 0;
        if (i == 1) c->vocab.n_position_classes = n[i] > 0 ? (size_t)n[i] : 0;
        if (n[i] < 0) {
            snprintf(err, errlen, "out of memory");
            srv_catalog_free(c);
            return -1;
        }
    }
    c->vocab.provinces = (const char *const *)c->lists[0];
    c->vocab.n_provinces = (size_t)n[0];
    c->vocab.position_classes = (const char *const *)c->lists[1];
    c->vocab.n_position_classes = (size_t)n[1];
    c->vocab.competencies = (const char *const *)c->lists[2];
    c->vocab.n_competencies = (size_t)n[2];
    return 0;
}

void srv_catalog_free(srv_catalog *c) {
    size_t n[3] = { c->vocab.n_provinces, c->vocab.n_position_classes, c->vocab.n_competencies };
    for (int i = 0; i < 3; i++) {
        if (!c->lists[i]) continue;
        for (size_t j = 0; j < n[i]; j++) free(c->lists[i][j]);
        free(c->lists[i]);
    }
    match_catalog_free(c->cat);
    memset(c, 0, sizeof *c);
}
