/* proto_helpers.c -- see proto_helpers.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/proto_helpers.h"

static const char *const vocab_files[3] = { "provinces.tsv", "position_classes.tsv", "competencies.tsv" };

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* First TSV column of every non-comment line of path, sorted. */
static int load_column(const char *path, char ***out, size_t *n) {
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return PROTO_ERR;
    }
    while (fgets(line, sizeof(line), f)) {
        size_t len = strcspn(line, "\t\r\n");
        if (line[0] == '#' || len == 0) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(*out, cap * sizeof(*p));
            if (p == NULL) break;
            *out = p;
        }
        (*out)[*n] = strndup(line, len);
        if ((*out)[*n] == NULL) break;
        (*n)++;
    }
    fclose(f);
    qsort(*out, *n, sizeof(**out), cmp_str);
    return PROTO_OK;
}

int test_vocab_load(test_vocab *tv, const char *datadir) {
    char path[1024];
    memset(tv, 0, sizeof(*tv));
    if (datadir == NULL) datadir = getenv("CN_DATA_DIR");
    if (datadir == NULL) datadir = "data";
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", datadir, vocab_files[i]);
        if (load_column(path, &tv->lists[i], &tv->counts[i]) != PROTO_OK) {
            test_vocab_free(tv);
            return PROTO_ERR;
        }
    }
    tv->v.provinces = (const char *const *)tv->lists[0];
    tv->v.n_provinces = tv->counts[0];
    tv->v.position_classes = (const char *const *)tv->lists[1];
    tv->v.n_position_classes = tv->counts[1];
    tv->v.competencies = (const char *const *)tv->lists[2];
    tv->v.n_competencies = tv->counts[2];
    return PROTO_OK;
}

void test_vocab_free(test_vocab *tv) {
    for (int i = 0; i < 3; i++) {
        for (size_t j = 0; j < tv->counts[i]; j++) free(tv->lists[i][j]);
        free(tv->lists[i]);
        tv->lists[i] = NULL;
        tv->counts[i] = 0;
    }
}

static void set_mentee_comp(proto_mentee_comp *c, const char *code, int current, int required) {
    snprintf(c->code, sizeof(c->code), "%s", code);
    c->current = (uint8_t)current;
    c->required = (uint8_t)required;
}

void test_sample_mentee(proto_mentee *m) {
    memset(m, 0, sizeof(*m));
    strcpy(m->id, "198503152010011001");
    strcpy(m->name, "Siti Rahmawati");
    strcpy(m->agency, "kemenkeu");
    strcpy(m->position_class, "administrator");
    strcpy(m->province, "31");
    strcpy(m->program, "coach2026");
    set_mentee_comp(&m->competencies[0], "M.01", 2, 3);
    set_mentee_comp(&m->competencies[1], "M.03", 1, 4);
    set_mentee_comp(&m->competencies[2], "M.08", 2, 3);
    set_mentee_comp(&m->competencies[3], "T.digital", 1, 3);
    m->n_competencies = 4;
    m->modality = PROTO_MOD_ONLINE | PROTO_MOD_OFFLINE;
    strcpy(m->languages[0], "id");
    strcpy(m->languages[1], "en");
    m->n_languages = 2;
    m->availability = 0x1249; /* mornings Mon..Fri */
    strcpy(m->goals, "Memimpin perubahan layanan publik digital.\n"
                     "Lead digital change in public services.");
    strcpy(m->contact.email, "siti.rahmawati@kemenkeu.go.id");
    strcpy(m->contact.phone, "+6281234567890");
    m->contact.language = PROTO_LANGUAGE_EN;
    m->contact.notify_off = (1u << PROTO_NOTIFY_REMINDER) | (1u << PROTO_NOTIFY_DIGEST);
}

void test_sample_coach(proto_coach *c) {
    memset(c, 0, sizeof(*c));
    strcpy(c->id, "coach.budi-01");
    strcpy(c->name, "Budi Santoso");
    c->kind = PROTO_COACH_PKN1_ALUMNI;
    strcpy(c->organization, "Kementerian PPN/Bappenas");
    c->rank = 5;
    strcpy(c->province, "32");
    strcpy(c->competencies[0].code, "M.03");
    c->competencies[0].level = 5;
    strcpy(c->competencies[1].code, "M.07");
    c->competencies[1].level = 4;
    strcpy(c->competencies[2].code, "T.kebijakan");
    c->competencies[2].level = 4;
    c->n_competencies = 3;
    c->capacity = 3;
    strcpy(c->programs[0], "coach2026");
    c->n_programs = 1;
    c->modality = PROTO_MOD_ONLINE;
    strcpy(c->languages[0], "id");
    c->n_languages = 1;
    c->availability = PROTO_AVAIL_ALL;
    strcpy(c->bio, "Deputi, 25 tahun di perencanaan pembangunan.");
}

void test_sample_policy(proto_policy *p) {
    proto_policy_default(p);
    p->objective = PROTO_OBJ_QUALITY;
    p->mode = PROTO_MODE_STABLE;
    p->min_score = 2500;
    p->forbid_same_agency = false;
    p->min_rank_gap = 0;
    p->waitlist_bonus = 800;
    p->w_gap = 0.5;
    p->w_location = 0.25;
    p->w_availability = 0.25;
    strcpy(p->comp_weights[0].code, "M.03");
    p->comp_weights[0].weight = 2.5;
    strcpy(p->comp_weights[1].code, "T.digital");
    p->comp_weights[1].weight = 0.5;
    p->n_comp_weights = 2;
}

