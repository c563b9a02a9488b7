/* catalog.c — the catalogues of data/: competencies, position classes,
 * provinces (design.md §4).
 *
 * The files are tab-separated with '#' comment lines; their columns are
 * described in the comment at the top of each file.  They are read once at
 * start-up, validated line by line, and any problem is reported as
 * "<path>:<line>: <what>" so that a broken deployment names its bad line.
 * Nothing of the files' content is hard-coded here: codes, ranks, required
 * levels and regions all come from the files. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/internal.h"

#define CAT_MAX_FIELDS 16
#define CAT_MAX_ROWS   4096

/* Coach kinds and modalities are fixed by design.md §4, not by data/. */
static const char *const coach_kinds[] = {
    "pkn1_alumni", "pkn2_alumni", "corporate_leader", "widyaiswara", "senior_official",
};
static const char *const modalities[] = { "online", "offline" };

/* ---- vocabularies ------------------------------------------------------- */

static void vocab_free(mt_vocab *v) {
    for (size_t i = 0; i < v->n; i++) free(v->codes[i]);
    free(v->codes);
    mt_map_free(&v->index);
}

/* Append code; returns its position, or -1 (ENOMEM), -2 (duplicate). */
static long vocab_add(mt_vocab *v, const char *code) {
    if (mt_map_get(&v->index, code) != MT_NONE) return -2;
    char **codes = realloc(v->codes, (v->n + 1) * sizeof(*codes));
    if (!codes) return -1;
    v->codes = codes;
    if (!(codes[v->n] = strdup(code))) return -1;
    if (mt_map_put(&v->index, code, (uint32_t)v->n) != MATCH_OK) {
        free(codes[v->n]);
        return -1;
    }
    return (long)v->n++;
}

void match_catalog_free(match_catalog *cat) {
    if (!cat) return;
    for (int i = 0; i < MATCH_VOCAB__COUNT; i++) vocab_free(&cat->vocab[i]);
    free(cat->class_rank);
    free(cat->class_required);
    free(cat->prov_region);
    free(cat->prov_weight);
    free(cat->comp_technical);
    free(cat);
}

/* ---- line reader ------------------------------------------------------ */

typedef struct cat_file {
    FILE *f;
    char path[512];
    long line;
    char *buf;
    size_t bufcap;
    char *field[CAT_MAX_FIELDS];
    int nfield;
} cat_file;

static int cat_open(cat_file *cf, const char *dir, const char *name, match_err *err) {
    memset(cf, 0, sizeof(*cf));
    snprintf(cf->path, sizeof(cf->path), "%s/%s", dir, name);
    cf->f = fopen(cf->path, "r");
    if (!cf->f) {
        mt_err(err, "", "cannot open %s: %s", cf->path, strerror(errno));
        return MATCH_EIO;
    }
    return MATCH_OK;
}

static void cat_close(cat_file *cf) {
    if (cf->f) fclose(cf->f);
    free(cf->buf);
}

/* Next data line split on tabs: 1 = got one, 0 = end of file, <0 = error. */
static int cat_next(cat_file *cf, match_err *err) {
    for (;;) {
        errno = 0;
        ssize_t n = getline(&cf->buf, &cf->bufcap, cf->f);
        if (n < 0) {
            if (ferror(cf->f)) {
                mt_err(err, "", "%s: read error: %s", cf->path, strerror(errno ? errno : EIO));
                return MATCH_EIO;
            }
            return 0;
        }
        cf->line++;
        while (n > 0 && (cf->buf[n - 1] == '\n' || cf->buf[n - 1] == '\r')) cf->buf[--n] = '\0';
        if (n == 0 || cf->buf[0] == '#') continue;
        if (strlen(cf->buf) != (size_t)n) {
            mt_err(err, "", "%s:%ld: NUL byte in line", cf->path, cf->line);
            return MATCH_ERR;
        }
        cf->nfield = 0;
        char *p = cf->buf;
        for (;;) {
            if (cf->nfield == CAT_MAX_FIELDS) {
                mt_err(err, "", "%s:%ld: more than %d fields", cf->path, cf->line, CAT_MAX_FIELDS);
                return MATCH_ERR;
            }
            cf->field[cf->nfield++] = p;
            char *tab = strchr(p, '\t');
            if (!tab) break;
            *tab = '\0';
            p = tab + 1;
        }
        return 1;
    }
}

