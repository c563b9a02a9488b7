/* methods.c — the helpers shared by the handlers (methods.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/dispatch.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"

/* ------------------------------------------------------------ helpers */

int mcmd(srv_req *r, store_cb *cb, sargs *a) {
    int durable = r->m && r->m->api->writes;
    if ((durable ? script_cmd_durable : script_cmd)(r->srv->st, cb, r, a) != STORE_OK) {
        srv_req_unavailable(r);
        return -1;
    }
    return 0;
}

/* Redis' error replies that mean "not now" rather than "broken": a Redis
 * loading its AOF, a replica after a failover, a script running too long,
 * a primary without its replicas, a full Redis (maxmemory, noeviction). */
static int store_error_passing(const char *e) {
    static const char *const passing[] = { "LOADING", "READONLY",   "BUSY",     "MASTERDOWN",
                                           "OOM",     "NOREPLICAS", "TRYAGAIN", NULL };
    for (int i = 0; passing[i]; i++)
        if (!strncmp(e, passing[i], strlen(passing[i]))) return 1;
    return 0;
}

/* The one place a store failure becomes a client's error (design.md §14):
 * `unavailable` for Redis down, a timeout or a passing error, `internal`
 * for anything else, each with a plain message.  Redis' own text (script
 * ids, line numbers, "OOM command not allowed ...") goes to the log only,
 * rate-limited: a client never sees it. */
int mreply_ok(srv_req *r, redisReply *reply, int status) {
    static log_limit ll_passing, ll_broken;
    if (status != STORE_OK || !reply) {
        srv_req_unavailable(r);
        return -1;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        const char *method = r->m ? r->m->name : "request";
        if (store_error_passing(reply->str)) {
            log_limited(&ll_passing, CFG_LOG_WARNING, "%s: redis: %.300s", method, reply->str);
            srv_req_unavailable(r);
        } else {
            log_limited(&ll_broken, CFG_LOG_ERROR, "%s: redis error: %.300s", method, reply->str);
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "the store failed to answer; see the server log");
        }
        return -1;
    }
    return 0;
}

int mscript_status(srv_req *r, redisReply *reply) {
    const redisReply *st = mel(reply, 0);
    if (!st || st->type != REDIS_REPLY_STRING) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return -1;
    }
    if (!strcmp(st->str, "ok")) return 0;
    if (!strcmp(st->str, "replay")) { /* common.lua idem_run: the kept answer */
        r->replayed = true;
        return 0;
    }
    proto_errcode code;
    if (proto_errcode_parse(st->str, st->len, &code) != PROTO_OK) code = PROTO_E_INTERNAL;
    const redisReply *msg = mel(reply, 1);
    const redisReply *field = mel(reply, 2);
    srv_req_fail(r, code, field && field->type == REDIS_REPLY_STRING ? field->str : NULL, "%s",
                 msg && msg->type == REDIS_REPLY_STRING ? msg->str : st->str);
    return -1;
}

void mhash_new(srv_req *r, const char *password, hashq_fn *fn) {
    int rc = hashq_hash(r->srv->hq, password, fn, r);
    if (rc == HASHQ_FULL)
        srv_req_fail(r, PROTO_E_RATE_LIMITED, NULL, "too many passwords being hashed; retry in a few seconds");
    else if (rc != HASHQ_OK)
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot hash the password");
}

int mhash_ok(srv_req *r, int status, const char *hash) {
    if (status != HASHQ_OK) {
        srv_req_unavailable(r);
        return -1;
    }
    if (!hash || !hash[0]) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "cannot hash the password");
        return -1;
    }
    return 0;
}

void *mstate(srv_req *r, size_t size, void (*free_fn)(void *)) {
    void *st = calloc(1, size);
    if (!st) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return NULL;
    }
    r->st = st;
    r->st_free = free_fn ? free_fn : free;
    return st;
}

int mscope(srv_req *r, const char *program) {
    if (r->sess.role != ROLE_COORDINATOR) return 0;
    if (auth_in_scope(r->sess.programs, program, strlen(program))) return 0;
    srv_req_fail(r, PROTO_E_FORBIDDEN, NULL, "program %s is outside your programs", program);
    return -1;
}
