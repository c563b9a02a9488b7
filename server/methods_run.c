/* methods_run.c — run.get, run.list: the records of match runs;
 * run.publish: a draft run switched on.
 *
 * A run's record is the hash run:<id> (run_lock.lua writes it, the later
 * steps of runs.c complete it); run.lua's record() reads it in the order
 * pack_run() builds the run object from.  A coordinator sees the runs of
 * its programs only: run.get checks the run's program in the script (the
 * program is only known there), run.list the asked program here.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/db.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"
#include "server/runs.h"
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

/* ------------------------------------------------------------ publish
 * run.publish: SCRIPT_RUN_DRAFT_PUBLISH checks the draft and switches its
 * proposals on under the program's lock, then the waitlist is settled here
 * in chunks (SCRIPT_RUN_WAITLIST, as runs.c does for a run that is not a
 * draft: first the proposals the switch superseded, run-settle-chunk a
 * script); each chunk renews the lock (this settle has no renew timer,
 * unlike runs.c's run), the last one releases it and the answer goes out.  Once
 * switched on, the run is published whatever happens to its waitlist: a
 * chunk that fails is left to the sweep (after the lock expires). */

typedef struct publish_st {
    char run_id[PROTO_OBJID_MAX + 1];
    char program[PROTO_CODE_MAX + 1];
    long long published;
} publish_st;

static void publish_answer(srv_req *r) {
    const publish_st *ps = r->st;
    pack_count_result(srv_req_ok(r), "published", ps->published);
    srv_req_done(r);
}

static void publish_settle_next(srv_req *r);

static void publish_settle_cb(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    const publish_st *ps = r->st;
    if (status != STORE_OK || !mel_strs(reply, 0, 1) || strcmp(reply->element[0]->str, "ok")) {
        log_warn("run %s: published; its waitlist is left to the sweep", ps->run_id);
        publish_answer(r);
        return;
    }
    if (mel_ll(reply, 1, 0))
        publish_settle_next(r);
    else
        publish_answer(r);
}

static void publish_settle_next(srv_req *r) {
    const publish_st *ps = r->st;
    sargs a = db_script(r, SCRIPT_RUN_WAITLIST);
    sargs_adds(&a, ps->run_id);
    sargs_adds(&a, ps->program);
    sargs_addll(&a, (long long)time(NULL));
    sargs_addll(&a, RUN_UNMATCHED_CHUNK);
    sargs_addll(&a, r->srv->cfg->run_settle_chunk);
    sargs_addll(&a, r->srv->cfg->run_lock_ttl_ms);
    if (script_cmd(r->srv->st, publish_settle_cb, r, &a) != STORE_OK) publish_settle_cb(r, NULL, STORE_UNAVAILABLE);
}

static void publish_cb(srv_req *r, const db_published *p) {
    publish_st *ps = r->st;
    ps->published = p->published;
    snprintf(ps->program, sizeof ps->program, "%s", p->program);
    /* A repeated request_id: the first call published it, but its handler
     * may not have settled it (it heard `unavailable` while Redis ran the
     * switch, or its process died): settle here too, so that this answer
     * also comes once the waitlist is settled and the lock released.
     * Nothing is counted twice (settle() SPOPs) and a settled run is left
     * alone at once. */
    if (!r->replayed)
        log_info("run %s (%s) published by %s: %lld proposals", ps->run_id, ps->program, r->sess.login, p->published);
    publish_settle_next(r);
}

void m_run_publish(srv_req *r, const api_run_publish_params *p) {
    publish_st *ps = mstate(r, sizeof *ps, NULL);
    if (!ps) return;
    snprintf(ps->run_id, sizeof ps->run_id, "%s", p->run_id);
    db_run_draft_publish(r, p->run_id, r->sess.programs, r->srv->cfg->run_lock_ttl_ms, r->sess.login, publish_cb);
}

/* ---------------------------------------------------------- unmatched
 * run.unmatched: a page of unmatched:<run> (run_unmatched.lua), by reason
 * then mentee id; the cursor is the last "<reason>:<mentee>" member. */

#define UNMATCHED_CURSOR_TAG "u:"
#define CURSOR_POS_MAX       (API_CURSOR_MAX / 2) /* a cursor is the hex of its position */

static void unmatched_cb(srv_req *r, const db_unmatched *u) {
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", db_unmatched_n(u), true);
    for (size_t i = 0; i < db_unmatched_n(u); i++) {
        const char *id, *name, *reason;
        proto_unmatched_item it;
        db_unmatched_item(u, i, &id, &name, &reason);
        if (pack_conv_unmatched(id, name, reason, &it)) {
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored unmatched mentee does not decode");
            return;
        }
        proto_unmatched_item_pack(pk, &it);
    }
    const char *next = db_unmatched_next(u);
    char pos[CURSOR_POS_MAX + 1], hex[2 * CURSOR_POS_MAX + 1];
    const char *cursor = NULL;
    if (next && strlen(UNMATCHED_CURSOR_TAG) + strlen(next) <= CURSOR_POS_MAX) {
        snprintf(pos, sizeof pos, UNMATCHED_CURSOR_TAG "%s", next);
        util_cursor_encode(pos, hex);
        cursor = hex;
    }
    pack_cursor(pk, cursor);
    srv_req_done(r);
}

void m_run_unmatched(srv_req *r, const api_run_unmatched_params *p) {
    char after[CURSOR_POS_MAX + 1] = "";
    if (p->cursor[0] && (util_cursor_decode(p->cursor, after, sizeof after) ||
                         strncmp(after, UNMATCHED_CURSOR_TAG, strlen(UNMATCHED_CURSOR_TAG)))) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "cursor", "not a cursor this server returned");
        return;
    }
    db_run_unmatched(r, p->run_id, p->has_reason ? api_run_unmatched_reason_names[p->reason] : "",
                     after[0] ? after + strlen(UNMATCHED_CURSOR_TAG) : "", p->limit, r->sess.programs, unmatched_cb);
}
