/* error.c -- error codes, the error struct and the default limits.
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

/* Wire strings, indexed by proto_errcode (design.md §2). */
static const char *const errcode_names[PROTO_E__COUNT] = {
    [PROTO_E_NONE] = "",
    [PROTO_E_BAD_FRAME] = "bad_frame",
    [PROTO_E_BAD_REQUEST] = "bad_request",
    [PROTO_E_UNKNOWN_METHOD] = "unknown_method",
    [PROTO_E_INVALID_PARAMS] = "invalid_params",
    [PROTO_E_UNAUTHENTICATED] = "unauthenticated",
    [PROTO_E_FORBIDDEN] = "forbidden",
    [PROTO_E_NOT_FOUND] = "not_found",
    [PROTO_E_CONFLICT] = "conflict",
    [PROTO_E_CAPACITY_FULL] = "capacity_full",
    [PROTO_E_RATE_LIMITED] = "rate_limited",
    [PROTO_E_TOO_LARGE] = "too_large",
    [PROTO_E_UNAVAILABLE] = "unavailable",
    [PROTO_E_INTERNAL] = "internal",
};

const char *proto_errcode_name(proto_errcode code) {
    if ((int)code < 0 || code >= PROTO_E__COUNT) return "internal";
    return errcode_names[code];
}

int proto_errcode_parse(const char *s, size_t len, proto_errcode *out) {
    /* PROTO_E_NONE ("") is not a code a peer may send. */
    for (int i = PROTO_E_NONE + 1; i < PROTO_E__COUNT; i++) {
        if (strlen(errcode_names[i]) == len && memcmp(errcode_names[i], s, len) == 0) {
            *out = (proto_errcode)i;
            return PROTO_OK;
        }
    }
    return PROTO_ERR;
}

int proto_error_set(proto_error *e, proto_errcode code, const char *field, const char *fmt, ...) {
    if (e == NULL) return PROTO_ERR;
    e->code = code;
    snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    /* Truncation may cut a multi-byte character, and a caller may quote
     * client bytes: the text goes on the wire as a msgpack str. */
    proto_utf8_scrub(e->field);
    proto_utf8_scrub(e->message);
    return PROTO_ERR;
}

void proto_error_clear(proto_error *e) {
    if (e == NULL) return;
    e->code = PROTO_E_NONE;
    e->message[0] = '\0';
    e->field[0] = '\0';
}

void proto_limits_default(proto_limits *l) {
    l->max_frame = PROTO_DEFAULT_MAX_FRAME;
    l->max_depth = PROTO_DEFAULT_MAX_DEPTH;
    l->max_array = PROTO_DEFAULT_MAX_ARRAY;
    l->max_map = PROTO_DEFAULT_MAX_MAP;
    l->max_str = PROTO_DEFAULT_MAX_STR;
}
