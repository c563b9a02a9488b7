/* methods.c — the helpers shared by the handlers (methods.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/methods.h"
#include "server/pack.h"

/* ------------------------------------------------------------ helpers */

int mcmd(srv_req *r, store_cb *cb, sargs *a) {
    if (script_cmd(r->srv->st, cb, r, a) != STORE_OK) {
        srv_req_unavailable(r);
        return -1;
    }
    return 0;
}

int mreply_ok(srv_req *r, redisReply *reply, int status) {
    if (status != STORE_OK || !reply) {
        srv_req_unavailable(r);
        return -1;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        /* e.g. LOADING, READONLY after a failover, a script bug */
        if (!strncmp(reply->str, "LOADING", 7) || !strncmp(reply->str, "READONLY", 8) ||
            !strncmp(reply->str, "BUSY", 4) || !strncmp(reply->str, "MASTERDOWN", 10))
            srv_req_fail(r, PROTO_E_UNAVAILABLE, NULL, "the store is unavailable: %.200s", reply->str);
        else
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "store error: %.200s", reply->str);
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
    proto_errcode code;
    if (proto_errcode_parse(st->str, st->len, &code) != PROTO_OK) code = PROTO_E_INTERNAL;
    const redisReply *msg = mel(reply, 1);
    const redisReply *field = mel(reply, 2);
    srv_req_fail(r, code, field && field->type == REDIS_REPLY_STRING ? field->str : NULL, "%s",
                 msg && msg->type == REDIS_REPLY_STRING ? msg->str : st->str);
    return -1;
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
