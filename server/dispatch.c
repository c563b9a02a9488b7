/* dispatch.c — params reading and the handler call (see dispatch.h). */
#include <stdlib.h>
#include <string.h>

#include "server/dispatch.h"
#include "server/server.h"

const method_def *methods_find(const char *name) {
    const api_method *a = api_method_find(name);
    return a ? &methods_table[a - api_methods] : NULL;
}

void dispatch_call(srv_req *r) {
    const method_def *m = r->m;
    proto_error e;
    r->params = calloc(1, m->api->size);
    if (!r->params) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    if (proto_params_read(m->api->params, r->msg.params, "", &r->srv->catalog.vocab, r->params, &e) !=
        PROTO_OK) {
        srv_req_fail_err(r, &e);
        return;
    }
    m->fn(r, r->params);
}

/* Params may hold a password: wipe them before the memory is reused. */
void dispatch_params_free(srv_req *r) {
    if (!r->params) return;
    explicit_bzero(r->params, r->m->api->size);
    free(r->params);
    r->params = NULL;
}
