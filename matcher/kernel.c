/* kernel.c — the pair score (design.md §5) and the vectorised scoring loop.
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
 * For one mentee the score depends on a coach only through N = ka*gn +
 * kb*l2 + kc*a3, with small integers ka, kb, kc once the competency weights
 * are divided by their gcd and the factor weights by theirs (ka = 90,
 * kb = 9*gd, kc = 4*gd for the defaults; gd <= 160).  The kernel therefore
 * computes key = N + 1 in 16-bit lanes: a few saturating byte operations per
 * gap (vectorised by gcc), bit tricks for the availability count, compares
 * for the hard constraints; and callers that select the best pairs compare
 * keys against a threshold and compute the exact score of the few that pass
 * (mt_key_score, mt_key_floor).  Unusual weights that would overflow 16 bits
 * fall back to key = exact score + 1, computed per pair.  This file is
 * compiled with -O3 and cloned for x86-64-v4 (AVX-512) and AVX2
 * (target_clones), see module.mk.
 * Three loops of the first pass that gcc does not vectorise well (the
 * coach-side lists, the coach-side filter, a top-K list's search) are also
 * written with AVX-512 intrinsics, chosen at run time (mt_top_vec,
 * mt_gain_vec, mt_key_vec); each has a portable path with the same result,
 * and a unit test compares the two (tests/unit/test_matcher.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/internal.h"

int mt_score_exact(uint64_t gn, uint64_t gd, int l2, int a3, uint32_t wg, uint32_t wl, uint32_t wa) {
    if (gd == 0) {
        gn = 0;
        gd = 1;
    }
    /* Bounds: gd <= 32*5*MATCH_COMP_WEIGHT_MAX = 1.6e7, W <= 30000:
     * D < 2^42, N < 2^55, so 2N + D fits in 64 bits; gn fits 32-bit lanes. */
    uint64_t w = (uint64_t)wg + wl + wa;
    uint64_t d = 6 * gd * w;
    uint64_t n = 10000 * (6 * (uint64_t)wg * gn + 3 * gd * wl * (uint64_t)l2 + 2 * gd * wa * (uint64_t)a3);
    return (int)((2 * n + d) / (2 * d));
}

