/* kernel.c — the pair score (DESIGN §5) and the vectorised scoring loop.
 *
 * The score of a pair is
 *
 *   score = round(10000 * (Wg*G + Wl*Loc + Wa*Av) / (Wg + Wl + Wa))
 *
 *   G   = gn / gd, gn = sum w_i*min(g_i, max(0, L_i - c_i)), gd = sum w_i*g_i
 *         (G = 0 when gd = 0, i.e. the mentee has no gap)
 *   Loc = l2 / 2, l2 = 2 same province, 1 same island region, 0 otherwise
 *   Av  = a3 / 3, a3 = min(3, common availability slots)
 *
 * with every weight an integer (thousandths).  Over the common denominator
 * D = 6*gd*W the score is N/D with the integer
 * N = 10000*(6*Wg*gn + 3*gd*Wl*l2 + 2*gd*Wa*a3), and it is rounded half up
 * (= half away from zero, N >= 0) exactly: (2N + D) / (2D) in integers.  No
 * floating point, so every machine gives the same scores.
 *
 * For one mentee the score depends on a coach only through (gn, l2, a3),
 * and gn is at most gd after dividing the weights by their gcd (gd <= 160
 * with the default weights).  mt_query_build therefore tabulates the score
 * of every (gn, l2, a3), and scoring a coach is: a few saturating byte
 * operations per gap (loops over uint8/uint16 lanes that gcc vectorises),
 * bit tricks for the availability count, and one table load.  Hard
 * constraints are evaluated in the same lanes.  This file is compiled with
 * -O3 and cloned for AVX2 (target_clones), see module.mk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/internal.h"

int mt_score_exact(uint64_t gn, uint64_t gd, int l2, int a3, uint32_t wg,
                   uint32_t wl, uint32_t wa)
{
    if (gd == 0) {
        gn = 0;
        gd = 1;
    }
    /* Bounds: gd <= 32*5*10000, W <= 30000: D < 2^39, N < 2^51. */
    uint64_t w = (uint64_t)wg + wl + wa;
    uint64_t d = 6 * gd * w;
    uint64_t n = 10000 * (6 * (uint64_t)wg * gn + 3 * gd * wl * (uint64_t)l2 +
                          2 * gd * wa * (uint64_t)a3);
    return (int)((2 * n + d) / (2 * d));
}

static uint32_t gcd_u32(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint32_t policy_weight(const match_policy *p, const char *code)
{
    for (size_t i = 0; i < p->n_comp_weights; i++)
        if (strcmp(p->comp_weights[i].code, code) == 0)
            return p->comp_weights[i].weight;
    return MATCH_WEIGHT_ONE;
}

static const uint8_t *column_of(const mt_space *s, const mt_coaches *cs,
                                const char *code)
{
    uint32_t id = mt_map_get(&s->comps, code);
    if (id != MT_NONE && id < cs->n_cols && cs->level[id]) return cs->level[id];
    return cs->zeros;
}

static uint64_t mentee_langs(const mt_space *s, const match_mentee *m)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < m->n_languages; i++) {
        uint32_t b = mt_map_get(&s->langs, m->languages[i]);
        if (b != MT_NONE) bits |= (uint64_t)1 << b;
    }
    return bits;
}

