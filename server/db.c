/* db.c — the typed store API (see db.h).
 *
 * Each operation has a sender (db_<op>: builds the command, remembers the
 * handler's callback in r->dbfn) and a reply reader (on_<op>: the common
 * checks of db_answer(), the shape of this operation's reply, then the
 * callback with C values).  The readers are the only code of the handlers'
 * path that looks inside a redisReply.
 */
#include "server/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/keys.h"
#include "server/log.h"
#include "server/methods.h"
#include "server/pack.h"

#define DB_TEXT_MAX 512   /* bytes of a script's refusal message kept */

struct db_page {
    const redisReply *reply;   /* {'ok', next, id, blob, id, blob, ...} */
    size_t n;
};

struct db_matches {
    const redisReply *reply;   /* {'ok', [next,] flat, flat, ...} */
    size_t first, n;
    const char *next;
};

/* Send a for r; the reply goes to on_reply with r, and fn waits in r. */
static void db_send(srv_req *r, store_cb *on_reply, void (*fn)(void), sargs *a) {
    r->dbfn = fn;
    mcmd(r, on_reply, a);
}

static sargs db_script(srv_req *r, script_id id) {
    sargs a;
    sargs_init(&a);
    script_args(&a, id, r->srv->cfg->redis_prefix);
    return a;
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

/* ---------------------------------------------------------------- ok */

static void on_ok(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    ((db_ok_fn *)r->dbfn)(r);
}

/* ------------------------------------------------------------- users */

static void on_login(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status)) return;
    db_user u;
    memset(&u, 0, sizeof u);
    const redisReply *s0 = mel(reply, 0);
    if (s0 && s0->type == REDIS_REPLY_STRING && !strcmp(s0->str, "unauthenticated")) {
        const redisReply *msg = mel(reply, 1);
        u.refusal = msg && msg->type == REDIS_REPLY_STRING ? msg->str : "wrong login or password";
        ((db_user_fn *)r->dbfn)(r, &u);
        return;
    }
    if (mscript_status(r, reply)) return;
    if (!mel_strs(reply, 1, 5)) { db_shape(r); return; }
    u.known = true;
    u.pw_hash = reply->element[1]->str;
    u.role = auth_role_parse(reply->element[2]->str, reply->element[2]->len);
    u.subject = reply->element[3]->str;
    u.programs = reply->element[4]->str;
    ((db_user_fn *)r->dbfn)(r, &u);
}

void db_login(srv_req *r, const char *login, long long attempts_per_minute, db_user_fn *cb) {
    sargs a = db_script(r, SCRIPT_LOGIN);
    sargs_adds(&a, login);
    sargs_addll(&a, attempts_per_minute);
    db_send(r, on_login, (void (*)(void))cb, &a);
}

void db_session_new(srv_req *r, const char *login, const char *tokhash, long long ttl, db_ok_fn *cb) {
    sargs a = db_script(r, SCRIPT_SESSION_NEW);
    sargs_adds(&a, login);
    sargs_adds(&a, tokhash);
    sargs_addll(&a, ttl);
    db_send(r, on_ok, (void (*)(void))cb, &a);
}

/* SCRIPT_RESUME: {'ok', login, role, subject, programs, ttl} */
static void on_resume(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (!mel_strs(reply, 1, 5)) { db_shape(r); return; }
    db_session s = {.login = reply->element[1]->str,
                    .role = auth_role_parse(reply->element[2]->str, reply->element[2]->len),
                    .subject = reply->element[3]->str,
                    .programs = reply->element[4]->str,
                    .ttl = mel_ll(reply, 5, 0)};
    ((db_session_fn *)r->dbfn)(r, &s);
}

void db_resume(srv_req *r, const char *tokhash, db_session_fn *cb) {
    sargs a = db_script(r, SCRIPT_RESUME);
    sargs_adds(&a, tokhash);
    db_send(r, on_resume, (void (*)(void))cb, &a);
}