static uint32_t gcd_u32(uint32_t a, uint32_t b) {
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint32_t policy_weight(const match_policy *p, const char *code) {
    for (size_t i = 0; i < p->n_comp_weights; i++)
        if (strcmp(p->comp_weights[i].code, code) == 0) return p->comp_weights[i].weight;
    return MATCH_WEIGHT_ONE;
}

/* The levels of competency column id over cs (zeros: no coach of cs has it). */
static const uint8_t *column_at(const mt_coaches *cs, uint32_t id) {
    if (id != MT_NONE && id < cs->n_cols && cs->level[id]) return cs->level[id];
    return cs->zeros;
}

static const uint8_t *column_of(const mt_space *s, const mt_coaches *cs, const char *code) {
    return column_at(cs, mt_map_get(&s->comps, code));
}

/* The mentee's language mask and overflow ids (internal.h).  A language no
 * coach in the space speaks matches nobody: it sets nothing. */
static void mentee_langs(mt_query *q, const mt_space *s, const match_mentee *m) {
    q->langs = 0;
    q->n_xlangs = 0;
    for (size_t i = 0; i < m->n_languages && i < MATCH_MAX_LANGUAGES; i++) {
        uint32_t b = mt_map_get(&s->langs, m->languages[i]);
        if (b == MT_NONE) continue;
        if (b < MT_LANG_BITS) {
            q->langs |= (uint64_t)1 << b;
        } else {
            q->langs |= MT_LANG_OVERFLOW;
            q->xlangs[q->n_xlangs++] = b;
        }
    }
}

/* Coach c shares a language with the mentee of q: the exact rule. */
static inline int query_langs_common(const mt_query *q, const mt_coaches *cs, size_t c) {
    return mt_langs_common(cs->langs[c], cs->xlangs + c * MATCH_MAX_LANGUAGES, cs->n_xlangs[c], q->langs, q->xlangs,
                           q->n_xlangs);
}

void mt_mentee_code(mt_mcode *c, mt_mcomp *cm, const mt_space *s, const match_mentee *m, const match_policy *policy,
                    const mt_mcheck *ck) {
    memset(c, 0, sizeof(*c));
    int prov = ck ? ck->prov : match_catalog_find(s->cat, MATCH_VOCAB_PROVINCE, m->province);
    int rank = ck ? ck->rank : match_position_rank(s->cat, m->position_class);
    int min_rank = rank + policy->min_rank_gap; /* < 0 with a negative gap */
    /* looked up, not interned: an agency no coach has is MT_NONE here,
     * which is no coach's (a coach's organisation always has an id) */
    c->agency = mt_map_get(&s->agencies, m->agency);
    c->program = mt_map_get(&s->programs, m->program);
    c->prov = (uint8_t)prov;
    c->region = s->cat->prov_region[prov];
    c->min_rank = (uint8_t)(min_rank > 0 ? min_rank : 0);
    mt_query q;
    mentee_langs(&q, s, m);
    c->langs = q.langs;
    c->n_xlangs = q.n_xlangs;
    c->avail = m->availability ? m->availability : MATCH_AVAIL_ALL;
    c->modality = (uint8_t)m->modality;
    /* The gaps only (a competency at or above its required level, or of
     * weight 0, adds nothing to a score), their weights divided by their
     * gcd, and the key constants: they depend on the mentee and the policy
     * only.  Equal weights (the default policy's) skip the divisions: two
     * a gap were the hottest instructions of a warm re-run's coding. */
    uint32_t g = 0, gd = 0;
    size_t k = 0;
    for (size_t i = 0; i < m->n_competencies; i++) {
        const match_need *n = &m->competencies[i];
        if (n->required <= n->current) continue;
        uint32_t w = policy_weight(policy, n->code);
        if (!w) continue;
        cm[k].id = ck && ck->comp[i] >= 0 ? (uint32_t)ck->comp[i] : mt_map_get(&s->comps, n->code);
        cm[k].w = w;
        cm[k].cur = (uint8_t)n->current;
        cm[k++].gap = (uint8_t)(n->required - n->current);
        g = g == 0 || g == w ? w : gcd_u32(g, w);
    }
    c->n_comp = (uint8_t)k;
    c->unit_w = 1;
    for (size_t i = 0; i < k; i++) {
        cm[i].w = cm[i].w == g ? 1 : cm[i].w / g;
        gd += cm[i].w * cm[i].gap;
        c->unit_w &= cm[i].w == 1;
    }
    c->gd = gd;
    /* N over the reduced weights; see the comment at the top. */
    uint32_t f = gcd_u32(gcd_u32(policy->w_gap, policy->w_location), policy->w_availability);
    uint64_t wg = policy->w_gap / f, wl = policy->w_location / f, wa = policy->w_availability / f;
    uint64_t gd1 = gd ? gd : 1;
    uint64_t kd = 6 * gd1 * (wg + wl + wa);
    if (kd + 1 <= UINT16_MAX) {
        c->fast = 1;
        c->acc8 = gd <= UINT8_MAX;
        c->ka = (uint32_t)(6 * wg);
        c->kb = (uint32_t)(3 * gd1 * wl);
        c->kc = (uint32_t)(2 * gd1 * wa);
        c->kd = (uint32_t)kd;
        c->inv2d = 1.0 / (2.0 * (double)kd);
    }
}

/* Every field is set here but the arrays past n_gap and n_xlangs, which no
 * reader goes beyond: no memset of the whole query (its 0.6 KB are written
 * for every mentee of every pass). */
void mt_query_coded(mt_query *q, const mt_space *s, const mt_coaches *cs, const match_mentee *m, const mt_mcode *c,
                    const mt_mcomp *cm, const match_policy *policy) {
    q->n_xlangs = 0;
    q->agency = c->agency;
    q->check_agency = policy->forbid_same_agency;
    q->min_rank = c->min_rank;
    q->modality = c->modality;
    if (c->n_xlangs) {
        mentee_langs(q, s, m); /* the overflow ids: rare, see MT_LANG_BITS */
    } else {
        q->langs = c->langs;
    }
    q->avail = c->avail;
    q->prov = c->prov;
    q->region = c->region;
    q->program = c->program;
    q->wg = policy->w_gap;
    q->wl = policy->w_location;
    q->wa = policy->w_availability;
    for (size_t k = 0; k < c->n_comp; k++) {
        q->col[k] = column_at(cs, cm[k].id);
        q->cur[k] = cm[k].cur;
        q->gap[k] = cm[k].gap;
        q->w[k] = cm[k].w;
    }
    q->n_gap = c->n_comp;
    q->gd = c->gd;
    q->unit_w = c->unit_w;
    q->fast = c->fast;
    q->acc8 = c->acc8;
    q->ka = c->ka;
    q->kb = c->kb;
    q->kc = c->kc;
    q->kd = c->kd;
    q->inv2d = c->inv2d;
}

void mt_query_build(mt_query *q, const mt_space *s, const mt_coaches *cs, const match_mentee *m,
                    const match_policy *policy) {
    mt_mcode c;
    mt_mcomp cm[MATCH_MAX_COMPETENCIES];
    mt_mentee_code(&c, cm, s, m, policy, NULL);
    mt_query_coded(q, s, cs, m, &c, cm, policy);
}

int mt_key_score(const mt_query *q, uint16_t key) {
    if (!q->fast) return key - 1;
    /* floor(x / 2D) with x = 20000 N + D: a floating-point estimate, then
     * an exact integer correction (the estimate is off by at most one). */
    uint64_t d2 = 2 * (uint64_t)q->kd, x = 20000 * (uint64_t)(key - 1u) + q->kd;
    uint64_t r = (uint64_t)((double)x * q->inv2d);
    if (r * d2 > x)
        r--;
    else if ((r + 1) * d2 <= x)
        r++;
    return (int)r;
}

uint16_t mt_key_floor(const mt_query *q, int s) {
    if (s < 0) return 0;
    if (s >= MATCH_SCORE_MAX) return UINT16_MAX;
    if (!q->fast) return (uint16_t)(s + 1);
    /* score(N) <= s  <=>  20000 N + D < 2 D (s + 1) */
    uint64_t d = q->kd, nmax = (2 * d * (uint64_t)(s + 1) - d - 1) / 20000;
    return nmax + 1 > UINT16_MAX ? UINT16_MAX : (uint16_t)(nmax + 1);
}

/* ---- the hot loop -------------------------------------------------------- */

/* Clones for AVX-512 (x86-64-v4: byte and word lanes twice as wide, about
 * 15 % less CPU in the scoring pass of a 100,000 x 20,000 run on the
 * development machine), AVX2 and baseline x86-64, chosen at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define MT_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define MT_CLONES
#endif

MT_CLONES
void mt_gain_block(const uint16_t *restrict key, const int32_t *restrict thr, int32_t bonus,
                   const int32_t *restrict tab, size_t n, uint8_t *restrict flag) {
    for (size_t j = 0; j < n; j++) {
        int32_t s = tab[key[j]];
        int32_t t = thr[j] - bonus;
        t = t < -1 ? -1 : t; /* s >= 0 and s + bonus > thr */
        flag[j] = s > t ? 1 : 0;
    }
}

