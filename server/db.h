/* db.h — the typed store API: every Redis operation of the method handlers.
 *
 * A handler calls db_<op>(r, typed inputs..., cb).  The operation builds
 * its command (EVALSHA of its Lua script, server/lua/<op>.lua, with the key
 * prefix; or a plain command whose key keys.c names), sends it for request
 * r, and when the reply comes:
 *
 *   - a store failure (Redis down, a timeout) answers r `unavailable`;
 *   - an error reply (a script bug, LOADING, READONLY, ...) answers
 *     `unavailable` or `internal`;
 *   - a script's own refusal ({code, message, field}) answers r with that
 *     code, message and field;
 *   - a reply of another shape than the operation's answers `internal`
 *     ("unexpected store reply");
 *
 * and in all these cases the callback is never called.  Otherwise cb gets
 * r and the result as C values.  Pointers in a result point into the reply
 * and are valid only during the callback (copy what must live longer).  The
 * callback answers r (or starts the next step).  A handler never sees a
 * redisReply: reply shapes are this file's business.
 *
 * When db_<op> itself cannot send (Redis not connected, out of memory) it
 * has answered r `unavailable` and the callback is never called.
 */
#ifndef COACHNET_SERVER_DB_H
#define COACHNET_SERVER_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "server/scripts.gen.h"
#include "server/server.h"

/* Append the three arguments of an idempotent script (common.lua's
 * idem_run): r's request_id key, its fingerprint and the seconds to keep
 * the answer; empty strings when r has no request_id.  The generated
 * sender of a script marked `--! idempotent` calls it last. */
void db_idem_args(srv_req *r, sargs *a);

/* ---- callbacks ---- */

typedef void db_ok_fn(srv_req *r);

/* auth.login: the user behind a login name.  known is false for a login
 * that does not exist or is disabled (refusal says which, for the log:
 * the client hears one message for all). */
typedef struct db_user {
    bool known;
    const char *refusal;
    const char *pw_hash;
    auth_role role;
    const char *subject, *programs; /* programs: csv */
} db_user;
typedef void db_user_fn(srv_req *r, const db_user *u);

/* auth.resume: the session behind a token hash, ttl seconds left. */
typedef struct db_session {
    const char *login;
    auth_role role;
    const char *subject, *programs;
    long long ttl;
} db_session;
typedef void db_session_fn(srv_req *r, const db_session *s);

/* A stored profile: its canonical msgpack (checked by proto_body_check),
 * version, programs (a mentee's program; a coach's programs, csv) and, for
 * a coach, the seats taken. */
typedef struct db_profile {
    const char *blob;
    size_t len;
    long long version;
    const char *programs;
    size_t programs_len;
    long long load;
} db_profile;
typedef void db_profile_fn(srv_req *r, const db_profile *p);
typedef void db_version_fn(srv_req *r, long long version);

/* A page of profiles: n (id, blob) pairs in id order and the id to go on
 * after (NULL: the last page). */
typedef struct db_page db_page;
size_t db_page_n(const db_page *pg);
void db_page_item(const db_page *pg, size_t i, const char **id, const char **blob, size_t *len);
const char *db_page_next(const db_page *pg);
typedef void db_page_fn(srv_req *r, const db_page *pg);

/* A page of users (user.list): n rows in login order and the login to go
 * on after (NULL: the last page).  programs is csv (db_user_row). */
typedef struct db_user_row {
    const char *login, *role, *subject, *programs;
    bool disabled;
} db_user_row;
typedef struct db_users db_users;
size_t db_users_n(const db_users *us);
void db_users_at(const db_users *us, size_t i, db_user_row *out);
const char *db_users_next(const db_users *us);
typedef void db_users_fn(srv_req *r, const db_users *us);

/* Matches: n stored matches, each converted on demand (db_matches_at: 0,
 * or -1 when the stored match does not decode), and for a list the match
 * number to go on after (NULL: the last page). */
typedef struct db_matches db_matches;
size_t db_matches_n(const db_matches *ms);
int db_matches_at(const db_matches *ms, size_t i, proto_match *out);
const char *db_matches_next(const db_matches *ms);
typedef void db_matches_fn(srv_req *r, const db_matches *ms);
typedef void db_match_fn(srv_req *r, const proto_match *m);

typedef void db_review_fn(srv_req *r, const proto_review_item *items, size_t n);
/* Run records (run.get: one; run.list: a page): n records, each packed on
 * demand (db_runs_pack: 0, or -1 when the stored run does not make a valid
 * run; nothing written then), and for a page the run number to go on below
 * (NULL: the last page). */
typedef struct db_runs db_runs;
size_t db_runs_n(const db_runs *rs);
int db_runs_pack(const db_runs *rs, size_t i, msgpack_packer *pk);
const char *db_runs_next(const db_runs *rs);
typedef void db_runs_fn(srv_req *r, const db_runs *rs);
/* run.publish's switch: the proposals switched on, the mentees whose
 * waitlist is still to settle, the run's program. */
typedef struct db_published {
    long long published, unmatched;
    const char *program;
} db_published;
typedef void db_published_fn(srv_req *r, const db_published *p);
/* run.unmatched: n (mentee id, name, reason) in the run's order and the
 * member to go on after (NULL: the last page). */
