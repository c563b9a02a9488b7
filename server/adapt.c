/* adapt.c — see adapt.h. */
#include "server/adapt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "server/server.h"

/* The protocol validates every profile and policy before libmatcher sees
 * it, so whatever the protocol accepts must fit libmatcher's limits (the
 * views are handed over without copying or truncating), and what goes back
 * on the wire (scores, reasons, statistics) must mean the same on both
 * sides. */
_Static_assert(PROTO_ID_MAX <= MATCH_ID_MAX, "coach ids must fit libmatcher's");
_Static_assert(PROTO_NIP_LEN <= MATCH_ID_MAX, "mentee ids must fit libmatcher's");
_Static_assert(PROTO_CODE_MAX <= MATCH_CODE_MAX, "codes (province, class, program, competency) must fit");
_Static_assert(PROTO_AGENCY_MAX <= MATCH_CODE_MAX, "agency codes must fit libmatcher's codes");
_Static_assert(MADAPT_ORG_BUF - 1 <= MATCH_CODE_MAX, "the organization surrogate must be a libmatcher code");
_Static_assert(PROTO_LANG_MAX <= MATCH_LANG_MAX, "language codes must fit");
_Static_assert(PROTO_COMPETENCIES_MAX <= MATCH_MAX_COMPETENCIES, "competencies per profile/explain must fit");
_Static_assert(PROTO_LANGS_MAX <= MATCH_MAX_LANGUAGES, "languages per profile must fit");
_Static_assert(PROTO_PROGRAMS_MAX <= MATCH_MAX_PROGRAMS, "programs of a coach must fit");
_Static_assert(PROTO_LEVEL_MAX == MATCH_LEVEL_MAX, "competency levels must agree");
_Static_assert(PROTO_RANK_MAX == MATCH_RANK_MAX, "ranks must agree");
_Static_assert(PROTO_CAPACITY_MAX <= MATCH_CAPACITY_MAX, "coach capacity must fit");
_Static_assert(PROTO_SCORE_MAX == MATCH_SCORE_MAX, "scores go back on the wire unchanged");
_Static_assert(PROTO_AVAIL_BITS == MATCH_AVAIL_BITS && PROTO_AVAIL_ALL == MATCH_AVAIL_ALL,
               "availability masks are handed over unchanged");
_Static_assert(PROTO_MOD_ONLINE == MATCH_MOD_ONLINE && PROTO_MOD_OFFLINE == MATCH_MOD_OFFLINE,
               "modality bits are handed over unchanged");
_Static_assert(PROTO_COMP_WEIGHTS_MAX <= MATCH_MAX_POLICY_WEIGHTS, "a policy's competency weights must fit");
_Static_assert((long)PROTO_WEIGHT_MAX *MATCH_WEIGHT_ONE <= MATCH_COMP_WEIGHT_MAX,
               "competency weights 0..PROTO_WEIGHT_MAX must fit libmatcher's range");
_Static_assert((int)PROTO_UNMATCHED__COUNT == (int)MATCH_UNMATCHED__COUNT &&
                   (int)PROTO_UNMATCHED_NO_FEASIBLE_COACH == (int)MATCH_UNMATCHED_NO_FEASIBLE_COACH &&
                   (int)PROTO_UNMATCHED_CAPACITY == (int)MATCH_UNMATCHED_CAPACITY &&
                   (int)PROTO_UNMATCHED_BELOW_MIN_SCORE == (int)MATCH_UNMATCHED_BELOW_MIN_SCORE,
               "unmatched reasons are copied index by index");

/* Bytes read back from Redis were written by us, but Redis is outside this
 * process: a corrupted or foreign value must not make msgpack-c allocate a
 * declared count up front (DESIGN §7), so every stored blob passes the same
 * pre-check as a client's frame before it is unpacked.  Returns 0 with the
 * object in *u (initialised by the caller), -1 otherwise. */
int mblob_unpack(const char *data, size_t len, msgpack_unpacked *u) {
    if (!data || proto_body_check(data, len, NULL, NULL) != PROTO_OK) return -1;
    return msgpack_unpack_next(u, data, len, NULL) == MSGPACK_UNPACK_SUCCESS ? 0 : -1;
}

