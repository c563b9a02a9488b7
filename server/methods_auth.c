/* methods_auth.c — auth.login, auth.resume, auth.logout, user.create,
 * user.disable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "server/hashq.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"

/* A dummy hash to verify against for unknown logins, so that their
 * response time does not reveal which logins exist. */
static const char dummy_hash[] =
    "pbkdf2-sha256$10000$00000000000000000000000000000000$"
    "0000000000000000000000000000000000000000000000000000000000000000";

typedef struct login_st {
    char login[AUTH_LOGIN_MAX + 1];
    char password[AUTH_PASSWORD_MAX + 1];
    char token[AUTH_TOKEN_HEX];
    char refusal[200];            /* the script's message for an unknown login */
    srv_session sess;
} login_st;

static void login_st_free(void *p) {
    login_st *st = p;
    if (!st) return;
    OPENSSL_cleanse(st->password, sizeof st->password);
    free(st);
}

static void login_done(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    login_st *st = r->st;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    srv_req_set_session(r, &st->sess);
    proto_session ps;
    if (pack_conv_session(&st->sess, st->token, r->srv->cfg->token_ttl, &ps)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "the stored user does not make a session");
        return;
    }
    proto_session_pack(srv_req_ok(r), &ps);
    srv_req_done(r);
}

/* Queue a PBKDF2 job for r (hashq.h): fn continues the login, or r is
 * answered now (`unavailable` when the queue is full). */
static void login_hash_job(srv_req *r, const char *stored, hashq_fn *fn) {
    login_st *st = r->st;
    int rc = hashq_verify(r->srv->hq, st->password, stored, fn, r);
    if (rc == HASHQ_FULL)
        srv_req_fail(r, PROTO_E_UNAVAILABLE, NULL, "too many logins in progress; retry later");
    else if (rc != HASHQ_OK)
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot verify the password");
}

/* An unknown or disabled login: answered after the same PBKDF2 as a known
 * one, so that timing does not tell them apart. */
static void login_refused(void *ud, int status, int match, const char *hash) {
    (void)match; (void)hash;
    srv_req *r = ud;
    login_st *st = r->st;
    if (status != HASHQ_OK) { srv_req_unavailable(r); return; }
    srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "%s", st->refusal);
}

static void login_verified(void *ud, int status, int match, const char *hash) {
    (void)hash;
    srv_req *r = ud;
    login_st *st = r->st;
    if (status != HASHQ_OK) { srv_req_unavailable(r); return; }
    if (!match) {
        log_info("auth.login: wrong password for %s", st->login);
        srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "wrong login or password");
        return;
    }
    if (st->sess.role == ROLE_NONE || auth_new_token(st->token) != AUTH_OK) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot create a session");
        return;
    }
    auth_sha256_hex(st->token, strlen(st->token), st->sess.tokhash);
    /* counted from before Redis sets the key's TTL: ends no later */
    st->sess.expires = srv_now_s() + r->srv->cfg->token_ttl;
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_SESSION_NEW, r->srv->cfg->redis_prefix);
    sargs_adds(&a, st->login);
    sargs_adds(&a, st->sess.tokhash);
    sargs_addll(&a, r->srv->cfg->token_ttl);
    mcmd(r, login_done, &a);
}

/* SCRIPT_LOGIN: {'ok', pw-hash, role, subject, programs} or a refusal. */
static void login_user(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    login_st *st = r->st;
    if (mreply_ok(r, reply, status)) return;
    const redisReply *s0 = mel(reply, 0);
    if (s0 && s0->type == REDIS_REPLY_STRING && !strcmp(s0->str, "unauthenticated")) {
        const redisReply *msg = mel(reply, 1);
        snprintf(st->refusal, sizeof st->refusal, "%s",
                 msg && msg->type == REDIS_REPLY_STRING ? msg->str : "wrong login or password");
        login_hash_job(r, dummy_hash, login_refused);
        return;
    }
    if (mscript_status(r, reply)) return;
    if (!mel_strs(reply, 1, 5)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    const redisReply *pw = reply->element[1], *role = reply->element[2], *subj = reply->element[3],
                     *progs = reply->element[4];
    memset(&st->sess, 0, sizeof st->sess);
    snprintf(st->sess.login, sizeof st->sess.login, "%s", st->login);
    st->sess.role = auth_role_parse(role->str, role->len);
    snprintf(st->sess.subject, sizeof st->sess.subject, "%s", subj->str);
    snprintf(st->sess.programs, sizeof st->sess.programs, "%s", progs->str);
    login_hash_job(r, pw->str, login_verified);
}

void m_auth_login(srv_req *r) {
    static const char *const keys[] = {"login", "password", NULL};
    proto_map m;
    proto_error e;
    if (mparams(r, &m, keys)) return;
    login_st *st = mstate(r, sizeof *st, login_st_free);
    if (!st) return;
    if (proto_read_str(&m, "login", PROTO_REQUIRED, 1, AUTH_LOGIN_MAX, PROTO_CS_ANY, st->login,
                       sizeof st->login, &e) < 0 ||
        proto_read_str(&m, "password", PROTO_REQUIRED, 1, AUTH_PASSWORD_MAX, PROTO_CS_ANY,
                       st->password, sizeof st->password, &e) < 0) {
        srv_req_fail_err(r, &e);
        return;
    }
    if (!auth_login_valid(st->login, strlen(st->login))) {
        /* cannot exist: same answer as a wrong password */
        srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "wrong login or password");
        return;
    }
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_LOGIN, r->srv->cfg->redis_prefix);
    sargs_adds(&a, st->login);
    sargs_addll(&a, r->srv->cfg->login_attempts_per_minute);
    mcmd(r, login_user, &a);
}

