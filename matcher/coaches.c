/* coaches.c — interning space and the structure-of-arrays coach set.
 *
 * Coaches are stored column-wise (one array per attribute, one uint8
 * column of levels per competency) so that kernel.c scores one mentee
 * against a block of coaches with straight loops over narrow integer
 * lanes.  A competency no coach holds has no column: the mentee side then
 * reads the shared all-zero column. */
#include <stdlib.h>
#include <string.h>

#include "matcher/internal.h"

#define COACHES_MIN_ALLOC 64
_Static_assert(COACHES_MIN_ALLOC % MT_ROW_ALIGN == 0, "whole vectors of rows (MT_ROWS)");

int mt_space_init(mt_space *s, const match_catalog *cat) {
    memset(s, 0, sizeof(*s));
    s->cat = cat;
    mt_map_init(&s->comps);
    mt_map_init(&s->agencies);
    mt_map_init(&s->langs);
    mt_map_init(&s->programs);
    /* Catalogue competencies take the first columns, in catalogue order. */
    for (size_t i = 0; i < match_catalog_count(cat, MATCH_VOCAB_COMPETENCY); i++)
        if (mt_map_intern(&s->comps, match_catalog_code(cat, MATCH_VOCAB_COMPETENCY, i)) == MT_NONE) {
            mt_space_free(s);
            return MATCH_ENOMEM;
        }
    return MATCH_OK;
}

void mt_space_free(mt_space *s) {
    mt_map_free(&s->comps);
    mt_map_free(&s->agencies);
    mt_map_free(&s->langs);
    mt_map_free(&s->programs);
}

void mt_coaches_init(mt_coaches *cs) { memset(cs, 0, sizeof(*cs)); }

void mt_coaches_free(mt_coaches *cs) {
    free(cs->agency);
    free(cs->rank);
    free(cs->prov);
    free(cs->region);
    free(cs->modality);
    free(cs->langs);
    free(cs->langs32);
    free(cs->n_xlangs);
    free(cs->xlangs);
    free(cs->avail);
    free(cs->free);
    free(cs->capacity);
    free(cs->n_progs);
    free(cs->prog0);
    free(cs->progs);
    for (size_t i = 0; i < cs->n_cols; i++) free(cs->level[i]);
    free(cs->level);
    free(cs->zeros);
    memset(cs, 0, sizeof(*cs));
}

/* Grow a per-coach array of `per` items a row to na rows, the new ones
 * zeroed: the kernel reads whole vectors of rows past a range (MT_ROWS),
 * never bytes it did not set. */
#define GROW(field, per)                                                                                               \
    do {                                                                                                               \
        void *p_ = realloc(cs->field, na * (per) * sizeof(*cs->field));                                                \
        if (!p_) return MATCH_ENOMEM;                                                                                  \
        cs->field = p_;                                                                                                \
        memset(cs->field + cs->alloc * (per), 0, (na - cs->alloc) * (per) * sizeof(*cs->field));                       \
    } while (0)

/* Resize every per-coach array to na rows (na > cs->alloc, a multiple of
 * MT_ROW_ALIGN); the new rows are zeroed. */
static int coaches_resize(mt_coaches *cs, size_t na) {
    GROW(agency, 1);
    GROW(rank, 1);
    GROW(prov, 1);
    GROW(region, 1);
    GROW(modality, 1);
    GROW(langs, 1);
    GROW(langs32, 1);
    GROW(n_xlangs, 1);
    GROW(xlangs, MATCH_MAX_LANGUAGES);
    GROW(avail, 1);
    GROW(free, 1);
    GROW(capacity, 1);
    GROW(n_progs, 1);
    GROW(prog0, 1);
    GROW(progs, MATCH_MAX_PROGRAMS);
    GROW(zeros, 1);
    for (size_t i = 0; i < cs->n_cols; i++) {
        if (!cs->level[i]) continue;
        uint8_t *p = realloc(cs->level[i], na);
        if (!p) return MATCH_ENOMEM;
        memset(p + cs->alloc, 0, na - cs->alloc);
        cs->level[i] = p;
    }
    cs->alloc = na;
    return MATCH_OK;
}