MT_CLONES
void mt_gain_est_block(const uint16_t *restrict key, const int32_t *restrict thr, int32_t bonus,
                       const int32_t *restrict tab, const int32_t *restrict est, int32_t est_thr, size_t n,
                       uint8_t *restrict gflag, uint8_t *restrict eflag) {
    for (size_t j = 0; j < n; j++) {
        int32_t s = tab[key[j]];
        int32_t t = thr[j] - bonus;
        t = t < -1 ? -1 : t;
        gflag[j] = s > t ? 1 : 0;
        eflag[j] = s >= 0 && s - est[j] > est_thr ? 1 : 0;
    }
}

MT_CLONES
void mt_est_block(const uint16_t *restrict key, const int32_t *restrict est, int32_t thr, const int32_t *restrict tab,
                  size_t n, uint8_t *restrict flag) {
    for (size_t j = 0; j < n; j++) {
        int32_t s = tab[key[j]];
        flag[j] = s >= 0 && s - est[j] > thr ? 1 : 0;
    }
}

MT_CLONES
int64_t mt_red_block(int64_t *restrict red, const uint16_t *restrict key, const int32_t *restrict tab, size_t n,
                     int64_t rb, int32_t cap) {
    /* Branch-free (most pairs change nothing, at random): a pair that
     * fails (s < 0) offers the lowest value, which never wins. */
    int64_t lo = n ? INT64_MAX : WARM_NO_PRICE_LOW;
    for (size_t j = 0; j < n; j++) {
        int32_t s = tab[key[j]];
        int64_t x = s >= 0 ? (int64_t)(s < cap ? s : cap) - rb : WARM_NO_PRICE_LOW;
        int64_t r = x > red[j] ? x : red[j];
        red[j] = r;
        lo = r < lo ? r : lo;
    }
    return lo;
}