/* ---- auth.resume ---- */

static void resume_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    srv_session *sess = r->st;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    const redisReply *login = mel(reply, 1), *role = mel(reply, 2), *subj = mel(reply, 3),
                     *progs = mel(reply, 4);
    if (!mel_strs(reply, 1, 5)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    snprintf(sess->login, sizeof sess->login, "%s", login->str);
    sess->role = auth_role_parse(role->str, role->len);
    snprintf(sess->subject, sizeof sess->subject, "%s", subj->str);
    snprintf(sess->programs, sizeof sess->programs, "%s", progs->str);
    long long ttl = mel_ll(reply, 5, 0);
    if (ttl <= 0) {
        srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "unknown or expired token");
        return;
    }
    sess->expires = srv_now_s() + ttl - 1;   /* TTL is rounded: err on the early side */
    srv_req_set_session(r, sess);
    proto_session ps;
    if (pack_conv_session(sess, NULL, ttl, &ps)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "the stored user does not make a session");
        return;
    }
    proto_session_pack(srv_req_ok(r), &ps);
    srv_req_done(r);
}

void m_auth_resume(srv_req *r) {
    static const char *const keys[] = {"token", NULL};
    proto_map m;
    proto_error e;
    char tok[AUTH_TOKEN_HEX + 1];
    if (mparams(r, &m, keys)) return;
    if (proto_read_str(&m, "token", PROTO_REQUIRED, 1, AUTH_TOKEN_HEX, PROTO_CS_ANY, tok, sizeof tok, &e) < 0) {
        srv_req_fail_err(r, &e);
        return;
    }
    if (!auth_token_wellformed(tok, strlen(tok))) {
        srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "unknown or expired token");
        return;
    }
    srv_session *sess = mstate(r, sizeof *sess, NULL);
    if (!sess) return;
    auth_sha256_hex(tok, strlen(tok), sess->tokhash);
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_RESUME, r->srv->cfg->redis_prefix);
    sargs_adds(&a, sess->tokhash);
    mcmd(r, resume_cb, &a);
}

/* ---- auth.logout ---- */

static void ok_empty(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    pack_empty(srv_req_ok(r));
    srv_req_done(r);
}

void m_auth_logout(srv_req *r) {
    static const char *const keys[] = {NULL};
    proto_map m;
    if (mparams(r, &m, keys)) return;
    srv_session old = r->sess;
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_LOGOUT, r->srv->cfg->redis_prefix);
    sargs_adds(&a, old.login);
    sargs_adds(&a, old.tokhash);
    srv_session none;
    memset(&none, 0, sizeof none);
    srv_req_set_session(r, &none);   /* the session ends now, whatever Redis says */
    mcmd(r, ok_empty, &a);
}

/* ---- user.create / user.disable ---- */

typedef struct create_st {
    char login[AUTH_LOGIN_MAX + 1];
    char subject[PROTO_ID_MAX + 1];
    char programs[PROTO_PROGRAMS_MAX * (PROTO_CODE_MAX + 1) + 1];
    auth_role role;
} create_st;

/* The checks of user.create on st (answers and returns -1 on a failure). */
static int create_check(srv_req *r, create_st *st, proto_map *m) {
    proto_error e;
    if (!auth_login_valid(st->login, strlen(st->login))) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "login", "login must be 1..%d of A-Z a-z 0-9 . _ @ -", AUTH_LOGIN_MAX);
        return -1;
    }
    proto_array arr;
    int has = proto_read_array(m, "programs", PROTO_OPTIONAL, 1, PROTO_PROGRAMS_MAX, &arr, &e);
    if (has < 0) { srv_req_fail_err(r, &e); return -1; }
    for (size_t i = 0; has == 1 && i < arr.arr->size; i++) {
        char code[PROTO_CODE_MAX + 1];
        if (proto_elem_str(&arr, i, 1, PROTO_CODE_MAX, PROTO_CS_CODE, code, sizeof code, &e) != PROTO_OK) {
            srv_req_fail_err(r, &e);
            return -1;
        }
        if (auth_in_scope(st->programs, code, strlen(code))) {
            srv_req_fail(r, PROTO_E_INVALID_PARAMS, arr.path, "program %s listed twice", code);
            return -1;
        }
        if (st->programs[0]) strcat(st->programs, ",");
        strcat(st->programs, code);
    }
    auth_role role = st->role;
    if ((role == ROLE_MENTEE || role == ROLE_COACH) && !st->subject[0]) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "subject", "a %s user needs the subject (profile id) it speaks for", auth_role_name(role));
        return -1;
    }
    if (role == ROLE_MENTEE && proto_nip_check(st->subject, strlen(st->subject), "subject", &e) != PROTO_OK) {
        srv_req_fail_err(r, &e);
        return -1;
    }
    if ((role == ROLE_ADMIN || role == ROLE_COORDINATOR) && st->subject[0]) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "subject", "only mentee and coach users have a subject");
        return -1;
    }
    if (role == ROLE_COORDINATOR && !st->programs[0]) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "programs", "a coordinator needs at least one program");
        return -1;
    }
    if (role != ROLE_COORDINATOR && st->programs[0]) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "programs", "only coordinators have programs");
        return -1;
    }
    if (!auth_may_create(r->sess.role, role)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, NULL, "a %s may not create %s users", auth_role_name(r->sess.role), auth_role_name(role));
        return -1;
    }
    return 0;
}

