/* methods_run.c — run.get, run.list: the records of match runs.
 *
 * A run's record is the hash run:<id> (run_lock.lua writes it, the later
 * steps of runs.c complete it); run.lua's record() reads it in the order
 * pack_run() builds the run object from.  A coordinator sees the runs of
 * its programs only: run.get checks the run's program in the script (the
 * program is only known there), run.list the asked program here.
 */
#include <stdio.h>
#include <string.h>

#include "server/db.h"
#include "server/methods.h"
#include "server/pack.h"
#include "server/util.h"

/* Pack the n records of rs as an array; 0, or -1 after answering
 * `internal` for a stored run that does not make a valid run. */
static int put_runs(srv_req *r, msgpack_packer *pk, const db_runs *rs) {
    for (size_t i = 0; i < db_runs_n(rs); i++)
        if (db_runs_pack(rs, i, pk)) {
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored run does not decode");
            return -1;
        }
    return 0;
}

static void get_cb(srv_req *r, const db_runs *rs) {
    msgpack_packer *pk = srv_req_ok(r);
    pack_wrap_begin(pk, "run");
    if (put_runs(r, pk, rs)) return;
    srv_req_done(r);
}

void m_run_get(srv_req *r, const api_run_get_params *p) { db_run_get(r, p->run_id, r->sess.programs, get_cb); }

/* A run.list cursor is "r:<run number>", hex-encoded (util_cursor_*). */
#define RUN_CURSOR_TAG "r:"

static void list_cb(srv_req *r, const db_runs *rs) {
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", db_runs_n(rs), true);
    if (put_runs(r, pk, rs)) return;
    const char *next = db_runs_next(rs);
    char id[40], hex[100];
    const char *cursor = NULL;
    if (next && strlen(next) < 32) {
        snprintf(id, sizeof id, RUN_CURSOR_TAG "%s", next);
        util_cursor_encode(id, hex);
        cursor = hex;
    }
    pack_cursor(pk, cursor);
    srv_req_done(r);
}

void m_run_list(srv_req *r, const api_run_list_params *p) {
    char after[80] = "";
    if (p->cursor[0] && (util_cursor_decode(p->cursor, after, sizeof after) ||
                         strncmp(after, RUN_CURSOR_TAG, strlen(RUN_CURSOR_TAG)))) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "cursor", "not a cursor this server returned");
        return;
    }
    if (mscope(r, p->program)) return;
    db_run_list(r, p->program, after[0] ? after + strlen(RUN_CURSOR_TAG) : "", p->limit, list_cb);
}