int mt_query_build(mt_query *q, const mt_space *s, const mt_coaches *cs,
                   const match_mentee *m, const match_policy *policy)
{
    memset(q, 0, sizeof(*q));
    int prov = match_catalog_find(s->cat, MATCH_VOCAB_PROVINCE, m->province);
    int rank = match_position_rank(s->cat, m->position_class);
    q->agency = mt_map_get(&s->agencies, m->agency);
    q->check_agency = policy->forbid_same_agency;
    q->min_rank = (uint8_t)(rank + policy->min_rank_gap);
    q->modality = (uint8_t)m->modality;
    q->langs = mentee_langs(s, m);
    q->avail = m->availability ? m->availability : MATCH_AVAIL_ALL;
    q->prov = (uint8_t)prov;
    q->region = s->cat->prov_region[prov];
    q->program = mt_map_get(&s->programs, m->program);
    q->wg = policy->w_gap;
    q->wl = policy->w_location;
    q->wa = policy->w_availability;

    uint32_t g = 0;
    for (size_t i = 0; i < m->n_competencies; i++) {
        const match_need *n = &m->competencies[i];
        uint32_t w = policy_weight(policy, n->code);
        if (n->required <= n->current || w == 0) continue;
        int k = q->n_gap++;
        q->col[k] = column_of(s, cs, n->code);
        q->cur[k] = (uint8_t)n->current;
        q->gap[k] = (uint8_t)(n->required - n->current);
        q->w[k] = w;
        g = gcd_u32(g, w);
    }
    for (int k = 0; k < q->n_gap; k++) {
        q->w[k] /= g;
        q->gd += q->w[k] * q->gap[k];
    }
    if ((size_t)(q->gd + 1) * 12 <= MT_TABLE_MAX) {
        size_t n = (size_t)(q->gd + 1) * 12;
        if (!(q->table = malloc(n * sizeof(*q->table)))) return MATCH_ENOMEM;
        for (uint32_t gn = 0; gn <= q->gd; gn++)
            for (int l2 = 0; l2 < 3; l2++)
                for (int a3 = 0; a3 < 4; a3++)
                    q->table[(gn * 3 + l2) * 4 + a3] = (int16_t)mt_score_exact(
                        gn, q->gd, l2, a3, q->wg, q->wl, q->wa);
        q->use_table = 1;
    }
    return MATCH_OK;
}

void mt_query_free(mt_query *q)
{
    free(q->table);
    q->table = NULL;
}

/* ---- the hot loop -------------------------------------------------------- */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define MT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MT_CLONES
#endif

/* Feasibility of each coach of the block (1/0), and the (l2, a3) part of
 * the table index in idx[]. */
MT_CLONES
static void block_constraints(const mt_query *q, const mt_coaches *cs,
                              const uint8_t *restrict elig, size_t c0,
                              size_t n, uint8_t *restrict ok,
                              uint16_t *restrict idx)
{
    const uint8_t *restrict rank = cs->rank + c0, *restrict mod = cs->modality + c0;
    const uint8_t *restrict prov = cs->prov + c0, *restrict reg = cs->region + c0;
    const uint32_t *restrict av = cs->avail + c0, *restrict ag = cs->agency + c0;
    const uint64_t *restrict lg = cs->langs + c0;
    const uint8_t minr = q->min_rank, mm = q->modality, mp = q->prov,
                  mr = q->region;
    const uint32_t ma = q->avail;
    const uint32_t mag = q->check_agency ? q->agency : MT_NONE;
    const uint64_t ml = q->langs;

    for (size_t j = 0; j < n; j++)
        ok[j] = (uint8_t)(elig[j] & (rank[j] >= minr) & ((mod[j] & mm) != 0));
    for (size_t j = 0; j < n; j++) {
        uint32_t x = av[j] & ma, x1 = x & (x - 1), x2 = x1 & (x1 - 1);
        uint32_t a3 = (uint32_t)(x != 0) + (x1 != 0) + (x2 != 0);
        uint32_t l2 = (uint32_t)(prov[j] == mp) + (reg[j] == mr);
        idx[j] = (uint16_t)(l2 * 4 + a3);
        ok[j] &= (uint8_t)((x != 0) & (ag[j] != mag));
    }
    for (size_t j = 0; j < n; j++)
        ok[j] &= (uint8_t)((lg[j] & ml) != 0);
}

/* gn of each coach (reduced weights; fits uint16 when the table is used). */
MT_CLONES
static void block_gaps16(const mt_query *q, size_t c0, size_t n,
                         uint16_t *restrict gn)
{
    memset(gn, 0, n * sizeof(*gn));
    for (int k = 0; k < q->n_gap; k++) {
        const uint8_t *restrict lv = q->col[k] + c0;
        const uint8_t cu = q->cur[k], g = q->gap[k];
        const uint16_t w = (uint16_t)q->w[k];
        for (size_t j = 0; j < n; j++) {
            uint8_t d = lv[j] > cu ? (uint8_t)(lv[j] - cu) : 0;
            d = d < g ? d : g;
            gn[j] = (uint16_t)(gn[j] + w * d);
        }
    }
}

