/* proto.h -- libproto: the coachnet wire protocol.
 *
 * libproto turns bytes into validated messages and messages into bytes.  It
 * is pure: no sockets, no Redis, no file I/O, no globals.  Every function is
 * safe to call from any thread on distinct objects.
 *
 * Layers, bottom up (see docs/protocol.md for the wire format itself):
 *
 *   1. Frames.   A frame is a 4-byte big-endian length N, then N bytes that
 *                are exactly one msgpack object.  proto_reader is an
 *                incremental decoder in the style of hiredis' redisReader:
 *                feed it arbitrary chunks, take complete frame bodies out.
 *   2. Bodies.   proto_body_check() walks a body BEFORE msgpack-c unpacks it,
 *                because msgpack-c allocates a declared count up front: every
 *                declared size must fit in the bytes left and stay within
 *                the limits, and the body must hold exactly one object.
 *   3. Messages. msgpack-RPC: request [0,msgid,method,[params]], response
 *                [1,msgid,error,result], notification [2,method,[params]].
 *                proto_msg_decode() does 2 + unpack + shape checks.
 *   4. Params.   Typed readers over a params map (proto_map_open() and the
 *                proto_read_*() family): unknown keys rejected, every
 *                failure is `invalid_params` with the full field path, e.g.
 *                "profile.competencies[3].required".
 *   5. Domain.   Codecs for mentee and coach profiles, policy, match,
 *                explanation, run statistics and the error object.
 *
 * Return convention: functions returning int give PROTO_OK (0) on success
 * and PROTO_ERR (-1) on failure, filling the caller's proto_error, unless
 * their comment says otherwise.  Readers of optional fields return 1 when
 * the field was read, 0 when it is absent (or nil) and PROTO_ERR on error.
 *
 * Encoding writes through a msgpack_packer.  To produce a complete frame in
 * a msgpack_sbuffer:
 *
 *     size_t at = proto_frame_begin(&sb);          // reserves the prefix
 *     proto_pack_response_ok(&pk, msgid);          // [1, msgid, nil, ...
 *     proto_mentee_pack(&pk, &mentee);             // ... result]
 *     if (proto_frame_end(&sb, at, &limits, &err) != PROTO_OK) ...
 *
 * Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.
 */
#ifndef COACHNET_PROTO_H
#define COACHNET_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define PROTO_OK  0
#define PROTO_ERR (-1)

/* ------------------------------------------------------------------------
 * Limits (design.md §7).  The defaults live here and nowhere else; a server
 * config may override them through proto_limits.
 * --------------------------------------------------------------------- */

#define PROTO_FRAME_HEADER      4               /* bytes of length prefix */
#define PROTO_DEFAULT_MAX_FRAME (1024u * 1024u) /* body bytes per frame */
#define PROTO_DEFAULT_MAX_DEPTH 16              /* nesting of arrays/maps */
#define PROTO_DEFAULT_MAX_ARRAY 10000           /* elements per array */
#define PROTO_DEFAULT_MAX_MAP   1024            /* pairs per map */
#define PROTO_DEFAULT_MAX_STR   65536           /* bytes per str/bin/ext */

/* Hard ceilings: proto_limits values above them are clamped (the body
 * checker keeps its nesting stack on the C stack). */
#define PROTO_MAX_FRAME_CEILING (64u * 1024u * 1024u)
#define PROTO_MAX_DEPTH_CEILING 64

#define PROTO_METHOD_MAX  64  /* bytes of a method name */
#define PROTO_PATH_MAX    128 /* bytes of a field path, with NUL */
#define PROTO_MESSAGE_MAX 256 /* bytes of an error message, with NUL */

typedef struct proto_limits {
    uint32_t max_frame; /* max body bytes N; 0 < N <= max_frame */
    uint32_t max_depth; /* max nesting; a scalar body has depth 0 */
    uint32_t max_array; /* max elements of one array */
    uint32_t max_map;   /* max key/value pairs of one map */
    uint32_t max_str;   /* max bytes of one str, bin or ext payload */
} proto_limits;

/* Fill *l with the PROTO_DEFAULT_* values. */
void proto_limits_default(proto_limits *l);

/* Per-field limits of the domain objects (design.md §4).  Lengths are bytes of
 * UTF-8, excluding the NUL that the C structs below add. */
#define PROTO_NIP_LEN          18 /* mentee id: NIP or PPPK number */
#define PROTO_ID_MAX           40 /* coach id: [A-Za-z0-9._-]{1,40} */
#define PROTO_OBJID_MAX        64 /* match/run ids made by the server */
#define PROTO_NAME_MAX         128
#define PROTO_AGENCY_MAX       32 /* instansi code */
#define PROTO_ORG_MAX          128
#define PROTO_CODE_MAX         32 /* province, position class, program, competency code */
#define PROTO_LANG_MAX         8  /* language code: [a-z]{2,8} */
#define PROTO_LANGS_MAX        8  /* languages per profile */
#define PROTO_COMPETENCIES_MAX 32 /* competencies per profile/explain */
#define PROTO_PROGRAMS_MAX     16 /* programs of a coach */
#define PROTO_GOALS_MAX        1000
#define PROTO_BIO_MAX          2000
#define PROTO_LEVEL_MAX        5 /* competency levels 0..5 / 1..5 */
#define PROTO_RANK_MIN         1
#define PROTO_RANK_MAX         6
#define PROTO_CAPACITY_MAX     50
#define PROTO_SCORE_MAX        10000
#define PROTO_AVAIL_BITS       21 /* 7 days x morning/afternoon/evening */
#define PROTO_AVAIL_ALL        ((1u << PROTO_AVAIL_BITS) - 1)
#define PROTO_WEIGHT_MAX       100.0 /* policy weights are 0..100 */
#define PROTO_COMP_WEIGHTS_MAX 64    /* entries of policy.competency_weights */
#define PROTO_EMAIL_MAX        254   /* an e-mail address (RFC 5321's path limit) */
#define PROTO_PHONE_MAX        16    /* E.164: '+' and at most 15 digits */

/* The contact fields both profiles have (DESIGN §9, "People see each
 * other"): email (optional, 3..254 bytes, exactly one '@' between a local
 * part of 1..64 and a domain with a dot), phone (optional, E.164: '+' then
 * 8..15 digits, the first not 0), language (`id`, the default, or `en`:
 * the language of the person's notifications and app), notify (optional
 * map {kind: bool} over proto_notify_kind_names, design.md §10: false turns
 * the mail of that kind off; absent kinds are on; packed as the map of the
 * kinds turned off).  Absent = "" / PROTO_LANGUAGE_ID / every kind on, and
 * packed only when set, so profiles stored before these fields keep their
 * bytes. */
typedef enum proto_language { PROTO_LANGUAGE_ID = 0, PROTO_LANGUAGE_EN, PROTO_LANGUAGE__COUNT } proto_language;
extern const char *const proto_language_names[]; /* "id", "en", NULL */

/* The kinds of mail outside the app (design.md §10), the keys of notify:
 * a match approved, requested (to the coach), accepted by both sides,
 * declined, cancelled, completed; a meeting planned, moved or cancelled
 * (its iCalendar invitation); a reminder; the coordinators' digest. */
typedef enum proto_notify_kind {
    PROTO_NOTIFY_APPROVED = 0,
    PROTO_NOTIFY_REQUESTED,
    PROTO_NOTIFY_ACCEPTED,
    PROTO_NOTIFY_DECLINED,
    PROTO_NOTIFY_CANCELLED,
    PROTO_NOTIFY_COMPLETED,
    PROTO_NOTIFY_MEETING,
    PROTO_NOTIFY_REMINDER,
    PROTO_NOTIFY_DIGEST,
    PROTO_NOTIFY__COUNT
} proto_notify_kind;
extern const char *const proto_notify_kind_names[]; /* "approved", ..., NULL */

/* NULL when s (len bytes) is an address as proto_contact's email says,
 * else why not (user.create's email uses the same rule). */
