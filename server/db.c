/* db.c — the typed store API (see db.h).
 *
 * The senders are generated (db.gen.c) from the `--! db:` lines of the
 * scripts' headers: each builds its command and remembers the handler's
 * callback in r->dbfn.  This file holds the reply readers, one per reply
 * kind (db_on_<kind>: the common checks of db_answer(), the shape of the
 * reply, then the callback with C values), and the two operations that
 * are more than one script call.  The readers are the only code of the
 * handlers' path that looks inside a redisReply.
 */
#include "server/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/keys.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"

#define DB_TEXT_MAX 512 /* bytes of a script's refusal message kept */

struct db_page {
    const redisReply *reply; /* {'ok', next, id, blob, id, blob, ...} */
    size_t n;
};

struct db_users {
    const redisReply *reply; /* {'ok', next, login, role, subject, programs, disabled, ...} */
    size_t n;
};

struct db_strs {
    const redisReply *reply; /* {'ok', s1, s2, ...} */
};

struct db_matches {
    const redisReply *reply; /* {'ok', [next,] flat, flat, ...} */
    size_t first, n;
    const char *next;
};

/* Send a for r; the reply goes to on_reply with r, and fn waits in r. */
static void db_send(srv_req *r, store_cb *on_reply, void (*fn)(void), sargs *a) {
    r->dbfn = fn;
    mcmd(r, on_reply, a);
}

sargs db_script(srv_req *r, script_id id) {
    sargs a;
    sargs_init(&a);
    script_args(&a, id, r->srv->cfg->redis_prefix);
    return a;
}

void db_idem_args(srv_req *r, sargs *a) {
    sargs_adds(a, r->idem_key);
    sargs_adds(a, r->idem_fp);
    sargs_addll(a, API_REQUEST_ID_TTL_S);
}

static int db_shape(srv_req *r) {
    srv_req_fail(r, PROTO_E_INTERNAL, NULL, "unexpected store reply");
    return -1;
}

/* The checks every script reply gets: a store failure, an error reply or a
 * script's refusal answers r; 0 when the script said ok. */
static int db_answer(srv_req *r, redisReply *reply, int status) {
    if (mreply_ok(r, reply, status) || mscript_status(r, reply)) return -1;
    return 0;
}

/* Each reply kind pairs its reader db_on_<kind> with the callback type the
 * reader calls.  DB_KIND makes, from that one pair, the only function that
 * stores such a callback (db_send_<kind>, which the compiler checks on the
 * sender's side) and the only cast back (cb_<kind>, used by the reader), so
 * r->dbfn is always called through the type it was stored with. */
static store_cb db_on_ok, db_on_user, db_on_session, db_on_version, db_on_profile, db_on_mentee_profile, db_on_page,
    db_on_pair, db_on_match, db_on_matches, db_on_matches_page, db_on_review, db_on_meeting, db_on_stats,
    db_on_users_page, db_on_strs;
static store_cb db_on_run, db_on_runs, db_on_published, db_on_unmatched;

#define DB_KIND(kind, fn_t)                                                                                            \
    void db_send_##kind(srv_req *r, sargs *a, fn_t *cb) { db_send(r, db_on_##kind, (void (*)(void))cb, a); }           \
    static fn_t *cb_##kind(const srv_req *r) { return (fn_t *)r->dbfn; }

DB_KIND(ok, db_ok_fn)
DB_KIND(user, db_user_fn)
DB_KIND(session, db_session_fn)
DB_KIND(version, db_version_fn)
DB_KIND(profile, db_profile_fn)
DB_KIND(mentee_profile, db_profile_fn)
DB_KIND(page, db_page_fn)
DB_KIND(pair, db_pair_fn)
DB_KIND(match, db_match_fn)
DB_KIND(matches, db_matches_fn)
DB_KIND(matches_page, db_matches_fn)
DB_KIND(review, db_review_fn)
DB_KIND(meeting, db_meeting_fn)
DB_KIND(stats, db_stats_fn)
DB_KIND(users_page, db_users_fn)
DB_KIND(strs, db_strs_fn)
DB_KIND(run, db_runs_fn)
DB_KIND(runs, db_runs_fn)
DB_KIND(published, db_published_fn)
DB_KIND(unmatched, db_unmatched_fn)

/* ---------------------------------------------------------------- ok */

static void db_on_ok(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    cb_ok(r)(r);
}

/* ------------------------------------------------------------- users */

