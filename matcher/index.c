/* index.c — the coach index (match.suggest, match.explain) and the
 * explanation of a single pair.
 *
 * The index holds every coach the server knows in one structure-of-arrays
 * coach set; an id map gives each coach's slot, and removal moves the last
 * slot into the hole, so the arrays stay dense.  A suggestion scores the
 * mentee against every coach with the vectorised kernel (about 20 us for
 * 20,000 coaches) and keeps the best `limit` in a small sorted array. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/internal.h"

struct match_index {
    const match_catalog *cat;
    mt_space space;
    mt_coaches cs;
    mt_map slot_of;  /* coach id -> slot */
    char **ids;      /* per slot */
    uint64_t *idkey; /* per slot: first 8 bytes of the id, big-endian, so
                         that most id comparisons are one integer compare */
    uint8_t *mark;   /* per slot: seen since match_index_unmark */
    size_t ids_alloc;
};

/* The first 8 bytes of an id as a big-endian integer (NUL-padded): its
 * order is the byte order of the ids up to ties. */
static uint64_t id_key(const char *id) {
    uint64_t k = 0;
    size_t i = 0;
    for (; i < 8 && id[i]; i++) k = (k << 8) | (unsigned char)id[i];
    return k << (8 * (8 - i));
}

match_index *match_index_new(const match_catalog *cat) {
    match_index *idx = calloc(1, sizeof(*idx));
    if (!idx) return NULL;
    idx->cat = cat;
    if (mt_space_init(&idx->space, cat) != MATCH_OK) {
        free(idx);
        return NULL;
    }
    mt_coaches_init(&idx->cs);
    mt_map_init(&idx->slot_of);
    return idx;
}

void match_index_free(match_index *idx) {
    if (!idx) return;
    for (size_t i = 0; i < idx->cs.n; i++) free(idx->ids[i]);
    free(idx->ids);
    free(idx->idkey);
    free(idx->mark);
    mt_map_free(&idx->slot_of);
    mt_coaches_free(&idx->cs);
    mt_space_free(&idx->space);
    free(idx);
}

size_t match_index_size(const match_index *idx) { return idx->cs.n; }

int match_index_upsert(match_index *idx, const match_coach *c, match_err *err) {
    if (match_coach_check(idx->cat, c, err) != MATCH_OK) return MATCH_ERR;
    uint32_t slot = mt_map_get(&idx->slot_of, c->id);
    int fresh = slot == MT_NONE;
    if (fresh) {
        slot = (uint32_t)idx->cs.n;
        if (slot >= idx->ids_alloc) {
            size_t na = idx->ids_alloc ? idx->ids_alloc * 2 : 64;
            char **ids = realloc(idx->ids, na * sizeof(*ids));
            if (!ids) goto nomem;
            idx->ids = ids;
            uint64_t *ik = realloc(idx->idkey, na * sizeof(*ik));
            if (!ik) goto nomem;
            idx->idkey = ik;
            uint8_t *mk = realloc(idx->mark, na * sizeof(*mk));
            if (!mk) goto nomem;
            idx->mark = mk;
            idx->ids_alloc = na;
        }
        if (!(idx->ids[slot] = strdup(c->id))) goto nomem;
        idx->idkey[slot] = id_key(c->id);
        if (mt_map_put(&idx->slot_of, c->id, slot) != MATCH_OK) {
            free(idx->ids[slot]);
            goto nomem;
        }
    }
    int rc = mt_coaches_set(&idx->cs, &idx->space, slot, c, NULL);
    if (rc != MATCH_OK && fresh) {
        mt_map_del(&idx->slot_of, c->id);
        free(idx->ids[slot]);
    }
    if (rc == MATCH_OK) idx->mark[slot] = 1;
    if (rc == MATCH_ENOMEM) mt_err(err, "", "out of memory");
    return rc;
nomem:
    mt_err(err, "", "out of memory");
    return MATCH_ENOMEM;
}

