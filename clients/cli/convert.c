/*
 * convert.c -- JSON <-> msgpack, and CSV records -> profile objects.
 *
 * The CLI reads JSON (profiles, policies, JSON Lines imports) with jansson
 * and sends msgpack; it prints results as JSON with --json.  CSV records
 * become the same JSON profile objects as JSON Lines rows, so both import
 * formats take one path to the server.  Nothing here validates what the
 * server validates (ranges, codes, NIP shape): the server's field errors are
 * the single source of truth and are shown per row.  Only what cannot be
 * expressed at all (a non-integer in an integer column, a malformed
 * competency entry) is refused here, naming the column.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "clients/cli/cli.h"

/* ---------------------------------------------------------------------- */
/* JSON -> msgpack                                                         */
/* ---------------------------------------------------------------------- */

static void pack_strn(msgpack_packer *pk, const char *s, size_t n) {
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

int cli_json_pack(msgpack_packer *pk, const json_t *j, char *err, size_t errlen) {
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *v;
        msgpack_pack_map(pk, (uint32_t)json_object_size(j));
        json_object_foreach((json_t *)j, k, v) {
            pack_strn(pk, k, strlen(k));
            if (cli_json_pack(pk, v, err, errlen) != 0) return -1;
        }
        return 0;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *v;
        msgpack_pack_array(pk, (uint32_t)json_array_size(j));
        json_array_foreach(j, i, v) {
            if (cli_json_pack(pk, v, err, errlen) != 0) return -1;
        }
        return 0;
    }
    case JSON_STRING: pack_strn(pk, json_string_value(j), json_string_length(j)); return 0;
    case JSON_INTEGER: msgpack_pack_int64(pk, (int64_t)json_integer_value(j)); return 0;
    case JSON_REAL: msgpack_pack_double(pk, json_real_value(j)); return 0;
    case JSON_TRUE: msgpack_pack_true(pk); return 0;
    case JSON_FALSE: msgpack_pack_false(pk); return 0;
    case JSON_NULL: msgpack_pack_nil(pk); return 0;
    }
    snprintf(err, errlen, "unsupported JSON value");
    return -1;
}

/* ---------------------------------------------------------------------- */
/* msgpack -> JSON                                                         */
/* ---------------------------------------------------------------------- */

static json_t *hex_string(const char *p, size_t n) {
    static const char hx[] = "0123456789abcdef";
    char *s = malloc(n * 2 + 1);
    if (s == NULL) return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = hx[(unsigned char)p[i] >> 4];
        s[2 * i + 1] = hx[(unsigned char)p[i] & 15];
    }
    s[2 * n] = '\0';
    json_t *j = json_stringn(s, n * 2);
    free(s);
    return j;
}

/* A map key as text: strings as they are, other scalars printed. */
static char *key_text(const msgpack_object *k) {
    if (k->type == MSGPACK_OBJECT_STR) return strndup(k->via.str.ptr, k->via.str.size);
    char buf[128];
    int n = msgpack_object_print_buffer(buf, sizeof(buf), *k);
    if (n < 0) n = 0;
    buf[n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1] = '\0';
    return strdup(buf);
}