void db_logout(srv_req *r, const char *login, const char *tokhash, db_ok_fn *cb) {
    sargs a = db_script(r, SCRIPT_LOGOUT);
    sargs_adds(&a, login);
    sargs_adds(&a, tokhash);
    db_send(r, on_ok, (void (*)(void))cb, &a);
}

void db_user_create(srv_req *r, const char *login, const char *pw_hash, auth_role role, const char *subject,
                    const char *programs, const char *by, const char *scope, db_ok_fn *cb) {
    sargs a = db_script(r, SCRIPT_USER_CREATE);
    sargs_adds(&a, login);
    sargs_adds(&a, pw_hash);
    sargs_adds(&a, auth_role_name(role));
    sargs_adds(&a, subject);
    sargs_adds(&a, programs);
    sargs_addll(&a, (long long)time(NULL));
    sargs_adds(&a, by);
    sargs_adds(&a, scope);
    db_send(r, on_ok, (void (*)(void))cb, &a);
}

void db_user_disable(srv_req *r, const char *login, const char *by, db_ok_fn *cb) {
    sargs a = db_script(r, SCRIPT_USER_DISABLE);
    sargs_adds(&a, login);
    sargs_adds(&a, by);
    db_send(r, on_ok, (void (*)(void))cb, &a);
}

/* ---------------------------------------------------------- profiles */

/* SCRIPT_PROFILE_PUT: {'ok', version} */
static void on_put(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    ((db_version_fn *)r->dbfn)(r, mel_ll(reply, 1, 0));
}

void db_profile_put(srv_req *r, const db_profile_write *w, db_version_fn *cb) {
    sargs a = db_script(r, SCRIPT_PROFILE_PUT);
    sargs_adds(&a, w->kind);
    sargs_adds(&a, w->id);
    sargs_add(&a, w->blob, w->len);
    if (w->if_version >= 0) sargs_addll(&a, w->if_version);
    else sargs_adds(&a, "");
    sargs_adds(&a, w->scope);
    sargs_addll(&a, (long long)time(NULL));
    sargs_adds(&a, w->programs);
    sargs_adds(&a, w->province);
    sargs_addll(&a, w->capacity);
    sargs_adds(&a, w->by);
    db_send(r, on_put, (void (*)(void))cb, &a);
}

/* A stored profile must pass the same pre-check as a client's frame
 * before anyone unpacks it (design.md §7). */
static int profile_blob_ok(srv_req *r, const redisReply *blob) {
    if (proto_body_check(blob->str, blob->len, NULL, NULL) == PROTO_OK) return 0;
    srv_req_fail(r, PROTO_E_INTERNAL, NULL, "stored profile does not decode");
    return -1;
}

/* SCRIPT_PROFILE_GET (coach): {'ok', blob, version, programs, load} */
static void on_coach_get(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (!mel_strs(reply, 1, 2) || !mel_strs(reply, 3, 4)) { db_shape(r); return; }
    if (profile_blob_ok(r, reply->element[1])) return;
    db_profile p = {reply->element[1]->str, reply->element[1]->len, mel_ll(reply, 2, 0),
                    reply->element[3]->str, reply->element[3]->len, mel_ll(reply, 4, 0)};
    ((db_profile_fn *)r->dbfn)(r, &p);
}

/* HMGET mentee:<id> p v program: {blob, version, program}, nils when absent */
static void on_mentee_get(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (mreply_ok(r, reply, status)) return;
    const redisReply *blob = mel(reply, 0);
    if (blob && blob->type == REDIS_REPLY_NIL && reply->elements == 3) {
        srv_req_fail(r, PROTO_E_NOT_FOUND, "id", "no such mentee");
        return;
    }
    if (reply->elements != 3 || !mel_strs(reply, 0, 3)) { db_shape(r); return; }
    if (profile_blob_ok(r, blob)) return;
    db_profile p = {blob->str, blob->len, mel_ll(reply, 1, 0), reply->element[2]->str, reply->element[2]->len, 0};
    ((db_profile_fn *)r->dbfn)(r, &p);
}

