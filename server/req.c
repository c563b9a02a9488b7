/* req.c — a request in flight: made by dispatch.c for a complete frame,
 * answered exactly once by its handler (srv_req_ok + srv_req_done, or
 * srv_req_fail), which hands the answer to its connection by id
 * (srv_conn_reply) and frees the request.  See server.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "server/dispatch.h"
#include "server/log.h"
#include "server/server.h"

srv_req *srv_req_new(server *s, uint64_t conn_id, const srv_session *sess) {
    srv_req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->srv = s;
    r->conn_id = conn_id;
    r->sess = *sess;
    r->t0 = mx_now();
    msgpack_sbuffer_init(&r->sb);
    msgpack_packer_init(&r->pk, &r->sb, msgpack_sbuffer_write);
    return r;
}

void srv_req_drop(srv_req *r) {
    if (r->st_free) r->st_free(r->st);
    dispatch_params_free(r);
    proto_msg_destroy(&r->msg);
    msgpack_sbuffer_destroy(&r->sb);
    free(r);
}

/* The answer is in r->sb (empty: none could be packed): counted (its
 * method and code, its latency; no allocation), to the connection if it
 * is still there, then free r. */
static void req_end(srv_req *r, proto_errcode code) {
    metrics *mx = &r->srv->mx;
    size_t mi = r->m ? (size_t)(r->m->api - api_methods) : MX_METHOD_UNKNOWN;
    mx->requests[mi][code < PROTO_E__COUNT ? code : PROTO_E_INTERNAL]++;
    mx_observe(&mx->request_seconds[mi], mx_now() - r->t0);
    r->answered = code;
    srv_conn_reply(r->srv, r->conn_id, r->sb.data, r->sb.size);
    srv_req_drop(r);
}

msgpack_packer *srv_req_ok(srv_req *r) {
    r->sb.size = 0;
    r->frame_at = proto_frame_begin(&r->sb);
    proto_pack_response_ok(&r->pk, r->msgid);
    return &r->pk;
}

void srv_req_fail_err(srv_req *r, const proto_error *e) {
    r->sb.size = 0;
    size_t at = proto_frame_begin(&r->sb);
    proto_pack_response_error(&r->pk, r->msgid, e);
    proto_error fe;
    if (proto_frame_end(&r->sb, at, &r->srv->lim, &fe) != PROTO_OK) r->sb.size = 0;
    if (e->code == PROTO_E_INTERNAL || e->code == PROTO_E_UNAVAILABLE) {
        /* every request fails this way while Redis is down: rate-limited */
        static log_limit ll;
        log_limited(&ll, CFG_LOG_WARNING, "%s: %s: %s", r->m ? r->m->name : "request", proto_errcode_name(e->code),
                    e->message);
    }
    req_end(r, e->code == PROTO_E_NONE ? PROTO_E_INTERNAL : e->code); /* as proto packs it */
}

void srv_req_done(srv_req *r) {
    proto_error e;
    if (proto_frame_end(&r->sb, r->frame_at, &r->srv->lim, &e) != PROTO_OK) {
        proto_error_set(&e, PROTO_E_TOO_LARGE, NULL, "the result is larger than max-frame");
        srv_req_fail_err(r, &e);
        return;
    }
    req_end(r, PROTO_E_NONE);
}

void srv_req_fail(srv_req *r, proto_errcode code, const char *field, const char *fmt, ...) {
    proto_error e;
    proto_error_clear(&e);
    e.code = code;
    if (field) snprintf(e.field, sizeof e.field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    srv_req_fail_err(r, &e);
}

void srv_req_unavailable(srv_req *r) {
    srv_req_fail(r, PROTO_E_UNAVAILABLE, NULL, "the store is unavailable; retry later");
}

void srv_req_set_session(srv_req *r, const srv_session *sess) {
    srv_conn_set_session(r->srv, r->conn_id, sess);
    r->sess = *sess;
}
