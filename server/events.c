/* events.c — see events.h. */
#include "server/events.h"

#include <stdlib.h>
#include <string.h>

#include "server/coachidx.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"
#include "server/sesscheck.h"
#include "server/tokset.h"

static void strz(const msgpack_object *o, char *out, size_t outsz) {
    out[0] = '\0';
    if (o->type != MSGPACK_OBJECT_STR) return;
    size_t n = o->via.str.size < outsz - 1 ? o->via.str.size : outsz - 1;
    memcpy(out, o->via.str.ptr, n);
    out[n] = '\0';
}

/* ["revoke", [tokhash, ...]]: end the sessions of those tokens here.  A
 * hash that is not one is skipped (the others still end). */
static void revoke(server *s, const msgpack_object_array *ths) {
    tokset set;
    tokset_init(&set);
    for (uint32_t i = 0; i < ths->size; i++) {
        const msgpack_object *o = &ths->ptr[i];
        if (o->type != MSGPACK_OBJECT_STR || tokset_add(&set, o->via.str.ptr, o->via.str.size))
            log_warn("ignoring an item of a revoke event that is not a token hash");
    }
    tokset_seal(&set);
    srv_end_sessions(s, &set, "token revoked");
    tokset_free(&set);
}

void events_on_message(server *s, const char *payload, size_t len) {
    if (!payload) { /* (re)subscribed: refresh caches; events missed meanwhile may have ended sessions */
        coachidx_resync(s->cidx);
        sesscheck_now(s->sck);
        return;
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    /* our own scripts packed it, but check like any input */
    if (mblob_unpack(payload, len, &u) != 0 || u.data.type != MSGPACK_OBJECT_ARRAY || u.data.via.array.size < 2 ||
        u.data.via.array.ptr[0].type != MSGPACK_OBJECT_STR) {
        log_warn("ignoring a malformed event (%zu bytes)", len);
        msgpack_unpacked_destroy(&u);
        return;
    }
    const msgpack_object_array *a = &u.data.via.array;
    char kind[16];
    strz(&a->ptr[0], kind, sizeof kind);
    if (!strcmp(kind, "coach") && a->size == 4 && a->ptr[2].type == MSGPACK_OBJECT_STR) {
        /* the id (element 1) is inside the profile too */
        int load = a->ptr[3].type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int)a->ptr[3].via.u64 : 0;
        coachidx_put_blob(s->cidx, a->ptr[2].via.str.ptr, a->ptr[2].via.str.size, load);
    } else if (!strcmp(kind, "load") && a->size == 3) {
        char id[PROTO_ID_MAX + 1];
        strz(&a->ptr[1], id, sizeof id);
        int load = a->ptr[2].type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int)a->ptr[2].via.u64 : 0;
        coachidx_set_load(s->cidx, id, load);
    } else if (!strcmp(kind, "revoke") && a->size == 2 && a->ptr[1].type == MSGPACK_OBJECT_ARRAY) {
        revoke(s, &a->ptr[1].via.array);
    } else if (!strcmp(kind, "match") && a->size == 2 && a->ptr[1].type == MSGPACK_OBJECT_ARRAY) {
        /* the match hash as Lua's cmsgpack packed HGETALL's list */
        proto_match *m = malloc(sizeof *m);
        if (!m || pack_conv_match_array(&a->ptr[1].via.array, m)) {
            log_warn("ignoring a match event that does not make a match");
        } else {
            srv_notify_subject(s, ROLE_MENTEE, m->mentee_id, "match.updated", pack_match_updated, m);
            srv_notify_subject(s, ROLE_COACH, m->coach_id, "match.updated", pack_match_updated, m);
        }
        free(m);
    }
    msgpack_unpacked_destroy(&u);
}
