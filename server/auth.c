/* auth.c — see auth.h. */
#include "server/auth.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char hexd[] = "0123456789abcdef";

static void to_hex(const unsigned char *in, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexd[in[i] >> 4];
        out[2 * i + 1] = hexd[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Decode exactly n bytes of lowercase hex from s (which must be 2n long). */
static int from_hex(const char *s, size_t slen, unsigned char *out, size_t n) {
    if (slen != 2 * n) return AUTH_ERR;
    for (size_t i = 0; i < n; i++) {
        int a = hexval(s[2 * i]), b = hexval(s[2 * i + 1]);
        if (a < 0 || b < 0) return AUTH_ERR;
        out[i] = (unsigned char)(a << 4 | b);
    }
    return AUTH_OK;
}

int auth_pbkdf2_hash(const char *pw, size_t pwlen, const unsigned char *salt, size_t saltlen, int iter, char *out) {
    unsigned char dk[AUTH_HASH_BYTES];
    if (saltlen != AUTH_SALT_BYTES || iter < 1) return AUTH_ERR;
    if (PKCS5_PBKDF2_HMAC(pw, (int)pwlen, salt, (int)saltlen, iter, EVP_sha256(), sizeof dk, dk) != 1) return AUTH_ERR;
    char salthex[2 * AUTH_SALT_BYTES + 1], dkhex[2 * AUTH_HASH_BYTES + 1];
    to_hex(salt, saltlen, salthex);
    to_hex(dk, sizeof dk, dkhex);
    OPENSSL_cleanse(dk, sizeof dk);
    snprintf(out, AUTH_HASH_MAX, "pbkdf2-sha256$%d$%s$%s", iter, salthex, dkhex);
    return AUTH_OK;
}

int auth_hash_password(const char *pw, size_t pwlen, char *out) {
    unsigned char salt[AUTH_SALT_BYTES];
    if (RAND_bytes(salt, sizeof salt) != 1) return AUTH_ERR;
    int rc = argon2id_hash_encoded(AUTH_ARGON2_T, AUTH_ARGON2_M_KIB, AUTH_ARGON2_P, pw, pwlen, salt, sizeof salt,
                                   AUTH_HASH_BYTES, out, AUTH_HASH_MAX);
    if (rc != ARGON2_OK) {
        out[0] = '\0';
        return AUTH_ERR;
    }
    return AUTH_OK;
}

#define AUTH_ITER_MAX 10000000

static int pbkdf2_verify(const char *pw, size_t pwlen, const char *stored) {
    static const char pfx[] = "pbkdf2-sha256$";
    const char *p = stored + sizeof pfx - 1;
    char *end;
    long iter = strtol(p, &end, 10);
    if (end == p || *end != '$' || iter < 1 || iter > AUTH_ITER_MAX) return 0;
    const char *salt = end + 1;
    const char *d = strchr(salt, '$');
    if (!d) return 0;
    unsigned char saltb[AUTH_SALT_BYTES], want[AUTH_HASH_BYTES], got[AUTH_HASH_BYTES];
    if (from_hex(salt, (size_t)(d - salt), saltb, sizeof saltb) != AUTH_OK) return 0;
    if (from_hex(d + 1, strlen(d + 1), want, sizeof want) != AUTH_OK) return 0;
    if (PKCS5_PBKDF2_HMAC(pw, (int)pwlen, saltb, sizeof saltb, (int)iter, EVP_sha256(), sizeof got, got) != 1) return 0;
    int ok = CRYPTO_memcmp(want, got, sizeof got) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return ok;
}

#define ARGON2ID_PFX "$argon2id$v=19$"

/* Read m, t and p of "$argon2id$v=19$m=<m>,t=<t>,p=<p>$..." (decimal, no
 * sign, no leading zero); 0 when stored is not of that form. */
static int argon2id_params(const char *stored, unsigned long *m, unsigned long *t, unsigned long *p) {
    static const char *const names[] = { "m=", "t=", "p=" };
    unsigned long *vals[] = { m, t, p };
    if (strncmp(stored, ARGON2ID_PFX, sizeof ARGON2ID_PFX - 1) != 0) return 0;
    const char *s = stored + sizeof ARGON2ID_PFX - 1;
    for (int i = 0; i < 3; i++) {
        if (strncmp(s, names[i], 2) != 0) return 0;
        s += 2;
        if (*s < '1' || *s > '9') return 0;
        char *end;
        *vals[i] = strtoul(s, &end, 10);
        if (end - s > 9 || *end != (i < 2 ? ',' : '$')) return 0;
        s = end + 1;
    }
    return 1;
}

int auth_verify_password(const char *pw, size_t pwlen, const char *stored) {
    if (!stored) return 0;
    if (strncmp(stored, "pbkdf2-sha256$", 14) == 0) return pbkdf2_verify(pw, pwlen, stored);
    unsigned long m, t, p;
    if (!argon2id_params(stored, &m, &t, &p) || m > AUTH_ARGON2_M_MAX_KIB || t > AUTH_ARGON2_T_MAX ||
        p > AUTH_ARGON2_P_MAX)
        return 0;
    /* libargon2 decodes, recomputes and compares in constant time */
    return argon2id_verify(stored, pw, pwlen) == ARGON2_OK;
}

int auth_needs_rehash(const char *stored) {
    unsigned long m, t, p;
    if (!stored || !argon2id_params(stored, &m, &t, &p)) return 1;
    return m != AUTH_ARGON2_M_KIB || t != AUTH_ARGON2_T || p != AUTH_ARGON2_P;
}

/* 16 zero bytes of salt and a zero tag: a well-formed hash of today's cost
 * whose password would be a preimage of the zero tag. */
#define STR_(x) #x
#define STR(x)  STR_(x)
static const char dummy_hash[] = ARGON2ID_PFX "m=" STR(AUTH_ARGON2_M_KIB) ",t=" STR(AUTH_ARGON2_T) ",p=" STR(
    AUTH_ARGON2_P) "$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

const char *auth_dummy_hash(void) { return dummy_hash; }

int auth_new_token(char *tok_hex) {
    unsigned char b[AUTH_TOKEN_BYTES];
    if (RAND_bytes(b, sizeof b) != 1) return AUTH_ERR;
    to_hex(b, sizeof b, tok_hex);
    OPENSSL_cleanse(b, sizeof b);
    return AUTH_OK;
}

void auth_sha256_hex(const char *data, size_t len, char *out) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)data, len, md);
    to_hex(md, sizeof md, out);
}

