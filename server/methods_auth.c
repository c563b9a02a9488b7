/* methods_auth.c — auth.login, auth.resume, auth.logout,
 * auth.change_password, user.create, user.disable. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/db.h"
#include "server/hashq.h"
#include "server/log.h"
#include "server/loginrl.h"
#include "server/methods.h"
#include "server/pack.h"
#include "server/tokset.h"

/* auth.login, in steps (each a callback of the one before):
 *
 *   1. the client address's limit (loginrl.h), before anything else: an
 *      address over it is answered `rate_limited` at once, without a read
 *      from Redis or a hash; then the name's: at most
 *      LOGINRL_NAME_INFLIGHT logins of one name (known or not) are in
 *      flight here, so that step 2's check of its failures is not passed
 *      by a burst of concurrent guesses;
 *   2. login.lua reads the user's hash (and refuses a login over its limit
 *      of failures); it writes nothing;
 *   3. the password is verified on a hash thread (hashq.h), against the
 *      dummy hash for an unknown or disabled login, so that its answer
 *      takes as long;
 *   4. a wrong password of an existing login: login_fail.lua counts it;
 *   5. a right one: the address's attempt is given back, a hash of an
 *      older kind or cost is replaced (a new hash on a hash thread, then
 *      pw_upgrade.lua), and session_new.lua makes the session.
 *
 * So a failed attempt's counter and the session are the only writes of a
 * login (and the upgrade, once per user).
 *
 * login and password point into the request's params, which live until
 * the request ends and are wiped then (dispatch.h): no second copy of the
 * password. */
typedef struct login_st {
    const char *login, *password;
    loginrl *held;                       /* the table holding this login's name in flight, or NULL */
    unsigned char name_key[LOGINRL_KEY]; /* its key there: the start of the name's sha256 */
    const srv_req *r;                    /* its request (this state is freed with it) */
    bool user_read;                      /* login.lua's answer came (step 2) */
    char stored[AUTH_HASH_MAX];          /* the hash read in step 2: pw_upgrade's guard */
    char checked[AUTH_HASH_MAX];         /* the hash the session needs still stored: stored, or
                                            its upgrade (session_new.lua) */
    char token[AUTH_TOKEN_HEX];
    char refusal[200]; /* the script's message for an unknown login */
    srv_session sess;
} login_st;

static void login_done(srv_req *r) {
    login_st *st = r->st;
    srv_req_set_session(r, &st->sess);
    proto_session ps;
    if (pack_conv_session(&st->sess, st->token, r->srv->cfg->token_ttl, &ps)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "the stored user does not make a session");
        return;
    }
    proto_session_pack(srv_req_ok(r), &ps);
    srv_req_done(r);
}

/* The password matched (and the hash is up to date): a new session. */
static void login_session(srv_req *r) {
    login_st *st = r->st;
    if (st->sess.role == ROLE_NONE || auth_new_token(st->token) != AUTH_OK) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot create a session");
        return;
    }
    auth_sha256_hex(st->token, strlen(st->token), st->sess.tokhash);
    /* counted from before Redis sets the key's TTL: ends no later */
    st->sess.expires = srv_now_s() + r->srv->cfg->token_ttl;
    db_session_new(r, st->login, st->sess.tokhash, r->srv->cfg->token_ttl, st->checked, login_done);
}

/* The new hash of an upgrade: stored unless the user's hash changed
 * meanwhile.  A hash that could not be made leaves the old one, for the
 * next login to try again. */
static void login_rehashed(void *ud, int status, int match, const char *hash) {
    (void)match;
    srv_req *r = ud;
    login_st *st = r->st;
    if (status != HASHQ_OK) {
        srv_req_unavailable(r);
        return;
    }
    if (!hash || !hash[0] || strlen(hash) >= sizeof st->checked) {
        log_warn("auth.login: cannot rehash the password of %s; kept the old hash", st->login);
        login_session(r);
        return;
    }
    /* the session then needs the new hash stored: a password set meanwhile
     * kept pw_upgrade.lua from storing it, and refuses the session */
    memcpy(st->checked, hash, strlen(hash) + 1);
    db_pw_upgrade(r, st->login, st->stored, hash, login_session);
}

/* Queue a verify against stored for r (hashq.h): fn continues the login,
 * or r is answered now (`rate_limited` when every slot of the queue is
 * taken: logins are what fills it). */