static int coaches_grow(mt_coaches *cs, size_t need) {
    if (need <= cs->alloc) return MATCH_OK;
    size_t na = cs->alloc ? cs->alloc : COACHES_MIN_ALLOC;
    while (na < need) na *= 2;
    return coaches_resize(cs, na);
}

int mt_coaches_reserve(mt_coaches *cs, size_t n) {
    return MT_ROWS(n) <= cs->alloc ? MATCH_OK : coaches_resize(cs, MT_ROWS(n));
}

/* The level column of competency id `col`, created (zeroed) on demand. */
static uint8_t *coaches_column(mt_coaches *cs, uint32_t col) {
    if (col >= cs->n_cols) {
        size_t nc = cs->n_cols ? cs->n_cols : 16;
        while (nc <= col) nc *= 2;
        uint8_t **lv = realloc(cs->level, nc * sizeof(*lv));
        if (!lv) return NULL;
        memset(lv + cs->n_cols, 0, (nc - cs->n_cols) * sizeof(*lv));
        cs->level = lv;
        cs->n_cols = nc;
    }
    if (!cs->level[col]) cs->level[col] = calloc(cs->alloc, 1);
    return cs->level[col];
}

int mt_coaches_set(mt_coaches *cs, mt_space *s, size_t slot, const match_coach *c, const int32_t *comp_ids) {
    if (coaches_grow(cs, slot + 1) != MATCH_OK) return MATCH_ENOMEM;
    /* Languages: a bit each for the first MT_LANG_BITS, then overflow ids
     * (internal.h).  Any number of distinct languages is accepted. */
    uint64_t langs = 0;
    uint32_t xl[MATCH_MAX_LANGUAGES];
    size_t nxl = 0;
    for (size_t i = 0; i < c->n_languages && i < MATCH_MAX_LANGUAGES; i++) {
        uint32_t b = mt_map_intern(&s->langs, c->languages[i]);
        if (b == MT_NONE) return MATCH_ENOMEM;
        if (b < MT_LANG_BITS) {
            langs |= (uint64_t)1 << b;
        } else {
            langs |= MT_LANG_OVERFLOW;
            xl[nxl++] = b;
        }
    }
    uint32_t agency = mt_map_intern(&s->agencies, c->organization);
    if (agency == MT_NONE) return MATCH_ENOMEM;
    uint32_t *progs = cs->progs + slot * MATCH_MAX_PROGRAMS;
    for (size_t i = 0; i < c->n_programs; i++)
        if ((progs[i] = mt_map_intern(&s->programs, c->programs[i])) == MT_NONE) return MATCH_ENOMEM;
    /* Levels: clear the slot in every column (unless it was never set:
     * a run fills 10^5 fresh slots, and one write per column each was a
     * cache miss), then set this coach's.  A catalogue competency's column
     * is its catalogue index (mt_space_init). */
    uint32_t cols[MATCH_MAX_COMPETENCIES];
    for (size_t i = 0; i < c->n_competencies; i++) {
        int32_t id = comp_ids ? comp_ids[i] : -1;
        cols[i] = id >= 0 ? (uint32_t)id : mt_map_intern(&s->comps, c->competencies[i].code);
        if (cols[i] == MT_NONE || !coaches_column(cs, cols[i])) return MATCH_ENOMEM;
    }
    if (slot < cs->touched)
        for (size_t i = 0; i < cs->n_cols; i++)
            if (cs->level[i]) cs->level[i][slot] = 0;
    for (size_t i = 0; i < c->n_competencies; i++) cs->level[cols[i]][slot] = (uint8_t)c->competencies[i].level;
    if (slot >= cs->touched) cs->touched = slot + 1;

    int prov = match_catalog_find(s->cat, MATCH_VOCAB_PROVINCE, c->province);
    cs->agency[slot] = agency;
    cs->rank[slot] = (uint8_t)c->rank;
    cs->prov[slot] = (uint8_t)prov;
    cs->region[slot] = s->cat->prov_region[prov];
    cs->modality[slot] = (uint8_t)c->modality;
    cs->langs[slot] = langs;
    cs->langs32[slot] = (uint32_t)langs;
    cs->n_xlangs[slot] = (uint8_t)nxl;
    memcpy(cs->xlangs + slot * MATCH_MAX_LANGUAGES, xl, nxl * sizeof(*xl));
    cs->avail[slot] = c->availability ? c->availability : MATCH_AVAIL_ALL;
    cs->capacity[slot] = c->capacity;
    cs->free[slot] = c->capacity > c->load ? c->capacity - c->load : 0;
    cs->n_progs[slot] = (uint8_t)c->n_programs;
    cs->prog0[slot] = c->n_programs ? progs[0] : MT_NONE;
    if (slot == cs->n) cs->n++;
    return MATCH_OK;
}

