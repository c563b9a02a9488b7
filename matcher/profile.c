/* profile.c — validation of profiles and policies, names of enums.
 *
 * Every check names the field at fault in match_err.field with the
 * protocol's spelling ("competencies[2].level") so that the server can turn
 * it into an invalid_params error without re-checking anything. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "matcher/internal.h"

void mt_err(match_err *err, const char *field, const char *fmt, ...) {
    if (!err) return;
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
}

/* 1..max printable, non-space ASCII bytes without ',' (list separator). */
static int token_ok(const char *s, size_t max) {
    if (!s) return 0;
    size_t n = 0;
    for (; s[n]; n++) /* ASCII 0x21..0x7e whatever the locale, as documented */
        if ((unsigned char)s[n] <= ' ' || (unsigned char)s[n] >= 0x7f || s[n] == ',' || n == max) return 0;
    return n > 0;
}

#define CHECK(cond, field, ...)                                                                                        \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            mt_err(err, field, __VA_ARGS__);                                                                           \
            return MATCH_ERR;                                                                                          \
        }                                                                                                              \
    } while (0)

/* The check of element i of a list: the field name ("list[i]suffix") is
 * only formatted when the check fails, so valid profiles cost no printf. */
#define CHECK_ITEM(cond, list, i, suffix, ...)                                                                         \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            item_err(err, list, i, suffix, __VA_ARGS__);                                                               \
            return MATCH_ERR;                                                                                          \
        }                                                                                                              \
    } while (0)

