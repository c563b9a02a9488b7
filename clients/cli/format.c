/*
 * format.c -- human output of `coachnet`: aligned tables, progress bars,
 * generic object printing, JP arithmetic and date checks.  No I/O except
 * writing to the FILE given.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clients/cli/cli.h"

struct cli_table {
    size_t ncols;
    char **headers;
    char *align; /* per column: 'l' or 'r' */
    char ***rows;
    size_t nrows, cap;
};

size_t cli_utf8_width(const char *s) {
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80) w++; /* count lead bytes only */
    return w;
}

cli_table *cli_table_new(size_t ncols, const char *const *headers, const char *align) {
    cli_table *t = calloc(1, sizeof(*t));
    if (t == NULL) return NULL;
    t->ncols = ncols;
    t->headers = calloc(ncols, sizeof(char *));
    t->align = calloc(ncols + 1, 1);
    if (t->headers == NULL || t->align == NULL) {
        cli_table_free(t);
        return NULL;
    }
    for (size_t i = 0; i < ncols; i++) {
        t->headers[i] = strdup(headers[i]);
        t->align[i] = align && align[i] == 'r' ? 'r' : 'l';
    }
    return t;
}

void cli_table_add(cli_table *t, const char *const *cells) {
    if (t == NULL) return;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char ***nr = realloc(t->rows, cap * sizeof(*nr));
        if (nr == NULL) return;
        t->rows = nr;
        t->cap = cap;
    }
    char **row = calloc(t->ncols, sizeof(char *));
    if (row == NULL) return;
    for (size_t i = 0; i < t->ncols; i++) row[i] = strdup(cells[i] ? cells[i] : "");
    t->rows[t->nrows++] = row;
}

size_t cli_table_rows(const cli_table *t) { return t ? t->nrows : 0; }

static void put_cell(FILE *f, const char *s, size_t width, char align, int last) {
    size_t w = cli_utf8_width(s ? s : "");
    size_t pad = width > w ? width - w : 0;
    if (align == 'r')
        for (size_t k = 0; k < pad; k++) fputc(' ', f);
    fputs(s ? s : "", f);
    if (align != 'r' && !last)
        for (size_t k = 0; k < pad; k++) fputc(' ', f);
}

void cli_table_print(const cli_table *t, FILE *f) {
    if (t == NULL) return;
    size_t *w = calloc(t->ncols, sizeof(size_t));
    if (w == NULL) return;
    for (size_t c = 0; c < t->ncols; c++) {
        w[c] = cli_utf8_width(t->headers[c] ? t->headers[c] : "");
        for (size_t r = 0; r < t->nrows; r++) {
            size_t cw = cli_utf8_width(t->rows[r][c] ? t->rows[r][c] : "");
            if (cw > w[c]) w[c] = cw;
        }
    }
    for (size_t c = 0; c < t->ncols; c++) {
        put_cell(f, t->headers[c], w[c], t->align[c], c + 1 == t->ncols);
        fputs(c + 1 == t->ncols ? "\n" : "  ", f);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            put_cell(f, t->rows[r][c], w[c], t->align[c], c + 1 == t->ncols);
            fputs(c + 1 == t->ncols ? "\n" : "  ", f);
        }
    }
    free(w);
}

void cli_table_free(cli_table *t) {
    if (t == NULL) return;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) free(t->rows[r][c]);
        free(t->rows[r]);
    }
    free(t->rows);
    if (t->headers)
        for (size_t c = 0; c < t->ncols; c++) free(t->headers[c]);
    free(t->headers);
    free(t->align);
    free(t);
}

void cli_progress_bar(char *buf, size_t len, const char *phase, long long done, long long total, int width) {
    if (width < 1) width = 1;
    if (width > 200) width = 200;
    double frac = total > 0 ? (double)done / (double)total : 0.0;
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    int filled = (int)floor(frac * width + 1e-9);
    char bar[201];
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    snprintf(buf, len, "[%s] %3d%% %s %lld/%lld", bar, (int)floor(frac * 100 + 1e-9), phase ? phase : "", done, total);
}

int cli_date_valid(const char *s) {
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return -1;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1900 || m < 1 || m > 12 || d < 1) return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int md = mdays[m - 1] + (m == 2 && leap);
    return d <= md ? 0 : -1;
}