const char *proto_email_problem(const char *s, size_t len);

typedef struct proto_contact {
    char email[PROTO_EMAIL_MAX + 1];
    char phone[PROTO_PHONE_MAX + 1];
    proto_language language;
    uint32_t notify_off; /* bit k: mail of proto_notify_kind k is off */
} proto_contact;

/* NIP plausibility (design.md §4): yyyymmdd birth date, yyyymm appointment,
 * then 4 more digits.  Ages at appointment outside this range are refused. */
#define PROTO_NIP_BIRTH_YEAR_MIN   1940
#define PROTO_NIP_BIRTH_YEAR_MAX   2015
#define PROTO_NIP_APPOINT_YEAR_MIN 1958
#define PROTO_NIP_APPOINT_YEAR_MAX 2099
#define PROTO_NIP_APPOINT_AGE_MIN  16
#define PROTO_NIP_APPOINT_AGE_MAX  65

/* ------------------------------------------------------------------------
 * Error codes (design.md §2) and the error object {code, message, field?}.
 * --------------------------------------------------------------------- */

typedef enum proto_errcode {
    PROTO_E_NONE = 0,    /* no error ("" on the wire is never sent) */
    PROTO_E_BAD_FRAME,   /* framing broken or body not one msgpack
                                object; connection closes */
    PROTO_E_BAD_REQUEST, /* msgpack but not a valid request */
    PROTO_E_UNKNOWN_METHOD,
    PROTO_E_INVALID_PARAMS, /* a param failed validation; field is set */
    PROTO_E_UNAUTHENTICATED,
    PROTO_E_FORBIDDEN,
    PROTO_E_NOT_FOUND,
    PROTO_E_CONFLICT,
    PROTO_E_CAPACITY_FULL,
    PROTO_E_RATE_LIMITED,
    PROTO_E_TOO_LARGE,   /* a frame, count, length or depth over limit */
    PROTO_E_UNAVAILABLE, /* the store is down */
    PROTO_E_INTERNAL,
    PROTO_E__COUNT
} proto_errcode;

/* The wire string of a code ("bad_frame", ...); "internal" for values out
 * of range.  PROTO_E_NONE gives "". */
const char *proto_errcode_name(proto_errcode code);

/* Parse a wire string of len bytes (need not be NUL-terminated).  Returns
 * PROTO_OK and sets *out, or PROTO_ERR for an unknown string. */
int proto_errcode_parse(const char *s, size_t len, proto_errcode *out);

typedef struct proto_error {
    proto_errcode code;
    char message[PROTO_MESSAGE_MAX]; /* human text, NUL-terminated */
    char field[PROTO_PATH_MAX];      /* field path or "" when none */
} proto_error;

/* Set *e (e may be NULL: then nothing happens).  field may be NULL or "".
 * message is printf-formatted and truncated to fit; both strings are then
 * scrubbed to valid UTF-8 (see proto_utf8_scrub()).  Always returns
 * PROTO_ERR so callers can write `return proto_error_set(...)`. */