int auth_token_wellformed(const char *s, size_t len) {
    if (len != 2 * AUTH_TOKEN_BYTES) return 0;
    for (size_t i = 0; i < len; i++)
        if (hexval(s[i]) < 0) return 0;
    return 1;
}

static const struct {
    auth_role r;
    const char *name;
} roles[] = {
    { ROLE_ADMIN, "admin" },
    { ROLE_COORDINATOR, "coordinator" },
    { ROLE_MENTEE, "mentee" },
    { ROLE_COACH, "coach" },
};

auth_role auth_role_parse(const char *s, size_t len) {
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strlen(roles[i].name) == len && memcmp(roles[i].name, s, len) == 0) return roles[i].r;
    return ROLE_NONE;
}

const char *auth_role_name(auth_role r) {
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].r == r) return roles[i].name;
    return "none";
}

int auth_login_valid(const char *s, size_t len) {
    if (len < 1 || len > AUTH_LOGIN_MAX) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                 c == '@' || c == '-';
        if (!ok) return 0;
    }
    return 1;
}

int auth_in_scope(const char *csv, const char *program, size_t len) {
    if (!csv || len == 0) return 0;
    const char *p = csv;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == len && memcmp(p, program, len) == 0) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

int auth_may_create(auth_role who, auth_role target) {
    if (target == ROLE_NONE) return 0;
    if (who == ROLE_ADMIN) return 1;
    if (who == ROLE_COORDINATOR) return target == ROLE_MENTEE || target == ROLE_COACH;
    return 0;
}