static void item_err(match_err *err, const char *list, size_t i, const char *suffix, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void item_err(match_err *err, const char *list, size_t i, const char *suffix, const char *fmt, ...) {
    char field[64], msg[200];
    snprintf(field, sizeof(field), "%s[%zu]%s", list, i, suffix);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mt_err(err, field, "%s: %s", field, msg);
}

static int check_languages(const char *const *langs, size_t n, match_err *err) {
    CHECK(n >= 1 && n <= MATCH_MAX_LANGUAGES, "languages", "languages: 1..%d entries", MATCH_MAX_LANGUAGES);
    CHECK(langs != NULL, "languages", "languages: missing");
    for (size_t i = 0; i < n; i++) {
        CHECK_ITEM(token_ok(langs[i], MATCH_LANG_MAX), "languages", i, "", "1..%d printable characters",
                   MATCH_LANG_MAX);
        for (size_t j = 0; j < i; j++)
            CHECK_ITEM(strcmp(langs[i], langs[j]) != 0, "languages", i, "", "duplicate language \"%s\"", langs[i]);
    }
    return MATCH_OK;
}

/* *prov gets the province's catalogue index. */
static int check_common(const char *id, unsigned modality, uint32_t avail, const char *province,
                        const match_catalog *cat, int32_t *prov, match_err *err) {
    CHECK(token_ok(id, MATCH_ID_MAX), "id", "id: 1..%d printable characters", MATCH_ID_MAX);
    CHECK(modality != 0 && (modality & ~MATCH_MOD_ALL) == 0, "modality",
          "modality: a non-empty subset of online, offline");
    CHECK(avail <= MATCH_AVAIL_ALL, "availability", "availability: a %d-bit mask", MATCH_AVAIL_BITS);
    *prov = province ? match_catalog_find(cat, MATCH_VOCAB_PROVINCE, province) : -1;
    CHECK(*prov >= 0, "province", "province: unknown code \"%s\"", province ? province : "");
    return MATCH_OK;
}

static int check_comp_code(const match_catalog *cat, const char *code, const char *field, match_err *err) {
    CHECK(match_competency_valid(cat, code), field, "%s: \"%s\" is neither a catalogue competency nor T.<sector>",
          field, code ? code : "");
    return MATCH_OK;
}

/* A competency code's catalogue index, -1 for any other (a T.<sector> code
 * or an invalid one). */
static int comp_id(const match_catalog *cat, const char *code) {
    return code && cat ? match_catalog_find(cat, MATCH_VOCAB_COMPETENCY, code) : -1;
}

/* Are competencies i and j (valid, with their comp_id()s in ids) the same?
 * Catalogue codes compare by index; only two T.<sector> codes need a string
 * comparison (a profile's list is checked pairwise: 10^6 profiles a run). */
static int comp_same(const int32_t *ids, size_t i, size_t j, const char *a, const char *b) {
    if (ids[i] >= 0 || ids[j] >= 0) return ids[i] == ids[j];
    return strcmp(a, b) == 0;
}

int match_mentee_check(const match_catalog *cat, const match_mentee *m, match_err *err) {
    mt_mcheck ck;
    int32_t ids[MATCH_MAX_COMPETENCIES];
    return mt_mentee_check(cat, m, &ck, ids, err);
}

int mt_mentee_check(const match_catalog *cat, const match_mentee *m, mt_mcheck *ck, int32_t *ids, match_err *err) {
    ck->comp = ids;
    if (check_common(m->id, m->modality, m->availability, m->province, cat, &ck->prov, err) != MATCH_OK)
        return MATCH_ERR;
    CHECK(token_ok(m->agency, MATCH_CODE_MAX), "agency", "agency: 1..%d printable characters", MATCH_CODE_MAX);
    ck->rank = match_position_rank(cat, m->position_class);
    CHECK(ck->rank > 0, "position_class", "position_class: unknown code \"%s\"",
          m->position_class ? m->position_class : "");
    CHECK(token_ok(m->program, MATCH_CODE_MAX), "program", "program: 1..%d printable characters", MATCH_CODE_MAX);
    CHECK(m->n_competencies <= MATCH_MAX_COMPETENCIES, "competencies", "competencies: at most %d",
          MATCH_MAX_COMPETENCIES);
    CHECK(m->n_competencies == 0 || m->competencies, "competencies", "competencies: missing");
    for (size_t i = 0; i < m->n_competencies; i++) {
        const match_need *n = &m->competencies[i];
        ids[i] = comp_id(cat, n->code);
        CHECK_ITEM(ids[i] >= 0 || match_competency_valid(NULL, n->code), "competencies", i, ".code",
                   "\"%s\" is neither a catalogue competency nor "
                   "T.<sector>",
                   n->code ? n->code : "");
        for (size_t j = 0; j < i; j++)
            CHECK_ITEM(!comp_same(ids, i, j, n->code, m->competencies[j].code), "competencies", i, ".code",
                       "duplicate competency \"%s\"", n->code);
        CHECK_ITEM(n->current >= 0 && n->current <= MATCH_LEVEL_MAX, "competencies", i, ".current", "must be 0..5");
        CHECK_ITEM(n->required >= 1 && n->required <= MATCH_LEVEL_MAX, "competencies", i, ".required", "must be 1..5");
    }
    return check_languages(m->languages, m->n_languages, err);
}

int match_coach_check(const match_catalog *cat, const match_coach *c, match_err *err) {
    int32_t ids[MATCH_MAX_COMPETENCIES];
    return mt_coach_check(cat, c, ids, err);
}

int mt_coach_check(const match_catalog *cat, const match_coach *c, int32_t *ids, match_err *err) {
    int32_t prov;
    if (check_common(c->id, c->modality, c->availability, c->province, cat, &prov, err) != MATCH_OK) return MATCH_ERR;
    CHECK(c->kind && match_catalog_find(cat, MATCH_VOCAB_COACH_KIND, c->kind) >= 0, "kind", "kind: unknown \"%s\"",
          c->kind ? c->kind : "");
    CHECK(token_ok(c->organization, MATCH_CODE_MAX), "organization", "organization: 1..%d printable characters",
          MATCH_CODE_MAX);
    CHECK(c->rank >= MATCH_RANK_MIN && c->rank <= MATCH_RANK_MAX, "rank", "rank: must be 1..6");
    CHECK(c->capacity >= 0 && c->capacity <= MATCH_CAPACITY_MAX, "capacity", "capacity: must be 0..%d",
          MATCH_CAPACITY_MAX);
    CHECK(c->load >= 0, "load", "load: must be >= 0");
    CHECK(c->n_competencies <= MATCH_MAX_COMPETENCIES, "competencies", "competencies: at most %d",
          MATCH_MAX_COMPETENCIES);
    CHECK(c->n_competencies == 0 || c->competencies, "competencies", "competencies: missing");
    for (size_t i = 0; i < c->n_competencies; i++) {
        const match_skill *s = &c->competencies[i];
        ids[i] = comp_id(cat, s->code);
        CHECK_ITEM(ids[i] >= 0 || match_competency_valid(NULL, s->code), "competencies", i, ".code",
                   "\"%s\" is neither a catalogue competency nor "
                   "T.<sector>",
                   s->code ? s->code : "");
        for (size_t j = 0; j < i; j++)
            CHECK_ITEM(!comp_same(ids, i, j, s->code, c->competencies[j].code), "competencies", i, ".code",
                       "duplicate competency \"%s\"", s->code);
        CHECK_ITEM(s->level >= 1 && s->level <= MATCH_LEVEL_MAX, "competencies", i, ".level", "must be 1..5");
    }
    CHECK(c->n_programs <= MATCH_MAX_PROGRAMS, "programs", "programs: at most %d", MATCH_MAX_PROGRAMS);
    CHECK(c->n_programs == 0 || c->programs, "programs", "programs: missing");
    for (size_t i = 0; i < c->n_programs; i++) {
        CHECK_ITEM(token_ok(c->programs[i], MATCH_CODE_MAX), "programs", i, "", "1..%d printable characters",
                   MATCH_CODE_MAX);
        for (size_t j = 0; j < i; j++)
            CHECK_ITEM(strcmp(c->programs[i], c->programs[j]) != 0, "programs", i, "", "duplicate program");
    }
    return check_languages(c->languages, c->n_languages, err);
}

/* ---- policy -------------------------------------------------------------- */

void match_policy_default(match_policy *p) {
    memset(p, 0, sizeof(*p));
    p->objective = MATCH_OBJ_PARTICIPATION;
    p->mode = MATCH_MODE_OPTIMAL;
    p->min_score = 0;
    p->forbid_same_agency = 1;
    p->min_rank_gap = 1;
    p->waitlist_bonus = 500;
    p->w_gap = 750;
    p->w_location = 150;
    p->w_availability = 100;
}

int match_policy_check(const match_catalog *cat, const match_policy *p, match_err *err) {
    char field[64];
    CHECK(p->objective == MATCH_OBJ_PARTICIPATION || p->objective == MATCH_OBJ_QUALITY, "objective",
          "objective: participation or quality");
    CHECK(p->mode == MATCH_MODE_OPTIMAL || p->mode == MATCH_MODE_STABLE, "mode", "mode: optimal or stable");
    CHECK(p->min_score >= 0 && p->min_score <= MATCH_SCORE_MAX, "min_score", "min_score: must be 0..%d",
          MATCH_SCORE_MAX);
    CHECK(p->forbid_same_agency == 0 || p->forbid_same_agency == 1, "forbid_same_agency",
          "forbid_same_agency: a boolean");
    CHECK(p->min_rank_gap >= -MATCH_MIN_RANK_GAP_MAX && p->min_rank_gap <= MATCH_MIN_RANK_GAP_MAX, "min_rank_gap",
          "min_rank_gap: must be -%d..%d", MATCH_MIN_RANK_GAP_MAX, MATCH_MIN_RANK_GAP_MAX);
    CHECK(p->waitlist_bonus >= 0 && p->waitlist_bonus <= MATCH_WAITLIST_BONUS_MAX, "waitlist_bonus",
          "waitlist_bonus: must be 0..%d", MATCH_WAITLIST_BONUS_MAX);
    CHECK(p->w_gap <= MATCH_WEIGHT_MAX, "weights.gap", "weights.gap: must be 0..%g", MATCH_WEIGHT_MAX / 1000.0);
    CHECK(p->w_location <= MATCH_WEIGHT_MAX, "weights.location", "weights.location: must be 0..%g",
          MATCH_WEIGHT_MAX / 1000.0);
    CHECK(p->w_availability <= MATCH_WEIGHT_MAX, "weights.availability", "weights.availability: must be 0..%g",
          MATCH_WEIGHT_MAX / 1000.0);
    CHECK(p->w_gap + p->w_location + p->w_availability > 0, "weights", "weights: their sum must be positive");
    CHECK(p->n_comp_weights <= MATCH_MAX_POLICY_WEIGHTS, "competency_weights", "competency_weights: at most %d",
          MATCH_MAX_POLICY_WEIGHTS);
    CHECK(p->n_comp_weights == 0 || p->comp_weights, "competency_weights", "competency_weights: missing");
    for (size_t i = 0; i < p->n_comp_weights; i++) {
        const match_comp_weight *w = &p->comp_weights[i];
        snprintf(field, sizeof(field), "competency_weights.%.40s", w->code ? w->code : "");
        if (check_comp_code(cat, w->code, field, err) != MATCH_OK) return MATCH_ERR;
        CHECK(w->weight <= MATCH_COMP_WEIGHT_MAX, field, "%s: must be 0..%g", field, MATCH_COMP_WEIGHT_MAX / 1000.0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(w->code, p->comp_weights[j].code) != 0, field, "%s: duplicate", field);
    }
    return MATCH_OK;
}

int mt_policy_resolve(const match_catalog *cat, const match_policy *in, match_policy *out, match_err *err) {
    if (!in) {
        match_policy_default(out);
        return MATCH_OK;
    }
    if (match_policy_check(cat, in, err) != MATCH_OK) return MATCH_ERR;
    *out = *in;
    return MATCH_OK;
}

int match_objective_parse(const char *name, match_objective *out) {
    if (name && strcmp(name, "participation") == 0)
        *out = MATCH_OBJ_PARTICIPATION;
    else if (name && strcmp(name, "quality") == 0)
        *out = MATCH_OBJ_QUALITY;
    else
        return MATCH_ERR;
    return MATCH_OK;
}

int match_mode_parse(const char *name, match_mode *out) {
    if (name && strcmp(name, "optimal") == 0)
        *out = MATCH_MODE_OPTIMAL;
    else if (name && strcmp(name, "stable") == 0)
        *out = MATCH_MODE_STABLE;
    else
        return MATCH_ERR;
    return MATCH_OK;
}

const char *match_objective_name(match_objective o) { return o == MATCH_OBJ_QUALITY ? "quality" : "participation"; }

const char *match_mode_name(match_mode m) { return m == MATCH_MODE_STABLE ? "stable" : "optimal"; }

const char *match_reason_name(match_reason r) {
    static const char *const names[MATCH_REASON__COUNT] = {
        NULL,       "program",  "capacity",     "same_agency", "rank",
        "modality", "language", "availability", "forbidden",   "min_score",
    };
    return (unsigned)r < MATCH_REASON__COUNT ? names[r] : NULL;
}

const char *match_unmatched_name(match_unmatched_reason r) {
    static const char *const names[MATCH_UNMATCHED__COUNT] = {
        "no_feasible_coach",
        "capacity",
        "below_min_score",
    };
    return (unsigned)r < MATCH_UNMATCHED__COUNT ? names[r] : NULL;
}
