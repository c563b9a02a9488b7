/* params.c -- typed readers over a params map, with field paths.
 *
 * Every reader has two layers: a value reader (val_*) that judges one
 * msgpack object, and the map/array front ends that find the object.  The
 * object's location travels as a `where` (parent path + key or index) and
 * becomes a path string only when there is an error to report: building
 * paths eagerly cost a fifth of the time of a profile decode.
 *
 * All failures are invalid_params; the field is the full path of the
 * offending value and the message says what was expected.  Error texts
 * never echo raw client bytes except through key_sanitize(), so they are
 * always valid UTF-8 on the wire.
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

#define KEY_ECHO_MAX 32 /* bytes of an unknown key quoted in a path */

/* Length of the valid UTF-8 sequence at p (left bytes available), or 0
 * when the bytes there are not one (RFC 3629: no overlongs, surrogates or
 * code points above U+10FFFF). */
static size_t utf8_seq(const unsigned char *p, size_t left) {
    unsigned char c = p[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        cp = c & 0x07;
    } else
        return 0; /* continuation byte, overlong lead, > U+10FFFF */
    if (left - 1 < n) return 0;
    for (size_t k = 1; k <= n; k++) {
        if ((p[k] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (p[k] & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n + 1;
}

int proto_utf8_valid(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0) return 0;
        i += n;
    }
    return 1;
}

void proto_utf8_scrub(char *s) {
    unsigned char *p = (unsigned char *)s;
    size_t len = strlen(s), i = 0;
    while (i < len) {
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0) {
            p[i] = '?';
            n = 1;
        }
        i += n;
    }
}

/* Append s to buf[size] at *used, truncating; buf stays NUL-terminated.
 * (Paths are built by hand: snprintf's truncation warnings are errors.) */
static void path_put(char *buf, size_t size, size_t *used, const char *s) {
    while (*s && *used + 1 < size) buf[(*used)++] = *s++;
    buf[*used] = '\0';
}

char *proto_path_key(char *buf, size_t size, const char *path, const char *key) {
    size_t used = 0;
    if (size == 0) return buf;
    buf[0] = '\0';
    if (path && path[0]) {
        path_put(buf, size, &used, path);
        path_put(buf, size, &used, ".");
    }
    path_put(buf, size, &used, key);
    return buf;
}

char *proto_path_index(char *buf, size_t size, const char *path, size_t i) {
    char num[24];
    size_t used = 0, n = 0;
    if (size == 0) return buf;
    buf[0] = '\0';
    do num[n++] = (char)('0' + i % 10);
    while ((i /= 10) > 0);
    path_put(buf, size, &used, path ? path : "");
    path_put(buf, size, &used, "[");
    while (n > 0 && used + 1 < size) buf[used++] = num[--n];
    buf[used] = '\0';
    path_put(buf, size, &used, "]");
    return buf;
}

/* Printable-ASCII copy of a client-supplied key, for error paths. */
static void key_sanitize(char *out, size_t size, const char *k, size_t n) {
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < size && i < KEY_ECHO_MAX; i++)
        out[j++] = (k[i] >= 0x21 && k[i] <= 0x7e) ? k[i] : '?';
    out[j] = '\0';
}

/* Does s[0..n) satisfy charset cs (UTF-8 validity checked apart)?  On
 * failure *why says what is wrong. */
static int charset_ok(const char *s, size_t n, proto_charset cs, const char **why) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok;
        switch (cs) {
        case PROTO_CS_CODE:
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                 c == '-';
            *why = "may hold only [A-Za-z0-9._-]";
            break;
        case PROTO_CS_LOWER:
            ok = c >= 'a' && c <= 'z';
            *why = "may hold only [a-z]";
            break;
        case PROTO_CS_DIGITS:
            ok = c >= '0' && c <= '9';
            *why = "may hold only digits";
            break;
        case PROTO_CS_LINE:
            ok = c >= 0x20 && c != 0x7f;
            *why = "must not contain control characters";
            break;
        case PROTO_CS_TEXT:
            ok = (c >= 0x20 && c != 0x7f) || c == '\t' || c == '\n' || c == '\r';
            *why = "must not contain control characters";
            break;
        default:
            ok = c != 0;
            *why = "must not contain NUL";
            break;
        }
        if (!ok) return 0;
    }
    return 1;
}

/* Where a value sits: parent path plus a key, or plus an index when key is
 * NULL. */
typedef struct where {
    const char *base;
    const char *key;
    size_t index;
} where;

static const char *where_path(const where *w, char *buf, size_t size) {
    if (w->key) return proto_path_key(buf, size, w->base, w->key);
    return proto_path_index(buf, size, w->base, w->index);
}

