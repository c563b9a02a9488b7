/* auth.h — pure pieces of authentication and authorisation: password hashes,
 * session tokens, roles, and the scope checks every method applies.
 *
 * Password hashes are Argon2id (libargon2) with a 16-byte random salt and a
 * 32-byte tag, stored as the PHC string argon2id_hash_encoded() writes:
 * "$argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<tag b64>".  The cost is
 * OWASP's minimum for Argon2id (Password Storage Cheat Sheet, "Argon2id":
 * "a minimum configuration of 19 MiB of memory, an iteration count of 2,
 * and 1 degree of parallelism"; m=46 MiB t=1 is its equivalent with more
 * memory).  It is a constant, not a config key: nothing can make it lower,
 * not even for tests.  One hash costs 30-40 ms of one core and 19 MiB of
 * memory while it runs; coachnetd runs them on `auth-threads` worker
 * threads (hashq.h), never on the event loop, so the memory they take is
 * auth-threads x 19 MiB at most.
 *
 * Hashes of earlier versions, "pbkdf2-sha256$<iterations>$<salt hex>$<hash
 * hex>" (10,000 iterations), still verify; auth_needs_rehash() tells the
 * login to store an Argon2id hash in their place (methods_auth.c).
 *
 * Tokens are 32 random bytes (RAND_bytes) given to the client as 64 hex
 * characters; Redis keeps only the sha256 (hex) of that text.
 */
#ifndef COACHNET_SERVER_AUTH_H
#define COACHNET_SERVER_AUTH_H

#include <stddef.h>

#define AUTH_OK  0
#define AUTH_ERR -1

#define AUTH_ARGON2_T     2     /* iterations (passes) */
#define AUTH_ARGON2_M_KIB 19456 /* memory: 19 MiB */
#define AUTH_ARGON2_P     1     /* lanes and threads */
#define AUTH_PBKDF2_ITER  10000 /* the hashes of earlier versions */
#define AUTH_SALT_BYTES   16
#define AUTH_HASH_BYTES   32
#define AUTH_HASH_MAX     160 /* textual hash incl. NUL */
#define AUTH_TOKEN_BYTES  32
#define AUTH_TOKEN_HEX    (2 * AUTH_TOKEN_BYTES + 1)
#define AUTH_SHA_HEX      65
#define AUTH_PASSWORD_MIN 8
#define AUTH_PASSWORD_MAX 256
#define AUTH_LOGIN_MAX    64

/* The most a stored hash may ask of one verify (Redis is trusted, but one
 * bad field should not take a GiB): 256 MiB, 16 passes, 4 lanes. */
#define AUTH_ARGON2_M_MAX_KIB 262144
#define AUTH_ARGON2_T_MAX     16
#define AUTH_ARGON2_P_MAX     4

typedef enum {
    ROLE_NONE = 0,
    ROLE_ADMIN = 1,
    ROLE_COORDINATOR = 2,
    ROLE_MENTEE = 4,
    ROLE_COACH = 8,
} auth_role;

#define ROLE_ANY (ROLE_ADMIN | ROLE_COORDINATOR | ROLE_MENTEE | ROLE_COACH)

/* Hash a password with a fresh salt into out (AUTH_HASH_MAX bytes):
 * Argon2id of the cost above. */
int auth_hash_password(const char *pw, size_t pwlen, char *out);
/* The hash format of earlier versions, PBKDF2-HMAC-SHA256 with a given
 * salt and iteration count: for tests and tools that make old hashes. */
int auth_pbkdf2_hash(const char *pw, size_t pwlen, const unsigned char *salt, size_t saltlen, int iter, char *out);
/* 1 if pw matches the stored hash (Argon2id or PBKDF2), 0 if not or if
 * stored is malformed or asks for more than AUTH_ARGON2_M_MAX_KIB,
 * AUTH_ARGON2_T_MAX or AUTH_ARGON2_P_MAX (a bound on what one verify may
 * cost).  The final comparison is constant time. */
int auth_verify_password(const char *pw, size_t pwlen, const char *stored);
/* 1 unless stored is an Argon2id hash of exactly today's cost: a hash that
 * verified and needs a rehash is replaced at that login. */
int auth_needs_rehash(const char *stored);
/* An Argon2id hash of today's cost that no password of at most
 * AUTH_PASSWORD_MAX bytes is known to match: unknown logins are verified
 * against it, so that their answer takes as long as a known login's. */
const char *auth_dummy_hash(void);

/* New random token (hex, AUTH_TOKEN_HEX bytes incl. NUL). */
int auth_new_token(char *tok_hex);
/* sha256 of a text as 64 hex chars + NUL. */
void auth_sha256_hex(const char *data, size_t len, char *out);
/* 1 if s is exactly 64 lowercase hex characters. */
int auth_token_wellformed(const char *s, size_t len);

/* Role names: "admin", "coordinator", "mentee", "coach". */
auth_role auth_role_parse(const char *s, size_t len);
const char *auth_role_name(auth_role r);

/* A login name: 1..AUTH_LOGIN_MAX of [A-Za-z0-9._@-]. */
int auth_login_valid(const char *s, size_t len);

/* Is program (len bytes) inside a comma-separated scope list? */
int auth_in_scope(const char *programs_csv, const char *program, size_t len);

/* May a user of role `who` create a user of role `target`?  Admins create
 * anyone; coordinators create mentee and coach users only. */
int auth_may_create(auth_role who, auth_role target);

#endif
