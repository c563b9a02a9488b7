/* events.c — see events.h. */
#include "server/events.h"

#include <stdlib.h>
#include <string.h>

#include "server/coachidx.h"
#include "server/log.h"
#include "server/methods.h"

/* Pack {match} from the msgpack array of strings that Lua's cmsgpack
 * packed (HGETALL order): build a redisReply-shaped view with
 * NUL-terminated copies so mpack_match_flat() serves both paths. */
#define EVENT_FIELDS_MAX 64

static void pack_match_from_obj(msgpack_packer *pk, void *ud) {
    const msgpack_object_array *a = ud;
    redisReply *els[EVENT_FIELDS_MAX];
    redisReply store_[EVENT_FIELDS_MAX];
    size_t n = a->size > EVENT_FIELDS_MAX ? EVENT_FIELDS_MAX : a->size;
    for (size_t i = 0; i < n; i++) {
        memset(&store_[i], 0, sizeof store_[i]);
        store_[i].type = REDIS_REPLY_STRING;
        const char *src = a->ptr[i].type == MSGPACK_OBJECT_STR ? a->ptr[i].via.str.ptr : "";
        size_t len = a->ptr[i].type == MSGPACK_OBJECT_STR ? a->ptr[i].via.str.size : 0;
        store_[i].str = malloc(len + 1);
        if (store_[i].str) {
            memcpy(store_[i].str, src, len);
            store_[i].str[len] = '\0';
            store_[i].len = len;
        } else {
            store_[i].str = NULL;
        }
        els[i] = &store_[i];
    }
    int ok = 1;
    for (size_t i = 0; i < n; i++) ok &= store_[i].str != NULL;
    redisReply flat;
    memset(&flat, 0, sizeof flat);
    flat.type = REDIS_REPLY_ARRAY;
    flat.elements = ok ? n : 0;
    flat.element = els;
    msgpack_pack_map(pk, 1);
    mpack_str(pk, "match");
    mpack_match_flat(pk, &flat);
    for (size_t i = 0; i < n; i++) free(store_[i].str);
}

/* Field keys in the flat array are not NUL-terminated inside msgpack; copy
 * the field names we compare on. */
static int obj_field(const msgpack_object_array *a, const char *name, char *out, size_t outsz) {
    for (size_t i = 0; i + 1 < a->size; i += 2) {
        const msgpack_object *k = &a->ptr[i], *v = &a->ptr[i + 1];
        if (k->type != MSGPACK_OBJECT_STR || v->type != MSGPACK_OBJECT_STR) continue;
        if (k->via.str.size == strlen(name) && !memcmp(k->via.str.ptr, name, k->via.str.size)) {
            size_t n = v->via.str.size < outsz - 1 ? v->via.str.size : outsz - 1;
            memcpy(out, v->via.str.ptr, n);
            out[n] = '\0';
            return 0;
        }
    }
    return -1;
}

static void strz(const msgpack_object *o, char *out, size_t outsz) {
    out[0] = '\0';
    if (o->type != MSGPACK_OBJECT_STR) return;
    size_t n = o->via.str.size < outsz - 1 ? o->via.str.size : outsz - 1;
    memcpy(out, o->via.str.ptr, n);
    out[n] = '\0';
}

void events_on_message(server *s, const char *payload, size_t len) {
    if (!payload) {          /* (re)subscribed: refresh caches */
        coachidx_resync(s->cidx);
        return;
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    /* our own scripts packed it, but check like any input */
    if (mblob_unpack(payload, len, &u) != 0 ||
        u.data.type != MSGPACK_OBJECT_ARRAY || u.data.via.array.size < 2 ||
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
    } else if (!strcmp(kind, "logout") && a->size == 2) {
        char login[AUTH_LOGIN_MAX + 1];
        strz(&a->ptr[1], login, sizeof login);
        srv_logout_login(s, login);
    } else if (!strcmp(kind, "match") && a->size == 2 && a->ptr[1].type == MSGPACK_OBJECT_ARRAY) {
        const msgpack_object_array *f = &a->ptr[1].via.array;
        char mentee[PROTO_ID_MAX + 1] = "", coach[PROTO_ID_MAX + 1] = "";
        obj_field(f, "mentee_id", mentee, sizeof mentee);
        obj_field(f, "coach_id", coach, sizeof coach);
        srv_notify_subject(s, ROLE_MENTEE, mentee, "match.updated", pack_match_from_obj, (void *)f);
        srv_notify_subject(s, ROLE_COACH, coach, "match.updated", pack_match_from_obj, (void *)f);
    }
    msgpack_unpacked_destroy(&u);
}