/* Fail with invalid_params at w; the message is printf-formatted. */
static int fail(proto_error *err, const where *w, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(proto_error *err, const where *w, const char *fmt, ...) {
    char path[PROTO_PATH_MAX], msg[PROTO_MESSAGE_MAX];
    va_list ap;
    if (err == NULL) return PROTO_ERR;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return proto_error_set(err, PROTO_E_INVALID_PARAMS, where_path(w, path, sizeof(path)), "%s", msg);
}

static int val_str(const msgpack_object *o, const where *w, size_t minlen, size_t maxlen, proto_charset cs, char *out,
                   size_t outsz, proto_error *err) {
    const char *why;
    if (o->type != MSGPACK_OBJECT_STR) return fail(err, w, "must be a string");
    size_t n = o->via.str.size;
    if (n < minlen || n > maxlen) return fail(err, w, "must be %zu..%zu bytes long, not %zu", minlen, maxlen, n);
    if (n >= outsz) {
        char path[PROTO_PATH_MAX];
        return proto_error_set(err, PROTO_E_INTERNAL, where_path(w, path, sizeof(path)), "no room for %zu bytes", n);
    }
    if (!proto_utf8_valid(o->via.str.ptr, n)) return fail(err, w, "must be valid UTF-8");
    if (!charset_ok(o->via.str.ptr, n, cs, &why)) return fail(err, w, "%s", why);
    memcpy(out, o->via.str.ptr, n);
    out[n] = '\0';
    return PROTO_OK;
}

static int val_int(const msgpack_object *o, const where *w, int64_t min, int64_t max, int64_t *out, proto_error *err) {
    int64_t v;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX)
        v = (int64_t)o->via.u64;
    else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        v = o->via.i64;
    else
        goto bad;
    if (v < min || v > max) goto bad;
    *out = v;
    return PROTO_OK;
bad:
    return fail(err, w, "must be an integer %" PRId64 "..%" PRId64, min, max);
}

static int val_float(const msgpack_object *o, const where *w, double min, double max, double *out, proto_error *err) {
    double v;
    switch (o->type) {
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: v = o->via.f64; break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER: v = (double)o->via.u64; break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: v = (double)o->via.i64; break;
    default: goto bad;
    }
    if (!isfinite(v) || v < min || v > max) goto bad;
    *out = v;
    return PROTO_OK;
bad:
    return fail(err, w, "must be a number %g..%g", min, max);
}

/* "a, b, c" from a NULL-terminated list, truncated to fit. */
static void names_join(char *buf, size_t size, const char *const *names) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i] && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
        if (n < 0) break;
        used += (size_t)n;
    }
}

static int val_enum(const msgpack_object *o, const where *w, const char *const *names, int *out, proto_error *err) {
    if (o->type == MSGPACK_OBJECT_STR) {
        for (int i = 0; names[i]; i++) {
            if (strlen(names[i]) == o->via.str.size && memcmp(names[i], o->via.str.ptr, o->via.str.size) == 0) {
                *out = i;
                return PROTO_OK;
            }
        }
    }
    char list[PROTO_MESSAGE_MAX - 16];
    names_join(list, sizeof(list), names);
    return fail(err, w, "must be one of: %s", list);
}

/* Index of key k[0..n) in the NULL-terminated keys, or -1. */
static int key_index(const char *const *keys, const char *k, size_t n) {
    for (int i = 0; keys[i]; i++)
        if (strlen(keys[i]) == n && memcmp(keys[i], k, n) == 0) return i;
    return -1;
}

/* Fail at map key k, echoed sanitised. */
static int fail_key(proto_error *err, const char *path, const char *k, size_t n, const char *what) {
    char kbuf[KEY_ECHO_MAX + 1];
    key_sanitize(kbuf, sizeof(kbuf), k, n);
    where w = { path, kbuf, 0 };
    return fail(err, &w, "%s", what);
}

int proto_map_open(proto_map *out, const msgpack_object *obj, const char *path, const char *const *keys,
                   proto_error *err) {
    uint64_t seen = 0;
    size_t used = 0;
    out->path[0] = '\0';
    path_put(out->path, sizeof(out->path), &used, path ? path : "");
    out->map = NULL;
    if (obj->type != MSGPACK_OBJECT_MAP)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, out->path, "must be a map");
    const msgpack_object_map *m = &obj->via.map;
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR)
            return proto_error_set(err, PROTO_E_INVALID_PARAMS, out->path, "map keys must be strings");
        int at = key_index(keys, k->via.str.ptr, k->via.str.size);
        if (at < 0 || at >= 64) return fail_key(err, out->path, k->via.str.ptr, k->via.str.size, "unknown key");
        if (seen & (UINT64_C(1) << at))
            return fail_key(err, out->path, k->via.str.ptr, k->via.str.size, "duplicate key");
        seen |= UINT64_C(1) << at;
    }
    out->map = m;
    return PROTO_OK;
}