static void db_on_user(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status)) return;
    db_user u;
    memset(&u, 0, sizeof u);
    const redisReply *s0 = mel(reply, 0);
    if (s0 && s0->type == REDIS_REPLY_STRING && !strcmp(s0->str, "unauthenticated")) {
        const redisReply *msg = mel(reply, 1);
        u.refusal = msg && msg->type == REDIS_REPLY_STRING ? msg->str : "wrong login or password";
        cb_user(r)(r, &u);
        return;
    }
    if (mscript_status(r, reply)) return;
    if (!mel_strs(reply, 1, 5)) {
        db_shape(r);
        return;
    }
    u.known = true;
    u.pw_hash = reply->element[1]->str;
    u.role = auth_role_parse(reply->element[2]->str, reply->element[2]->len);
    u.subject = reply->element[3]->str;
    u.programs = reply->element[4]->str;
    cb_user(r)(r, &u);
}

#define DB_USER_FIELDS 5 /* login role subject programs disabled */

size_t db_users_n(const db_users *us) { return us->n; }

void db_users_at(const db_users *us, size_t i, db_user_row *out) {
    redisReply *const *e = us->reply->element + 2 + DB_USER_FIELDS * i;
    out->login = e[0]->str;
    out->role = e[1]->str;
    out->subject = e[2]->str;
    out->programs = e[3]->str;
    out->disabled = !strcmp(e[4]->str, "1");
}

const char *db_users_next(const db_users *us) {
    const redisReply *cur = us->reply->element[1];
    return cur->len ? cur->str : NULL;
}

/* SCRIPT_USER_LIST: {'ok', next, (login, role, subject, programs,
 * disabled)...}; a role that is none of the four is a bad shape. */
static void db_on_users_page(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (reply->elements < 2 || !mel_strs(reply, 1, reply->elements) || (reply->elements - 2) % DB_USER_FIELDS) {
        db_shape(r);
        return;
    }
    db_users us = { reply, (reply->elements - 2) / DB_USER_FIELDS };
    for (size_t i = 0; i < us.n; i++) {
        const redisReply *role = reply->element[3 + DB_USER_FIELDS * i];
        if (auth_role_parse(role->str, role->len) == ROLE_NONE) {
            db_shape(r);
            return;
        }
    }
    cb_users_page(r)(r, &us);
}

/* SCRIPT_RESUME: {'ok', login, role, subject, programs, ttl} */
static void db_on_session(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (!mel_strs(reply, 1, 5)) {
        db_shape(r);
        return;
    }
    db_session s = { .login = reply->element[1]->str,
                     .role = auth_role_parse(reply->element[2]->str, reply->element[2]->len),
                     .subject = reply->element[3]->str,
                     .programs = reply->element[4]->str,
                     .ttl = mel_ll(reply, 5, 0) };
    cb_session(r)(r, &s);
}

/* ---------------------------------------------------------- profiles */

/* SCRIPT_PROFILE_PUT: {'ok', version} */
static void db_on_version(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    cb_version(r)(r, mel_ll(reply, 1, 0));
}

/* A stored profile must pass the same pre-check as a client's frame
 * before anyone unpacks it (design.md §7). */
static int profile_blob_ok(srv_req *r, const redisReply *blob) {
    if (proto_body_check(blob->str, blob->len, NULL, NULL) == PROTO_OK) return 0;
    srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored profile does not decode");
    return -1;
}

/* SCRIPT_PROFILE_GET (coach): {'ok', blob, version, programs, load} */
static void db_on_profile(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (!mel_strs(reply, 1, 2) || !mel_strs(reply, 3, 4)) {
        db_shape(r);
        return;
    }
    if (profile_blob_ok(r, reply->element[1])) return;
    db_profile p = { reply->element[1]->str, reply->element[1]->len, mel_ll(reply, 2, 0),
                     reply->element[3]->str, reply->element[3]->len, mel_ll(reply, 4, 0) };
    cb_profile(r)(r, &p);
}

/* HMGET mentee:<id> p v program: {blob, version, program}, nils when absent */
static void db_on_mentee_profile(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status)) return;
    const redisReply *blob = mel(reply, 0);
    if (blob && blob->type == REDIS_REPLY_NIL && reply->elements == 3) {
        srv_req_fail(r, PROTO_E_NOT_FOUND, "id", "no such mentee");
        return;
    }
    if (reply->elements != 3 || !mel_strs(reply, 0, 3)) {
        db_shape(r);
        return;
    }
    if (profile_blob_ok(r, blob)) return;
    db_profile p = { blob->str, blob->len, mel_ll(reply, 1, 0), reply->element[2]->str, reply->element[2]->len, 0 };
    cb_mentee_profile(r)(r, &p);
}