int mblob_mentee(server *s, const char *data, size_t len, proto_mentee *out) {
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = -1;
    proto_error e;
    if (mblob_unpack(data, len, &u) == 0 &&
        proto_mentee_decode(&u.data, "profile", &s->catalog.vocab, out, &e) == PROTO_OK)
        rc = 0;
    msgpack_unpacked_destroy(&u);
    return rc;
}

int mblob_coach(server *s, const char *data, size_t len, proto_coach *out) {
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = -1;
    proto_error e;
    if (mblob_unpack(data, len, &u) == 0 &&
        proto_coach_decode(&u.data, "profile", &s->catalog.vocab, out, &e) == PROTO_OK)
        rc = 0;
    msgpack_unpacked_destroy(&u);
    return rc;
}

void madapt_mentee_init(madapt_mentee *a, const proto_mentee *p) {
    memset(a, 0, sizeof *a);
    for (size_t i = 0; i < p->n_competencies; i++) {
        a->needs[i].code = p->competencies[i].code;
        a->needs[i].current = p->competencies[i].current;
        a->needs[i].required = p->competencies[i].required;
    }
    for (size_t i = 0; i < p->n_languages; i++) a->langs[i] = p->languages[i];
    a->m.id = p->id;
    a->m.agency = p->agency;
    a->m.position_class = p->position_class;
    a->m.province = p->province;
    a->m.program = p->program;
    a->m.competencies = a->needs;
    a->m.n_competencies = p->n_competencies;
    a->m.modality = p->modality;
    a->m.languages = a->langs;
    a->m.n_languages = p->n_languages;
    a->m.availability = p->availability;
}

/* libmatcher takes an organization as a token (1..MATCH_CODE_MAX
 * printable, no spaces or commas) and only compares it with mentees'
 * agency codes (same_agency).  An organization written as text ("PT Bank
 * Rakyat Indonesia (Persero) Tbk") can never equal an agency code, so it
 * is handed over as a surrogate token "~<hash>" that cannot either.
 * Returns org itself or buf (MADAPT_ORG_BUF bytes). */
static const char *madapt_org(const char *org, char *buf) {
    size_t n = strlen(org);
    int token = n > 0 && n <= MATCH_CODE_MAX;
    for (const char *q = org; token && *q; q++)
        if (*q <= ' ' || *q == ',' || (unsigned char)*q >= 0x7f) token = 0;
    if (token) return org;
    uint64_t h = 1469598103934665603ull; /* FNV-1a: stable across processes */
    for (const char *q = org; *q; q++) h = (h ^ (unsigned char)*q) * 1099511628211ull;
    snprintf(buf, MADAPT_ORG_BUF, "~%016llx", (unsigned long long)h);
    return buf;
}

void madapt_coach_init(madapt_coach *a, const proto_coach *p, int load) {
    memset(a, 0, sizeof *a);
    for (size_t i = 0; i < p->n_competencies; i++) {
        a->skills[i].code = p->competencies[i].code;
        a->skills[i].level = p->competencies[i].level;
    }
    for (size_t i = 0; i < p->n_languages; i++) a->langs[i] = p->languages[i];
    for (size_t i = 0; i < p->n_programs; i++) a->programs[i] = p->programs[i];
    a->c.id = p->id;
    a->c.kind = (unsigned)p->kind < PROTO_COACH_KIND__COUNT ? proto_coach_kind_names[p->kind] : "";
    a->c.organization = madapt_org(p->organization, a->org);
    a->c.rank = p->rank;
    a->c.province = p->province;
    a->c.competencies = a->skills;
    a->c.n_competencies = p->n_competencies;
    a->c.capacity = p->capacity;
    a->c.load = load < 0 ? 0 : load > p->capacity ? p->capacity : load;
    a->c.programs = a->programs;
    a->c.n_programs = p->n_programs;
    a->c.modality = p->modality;
    a->c.languages = a->langs;
    a->c.n_languages = p->n_languages;
    a->c.availability = p->availability;
}

