/* auth.h — pure pieces of authentication and authorisation: password hashes,
 * session tokens, roles, and the scope checks every method applies.
 *
 * Password hashes are PBKDF2-HMAC-SHA256 with a 16-byte random salt, stored
 * as "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" so the cost can be
 * raised later without breaking old hashes.  AUTH_PBKDF2_ITER is chosen so
 * one hash costs a few milliseconds on one core; coachnetd runs them on
 * worker threads (hashq.h), never on the event loop.
 *
 * Tokens are 32 random bytes (RAND_bytes) given to the client as 64 hex
 * characters; Redis keeps only the sha256 (hex) of that text.
 */
#ifndef COACHNET_SERVER_AUTH_H
#define COACHNET_SERVER_AUTH_H

#include <stddef.h>

#define AUTH_OK  0
#define AUTH_ERR -1

#define AUTH_PBKDF2_ITER  10000
#define AUTH_SALT_BYTES   16
#define AUTH_HASH_BYTES   32
#define AUTH_HASH_MAX     160 /* textual hash incl. NUL */
#define AUTH_TOKEN_BYTES  32
#define AUTH_TOKEN_HEX    (2 * AUTH_TOKEN_BYTES + 1)
#define AUTH_SHA_HEX      65
#define AUTH_PASSWORD_MIN 8
#define AUTH_PASSWORD_MAX 256
#define AUTH_LOGIN_MAX    64

typedef enum {
    ROLE_NONE = 0,
    ROLE_ADMIN = 1,
    ROLE_COORDINATOR = 2,
    ROLE_MENTEE = 4,
    ROLE_COACH = 8,
} auth_role;

#define ROLE_ANY (ROLE_ADMIN | ROLE_COORDINATOR | ROLE_MENTEE | ROLE_COACH)

/* Hash a password with a fresh salt into out (AUTH_HASH_MAX bytes). */
int auth_hash_password(const char *pw, size_t pwlen, char *out);
/* Hash with a given salt and iteration count (for tests and verification). */
int auth_hash_password_salt(const char *pw, size_t pwlen, const unsigned char *salt, size_t saltlen, int iter,
                            char *out);
/* 1 if pw matches the stored hash, 0 if not or if stored is malformed.
 * The final comparison is constant time. */
int auth_verify_password(const char *pw, size_t pwlen, const char *stored);

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