/* coach.get reads two keys (the profile hash and load:<id>) in one script;
 * mentee.get reads one hash, so it is a plain HMGET: a script would only
 * cost Redis CPU on the most frequent read. */
void db_profile_get(srv_req *r, const char *kind, const char *id, db_profile_fn *cb) {
    sargs a;
    sargs_init(&a);
    if (!strcmp(kind, "coach")) {
        script_args(&a, SCRIPT_PROFILE_GET, r->srv->cfg->redis_prefix);
        sargs_adds(&a, kind);
        sargs_adds(&a, id);
        db_send(r, on_coach_get, (void (*)(void))cb, &a);
    } else {
        sargs_adds(&a, "HMGET");
        keys_add(&a, r->srv->cfg->redis_prefix, KEY_MENTEE, id);
        sargs_adds(&a, "p");
        sargs_adds(&a, "v");
        sargs_adds(&a, "program");
        db_send(r, on_mentee_get, (void (*)(void))cb, &a);
    }
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
static void on_list(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (reply->elements < 2 || !mel_strs(reply, 1, reply->elements) || (reply->elements - 2) % 2) {
        db_shape(r);
        return;
    }
    db_page pg = {reply, (reply->elements - 2) / 2};
    for (size_t i = 0; i < pg.n; i++)
        if (profile_blob_ok(r, reply->element[3 + 2 * i])) return;
    ((db_page_fn *)r->dbfn)(r, &pg);
}

void db_profile_list(srv_req *r, const char *kind, const char *after, long long limit, const char *province,
                     const char *program, const char *scope, db_page_fn *cb) {
    /* The narrowest index; the script filters the rest.  Its name goes
     * without the prefix: the script adds it. */
    int mentee = !strcmp(kind, "mentee");
    char index[PROTO_CODE_MAX + 32];
    if (mentee && program[0]) keys_name(index, sizeof index, "", KEY_IDX_MENTEE_PROG, program);
    else if (province[0]) keys_name(index, sizeof index, "", mentee ? KEY_IDX_MENTEE_PROV : KEY_IDX_COACH_PROV, province);
    else keys_name(index, sizeof index, "", mentee ? KEY_IDX_MENTEE : KEY_IDX_COACH, NULL);
    sargs a = db_script(r, SCRIPT_LIST);
    sargs_adds(&a, kind);
    sargs_adds(&a, index);
    sargs_adds(&a, after);
    sargs_addll(&a, limit);
    sargs_adds(&a, province);
    sargs_adds(&a, program);
    sargs_adds(&a, scope);
    db_send(r, on_list, (void (*)(void))cb, &a);
}

/* ----------------------------------------------------------- matches */

/* SCRIPT_SUGGEST_CTX: {'ok', mentee blob, program, forbidden csv, coach
 * blob or false, load} */
static void on_pair(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if (!mel_strs(reply, 1, 4) || !mel(reply, 4)) { db_shape(r); return; }
    const redisReply *cb = reply->element[4];
    db_pair p = {reply->element[1]->str, reply->element[1]->len, reply->element[2]->str,
                 reply->element[3]->str, NULL, 0, mel_ll(reply, 5, 0)};
    if (cb->type == REDIS_REPLY_STRING) {
        p.coach_blob = cb->str;
        p.coach_len = cb->len;
    }
    ((db_pair_fn *)r->dbfn)(r, &p);
}

void db_pair_get(srv_req *r, const char *mentee_id, const char *coach_id, db_pair_fn *cb) {
    sargs a = db_script(r, SCRIPT_SUGGEST_CTX);
    sargs_adds(&a, mentee_id);
    sargs_adds(&a, coach_id);
    db_send(r, on_pair, (void (*)(void))cb, &a);
}

/* {'ok', flat}: one match */
static void on_match(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    const redisReply *flat = mel(reply, 1);
    if (!flat || flat->type != REDIS_REPLY_ARRAY) { db_shape(r); return; }
    proto_match *m = malloc(sizeof *m);
    if (!m || pack_conv_match(flat, m)) {
        const char *why = m ? "stored match does not decode" : "out of memory";
        free(m);
        srv_req_fail(r, PROTO_E_INTERNAL, NULL, "%s", why);
        return;
    }
    ((db_match_fn *)r->dbfn)(r, m);
    free(m);
}

void db_match_request(srv_req *r, const char *mentee_id, const char *coach_id, long long score,
                      const char *explain_blob, size_t explain_len, db_match_fn *cb) {
    sargs a = db_script(r, SCRIPT_MATCH_REQUEST);
    sargs_adds(&a, mentee_id);
    sargs_adds(&a, coach_id);
    sargs_addll(&a, score);
    sargs_add(&a, explain_blob, explain_len);
    sargs_addll(&a, (long long)time(NULL));
    db_send(r, on_match, (void (*)(void))cb, &a);
}

void db_match_respond(srv_req *r, const char *match_id, const char *role, const char *subject, bool accept,
                      const char *note, db_match_fn *cb) {
    sargs a = db_script(r, SCRIPT_MATCH_RESPOND);
    sargs_adds(&a, match_id);
    sargs_adds(&a, role);
    sargs_adds(&a, subject);
    sargs_adds(&a, accept ? "1" : "0");
    sargs_adds(&a, note);
    sargs_addll(&a, (long long)time(NULL));
    db_send(r, on_match, (void (*)(void))cb, &a);
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
    db_matches ms = {reply, 1 + (size_t)has_next, 0, NULL};
    if (reply->elements < ms.first) { db_shape(r); return; }
    ms.n = reply->elements - ms.first;
    if (has_next) {
        const redisReply *cur = reply->element[1];
        if (cur->type != REDIS_REPLY_STRING) { db_shape(r); return; }
        ms.next = cur->len ? cur->str : NULL;
    }
    ((db_matches_fn *)r->dbfn)(r, &ms);
}

static void on_match_list(void *ud, redisReply *reply, int status) { matches_reply(ud, reply, status, 1); }
static void on_match_mine(void *ud, redisReply *reply, int status) { matches_reply(ud, reply, status, 0); }

void db_match_list(srv_req *r, const char *run_id, const char *program, const char *status, long long min_score,
                   const char *after, long long limit, const char *scope, db_matches_fn *cb) {
    sargs a = db_script(r, SCRIPT_MATCH_LIST);
    sargs_adds(&a, run_id);
    sargs_adds(&a, program);
    sargs_adds(&a, status);
    sargs_addll(&a, min_score);
    sargs_adds(&a, after);
    sargs_addll(&a, limit);
    sargs_adds(&a, scope);
    db_send(r, on_match_list, (void (*)(void))cb, &a);
}

void db_match_mine(srv_req *r, const char *role, const char *subject, db_matches_fn *cb) {
    sargs a = db_script(r, SCRIPT_MATCH_MINE);
    sargs_adds(&a, role);
    sargs_adds(&a, subject);
    db_send(r, on_match_mine, (void (*)(void))cb, &a);
}

/* SCRIPT_MATCH_REVIEW: {'ok', (id, status, code, message)...} */
static void on_review(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    if ((reply->elements - 1) % 4 || !mel_strs(reply, 1, reply->elements)) { db_shape(r); return; }
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
    ((db_review_fn *)r->dbfn)(r, items, n);
    free(items);
}

void db_match_review(srv_req *r, const char *scope, const char *decision, const char *note,
                     const char (*ids)[PROTO_OBJID_MAX + 1], size_t n, db_review_fn *cb) {
    sargs a = db_script(r, SCRIPT_MATCH_REVIEW);
    sargs_adds(&a, scope);
    sargs_adds(&a, decision);
    sargs_adds(&a, note);
    sargs_addll(&a, (long long)time(NULL));
    for (size_t i = 0; i < n; i++) sargs_adds(&a, ids[i]);
    db_send(r, on_review, (void (*)(void))cb, &a);
}

void db_pair_rule(srv_req *r, script_id script, const char *kind, const char *program, const char *mentee_id,
                  const char *coach_id, db_ok_fn *cb) {
    sargs a = db_script(r, script);
    sargs_adds(&a, kind);
    sargs_adds(&a, program);
    sargs_adds(&a, mentee_id);
    sargs_adds(&a, coach_id);
    sargs_adds(&a, r->sess.login);
    db_send(r, on_ok, (void (*)(void))cb, &a);
}

/* ---------------------------------------------- meetings, feedback, stats */

/* SCRIPT_MEETING_LOG: {'ok', meeting id, minutes of the match} */
static void on_meeting(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    const redisReply *mid = mel(reply, 1);
    if (!mid || mid->type != REDIS_REPLY_STRING || mid->len == 0 || mid->len > PROTO_OBJID_MAX) {
        db_shape(r);
        return;
    }
    ((db_meeting_fn *)r->dbfn)(r, mid->str, mel_ll(reply, 2, 0));
}

void db_meeting_log(srv_req *r, const char *match_id, const char *role, const char *subject, const char *date,
                    long long minutes, const char *topic, db_meeting_fn *cb) {
    sargs a = db_script(r, SCRIPT_MEETING_LOG);
    sargs_adds(&a, match_id);
    sargs_adds(&a, role);
    sargs_adds(&a, subject);
    sargs_adds(&a, date);
    sargs_addll(&a, minutes);
    sargs_adds(&a, topic);
    sargs_addll(&a, (long long)time(NULL));
    db_send(r, on_meeting, (void (*)(void))cb, &a);
}

void db_feedback_put(srv_req *r, const char *match_id, const char *role, const char *subject, long long rating,
                     const char *comment, db_ok_fn *cb) {
    sargs a = db_script(r, SCRIPT_FEEDBACK_PUT);
    sargs_adds(&a, match_id);
    sargs_adds(&a, role);
    sargs_adds(&a, subject);
    sargs_addll(&a, rating);
    sargs_adds(&a, comment);
    sargs_addll(&a, (long long)time(NULL));
    db_send(r, on_ok, (void (*)(void))cb, &a);
}

/* SCRIPT_STATS: {'ok', mentees, coaches, capacity, load, jp minutes, last
 * run id, last run's stats blob, covered mentees, feedback count, feedback
 * rating sum, (status, count)...} */
static void on_stats(void *ud, redisReply *reply, int status) {
    srv_req *r = ud;
    if (db_answer(r, reply, status)) return;
    int shape_ok = reply->elements >= 11 && (reply->elements - 11) % 2 == 0;
    for (size_t i = 11; shape_ok && i < reply->elements; i += 2) shape_ok = mel_strs(reply, i, i + 1);
    if (!shape_ok) { db_shape(r); return; }
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
        if (mblob_unpack(lst->str, lst->len, &u) == 0 && proto_run_stats_decode(&u.data, "stats", &rs, &e) == PROTO_OK) {
            memcpy(s.unmatched, rs.unmatched, sizeof s.unmatched);
            s.has_unmatched = true;
        }
        msgpack_unpacked_destroy(&u);
    }
    for (size_t i = 11; i + 1 < reply->elements; i += 2) {
        const redisReply *st = reply->element[i];
        int k = pack_name_index(proto_match_status_names, st->str, st->len);
        if (k < 0) { db_shape(r); return; }
        s.matches[k] = mel_ll(reply, i + 1, 0);
    }
    ((db_stats_fn *)r->dbfn)(r, &s);
}

void db_stats_get(srv_req *r, const char *program, db_stats_fn *cb) {
    sargs a = db_script(r, SCRIPT_STATS);
    sargs_adds(&a, program);
    db_send(r, on_stats, (void (*)(void))cb, &a);
}