MT_CLONES
void mt_key_above(const uint16_t *restrict key, size_t n, uint16_t kt, uint8_t *restrict flag) {
    for (size_t j = 0; j < n; j++) flag[j] = key[j] > kt ? 1 : 0;
}

MT_CLONES
uint16_t mt_key_max(const uint16_t *key, size_t n) {
    uint16_t mx = 0;
    for (size_t j = 0; j < n; j++) mx = key[j] > mx ? key[j] : mx;
    return mx;
}

MT_CLONES
int32_t mt_price_block(const uint16_t *restrict key, const uint8_t *restrict mark, const int64_t *restrict pi,
                       int64_t o, const int32_t *restrict tab, size_t n, uint8_t *restrict flag, int32_t best,
                       int64_t *restrict rbest) {
    int64_t rb = *rbest;
    for (size_t j = 0; j < n; j++) {
        int32_t s = tab[key[j]];
        s = mark[j] ? -1 : s;
        best = s > best ? s : best;
        int64_t r = s >= 0 ? (int64_t)s - pi[j] : INT64_MIN;
        rb = r > rb ? r : rb;
        int64_t t = pi[j] + o;
        t = t < -1 ? -1 : t; /* s >= 0 and s > pi + o */
        flag[j] = (int64_t)s > t ? 1 : 0;
    }
    *rbest = rb;
    return best;
}

/* Hard constraints: ok[j] = 1/0; and the location/availability factors:
 * l2 in loc[j] (0..2), a3 in av3[j] (0..3). */
MT_CLONES
static void block_constraints(const mt_query *q, const mt_coaches *cs, const uint8_t *restrict elig, size_t c0,
                              size_t n, uint8_t *restrict ok, uint8_t *restrict loc, uint8_t *restrict av3) {
    const uint8_t *restrict rank = cs->rank + c0, *restrict mod = cs->modality + c0;
    const uint8_t *restrict prov = cs->prov + c0, *restrict reg = cs->region + c0;
    const uint32_t *restrict av = cs->avail + c0, *restrict ag = cs->agency + c0;
    const uint64_t *restrict lg = cs->langs + c0;
    const uint8_t minr = q->min_rank, mm = q->modality, mp = q->prov, mr = q->region;
    const uint32_t ma = q->avail;
    const uint32_t mag = q->check_agency ? q->agency : MT_NONE;
    const uint64_t ml = q->langs;

    for (size_t j = 0; j < n; j++) {
        ok[j] = (uint8_t)(elig[j] & (rank[j] >= minr) & ((mod[j] & mm) != 0));
        loc[j] = (uint8_t)((prov[j] == mp) + (reg[j] == mr));
    }
    if ((ml >> 32) == 0) { /* the usual case: one pass of 32-bit lanes */
        const uint32_t *restrict lg32 = cs->langs32 + c0;
        const uint32_t ml32 = (uint32_t)ml;
        for (size_t j = 0; j < n; j++) {
            uint32_t x = av[j] & ma, x1 = x & (x - 1), x2 = x1 & (x1 - 1);
            av3[j] = (uint8_t)((x != 0) + (x1 != 0) + (x2 != 0));
            ok[j] &= (uint8_t)((x != 0) & (ag[j] != mag) & ((lg32[j] & ml32) != 0));
        }
        return;
    }
    for (size_t j = 0; j < n; j++) {
        uint32_t x = av[j] & ma, x1 = x & (x - 1), x2 = x1 & (x1 - 1);
        av3[j] = (uint8_t)((x != 0) + (x1 != 0) + (x2 != 0));
        ok[j] &= (uint8_t)((x != 0) & (ag[j] != mag));
    }
    for (size_t j = 0; j < n; j++) ok[j] &= (uint8_t)((lg[j] & ml) != 0);
    /* The mask test is exact unless the only common bit is the overflow
     * bit, which needs the mentee to have overflow languages: then the
     * overflow ids decide (scalar, rare). */
    if (q->n_xlangs == 0) return;
    for (size_t j = 0; j < n; j++)
        if (ok[j] && (lg[j] & ml) == MT_LANG_OVERFLOW) ok[j] = (uint8_t)query_langs_common(q, cs, c0 + j);
}

