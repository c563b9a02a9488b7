/* bench_matcher_instance.c — reader of the bench/matcher instance format (README.md).
 *
 * Everything read lives in one arena owned by the instance, so the profile
 * structs can point into it and instance_free() is one loop. */
#include "bench/matcher/bench_matcher_instance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INST_BLK        (4u << 20)
#define INST_MAX_FIELDS 16

struct inst_blk {
    struct inst_blk *next;
    size_t used, cap;
    char data[];
};

static void *inst_alloc(instance *in, size_t n) {
    n = (n + 15) & ~(size_t)15;
    struct inst_blk *b = in->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > INST_BLK ? n : INST_BLK;
        if (!(b = malloc(sizeof(*b) + cap))) return NULL;
        b->next = in->arena;
        b->used = 0;
        b->cap = cap;
        in->arena = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static char *inst_str(instance *in, const char *s) {
    size_t n = strlen(s) + 1;
    char *p = inst_alloc(in, n);
    if (p) memcpy(p, s, n);
    return p;
}

void instance_free(instance *in) {
    struct inst_blk *b = in->arena;
    while (b) {
        struct inst_blk *n = b->next;
        free(b);
        b = n;
    }
    free(in->mentees);
    free(in->waitlist);
    free(in->coaches);
    free(in->pinned);
    free(in->forbidden);
    memset(in, 0, sizeof(*in));
}

typedef struct rd {
    instance *in;
    const char *path;
    long line;
    char *err;
    size_t errlen;
    size_t cap_m, cap_w, cap_c, cap_p, cap_f;
} rd;

static int bad(rd *r, const char *what) {
    snprintf(r->err, r->errlen, "%s:%ld: %s", r->path, r->line, what);
    return -1;
}

static int grow(void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 1024;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, nc * size);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

static int parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* Split a comma list into arena strings; "-" is empty. */
static const char **split_list(rd *r, const char *s, size_t *n) {
    *n = 0;
    if (strcmp(s, "-") == 0) return NULL;
    size_t k = 1;
    for (const char *p = s; *p; p++) k += *p == ',';
    const char **v = inst_alloc(r->in, k * sizeof(*v));
    char *copy = inst_str(r->in, s);
    if (!v || !copy) return NULL;
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) v[(*n)++] = tok;
    return v;
}

static unsigned parse_modality(const char *s) {
    unsigned m = 0;
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) m |= match_modality_bit(tok);
    return m;
}

static int read_mentee(rd *r, char **f, int nf) {
    instance *in = r->in;
    long av, wl;
    if (nf != 11) return bad(r, "mentee: expected 10 fields");
    if (grow((void **)&in->mentees, &r->cap_m, in->n_mentees + 1, sizeof(*in->mentees)) ||
        grow((void **)&in->waitlist, &r->cap_w, in->n_mentees + 1, sizeof(*in->waitlist)))
        return bad(r, "out of memory");
    match_mentee *m = &in->mentees[in->n_mentees];
    memset(m, 0, sizeof(*m));
    m->id = inst_str(in, f[1]);
    m->agency = inst_str(in, f[2]);
    m->position_class = inst_str(in, f[3]);
    m->province = inst_str(in, f[4]);
    m->program = inst_str(in, f[5]);
    size_t nc;
    const char **items = split_list(r, f[6], &nc);
    match_need *needs = inst_alloc(in, (nc + 1) * sizeof(*needs));
    if (!needs) return bad(r, "out of memory");
    for (size_t i = 0; i < nc; i++) {
        char code[64];
        int cur, req;
        if (sscanf(items[i], "%63[^:]:%d:%d", code, &cur, &req) != 3)
            return bad(r, "mentee competency: expected code:current:required");
        needs[i] = (match_need){ inst_str(in, code), cur, req };
    }
    m->competencies = needs;
    m->n_competencies = nc;
    m->modality = parse_modality(f[7]);
    m->languages = split_list(r, f[8], &m->n_languages);
    if (parse_long(f[9], 0, MATCH_AVAIL_ALL, &av) || parse_long(f[10], 0, 1000000, &wl))
        return bad(r, "mentee: bad availability or waitlist");
    m->availability = (uint32_t)av;
    in->waitlist[in->n_mentees++] = (uint32_t)wl;
    return 0;
}