const char *cli_scalar(const msgpack_object *o, char *buf, size_t len) {
    if (len == 0) return buf;
    buf[0] = '\0';
    if (o == NULL) return buf;
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: break;
    case MSGPACK_OBJECT_BOOLEAN: snprintf(buf, len, "%s", o->via.boolean ? "yes" : "no"); break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: snprintf(buf, len, "%llu", (unsigned long long)o->via.u64); break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: snprintf(buf, len, "%lld", (long long)o->via.i64); break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: cli_number(o->via.f64, buf, len); break;
    case MSGPACK_OBJECT_STR: {
        size_t n = o->via.str.size < len - 1 ? o->via.str.size : len - 1;
        memcpy(buf, o->via.str.ptr, n);
        buf[n] = '\0';
        break;
    }
    default: {
        int n = msgpack_object_print_buffer(buf, len, *o);
        if (n < 0) n = 0;
        buf[(size_t)n < len ? (size_t)n : len - 1] = '\0';
    }
    }
    return buf;
}

const char *cli_number(double v, char *buf, size_t len) {
    if (len == 0) return buf;
    snprintf(buf, len, "%.3f", v);
    /* drop trailing zeros: 0.750 -> 0.75, 2.000 -> 2 */
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0') *e-- = '\0';
        if (e == dot) *e = '\0';
    }
    return buf;
}

const char *cli_percent(const msgpack_object *o, char *buf, size_t len) {
    double v;
    if (len == 0) return buf;
    if (cn_client_obj_num(o, &v) != CN_CLIENT_OK) {
        buf[0] = '\0';
        return buf;
    }
    return cli_percent_of(v, buf, len);
}

const char *cli_party(const char *id, bool has_card, const char *name, char *buf, size_t len) {
    if (!has_card) return id;
    snprintf(buf, len, "%s %s", id, name);
    return buf;
}

const char *cli_percent_of(double v, char *buf, size_t len) {
    if (len == 0) return buf;
    double p = v * 100.0;
    /* small shares keep a decimal, so 0.13% does not read as nothing */
    snprintf(buf, len, p > 0.0 && p < 10.0 ? "%.1f%%" : "%.0f%%", p);
    return buf;
}

static int is_scalar(const msgpack_object *o) {
    return o->type != MSGPACK_OBJECT_MAP && o->type != MSGPACK_OBJECT_ARRAY;
}

void cli_print_obj(FILE *f, const msgpack_object *o, int indent) {
    char buf[1024];
    if (o->type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object *k = &o->via.map.ptr[i].key;
            const msgpack_object *v = &o->via.map.ptr[i].val;
            fprintf(f, "%*s%s:", indent, "", cli_scalar(k, buf, sizeof(buf)));
            if (is_scalar(v)) {
                fprintf(f, " %s\n", cli_scalar(v, buf, sizeof(buf)));
            } else if (v->type == MSGPACK_OBJECT_ARRAY && v->via.array.size == 0) {
                fputs(" (none)\n", f);
            } else {
                fputc('\n', f);
                cli_print_obj(f, v, indent + 2);
            }
        }
    } else if (o->type == MSGPACK_OBJECT_ARRAY) {
        int all_scalar = 1;
        for (uint32_t i = 0; i < o->via.array.size; i++)
            if (!is_scalar(&o->via.array.ptr[i])) all_scalar = 0;
        if (all_scalar) {
            fprintf(f, "%*s", indent, "");
            for (uint32_t i = 0; i < o->via.array.size; i++)
                fprintf(f, "%s%s", i ? ", " : "", cli_scalar(&o->via.array.ptr[i], buf, sizeof(buf)));
            fputc('\n', f);
            return;
        }
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            fprintf(f, "%*s-\n", indent, "");
            cli_print_obj(f, &o->via.array.ptr[i], indent + 2);
        }
    } else {
        fprintf(f, "%*s%s\n", indent, "", cli_scalar(o, buf, sizeof(buf)));
    }
}

/* Print j (NULL prints null) as indented JSON and release it. */
static void print_json_owned(FILE *f, json_t *j) {
    if (j == NULL) {
        fputs("null\n", f);
        return;
    }
    json_dumpf(j, f, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
    fputc('\n', f);
    json_decref(j);
}

void cli_print_json(FILE *f, const msgpack_object *o) { print_json_owned(f, cli_mp_to_json(o)); }

void cli_print_json_new(json_t *j) { print_json_owned(stdout, j); }