/* gn in 8-bit lanes (gd <= 255). */
MT_CLONES
static void block_gaps8(const mt_query *q, size_t c0, size_t n, uint8_t *restrict gn) {
    memset(gn, 0, n);
    for (int k = 0; k < q->n_gap; k++) {
        const uint8_t *restrict lv = q->col[k] + c0;
        const uint8_t cu = q->cur[k], g = q->gap[k], w = (uint8_t)q->w[k];
        if (q->unit_w) {
            for (size_t j = 0; j < n; j++) {
                uint8_t d = lv[j] > cu ? (uint8_t)(lv[j] - cu) : 0;
                gn[j] = (uint8_t)(gn[j] + (d < g ? d : g));
            }
        } else {
            for (size_t j = 0; j < n; j++) {
                uint8_t d = lv[j] > cu ? (uint8_t)(lv[j] - cu) : 0;
                gn[j] = (uint8_t)(gn[j] + (uint8_t)(w * (d < g ? d : g)));
            }
        }
    }
}

/* gn in 32-bit lanes (any gd). */
static void block_gaps32(const mt_query *q, size_t c0, size_t n, uint32_t *restrict gn) {
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

MT_CLONES
static void block_key8(const mt_query *q, size_t n, const uint8_t *restrict gn, const uint8_t *restrict ok,
                       const uint8_t *restrict loc, const uint8_t *restrict av3, uint16_t *restrict key) {
    const uint16_t ka = (uint16_t)q->ka, kb = (uint16_t)q->kb, kc = (uint16_t)q->kc;
    for (size_t j = 0; j < n; j++) {
        uint16_t k = (uint16_t)(ka * gn[j] + kb * loc[j] + kc * av3[j] + 1);
        key[j] = ok[j] ? k : 0;
    }
}

static void block_key32(const mt_query *q, size_t n, const uint32_t *gn, const uint8_t *ok, const uint8_t *loc,
                        const uint8_t *av3, uint16_t *key) {
    for (size_t j = 0; j < n; j++) {
        if (!ok[j]) {
            key[j] = 0;
        } else if (q->fast) {
            key[j] = (uint16_t)(q->ka * gn[j] + q->kb * loc[j] + q->kc * av3[j] + 1);
        } else {
            key[j] = (uint16_t)(mt_score_exact(gn[j], q->gd, loc[j], av3[j], q->wg, q->wl, q->wa) + 1);
        }
    }
}

/* Keys of [c0, c1), both multiples of MT_ROW_ALIGN (or c1 = c0). */
static void key_block_whole(const mt_query *q, const mt_coaches *cs, const uint8_t *elig, size_t c0, size_t c1,
                            uint16_t *key) {
    uint8_t ok[MT_BLOCK], loc[MT_BLOCK], av3[MT_BLOCK];
    while (c0 < c1) {
        size_t n = c1 - c0 < MT_BLOCK ? c1 - c0 : MT_BLOCK;
        block_constraints(q, cs, elig + c0, c0, n, ok, loc, av3);
        if (q->fast && q->acc8) {
            uint8_t gn[MT_BLOCK];
            block_gaps8(q, c0, n, gn);
            block_key8(q, n, gn, ok, loc, av3, key);
        } else {
            uint32_t gn[MT_BLOCK];
            block_gaps32(q, c0, n, gn);
            block_key32(q, n, gn, ok, loc, av3, key);
        }
        key += n;
        c0 += n;
    }
}

void mt_key_block(const mt_query *q, const mt_coaches *cs, const uint8_t *elig, size_t c0, size_t c1, uint16_t *key) {
    while (c0 < c1) {
        size_t a0 = c0 & ~(size_t)(MT_ROW_ALIGN - 1);
        size_t e = a0 + MT_BLOCK < c1 ? a0 + MT_BLOCK : c1;
        if (c0 == a0 && e - c0 == MT_BLOCK) { /* a whole block: in place */
            key_block_whole(q, cs, elig, c0, e, key);
        } else {
            uint16_t whole[MT_BLOCK];
            key_block_whole(q, cs, elig, a0, MT_ROWS(e), whole);
            memcpy(key, whole + (c0 - a0), (e - c0) * sizeof(*key));
        }
        key += e - c0;
        c0 = e;
    }
}

uint8_t *mt_elig_alloc(size_t n) { return calloc(n ? MT_ROWS(n) : 1, 1); }

/* ---- Coach-side offers ------------------------------------------------------
 *
 * A mentee offers itself to some 5 % of the coaches (on scarce 5,000 x
 * 2,000).  With a byte flag per coach, memchr found each offer at the cost
 * of a call over a few dozen bytes, and the filter, the search and the
 * appends were a fifth of the first pass's CPU.  On AVX-512 the filter
 * gives a mask of 16 coaches, whose coach numbers and keys are compressed
 * into registers and stored whole, the count advancing by the mask's
 * population: no branch per coach (bench/matcher/README.md, "Top lists in
 * registers, and whole vectors"). */

size_t mt_flag_offers(const uint8_t *flag, const uint16_t *key, int32_t bonus, const int32_t *tab, size_t n, int32_t c0,
                      int32_t m, int32_t *oc, int64_t *okey) {
    size_t k = 0;
    for (const uint8_t *f = memchr(flag, 1, n); f; f = memchr(f + 1, 1, (size_t)(flag + n - f - 1))) {
        size_t j = (size_t)(f - flag);
        oc[k] = c0 + (int32_t)j;
        okey[k++] = mt_top_key(tab[key[j]] + bonus, m);
    }
    return k;
}

/* Without AVX-512: mt_gain_block's flags (vectorised by gcc), then
 * memchr between them (a branch per pair costs twice the whole pass). */
static size_t gain_offers_flags(const uint16_t *key, const int32_t *thr, int32_t bonus, const int32_t *tab, size_t n,
                                int32_t c0, int32_t m, int32_t *oc, int64_t *okey) {
    size_t k = 0;
    for (size_t b0 = 0; b0 < n; b0 += MT_BLOCK) {
        size_t bn = n - b0 < MT_BLOCK ? n - b0 : MT_BLOCK;
        uint8_t flag[MT_BLOCK];
        mt_gain_block(key + b0, thr + b0, bonus, tab, bn, flag);
        k += mt_flag_offers(flag, key + b0, bonus, tab, bn, c0 + (int32_t)b0, m, oc + k, okey + k);
    }
    return k;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MT_AVX512 __attribute__((target("avx512f,popcnt")))

/* The tail of a block, after its whole vectors. */
static size_t gain_offers_loop(const uint16_t *key, const int32_t *thr, int32_t bonus, const int32_t *tab, size_t n,
                               int32_t c0, int32_t m, int32_t *oc, int64_t *okey) {
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        int32_t s = tab[key[j]];
        if (s < 0 || s + bonus <= thr[j]) continue;
        oc[k] = c0 + (int32_t)j;
        okey[k++] = mt_top_key(s + bonus, m);
    }
    return k;
}

/* The scores of coaches j..j+15 (16 loads, not vpgatherdd: slower on the
 * AMD EPYC of the figures) and the mask of those that offer: s > max(thr -
 * bonus, -1), i.e. s >= 0 and s + bonus > thr. */
MT_AVX512 static inline __mmask16 offers_mask(const uint16_t *kj, const int32_t *tj, const int32_t *tab, __m512i vb,
                                              __m512i *s) {
    *s = _mm512_set_epi32(tab[kj[15]], tab[kj[14]], tab[kj[13]], tab[kj[12]], tab[kj[11]], tab[kj[10]], tab[kj[9]],
                          tab[kj[8]], tab[kj[7]], tab[kj[6]], tab[kj[5]], tab[kj[4]], tab[kj[3]], tab[kj[2]],
                          tab[kj[1]], tab[kj[0]]);
    __m512i t = _mm512_max_epi32(_mm512_sub_epi32(_mm512_loadu_si512(tj), vb), _mm512_set1_epi32(-1));
    return _mm512_cmpgt_epi32_mask(*s, t);
}

/* Append the offers of mask f among coaches c..c+15 (scores s): their
 * numbers and keys compressed, stored as whole vectors; returns how many. */
MT_AVX512 static inline size_t offers_put(__mmask16 f, __m512i s, __m512i vb, __m512i low, int32_t c, int32_t *oc,
                                          int64_t *okey) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    _mm512_storeu_si512(oc, _mm512_maskz_compress_epi32(f, _mm512_add_epi32(_mm512_set1_epi32(c), lane)));
    __m512i g = _mm512_maskz_compress_epi32(f, _mm512_add_epi32(s, vb)); /* >= 0 where kept */
    __m512i g0 = _mm512_cvtepu32_epi64(_mm512_castsi512_si256(g));
    __m512i g1 = _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(g, 1));
    _mm512_storeu_si512(okey, _mm512_or_si512(_mm512_slli_epi64(g0, 32), low));
    _mm512_storeu_si512(okey + 8, _mm512_or_si512(_mm512_slli_epi64(g1, 32), low));
    return (size_t)__builtin_popcount(f);
}

