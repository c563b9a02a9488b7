/* methods_read.c — the reads of data that other methods write for people
 * to see (design.md §9): match.pins (pin.lua's pair rules), meeting.list
 * (meeting_log.lua's records), jp.get (the mentee's yearly JP),
 * feedback.list (feedback_put.lua's records), audit.list (the audit
 * stream that common.lua's audit() appends to).
 *
 * Each is one read-only script that checks who may see what where the data
 * is (a coordinator: its programs; a mentee or coach: its own matches) and
 * answers strings (db_strs); the handler turns them into libproto's
 * structs, whose codecs check them as clients will, and packs them through
 * server/pack.c.  A stored value that does not make a valid object answers
 * `internal`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/db.h"
#include "server/methods.h"
#include "server/pack.h"

static const char *role_str(const srv_req *r) { return auth_role_name(r->sess.role); }

static void bad_reply(srv_req *r) { srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply"); }

/* Copy the i-th string of ss into out (size outsz); -1 when it is empty
 * or does not fit. */
static int strs_copy(const db_strs *ss, size_t i, char *out, size_t outsz) {
    size_t len;
    const char *s = db_strs_at(ss, i, &len);
    if (len == 0 || len >= outsz) return -1;
    memcpy(out, s, len + 1);
    return 0;
}

/* The i-th string of ss as a count 0..PROTO_COUNT_MAX, or -1. */
static long long strs_count(const db_strs *ss, size_t i) {
    char buf[24], *end;
    if (strs_copy(ss, i, buf, sizeof buf) || strspn(buf, "0123456789") != strlen(buf)) return -1;
    long long v = strtoll(buf, &end, 10);
    return v <= PROTO_COUNT_MAX ? v : -1;
}

/* -------------------------------------------------------- match.pins */

/* pins.lua: {npins, (mentee, coach)...}: the pins, then the forbids */
static void pins_cb(srv_req *r, const db_strs *ss) {
    size_t n = db_strs_n(ss);
    long long npins = n >= 1 ? strs_count(ss, 0) : -1;
    if (npins < 0 || n % 2 != 1 || (size_t)npins > (n - 1) / 2) {
        bad_reply(r);
        return;
    }
    size_t nrules = (n - 1) / 2;
    proto_pair_rule *rules = calloc(nrules ? nrules : 1, sizeof *rules);
    if (!rules) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < nrules; i++) {
        proto_pair_rule *pr = &rules[i];
        if (strs_copy(ss, 1 + 2 * i, pr->mentee_id, sizeof pr->mentee_id) ||
            strs_copy(ss, 2 + 2 * i, pr->coach_id, sizeof pr->coach_id) ||
            strspn(pr->mentee_id, PROTO_CODE_CHARS) != strlen(pr->mentee_id) ||
            strspn(pr->coach_id, PROTO_CODE_CHARS) != strlen(pr->coach_id)) {
            free(rules);
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "a stored pair rule of program %s is not a pair of ids",
                         ((const api_match_pins_params *)r->params)->program);
            return;
        }
    }
    pack_pins_result(srv_req_ok(r), rules, (size_t)npins, rules + npins, nrules - (size_t)npins);
    free(rules);
    srv_req_done(r);
}

void m_match_pins(srv_req *r, const api_match_pins_params *p) {
    if (mscope(r, p->program)) return;
    db_pins(r, p->program, pins_cb);
}

/* ------------------------------------------------------ meeting.list */

/* meeting_list.lua: the stored records, in date order */
static void meetings_cb(srv_req *r, const db_strs *ss) {
    size_t n = db_strs_n(ss);
    proto_meeting_item *items = calloc(n ? n : 1, sizeof *items);
    if (!items) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *blob = db_strs_at(ss, i, &len);
        if (pack_conv_meeting(blob, len, &items[i])) {
            free(items);
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "a stored meeting of match %s does not decode",
                         ((const api_meeting_list_params *)r->params)->match_id);
            return;
        }
    }
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", n, false);
    for (size_t i = 0; i < n; i++) proto_meeting_item_pack(pk, &items[i]);
    free(items);
    srv_req_done(r);
}

/* meeting.list: the script checks that the caller is a side of the match
 * or coordinates its program (the session's programs are the scope). */
void m_meeting_list(srv_req *r, const api_meeting_list_params *p) {
    db_meeting_list(r, p->match_id, role_str(r), r->sess.subject, r->sess.programs, meetings_cb);
}

/* ------------------------------------------------------------ jp.get */

/* jp_get.lua: {minutes, target}; r->st holds the jp_result's mentee_id
 * and year. */
static void jp_cb(srv_req *r, const db_strs *ss) {
    proto_jp_result *j = r->st;
    char buf[32], *end;
    long long minutes = db_strs_n(ss) == 2 ? strs_count(ss, 0) : -1;
    double target = -1;
    if (minutes >= 0 && !strs_copy(ss, 1, buf, sizeof buf)) {
        target = strtod(buf, &end);
        if (*end || !(target >= 0 && target <= (double)PROTO_COUNT_MAX)) target = -1; /* NaN too */
    }
    if (target < 0) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored JP of mentee %s or its program's jp_target is not a number",
                     j->mentee_id);
        return;
    }
    j->minutes = minutes;
    j->jp = proto_jp(minutes);
    j->target = target;
    proto_jp_result_pack(srv_req_ok(r), j);
    srv_req_done(r);
}