static void login_hash_job(srv_req *r, const char *stored, hashq_fn *fn) {
    login_st *st = r->st;
    int rc = hashq_verify(r->srv->hq, st->password, stored, fn, r);
    if (rc == HASHQ_FULL)
        srv_req_fail(r, PROTO_E_RATE_LIMITED, NULL, "too many logins in progress; retry in a few seconds");
    else if (rc != HASHQ_OK)
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot verify the password");
}

/* An unknown or disabled login: answered after the same hash as a known
 * one, so that timing does not tell them apart. */
static void login_refused(void *ud, int status, int match, const char *hash) {
    (void)match;
    (void)hash;
    srv_req *r = ud;
    login_st *st = r->st;
    if (status != HASHQ_OK) {
        srv_req_unavailable(r);
        return;
    }
    srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "%s", st->refusal);
}

static void login_failed(srv_req *r) { srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "wrong login or password"); }

static void login_verified(void *ud, int status, int match, const char *hash) {
    (void)hash;
    srv_req *r = ud;
    login_st *st = r->st;
    if (status != HASHQ_OK) {
        srv_req_unavailable(r);
        return;
    }
    if (!match) {
        log_info("auth.login: wrong password for %s", st->login);
        db_login_fail(r, st->login, login_failed);
        return;
    }
    loginrl_refund(r->srv->lrl, r->peer, srv_now_s());
    if (auth_needs_rehash(st->stored)) {
        int rc = hashq_hash(r->srv->hq, st->password, login_rehashed, r);
        if (rc == HASHQ_OK) return;
        /* the queue is full: this login goes on, a later one upgrades */
        static log_limit ll;
        log_limited(&ll, CFG_LOG_INFO, "auth.login: cannot queue the upgrade of %s's hash; kept the old one",
                    st->login);
    }
    login_session(r);
}

/* The user behind the login name, or a refusal. */
static void login_user(srv_req *r, const db_user *u) {
    login_st *st = r->st;
    st->user_read = true;
    if (!u->known) {
        snprintf(st->refusal, sizeof st->refusal, "%s", u->refusal);
        login_hash_job(r, auth_dummy_hash(), login_refused);
        return;
    }
    if (strlen(u->pw_hash) >= sizeof st->stored) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "the stored user does not make a session");
        return;
    }
    memcpy(st->stored, u->pw_hash, strlen(u->pw_hash) + 1);
    memcpy(st->checked, u->pw_hash, strlen(u->pw_hash) + 1);
    memset(&st->sess, 0, sizeof st->sess);
    snprintf(st->sess.login, sizeof st->sess.login, "%s", st->login);
    st->sess.role = u->role;
    snprintf(st->sess.subject, sizeof st->sess.subject, "%s", u->subject);
    snprintf(st->sess.programs, sizeof st->sess.programs, "%s", u->programs);
    login_hash_job(r, st->stored, login_verified);
}

/* The request's end: the name is no longer in flight.  An attempt answered
 * `unavailable` because login.lua could not be run (Redis down, a timeout)
 * checked no password: the address gets it back, so that an outage does
 * not leave the clients that retried meanwhile (an office behind one NAT)
 * rate_limited after it. */
static void login_st_free(void *p) {
    login_st *st = p;
    if (st->held) {
        loginrl_refund_key(st->held, st->name_key, srv_now_s());
        if (!st->user_read && st->r->answered == PROTO_E_UNAVAILABLE)
            loginrl_refund(st->held, st->r->peer, srv_now_s());
    }
    free(st);
}

void m_auth_login(srv_req *r, const api_auth_login_params *p) {
    int wait = loginrl_take(r->srv->lrl, r->peer, srv_now_s());
    if (wait) {
        srv_req_fail(r, PROTO_E_RATE_LIMITED, NULL, "too many login attempts from this address; retry in %d s", wait);
        return;
    }
    login_st *st = mstate(r, sizeof *st, login_st_free);
    if (!st) return;
    st->login = p->login;
    st->password = p->password;
    if (!auth_login_valid(st->login, strlen(st->login))) {
        /* cannot exist: same answer as a wrong password */
        srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "wrong login or password");
        return;
    }
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)st->login, strlen(st->login), md);
    memcpy(st->name_key, md, LOGINRL_KEY);
    if (loginrl_take_key(r->srv->lrl, st->name_key, LOGINRL_NAME_INFLIGHT, srv_now_s())) {
        srv_req_fail(r, PROTO_E_RATE_LIMITED, NULL, "another login of %s is in progress; retry in a moment", st->login);
        return;
    }
    st->r = r;
    st->held = r->srv->lrl;
    db_login(r, st->login, r->srv->cfg->login_attempts_per_minute, login_user);
}