int madapt_policy_init(madapt_policy *a, const proto_policy *pp, const match_catalog *cat, char *field, size_t fsz,
                       char *msg, size_t msz) {
    match_policy *mp = &a->p;
    match_policy_default(mp);
    mp->objective = pp->objective == PROTO_OBJ_QUALITY ? MATCH_OBJ_QUALITY : MATCH_OBJ_PARTICIPATION;
    mp->mode = pp->mode == PROTO_MODE_STABLE ? MATCH_MODE_STABLE : MATCH_MODE_OPTIMAL;
    mp->min_score = pp->min_score;
    mp->forbid_same_agency = pp->forbid_same_agency;
    if (pp->min_rank_gap < -MATCH_MIN_RANK_GAP_MAX || pp->min_rank_gap > MATCH_MIN_RANK_GAP_MAX) {
        snprintf(field, fsz, "policy.min_rank_gap");
        snprintf(msg, msz, "must be -%d..%d", MATCH_MIN_RANK_GAP_MAX, MATCH_MIN_RANK_GAP_MAX);
        return -1;
    }
    mp->min_rank_gap = pp->min_rank_gap;
    mp->waitlist_bonus = pp->waitlist_bonus;
    const double w[3] = { pp->w_gap, pp->w_location, pp->w_availability };
    const char *names[3] = { "gap", "location", "availability" };
    uint32_t *out[3] = { &mp->w_gap, &mp->w_location, &mp->w_availability };
    /* The three factor weights are normalised by their sum, so any common
     * scale gives the same scores: the protocol allows 0..100 (75/15/10),
     * libmatcher thousandths up to 10.0.  Take the largest of 1000, 100, 10,
     * 1 units per 1.0 that fits, which keeps decimal weights exact. */
    double wmax = w[0] > w[1] ? w[0] : w[1];
    if (w[2] > wmax) wmax = w[2];
    double unit = MATCH_WEIGHT_ONE;
    while (unit > 1 && wmax * unit > MATCH_WEIGHT_MAX) unit /= 10;
    for (int i = 0; i < 3; i++) {
        double t = w[i] * unit;
        if (!(t >= 0) || t > MATCH_WEIGHT_MAX) {
            snprintf(field, fsz, "policy.weights.%s", names[i]);
            snprintf(msg, msz, "must be 0..%g", (double)MATCH_WEIGHT_MAX / MATCH_WEIGHT_ONE);
            return -1;
        }
        *out[i] = (uint32_t)lround(t);
    }
    for (size_t i = 0; i < pp->n_comp_weights; i++) {
        double t = pp->comp_weights[i].weight * MATCH_WEIGHT_ONE;
        if (!(t >= 0) || t > MATCH_COMP_WEIGHT_MAX) {
            snprintf(field, fsz, "policy.competency_weights.%s", pp->comp_weights[i].code);
            snprintf(msg, msz, "must be 0..%g", (double)MATCH_COMP_WEIGHT_MAX / MATCH_WEIGHT_ONE);
            return -1;
        }
        a->cw[i].code = pp->comp_weights[i].code;
        a->cw[i].weight = (uint32_t)lround(t);
    }
    mp->comp_weights = a->cw;
    mp->n_comp_weights = pp->n_comp_weights;
    match_err me;
    memset(&me, 0, sizeof me);
    if (match_policy_check(cat, mp, &me) != MATCH_OK) {
        snprintf(field, fsz, "policy%s%s", me.field[0] ? "." : "", me.field);
        snprintf(msg, msz, "%s", me.msg);
        return -1;
    }
    return 0;
}

void madapt_run_stats(proto_run_stats *ps, const match_stats *st, uint32_t mentees, uint32_t coaches,
                      int64_t elapsed_ms) {
    memset(ps, 0, sizeof *ps);
    ps->mentees = mentees;
    ps->coaches = coaches;
    if (st) {
        ps->mentees = st->mentees;
        ps->coaches = st->coaches;
        ps->matched = st->matched;
        for (int i = 0; i < PROTO_UNMATCHED__COUNT; i++) ps->unmatched[i] = st->unmatched[i];
        ps->total_score = st->total_score;
        ps->mean_score = st->mean_score;
        ps->mean_gap_coverage = st->mean_gap_coverage;
        ps->certified = st->certified != 0;
        ps->warm = st->warm != 0;
        ps->warm_mentees = st->warm_mentees;
        ps->coach_classes = st->coach_classes;
    }
    ps->elapsed_ms = elapsed_ms;
}