/* coach.get reads two keys (the profile hash and load:<id>) in one script;
 * mentee.get reads one hash, so it is a plain HMGET: a script would only
 * cost Redis CPU on the most frequent read. */
void db_profile_read(srv_req *r, const char *kind, const char *id, db_profile_fn *cb) {
    if (!strcmp(kind, "coach")) {
        db_profile_get(r, kind, id, cb);
        return;
    }
    sargs a;
    sargs_init(&a);
    sargs_adds(&a, "HMGET");
    keys_add(&a, r->srv->cfg->redis_prefix, KEY_MENTEE, id);
    sargs_adds(&a, "p");
    sargs_adds(&a, "v");
    sargs_adds(&a, "program");
    db_send_mentee_profile(r, &a, cb);
}

size_t db_page_n(const db_page *pg) { return pg->n; }

void db_page_item(const db_page *pg, size_t i, const char **id, const char **blob, size_t *len) {
    const redisReply *k = pg->reply->element[2 + 2 * i], *b = pg->reply->element[3 + 2 * i];
    *id = k->str;
    *blob = b->str;
    *len = b->len;
}

const char *db_page_next(const db_page *pg) {
    const redisReply *cur = pg->reply->element[1];
    return cur->len ? cur->str : NULL;
}

/* SCRIPT_LIST: {'ok', next, id, blob, id, blob, ...} */
static void db_on_page(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (reply->elements < 2 || !mel_strs(reply, 1, reply->elements) || (reply->elements - 2) % 2) {
        db_shape(r);
        return;
    }
    db_page pg = { reply, (reply->elements - 2) / 2 };
    for (size_t i = 0; i < pg.n; i++)
        if (profile_blob_ok(r, reply->element[3 + 2 * i])) return;
    cb_page(r)(r, &pg);
}

void db_profile_page(srv_req *r, const char *kind, const char *after, long long limit, const char *province,
                     const char *program, const char *scope, db_page_fn *cb) {
    /* The narrowest index; the script filters the rest.  Its name goes
     * without the prefix: the script adds it. */
    int mentee = !strcmp(kind, "mentee");
    char index[PROTO_CODE_MAX + 32];
    if (mentee && program[0])
        keys_name(index, sizeof index, "", KEY_IDX_MENTEE_PROG, program);
    else if (province[0])
        keys_name(index, sizeof index, "", mentee ? KEY_IDX_MENTEE_PROV : KEY_IDX_COACH_PROV, province);
    else
        keys_name(index, sizeof index, "", mentee ? KEY_IDX_MENTEE : KEY_IDX_COACH, NULL);
    db_list(r, kind, index, after, limit, province, program, scope, cb);
}

/* ----------------------------------------------------------- matches */

/* SCRIPT_SUGGEST_CTX: {'ok', mentee blob, program, forbidden csv, coach
 * blob or false, load} */
static void db_on_pair(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (!mel_strs(reply, 1, 4) || !mel(reply, 4)) {
        db_shape(r);
        return;
    }
    const redisReply *cb = reply->element[4];
    db_pair p = {
        reply->element[1]->str, reply->element[1]->len, reply->element[2]->str, reply->element[3]->str, NULL, 0,
        mel_ll(reply, 5, 0)
    };
    if (cb->type == REDIS_REPLY_STRING) {
        p.coach_blob = cb->str;
        p.coach_len = cb->len;
    }
    cb_pair(r)(r, &p);
}

/* {'ok', flat}: one match */
static void db_on_match(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    const redisReply *flat = mel(reply, 1);
    if (!flat || flat->type != REDIS_REPLY_ARRAY) {
        db_shape(r);
        return;
    }
    proto_match *m = malloc(sizeof *m);
    if (!m || pack_conv_match(flat, m)) {
        const char *why = m ? "stored match does not decode" : "out of memory";
        free(m);
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "%s", why);
        return;
    }
    cb_match(r)(r, m);
    free(m);
}

size_t db_matches_n(const db_matches *ms) { return ms->n; }
const char *db_matches_next(const db_matches *ms) { return ms->next; }

int db_matches_at(const db_matches *ms, size_t i, proto_match *out) {
    return i < ms->n ? pack_conv_match(ms->reply->element[ms->first + i], out) : -1;
}