/* jp.get: a mentee asks for itself (mentee_id may be left out), a
 * coordinator names a mentee of its programs (the script checks the
 * program).  The year defaults to the current one in the server's time
 * zone (config `timezone`, the process' local time: util_tz_use). */
void m_jp_get(srv_req *r, const api_jp_get_params *p) {
    const char *id = p->has_mentee_id ? p->mentee_id : NULL;
    if (r->sess.role == ROLE_MENTEE) {
        if (id && strcmp(id, r->sess.subject) != 0) {
            srv_req_fail(r, PROTO_E_FORBIDDEN, "mentee_id", "a mentee reads its own JP only");
            return;
        }
        id = r->sess.subject;
    } else if (!id) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, "mentee_id", "is required for a coordinator");
        return;
    }
    proto_jp_result *j = mstate(r, sizeof *j, free);
    if (!j) return;
    snprintf(j->mentee_id, sizeof j->mentee_id, "%s", id);
    if (p->has_year) {
        j->year = p->year;
    } else {
        time_t now = time(NULL);
        struct tm tm;
        if (!localtime_r(&now, &tm)) {
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "no local time");
            return;
        }
        j->year = tm.tm_year + 1900;
    }
    db_jp_get(r, j->mentee_id, j->year, role_str(r), r->sess.programs, API_JP_TARGET_DEFAULT, jp_cb);
}

/* ----------------------------------------------------- feedback.list */

/* feedback_list.lua: {next, (match_id, by, role, record)...} */
static void feedback_cb(srv_req *r, const db_strs *ss) {
    size_t n = db_strs_n(ss), len, len0;
    if (n < 1 || (n - 1) % 4) {
        bad_reply(r);
        return;
    }
    const char *next = db_strs_at(ss, 0, &len0);
    size_t nitems = (n - 1) / 4;
    proto_feedback_item *items = calloc(nitems ? nitems : 1, sizeof *items);
    if (!items) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < nitems; i++) {
        const char *mid = db_strs_at(ss, 1 + 4 * i, &len), *by = db_strs_at(ss, 2 + 4 * i, &len);
        const char *role = db_strs_at(ss, 3 + 4 * i, &len), *blob = db_strs_at(ss, 4 + 4 * i, &len);
        if (pack_conv_feedback(mid, by, role, blob, len, &items[i])) {
            free(items);
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored feedback of match %.64s does not decode", mid);
            return;
        }
    }
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", nitems, true);
    for (size_t i = 0; i < nitems; i++) proto_feedback_item_pack(pk, &items[i]);
    pack_cursor(pk, len0 ? next : NULL);
    free(items);
    srv_req_done(r);
}

/* feedback.list: exactly one of program and match_id.  A program's
 * feedback is for its coordinators (checked here); a match's for its sides
 * and the coordinators of its program (checked by the script, which reads
 * the match). */
void m_feedback_list(srv_req *r, const api_feedback_list_params *p) {
    if (p->has_program == p->has_match_id) {
        srv_req_fail(r, PROTO_E_INVALID_PARAMS, p->has_program ? "match_id" : "program",
                     "give exactly one of program and match_id");
        return;
    }
    if (p->has_program) {
        if (r->sess.role != ROLE_COORDINATOR) {
            srv_req_fail(r, PROTO_E_FORBIDDEN, "program", "a program's feedback is for its coordinators");
            return;
        }
        if (mscope(r, p->program)) return;
    }
    db_feedback_list(r, p->has_program ? p->program : "", p->has_match_id ? p->match_id : "",
                     p->has_cursor ? p->cursor : "", p->limit, role_str(r), r->sess.subject, r->sess.programs,
                     feedback_cb);
}

/* -------------------------------------------------------- audit.list */

/* audit_list.lua: {next, (at, actor, action, object, detail)...} */
static void audit_cb(srv_req *r, const db_strs *ss) {
    size_t n = db_strs_n(ss), len0;
    if (n < 1 || (n - 1) % 5) {
        bad_reply(r);
        return;
    }
    const char *next = db_strs_at(ss, 0, &len0);
    size_t nitems = (n - 1) / 5;
    proto_audit_item *items = calloc(nitems ? nitems : 1, sizeof *items);
    if (!items) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < nitems; i++) {
        const char *f[5];
        size_t len[5];
        for (size_t k = 0; k < 5; k++) f[k] = db_strs_at(ss, 1 + 5 * i + k, &len[k]);
        if (pack_conv_audit(f, len, &items[i])) {
            free(items);
            srv_req_fail(r, PROTO_E_INTERNAL, NULL, "an audit entry does not make an item");
            return;
        }
    }
    msgpack_packer *pk = srv_req_ok(r);
    pack_items_begin(pk, "items", nitems, true);
    for (size_t i = 0; i < nitems; i++) proto_audit_item_pack(pk, &items[i]);
    pack_cursor(pk, len0 ? next : NULL);
    free(items);
    srv_req_done(r);
}

/* audit.list: an admin reads every entry (scope "*"), a coordinator those
 * of its programs (its scope; a program filter outside it is forbidden). */
void m_audit_list(srv_req *r, const api_audit_list_params *p) {
    if (p->has_program && mscope(r, p->program)) return;
    const char *scope = r->sess.role == ROLE_ADMIN ? "*" : r->sess.programs;
    db_audit_list(r, p->has_program ? p->program : "", p->has_actor ? p->actor : "", p->has_since ? p->since : 0,
                  p->has_cursor ? p->cursor : "", p->limit, API_AUDIT_EXAMINE_MAX, scope, PROTO_AUDIT_DETAIL_MAX,
                  audit_cb);
}