/* ---- auth.resume ---- */

static void resume_cb(srv_req *r, const db_session *s) {
    srv_session *sess = r->st;
    snprintf(sess->login, sizeof sess->login, "%s", s->login);
    sess->role = s->role;
    snprintf(sess->subject, sizeof sess->subject, "%s", s->subject);
    snprintf(sess->programs, sizeof sess->programs, "%s", s->programs);
    long long ttl = s->ttl;
    if (ttl <= 0) {
        srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "unknown or expired token");
        return;
    }
    sess->expires = srv_now_s() + ttl - 1; /* TTL is rounded: err on the early side */
    srv_req_set_session(r, sess);
    proto_session ps;
    if (pack_conv_session(sess, NULL, ttl, &ps)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "the stored user does not make a session");
        return;
    }
    proto_session_pack(srv_req_ok(r), &ps);
    srv_req_done(r);
}

void m_auth_resume(srv_req *r, const api_auth_resume_params *p) {
    const char *tok = p->token;
    if (!auth_token_wellformed(tok, strlen(tok))) {
        srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "unknown or expired token");
        return;
    }
    srv_session *sess = mstate(r, sizeof *sess, NULL);
    if (!sess) return;
    auth_sha256_hex(tok, strlen(tok), sess->tokhash);
    db_resume(r, sess->tokhash, resume_cb);
}

/* ---- auth.logout ---- */

static void ok_empty(srv_req *r) {
    pack_empty(srv_req_ok(r));
    srv_req_done(r);
}

/* The token ends now on this instance, whatever Redis says: the caller's
 * session and every other connection's holding the same token, before the
 * answer.  logout.lua deletes the token and publishes `revoke` for the
 * other instances (and the periodic check ends it there if that event is
 * lost). */
void m_auth_logout(srv_req *r, const api_auth_logout_params *p) {
    (void)p;
    srv_session old = r->sess;
    srv_session none;
    memset(&none, 0, sizeof none);
    srv_req_set_session(r, &none);
    tokset tok;
    tokset_init(&tok);
    if (tokset_add(&tok, old.tokhash, strlen(old.tokhash)) == 0) {
        tokset_seal(&tok);
        srv_end_sessions(r->srv, &tok, "token logged out");
    }
    tokset_free(&tok);
    /* logout.lua keeps no answer for a request_id: the token is the
     * session's, not a param (see the script) */
    db_logout(r, old.login, old.tokhash, ok_empty);
}

/* ---- auth.change_password ----
 *
 * The old password is checked as auth.login checks one, with its limits:
 * at most LOGINRL_NAME_INFLIGHT checks of one name in flight here, and
 * login.lua's refusal of a name over its failed attempts (`rate_limited`);
 * then the verify on a hash thread (`rate_limited` when the queue is full).
 * A wrong old password is `forbidden` naming old_password, not
 * `unauthenticated`: the caller's session is valid and stays; the attempt
 * counts as a failed login of the name, so that a stolen session cannot
 * guess the password faster than auth.login could.  A right one: the new
 * password is hashed (a hash thread) and pw_change.lua stores it if the
 * stored hash is still the one verified, and ends every other session of
 * the user on every coachnetd (this one's before the answer). */

typedef struct chpw_st {
    const char *old_pw, *new_pw; /* into the params: wiped with the request */
    loginrl *held;               /* as login_st's */
    unsigned char name_key[LOGINRL_KEY];
    char stored[AUTH_HASH_MAX];
} chpw_st;

static void chpw_st_free(void *p) {
    chpw_st *st = p;
    if (st->held) loginrl_refund_key(st->held, st->name_key, srv_now_s());
    free(st);
}

static void chpw_done(srv_req *r) {
    if (!r->replayed) srv_logout_login(r->srv, r->sess.login, r->sess.tokhash, "password changed");
    pack_empty(srv_req_ok(r));
    srv_req_done(r);
}

static void chpw_hashed(void *ud, int status, int match, const char *hash) {
    (void)match;
    srv_req *r = ud;
    chpw_st *st = r->st;
    if (mhash_ok(r, status, hash)) return;
    db_pw_change(r, r->sess.login, 1, st->stored, hash, r->sess.tokhash, chpw_done);
}

static void chpw_verified(void *ud, int status, int match, const char *hash) {
    (void)hash;
    srv_req *r = ud;
    chpw_st *st = r->st;
    if (status != HASHQ_OK) {
        srv_req_unavailable(r);
        return;
    }
    if (!match) {
        /* counted and refused by the script (or, for a repeated
         * request_id, answered from its first call) */
        log_info("auth.change_password: wrong old password for %s", r->sess.login);
        db_pw_change(r, r->sess.login, 0, "", "", r->sess.tokhash, chpw_done);
        return;
    }
    mhash_new(r, st->new_pw, chpw_hashed);
}