int proto_error_set(proto_error *e, proto_errcode code, const char *field, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Reset *e to code PROTO_E_NONE with empty strings. */
void proto_error_clear(proto_error *e);

/* ------------------------------------------------------------------------
 * Frames: incremental decoder and encoder helpers.
 * --------------------------------------------------------------------- */

typedef struct proto_reader proto_reader;

/* A new reader with a copy of *lim (NULL: defaults).  NULL when out of
 * memory. */
proto_reader *proto_reader_new(const proto_limits *lim);
void proto_reader_free(proto_reader *r); /* NULL is fine */

/* Append len bytes of stream data.  Each frame header is validated as soon
 * as its 4 bytes are in: a declared length 0 (bad_frame) or above
 * max_frame (too_large) puts the reader into its error state before any
 * byte of that body is buffered; the rest of the chunk is discarded.  Only
 * bytes of validated frames are ever buffered.  Returns PROTO_OK or
 * PROTO_ERR (error state or out of memory: internal); the error is
 * available from proto_reader_error().  Once in error state the reader
 * stays there: the stream cannot be resynchronised, close it. */
int proto_reader_feed(proto_reader *r, const void *data, size_t len);

/* Take the next complete frame body.  Returns 1 with *body and *len set (the
 * body, without its prefix, stays valid until the next call of feed or
 * next on this reader), 0 when no complete frame is buffered, PROTO_ERR
 * in error state.  Frames buffered before an error are still returned. */
int proto_reader_next(proto_reader *r, const char **body, size_t *len);

/* Call at end of stream.  PROTO_OK when no partial frame is buffered;
 * otherwise PROTO_ERR with bad_frame "truncated frame ..." (the reader
 * enters its error state). */
int proto_reader_eof(proto_reader *r);

/* Bytes buffered and not yet returned by proto_reader_next (including a
 * partial frame): for the server's per-connection memory accounting. */
size_t proto_reader_buffered(const proto_reader *r);

/* The reader's error; code PROTO_E_NONE when it is not in error state. */
const proto_error *proto_reader_error(const proto_reader *r);

/* Decode a 4-byte prefix and check it against *lim (NULL: defaults):
 * PROTO_OK with *len set, or PROTO_ERR (bad_frame for 0, too_large above
 * max_frame).  For callers that frame straight out of an evbuffer. */
int proto_frame_header(const unsigned char hdr[PROTO_FRAME_HEADER], const proto_limits *lim, uint32_t *len,
                       proto_error *err);

/* Reserve the 4-byte prefix of a new frame at the end of sb and return its
 * offset; pack exactly one object into sb, then call proto_frame_end().
 * Several frames may be built one after another in one sbuffer. */
size_t proto_frame_begin(msgpack_sbuffer *sb);

/* Patch the prefix reserved at offset `at` with the body length.  If the
 * body is empty or longer than lim->max_frame (lim NULL: defaults) the
 * frame is removed from sb (sb->size = at) and PROTO_ERR is returned with
 * too_large (or internal for an empty body). */
int proto_frame_end(msgpack_sbuffer *sb, size_t at, const proto_limits *lim, proto_error *err);

/* ------------------------------------------------------------------------
 * Body pre-check.
 * --------------------------------------------------------------------- */

/* Walk one msgpack body of len bytes without allocating.  PROTO_OK when
 * the body is exactly one complete object whose every declared count and
 * length fits the bytes left (an array of N needs >= N bytes, a map of N
 * >= 2N, a str/bin/ext of N >= N) and the limits.  Errors:
 *   bad_frame  empty body, truncated object, reserved byte 0xc1, a declared
 *              size larger than the bytes left, trailing bytes;
 *   too_large  an array/map count, str/bin/ext length or nesting depth
 *              above *lim (NULL: defaults).
 * Only after PROTO_OK may the body be given to msgpack-c. */
int proto_body_check(const void *body, size_t len, const proto_limits *lim, proto_error *err);

/* ------------------------------------------------------------------------
 * msgpack-RPC messages.
 * --------------------------------------------------------------------- */

typedef enum proto_kind { PROTO_REQUEST = 0, PROTO_RESPONSE = 1, PROTO_NOTIFICATION = 2 } proto_kind;

#define PROTO_KIND_BIT(k) (1u << (k))
#define PROTO_KINDS_ANY   0x7u

/* A decoded message.  It owns a copy of the body and msgpack-c's zone, so
 * it stays valid after the frame buffer is reused; release it with
 * proto_msg_destroy().  Fields not used by the kind are zero/NULL. */
typedef struct proto_msg {
    proto_kind kind;
    bool has_msgid;                    /* msgid below is meaningful */
    uint32_t msgid;                    /* request, response */
    char method[PROTO_METHOD_MAX + 1]; /* request, notification */
    const msgpack_object *params;      /* request, notification: a map */
    const msgpack_object *error;       /* response: nil or error map */
    const msgpack_object *result;      /* response */
    const msgpack_object *root;        /* the whole message */
    /* private */
    char *body_copy;
    msgpack_unpacked unpacked;
} proto_msg;

/* Decode one frame body into *m (always initialised, so it can always be
 * destroyed).  kinds is a mask of PROTO_KIND_BIT()s the caller accepts
 * (PROTO_KINDS_ANY for all).  Error codes, in the order they are checked:
 *   bad_frame / too_large  proto_body_check() failed, or msgpack-c refused;
 *   bad_request  root not an array of 3 or 4 (no field); kind not 0, 1
 *                or 2, or length wrong for the kind (field "kind"); msgid
 *                not an integer 0..2^32-1 ("msgid"); kind not accepted by
 *                `kinds` ("kind"); method not a string of
 *                1..PROTO_METHOD_MAX bytes of [A-Za-z0-9._] ("method");
 *                params not an array holding exactly one map ("params");
 *                a response error that is neither nil nor a map ("error").
 * When the msgid could be read before the failure, m->has_msgid is true so
 * the error response can carry it (design.md §2 says msgid 0 otherwise). */
int proto_msg_decode(proto_msg *m, const void *body, size_t len, const proto_limits *lim, unsigned kinds,
                     proto_error *err);

/* Free what proto_msg_decode() allocated; m may be reused afterwards. */
void proto_msg_destroy(proto_msg *m);

/* Pack the start of a request: [0, msgid, method, [ -- the caller then
 * packs exactly one map (the params) to complete the message. */
void proto_pack_request(msgpack_packer *pk, uint32_t msgid, const char *method);

/* Pack [2, method, [ -- the caller then packs exactly one map. */
void proto_pack_notification(msgpack_packer *pk, const char *method);

/* Pack [1, msgid, nil, -- the caller then packs exactly one result
 * object (a map for every method of design.md §3). */
void proto_pack_response_ok(msgpack_packer *pk, uint32_t msgid);

/* Pack a complete error response [1, msgid, {code, message, field?}, nil].
 * field is omitted when e->field is "". */
void proto_pack_response_error(msgpack_packer *pk, uint32_t msgid, const proto_error *e);

/* Pack a msgpack str from a NUL-terminated string (a convenience). */
void proto_pack_cstr(msgpack_packer *pk, const char *s);

/* Pack names[v] of a NULL-terminated name list (the *_names tables below)
 * as a str, or nil when v is out of range, so that a bad enum value in a
 * struct never reads out of bounds and is refused by the peer's decoder. */
void proto_pack_name(msgpack_packer *pk, const char *const *names, int v);

/* ------------------------------------------------------------------------
 * Typed param readers.
 *
 * A proto_map is a view of a msgpack map with the field path that leads to
 * it ("" for the params map itself).  proto_map_open() checks the map's
 * keys once: every key must be a string, appear once, and be listed in
 * `keys` (at most 64 names) -- otherwise invalid_params naming the key
 * ("unknown key", "duplicate key").  The readers then look keys up; a
 * value that is nil counts as absent.  Every failure is invalid_params
 * with the full path of the failing field and a message such as
 * "must be an integer 1..5".  The views point into the message; they are
 * valid while it is.
 * --------------------------------------------------------------------- */

typedef struct proto_map {
    const msgpack_object_map *map;
    char path[PROTO_PATH_MAX];
} proto_map;

typedef struct proto_array {
    const msgpack_object_array *arr;
    char path[PROTO_PATH_MAX];
} proto_array;

typedef enum proto_presence { PROTO_OPTIONAL = 0, PROTO_REQUIRED = 1 } proto_presence;

/* What characters a string may hold.  Every class requires valid UTF-8
 * (no overlongs, surrogates or code points above U+10FFFF) and refuses
 * NUL. */
typedef enum proto_charset {
    PROTO_CS_TEXT = 0, /* any character but C0 controls other than \t \n
                           \r, and DEL */
    PROTO_CS_LINE,     /* like TEXT, but no \t \n \r either */
    PROTO_CS_CODE,     /* [A-Za-z0-9._-] */
    PROTO_CS_LOWER,    /* [a-z] */
    PROTO_CS_DIGITS,   /* [0-9] */
    PROTO_CS_ANY       /* valid UTF-8 without NUL, nothing more */
} proto_charset;

/* The characters of PROTO_CS_CODE, for strspn(). */
#define PROTO_CODE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

/* Open obj (must be a map) as a proto_map at `path`; `keys` is a NULL-
 * terminated list of allowed names.  path NULL means "". */
int proto_map_open(proto_map *out, const msgpack_object *obj, const char *path, const char *const *keys,
                   proto_error *err);

/* The value of key in m, or NULL if absent.  nil values are returned. */
const msgpack_object *proto_map_get(const proto_map *m, const char *key);

/* Write the path of m's field `key` ("key" or "path.key") into buf; it is
 * truncated to fit.  Returns buf. */
char *proto_path_key(char *buf, size_t size, const char *path, const char *key);

/* Write the path of element i of `path` ("path[i]") into buf. */
char *proto_path_index(char *buf, size_t size, const char *path, size_t i);

/* Strings are copied NUL-terminated into out[outsz]; outsz must exceed
 * maxlen.  Length is in bytes and must be minlen..maxlen. */
int proto_read_str(const proto_map *m, const char *key, proto_presence req, size_t minlen, size_t maxlen,
                   proto_charset cs, char *out, size_t outsz, proto_error *err);

/* Integers (positive or negative msgpack ints, never floats) in min..max. */
int proto_read_int(const proto_map *m, const char *key, proto_presence req, int64_t min, int64_t max, int64_t *out,
                   proto_error *err);

/* A msgpack bool. */
int proto_read_bool(const proto_map *m, const char *key, proto_presence req, bool *out, proto_error *err);

/* A float (float32/64) or an integer, finite, in min..max. */
int proto_read_float(const proto_map *m, const char *key, proto_presence req, double min, double max, double *out,
                     proto_error *err);

/* A string equal to one of the NULL-terminated `names`; *out is its
 * index. */
int proto_read_enum(const proto_map *m, const char *key, proto_presence req, const char *const *names, int *out,
                    proto_error *err);

/* An array of minlen..maxlen elements; elements are read with the
 * proto_elem_*() functions below. */
int proto_read_array(const proto_map *m, const char *key, proto_presence req, size_t minlen, size_t maxlen,
                     proto_array *out, proto_error *err);

/* A nested map opened as with proto_map_open(). */
int proto_read_map(const proto_map *m, const char *key, proto_presence req, const char *const *keys, proto_map *out,
                   proto_error *err);

/* Element i (< a->arr->size) of an array; same rules as the map readers,
 * path "path[i]".  They return PROTO_OK or PROTO_ERR. */
int proto_elem_str(const proto_array *a, size_t i, size_t minlen, size_t maxlen, proto_charset cs, char *out,
                   size_t outsz, proto_error *err);
int proto_elem_int(const proto_array *a, size_t i, int64_t min, int64_t max, int64_t *out, proto_error *err);
int proto_elem_enum(const proto_array *a, size_t i, const char *const *names, int *out, proto_error *err);
int proto_elem_map(const proto_array *a, size_t i, const char *const *keys, proto_map *out, proto_error *err);

/* Check that s[0..len) is valid UTF-8 (RFC 3629).  1 if valid, else 0. */
int proto_utf8_valid(const char *s, size_t len);

/* Replace every byte of the NUL-terminated s that is not part of a valid
 * UTF-8 sequence by '?' (e.g. a sequence cut by truncation).  Used by
 * proto_error_set(), so error texts are always valid on the wire. */
void proto_utf8_scrub(char *s);

/* ------------------------------------------------------------------------
 * Vocabulary: the catalogue codes a profile may use.  proto never reads
 * data/; whoever loads the catalogues hands the codes over here.  Each
 * list is sorted by strcmp() and holds no duplicates.  Competency codes of
 * the form T.<sector> (sector [a-z0-9_]{1,30}) are accepted by pattern
 * whether listed or not.  A NULL vocabulary skips catalogue membership
 * checks (format checks still apply): for clients, never for the server.
 * --------------------------------------------------------------------- */

typedef struct proto_vocab {
    const char *const *provinces;
    size_t n_provinces;
    const char *const *position_classes;
    size_t n_position_classes;
    const char *const *competencies;
    size_t n_competencies;
} proto_vocab;

/* PROTO_OK if every list is sorted and duplicate-free, else PROTO_ERR
 * (internal, message names the list). */
int proto_vocab_check(const proto_vocab *v, proto_error *err);

/* 1 if code is in the (sorted) list of n codes, else 0. */
int proto_vocab_has(const char *const *list, size_t n, const char *code);

/* 1 if s is a well-formed competency code (catalogue-style like "M.01"
 * or "T.<sector>") that v accepts, else 0. */
int proto_competency_ok(const proto_vocab *v, const char *code);

/* Check an 18-digit NIP/PPPK number: exactly 18 digits; digits 1-8 a real
 * date yyyymmdd with year PROTO_NIP_BIRTH_YEAR_MIN..MAX; digits 9-14 an
 * appointment yyyymm with month 1..12, year PROTO_NIP_APPOINT_YEAR_MIN..MAX
 * and an age at appointment of PROTO_NIP_APPOINT_AGE_MIN..MAX.  Digits
 * 15-18 (gender, sequence) are not checked.  PROTO_OK or PROTO_ERR with
 * invalid_params at `field` and a message saying which part is wrong. */
int proto_nip_check(const char *s, size_t len, const char *field, proto_error *err);

/* ------------------------------------------------------------------------
 * Domain objects (design.md §3, §4, §5).
 *
 * Each codec has a decoder that applies every validation and fills a
 * fixed-size struct (no allocation, nothing to free), and a packer that
 * writes the msgpack map.  Decoders take the object, the path of the
 * object for error messages ("profile", "" ...) and, where catalogues
 * matter, a vocabulary.  Packers do not validate: pack what decoded, or
 * what the server built within the documented ranges (they do clamp
 * counts to the structs' arrays and pack an out-of-range enum as nil, so a
 * bad struct never makes them read out of bounds).  Optional fields that
 * are absent decode to the documented default.
 * --------------------------------------------------------------------- */

/* Modality bits. */
#define PROTO_MOD_ONLINE  1u
#define PROTO_MOD_OFFLINE 2u

typedef struct proto_mentee_comp {
    char code[PROTO_CODE_MAX + 1];
    uint8_t current;  /* 0..5 */
    uint8_t required; /* 1..5 */
} proto_mentee_comp;

typedef struct proto_coach_comp {
    char code[PROTO_CODE_MAX + 1];
    uint8_t level; /* 1..5 */
} proto_coach_comp;

/* Mentee profile.  Keys: id (NIP, required), name (1..128, required),
 * agency (code 1..32, required), position_class (vocab, required),
 * province (vocab, required), program (code 1..32, required), competencies
 * (0..32 {code, current 0..5, required 1..5}, distinct codes, required),
 * modality (1..2 distinct of "online"/"offline", required), languages
 * (1..8 distinct codes [a-z]{2,8}, required), availability (0..2^21-1,
 * default 0 = any slot), goals (text 0..1000, default ""); email, phone,
 * language (proto_contact). */
typedef struct proto_mentee {
    char id[PROTO_NIP_LEN + 1];
    char name[PROTO_NAME_MAX + 1];
    char agency[PROTO_AGENCY_MAX + 1];
    char position_class[PROTO_CODE_MAX + 1];
    char province[PROTO_CODE_MAX + 1];
    char program[PROTO_CODE_MAX + 1];
    size_t n_competencies;
    proto_mentee_comp competencies[PROTO_COMPETENCIES_MAX];
    unsigned modality; /* PROTO_MOD_* bits, non-zero */
    size_t n_languages;
    char languages[PROTO_LANGS_MAX][PROTO_LANG_MAX + 1];
    uint32_t availability; /* bit d*3+s: day d (0 = Monday),
                                           slot s (0 morning, 1 afternoon,
                                           2 evening); 0 = any */
    char goals[PROTO_GOALS_MAX + 1];
    proto_contact contact;
} proto_mentee;

typedef enum proto_coach_kind {
    PROTO_COACH_PKN1_ALUMNI = 0,
    PROTO_COACH_PKN2_ALUMNI,
    PROTO_COACH_CORPORATE_LEADER,
    PROTO_COACH_WIDYAISWARA,
    PROTO_COACH_SENIOR_OFFICIAL,
    PROTO_COACH_KIND__COUNT
} proto_coach_kind;

/* Coach profile.  Keys: id ([A-Za-z0-9._-]{1,40}, required), name
 * (1..128, required), kind (enum, required), organization (line 1..128,
 * required; compared with a mentee's agency for same_agency), rank (1..6,
 * required), province (vocab, required), competencies (0..32 {code, level
 * 1..5}, distinct codes, required), capacity (0..50, required), programs
 * (1..16 distinct codes, required: DESIGN §9), modality, languages (as
 * mentee, required), availability (default 0), bio (text 0..2000,
 * default ""); email, phone, language (proto_contact). */
typedef struct proto_coach {
    char id[PROTO_ID_MAX + 1];
    char name[PROTO_NAME_MAX + 1];
    proto_coach_kind kind;
    char organization[PROTO_ORG_MAX + 1];
    uint8_t rank;
    char province[PROTO_CODE_MAX + 1];
    size_t n_competencies;
    proto_coach_comp competencies[PROTO_COMPETENCIES_MAX];
    uint8_t capacity;
    size_t n_programs;
    char programs[PROTO_PROGRAMS_MAX][PROTO_CODE_MAX + 1];
    unsigned modality;
    size_t n_languages;
    char languages[PROTO_LANGS_MAX][PROTO_LANG_MAX + 1];
    uint32_t availability;
    char bio[PROTO_BIO_MAX + 1];
    proto_contact contact;
} proto_coach;

/* Cards (design.md §9, "People see each other"): what one side of a match
 * sees of the other.  Mentee card keys: id, name, agency, position_class,
 * province (required), goals (default ""), email, phone (optional: only
 * when the viewer may see contacts).  Coach card keys: id, name, kind,
 * organization, province, languages (required), bio (default ""), email,
 * phone.  Decoded without catalogues: a card repeats a stored profile. */
typedef struct proto_mentee_card {
    char id[PROTO_NIP_LEN + 1];
    char name[PROTO_NAME_MAX + 1];
    char agency[PROTO_AGENCY_MAX + 1];
    char position_class[PROTO_CODE_MAX + 1];
    char province[PROTO_CODE_MAX + 1];
    char goals[PROTO_GOALS_MAX + 1];
    proto_contact contact; /* email, phone; language unused */
} proto_mentee_card;

typedef struct proto_coach_card {
    char id[PROTO_ID_MAX + 1];
    char name[PROTO_NAME_MAX + 1];
    proto_coach_kind kind;
    char organization[PROTO_ORG_MAX + 1];
    char province[PROTO_CODE_MAX + 1];
    char bio[PROTO_BIO_MAX + 1];
    size_t n_languages;
    char languages[PROTO_LANGS_MAX][PROTO_LANG_MAX + 1];
    proto_contact contact; /* email, phone; language unused */
} proto_coach_card;

int proto_mentee_card_decode(const msgpack_object *obj, const char *path, proto_mentee_card *out, proto_error *err);
void proto_mentee_card_pack(msgpack_packer *pk, const proto_mentee_card *c);
int proto_coach_card_decode(const msgpack_object *obj, const char *path, proto_coach_card *out, proto_error *err);
void proto_coach_card_pack(msgpack_packer *pk, const proto_coach_card *c);

int proto_mentee_decode(const msgpack_object *obj, const char *path, const proto_vocab *v, proto_mentee *out,
                        proto_error *err);
void proto_mentee_pack(msgpack_packer *pk, const proto_mentee *m);

int proto_coach_decode(const msgpack_object *obj, const char *path, const proto_vocab *v, proto_coach *out,
                       proto_error *err);
void proto_coach_pack(msgpack_packer *pk, const proto_coach *c);

/* Names of the enumerations, indexable by their enum values, NULL-
 * terminated (usable as proto_read_enum() lists). */
extern const char *const proto_coach_kind_names[];
extern const char *const proto_objective_names[];
extern const char *const proto_mode_names[];
extern const char *const proto_match_status_names[];
extern const char *const proto_reason_names[];
extern const char *const proto_unmatched_names[];

/* Policy of a match run (design.md §5). */
typedef enum proto_objective { PROTO_OBJ_PARTICIPATION = 0, PROTO_OBJ_QUALITY } proto_objective;

typedef enum proto_mode { PROTO_MODE_OPTIMAL = 0, PROTO_MODE_STABLE } proto_mode;

typedef struct proto_comp_weight {
    char code[PROTO_CODE_MAX + 1];
    double weight; /* 0..PROTO_WEIGHT_MAX */
} proto_comp_weight;

/* Keys, all optional (absent = default): objective ("participation"),
 * mode ("optimal"), min_score (0..10000, 0), forbid_same_agency (true),
 * min_rank_gap (-5..5, 1), waitlist_bonus (0..10000, 500), weights {gap,
 * location, availability} (each 0..100, each optional, default 0.75 /
 * 0.15 / 0.10, sum > 0), competency_weights {code: 0..100} (0..64
 * entries, codes checked against the vocabulary, default weight 1). */
typedef struct proto_policy {
    proto_objective objective;
    proto_mode mode;
    int32_t min_score;
    bool forbid_same_agency;
    int32_t min_rank_gap;
    int32_t waitlist_bonus;
    double w_gap, w_location, w_availability;
    size_t n_comp_weights;
    proto_comp_weight comp_weights[PROTO_COMP_WEIGHTS_MAX];
} proto_policy;

void proto_policy_default(proto_policy *p);
int proto_policy_decode(const msgpack_object *obj, const char *path, const proto_vocab *v, proto_policy *out,
                        proto_error *err);
void proto_policy_pack(msgpack_packer *pk, const proto_policy *p);

/* Infeasibility reasons of a pair (design.md §5), in order of precedence;
 * `program` (the coach's programs do not include the mentee's) is the
 * matcher's addition to DESIGN's list and comes first. */
typedef enum proto_reason {
    PROTO_REASON_NONE = -1,
    PROTO_REASON_PROGRAM = 0,
    PROTO_REASON_CAPACITY,
    PROTO_REASON_SAME_AGENCY,
    PROTO_REASON_RANK,
    PROTO_REASON_MODALITY,
    PROTO_REASON_LANGUAGE,
    PROTO_REASON_AVAILABILITY,
    PROTO_REASON_FORBIDDEN,
    PROTO_REASON_MIN_SCORE,
    PROTO_REASON__COUNT
} proto_reason;

typedef struct proto_explain_comp {
    char code[PROTO_CODE_MAX + 1];
    uint8_t gap;         /* 0..5: max(0, required - current) */
    uint8_t coach_level; /* 0..5: 0 when the coach lacks the code */
    uint8_t covered;     /* 0..gap: min(gap, max(0, coach_level-current)) */
} proto_explain_comp;

/* Keys: score (0..10000), feasible (bool), reason (enum, only when
 * infeasible; required then, refused otherwise), gap_coverage, location,
 * availability (floats 0..1), competencies (0..32 entries). */
typedef struct proto_explain {
    int32_t score;
    bool feasible;
    proto_reason reason; /* PROTO_REASON_NONE when feasible */
    double gap_coverage, location, availability;
    size_t n_competencies;
    proto_explain_comp competencies[PROTO_COMPETENCIES_MAX];
} proto_explain;

int proto_explain_decode(const msgpack_object *obj, const char *path, proto_explain *out, proto_error *err);
void proto_explain_pack(msgpack_packer *pk, const proto_explain *e);

typedef enum proto_match_status {
    PROTO_MATCH_PROPOSED = 0,
    PROTO_MATCH_REQUESTED,
    PROTO_MATCH_APPROVED,
    PROTO_MATCH_ACCEPTED,
    PROTO_MATCH_ACTIVE,
    PROTO_MATCH_COMPLETED,
    PROTO_MATCH_REJECTED,
    PROTO_MATCH_DECLINED,
    PROTO_MATCH_CANCELLED,
    PROTO_MATCH_STATUS__COUNT
} proto_match_status;

#define PROTO_LOGIN_MAX 64 /* login name: [A-Za-z0-9._@-]{1,64} */

typedef enum proto_role {
    PROTO_ROLE_ADMIN = 0,
    PROTO_ROLE_COORDINATOR,
    PROTO_ROLE_MENTEE,
    PROTO_ROLE_COACH,
    PROTO_ROLE__COUNT
} proto_role;

/* A note on a match (match.get): by (the coordinator's login, or the
 * mentee's or coach's id), role (of proto_role_names), text
 * (1..PROTO_NOTE_MAX), at (unix seconds).  A match keeps its last
 * PROTO_MATCH_NOTES_MAX notes. */
#define PROTO_MATCH_NOTES_MAX 8
#define PROTO_NOTE_MAX        500 /* API_NOTE_MAX (objects.c asserts it) */
typedef struct proto_match_note {
    char by[PROTO_LOGIN_MAX + 1];
    proto_role role;
    char text[PROTO_NOTE_MAX + 1];
    int64_t at;
} proto_match_note;

/* Keys: id (code 1..64), program (code 1..32), mentee_id (NIP), coach_id
 * (coach id), status (enum), score (0..10000), run_id (code 1..64,
 * optional), explain (optional), created_at, updated_at (unix seconds
 * 0..2^53), mentee, coach (cards, optional), notes (0..8 notes,
 * optional). */
typedef struct proto_match {
    char id[PROTO_OBJID_MAX + 1];
    char program[PROTO_CODE_MAX + 1];
    char mentee_id[PROTO_NIP_LEN + 1];
    char coach_id[PROTO_ID_MAX + 1];
    proto_match_status status;
    int32_t score;
    char run_id[PROTO_OBJID_MAX + 1]; /* "" when absent */
    bool has_explain;
    proto_explain explain;
    int64_t created_at, updated_at;
    bool has_mentee, has_coach; /* the cards the viewer may see (§9) */
    proto_mentee_card mentee;
    proto_coach_card coach;
    bool has_notes; /* match.get only */
    size_t n_notes;
    proto_match_note notes[PROTO_MATCH_NOTES_MAX];
} proto_match;

int proto_match_decode(const msgpack_object *obj, const char *path, proto_match *out, proto_error *err);
void proto_match_pack(msgpack_packer *pk, const proto_match *m);

/* Reasons a mentee stays unmatched after a run. */
typedef enum proto_unmatched {
    PROTO_UNMATCHED_NO_FEASIBLE_COACH = 0,
    PROTO_UNMATCHED_CAPACITY,
    PROTO_UNMATCHED_BELOW_MIN_SCORE,
    PROTO_UNMATCHED__COUNT
} proto_unmatched;

/* Keys: mentees, coaches, matched (0..2^32-1), unmatched {reason: count}
 * (keys of proto_unmatched_names, each optional, default 0; packed with
 * all three), total_score (0..2^53), mean_score (0..10000), mean_gap_coverage
 * (0..1), certified (bool), elapsed_ms (0..2^53), warm (bool: the solve
 * started from the program's previous run), warm_mentees (mentees whose
 * candidates were reused, 0..mentees) and coach_classes (classes of
 * identical coaches the engine solved as one coach each, 0 = coach by
 * coach, 0..coaches); the last three optional (runs recorded before them),
 * default false and 0. */
typedef struct proto_run_stats {
    uint32_t mentees, coaches, matched;
    uint32_t unmatched[PROTO_UNMATCHED__COUNT];
    int64_t total_score;
    double mean_score, mean_gap_coverage;
    bool certified;
    int64_t elapsed_ms;
    bool warm;
    uint32_t warm_mentees;
    uint32_t coach_classes;
} proto_run_stats;

int proto_run_stats_decode(const msgpack_object *obj, const char *path, proto_run_stats *out, proto_error *err);
void proto_run_stats_pack(msgpack_packer *pk, const proto_run_stats *s);

/* ------------------------------------------------------------------------
 * Results and notification params (proto/results.c): the objects of
 * design.md §3 that coachnetd answers with, built on the codecs above.  The
 * same rules: decoders validate every field and name it in the error,
 * packers trust the struct (clamped counts, nil for a bad enum).
 * --------------------------------------------------------------------- */

#define PROTO_TOKEN_MAX  127                /* bytes of a session token (opaque to clients) */
#define PROTO_COUNT_MAX  (INT64_C(1) << 53) /* counts, totals, seconds: exact in a float64 client */
#define PROTO_JP_MINUTES 45                 /* 1 JP (jam pelajaran) = 45 minutes */

typedef enum proto_run_phase {
    PROTO_PHASE_SNAPSHOT = 0, /* coachnetd reads the program from Redis */
    PROTO_PHASE_PREPARE,      /* libmatcher's phases ... */
    PROTO_PHASE_ESTIMATE,
    PROTO_PHASE_SCORE,
    PROTO_PHASE_SOLVE,
    PROTO_PHASE_PRICE,
    PROTO_PHASE_STABLE,
    PROTO_PHASE_FINISH, /* ... */
    PROTO_PHASE_STORE,  /* coachnetd writes the proposals */
    PROTO_PHASE__COUNT
} proto_run_phase;

typedef enum proto_run_status {
    PROTO_RUN_DONE = 0,
    PROTO_RUN_FAILED,
    PROTO_RUN_CANCELLED,
    PROTO_RUN_STATUS__COUNT
} proto_run_status;

extern const char *const proto_role_names[];
extern const char *const proto_run_phase_names[];
extern const char *const proto_run_status_names[];

/* The session of auth.login {token, role, subject?, programs?, expires_in}
 * and of auth.resume {login, role, subject?, expires_in}.  Keys: exactly one
 * of token (1..127 of [A-Za-z0-9._-]) and login (1..64 of
 * [A-Za-z0-9._@-]); role (enum, required); subject (1..40 of
 * [A-Za-z0-9._-]; required for mentee and coach, refused otherwise);
 * programs (0..16 distinct codes, coordinators only, optional);
 * expires_in (seconds 0..2^53, required).  Packed in that key order. */
typedef struct proto_session {
    char token[PROTO_TOKEN_MAX + 1]; /* "" when absent */
    char login[PROTO_LOGIN_MAX + 1]; /* "" when absent */
    proto_role role;
    char subject[PROTO_ID_MAX + 1]; /* "" when absent */
    bool has_programs;
    size_t n_programs;
    char programs[PROTO_PROGRAMS_MAX][PROTO_CODE_MAX + 1];
    int64_t expires_in;
} proto_session;

int proto_session_decode(const msgpack_object *obj, const char *path, proto_session *out, proto_error *err);
void proto_session_pack(msgpack_packer *pk, const proto_session *s);

/* One item of match.suggest's {items}: {coach_id (coach id, required),
 * score (0..10000, required), explain (required key, nil when the
 * explanation could not be made)}. */
typedef struct proto_suggestion {
    char coach_id[PROTO_ID_MAX + 1];
    int32_t score;
    bool has_explain;
    proto_explain explain;
    bool has_coach; /* the coach's card, no contacts (design.md §9) */
    proto_coach_card coach;
} proto_suggestion;

int proto_suggestion_decode(const msgpack_object *obj, const char *path, proto_suggestion *out, proto_error *err);
void proto_suggestion_pack(msgpack_packer *pk, const proto_suggestion *s);

/* One item of match.review's {results}: {id, status} when the decision was
 * applied, {id, error: {code, message, field?}} when not.  id (code
 * 1..64, required); exactly one of status (match status) and error (the
 * error object, see proto_error_decode()). */
typedef struct proto_review_item {
    char id[PROTO_OBJID_MAX + 1];
    bool ok; /* status is set, else error */
    proto_match_status status;
    proto_error error;
} proto_review_item;

int proto_review_item_decode(const msgpack_object *obj, const char *path, proto_review_item *out, proto_error *err);
void proto_review_item_pack(msgpack_packer *pk, const proto_review_item *r);

/* The version of this protocol (docs/protocol.md): raised when a change
 * would break a client of the previous one.  server.info answers it. */
#define PROTO_VERSION            1
#define PROTO_SERVER_VERSION_MAX 32 /* bytes of a server version text */

/* server.info's result: version (line 1..32, coachnetd's release),
 * protocol (1..2^31), time (the server's unix time, 0..2^53).  Packed in
 * that key order. */
typedef struct proto_server_info {
    char version[PROTO_SERVER_VERSION_MAX + 1];
    int64_t protocol;
    int64_t time;
} proto_server_info;

int proto_server_info_decode(const msgpack_object *obj, const char *path, proto_server_info *out, proto_error *err);
void proto_server_info_pack(msgpack_packer *pk, const proto_server_info *s);

/* meeting.log's result, all required: {meeting_id (code 1..64), confirmed
 * (bool: this call confirmed the other side's record of the date), minutes
 * (of the record, 1..API_MEETING_MINUTES_MAX), jp (proto_jp(minutes)),
 * year (of the meeting's date, PROTO_MEETING_YEAR_MIN..MAX), minutes_total
 * (the mentee's minutes of that year, minutes..2^53), jp_total
 * (proto_jp(minutes_total)), jp_target (the program's yearly JP target,
 * 0..API_JP_TARGET_MAX)}.  JP travel as floats already rounded to one
 * decimal; the decoder checks that they are the minutes' JP. */
#define PROTO_MEETING_YEAR_MIN 2000
#define PROTO_MEETING_YEAR_MAX 2100
typedef struct proto_meeting {
    char meeting_id[PROTO_OBJID_MAX + 1];
    bool confirmed;
    int64_t minutes;
    double jp;
    int64_t year;
    int64_t minutes_total;
    double jp_total;
    int64_t jp_target;
} proto_meeting;

/* The JP of a number of minutes (>= 0) as coachnet reports it: minutes /
 * PROTO_JP_MINUTES rounded to one decimal, halves up (30 minutes: 0.7 JP).
 * Computed from whole tenths, so every sender and reader gets the same
 * double. */
double proto_jp(int64_t minutes);

int proto_meeting_decode(const msgpack_object *obj, const char *path, proto_meeting *out, proto_error *err);
void proto_meeting_pack(msgpack_packer *pk, const proto_meeting *m);

/* One pair rule of match.pins' {pins, forbids}: {mentee_id, coach_id}
 * (codes 1..PROTO_ID_MAX), both required. */
typedef struct proto_pair_rule {
    char mentee_id[PROTO_ID_MAX + 1];
    char coach_id[PROTO_ID_MAX + 1];
} proto_pair_rule;

int proto_pair_rule_decode(const msgpack_object *obj, const char *path, proto_pair_rule *out, proto_error *err);
void proto_pair_rule_pack(msgpack_packer *pk, const proto_pair_rule *pr);

/* One item of meeting.list: {id (code 1..64), date (YYYY-MM-DD), minutes
 * (1..API_MEETING_MINUTES_MAX), topic (line 0..PROTO_TOPIC_MAX), logged_by
 * (mentee|coach), confirmed_by? (the other side: absent until it
 * confirmed)}. */
#define PROTO_DATE_LEN  10  /* YYYY-MM-DD */
#define PROTO_TOPIC_MAX 200 /* bytes of a meeting topic: api/limits.json's TOPIC_MAX */
typedef struct proto_meeting_item {
    char id[PROTO_OBJID_MAX + 1];
    char date[PROTO_DATE_LEN + 1];
    int64_t minutes;
    char topic[PROTO_TOPIC_MAX + 1];
    bool mentee_logged; /* logged_by: mentee, else coach */
    bool confirmed;     /* confirmed_by is present: the side that did not log */
} proto_meeting_item;

int proto_meeting_item_decode(const msgpack_object *obj, const char *path, proto_meeting_item *out, proto_error *err);
void proto_meeting_item_pack(msgpack_packer *pk, const proto_meeting_item *mi);

/* jp.get's result, all required: {mentee_id (code 1..PROTO_ID_MAX), year
 * (PROTO_MEETING_YEAR_MIN..MAX), minutes (of the mentee's meetings dated
 * in that year, 0..2^53), jp (proto_jp(minutes)), target (the program's
 * yearly JP target, 0..2^53)}. */
typedef struct proto_jp_result {
    char mentee_id[PROTO_ID_MAX + 1];
    int64_t year;
    int64_t minutes;
    double jp;
    double target;
} proto_jp_result;

int proto_jp_result_decode(const msgpack_object *obj, const char *path, proto_jp_result *out, proto_error *err);
void proto_jp_result_pack(msgpack_packer *pk, const proto_jp_result *j);

/* One item of feedback.list: {match_id (code 1..64), by (the side's id,
 * code 1..PROTO_ID_MAX), role (mentee|coach), rating (1..5), comment (text
 * 0..PROTO_COMMENT_MAX), at (unix seconds, 0..2^53)}, all required. */
#define PROTO_COMMENT_MAX 2000 /* bytes of a feedback comment: api/limits.json's COMMENT_MAX */
#define PROTO_RATING_MAX  5    /* ratings are 1..5 */
typedef struct proto_feedback_item {
    char match_id[PROTO_OBJID_MAX + 1];
    char by[PROTO_ID_MAX + 1];
    bool mentee; /* role: mentee, else coach */
    int64_t rating;
    char comment[PROTO_COMMENT_MAX + 1];
    int64_t at;
} proto_feedback_item;

int proto_feedback_item_decode(const msgpack_object *obj, const char *path, proto_feedback_item *out, proto_error *err);
void proto_feedback_item_pack(msgpack_packer *pk, const proto_feedback_item *f);

/* One item of audit.list: {at (unix seconds, 0..2^53), actor (line
 * 0..PROTO_LOGIN_MAX), action (code 1..PROTO_METHOD_MAX), object (line
 * 0..PROTO_AUDIT_OBJECT_MAX), detail (text 0..PROTO_AUDIT_DETAIL_MAX)}, all
 * required. */
#define PROTO_AUDIT_OBJECT_MAX 128  /* "kind id" */
#define PROTO_AUDIT_DETAIL_MAX 2000 /* api/limits.json's AUDIT_DETAIL_MAX */
typedef struct proto_audit_item {
    int64_t at;
    char actor[PROTO_LOGIN_MAX + 1];
    char action[PROTO_METHOD_MAX + 1];
    char object[PROTO_AUDIT_OBJECT_MAX + 1];
    char detail[PROTO_AUDIT_DETAIL_MAX + 1];
} proto_audit_item;

int proto_audit_item_decode(const msgpack_object *obj, const char *path, proto_audit_item *out, proto_error *err);
void proto_audit_item_pack(msgpack_packer *pk, const proto_audit_item *a);

/* One item of mail.dead (design.md §10): {id (code 1..PROTO_OBJID_MAX: the
 * dead letter's stream id), event (code 1..PROTO_OBJID_MAX: the outbox
 * event), kind (code 1..PROTO_CODE_MAX), to (line 1..PROTO_MAIL_TO_MAX:
 * mentee:<id>, coach:<id> or user:<login>), match (code 0..PROTO_OBJID_MAX),
 * reason (text 0..PROTO_MAIL_REASON_MAX), tries (count), at (unix seconds)},
 * all required. */
#define PROTO_MAIL_TO_MAX     160 /* "user:" + a login */
#define PROTO_MAIL_REASON_MAX 512 /* the last SMTP reply or error */
typedef struct proto_dead_mail {
    char id[PROTO_OBJID_MAX + 1];
    char event[PROTO_OBJID_MAX + 1];
    char kind[PROTO_CODE_MAX + 1];
    char to[PROTO_MAIL_TO_MAX + 1];
    char match[PROTO_OBJID_MAX + 1];
    char reason[PROTO_MAIL_REASON_MAX + 1];
    int64_t tries;
    int64_t at;
} proto_dead_mail;

int proto_dead_mail_decode(const msgpack_object *obj, const char *path, proto_dead_mail *out, proto_error *err);
void proto_dead_mail_pack(msgpack_packer *pk, const proto_dead_mail *d);

/* run.progress params {run_id (code 1..64), phase (enum), done, total
 * (0..2^53)}, all required. */
typedef struct proto_run_progress {
    char run_id[PROTO_OBJID_MAX + 1];
    proto_run_phase phase;
    int64_t done, total;
} proto_run_progress;

int proto_run_progress_decode(const msgpack_object *obj, const char *path, proto_run_progress *out, proto_error *err);
void proto_run_progress_pack(msgpack_packer *pk, const proto_run_progress *p);

/* run.done params {run_id (code 1..64), status (enum), stats (run
 * statistics)}, all required. */
typedef struct proto_run_done {
    char run_id[PROTO_OBJID_MAX + 1];
    proto_run_status status;
    proto_run_stats stats;
} proto_run_done;

int proto_run_done_decode(const msgpack_object *obj, const char *path, proto_run_done *out, proto_error *err);
void proto_run_done_pack(msgpack_packer *pk, const proto_run_done *d);

/* A run's state in its record: running, then one of run.done's statuses. */
typedef enum proto_run_state {
    PROTO_RUN_STATE_RUNNING = 0,
    PROTO_RUN_STATE_DONE,
    PROTO_RUN_STATE_FAILED,
    PROTO_RUN_STATE_CANCELLED,
    PROTO_RUN_STATE__COUNT
} proto_run_state;

extern const char *const proto_run_state_names[];

/* A run record, run.get's {run} and run.list's items: id (code 1..64),
 * program (code 1..32), status (proto_run_state_names), draft (bool),
 * published_at? (0..2^53), policy (a map, kept as the msgpack object: the
 * policy codec needs the catalogues; it points into the decoded buffer),
 * stats? (run statistics; absent while running), started_at (0..2^53),
 * finished_at? (0..2^53), by (login 1..64). */
typedef struct proto_run {
    char id[PROTO_OBJID_MAX + 1];
    char program[PROTO_CODE_MAX + 1];
    proto_run_state status;
    bool draft;
    bool has_published_at, has_stats, has_finished_at;
    int64_t published_at, started_at, finished_at;
    msgpack_object policy;
    proto_run_stats stats;
    char by[PROTO_LOGIN_MAX + 1];
} proto_run;

int proto_run_decode(const msgpack_object *obj, const char *path, proto_run *out, proto_error *err);
void proto_run_pack(msgpack_packer *pk, const proto_run *r);

/* An item of run.unmatched: {mentee_id (code 1..40), name (line 0..128:
 * empty when the mentee is gone), reason (proto_unmatched_names)}. */
typedef struct proto_unmatched_item {
    char mentee_id[PROTO_ID_MAX + 1];
    char name[PROTO_NAME_MAX + 1];
    proto_unmatched reason;
} proto_unmatched_item;

int proto_unmatched_item_decode(const msgpack_object *obj, const char *path, proto_unmatched_item *out,
                                proto_error *err);
void proto_unmatched_item_pack(msgpack_packer *pk, const proto_unmatched_item *u);

/* stats.get's result.  Keys, all required: program (code 1..32);
 * mentees, coaches, capacity, load (0..2^53); utilisation, coverage
 * (floats >= 0: seats taken / seats, and mentees with a live or completed
 * match / mentees; above 1 when capacities were lowered under the seats
 * taken or mentees left the program); matches {status: count} (keys of
 * proto_match_status_names, each optional, counts 0..2^53; packed with
 * the statuses whose count is not 0); unmatched {reason: count} (as in the
 * run statistics: each optional, packed with all three); last_run_id (code
 * 1..64, or nil before the first run); jp_minutes (0..2^53); jp_total
 * (proto_jp(jp_minutes): one decimal); feedback {count (0..2^53), mean_rating
 * (0..5)}.  Packed in that key order.  With stats.get {by}, one more key,
 * breakdown {by (proto_stats_by_names), rows: [proto_stats_row...]
 * (0..PROTO_STATS_ROWS_MAX)}: packed when by >= 0 from `rows` (the
 * caller's, n_rows of them) or, when rows is NULL, from `rows_obj`.  The
 * decoder checks every row and sets by, n_rows and rows_obj (the rows
 * array, borrowed from the decoded object: valid while it is), rows NULL;
 * read a row with proto_stats_row_decode(). */
enum { PROTO_STATS_ROWS_MAX = 10000 };
extern const char *const proto_stats_by_names[]; /* province agency competency coach_kind, NULL */
typedef struct proto_stats_row {
    char key[PROTO_CODE_MAX + 1]; /* the province, agency or competency code, or the coach kind */
    int64_t mentees, matched, coaches, capacity, load;
} proto_stats_row;
int proto_stats_row_decode(const msgpack_object *obj, const char *path, proto_stats_row *out, proto_error *err);
/* The rows array of a decoded stats.get result (NULL when it has none). */
const msgpack_object *proto_stats_rows(const msgpack_object *stats);
typedef struct proto_program_stats {
    char program[PROTO_CODE_MAX + 1];
    int64_t mentees, coaches, capacity, load;
    double utilisation, coverage;
    int64_t matches[PROTO_MATCH_STATUS__COUNT];
    uint32_t unmatched[PROTO_UNMATCHED__COUNT];
    char last_run_id[PROTO_OBJID_MAX + 1]; /* "" when nil */
    int64_t jp_minutes;
    double jp_total; /* proto_jp(jp_minutes): one decimal */
    int64_t feedback_count;
    double feedback_mean_rating;
    int by; /* -1: no breakdown */
    const proto_stats_row *rows;
    size_t n_rows;
    const msgpack_object *rows_obj;
} proto_program_stats;

int proto_program_stats_decode(const msgpack_object *obj, const char *path, proto_program_stats *out, proto_error *err);
void proto_program_stats_pack(msgpack_packer *pk, const proto_program_stats *s);

/* The error object {code, message, field?} of a response: code a known
 * code string (not ""), message 0..255 bytes, field 0..127 bytes.  The
 * packer omits field when it is "" and sends "internal" for an unset code
 * (PROTO_E_NONE), so a peer never sees an empty code. */
int proto_error_decode(const msgpack_object *obj, const char *path, proto_error *out, proto_error *err);
void proto_error_pack(msgpack_packer *pk, const proto_error *e);

/* ------------------------------------------------------------------------
 * Schema-driven params (the API schema, api/methods/).
 *
 * scripts/gen-api turns the API schema into one C struct per method (the
 * method's checked params) and a static description of it: a proto_shape,
 * the list of its proto_fields.  proto_params_read() walks that description
 * over a params map and fills the struct, so a handler receives checked,
 * typed values and never a raw map.  It applies the same rules and errors
 * as the typed readers above (unknown key, duplicate key, type, range,
 * length, charset, enumeration, array bounds), with full field paths
 * ("match_ids[2]", "profile.competencies[3].required", "filter.limit").
 *
 * A field's value lives at `off` in the struct; optional fields without a
 * default have a `bool` at `has_off` that says whether the key was given
 * (PROTO_NO_HAS when there is none).  Strings are stored NUL-terminated in
 * char[max + 1].  Arrays are `size_t` counts at `count_off` and `stride`-
 * byte elements at `off`, each described by `item` (whose own `off` is
 * relative to the element).  Codec fields hold the domain struct
 * (proto_mentee, proto_coach, proto_policy) decoded against the
 * vocabulary; an absent optional policy is proto_policy_default().
 * --------------------------------------------------------------------- */

typedef enum proto_ftype {
    PROTO_F_STR = 0,
    PROTO_F_INT,
    PROTO_F_FLOAT,
    PROTO_F_BOOL,
    PROTO_F_ENUM,   /* int: index into names */
    PROTO_F_ARRAY,  /* of STR, INT, ENUM or OBJECT items */
    PROTO_F_OBJECT, /* a nested map: shape */
    PROTO_F_CODEC   /* a domain object: codec */
} proto_ftype;

typedef enum proto_codec {
    PROTO_CODEC_NONE = 0,
    PROTO_CODEC_MENTEE, /* proto_mentee */
    PROTO_CODEC_COACH,  /* proto_coach */
    PROTO_CODEC_POLICY  /* proto_policy */
} proto_codec;

#define PROTO_NO_HAS           ((size_t)-1)
#define PROTO_SHAPE_FIELDS_MAX 63 /* proto_map_open's key list, with NULL */

typedef struct proto_field proto_field;

typedef struct proto_shape {
    const proto_field *fields;
    size_t n_fields;
    const char *const *keys; /* the fields' names, NULL-terminated */
} proto_shape;

struct proto_field {
    const char *name;
    proto_ftype type;
    bool required;
    size_t off;               /* the value, from the struct's start */
    size_t has_off;           /* bool has_<name>, or PROTO_NO_HAS */
    int64_t min, max;         /* INT range; STR bytes; ARRAY items */
    double fmin, fmax;        /* FLOAT range */
    int64_t dflt;             /* INT/BOOL value when absent */
    proto_charset cs;         /* STR */
    const char *const *names; /* ENUM: NULL-terminated */
    const proto_field *item;  /* ARRAY: one element */
    size_t count_off, stride; /* ARRAY: size_t count; element bytes */
    const proto_shape *shape; /* OBJECT */
    proto_codec codec;        /* CODEC */
};

/* Read the params map `obj` (path "" for a request's params) into `out`,
 * a zeroed struct of the shape's method.  v is the vocabulary for codec
 * fields (may be NULL when the shape has none).  PROTO_OK, or PROTO_ERR
 * with invalid_params naming the field (bad_request-free: the message
 * layer has already checked that params is a map).  On PROTO_ERR `out`
 * may be partly filled; the caller discards it. */
int proto_params_read(const proto_shape *shape, const msgpack_object *obj, const char *path, const proto_vocab *v,
                      void *out, proto_error *err);

/* The methods of the API schema, generated (proto/api.gen.h). */
#include "proto/api.gen.h"

/* A program (program.get, program.list's items; DESIGN §9).  Keys, all
 * required, packed in this order: id (code 1..32), name (line 1..128),
 * year (API_PROGRAM_YEAR_MIN..MAX), self_service (bool: its mentees may
 * match.request), jp_target (the yearly JP target, 0..API_JP_TARGET_MAX),
 * description (text 0..2000). */
typedef struct proto_program {
    char id[PROTO_CODE_MAX + 1];
    char name[API_PROGRAM_NAME_MAX + 1];
    int64_t year;
    bool self_service;
    int64_t jp_target;
    char description[API_PROGRAM_DESCRIPTION_MAX + 1];
} proto_program;

int proto_program_decode(const msgpack_object *obj, const char *path, proto_program *out, proto_error *err);
void proto_program_pack(msgpack_packer *pk, const proto_program *p);

#endif /* COACHNET_PROTO_H */
