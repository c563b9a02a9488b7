/* methods_mail.c — the methods of mail outside the app (design.md §10):
 * meeting.schedule (a planned meeting and its iCalendar invitation),
 * mail.dead and mail.retry (an admin's view of the dead letters and the
 * way back to the outbox).
 *
 * The messages themselves are written by the scripts of the changes
 * (common.lua's outbox()) and delivered by coachnet-mailer
 * (mailer/mailer.c); nothing here talks SMTP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/db.h"
#include "server/methods.h"
#include "server/pack.h"

static void bad_reply(srv_req *r) { srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply"); }

/* Copy the i-th string of ss into out (size outsz) when it fits and is
 * made of `chars` (NULL: any); -1 otherwise. */
static int strs_copy(const db_strs *ss, size_t i, char *out, size_t outsz, size_t minlen, const char *chars) {
    size_t len;
    const char *s = db_strs_at(ss, i, &len);
    if (len < minlen || len >= outsz || (chars && strspn(s, chars) != len)) return -1;
    memcpy(out, s, len + 1);
    return 0;
}

/* The i-th string of ss as a count 0..PROTO_COUNT_MAX, or -1. */
static long long strs_count(const db_strs *ss, size_t i) {
    char buf[24];
    if (strs_copy(ss, i, buf, sizeof buf, 1, "0123456789")) return -1;
    long long v = strtoll(buf, NULL, 10);
    return v <= PROTO_COUNT_MAX ? v : -1;
}

/* ------------------------------------------------------ meeting.schedule */

/* meeting_schedule.lua: {meeting_id} */
static void schedule_cb(srv_req *r, const db_strs *ss) {
    char id[PROTO_OBJID_MAX + 1];
    if (db_strs_n(ss) != 1 || strs_copy(ss, 0, id, sizeof id, 1, PROTO_CODE_CHARS)) {
        bad_reply(r);
        return;
    }
    pack_str_result(srv_req_ok(r), "meeting_id", id);
    srv_req_done(r);
}

/* meeting.schedule: the script checks the side, the match's state and that
 * start is not in the past (with the time it is given), atomically with
 * the record and its outbox message. */
void m_meeting_schedule(srv_req *r, const api_meeting_schedule_params *p) {
    db_meeting_schedule(r, p->match_id, auth_role_name(r->sess.role), r->sess.subject, p->start, p->minutes,
                        p->has_place ? p->place : "", p->has_meeting_id ? p->meeting_id : "", r->sess.login,
                        schedule_cb);
}

/* ------------------------------------------------------------ mail.dead */

#define DEAD_FIELDS 8 /* mail_dead.lua: id event kind to match reason tries at */

static void dead_cb(srv_req *r, const db_strs *ss) {
    size_t n = db_strs_n(ss), len0;
    if (n < 1 || (n - 1) % DEAD_FIELDS) {
        bad_reply(r);
        return;
    }
    const char *next = db_strs_at(ss, 0, &len0);
    size_t nitems = (n - 1) / DEAD_FIELDS;
    proto_dead_mail *items = calloc(nitems ? nitems : 1, sizeof *items);
    if (!items) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < nitems; i++) {
        size_t b = 1 + DEAD_FIELDS * i;
        proto_dead_mail *d = &items[i];
        if (strs_copy(ss, b, d->id, sizeof d->id, 1, PROTO_CODE_CHARS) ||
            strs_copy(ss, b + 1, d->event, sizeof d->event, 1, PROTO_CODE_CHARS) ||
            strs_copy(ss, b + 2, d->kind, sizeof d->kind, 1, PROTO_CODE_CHARS) ||
            strs_copy(ss, b + 3, d->to, sizeof d->to, 1, NULL) ||
            strs_copy(ss, b + 4, d->match, sizeof d->match, 0, PROTO_CODE_CHARS) ||
            (d->tries = strs_count(ss, b + 6)) < 0 || (d->at = strs_count(ss, b + 7)) < 0) {
            free(items);
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "a dead letter does not make an item");
            return;
        }
        /* the reason is the SMTP server's text: cut, never refused */
        size_t rl;
        const char *reason = db_strs_at(ss, b + 5, &rl);
        snprintf(d->reason, sizeof d->reason, "%.*s", (int)rl, reason);
        for (char *c = d->reason; *c; c++)
            if ((unsigned char)*c < 0x20) *c = ' ';
    }
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", nitems, true);
    for (size_t i = 0; i < nitems; i++) proto_dead_mail_pack(pk, &items[i]);
    pack_cursor(pk, len0 ? next : NULL);
    free(items);
    srv_req_done(r);
}

void m_mail_dead(srv_req *r, const api_mail_dead_params *p) {
    db_mail_dead(r, p->has_cursor ? p->cursor : "", p->limit, dead_cb);
}

/* ----------------------------------------------------------- mail.retry */

static void retry_cb(srv_req *r, const db_strs *ss) {
    long long n = db_strs_n(ss) == 1 ? strs_count(ss, 0) : -1;
    if (n < 0) {
        bad_reply(r);
        return;
    }
    pack_count_result(srv_req_ok(r), "retried", n);
    srv_req_done(r);
}

void m_mail_retry(srv_req *r, const api_mail_retry_params *p) {
    const char *ids[API_MAIL_RETRY_MAX];
    for (size_t i = 0; i < p->n_ids; i++) ids[i] = p->ids[i];
    db_mail_retry(r, r->sess.login, ids, p->n_ids, retry_cb);
}