static void chpw_user(srv_req *r, const db_user *u) {
    chpw_st *st = r->st;
    if (!u->known) {
        /* disabled or deleted since the session began: it is ending */
        srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "user %s is disabled or gone", r->sess.login);
        return;
    }
    if (strlen(u->pw_hash) >= sizeof st->stored) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "the stored password hash is too long");
        return;
    }
    memcpy(st->stored, u->pw_hash, strlen(u->pw_hash) + 1);
    int rc = hashq_verify(r->srv->hq, st->old_pw, st->stored, chpw_verified, r);
    if (rc == HASHQ_FULL)
        srv_req_fail(r, PROTO_E_RATE_LIMITED, NULL, "too many passwords being checked; retry in a few seconds");
    else if (rc != HASHQ_OK)
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot verify the password");
}

void m_auth_change_password(srv_req *r, const api_auth_change_password_params *p) {
    chpw_st *st = mstate(r, sizeof *st, chpw_st_free);
    if (!st) return;
    st->old_pw = p->old_password;
    st->new_pw = p->new_password;
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)r->sess.login, strlen(r->sess.login), md);
    memcpy(st->name_key, md, LOGINRL_KEY);
    if (loginrl_take_key(r->srv->lrl, st->name_key, LOGINRL_NAME_INFLIGHT, srv_now_s())) {
        srv_req_fail(r, PROTO_E_RATE_LIMITED, NULL, "another password check of %s is in progress; retry in a moment",
                     r->sess.login);
        return;
    }
    st->held = r->srv->lrl;
    db_login(r, r->sess.login, r->srv->cfg->login_attempts_per_minute, chpw_user);
}

/* ---- user.create / user.disable ---- */

typedef struct create_st {
    char login[AUTH_LOGIN_MAX + 1];
    char subject[PROTO_ID_MAX + 1];
    char programs[PROTO_PROGRAMS_MAX * (PROTO_CODE_MAX + 1) + 1];
    auth_role role;
    bool rebind;
    char email[PROTO_EMAIL_MAX + 1];
    char language[4];
} create_st;

/* The checks user.create and --add-user share: see methods.h. */
int user_spec_check(const char *login, auth_role role, const char *subject, const char *const *programs,
                    size_t n_programs, char *csv, size_t csv_size, proto_error *e) {
    if (!auth_login_valid(login, strlen(login)))
        return proto_error_set(e, PROTO_E_INVALID_PARAMS, "login", "login must be 1..%d of A-Z a-z 0-9 . _ @ -",
                               AUTH_LOGIN_MAX);
    if (role == ROLE_NONE)
        return proto_error_set(e, PROTO_E_INVALID_PARAMS, "role", "must be admin, coordinator, mentee or coach");
    if (n_programs > PROTO_PROGRAMS_MAX)
        return proto_error_set(e, PROTO_E_INVALID_PARAMS, "programs", "at most %d programs", PROTO_PROGRAMS_MAX);
    csv[0] = '\0';
    for (size_t i = 0; i < n_programs; i++) {
        const char *code = programs[i];
        size_t len = strlen(code), used = strlen(csv);
        char field[32];
        snprintf(field, sizeof field, "programs[%zu]", i);
        if (len < 1 || len > PROTO_CODE_MAX || strspn(code, PROTO_CODE_CHARS) != len)
            return proto_error_set(e, PROTO_E_INVALID_PARAMS, field, "must be a code of 1..%d [A-Za-z0-9._-]",
                                   PROTO_CODE_MAX);
        if (auth_in_scope(csv, code, len))
            return proto_error_set(e, PROTO_E_INVALID_PARAMS, "programs", "program %s listed twice", code);
        if (used + len + 2 > csv_size)
            return proto_error_set(e, PROTO_E_INVALID_PARAMS, "programs", "too many programs");
        snprintf(csv + used, csv_size - used, "%s%s", used ? "," : "", code);
    }
    if ((role == ROLE_MENTEE || role == ROLE_COACH) && !subject[0])
        return proto_error_set(e, PROTO_E_INVALID_PARAMS, "subject",
                               "a %s user needs the subject (profile id) it speaks for", auth_role_name(role));
    if (subject[0] && (strlen(subject) > PROTO_ID_MAX || strspn(subject, PROTO_CODE_CHARS) != strlen(subject)))
        return proto_error_set(e, PROTO_E_INVALID_PARAMS, "subject", "must be a profile id of 1..%d [A-Za-z0-9._-]",
                               PROTO_ID_MAX);
    if (role == ROLE_MENTEE && proto_nip_check(subject, strlen(subject), "subject", e) != PROTO_OK) return PROTO_ERR;
    if ((role == ROLE_ADMIN || role == ROLE_COORDINATOR) && subject[0])
        return proto_error_set(e, PROTO_E_INVALID_PARAMS, "subject", "only mentee and coach users have a subject");
    if (role == ROLE_COORDINATOR && !csv[0])
        return proto_error_set(e, PROTO_E_INVALID_PARAMS, "programs", "a coordinator needs at least one program");
    if (role != ROLE_COORDINATOR && csv[0])
        return proto_error_set(e, PROTO_E_INVALID_PARAMS, "programs", "only coordinators have programs");
    return PROTO_OK;
}