/* Copy the per-coach fields the kernel reads (everything but programs and
 * competency levels) of slot j of src into slot i of dst.  The one place
 * that lists them: a field added to mt_coaches is added here. */
static void copy_slot(mt_coaches *dst, size_t i, const mt_coaches *src, size_t j) {
    dst->agency[i] = src->agency[j];
    dst->rank[i] = src->rank[j];
    dst->prov[i] = src->prov[j];
    dst->region[i] = src->region[j];
    dst->modality[i] = src->modality[j];
    dst->langs[i] = src->langs[j];
    dst->langs32[i] = src->langs32[j];
    dst->n_xlangs[i] = src->n_xlangs[j];
    memcpy(dst->xlangs + i * MATCH_MAX_LANGUAGES, src->xlangs + j * MATCH_MAX_LANGUAGES,
           src->n_xlangs[j] * sizeof(*src->xlangs));
    dst->avail[i] = src->avail[j];
    dst->free[i] = src->free[j];
    dst->capacity[i] = src->capacity[j];
}

void mt_coaches_move(mt_coaches *cs, size_t to, size_t from) {
    copy_slot(cs, to, cs, from);
    cs->n_progs[to] = cs->n_progs[from];
    cs->prog0[to] = cs->prog0[from];
    memcpy(cs->progs + to * MATCH_MAX_PROGRAMS, cs->progs + from * MATCH_MAX_PROGRAMS,
           MATCH_MAX_PROGRAMS * sizeof(*cs->progs));
    for (size_t i = 0; i < cs->n_cols; i++)
        if (cs->level[i]) cs->level[i][to] = cs->level[i][from];
    if (to >= cs->touched) cs->touched = to + 1;
}

int mt_coach_serves(const mt_coaches *cs, size_t i, uint32_t p) {
    if (cs->n_progs[i] == 0) return 1;
    const uint32_t *progs = cs->progs + i * MATCH_MAX_PROGRAMS;
    for (size_t k = 0; k < cs->n_progs[i]; k++)
        if (progs[k] == p) return 1;
    return 0;
}

int mt_coaches_permute(mt_coaches *dst, const mt_coaches *src, const int32_t *perm, size_t n) {
    if (dst->alloc < MT_ROWS(src->n) || dst->n_cols != src->n_cols) {
        mt_coaches_free(dst);
        mt_coaches *cs = dst;
        size_t na = MT_ROWS(src->n ? src->n : 1);
        int rc = coaches_resize(cs, na); /* no level columns yet: n_cols is 0 */
        if (rc != MATCH_OK) return rc;
        if (src->n_cols) {
            if (!(cs->level = calloc(src->n_cols, sizeof(*cs->level)))) return MATCH_ENOMEM;
            cs->n_cols = src->n_cols;
        }
        for (size_t k = 0; k < src->n_cols; k++)
            if (src->level[k] && !(cs->level[k] = calloc(na, 1))) return MATCH_ENOMEM;
    }
    /* programs are not needed by the kernel (elig arrays carry them) */
    for (size_t i = 0; i < n; i++) {
        copy_slot(dst, i, src, (size_t)perm[i]);
        dst->n_progs[i] = 0;
    }
    for (size_t k = 0; k < src->n_cols; k++) {
        if (!src->level[k]) continue;
        const uint8_t *from = src->level[k];
        uint8_t *to = dst->level[k];
        for (size_t i = 0; i < n; i++) to[i] = from[perm[i]];
    }
    dst->n = n;
    dst->touched = dst->alloc; /* a column reused from an earlier permute may hold a level in any slot */
    return MATCH_OK;
}