/* SCRIPT_MATCH_LIST: {'ok', next, flat...}; SCRIPT_MATCH_MINE: {'ok', flat...} */
static void matches_reply(void *ud, redisReply *reply, int status, int has_next) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    db_matches ms = { reply, 1 + (size_t)has_next, 0, NULL };
    if (reply->elements < ms.first) {
        db_shape(r);
        return;
    }
    ms.n = reply->elements - ms.first;
    if (has_next) {
        const redisReply *cur = reply->element[1];
        if (cur->type != REDIS_REPLY_STRING) {
            db_shape(r);
            return;
        }
        ms.next = cur->len ? cur->str : NULL;
    }
    (has_next ? cb_matches_page(r) : cb_matches(r))(r, &ms);
}

static void db_on_matches_page(void *ud, redisReply *reply, int status) { matches_reply(ud, reply, status, 1); }
static void db_on_matches(void *ud, redisReply *reply, int status) { matches_reply(ud, reply, status, 0); }

/* ---------------------------------------------------------------- runs */

struct db_runs {
    const redisReply *reply;
    size_t first, n; /* records at element[first + PACK_RUN_FIELDS * i] */
    const char *next;
};

size_t db_runs_n(const db_runs *rs) { return rs->n; }
const char *db_runs_next(const db_runs *rs) { return rs->next; }

int db_runs_pack(const db_runs *rs, size_t i, msgpack_packer *pk) {
    return i < rs->n ? pack_run(pk, rs->reply->element + rs->first + PACK_RUN_FIELDS * i) : -1;
}

/* SCRIPT_RUN_GET: {'ok', record}; SCRIPT_RUN_LIST: {'ok', next, record...} */
static void runs_reply(void *ud, redisReply *reply, int status, int has_next) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    db_runs rs = { reply, 1 + (size_t)has_next, 0, NULL };
    if (reply->elements < rs.first || (reply->elements - rs.first) % PACK_RUN_FIELDS ||
        (!has_next && reply->elements != rs.first + PACK_RUN_FIELDS)) {
        db_shape(r);
        return;
    }
    rs.n = (reply->elements - rs.first) / PACK_RUN_FIELDS;
    if (has_next) {
        const redisReply *cur = reply->element[1];
        if (cur->type != REDIS_REPLY_STRING) {
            db_shape(r);
            return;
        }
        rs.next = cur->len ? cur->str : NULL;
    }
    (has_next ? cb_runs(r) : cb_run(r))(r, &rs);
}

static void db_on_run(void *ud, redisReply *reply, int status) { runs_reply(ud, reply, status, 0); }
static void db_on_runs(void *ud, redisReply *reply, int status) { runs_reply(ud, reply, status, 1); }

struct db_unmatched {
    const redisReply *reply; /* items from element[2], three strings each */
    size_t n;
    const char *next;
};

size_t db_unmatched_n(const db_unmatched *u) { return u->n; }
const char *db_unmatched_next(const db_unmatched *u) { return u->next; }

void db_unmatched_item(const db_unmatched *u, size_t i, const char **mentee_id, const char **name,
                       const char **reason) {
    redisReply *const *e = u->reply->element + 2 + 3 * i;
    *mentee_id = e[0]->str;
    *name = e[1]->str;
    *reason = e[2]->str;
}

/* SCRIPT_RUN_UNMATCHED: {'ok', next, (mentee, name, reason)...} */
static void db_on_unmatched(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (reply->elements < 2 || (reply->elements - 2) % 3 || !mel_strs(reply, 1, reply->elements)) {
        db_shape(r);
        return;
    }
    db_unmatched u = { reply, (reply->elements - 2) / 3, NULL };
    u.next = reply->element[1]->len ? reply->element[1]->str : NULL;
    cb_unmatched(r)(r, &u);
}

/* SCRIPT_RUN_DRAFT_PUBLISH: {'ok', published, unmatched, program} */
static void db_on_published(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    const redisReply *prog = mel(reply, 3);
    db_published p = { mel_ll(reply, 1, -1), mel_ll(reply, 2, -1), NULL };
    if (p.published < 0 || p.unmatched < 0 || !prog || prog->type != REDIS_REPLY_STRING || prog->len == 0 ||
        prog->len > PROTO_CODE_MAX) {
        db_shape(r);
        return;
    }
    p.program = prog->str;
    cb_published(r)(r, &p);
}