void test_sample_explain(proto_explain *e) {
    memset(e, 0, sizeof(*e));
    e->score = 8125;
    e->feasible = true;
    e->reason = PROTO_REASON_NONE;
    e->gap_coverage = 0.75;
    e->location = 0.5;
    e->availability = 1.0;
    strcpy(e->competencies[0].code, "M.03");
    e->competencies[0].gap = 3;
    e->competencies[0].coach_level = 5;
    e->competencies[0].covered = 3;
    strcpy(e->competencies[1].code, "T.digital");
    e->competencies[1].gap = 2;
    e->competencies[1].coach_level = 0;
    e->competencies[1].covered = 0;
    e->n_competencies = 2;
}

void test_sample_match(proto_match *m) {
    memset(m, 0, sizeof(*m));
    strcpy(m->id, "m-000042");
    strcpy(m->program, "coach2026");
    strcpy(m->mentee_id, "198503152010011001");
    strcpy(m->coach_id, "coach.budi-01");
    m->status = PROTO_MATCH_PROPOSED;
    m->score = 8125;
    strcpy(m->run_id, "run-7");
    m->has_explain = true;
    test_sample_explain(&m->explain);
    m->created_at = 1795000000;
    m->updated_at = 1795000100;
}

void test_sample_stats(proto_run_stats *s) {
    memset(s, 0, sizeof(*s));
    s->mentees = 1200;
    s->coaches = 150;
    s->matched = 1150;
    s->unmatched[PROTO_UNMATCHED_NO_FEASIBLE_COACH] = 30;
    s->unmatched[PROTO_UNMATCHED_CAPACITY] = 20;
    s->total_score = 8000000;
    s->mean_score = 6956.52;
    s->mean_gap_coverage = 0.71;
    s->certified = true;
    s->elapsed_ms = 412;
    s->warm = true;
    s->warm_mentees = 1100;
    s->coach_classes = 12;
}

void tdoc_init(tdoc *d) {
    msgpack_sbuffer_init(&d->sb);
    msgpack_packer_init(&d->pk, &d->sb, msgpack_sbuffer_write);
    msgpack_unpacked_init(&d->up);
}

msgpack_object *tdoc_unpack(tdoc *d) {
    size_t off = 0;
    if (msgpack_unpack_next(&d->up, d->sb.data, d->sb.size, &off) != MSGPACK_UNPACK_SUCCESS) return NULL;
    return &d->up.data;
}

void tdoc_free(tdoc *d) {
    msgpack_unpacked_destroy(&d->up);
    msgpack_sbuffer_destroy(&d->sb);
}

static msgpack_object *map_find(msgpack_object *m, const char *k, size_t n) {
    if (m->type != MSGPACK_OBJECT_MAP) return NULL;
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        msgpack_object *key = &m->via.map.ptr[i].key;
        if (key->type == MSGPACK_OBJECT_STR && key->via.str.size == n && memcmp(key->via.str.ptr, k, n) == 0)
            return &m->via.map.ptr[i].val;
    }
    return NULL;
}

msgpack_object *tobj_at(msgpack_object *root, const char *path) {
    msgpack_object *o = root;
    const char *p = path;
    while (o && *p) {
        if (*p == '.') p++;
        if (*p == '[') {
            char *end;
            unsigned long i = strtoul(p + 1, &end, 10);
            if (o->type != MSGPACK_OBJECT_ARRAY || i >= o->via.array.size) return NULL;
            o = &o->via.array.ptr[i];
            p = end + 1;
        } else {
            size_t n = strcspn(p, ".[");
            o = map_find(o, p, n);
            p += n;
        }
    }
    return o;
}

void tobj_set_int(msgpack_object *o, int64_t v) {
    if (v >= 0) {
        o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        o->via.u64 = (uint64_t)v;
    } else {
        o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
        o->via.i64 = v;
    }
}

void tobj_set_strn(msgpack_object *o, const char *s, size_t n) {
    o->type = MSGPACK_OBJECT_STR;
    o->via.str.ptr = s;
    o->via.str.size = (uint32_t)n;
}

void tobj_set_str(msgpack_object *o, const char *s) { tobj_set_strn(o, s, strlen(s)); }

static int key_at(msgpack_object *m, const char *key) {
    if (m->type != MSGPACK_OBJECT_MAP) return -1;
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        msgpack_object *k = &m->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(key) &&
            memcmp(k->via.str.ptr, key, k->via.str.size) == 0)
            return (int)i;
    }
    return -1;
}

int tobj_del_key(msgpack_object *m, const char *key) {
    int i = key_at(m, key);
    if (i < 0) return -1;
    m->via.map.ptr[i] = m->via.map.ptr[m->via.map.size - 1];
    m->via.map.size--;
    return 0;
}

int tobj_rename_key(msgpack_object *m, const char *key, const char *newkey) {
    int i = key_at(m, key);
    if (i < 0) return -1;
    tobj_set_str(&m->via.map.ptr[i].key, newkey);
    return 0;
}

void test_frame_request(msgpack_sbuffer *sb, uint32_t msgid, const char *method,
                        void (*fill)(msgpack_packer *pk, const void *arg), const void *arg) {
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    size_t at = proto_frame_begin(sb);
    proto_pack_request(&pk, msgid, method);
    if (fill)
        fill(&pk, arg);
    else
        msgpack_pack_map(&pk, 0);
    proto_frame_end(sb, at, NULL, NULL);
}
