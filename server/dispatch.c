/* dispatch.c — a complete frame of a connection (conn.c hands it up
 * through server.dispatch) becomes a request: decoded, its method found in
 * the generated table (dispatch.gen.c), the session's role checked, its
 * params read into the method's typed struct, then the handler called.  Every request is answered exactly once (req.c); only a frame
 * that is not a message at all goes back to conn.c as a frame-level error
 * (the connection is then closed).  See server.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/dispatch.h"
#include "server/log.h"
#include "server/pack.h"
#include "server/server.h"

int dispatch_frame(server *s, const srv_frame *f, proto_error *fatal) {
    srv_req *r = srv_req_new(s, f->conn_id, f->sess);
    if (!r) {
        proto_error_set(fatal, PROTO_E_INTERNAL, NULL, "out of memory");
        return -1;
    }
    snprintf(r->peer, sizeof r->peer, "%s", f->peer);
    proto_error e;
    if (proto_msg_decode(&r->msg, f->body, f->len, &s->lim, PROTO_KIND_BIT(PROTO_REQUEST), &e) != PROTO_OK) {
        if (e.code == PROTO_E_BAD_FRAME) {
            srv_req_drop(r);
            *fatal = e;
            return -1;
        }
        r->msgid = r->msg.has_msgid ? r->msg.msgid : 0;
        srv_req_fail_err(r, &e);
        return 0;
    }
    r->msgid = r->msg.msgid;
    const method_def *m = methods_find(r->msg.method);
    if (!m) {
        srv_req_fail(r, PROTO_E_UNKNOWN_METHOD, "method", "unknown method '%s'", r->msg.method);
        return 0;
    }
    r->m = m;
    if (m->roles) {
        if (!r->sess.login[0]) {
            srv_req_fail(r, PROTO_E_UNAUTHENTICATED, NULL, "%s needs a session: call auth.login first", m->name);
            return 0;
        }
        if (!(m->roles & (unsigned)r->sess.role)) {
            srv_req_fail(r, PROTO_E_FORBIDDEN, NULL, "role %s may not call %s", auth_role_name(r->sess.role), m->name);
            return 0;
        }
    }
    log_debug("conn %s: %s msgid %u", f->peer, m->name, r->msgid);
    dispatch_call(r);
    return 0;
}

const method_def *methods_find(const char *name) {
    const api_method *a = api_method_find(name);
    return a ? &methods_table[a - api_methods] : NULL;
}

/* A state-changing call with a request_id: the key and fingerprint its
 * idempotent script is sent with (srv_req, db_idem_args).  The fingerprint
 * covers the method and the params as sent (request_id included; params
 * the schema marks secret, a password, left out: the fingerprint is kept
 * in Redis), so the same request_id with anything else is a conflict, not
 * a replay.  0, or
 * -1 when r has been answered. */
static int dispatch_idem(srv_req *r, const char *request_id) {
    char digest[AUTH_SHA_HEX];
    if (pack_object_sha256(r->msg.params, r->m->api->secrets, digest)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return -1;
    }
    snprintf(r->idem_key, sizeof r->idem_key, "%s:%s", r->sess.login, request_id);
    snprintf(r->idem_fp, sizeof r->idem_fp, "%s %s", r->m->name, digest);
    return 0;
}

void dispatch_call(srv_req *r) {
    const method_def *m = r->m;
    proto_error e;
    r->params = calloc(1, m->api->size);
    if (!r->params) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    if (proto_params_read(m->api->params, r->msg.params, "", &r->srv->catalog.vocab, r->params, &e) != PROTO_OK) {
        srv_req_fail_err(r, &e);
        return;
    }
    if (m->api->writes && *(const bool *)((const char *)r->params + m->api->has_request_id) &&
        dispatch_idem(r, (const char *)r->params + m->api->request_id))
        return;
    m->fn(r, r->params);
}

/* Params may hold a password: wipe them before the memory is reused. */
void dispatch_params_free(srv_req *r) {
    if (!r->params) return;
    explicit_bzero(r->params, r->m->api->size);
    free(r->params);
    r->params = NULL;
}
