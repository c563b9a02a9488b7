/* warm.c — what a run leaves for the next run of the same program
 * (match_warm, matcher.h), and the fingerprints that tell which of it still
 * holds.
 *
 * A warm state keeps, per mentee (sorted by id), its candidate graph edges
 * with their scores and the bound t on every pair outside them, and per
 * coach (sorted by id) its final dual; plus the previous matching.  Which
 * parts of it a new run may reuse is decided by fingerprints: a mentee's
 * edges and bound are reused when its fingerprint (every field the score
 * or a hard constraint reads, and its forbidden coaches) is unchanged;
 * edges towards a coach are kept only when the coach's fingerprint is
 * unchanged too.  The policy fingerprint covers what changes scores or
 * feasibility (min_score, the factor and competency weights, the agency
 * and rank rules); objective and waitlist bonus only change weights, which
 * a run recomputes from the scores, so they do not make a state stale.
 *
 * The hash mixes the fields in a fixed order, a word at a time, each
 * string with its length (so that field boundaries count).  64 bits: at 10^6
 * profiles, a collision that would let a changed profile pass as unchanged
 * has probability ~10^-7 per run; the result is still exactly optimal for
 * the scores the engine saw and certified, but those could then be stale
 * for that one profile.  Callers that cannot accept this run cold. */
#include <stdlib.h>
#include <string.h>

#include "matcher/internal.h"

#define FP_SEED  0x6a09e667f3bcc908ULL
#define FP_PRIME 0x9e3779b97f4a7c15ULL

/* A word at a time (profiles hash 10^5 strings per run): each 8-byte word
 * is mixed in with a multiply and a rotation, the tail and the length
 * last, so that "ab" + "c" and "a" + "bc" differ. */
static uint64_t fp_mix(uint64_t h, uint64_t x) {
    h ^= x * FP_PRIME;
    h = (h << 29) | (h >> 35);
    return h * 0xbf58476d1ce4e5b9ULL;
}

static uint64_t fp_bytes(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, b + i, 8);
        h = fp_mix(h, x);
    }
    uint64_t t = 0;
    memcpy(&t, b + i, n - i);
    return fp_mix(fp_mix(h, t), n);
}

static uint64_t fp_str(uint64_t h, const char *s) { return s ? fp_bytes(h, s, strlen(s)) : fp_mix(h, UINT64_MAX); }

static uint64_t fp_int(uint64_t h, int64_t x) { return fp_mix(h, (uint64_t)x); }

/* The catalogue codes (a mentee's province, competencies) go in as their
 * catalogue indexes, which checking the profile found (ck, comp_ids): a
 * fingerprint is only ever compared with one of a run against the same
 * catalogue (warm_map), and hashing ten codes' bytes was most of its cost.
 * A T.<sector> code goes in as -1 and its bytes.  A run takes both while
 * checking the profile, whose strings are then in the cache. */
uint64_t mt_fp_mentee(const match_mentee *m, const mt_mcheck *ck) {
    uint64_t h = FP_SEED;
    h = fp_str(h, m->agency);
    h = fp_str(h, m->position_class);
    h = fp_int(h, ck->prov);
    h = fp_str(h, m->program);
    h = fp_int(h, (int64_t)m->n_competencies);
    for (size_t i = 0; i < m->n_competencies; i++) {
        h = fp_int(h, ck->comp[i]);
        if (ck->comp[i] < 0) h = fp_str(h, m->competencies[i].code);
        h = fp_int(h, m->competencies[i].current);
        h = fp_int(h, m->competencies[i].required);
    }
    h = fp_int(h, m->modality);
    h = fp_int(h, (int64_t)m->n_languages);
    for (size_t i = 0; i < m->n_languages; i++) h = fp_str(h, m->languages[i]);
    return fp_int(h, m->availability);
}

uint64_t mt_fp_forbidden(uint64_t h, const char *const *forbidden, size_t n_forbidden) {
    h = fp_int(h, (int64_t)n_forbidden);
    for (size_t i = 0; i < n_forbidden; i++) h = fp_str(h, forbidden[i]);
    return h;
}

uint64_t mt_fp_coach(const match_coach *c, const int32_t *comp_ids) {
    uint64_t h = FP_SEED;
    h = fp_str(h, c->kind);
    h = fp_str(h, c->organization);
    h = fp_int(h, c->rank);
    h = fp_str(h, c->province);
    h = fp_int(h, (int64_t)c->n_competencies);
    for (size_t i = 0; i < c->n_competencies; i++) {
        h = fp_int(h, comp_ids[i]);
        if (comp_ids[i] < 0) h = fp_str(h, c->competencies[i].code);
        h = fp_int(h, c->competencies[i].level);
    }
    h = fp_int(h, (int64_t)c->n_programs);
    for (size_t i = 0; i < c->n_programs; i++) h = fp_str(h, c->programs[i]);
    h = fp_int(h, c->modality);
    h = fp_int(h, (int64_t)c->n_languages);
    for (size_t i = 0; i < c->n_languages; i++) h = fp_str(h, c->languages[i]);
    h = fp_int(h, c->availability);
    return h;
}

