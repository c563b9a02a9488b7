/* vocab.c -- catalogue membership and identifier formats.
 *
 * proto does not know the catalogues: the caller (the server, from the
 * matcher's loaded data/) hands over sorted code lists in a proto_vocab.
 * Here live the lookups and the two identifier checks that need no
 * catalogue: competency code shape and the NIP/PPPK number.
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

#define TECH_PREFIX     "T."
#define TECH_SECTOR_MAX (PROTO_CODE_MAX - 2)

static int cmp_code(const void *key, const void *elem) { return strcmp((const char *)key, *(const char *const *)elem); }

int proto_vocab_has(const char *const *list, size_t n, const char *code) {
    if (list == NULL || n == 0) return 0;
    return bsearch(code, list, n, sizeof(*list), cmp_code) != NULL;
}

static int list_sorted(const char *const *list, size_t n) {
    for (size_t i = 1; i < n; i++)
        if (strcmp(list[i - 1], list[i]) >= 0) return 0;
    return 1;
}

int proto_vocab_check(const proto_vocab *v, proto_error *err) {
    if (!list_sorted(v->provinces, v->n_provinces))
        return proto_error_set(err, PROTO_E_INTERNAL, NULL, "vocabulary: provinces not sorted/unique");
    if (!list_sorted(v->position_classes, v->n_position_classes))
        return proto_error_set(err, PROTO_E_INTERNAL, NULL,
                               "vocabulary: position classes not "
                               "sorted/unique");
    if (!list_sorted(v->competencies, v->n_competencies))
        return proto_error_set(err, PROTO_E_INTERNAL, NULL, "vocabulary: competencies not sorted/unique");
    return PROTO_OK;
}

/* "T.<sector>", sector [a-z0-9_]{1,30}. */
static int technical_code(const char *code) {
    size_t n = strlen(code);
    if (n < 3 || n > PROTO_CODE_MAX || strncmp(code, TECH_PREFIX, 2) != 0) return 0;
    for (size_t i = 2; i < n; i++) {
        char c = code[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
    }
    return 1;
}

/* [A-Za-z0-9._-]{1,32}, the shape of every catalogue code. */
static int plain_code(const char *code) {
    size_t n = strlen(code);
    if (n == 0 || n > PROTO_CODE_MAX) return 0;
    return strspn(code, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789._-") == n;
}

int proto_competency_ok(const proto_vocab *v, const char *code) {
    if (technical_code(code)) return 1;
    if (strncmp(code, TECH_PREFIX, 2) == 0) return 0; /* malformed T. */
    if (!plain_code(code)) return 0;
    if (v == NULL) return 1;
    return proto_vocab_has(v->competencies, v->n_competencies, code);
}

/* Decimal value of s[0..n), all digits already checked. */
static int digits(const char *s, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
    return v;
}

static int days_in_month(int y, int m) {
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int proto_nip_check(const char *s, size_t len, const char *field, proto_error *err) {
    size_t ndig = 0;
    while (ndig < len && s[ndig] >= '0' && s[ndig] <= '9') ndig++;
    if (len != PROTO_NIP_LEN || ndig != len)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, field, "must be an 18-digit NIP or PPPK number");
    int by = digits(s, 4), bm = digits(s + 4, 2), bd = digits(s + 6, 2);
    int ay = digits(s + 8, 4), am = digits(s + 12, 2);
    if (by < PROTO_NIP_BIRTH_YEAR_MIN || by > PROTO_NIP_BIRTH_YEAR_MAX || bm < 1 || bm > 12 || bd < 1 ||
        bd > days_in_month(by, bm))
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, field,
                               "digits 1-8 must be a birth date yyyymmdd "
                               "in %d..%d",
                               PROTO_NIP_BIRTH_YEAR_MIN, PROTO_NIP_BIRTH_YEAR_MAX);
    if (ay < PROTO_NIP_APPOINT_YEAR_MIN || ay > PROTO_NIP_APPOINT_YEAR_MAX || am < 1 || am > 12)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, field,
                               "digits 9-14 must be an appointment month "
                               "yyyymm");
    if (ay - by < PROTO_NIP_APPOINT_AGE_MIN || ay - by > PROTO_NIP_APPOINT_AGE_MAX)
        return proto_error_set(err, PROTO_E_INVALID_PARAMS, field,
                               "appointment year must be %d..%d years after "
                               "the birth year",
                               PROTO_NIP_APPOINT_AGE_MIN, PROTO_NIP_APPOINT_AGE_MAX);
    return PROTO_OK;
}