int match_index_remove(match_index *idx, const char *coach_id) {
    uint32_t slot = mt_map_get(&idx->slot_of, coach_id);
    if (slot == MT_NONE) return MATCH_ENOTFOUND;
    size_t last = idx->cs.n - 1;
    mt_map_del(&idx->slot_of, coach_id);
    free(idx->ids[slot]);
    if (slot != last) {
        mt_coaches_move(&idx->cs, slot, last);
        idx->ids[slot] = idx->ids[last];
        idx->idkey[slot] = idx->idkey[last];
        idx->mark[slot] = idx->mark[last];
        /* The key exists, so this overwrite cannot allocate. */
        (void)mt_map_put(&idx->slot_of, idx->ids[slot], slot);
    }
    idx->cs.n--;
    return MATCH_OK;
}

void match_index_unmark(match_index *idx) {
    if (idx->cs.n) memset(idx->mark, 0, idx->cs.n);
}

int match_index_mark(match_index *idx, const char *coach_id) {
    uint32_t slot = mt_map_get(&idx->slot_of, coach_id);
    if (slot == MT_NONE) return MATCH_ENOTFOUND;
    idx->mark[slot] = 1;
    return MATCH_OK;
}

/* From the last slot down: a removal moves the last slot into the hole,
 * and every slot above the cursor has been looked at. */
size_t match_index_sweep(match_index *idx) {
    size_t removed = 0;
    for (size_t slot = idx->cs.n; slot-- > 0;) {
        if (idx->mark[slot]) continue;
        (void)match_index_remove(idx, idx->ids[slot]);
        removed++;
    }
    return removed;
}

int match_index_set_load(match_index *idx, const char *coach_id, int load) {
    uint32_t slot = mt_map_get(&idx->slot_of, coach_id);
    if (slot == MT_NONE) return MATCH_ENOTFOUND;
    if (load < 0) return MATCH_ERR;
    int32_t cap = idx->cs.capacity[slot];
    idx->cs.free[slot] = cap > load ? cap - load : 0;
    return MATCH_OK;
}

/* ---- queries ----------------------------------------------------------- */

/* Resolve policy, validate the mentee and build its query. */
static int query_prepare(const match_index *idx, const match_query *qy, match_policy *pol, mt_query *q,
                         match_err *err) {
    if (!qy || !qy->mentee) {
        mt_err(err, "mentee_id", "no mentee");
        return MATCH_ERR;
    }
    if (mt_policy_resolve(idx->cat, qy->policy, pol, err) != MATCH_OK ||
        match_mentee_check(idx->cat, qy->mentee, err) != MATCH_OK)
        return MATCH_ERR;
    mt_query_build(q, &idx->space, &idx->cs, qy->mentee, pol);
    return MATCH_OK;
}

static int is_forbidden(const match_query *qy, const char *coach_id) {
    for (size_t i = 0; i < qy->n_forbidden; i++)
        if (qy->forbidden[i] && strcmp(qy->forbidden[i], coach_id) == 0) return 1;
    return 0;
}

/* Slot a (score sa) ranks before slot b: higher score, then smaller id. */
static int sugg_before(const match_index *idx, int sa, size_t a, int sb, size_t b) {
    if (sa != sb) return sa > sb;
    if (idx->idkey[a] != idx->idkey[b]) return idx->idkey[a] < idx->idkey[b];
    return strcmp(idx->ids[a], idx->ids[b]) < 0;
}