static int create_check(srv_req *r, create_st *st, const api_user_create_params *p) {
    proto_error e;
    const char *progs[API_PROGRAMS_MAX];
    for (size_t i = 0; i < p->n_programs; i++) progs[i] = p->programs[i];
    if (user_spec_check(st->login, st->role, st->subject, progs, p->n_programs, st->programs, sizeof st->programs,
                        &e) != PROTO_OK) {
        srv_req_fail_err(r, &e);
        return -1;
    }
    const char *why = p->has_email ? proto_email_problem(p->email, strlen(p->email)) : NULL;
    if (why) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "email", "%s", why);
        return -1;
    }
    if (!auth_may_create(r->sess.role, st->role)) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, NULL, "a %s may not create %s users", auth_role_name(r->sess.role),
                     auth_role_name(st->role));
        return -1;
    }
    /* a subject has at most one user (user_create.lua): only an admin may
     * move it to another login */
    if (st->rebind && r->sess.role != ROLE_ADMIN) {
        srv_req_fail(r, PROTO_E_FORBIDDEN, "rebind", "re-binding a subject to another user needs an admin");
        return -1;
    }
    return 0;
}

static void create_hashed(void *ud, int status, int match, const char *hash) {
    (void)match;
    srv_req *r = ud;
    create_st *st = r->st;
    if (mhash_ok(r, status, hash)) return;
    db_user_create(r, st->login, hash, auth_role_name(st->role), st->subject, st->programs, r->sess.login,
                   r->sess.role == ROLE_COORDINATOR ? r->sess.programs : "", st->rebind, st->email, st->language,
                   ok_empty);
}

void m_user_create(srv_req *r, const api_user_create_params *p) {
    static const auth_role role_vals[] = { [API_USER_CREATE_ROLE_ADMIN] = ROLE_ADMIN,
                                           [API_USER_CREATE_ROLE_COORDINATOR] = ROLE_COORDINATOR,
                                           [API_USER_CREATE_ROLE_MENTEE] = ROLE_MENTEE,
                                           [API_USER_CREATE_ROLE_COACH] = ROLE_COACH };
    create_st *st = mstate(r, sizeof *st, NULL);
    if (!st) return;
    snprintf(st->login, sizeof st->login, "%s", p->login);
    snprintf(st->subject, sizeof st->subject, "%s", p->subject);
    st->role = role_vals[p->role];
    st->rebind = p->rebind;
    if (p->has_email) snprintf(st->email, sizeof st->email, "%s", p->email);
    if (p->has_language) snprintf(st->language, sizeof st->language, "%s", proto_language_names[p->language]);
    if (create_check(r, st, p)) return;
    /* the params (with the password) are wiped when the request ends */
    mhash_new(r, p->password, create_hashed);
}

/* Sessions on this instance end before the answer (so the admin's next
 * step sees them gone); other instances end theirs on the `revoke` event
 * of the tokens user_disable.lua deleted, or at their next session check
 * (sesscheck.h) if they miss it.  A repeated request_id changed nothing,
 * so ends nothing either: the user may have been enabled since and have
 * sessions Redis holds (as user.set_password's). */
static void disable_cb(srv_req *r) {
    if (r->st && !r->replayed) srv_logout_login(r->srv, r->st, NULL, "user disabled");
    pack_empty(srv_req_ok(r));
    srv_req_done(r);
}

void m_user_disable(srv_req *r, const api_user_disable_params *p) {
    r->st = strdup(p->login);
    r->st_free = free;
    if (!r->st) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    db_user_disable(r, p->login, r->sess.login, disable_cb);
}
