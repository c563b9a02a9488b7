/* methods_user.c — the accounts an admin or coordinator manages after
 * user.create: user.set_password, user.enable, user.list.  user.create and
 * user.disable are in methods_auth.c; auth.change_password, which checks a
 * password as auth.login does, too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/db.h"
#include "server/hashq.h"
#include "server/methods.h"
#include "server/pack.h"
#include "server/util.h"

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
    if (mhash_ok(r, status, hash)) return;
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
    mhash_new(r, p->password, set_password_hashed);
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

/* ---- user.list ----
 * A page of idx:user in login order, filtered by user_list.lua (role,
 * program, and a coordinator's reach: the mentee and coach users whose
 * subject's profile lies in its programs).  The cursor is the hex of the
 * last login examined (util_cursor_encode): opaque to clients; a decoded
 * one must be a login name (which util_cursor_decode's ids may not be:
 * a login may hold '@'). */

#define USER_ITEM_OVERHEAD 64 /* bytes of one item's keys and headers, at most */

/* The login of a cursor into out (AUTH_LOGIN_MAX + 1 bytes); 0 or -1. */
static int user_cursor_decode(const char *hex, char *out) {
    size_t n = strlen(hex);
    if (n == 0 || n % 2 || n / 2 > AUTH_LOGIN_MAX) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v = 0;
        for (size_t j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            if (c >= '0' && c <= '9')
                v = v << 4 | (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v = v << 4 | (unsigned)(c - 'a' + 10);
            else
                return -1;
        }
        out[i] = (char)v;
    }
    out[n / 2] = '\0';
    return auth_login_valid(out, n / 2) ? 0 : -1;
}

/* {login, role, subject?, programs?, disabled}: subject and programs only
 * when there are any; programs from the stored csv. */
static void user_item_pack(msgpack_packer *pk, const db_user_row *u) {
    size_t n_progs = 0;
    for (const char *c = u->programs; *c; c++)
        if (*c != ',' && (c == u->programs || c[-1] == ',')) n_progs++;
    msgpack_pack_map(pk, 3 + (u->subject[0] != '\0') + (n_progs > 0));
    proto_pack_cstr(pk, "login");
    proto_pack_cstr(pk, u->login);
    proto_pack_cstr(pk, "role");
    proto_pack_cstr(pk, u->role);
    if (u->subject[0]) {
        proto_pack_cstr(pk, "subject");
        proto_pack_cstr(pk, u->subject);
    }
    if (n_progs) {
        proto_pack_cstr(pk, "programs");
        msgpack_pack_array(pk, n_progs);
        for (const char *c = u->programs; *c;) {
            size_t len = strcspn(c, ",");
            if (len) {
                msgpack_pack_str(pk, len);
                msgpack_pack_str_body(pk, c, len);
            }
            c += len;
            if (*c == ',') c++;
        }
    }
    proto_pack_cstr(pk, "disabled");
    if (u->disabled)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
}

/* Pack {items, cursor}.  Items stop early when the next one would push
 * the response over max-frame; the cursor then points after the last item
 * packed. */
static void user_list_done(srv_req *r, const db_users *us) {
    size_t n = db_users_n(us), take = 0, bytes = 64;
    size_t budget = r->srv->lim.max_frame > 256 ? r->srv->lim.max_frame - 256 : 0;
    db_user_row u;
    for (; take < n; take++) {
        db_users_at(us, take, &u);
        size_t len = strlen(u.login) + strlen(u.role) + strlen(u.subject) + 2 * strlen(u.programs) + USER_ITEM_OVERHEAD;
        if (bytes + len > budget) break;
        bytes += len;
    }
    const char *next = db_users_next(us);
    if (take < n) {
        if (take == 0) {
            srv_req_fail(r, PROTO_E_TOO_LARGE, NULL, "one user is larger than max-frame");
            return;
        }
        db_users_at(us, take - 1, &u);
        next = u.login;
    }
    char hex[2 * AUTH_LOGIN_MAX + 1];
    const char *cursor = NULL;
    if (next && strlen(next) <= AUTH_LOGIN_MAX) {
        util_cursor_encode(next, hex);
        cursor = hex;
    }
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", take, true);
    for (size_t i = 0; i < take; i++) {
        db_users_at(us, i, &u);
        user_item_pack(pk, &u);
    }
    pack_cursor(pk, cursor);
    srv_req_done(r);
}

void m_user_list(srv_req *r, const api_user_list_params *p) {
    char after[AUTH_LOGIN_MAX + 1] = "";
    if (p->has_cursor && user_cursor_decode(p->cursor, after)) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "cursor", "not a cursor this server returned");
        return;
    }
    if (p->has_program && mscope(r, p->program)) return;
    const char *role = p->has_role ? api_user_list_role_names[p->role] : "";
    db_user_list(r, after, p->limit, role, p->program, r->sess.role == ROLE_COORDINATOR ? r->sess.programs : "",
                 user_list_done);
}
