/* methods_user.c — the accounts an admin or coordinator manages after
 * user.create: user.set_password, user.enable (and, in a
 * later step, user.list).  user.create and user.disable are in methods_auth.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/db.h"
#include "server/hashq.h"
#include "server/methods.h"
#include "server/pack.h"

/* ---- user.set_password ----
 *
 * The new password is hashed on a hash thread (hashq.h) as user.create's
 * is, then user_set_password.lua checks the caller's reach (an admin: any
 * user; a coordinator: the mentee and coach users whose subject's profile
 * lies in its programs), stores the hash and ends every session of the
 * user, on every coachnetd.  The reach is checked after the hash: the
 * script reads the user and its subject's profile in the same step that
 * writes, so no profile moved meanwhile can slip past it. */

static void set_password_done(srv_req *r) {
    /* this instance's sessions end before the answer (as user.disable's);
     * a repeated request_id changed nothing, so ends nothing either */
    if (!r->replayed) srv_logout_login(r->srv, r->st, NULL, "password set");
    pack_empty(srv_req_ok(r));
    srv_req_done(r);
}

static void set_password_hashed(void *ud, int status, int match, const char *hash) {
    (void)match;
    srv_req *r = ud;
    if (status != HASHQ_OK) {
        srv_req_unavailable(r);
        return;
    }
    if (!hash || !hash[0]) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot hash the password");
        return;
    }
    db_user_set_password(r, r->st, hash, r->sess.login, r->sess.role == ROLE_COORDINATOR ? r->sess.programs : "",
                         set_password_done);
}

void m_user_set_password(srv_req *r, const api_user_set_password_params *p) {
    if (!auth_login_valid(p->login, strlen(p->login))) {
        srv_req_fail(r, PROTO_E_NOT_FOUND, "login", "no user %s", p->login);
        return;
    }
    char *login = mstate(r, strlen(p->login) + 1, NULL);
    if (!login) return;
    memcpy(login, p->login, strlen(p->login) + 1);
    /* the params (with the password) are wiped when the request ends */
    int rc = hashq_hash(r->srv->hq, p->password, set_password_hashed, r);
    if (rc == HASHQ_FULL)
        srv_req_fail(r, PROTO_E_UNAVAILABLE, NULL, "too many passwords being hashed; retry later");
    else if (rc != HASHQ_OK)
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot hash the password");
}

/* ---- user.enable ----
 * user_enable.lua clears the disabled flag unless the subject of a mentee
 * or coach user has since moved to another login.  Nothing is held in
 * memory for a disabled user, so nothing here changes but Redis: the user
 * logs in again with its stored password. */

static void enable_done(srv_req *r) {
    pack_empty(srv_req_ok(r));
    srv_req_done(r);
}

void m_user_enable(srv_req *r, const api_user_enable_params *p) {
    if (!auth_login_valid(p->login, strlen(p->login))) {
        srv_req_fail(r, PROTO_E_NOT_FOUND, "login", "no user %s", p->login);
        return;
    }
    db_user_enable(r, p->login, r->sess.login, enable_done);
}