int match_suggest(const match_index *idx, const match_query *qy, size_t limit, match_suggestion *out, size_t *n_out,
                  match_err *err) {
    *n_out = 0;
    if (limit < 1 || limit > MATCH_SUGGEST_MAX) {
        mt_err(err, "limit", "limit: must be 1..%d", MATCH_SUGGEST_MAX);
        return MATCH_ERR;
    }
    match_policy pol;
    mt_query q;
    int rc = query_prepare(idx, qy, &pol, &q, err);
    if (rc != MATCH_OK) return rc;
    const mt_coaches *cs = &idx->cs;
    uint8_t *elig = mt_elig_alloc(cs->n);
    if (!elig) {
        mt_err(err, "", "out of memory");
        return MATCH_ENOMEM;
    }
    for (size_t c = 0; c < cs->n; c++)
        elig[c] = (uint8_t)((cs->free[c] > 0) & ((cs->n_progs[c] == 0) | (cs->prog0[c] == q.program)));
    for (size_t c = 0; c < cs->n; c++) /* the few with several programs */
        if (cs->n_progs[c] > 1 && !elig[c] && cs->free[c] > 0) elig[c] = (uint8_t)mt_coach_serves(cs, c, q.program);
    for (size_t i = 0; i < qy->n_forbidden; i++) {
        uint32_t s = qy->forbidden[i] ? mt_map_get(&idx->slot_of, qy->forbidden[i]) : MT_NONE;
        if (s != MT_NONE) elig[s] = 0;
    }
    /* scores[]/slots[] kept sorted.  A full list admits a coach only with a
     * score >= the last one (then the id decides), i.e. a key above
     * mt_key_floor(last - 1). */
    size_t n = 0;
    size_t slots[MATCH_SUGGEST_MAX];
    int scores[MATCH_SUGGEST_MAX];
    uint16_t key[MT_BLOCK];
    uint16_t kmin = pol.min_score > 0 ? mt_key_floor(&q, pol.min_score - 1) : 0;
    uint16_t kt = kmin;
    for (size_t c0 = 0; c0 < cs->n; c0 += MT_BLOCK) {
        size_t c1 = c0 + MT_BLOCK < cs->n ? c0 + MT_BLOCK : cs->n;
        mt_key_block(&q, cs, elig, c0, c1, key);
        if (mt_key_max(key, c1 - c0) <= kt) continue;
        for (size_t j = 0; j < c1 - c0; j++) {
            if (key[j] <= kt) continue;
            int s = mt_key_score(&q, key[j]);
            if (n == limit && !sugg_before(idx, s, c0 + j, scores[n - 1], slots[n - 1])) continue;
            size_t k = n < limit ? n++ : n - 1;
            while (k > 0 && sugg_before(idx, s, c0 + j, scores[k - 1], slots[k - 1])) {
                scores[k] = scores[k - 1];
                slots[k] = slots[k - 1];
                k--;
            }
            scores[k] = s;
            slots[k] = c0 + j;
            if (n == limit) {
                uint16_t f = mt_key_floor(&q, scores[n - 1] - 1);
                kt = f > kt ? f : kt;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(out[i].coach_id, sizeof(out[i].coach_id), "%s", idx->ids[slots[i]]);
        out[i].score = scores[i];
    }
    *n_out = n;
    free(elig);
    return MATCH_OK;
}

int match_explain_coach(const match_index *idx, const match_query *qy, const char *coach_id, match_explain *out,
                        match_err *err) {
    uint32_t slot = coach_id ? mt_map_get(&idx->slot_of, coach_id) : MT_NONE;
    if (slot == MT_NONE) {
        mt_err(err, "coach_id", "coach_id: no such coach");
        return MATCH_ENOTFOUND;
    }
    match_policy pol;
    mt_query q;
    int rc = query_prepare(idx, qy, &pol, &q, err);
    if (rc != MATCH_OK) return rc;
    mt_explain(&q, &idx->space, &idx->cs, slot, qy->mentee, &pol, mt_coach_serves(&idx->cs, slot, q.program),
               is_forbidden(qy, coach_id), out);
    return MATCH_OK;
}

int match_explain_pair(const match_catalog *cat, const match_mentee *m, const match_coach *c,
                       const match_policy *policy, int forbidden, match_explain *out, match_err *err) {
    match_policy pol;
    if (mt_policy_resolve(cat, policy, &pol, err) != MATCH_OK || match_mentee_check(cat, m, err) != MATCH_OK ||
        match_coach_check(cat, c, err) != MATCH_OK)
        return MATCH_ERR;
    mt_space s;
    mt_coaches cs;
    mt_query q;
    if (mt_space_init(&s, cat) != MATCH_OK) return MATCH_ENOMEM;
    mt_coaches_init(&cs);
    int rc = mt_coaches_set(&cs, &s, 0, c, NULL);
    if (rc == MATCH_OK) {
        mt_query_build(&q, &s, &cs, m, &pol);
        mt_explain(&q, &s, &cs, 0, m, &pol, mt_coach_serves(&cs, 0, q.program), forbidden, out);
    }
    if (rc == MATCH_ENOMEM) mt_err(err, "", "out of memory");
    mt_coaches_free(&cs);
    mt_space_free(&s);
    return rc;
}
