/* methods.h — helpers shared by the method handlers (methods_*.c); stored
 * profiles and the proto -> matcher adapters they use are in adapt.h, the
 * readers of Redis replies in store.h. */
#ifndef COACHNET_SERVER_METHODS_H
#define COACHNET_SERVER_METHODS_H

#include <stdbool.h>

#include "server/adapt.h"
#include "server/server.h"

/* Lua scripts (scripts.c).  Every script takes no KEYS (it derives its keys
 * from the prefix, ARGV[1]): coachnet runs on one Redis primary, not on a
 * cluster. */
typedef enum {
    SCRIPT_LOGIN,
    SCRIPT_SESSION_NEW,
    SCRIPT_RESUME,
    SCRIPT_LOGOUT,
    SCRIPT_USER_CREATE,
    SCRIPT_USER_DISABLE,
    SCRIPT_PROFILE_PUT,
    SCRIPT_PROFILE_GET,
    SCRIPT_LIST,
    SCRIPT_MATCH_REQUEST,
    SCRIPT_MATCH_REVIEW,
    SCRIPT_MATCH_RESPOND,
    SCRIPT_MATCH_GET,
    SCRIPT_MATCH_LIST,
    SCRIPT_MATCH_MINE,
    SCRIPT_MEETING_LOG,
    SCRIPT_FEEDBACK_PUT,
    SCRIPT_PIN,
    SCRIPT_RUN_LOCK,
    SCRIPT_RUN_RENEW,
    SCRIPT_RUN_SNAPSHOT,
    SCRIPT_RUN_STORE,
    SCRIPT_RUN_FINISH,
    SCRIPT_STATS,
    SCRIPT_SUGGEST_CTX,
    SCRIPT_COACH_SCAN,
    SCRIPT__COUNT
} script_id;

/* Compute the scripts' SHA1 digests (once, before the event loop). */
void scripts_init(void);
/* Start "EVALSHA <sha1> 0 <prefix>" of script id; append the rest.  Only
 * for mcmd(), which retries with EVAL when Redis answers NOSCRIPT (after a
 * restart or SCRIPT FLUSH). */
void script_args(sargs *a, script_id id, const char *prefix);
/* The same as "EVAL <text> 0 <prefix>", for callers outside a request. */
void script_args_eval(sargs *a, script_id id, const char *prefix);
/* The script text (for the synchronous --add-user path). */
const char *script_text(script_id id);
/* The text of the script with this SHA1 hex, or NULL. */
const char *script_text_by_sha(const char *sha, size_t len);

/* Issue a command for request r; on failure answer `unavailable` and
 * return -1 (r is then gone).  Takes a (the request keeps it until the
 * reply, to resend an EVALSHA as EVAL on NOSCRIPT). */
int mcmd(srv_req *r, store_cb *cb, sargs *a);

/* A store callback's common prologue: returns 0 when reply is usable;
 * otherwise it has answered (unavailable / internal) and returns -1. */
int mreply_ok(srv_req *r, redisReply *reply, int status);

/* Script replies are arrays whose first element is a status string: "ok"
 * or an error code name ("not_found", "forbidden", ...) followed by a
 * message.  Answers the error and returns -1, or returns 0 for "ok". */
int mscript_status(srv_req *r, redisReply *reply);

/* Reading replies (mel, mel_strs, mel_ll): store.h. */

/* Open the params map with the allowed keys; answers on error. */
int mparams(srv_req *r, proto_map *m, const char *const *keys);

/* Zeroed state of `size` bytes for r's handler, freed with the request by
 * free_fn (NULL: free); answers `internal` and returns NULL when out of
 * memory. */
void *mstate(srv_req *r, size_t size, void (*free_fn)(void *));

/* Coordinator scope check (answers forbidden); 0 if allowed. */
int mscope(srv_req *r, const char *program);

/* Stored profiles (mblob_*): adapt.h. */

/* Pack an explanation of the matcher (its reason codes include "program"). */
void mpack_explain(msgpack_packer *pk, const match_explain *e);
/* Pack a match from the flat field list a script returned (HGETALL
 * order: name, value, ...). */
void mpack_match_flat(msgpack_packer *pk, const redisReply *flat);

void mpack_str(msgpack_packer *pk, const char *s);
void mpack_strn(msgpack_packer *pk, const char *s, size_t n);
void mpack_kv_str(msgpack_packer *pk, const char *k, const char *v);
void mpack_kv_int(msgpack_packer *pk, const char *k, long long v);

/* Handlers */
void m_auth_login(srv_req *r);
void m_auth_resume(srv_req *r);
void m_auth_logout(srv_req *r);
void m_user_create(srv_req *r);
void m_user_disable(srv_req *r);
void m_mentee_put(srv_req *r);
void m_coach_put(srv_req *r);
void m_mentee_get(srv_req *r);
void m_coach_get(srv_req *r);
void m_mentee_list(srv_req *r);
void m_coach_list(srv_req *r);
void m_match_suggest(srv_req *r);
void m_match_explain(srv_req *r);
void m_match_request(srv_req *r);
void m_match_run(srv_req *r);
void m_match_list(srv_req *r);
void m_match_review(srv_req *r);
void m_match_pin(srv_req *r);
void m_match_forbid(srv_req *r);
void m_match_mine(srv_req *r);
void m_match_respond(srv_req *r);
void m_meeting_log(srv_req *r);
void m_feedback_put(srv_req *r);
void m_stats_get(srv_req *r);

#endif