/* 64 coaches a step: where the lists' thresholds are high (1,000,000
 * mentees), most steps offer nothing and store nothing. */
MT_AVX512 static size_t gain_offers_avx512(const uint16_t *key, const int32_t *thr, int32_t bonus, const int32_t *tab,
                                           size_t n, int32_t c0, int32_t m, int32_t *oc, int64_t *okey) {
    const __m512i vb = _mm512_set1_epi32(bonus);
    const __m512i low = _mm512_set1_epi64((int64_t)(uint32_t)(UINT32_MAX - (uint32_t)m));
    size_t k = 0, j = 0;
    for (; j + 64 <= n; j += 64) {
        __m512i s[4];
        __mmask16 f[4];
        for (int v = 0; v < 4; v++) f[v] = offers_mask(key + j + 16 * v, thr + j + 16 * v, tab, vb, &s[v]);
        if (!(f[0] | f[1] | f[2] | f[3])) continue;
        for (int v = 0; v < 4; v++)
            k += offers_put(f[v], s[v], vb, low, c0 + (int32_t)(j + 16 * (size_t)v), oc + k, okey + k);
    }
    for (; j + 16 <= n; j += 16) {
        __m512i s0;
        __mmask16 f = offers_mask(key + j, thr + j, tab, vb, &s0);
        k += offers_put(f, s0, vb, low, c0 + (int32_t)j, oc + k, okey + k);
    }
    return k + gain_offers_loop(key + j, thr + j, bonus, tab, n - j, c0 + (int32_t)j, m, oc + k, okey + k);
}