const msgpack_object *proto_map_get(const proto_map *m, const char *key) {
    size_t n = strlen(key);
    for (uint32_t i = 0; i < m->map->size; i++) {
        const msgpack_object *k = &m->map->ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && memcmp(k->via.str.ptr, key, n) == 0)
            return &m->map->ptr[i].val;
    }
    return NULL;
}

/* Common front end of the map readers: find the key.  Returns 1 with *o
 * set, 0 when absent/nil and optional, PROTO_ERR when absent and
 * required. */
static int field(const proto_map *m, const where *w, proto_presence req, const msgpack_object **o, proto_error *err) {
    *o = proto_map_get(m, w->key);
    if (*o != NULL && (*o)->type != MSGPACK_OBJECT_NIL) return 1;
    if (req == PROTO_REQUIRED) return fail(err, w, "is required");
    return 0;
}

/* Map the PROTO_OK/PROTO_ERR of a value reader to the 1/PROTO_ERR of a
 * map reader. */
#define READ_RESULT(call) ((call) == PROTO_OK ? 1 : PROTO_ERR)

/* Declare `o` and `w` for key of map m, and return early unless the field
 * is present. */
#define FIELD_OR_RETURN(m, key, req, err)                                                                              \
    const msgpack_object *o;                                                                                           \
    where w = { (m)->path, (key), 0 };                                                                                 \
    int rc_ = field((m), &w, (req), &o, (err));                                                                        \
    if (rc_ != 1) return rc_

int proto_read_str(const proto_map *m, const char *key, proto_presence req, size_t minlen, size_t maxlen,
                   proto_charset cs, char *out, size_t outsz, proto_error *err) {
    FIELD_OR_RETURN(m, key, req, err);
    return READ_RESULT(val_str(o, &w, minlen, maxlen, cs, out, outsz, err));
}

int proto_read_int(const proto_map *m, const char *key, proto_presence req, int64_t min, int64_t max, int64_t *out,
                   proto_error *err) {
    FIELD_OR_RETURN(m, key, req, err);
    return READ_RESULT(val_int(o, &w, min, max, out, err));
}

int proto_read_bool(const proto_map *m, const char *key, proto_presence req, bool *out, proto_error *err) {
    FIELD_OR_RETURN(m, key, req, err);
    if (o->type != MSGPACK_OBJECT_BOOLEAN) return fail(err, &w, "must be true or false");
    *out = o->via.boolean;
    return 1;
}

int proto_read_float(const proto_map *m, const char *key, proto_presence req, double min, double max, double *out,
                     proto_error *err) {
    FIELD_OR_RETURN(m, key, req, err);
    return READ_RESULT(val_float(o, &w, min, max, out, err));
}

int proto_read_enum(const proto_map *m, const char *key, proto_presence req, const char *const *names, int *out,
                    proto_error *err) {
    FIELD_OR_RETURN(m, key, req, err);
    return READ_RESULT(val_enum(o, &w, names, out, err));
}

int proto_read_array(const proto_map *m, const char *key, proto_presence req, size_t minlen, size_t maxlen,
                     proto_array *out, proto_error *err) {
    out->arr = NULL;
    FIELD_OR_RETURN(m, key, req, err);
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < minlen || o->via.array.size > maxlen)
        return fail(err, &w, "must be an array of %zu..%zu elements", minlen, maxlen);
    proto_path_key(out->path, sizeof(out->path), m->path, key);
    out->arr = &o->via.array;
    return 1;
}

int proto_read_map(const proto_map *m, const char *key, proto_presence req, const char *const *keys, proto_map *out,
                   proto_error *err) {
    char path[PROTO_PATH_MAX];
    out->map = NULL;
    FIELD_OR_RETURN(m, key, req, err);
    proto_path_key(path, sizeof(path), m->path, key);
    return READ_RESULT(proto_map_open(out, o, path, keys, err));
}

int proto_elem_str(const proto_array *a, size_t i, size_t minlen, size_t maxlen, proto_charset cs, char *out,
                   size_t outsz, proto_error *err) {
    where w = { a->path, NULL, i };
    return val_str(&a->arr->ptr[i], &w, minlen, maxlen, cs, out, outsz, err);
}

int proto_elem_int(const proto_array *a, size_t i, int64_t min, int64_t max, int64_t *out, proto_error *err) {
    where w = { a->path, NULL, i };
    return val_int(&a->arr->ptr[i], &w, min, max, out, err);
}

int proto_elem_enum(const proto_array *a, size_t i, const char *const *names, int *out, proto_error *err) {
    where w = { a->path, NULL, i };
    return val_enum(&a->arr->ptr[i], &w, names, out, err);
}

int proto_elem_map(const proto_array *a, size_t i, const char *const *keys, proto_map *out, proto_error *err) {
    char path[PROTO_PATH_MAX];
    proto_path_index(path, sizeof(path), a->path, i);
    return proto_map_open(out, &a->arr->ptr[i], path, keys, err);
}