uint64_t mt_fp_policy(const match_policy *p) {
    uint64_t h = FP_SEED;
    h = fp_int(h, p->min_score);
    h = fp_int(h, p->forbid_same_agency);
    h = fp_int(h, p->min_rank_gap);
    h = fp_int(h, p->w_gap);
    h = fp_int(h, p->w_location);
    h = fp_int(h, p->w_availability);
    h = fp_int(h, (int64_t)p->n_comp_weights);
    for (size_t i = 0; i < p->n_comp_weights; i++) {
        h = fp_str(h, p->comp_weights[i].code);
        h = fp_int(h, p->comp_weights[i].weight);
    }
    return h;
}

static char **ids_copy(char *const *src, size_t n, char **pool, size_t *bytes) {
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += strlen(src[i]) + 1;
    char **ids = malloc(n * sizeof(*ids) + 1);
    char *p = *pool = malloc(len + 1);
    if (!ids || !p) {
        free(ids);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(src[i]) + 1;
        memcpy(p, src[i], l);
        ids[i] = p;
        p += l;
    }
    *bytes += len + n * sizeof(*ids);
    return ids;
}

match_warm *mt_warm_new(const match_catalog *cat, uint64_t key, size_t nm, char *const *m_ids, size_t nc,
                        char *const *c_ids, size_t n_edges) {
    match_warm *w = calloc(1, sizeof(*w));
    if (!w) return NULL;
    w->cat = cat;
    w->key = key;
    w->nm = nm;
    w->nc = nc;
    w->bytes = sizeof(*w);
    w->m_id = ids_copy(m_ids, nm, &w->m_pool, &w->bytes);
    w->c_id = ids_copy(c_ids, nc, &w->c_pool, &w->bytes);
    w->m_fp = malloc(nm * sizeof(uint64_t) + 1);
    w->m_scored = calloc(nm + 1, 1);
    w->t_score = malloc(nm * sizeof(int16_t) + 1);
    w->m_match = malloc(nm * sizeof(int32_t) + 1);
    w->e_off = calloc(nm + 1, sizeof(size_t));
    w->e_coach = malloc(n_edges * sizeof(int32_t) + 1);
    w->e_score = malloc(n_edges * sizeof(int16_t) + 1);
    w->c_fp = malloc(nc * sizeof(uint64_t) + 1);
    w->c_scored = calloc(nc + 1, 1);
    w->v = malloc(nc * sizeof(int64_t) + 1);
    w->rb = malloc(nm * sizeof(int64_t) + 1);
    w->pi = malloc(nc * sizeof(int64_t) + 1);
    w->m_in = malloc(nm * sizeof(uint32_t) + 1);
    w->c_in = malloc(nc * sizeof(uint32_t) + 1);
    w->bytes += nm * (sizeof(uint64_t) + 1 + sizeof(int16_t) + 2 * sizeof(int32_t) + sizeof(size_t) + sizeof(int64_t)) +
                n_edges * (sizeof(int32_t) + sizeof(int16_t)) +
                nc * (sizeof(uint64_t) + 1 + 2 * sizeof(int64_t) + sizeof(uint32_t));
    if (!w->m_id || !w->c_id || !w->m_fp || !w->m_scored || !w->t_score || !w->m_match || !w->e_off || !w->e_coach ||
        !w->e_score || !w->c_fp || !w->c_scored || !w->v || !w->rb || !w->pi || !w->m_in || !w->c_in) {
        match_warm_free(w);
        return NULL;
    }
    return w;
}

void match_warm_free(match_warm *w) {
    if (!w) return;
    free(w->m_id);
    free(w->m_pool);
    free(w->c_id);
    free(w->c_pool);
    free(w->m_in);
    free(w->c_in);
    free(w->m_fp);
    free(w->m_scored);
    free(w->t_score);
    free(w->m_match);
    free(w->e_off);
    free(w->e_coach);
    free(w->e_score);
    free(w->c_fp);
    free(w->c_scored);
    free(w->v);
    free(w->rb);
    free(w->pi);
    free(w);
}

size_t match_warm_bytes(const match_warm *w) { return w ? w->bytes : 0; }

size_t match_warm_mentees(const match_warm *w) { return w ? w->nm : 0; }