json_t *cli_mp_to_json(const msgpack_object *o) {
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: return json_null();
    case MSGPACK_OBJECT_BOOLEAN: return json_boolean(o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > (uint64_t)INT64_MAX) return json_real((double)o->via.u64);
        return json_integer((json_int_t)o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return json_integer((json_int_t)o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: return json_real(o->via.f64);
    case MSGPACK_OBJECT_STR: {
        /* jansson refuses invalid UTF-8: show such bytes as hex rather than lose them */
        json_t *s = json_stringn(o->via.str.ptr, o->via.str.size);
        return s ? s : hex_string(o->via.str.ptr, o->via.str.size);
    }
    case MSGPACK_OBJECT_BIN: return hex_string(o->via.bin.ptr, o->via.bin.size);
    case MSGPACK_OBJECT_ARRAY: {
        json_t *a = json_array();
        if (a == NULL) return NULL;
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            json_t *v = cli_mp_to_json(&o->via.array.ptr[i]);
            if (v == NULL || json_array_append_new(a, v) != 0) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    case MSGPACK_OBJECT_MAP: {
        json_t *m = json_object();
        if (m == NULL) return NULL;
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            char *k = key_text(&o->via.map.ptr[i].key);
            json_t *v = cli_mp_to_json(&o->via.map.ptr[i].val);
            int bad = k == NULL || v == NULL || json_object_set_new(m, k, v) != 0;
            free(k);
            if (bad) {
                json_decref(m);
                return NULL;
            }
        }
        return m;
    }
    default: return json_null(); /* ext: no JSON form */
    }
}

/* ---------------------------------------------------------------------- */
/* CSV -> profile                                                          */
/* ---------------------------------------------------------------------- */

typedef enum col_type {
    C_STR = 0, /* text as is */
    C_INT,     /* decimal integer (availability also 0x hex) */
    C_LIST,    /* "a;b;c" -> ["a","b","c"] */
    C_MCOMP,   /* "M.01:2:3;M.02:1:4" -> [{code, current, required}] */
    C_CCOMP    /* "M.01:4;M.02:5" -> [{code, level}] */
} col_type;

typedef struct column {
    const char *name;
    col_type type;
} column;

static const column mentee_cols[] = {
    { "id", C_STR },         { "name", C_STR },         { "agency", C_STR },         { "position_class", C_STR },
    { "province", C_STR },   { "program", C_STR },      { "competencies", C_MCOMP }, { "modality", C_LIST },
    { "languages", C_LIST }, { "availability", C_INT }, { "goals", C_STR },          { NULL, C_STR }
};

static const column coach_cols[] = {
    { "id", C_STR },        { "name", C_STR },      { "kind", C_STR },           { "organization", C_STR },
    { "rank", C_INT },      { "province", C_STR },  { "competencies", C_CCOMP }, { "capacity", C_INT },
    { "programs", C_LIST }, { "modality", C_LIST }, { "languages", C_LIST },     { "availability", C_INT },
    { "bio", C_STR },       { NULL, C_STR }
};

static const column *find_col(cn_client_kind kind, const char *name) {
    for (const column *c = kind == CN_CLIENT_COACH ? coach_cols : mentee_cols; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

int cli_csv_header_check(cn_client_kind kind, char *const *names, size_t n, char *err, size_t errlen) {
    int have_id = 0;
    for (size_t i = 0; i < n; i++) {
        if (find_col(kind, names[i]) == NULL) {
            snprintf(err, errlen, "unknown column '%s' for %s profiles (column %zu)", names[i],
                     cn_client_kind_name(kind), i + 1);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(names[k], names[i]) == 0) {
                snprintf(err, errlen, "column '%s' appears twice", names[i]);
                return -1;
            }
        }
        if (strcmp(names[i], "id") == 0) have_id = 1;
    }
    if (!have_id) {
        snprintf(err, errlen, "the header has no 'id' column");
        return -1;
    }
    return 0;
}

/* Trim ASCII blanks in place; returns the start. */
static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
    return s;
}

static int parse_ll(const char *s, long long *v) {
    errno = 0;
    char *end;
    long long x;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        x = strtoll(s + 2, &end, 16);
    else
        x = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') return -1;
    *v = x;
    return 0;
}

/* Split a ';'-separated cell (a copy) into a JSON array of its non-empty
 * items, each passed to `item` (NULL: as strings). */
typedef json_t *(*item_fn)(char *item, const char *col, char *err, size_t errlen);

static json_t *split_list(const char *cell, const char *col, item_fn item, char *err, size_t errlen) {
    char *copy = strdup(cell);
    json_t *a = json_array();
    if (copy == NULL || a == NULL) {
        free(copy);
        json_decref(a);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    char *save = NULL;
    for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        char *t = trim(tok);
        if (*t == '\0') continue;
        json_t *v = item ? item(t, col, err, errlen) : json_string(t);
        if (v == NULL) {
            if (!item) snprintf(err, errlen, "column %s: '%s' is not valid UTF-8", col, t);
            json_decref(a);
            free(copy);
            return NULL;
        }
        json_array_append_new(a, v);
    }
    free(copy);
    return a;
}

/* "code:n[:m]" -> code and 1 or 2 integers. */
static json_t *comp_item(char *t, const char *col, int nnum, char *err, size_t errlen) {
    char *parts[4];
    int np = 0;
    char *save = NULL;
    char *copy = strdup(t);
    if (copy == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (char *p = strtok_r(copy, ":", &save); p && np < 4; p = strtok_r(NULL, ":", &save)) parts[np++] = trim(p);
    long long a = 0, b = 0;
    int ok = np == nnum + 1 && *parts[0] != '\0' && parse_ll(parts[1], &a) == 0 &&
             (nnum == 1 || parse_ll(parts[2], &b) == 0);
    json_t *o = NULL;
    if (!ok) {
        snprintf(err, errlen, "column %s: entry '%s' is not %s", col, t,
                 nnum == 2 ? "CODE:CURRENT:REQUIRED" : "CODE:LEVEL");
    } else if (nnum == 2) {
        o = json_pack("{s:s, s:I, s:I}", "code", parts[0], "current", (json_int_t)a, "required", (json_int_t)b);
    } else {
        o = json_pack("{s:s, s:I}", "code", parts[0], "level", (json_int_t)a);
    }
    if (ok && o == NULL) snprintf(err, errlen, "column %s: entry '%s' is not valid UTF-8", col, t);
    free(copy);
    return o;
}

static json_t *mcomp_item(char *t, const char *col, char *err, size_t errlen) {
    return comp_item(t, col, 2, err, errlen);
}

static json_t *ccomp_item(char *t, const char *col, char *err, size_t errlen) {
    return comp_item(t, col, 1, err, errlen);
}

json_t *cli_csv_profile(cn_client_kind kind, char *const *names, char *const *cells, size_t n, char *err,
                        size_t errlen) {
    json_t *p = json_object();
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const column *col = find_col(kind, names[i]);
        if (col == NULL) {
            snprintf(err, errlen, "unknown column '%s'", names[i]);
            goto fail;
        }
        const char *cell = cells[i] ? cells[i] : "";
        /* An empty cell is an absent field (the server applies its default
         * or reports the field as required), except in list columns, where
         * it is the empty list. */
        int blank = 1;
        for (const char *s = cell; *s; s++)
            if (*s != ' ' && *s != '\t' && *s != '\r') blank = 0;
        if (blank && (col->type == C_STR || col->type == C_INT)) continue;
        json_t *v = NULL;
        switch (col->type) {
        case C_STR:
            v = json_string(cell);
            if (v == NULL) snprintf(err, errlen, "column %s: not valid UTF-8", col->name);
            break;
        case C_INT: {
            long long x;
            char *copy = strdup(cell);
            if (copy && parse_ll(trim(copy), &x) == 0)
                v = json_integer((json_int_t)x);
            else
                snprintf(err, errlen, "column %s: '%s' is not an integer", col->name, cell);
            free(copy);
            break;
        }
        case C_LIST: v = split_list(cell, col->name, NULL, err, errlen); break;
        case C_MCOMP: v = split_list(cell, col->name, mcomp_item, err, errlen); break;
        case C_CCOMP: v = split_list(cell, col->name, ccomp_item, err, errlen); break;
        }
        if (v == NULL) goto fail;
        json_object_set_new(p, col->name, v);
    }
    return p;
fail:
    json_decref(p);
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* Files                                                                   */
/* ---------------------------------------------------------------------- */

json_t *cli_json_file(const char *path, char *err, size_t errlen) {
    json_error_t je;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        if (je.line < 1)
            snprintf(err, errlen, "%s: %s", path, je.text);
        else
            snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        snprintf(err, errlen, "%s: expected a JSON object", path);
        json_decref(j);
        return NULL;
    }
    return j;
}

int cli_json_to_sbuf(const json_t *j, msgpack_sbuffer *sb, char *err, size_t errlen) {
    msgpack_packer pk;
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    if (cli_json_pack(&pk, j, err, errlen) != 0) {
        msgpack_sbuffer_destroy(sb);
        msgpack_sbuffer_init(sb);
        return -1;
    }
    return 0;
}