/* What MT_AVX512 compiles for: AVX-512 Foundation, and popcnt. */
static int cpu_avx512(void) { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("popcnt"); }

int mt_gain_vec(void) { return cpu_avx512(); }

/* A top-K list's search for keys above its threshold (run.c, topk_scores):
 * after the first few dozen coaches a key seldom passes, and 32 keys are
 * one compare; the tail is a masked load, which reads nothing past n. */
__attribute__((target("avx512f,avx512bw"))) static size_t key_next_avx512(const uint16_t *key, size_t i, size_t n,
                                                                          uint16_t kt) {
    const __m512i t = _mm512_set1_epi16((short)kt);
    for (; i + 32 <= n; i += 32) {
        __mmask32 f = _mm512_cmpgt_epu16_mask(_mm512_loadu_si512(key + i), t);
        if (f) return i + (size_t)__builtin_ctz(f);
    }
    if (i < n) {
        __mmask32 live = (__mmask32)((1u << (n - i)) - 1);
        __mmask32 f = _mm512_mask_cmpgt_epu16_mask(live, _mm512_maskz_loadu_epi16(live, key + i), t);
        if (f) return i + (size_t)__builtin_ctz(f);
    }
    return n;
}

int mt_key_vec(void) { return cpu_avx512() && __builtin_cpu_supports("avx512bw"); }

size_t mt_key_next(const uint16_t *key, size_t i, size_t n, uint16_t kt) { return key_next_avx512(key, i, n, kt); }
#else
int mt_gain_vec(void) { return 0; }
int mt_key_vec(void) { return 0; }
size_t mt_key_next(const uint16_t *key, size_t i, size_t n, uint16_t kt) {
    while (i < n && key[i] <= kt) i++;
    return i;
}
#endif

size_t mt_gain_offers(const uint16_t *key, const int32_t *thr, int32_t bonus, const int32_t *tab, size_t n, int32_t c0,
                      int32_t m, int32_t *oc, int64_t *okey, int vec) {
#ifdef MT_AVX512
    if (vec) return gain_offers_avx512(key, thr, bonus, tab, n, c0, m, oc, okey);
#else
    (void)vec;
#endif
    return gain_offers_flags(key, thr, bonus, tab, n, c0, m, oc, okey);
}

/* ---- Top lists ------------------------------------------------------------
 *
 * A key x enters a descending list a[0..kd) (a[-1] = +infinity, distinct
 * keys) as
 *
 *   a'[i] = max(a[i], min(a[i-1], x)):
 *
 * a slot above x keeps its key, the slot where x belongs takes x, and each
 * one below takes its upper neighbour's.  A key at or below a[kd-1]
 * changes nothing.  On AVX-512 the whole list of 8 or 32 keys stays in
 * registers while a coach's offers go in, three instructions a vector per
 * offer and no branch; the scalar shift from the end, which keeps a key
 * that does not enter from touching the list, mispredicts its exit at
 * every insertion (bench/matcher/README.md, "Top lists in registers, and
 * whole vectors"). */