typedef struct db_unmatched db_unmatched;
size_t db_unmatched_n(const db_unmatched *u);
void db_unmatched_item(const db_unmatched *u, size_t i, const char **mentee_id, const char **name, const char **reason);
const char *db_unmatched_next(const db_unmatched *u);
typedef void db_unmatched_fn(srv_req *r, const db_unmatched *u);
/* meeting.log's outcome: the record of the match and date (a new one, or
 * the other side's that this call confirmed), its minutes, and the
 * mentee's minutes of the date's year after the call, and the yearly JP
 * target of the match's program. */
typedef struct db_meeting {
    const char *meeting_id;
    bool confirmed;
    long long minutes, year_minutes, jp_target;
} db_meeting;
typedef void db_meeting_fn(srv_req *r, const db_meeting *mt);

/* stats.get's counts of one program. */
typedef struct db_stats {
    long long mentees, coaches, capacity, load, jp_minutes, covered;
    long long feedback_count, feedback_sum;
    const char *last_run_id; /* "" when none */
    bool has_unmatched;      /* the last run's stats decoded */
    uint32_t unmatched[PROTO_UNMATCHED__COUNT];
    long long matches[PROTO_MATCH_STATUS__COUNT];
} db_stats;
typedef void db_stats_fn(srv_req *r, const db_stats *s);

/* What suggest, explain and request need of a pair: the mentee's profile
 * and program, the coaches forbidden for it (csv) and, when a coach was
 * named, its profile (coach_blob NULL when none was asked) and load. */
typedef struct db_pair {
    const char *mentee_blob;
    size_t mentee_len;
    const char *program, *forbidden;
    const char *coach_blob;
    size_t coach_len;
    long long coach_load;
} db_pair;
typedef void db_pair_fn(srv_req *r, const db_pair *p);

/* The reads of data kept for people to see (match.pins, meeting.list,
 * jp.get, ...): the script answers {'ok', s1, s2, ...}, strings only, and
 * the handler reads them in the order its script's header documents. */
typedef struct db_strs db_strs;
size_t db_strs_n(const db_strs *ss);
/* The i-th string (i < db_strs_n) and its length; NUL-terminated. */
const char *db_strs_at(const db_strs *ss, size_t i, size_t *len);
typedef void db_strs_fn(srv_req *r, const db_strs *ss);

/* ---- operations ----
 * One sender per script, generated (db.gen.h) from the script's header line
 * `--! db: NAME(ARGS) -> REPLY`, e.g. db_pin(r, kind, program, mentee_id,
 * coach_id, by, cb).  Beyond them: */

/* mentee.get / coach.get: the stored profile of kind "mentee" or "coach"
 * (not_found naming `id` when there is none). */
void db_profile_read(srv_req *r, const char *kind, const char *id, db_profile_fn *cb);
/* mentee.list / coach.list: one page after id `after` ("" first), at most
 * limit, filtered by province and program ("" none) and the caller's
 * scope (csv), read from the narrowest index. */
void db_profile_page(srv_req *r, const char *kind, const char *after, long long limit, const char *province,
                     const char *program, const char *scope, db_page_fn *cb);

/* ---- for the generated senders only ---- */

/* A script command for r: EVALSHA of id with the key prefix. */
sargs db_script(srv_req *r, script_id id);
/* Send a for r; its reply goes to the reader of the kind, which calls cb. */
void db_send_ok(srv_req *r, sargs *a, db_ok_fn *cb);
void db_send_user(srv_req *r, sargs *a, db_user_fn *cb);
void db_send_session(srv_req *r, sargs *a, db_session_fn *cb);
void db_send_version(srv_req *r, sargs *a, db_version_fn *cb);
void db_send_profile(srv_req *r, sargs *a, db_profile_fn *cb);
void db_send_mentee_profile(srv_req *r, sargs *a, db_profile_fn *cb);
void db_send_page(srv_req *r, sargs *a, db_page_fn *cb);
void db_send_pair(srv_req *r, sargs *a, db_pair_fn *cb);
void db_send_match(srv_req *r, sargs *a, db_match_fn *cb);
void db_send_matches(srv_req *r, sargs *a, db_matches_fn *cb);
void db_send_matches_page(srv_req *r, sargs *a, db_matches_fn *cb);
void db_send_review(srv_req *r, sargs *a, db_review_fn *cb);
void db_send_meeting(srv_req *r, sargs *a, db_meeting_fn *cb);
void db_send_stats(srv_req *r, sargs *a, db_stats_fn *cb);
void db_send_users_page(srv_req *r, sargs *a, db_users_fn *cb);
void db_send_strs(srv_req *r, sargs *a, db_strs_fn *cb);
void db_send_run(srv_req *r, sargs *a, db_runs_fn *cb);
void db_send_runs(srv_req *r, sargs *a, db_runs_fn *cb);
void db_send_published(srv_req *r, sargs *a, db_published_fn *cb);
void db_send_unmatched(srv_req *r, sargs *a, db_unmatched_fn *cb);

#include "server/db.gen.h"

#endif