static int cat_bad(cat_file *cf, match_err *err, const char *what) {
    mt_err(err, "", "%s:%ld: %s", cf->path, cf->line, what);
    return MATCH_ERR;
}

/* A code: 1..MATCH_CODE_MAX printable non-space ASCII bytes. */
static int code_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > MATCH_CODE_MAX) return 0;
    for (; *s; s++)
        if (!isgraph((unsigned char)*s)) return 0;
    return 1;
}

/* Integer field in [lo, hi]; blank allowed when blank_ok (gives 0). */
static int int_field(const char *s, long lo, long hi, int blank_ok, long *out) {
    if (*s == '\0' && blank_ok) {
        *out = 0;
        return 1;
    }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

static int grow_u8(uint8_t **a, size_t n) {
    uint8_t *p = realloc(*a, n);
    if (!p) return 0;
    *a = p;
    return 1;
}

/* ---- the three files --------------------------------------------------- */

static int load_competencies(match_catalog *cat, const char *dir, match_err *err) {
    cat_file cf;
    int rc = cat_open(&cf, dir, "competencies.tsv", err), r;
    if (rc != MATCH_OK) return rc;
    mt_vocab *v = &cat->vocab[MATCH_VOCAB_COMPETENCY];
    while ((r = cat_next(&cf, err)) == 1) {
        const char *code = cf.field[0], *kind;
        if (cf.nfield < 4) {
            rc = cat_bad(&cf, err, "expected code, kind, name_id, name_en");
            break;
        }
        kind = cf.field[1];
        if (!code_ok(code)) {
            rc = cat_bad(&cf, err, "bad competency code");
            break;
        }
        int technical = strcmp(kind, "technical") == 0;
        if (!technical && strcmp(kind, "managerial") != 0 && strcmp(kind, "sociocultural") != 0) {
            rc = cat_bad(&cf, err, "kind must be managerial, sociocultural or technical");
            break;
        }
        if (technical != (strncmp(code, "T.", 2) == 0)) {
            rc = cat_bad(&cf, err, "technical codes, and only they, start with \"T.\"");
            break;
        }
        if (technical && !match_competency_valid(NULL, code)) {
            rc = cat_bad(&cf, err, "technical code must be T.<sector> of [a-z0-9_-]");
            break;
        }
        if (v->n >= CAT_MAX_ROWS) {
            rc = cat_bad(&cf, err, "too many rows");
            break;
        }
        long pos = vocab_add(v, code);
        if (pos == -2) {
            rc = cat_bad(&cf, err, "duplicate competency code");
            break;
        }
        if (pos < 0 || !grow_u8(&cat->comp_technical, v->n)) {
            rc = MATCH_ENOMEM;
            break;
        }
        cat->comp_technical[pos] = (uint8_t)technical;
    }
    if (r < 0) rc = r;
    if (rc == MATCH_OK && v->n == 0) {
        mt_err(err, "", "%s: no competencies", cf.path);
        rc = MATCH_ERR;
    }
    cat_close(&cf);
    return rc;
}

static int load_classes(match_catalog *cat, const char *dir, match_err *err) {
    cat_file cf;
    int rc = cat_open(&cf, dir, "position_classes.tsv", err), r;
    if (rc != MATCH_OK) return rc;
    mt_vocab *v = &cat->vocab[MATCH_VOCAB_POSITION_CLASS];
    while ((r = cat_next(&cf, err)) == 1) {
        long rank, req;
        if (cf.nfield < 4) {
            rc = cat_bad(&cf, err, "expected code, name, rank, required_managerial_level");
            break;
        }
        if (!code_ok(cf.field[0])) {
            rc = cat_bad(&cf, err, "bad position class code");
            break;
        }
        if (!int_field(cf.field[2], MATCH_RANK_MIN, MATCH_RANK_MAX, 0, &rank)) {
            rc = cat_bad(&cf, err, "rank must be 1..6");
            break;
        }
        if (!int_field(cf.field[3], 1, MATCH_LEVEL_MAX, 0, &req)) {
            rc = cat_bad(&cf, err, "required_managerial_level must be 1..5");
            break;
        }
        if (v->n >= CAT_MAX_ROWS) {
            rc = cat_bad(&cf, err, "too many rows");
            break;
        }
        long pos = vocab_add(v, cf.field[0]);
        if (pos == -2) {
            rc = cat_bad(&cf, err, "duplicate position class");
            break;
        }
        if (pos < 0 || !grow_u8(&cat->class_rank, v->n) || !grow_u8(&cat->class_required, v->n)) {
            rc = MATCH_ENOMEM;
            break;
        }
        cat->class_rank[pos] = (uint8_t)rank;
        cat->class_required[pos] = (uint8_t)req;
    }
    if (r < 0) rc = r;
    if (rc == MATCH_OK && v->n == 0) {
        mt_err(err, "", "%s: no position classes", cf.path);
        rc = MATCH_ERR;
    }
    cat_close(&cf);
    return rc;
}

static int load_provinces(match_catalog *cat, const char *dir, match_err *err) {
    cat_file cf;
    int rc = cat_open(&cf, dir, "provinces.tsv", err), r;
    if (rc != MATCH_OK) return rc;
    mt_vocab *v = &cat->vocab[MATCH_VOCAB_PROVINCE];
    mt_vocab *reg = &cat->vocab[MATCH_VOCAB_REGION];
    while ((r = cat_next(&cf, err)) == 1) {
        long pns;
        if (cf.nfield < 3) {
            rc = cat_bad(&cf, err, "expected code, name, region[, pns]");
            break;
        }
        if (!code_ok(cf.field[0])) {
            rc = cat_bad(&cf, err, "bad province code");
            break;
        }
        if (!code_ok(cf.field[2])) {
            rc = cat_bad(&cf, err, "bad region");
            break;
        }
        if (!int_field(cf.nfield > 3 ? cf.field[3] : "", 0, 100000000, 1, &pns)) {
            rc = cat_bad(&cf, err, "pns must be blank or 0..100000000");
            break;
        }
        /* uint8 indices in the compact profiles */
        if (v->n >= 255) {
            rc = cat_bad(&cf, err, "too many provinces (max 255)");
            break;
        }
        long pos = vocab_add(v, cf.field[0]);
        if (pos == -2) {
            rc = cat_bad(&cf, err, "duplicate province code");
            break;
        }
        if (pos < 0) {
            rc = MATCH_ENOMEM;
            break;
        }
        long ri = (long)mt_map_get(&reg->index, cf.field[2]);
        if (ri == (long)MT_NONE && (ri = vocab_add(reg, cf.field[2])) < 0) {
            rc = MATCH_ENOMEM;
            break;
        }
        uint32_t *w = realloc(cat->prov_weight, v->n * sizeof(*w));
        if (!w) {
            rc = MATCH_ENOMEM;
            break;
        }
        cat->prov_weight = w;
        if (!grow_u8(&cat->prov_region, v->n)) {
            rc = MATCH_ENOMEM;
            break;
        }
        cat->prov_region[pos] = (uint8_t)ri;
        cat->prov_weight[pos] = (uint32_t)pns;
    }
    if (r < 0) rc = r;
    if (rc == MATCH_OK && v->n == 0) {
        mt_err(err, "", "%s: no provinces", cf.path);
        rc = MATCH_ERR;
    }
    cat_close(&cf);
    return rc;
}

static int add_fixed(mt_vocab *v, const char *const *codes, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (vocab_add(v, codes[i]) < 0) return MATCH_ENOMEM;
    return MATCH_OK;
}

int match_catalog_load(const char *data_dir, match_catalog **out, match_err *err) {
    *out = NULL;
    match_catalog *cat = calloc(1, sizeof(*cat));
    if (!cat) return MATCH_ENOMEM;
    int rc = load_competencies(cat, data_dir, err);
    if (rc == MATCH_OK) rc = load_classes(cat, data_dir, err);
    if (rc == MATCH_OK) rc = load_provinces(cat, data_dir, err);
    if (rc == MATCH_OK)
        rc = add_fixed(&cat->vocab[MATCH_VOCAB_COACH_KIND], coach_kinds, sizeof(coach_kinds) / sizeof(coach_kinds[0]));
    if (rc == MATCH_OK)
        rc = add_fixed(&cat->vocab[MATCH_VOCAB_MODALITY], modalities, sizeof(modalities) / sizeof(modalities[0]));
    if (rc != MATCH_OK) {
        if (rc == MATCH_ENOMEM) mt_err(err, "", "out of memory loading catalogues");
        match_catalog_free(cat);
        return rc;
    }
    *out = cat;
    return MATCH_OK;
}

/* ---- lookups ------------------------------------------------------------ */

size_t match_catalog_count(const match_catalog *cat, match_vocab v) {
    return (unsigned)v < MATCH_VOCAB__COUNT ? cat->vocab[v].n : 0;
}

const char *match_catalog_code(const match_catalog *cat, match_vocab v, size_t i) {
    if ((unsigned)v >= MATCH_VOCAB__COUNT || i >= cat->vocab[v].n) return NULL;
    return cat->vocab[v].codes[i];
}

int match_catalog_find(const match_catalog *cat, match_vocab v, const char *code) {
    if ((unsigned)v >= MATCH_VOCAB__COUNT || !code) return -1;
    uint32_t i = mt_map_get(&cat->vocab[v].index, code);
    return i == MT_NONE ? -1 : (int)i;
}

int match_competency_valid(const match_catalog *cat, const char *code) {
    if (!code) return 0;
    if (cat && match_catalog_find(cat, MATCH_VOCAB_COMPETENCY, code) >= 0) return 1;
    size_t n = strlen(code);
    if (n < 3 || n > MATCH_CODE_MAX || code[0] != 'T' || code[1] != '.') return 0;
    for (const char *p = code + 2; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '-')) return 0;
    return 1;
}

int match_position_rank(const match_catalog *cat, const char *position_class) {
    int i = match_catalog_find(cat, MATCH_VOCAB_POSITION_CLASS, position_class);
    return i < 0 ? -1 : cat->class_rank[i];
}

int match_position_required(const match_catalog *cat, const char *position_class) {
    int i = match_catalog_find(cat, MATCH_VOCAB_POSITION_CLASS, position_class);
    return i < 0 ? -1 : cat->class_required[i];
}

const char *match_province_region(const match_catalog *cat, const char *province) {
    int i = match_catalog_find(cat, MATCH_VOCAB_PROVINCE, province);
    return i < 0 ? NULL : cat->vocab[MATCH_VOCAB_REGION].codes[cat->prov_region[i]];
}

uint32_t match_province_headcount(const match_catalog *cat, const char *province) {
    int i = match_catalog_find(cat, MATCH_VOCAB_PROVINCE, province);
    return i < 0 ? 0 : cat->prov_weight[i];
}

unsigned match_modality_bit(const char *name) {
    if (!name) return 0;
    if (strcmp(name, "online") == 0) return MATCH_MOD_ONLINE;
    if (strcmp(name, "offline") == 0) return MATCH_MOD_OFFLINE;
    return 0;
}