static size_t top_merge_scalar(int64_t *a, size_t n, int kd, const int64_t *x, size_t nx) {
    for (size_t k = 0; k < nx; k++) {
        if (x[k] <= a[kd - 1]) continue;
        size_t i = n < (size_t)kd ? n++ : (size_t)kd - 1; /* when full, the last falls out */
        for (; i > 0 && a[i - 1] < x[k]; i--) a[i] = a[i - 1];
        a[i] = x[k];
    }
    return n;
}

#ifdef MT_AVX512

/* r[v] = max(r[v], min(r shifted down one slot, x)), the shift carrying
 * the last key of r[v-1] into r[v]'s first (alignr: lanes 7..14 of
 * r[v-1]:r[v]). */
#define TOP_STEP(R, NV, X, INF)                                                                                        \
    do {                                                                                                               \
        __m512i prev_ = (INF);                                                                                         \
        for (int v_ = 0; v_ < (NV); v_++) {                                                                            \
            __m512i sh_ = _mm512_alignr_epi64((R)[v_], prev_, 7);                                                      \
            prev_ = (R)[v_];                                                                                           \
            (R)[v_] = _mm512_max_epi64((R)[v_], _mm512_min_epi64(sh_, (X)));                                           \
        }                                                                                                              \
    } while (0)

MT_AVX512 static void top_merge8_avx512(int64_t *a, const int64_t *x, size_t nx) {
    const __m512i inf = _mm512_set1_epi64(INT64_MAX);
    __m512i r[1] = { _mm512_loadu_si512(a) };
    for (size_t k = 0; k < nx; k++) TOP_STEP(r, 1, _mm512_set1_epi64(x[k]), inf);
    _mm512_storeu_si512(a, r[0]);
}

MT_AVX512 static void top_merge32_avx512(int64_t *a, const int64_t *x, size_t nx) {
    const __m512i inf = _mm512_set1_epi64(INT64_MAX);
    __m512i r[4];
    for (int v = 0; v < 4; v++) r[v] = _mm512_loadu_si512(a + 8 * v);
    for (size_t k = 0; k < nx; k++) TOP_STEP(r, 4, _mm512_set1_epi64(x[k]), inf);
    for (int v = 0; v < 4; v++) _mm512_storeu_si512(a + 8 * v, r[v]);
}

int mt_top_vec(int kd) { return (kd == 8 || kd == 32) && cpu_avx512(); }
#else
int mt_top_vec(int kd) {
    (void)kd;
    return 0;
}
#endif

size_t mt_top_merge(int64_t *a, size_t n, int kd, const int64_t *x, size_t nx, int vec) {
#ifdef MT_AVX512
    if (vec && (kd == 8 || kd == 32)) {
        if (kd == 8)
            top_merge8_avx512(a, x, nx);
        else
            top_merge32_avx512(a, x, nx);
        return n + nx < (size_t)kd ? n + nx : (size_t)kd;
    }
#else
    (void)vec;
#endif
    return top_merge_scalar(a, n, kd, x, nx);
}

/* ---- explanations (scalar, the reference) ------------------------------ */

void mt_explain(const mt_query *q, const mt_space *s, const mt_coaches *cs, size_t c, const match_mentee *m,
                const match_policy *policy, int elig_program, int forbidden, match_explain *out) {
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
    if (!elig_program)
        r = MATCH_REASON_PROGRAM;
    else if (cs->free[c] <= 0)
        r = MATCH_REASON_CAPACITY;
    else if (q->check_agency && cs->agency[c] == q->agency)
        r = MATCH_REASON_SAME_AGENCY;
    else if (cs->rank[c] < q->min_rank)
        r = MATCH_REASON_RANK;
    else if (!(cs->modality[c] & q->modality))
        r = MATCH_REASON_MODALITY;
    else if (!query_langs_common(q, cs, c))
        r = MATCH_REASON_LANGUAGE;
    else if (!common)
        r = MATCH_REASON_AVAILABILITY;
    else if (forbidden)
        r = MATCH_REASON_FORBIDDEN;
    else if (out->score < policy->min_score)
        r = MATCH_REASON_MIN_SCORE;
    out->reason = r;
    out->feasible = r == MATCH_REASON_NONE;
}