static void create_hashed(void *ud, int status, int match, const char *hash) {
    (void)match;
    srv_req *r = ud;
    create_st *st = r->st;
    if (status != HASHQ_OK) { srv_req_unavailable(r); return; }
    if (!hash || !hash[0]) { srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot hash the password"); return; }
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_USER_CREATE, r->srv->cfg->redis_prefix);
    sargs_adds(&a, st->login);
    sargs_adds(&a, hash);
    sargs_adds(&a, auth_role_name(st->role));
    sargs_adds(&a, st->subject);
    sargs_adds(&a, st->programs);
    sargs_addll(&a, (long long)time(NULL));
    sargs_adds(&a, r->sess.login);
    sargs_adds(&a, r->sess.role == ROLE_COORDINATOR ? r->sess.programs : "");
    mcmd(r, ok_empty, &a);
}

void m_user_create(srv_req *r) {
    static const char *const keys[] = {"login", "password", "role", "subject", "programs", NULL};
    static const char *const role_names[] = {"admin", "coordinator", "mentee", "coach", NULL};
    static const auth_role role_vals[] = {ROLE_ADMIN, ROLE_COORDINATOR, ROLE_MENTEE, ROLE_COACH};
    proto_map m;
    proto_error e;
    char pw[AUTH_PASSWORD_MAX + 1] = "";
    int ri;
    if (mparams(r, &m, keys)) return;
    create_st *st = mstate(r, sizeof *st, NULL);
    if (!st) return;
    if (proto_read_str(&m, "login", PROTO_REQUIRED, 1, AUTH_LOGIN_MAX, PROTO_CS_CODE, st->login, sizeof st->login, &e) < 0 ||
        proto_read_str(&m, "password", PROTO_REQUIRED, AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX, PROTO_CS_ANY, pw, sizeof pw, &e) < 0 ||
        proto_read_enum(&m, "role", PROTO_REQUIRED, role_names, &ri, &e) < 0 ||
        proto_read_str(&m, "subject", PROTO_OPTIONAL, 1, PROTO_ID_MAX, PROTO_CS_CODE, st->subject, sizeof st->subject, &e) < 0) {
        OPENSSL_cleanse(pw, sizeof pw);
        srv_req_fail_err(r, &e);
        return;
    }
    st->role = role_vals[ri];
    if (create_check(r, st, &m)) { OPENSSL_cleanse(pw, sizeof pw); return; }
    int rc = hashq_hash(r->srv->hq, pw, create_hashed, r);
    OPENSSL_cleanse(pw, sizeof pw);
    if (rc == HASHQ_FULL) srv_req_fail(r, PROTO_E_UNAVAILABLE, NULL, "too many passwords being hashed; retry later");
    else if (rc != HASHQ_OK) srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot hash the password");
}

/* Sessions on this instance end before the answer (so the admin's next
 * step sees them gone); other instances end theirs on the pub/sub event. */
static void disable_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return;
    if (r->st) srv_logout_login(r->srv, r->st);
    pack_empty(srv_req_ok(r));
    srv_req_done(r);
}

void m_user_disable(srv_req *r) {
    static const char *const keys[] = {"login", NULL};
    proto_map m;
    proto_error e;
    char login[AUTH_LOGIN_MAX + 1];
    if (mparams(r, &m, keys)) return;
    if (proto_read_str(&m, "login", PROTO_REQUIRED, 1, AUTH_LOGIN_MAX, PROTO_CS_ANY, login, sizeof login, &e) < 0) {
        srv_req_fail_err(r, &e);
        return;
    }
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_USER_DISABLE, r->srv->cfg->redis_prefix);
    sargs_adds(&a, login);
    sargs_adds(&a, r->sess.login);
    r->st = strdup(login);
    r->st_free = free;
    mcmd(r, disable_cb, &a);
}