static void block_gaps32(const mt_query *q, size_t c0, size_t n,
                         uint32_t *restrict gn)
{
    memset(gn, 0, n * sizeof(*gn));
    for (int k = 0; k < q->n_gap; k++) {
        const uint8_t *restrict lv = q->col[k] + c0;
        const uint8_t cu = q->cur[k], g = q->gap[k];
        for (size_t j = 0; j < n; j++) {
            uint32_t d = lv[j] > cu ? (uint32_t)(lv[j] - cu) : 0;
            gn[j] += q->w[k] * (d < g ? d : g);
        }
    }
}

void mt_score_block(const mt_query *q, const mt_coaches *cs,
                    const uint8_t *elig, size_t c0, size_t c1, int16_t *out)
{
    uint8_t ok[MT_BLOCK];
    uint16_t idx[MT_BLOCK];
    while (c0 < c1) {
        size_t n = c1 - c0 < MT_BLOCK ? c1 - c0 : MT_BLOCK;
        block_constraints(q, cs, elig + c0, c0, n, ok, idx);
        if (q->use_table) {
            uint16_t gn[MT_BLOCK];
            block_gaps16(q, c0, n, gn);
            const int16_t *tab = q->table;
            for (size_t j = 0; j < n; j++)
                out[j] = ok[j] ? tab[gn[j] * 12 + idx[j]] : -1;
        } else {
            uint32_t gn[MT_BLOCK];
            block_gaps32(q, c0, n, gn);
            for (size_t j = 0; j < n; j++)
                out[j] = ok[j] ? (int16_t)mt_score_exact(gn[j], q->gd,
                                                         idx[j] >> 2, idx[j] & 3,
                                                         q->wg, q->wl, q->wa)
                               : -1;
        }
        out += n;
        c0 += n;
    }
}

/* ---- explanations (scalar, the reference) ------------------------------ */

void mt_explain(const mt_query *q, const mt_space *s, const mt_coaches *cs,
                size_t c, const match_mentee *m, const match_policy *policy,
                int elig_program, int forbidden, match_explain *out)
{
    memset(out, 0, sizeof(*out));
    uint64_t num = 0, den = 0;
    for (size_t i = 0; i < m->n_competencies; i++) {
        const match_need *n = &m->competencies[i];
        match_explain_comp *e = &out->competencies[i];
        int gap = n->required > n->current ? n->required - n->current : 0;
        int lv = column_of(s, cs, n->code)[c];
        int cov = lv > n->current ? lv - n->current : 0;
        if (cov > gap) cov = gap;
        snprintf(e->code, sizeof(e->code), "%s", n->code);
        e->gap = (uint8_t)gap;
        e->coach_level = (uint8_t)lv;
        e->covered = (uint8_t)cov;
        e->weight = policy_weight(policy, n->code);
        num += (uint64_t)e->weight * cov;
        den += (uint64_t)e->weight * gap;
    }
    out->n_competencies = m->n_competencies;
    uint32_t common = cs->avail[c] & q->avail;
    int slots = __builtin_popcount(common);
    int l2 = (cs->prov[c] == q->prov) + (cs->region[c] == q->region);
    int a3 = slots < 3 ? slots : 3;
    out->gap_num = (int64_t)num;
    out->gap_den = (int64_t)den;
    out->gap_coverage = den ? (double)num / (double)den : 0.0;
    out->location = l2 / 2.0;
    out->availability = a3 / 3.0;
    out->common_slots = slots;
    out->score = mt_score_exact(num, den, l2, a3, q->wg, q->wl, q->wa);

    match_reason r = MATCH_REASON_NONE;
    if (!elig_program) r = MATCH_REASON_PROGRAM;
    else if (cs->free[c] <= 0) r = MATCH_REASON_CAPACITY;
    else if (q->check_agency && cs->agency[c] == q->agency) r = MATCH_REASON_SAME_AGENCY;
    else if (cs->rank[c] < q->min_rank) r = MATCH_REASON_RANK;
    else if (!(cs->modality[c] & q->modality)) r = MATCH_REASON_MODALITY;
    else if (!(cs->langs[c] & q->langs)) r = MATCH_REASON_LANGUAGE;
    else if (!common) r = MATCH_REASON_AVAILABILITY;
    else if (forbidden) r = MATCH_REASON_FORBIDDEN;
    else if (out->score < policy->min_score) r = MATCH_REASON_MIN_SCORE;
    out->reason = r;
    out->feasible = r == MATCH_REASON_NONE;
}
