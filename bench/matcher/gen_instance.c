/* gen_instance — realistic synthetic matching instances for bench/matcher.
 *
 *   gen_instance --mentees N --coaches M [--seed S] [--data DIR]
 *                [--program P] [--shape NAME] [--hubs FRACTION]
 *                [--seats RATIO] [--capacity K] [--policy KEY=VALUE]... -o FILE
 *
 * Writes the instance format of bench/matcher/README.md.  Everything is
 * drawn from the catalogues of data/ through libmatcher (never hard-coded):
 * provinces weighted by their PNS headcount (provinces without a figure get
 * the median of the known ones), position classes with their rank and
 * required managerial level, the competency codes.  The distributions follow
 * scripts/gen-data: mentees are early- and mid-career (ranks 1-4) with
 * current levels around the required level (gaps 0-3, mostly 0-1) plus one
 * technical competency of their agency's sector; central and regional
 * agencies; coaches are PKN I/II alumni, corporate leaders, widyaiswara and
 * senior officials of ranks above their mentees, levels at or above the
 * required ones, capacities 1-5; regional languages, modalities and
 * availability masks.  The same seed gives the same file.  The coaches are
 * those of the earlier scripts/gen-data (most competencies at a level near
 * the coach's rank), not its uneven ones: the benchmark's figures were
 * measured on these (bench/matcher/README.md).  That is shape `broad`, the
 * default, and its output for a seed does not change; --shape hub, ties,
 * tight and scarce keep the same mentees and draw the coaches and seats that
 * make a candidate-list + pricing engine work hardest (README.md, "Hard
 * shapes"); --policy adds `policy` lines (e.g. min_score=6000). */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/matcher.h"

/* xoshiro256** seeded by splitmix64 */
static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next64(void) {
    uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;
    rs[2] ^= rs[0];
    rs[3] ^= rs[1];
    rs[1] ^= rs[2];
    rs[0] ^= rs[3];
    rs[2] ^= t;
    rs[3] = rotl(rs[3], 45);
    return r;
}

static uint32_t below(uint32_t n) /* 0..n-1 */
{
    return (uint32_t)((next64() >> 11) % n);
}

static double unit(void) { return (double)(next64() >> 11) / 9007199254740992.0; }

static int between(int lo, int hi) { return lo + (int)below((uint32_t)(hi - lo + 1)); }

