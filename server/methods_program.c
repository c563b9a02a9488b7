/* methods_program.c — program.put, program.get, program.list (DESIGN §9).
 *
 * A program is an object of its own (program:<id>, server/keys.c): its
 * name, year, whether its mentees may ask a coach themselves
 * (self_service, read by match_request.lua) and its yearly JP target.  An
 * admin creates and edits any program; a coordinator reads and edits the
 * programs of its scope but creates none (program_put.lua decides, in the
 * same script as the write).  Profiles, runs, pins and users naming a
 * program that does not exist are refused by their scripts (common.lua's
 * no_program). */
#include <stdio.h>
#include <string.h>

#include "server/db.h"
#include "server/methods.h"
#include "server/pack.h"
#include "server/util.h"

/* A coordinator's scope ("" for an admin: every program). */
static const char *scope_of(const srv_req *r) { return r->sess.role == ROLE_COORDINATOR ? r->sess.programs : ""; }

static void put_done(srv_req *r) {
    pack_empty(srv_req_ok(r));
    srv_req_done(r);
}

void m_program_put(srv_req *r, const api_program_put_params *p) {
    proto_program prog;
    msgpack_sbuffer sb;
    pack_conv_program(&p->program, &prog);
    msgpack_sbuffer_init(&sb);
    pack_program_blob(&sb, &prog);
    db_program_put(r, prog.id, sb.data, sb.size, prog.name, (long long)prog.year, prog.self_service ? 1 : 0,
                   (long long)prog.jp_target, scope_of(r), r->sess.login, put_done);
    msgpack_sbuffer_destroy(&sb);
}

static void get_done(srv_req *r, const db_page *pg) {
    const char *id, *blob;
    size_t len;
    if (db_page_n(pg) != 1) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "program_page.lua answered %zu programs", db_page_n(pg));
        return;
    }
    db_page_item(pg, 0, &id, &blob, &len);
    if (pack_program_valid(blob, len)) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "program %s is stored damaged", id);
        return;
    }
    pack_program_result(srv_req_ok(r), blob, len);
    srv_req_done(r);
}

void m_program_get(srv_req *r, const api_program_get_params *p) {
    if (mscope(r, p->id)) return;
    db_program_page(r, p->id, "", 1, "", get_done);
}

/* {items, cursor}: a program is at most ~2.3 KB, so a page of
 * API_PROGRAM_LIST_MAX fits in the default max-frame; a smaller max-frame
 * ends the page early, the cursor then points after the last item packed
 * (as profile lists do). */
static void list_done(srv_req *r, const db_page *pg) {
    size_t n = db_page_n(pg), take = 0, bytes = 64;
    size_t budget = r->srv->lim.max_frame > 256 ? r->srv->lim.max_frame - 256 : 0;
    const char *id, *blob, *next = db_page_next(pg);
    size_t len;
    for (; take < n; take++) {
        db_page_item(pg, take, &id, &blob, &len);
        if (pack_program_valid(blob, len)) {
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "program %s is stored damaged", id);
            return;
        }
        if (bytes + len + 8 > budget) break;
        bytes += len + 8;
    }
    if (take == 0 && n > 0) {
        srv_req_fail(r, PROTO_E_TOO_LARGE, NULL, "one program is larger than max-frame");
        return;
    }
    if (take < n) db_page_item(pg, take - 1, &next, &blob, &len);
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", take, true);
    for (size_t i = 0; i < take; i++) {
        db_page_item(pg, i, &id, &blob, &len);
        pack_raw(pk, blob, len);
    }
    char hex[2 * PROTO_CODE_MAX + 3];
    const char *cursor = NULL;
    if (next && next[0] && strlen(next) <= PROTO_CODE_MAX) {
        util_cursor_encode(next, hex);
        cursor = hex;
    }
    pack_cursor(pk, cursor);
    srv_req_done(r);
}

void m_program_list(srv_req *r, const api_program_list_params *p) {
    char after[PROTO_CODE_MAX + 1] = "";
    if (p->cursor[0] &&
        (util_cursor_decode(p->cursor, after, sizeof after) || strspn(after, PROTO_CODE_CHARS) != strlen(after))) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "cursor", "not a cursor this server returned");
        return;
    }
    db_program_page(r, "", after, p->limit, scope_of(r), list_done);
}