/* SCRIPT_MATCH_REVIEW: {'ok', (id, status, code, message)...} */
static void db_on_review(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if ((reply->elements - 1) % 4 || !mel_strs(reply, 1, reply->elements)) {
        db_shape(r);
        return;
    }
    size_t n = (reply->elements - 1) / 4;
    proto_review_item *items = calloc(n ? n : 1, sizeof *items);
    if (!items) {
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        redisReply *const *e = reply->element + 1 + 4 * i;
        if (pack_conv_review(e[0], e[1], e[2], e[3], &items[i])) {
            free(items);
            db_shape(r);
            return;
        }
    }
    cb_review(r)(r, items, n);
    free(items);
}

/* ---------------------------------------------- meetings, feedback, stats */

/* SCRIPT_MEETING_LOG: {'ok', meeting id, '1' if confirmed else '0',
 * minutes of the record, minutes of the mentee's year, the program's
 * jp_target} */
static void db_on_meeting(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    const redisReply *mid = mel(reply, 1), *conf = mel(reply, 2);
    db_meeting mt = { .minutes = mel_ll(reply, 3, -1),
                      .year_minutes = mel_ll(reply, 4, -1),
                      .jp_target = mel_ll(reply, 5, -1) };
    if (!mid || mid->type != REDIS_REPLY_STRING || mid->len == 0 || mid->len > PROTO_OBJID_MAX || !conf ||
        conf->type != REDIS_REPLY_STRING || mt.minutes < 0 || mt.year_minutes < mt.minutes || mt.jp_target < 0) {
        db_shape(r);
        return;
    }
    mt.meeting_id = mid->str;
    mt.confirmed = conf->len == 1 && conf->str[0] == '1';
    cb_meeting(r)(r, &mt);
}

/* SCRIPT_STATS: {'ok', mentees, coaches, capacity, load, jp minutes, last
 * run id, last run's stats blob, covered mentees, feedback count, feedback
 * rating sum, (status, count)...} */
static void db_on_stats(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    int shape_ok = reply->elements >= 11 && (reply->elements - 11) % 2 == 0;
    for (size_t i = 11; shape_ok && i < reply->elements; i += 2) shape_ok = mel_strs(reply, i, i + 1);
    if (!shape_ok) {
        db_shape(r);
        return;
    }
    db_stats s;
    memset(&s, 0, sizeof s);
    s.mentees = mel_ll(reply, 1, 0);
    s.coaches = mel_ll(reply, 2, 0);
    s.capacity = mel_ll(reply, 3, 0);
    s.load = mel_ll(reply, 4, 0);
    s.jp_minutes = mel_ll(reply, 5, 0);
    s.covered = mel_ll(reply, 8, 0);
    s.feedback_count = mel_ll(reply, 9, 0);
    s.feedback_sum = mel_ll(reply, 10, 0);
    const redisReply *last = mel(reply, 6), *lst = mel(reply, 7);
    s.last_run_id = last && last->type == REDIS_REPLY_STRING && last->len <= PROTO_OBJID_MAX ? last->str : "";
    if (lst && lst->type == REDIS_REPLY_STRING && lst->len) {
        msgpack_unpacked u;
        msgpack_unpacked_init(&u);
        proto_error e;
        proto_run_stats rs;
        if (mblob_unpack(lst->str, lst->len, &u) == 0 &&
            proto_run_stats_decode(&u.data, "stats", &rs, &e) == PROTO_OK) {
            memcpy(s.unmatched, rs.unmatched, sizeof s.unmatched);
            s.has_unmatched = true;
        }
        msgpack_unpacked_destroy(&u);
    }
    for (size_t i = 11; i + 1 < reply->elements; i += 2) {
        const redisReply *st = reply->element[i];
        int k = pack_name_index(proto_match_status_names, st->str, st->len);
        if (k < 0) {
            db_shape(r);
            return;
        }
        s.matches[k] = mel_ll(reply, i + 1, 0);
    }
    cb_stats(r)(r, &s);
}

/* ------------------------------------------------------------ strings */

size_t db_strs_n(const db_strs *ss) { return ss->reply->elements - 1; }

const char *db_strs_at(const db_strs *ss, size_t i, size_t *len) {
    const redisReply *e = ss->reply->element[1 + i];
    *len = e->len;
    return e->str;
}

/* {'ok', s1, s2, ...}: every element a string (scripts tostring() numbers) */
static void db_on_strs(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (reply->elements < 1 || !mel_strs(reply, 1, reply->elements)) {
        db_shape(r);
        return;
    }
    db_strs ss = { reply };
    cb_strs(r)(r, &ss);
}