/* Index drawn with the given weights. */
static size_t pick(const double *w, size_t n) {
    double total = 0, x;
    for (size_t i = 0; i < n; i++) total += w[i];
    x = unit() * total;
    for (size_t i = 0; i < n; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return n - 1;
}

static const char *const CENTRAL[] = { "kemenkeu",  "kemenkes", "kemendagri", "kemendikbud", "kementan",
                                       "kemenpupr", "bappenas", "bkn",        "lan",         "kemenpanrb",
                                       "bnpb",      "klhk",     "kominfo",    "bps",         "kemensos" };
static const char *const CORPORATES[] = { "pt-telkom", "pt-pln", "bank-mandiri", "bri",   "pertamina",
                                          "garuda",    "astra",  "unilever-id",  "gojek", "bca" };
static const char *const LOCAL[] = { "pemprov", "pemkab", "pemkot" };
/* Regional languages where a province has a widely used one. */
static const struct {
    const char *prov, *lang;
} REGIONAL[] = { { "31", "bew" }, { "32", "su" },  { "33", "jv" },  { "34", "jv" },  { "35", "jv" },
                 { "36", "su" },  { "51", "ban" }, { "73", "bug" }, { "11", "ace" }, { "12", "btk" } };
/* Technical sector by agency. */
static const struct {
    const char *agency, *sector;
} SECTOR[] = { { "kemenkeu", "T.keuangan" },  { "kemenkes", "T.kesehatan" }, { "kementan", "T.pertanian" },
               { "bnpb", "T.kebencanaan" },   { "klhk", "T.lingkungan" },    { "kominfo", "T.digital" },
               { "bappenas", "T.kebijakan" }, { "kemenpupr", "T.pengadaan" } };
static const struct {
    const char *kind;
    double weight;
    int rank_lo, rank_hi, boost;
} KINDS[] = { { "pkn1_alumni", 20, 5, 6, 2 },
              { "pkn2_alumni", 35, 4, 5, 1 },
              { "corporate_leader", 20, 4, 6, 1 },
              { "widyaiswara", 15, 3, 5, 1 },
              { "senior_official", 10, 5, 6, 2 } };
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct world {
    const match_catalog *cat;
    size_t n_prov, n_class, n_core, n_tech;
    const char **prov, **klass, **core, **tech;
    double *prov_w, *class_w;
    int *class_rank, *class_req;
} world;

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int world_init(world *w, const match_catalog *cat) {
    memset(w, 0, sizeof(*w));
    w->cat = cat;
    w->n_prov = match_catalog_count(cat, MATCH_VOCAB_PROVINCE);
    w->n_class = match_catalog_count(cat, MATCH_VOCAB_POSITION_CLASS);
    size_t nc = match_catalog_count(cat, MATCH_VOCAB_COMPETENCY);
    w->prov = calloc(w->n_prov, sizeof(char *));
    w->prov_w = calloc(w->n_prov, sizeof(double));
    w->klass = calloc(w->n_class, sizeof(char *));
    w->class_w = calloc(w->n_class, sizeof(double));
    w->class_rank = calloc(w->n_class, sizeof(int));
    w->class_req = calloc(w->n_class, sizeof(int));
    w->core = calloc(nc, sizeof(char *));
    w->tech = calloc(nc, sizeof(char *));
    uint32_t *known = calloc(w->n_prov + 1, sizeof(uint32_t));
    if (!w->prov || !w->prov_w || !w->klass || !w->class_w || !w->class_rank || !w->class_req || !w->core || !w->tech ||
        !known)
        return -1;
    size_t nk = 0;
    for (size_t i = 0; i < w->n_prov; i++) {
        w->prov[i] = match_catalog_code(cat, MATCH_VOCAB_PROVINCE, i);
        uint32_t h = match_province_headcount(cat, w->prov[i]);
        if (h) known[nk++] = h;
        w->prov_w[i] = h;
    }
    qsort(known, nk, sizeof(*known), cmp_u32);
    double median = nk ? known[nk / 2] : 1;
    for (size_t i = 0; i < w->n_prov; i++)
        if (w->prov_w[i] == 0) w->prov_w[i] = median;
    free(known);
    for (size_t i = 0; i < w->n_class; i++) {
        w->klass[i] = match_catalog_code(cat, MATCH_VOCAB_POSITION_CLASS, i);
        w->class_rank[i] = match_position_rank(cat, w->klass[i]);
        w->class_req[i] = match_position_required(cat, w->klass[i]);
        /* Mentees are early- and mid-career: the top two ranks coach. */
        int r = w->class_rank[i];
        w->class_w[i] = r <= 2 ? 5 : r == 3 ? 3 : r == 4 ? 1 : 0;
    }
    for (size_t i = 0; i < nc; i++) {
        const char *code = match_catalog_code(cat, MATCH_VOCAB_COMPETENCY, i);
        if (strncmp(code, "T.", 2) == 0)
            w->tech[w->n_tech++] = code;
        else
            w->core[w->n_core++] = code;
    }
    return w->n_prov && w->n_class && w->n_core && w->n_tech ? 0 : -1;
}

static void world_free(world *w) {
    free(w->prov);
    free(w->prov_w);
    free(w->klass);
    free(w->class_w);
    free(w->class_rank);
    free(w->class_req);
    free(w->core);
    free(w->tech);
}

static const char *regional_lang(const char *prov) {
    for (size_t i = 0; i < NELEM(REGIONAL); i++)
        if (!strcmp(REGIONAL[i].prov, prov)) return REGIONAL[i].lang;
    return NULL;
}

static void put_languages(FILE *f, const char *prov) {
    const char *reg = regional_lang(prov);
    fputs("id", f);
    if (reg && unit() < 0.4) fprintf(f, ",%s", reg);
    if (unit() < 0.3) fputs(",en", f);
}

static void put_modality(FILE *f) {
    double r = unit();
    fputs(r < 0.45 ? "online" : r < 0.6 ? "offline" : "online,offline", f);
}

static uint32_t availability(void) {
    if (unit() < 0.1) return 0;
    uint32_t m = 0;
    for (int i = between(3, 8); i > 0; i--) m |= 1u << below(21);
    return m;
}

static void mentee(FILE *f, const world *w, size_t i, const char *program) {
    size_t p = pick(w->prov_w, w->n_prov), k = pick(w->class_w, w->n_class);
    const char *prov = w->prov[p];
    char agency[64];
    if (unit() < 0.4)
        snprintf(agency, sizeof(agency), "%s", CENTRAL[below(NELEM(CENTRAL))]);
    else
        snprintf(agency, sizeof(agency), "%s-%s", LOCAL[below(3)], prov);
    /* An 18-digit NIP: birth date, appointment year and month, sex, and a
     * sequence.  The index decides the sequence, appointment month, sex,
     * appointment year offset and birth day, so ids are unique up to
     * 4,032,000 mentees; the birth year and month are drawn. */
    int year = between(1968, 1998), month = between(1, 12);
    fprintf(f, "mentee\t%04d%02d%02d%04d%02d%d%03zu\t%s\t%s\t%s\t%s\t", year, month, (int)(i / 144000 % 28) + 1,
            year + 22 + (int)(i / 24000 % 6), (int)(i / 1000 % 12) + 1, (int)(i / 12000 % 2) + 1, i % 1000, agency,
            w->klass[k], prov, program);
    /* core competencies around the required level, then one technical */
    static const double gapw[] = { 50, 32, 14, 4 };
    int req = w->class_req[k];
    for (size_t c = 0; c < w->n_core; c++) {
        int gap = (int)pick(gapw, 4), cur = req - gap < 0 ? 0 : req - gap;
        fprintf(f, "%s%s:%d:%d", c ? "," : "", w->core[c], cur, req);
    }
    const char *sector = NULL;
    for (size_t s = 0; s < NELEM(SECTOR); s++)
        if (!strcmp(SECTOR[s].agency, agency)) sector = SECTOR[s].sector;
    /* the sector must exist in the catalogue's technical codes */
    if (sector && match_catalog_find(w->cat, MATCH_VOCAB_COMPETENCY, sector) < 0) sector = NULL;
    if (!sector) sector = w->tech[below((uint32_t)w->n_tech)];
    int treq = between(2, 4), tcur = treq - between(0, 2);
    fprintf(f, ",%s:%d:%d\t", sector, tcur, treq);
    put_modality(f);
    fputc('\t', f);
    put_languages(f, prov);
    uint32_t wl = unit() < 0.1 ? (uint32_t)between(1, 2) : 0;
    fprintf(f, "\t%u\t%u\n", availability(), wl);
}

static void coach(FILE *f, const world *w, size_t i, const char *program) {
    static const char *const TAG[] = { "PKN1", "PKN2", "CORP", "WI", "SO" };
    double kw[NELEM(KINDS)];
    for (size_t k = 0; k < NELEM(KINDS); k++) kw[k] = KINDS[k].weight;
    size_t k = pick(kw, NELEM(KINDS));
    const char *prov = w->prov[pick(w->prov_w, w->n_prov)];
    int rank = between(KINDS[k].rank_lo, KINDS[k].rank_hi);
    char org[64];
    if (!strcmp(KINDS[k].kind, "corporate_leader"))
        snprintf(org, sizeof(org), "%s", CORPORATES[below(NELEM(CORPORATES))]);
    else if (unit() < 0.6)
        snprintf(org, sizeof(org), "%s", CENTRAL[below(NELEM(CENTRAL))]);
    else
        snprintf(org, sizeof(org), "pemprov-%s", prov);
    fprintf(f, "coach\tC-%s-%06zu\t%s\t%s\t%d\t%s\t", TAG[k], i, KINDS[k].kind, org, rank, prov);
    int first = 1;
    for (size_t c = 0; c < w->n_core; c++) {
        int lv = rank - 1 + between(0, KINDS[k].boost);
        lv = lv < 1 ? 1 : lv > 5 ? 5 : lv;
        if (unit() < 0.85) {
            fprintf(f, "%s%s:%d", first ? "" : ",", w->core[c], lv);
            first = 0;
        }
    }
    /* 1-2 distinct technical sectors */
    size_t t1 = below((uint32_t)w->n_tech), t2 = below((uint32_t)w->n_tech);
    fprintf(f, "%s%s:%d", first ? "" : ",", w->tech[t1], between(3, 5));
    if (t2 != t1 && unit() < 0.5) fprintf(f, ",%s:%d", w->tech[t2], between(3, 5));
    fprintf(f, "\t%d\t0\t%s\t", between(1, 5), unit() < 0.7 ? "-" : program);
    put_modality(f);
    fputc('\t', f);
    put_languages(f, prov);
    fprintf(f, "\t%u\n", availability());
}

/* ---- hard shapes ----------------------------------------------------------
 *
 * The shapes other than `broad` keep broad's mentees and change the coaches
 * and the seats (README.md, "Hard shapes").  A shape's coaches come in two
 * tiers: the first n_hub (hub_frac of the coaches) are hubs, the strongest
 * coaches any mentee can have, and the others are drawn by the shape's
 * coach function.  Capacities are not drawn: the seats (seats x mentees in
 * all, or `capacity` each when set) are spread evenly over the non-hub
 * coaches (each gets floor or ceil of the mean, at least 1 and at most
 * GEN_MAX_CAPACITY), hubs hold one seat each. */

#define GEN_MAX_CAPACITY 50 /* DESIGN §4: capacity 0..50 */

typedef enum gen_shape { SHAPE_BROAD, SHAPE_HUB, SHAPE_TIES, SHAPE_TIGHT, SHAPE_SCARCE } gen_shape;

typedef struct shape_def {
    const char *name;
    double hub_frac; /* share of coaches that are hubs */
    double seats;    /* total capacity / mentees */
    int capacity;    /* every non-hub coach's capacity; 0: from seats */
} shape_def;

static const shape_def SHAPES[] = {
    [SHAPE_BROAD] = { "broad", 0, 0, 0 },       [SHAPE_HUB] = { "hub", 0.015, 1.0, 0 },
    [SHAPE_TIES] = { "ties", 0, 1.0, 0 },       [SHAPE_TIGHT] = { "tight", 0, 1.0, 0 },
    [SHAPE_SCARCE] = { "scarce", 0.015, 0, 1 },
};

typedef struct gen_opts {
    gen_shape shape;
    double hub_frac, seats;
    int capacity;
    long n_hub;   /* coaches 0 .. n_hub-1 are hubs */
    long n_plain; /* the others */
    long seats_plain;
} gen_opts;

/* Capacity of non-hub coach j (0-based among the non-hubs). */
static int plain_capacity(const gen_opts *o, long j) {
    long c = o->capacity;
    if (!c) {
        long long s = o->seats_plain, n = o->n_plain;
        c = (long)(((j + 1) * s) / n - (j * s) / n);
    }
    return c < 1 ? 1 : c > GEN_MAX_CAPACITY ? GEN_MAX_CAPACITY : (int)c;
}

/* Every regional language of the table, once. */
static void put_all_languages(FILE *f) {
    fputs("id,en", f);
    for (size_t i = 0; i < NELEM(REGIONAL); i++) {
        size_t j = 0;
        while (j < i && strcmp(REGIONAL[j].lang, REGIONAL[i].lang)) j++;
        if (j == i) fprintf(f, ",%s", REGIONAL[i].lang);
    }
}

/* A hub: rank 6, level 5 in every competency (technical ones included),
 * both modalities, every language, any time, one seat, every program, a
 * corporate organisation (never a mentee's agency).  It covers every gap of
 * every mentee it may coach, so it scores 8,500-10,000 with anyone, the
 * difference being location only: the hubs tie in blocks. */
static void hub_coach(FILE *f, const world *w, size_t i) {
    const char *prov = w->prov[pick(w->prov_w, w->n_prov)];
    fprintf(f, "coach\tC-HUB-%06zu\tcorporate_leader\t%s\t6\t%s\t", i, CORPORATES[below(NELEM(CORPORATES))], prov);
    for (size_t c = 0; c < w->n_core; c++) fprintf(f, "%s%s:5", c ? "," : "", w->core[c]);
    for (size_t c = 0; c < w->n_tech; c++) fprintf(f, ",%s:5", w->tech[c]);
    fputs("\t1\t0\t-\tonline,offline\t", f);
    put_all_languages(f);
    fputs("\t0\n", f);
}

/* The coaches of scripts/gen-data: uneven, a few strengths each (2-5 core
 * competencies at levels 3-5), 0-2 ordinary ones at levels 1-3, 0-2
 * technical ones at 2-5; every other competency absent. */
static void uneven_coach(FILE *f, const world *w, size_t i, const char *program, int capacity) {
    static const char *const TAG[] = { "PKN1", "PKN2", "CORP", "WI", "SO" };
    static const double NSTR[] = { 50, 30, 15, 5 }, NORD[] = { 55, 35, 10 }, ORDLV[] = { 55, 35, 10 },
                        NTECH[] = { 30, 55, 15 };
    double kw[NELEM(KINDS)];
    for (size_t k = 0; k < NELEM(KINDS); k++) kw[k] = KINDS[k].weight;
    size_t k = pick(kw, NELEM(KINDS));
    const char *prov = w->prov[pick(w->prov_w, w->n_prov)];
    int rank = between(KINDS[k].rank_lo, KINDS[k].rank_hi);
    char org[64];
    if (!strcmp(KINDS[k].kind, "corporate_leader"))
        snprintf(org, sizeof(org), "%s", CORPORATES[below(NELEM(CORPORATES))]);
    else if (unit() < 0.6)
        snprintf(org, sizeof(org), "%s", CENTRAL[below(NELEM(CENTRAL))]);
    else
        snprintf(org, sizeof(org), "pemprov-%s", prov);
    fprintf(f, "coach\tC-%s-%06zu\t%s\t%s\t%d\t%s\t", TAG[k], i, KINDS[k].kind, org, rank, prov);
    /* level per core competency: 0 absent; strengths first, then ordinary */
    int lv[64] = { 0 };
    size_t nc = w->n_core < NELEM(lv) ? w->n_core : NELEM(lv);
    size_t ns = 2 + pick(NSTR, NELEM(NSTR)), no = pick(NORD, NELEM(NORD));
    for (size_t d = 0; d < ns + no && d < nc;) {
        size_t c = below((uint32_t)nc);
        if (lv[c]) continue;
        if (d < ns) {
            int l = rank - 3 + KINDS[k].boost + between(0, 2);
            lv[c] = l < 3 ? 3 : l > 5 ? 5 : l;
        } else
            lv[c] = 1 + (int)pick(ORDLV, NELEM(ORDLV));
        d++;
    }
    int first = 1;
    for (size_t c = 0; c < nc; c++)
        if (lv[c]) {
            fprintf(f, "%s%s:%d", first ? "" : ",", w->core[c], lv[c]);
            first = 0;
        }
    size_t nt = pick(NTECH, NELEM(NTECH)), t1 = below((uint32_t)w->n_tech), t2 = below((uint32_t)w->n_tech);
    if (nt >= 1) fprintf(f, ",%s:%d", w->tech[t1], between(2, 5));
    if (nt >= 2 && t2 != t1) fprintf(f, ",%s:%d", w->tech[t2], between(2, 5));
    fprintf(f, "\t%d\t0\t%s\t", capacity, unit() < 0.7 ? "-" : program);
    put_modality(f);
    fputc('\t', f);
    put_languages(f, prov);
    fprintf(f, "\t%u\n", availability());
}

/* A coach of the ties shape: one of two tiers, every competency (technical
 * ones included) at the tier's level (4 or 5), both modalities, Indonesian,
 * any time, every program, a corporate organisation.  A mentee's score with
 * it then depends on the tier (gaps above 4 left uncovered by tier 4) and on
 * the location only: a handful of distinct scores per mentee. */
static void tie_coach(FILE *f, const world *w, size_t i, int capacity) {
    const char *prov = w->prov[pick(w->prov_w, w->n_prov)];
    int level = unit() < 0.5 ? 4 : 5;
    fprintf(f, "coach\tC-TIE-%06zu\tcorporate_leader\t%s\t%d\t%s\t", i, CORPORATES[below(NELEM(CORPORATES))], level + 1,
            prov);
    for (size_t c = 0; c < w->n_core; c++) fprintf(f, "%s%s:%d", c ? "," : "", w->core[c], level);
    for (size_t c = 0; c < w->n_tech; c++) fprintf(f, ",%s:%d", w->tech[c], level);
    fprintf(f, "\t%d\t0\t-\tonline,offline\tid\t0\n", capacity);
}

static void usage(void) {
    fprintf(stderr, "usage: gen_instance --mentees N --coaches M [--seed S] [--data DIR] [--program P]\n"
                    "                    [--shape broad|hub|ties|tight|scarce] [--hubs FRACTION]\n"
                    "                    [--seats RATIO] [--capacity K] [--policy KEY=VALUE]... -o FILE\n");
}

#define GEN_MAX_POLICIES 16

int main(int argc, char **argv) {
    static const struct option opts[] = { { "mentees", required_argument, NULL, 'm' },
                                          { "coaches", required_argument, NULL, 'c' },
                                          { "seed", required_argument, NULL, 's' },
                                          { "data", required_argument, NULL, 'd' },
                                          { "program", required_argument, NULL, 'p' },
                                          { "out", required_argument, NULL, 'o' },
                                          { "shape", required_argument, NULL, 'S' },
                                          { "hubs", required_argument, NULL, 'H' },
                                          { "seats", required_argument, NULL, 'T' },
                                          { "capacity", required_argument, NULL, 'C' },
                                          { "policy", required_argument, NULL, 'P' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    long nm = 5000, nc = 2000;
    uint64_t seed = 1;
    const char *data = "data", *program = "coaching-2026", *out = NULL;
    const char *shape = "broad", *hubs = NULL, *seats = NULL, *capacity = NULL;
    const char *policy[GEN_MAX_POLICIES];
    int n_policy = 0, ch;
    while ((ch = getopt_long(argc, argv, "m:c:s:d:p:o:S:H:T:C:P:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'm': nm = atol(optarg); break;
        case 'c': nc = atol(optarg); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'd': data = optarg; break;
        case 'p': program = optarg; break;
        case 'o': out = optarg; break;
        case 'S': shape = optarg; break;
        case 'H': hubs = optarg; break;
        case 'T': seats = optarg; break;
        case 'C': capacity = optarg; break;
        case 'P':
            if (n_policy == GEN_MAX_POLICIES || !strchr(optarg, '=')) {
                usage();
                return 2;
            }
            policy[n_policy++] = optarg;
            break;
        default: usage(); return 2;
        }
    }
    gen_opts go = { .shape = SHAPE_BROAD };
    while (go.shape < NELEM(SHAPES) && strcmp(SHAPES[go.shape].name, shape)) go.shape++;
    if (go.shape == NELEM(SHAPES)) {
        fprintf(stderr, "gen_instance: unknown shape %s\n", shape);
        usage();
        return 2;
    }
    go.hub_frac = hubs ? atof(hubs) : SHAPES[go.shape].hub_frac;
    go.seats = seats ? atof(seats) : SHAPES[go.shape].seats;
    go.capacity = capacity ? atoi(capacity) : seats ? 0 : SHAPES[go.shape].capacity;
    if (!out || nm < 0 || nc < 0 || nm > 4032000 || nc > 1000000 || go.hub_frac < 0 || go.hub_frac > 1 ||
        go.seats < 0 || go.capacity < 0 || go.capacity > GEN_MAX_CAPACITY ||
        (go.shape == SHAPE_BROAD && (hubs || seats || capacity)) ||
        (go.shape != SHAPE_BROAD && !go.capacity && !go.seats)) {
        usage();
        return 2;
    }
    go.n_hub = (long)(go.hub_frac * nc + 0.5);
    if (go.hub_frac > 0 && go.n_hub == 0 && nc > 0) go.n_hub = 1;
    go.n_plain = nc - go.n_hub;
    go.seats_plain = (long)(go.seats * nm + 0.5) - go.n_hub;
    match_catalog *cat;
    match_err err;
    if (match_catalog_load(data, &cat, &err) != MATCH_OK) {
        fprintf(stderr, "gen_instance: %s\n", err.msg);
        return 1;
    }
    world w;
    if (world_init(&w, cat) != 0) {
        fprintf(stderr, "gen_instance: catalogues lack provinces, classes or competencies\n");
        return 1;
    }
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) rs[i] = splitmix(&x);
    FILE *f = fopen(out, "w");
    if (!f) {
        perror(out);
        return 1;
    }
    fprintf(f, "# coachnet-instance 1\n# gen_instance --mentees %ld --coaches %ld --seed %llu", nm, nc,
            (unsigned long long)seed);
    if (go.shape != SHAPE_BROAD) {
        fprintf(f, " --shape %s --hubs %g", shape, go.hub_frac);
        if (go.capacity)
            fprintf(f, " --capacity %d", go.capacity);
        else
            fprintf(f, " --seats %g", go.seats);
    }
    for (int i = 0; i < n_policy; i++) fprintf(f, " --policy %s", policy[i]);
    fputc('\n', f);
    for (int i = 0; i < n_policy; i++) {
        const char *eq = strchr(policy[i], '=');
        fprintf(f, "policy\t%.*s\t%s\n", (int)(eq - policy[i]), policy[i], eq + 1);
    }
    for (long i = 0; i < nm; i++) mentee(f, &w, (size_t)i, program);
    for (long i = 0; i < nc; i++) {
        long j = i - go.n_hub;
        switch (go.shape) {
        case SHAPE_BROAD: coach(f, &w, (size_t)i, program); break;
        case SHAPE_TIES:
            if (j < 0)
                hub_coach(f, &w, (size_t)i);
            else
                tie_coach(f, &w, (size_t)i, plain_capacity(&go, j));
            break;
        case SHAPE_HUB:
        case SHAPE_TIGHT:
        case SHAPE_SCARCE:
            if (j < 0)
                hub_coach(f, &w, (size_t)i);
            else
                uneven_coach(f, &w, (size_t)i, program, plain_capacity(&go, j));
            break;
        }
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        perror(out);
        return 1;
    }
    world_free(&w);
    match_catalog_free(cat);
    return 0;
}