static int read_coach(rd *r, char **f, int nf) {
    instance *in = r->in;
    long rank, cap, load, av;
    if (nf != 13) return bad(r, "coach: expected 12 fields");
    if (grow((void **)&in->coaches, &r->cap_c, in->n_coaches + 1, sizeof(*in->coaches))) return bad(r, "out of memory");
    match_coach *c = &in->coaches[in->n_coaches];
    memset(c, 0, sizeof(*c));
    c->id = inst_str(in, f[1]);
    c->kind = inst_str(in, f[2]);
    c->organization = inst_str(in, f[3]);
    if (parse_long(f[4], 0, 100, &rank) || parse_long(f[7], 0, 1000, &cap) || parse_long(f[8], 0, 1000, &load) ||
        parse_long(f[12], 0, MATCH_AVAIL_ALL, &av))
        return bad(r, "coach: bad rank, capacity, load or availability");
    c->rank = (int)rank;
    c->province = inst_str(in, f[5]);
    size_t nc;
    const char **items = split_list(r, f[6], &nc);
    match_skill *skills = inst_alloc(in, (nc + 1) * sizeof(*skills));
    if (!skills) return bad(r, "out of memory");
    for (size_t i = 0; i < nc; i++) {
        char code[64];
        int lv;
        if (sscanf(items[i], "%63[^:]:%d", code, &lv) != 2) return bad(r, "coach competency: expected code:level");
        skills[i] = (match_skill){ inst_str(in, code), lv };
    }
    c->competencies = skills;
    c->n_competencies = nc;
    c->capacity = (int)cap;
    c->load = (int)load;
    c->programs = split_list(r, f[9], &c->n_programs);
    c->modality = parse_modality(f[10]);
    c->languages = split_list(r, f[11], &c->n_languages);
    c->availability = (uint32_t)av;
    in->n_coaches++;
    return 0;
}

static int read_pair(rd *r, char **f, int nf, int pin) {
    instance *in = r->in;
    if (nf != 3) return bad(r, "pin/forbid: expected mentee_id coach_id");
    match_pair_ref **v = pin ? &in->pinned : &in->forbidden;
    size_t *n = pin ? &in->n_pinned : &in->n_forbidden;
    if (grow((void **)v, pin ? &r->cap_p : &r->cap_f, *n + 1, sizeof(**v))) return bad(r, "out of memory");
    (*v)[(*n)++] = (match_pair_ref){ inst_str(in, f[1]), inst_str(in, f[2]) };
    return 0;
}

static int read_policy(rd *r, char **f, int nf) {
    match_policy *p = &r->in->policy;
    long v;
    if (nf != 3) return bad(r, "policy: expected key value");
    const char *k = f[1], *s = f[2];
    if (!strcmp(k, "objective")) {
        if (match_objective_parse(s, &p->objective)) return bad(r, "policy objective");
    } else if (!strcmp(k, "mode")) {
        if (match_mode_parse(s, &p->mode)) return bad(r, "policy mode");
    } else if (!strcmp(k, "comp_weight")) {
        char code[64];
        unsigned w;
        if (sscanf(s, "%63[^:]:%u", code, &w) != 2 || p->n_comp_weights >= MATCH_MAX_POLICY_WEIGHTS)
            return bad(r, "policy comp_weight: code:thousandths");
        r->in->comp_weights[p->n_comp_weights++] = (match_comp_weight){ inst_str(r->in, code), w };
        p->comp_weights = r->in->comp_weights;
    } else if (parse_long(s, 0, 1000000, &v)) {
        return bad(r, "policy: bad number");
    } else if (!strcmp(k, "min_score"))
        p->min_score = (int)v;
    else if (!strcmp(k, "forbid_same_agency"))
        p->forbid_same_agency = (int)v;
    else if (!strcmp(k, "min_rank_gap"))
        p->min_rank_gap = (int)v;
    else if (!strcmp(k, "waitlist_bonus"))
        p->waitlist_bonus = (int)v;
    else if (!strcmp(k, "w_gap"))
        p->w_gap = (uint32_t)v;
    else if (!strcmp(k, "w_location"))
        p->w_location = (uint32_t)v;
    else if (!strcmp(k, "w_availability"))
        p->w_availability = (uint32_t)v;
    else
        return bad(r, "policy: unknown key");
    return 0;
}

int instance_read(const char *path, instance *in, char *err, size_t errlen) {
    memset(in, 0, sizeof(*in));
    match_policy_default(&in->policy);
    rd r = { .in = in, .path = path, .err = err, .errlen = errlen };
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&buf, &cap, fp)) >= 0) {
        r.line++;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
        if (r.line == 1 && strncmp(buf, "# coachnet-instance 1", 21) != 0) {
            rc = bad(&r, "not a coachnet instance (first line)");
            break;
        }
        if (n == 0 || buf[0] == '#') continue;
        char *f[INST_MAX_FIELDS];
        int nf = 0;
        for (char *p = buf; nf < INST_MAX_FIELDS;) {
            f[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab) break;
            *tab = '\0';
            p = tab + 1;
        }
        if (!strcmp(f[0], "mentee"))
            rc = read_mentee(&r, f, nf);
        else if (!strcmp(f[0], "coach"))
            rc = read_coach(&r, f, nf);
        else if (!strcmp(f[0], "pin"))
            rc = read_pair(&r, f, nf, 1);
        else if (!strcmp(f[0], "forbid"))
            rc = read_pair(&r, f, nf, 0);
        else if (!strcmp(f[0], "policy"))
            rc = read_policy(&r, f, nf);
        else
            rc = bad(&r, "unknown record");
    }
    if (rc == 0 && r.line == 0) rc = bad(&r, "empty file");
    free(buf);
    fclose(fp);
    if (rc) instance_free(in);
    return rc;
}
