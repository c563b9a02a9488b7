/* methods_read.c — the reads of data that other methods write for people
 * to see (design.md §9): match.pins (pin.lua's pair rules), meeting.list
 * (meeting_log.lua's records), jp.get (the mentee's yearly JP).
 *
 * Each is one read-only script that checks who may see what where the data
 * is (a coordinator: its programs; a mentee or coach: its own matches) and
 * answers strings (db_strs); the handler turns them into libproto's
 * structs, whose codecs check them as clients will, and packs those.  A
 * stored value that does not make a valid object answers `internal`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/db.h"
#include "server/methods.h"
#include "server/pack.h"

/* Copy the i-th string of ss into out (size outsz); -1 when it does not
 * fit or is empty. */
static int strs_copy(const db_strs *ss, size_t i, char *out, size_t outsz) {
    size_t len;
    const char *s = db_strs_at(ss, i, &len);
    if (len == 0 || len >= outsz) return -1;
    memcpy(out, s, len + 1);
    return 0;
}

/* -------------------------------------------------------- match.pins */

/* Pack n pair rules from the strings at first..first+2n of ss; -1 when
 * one does not convert (the packer has then written part of a result that
 * the caller discards by failing r). */
static int put_pairs(msgpack_packer *pk, const db_strs *ss, size_t first, size_t n) {
    msgpack_pack_array(pk, n);
    for (size_t i = 0; i < n; i++) {
        proto_pair_rule pr;
        if (strs_copy(ss, first + 2 * i, pr.mentee_id, sizeof pr.mentee_id) ||
            strs_copy(ss, first + 2 * i + 1, pr.coach_id, sizeof pr.coach_id) ||
            strspn(pr.mentee_id, PROTO_CODE_CHARS) != strlen(pr.mentee_id) ||
            strspn(pr.coach_id, PROTO_CODE_CHARS) != strlen(pr.coach_id))
            return -1;
        proto_pair_rule_pack(pk, &pr);
    }
    return 0;
}

/* pins.lua: {npins, (mentee, coach)...} */
static void pins_cb(srv_req *r, const db_strs *ss) {
    size_t n = db_strs_n(ss);
    char buf[24];
    char *end;
    long long npins = -1;
    if (n >= 1 && !strs_copy(ss, 0, buf, sizeof buf)) npins = strtoll(buf, &end, 10);
    if (npins < 0 || n % 2 != 1 || (size_t)npins > (n - 1) / 2) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
        return;
    }
    msgpack_packer *pk = srv_req_ok(r);
    msgpack_pack_map(pk, 2);
    proto_pack_cstr(pk, "pins");
    if (put_pairs(pk, ss, 1, (size_t)npins) == 0) {
        proto_pack_cstr(pk, "forbids");
        if (put_pairs(pk, ss, 1 + 2 * (size_t)npins, (n - 1) / 2 - (size_t)npins) == 0) {
            srv_req_done(r);
            return;
        }
    }
    srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored pair rule of program %s does not decode",
                 ((const api_match_pins_params *)r->params)->program);
}

void m_match_pins(srv_req *r, const api_match_pins_params *p) {
    if (mscope(r, p->program)) return;
    db_pins(r, p->program, pins_cb);
}
