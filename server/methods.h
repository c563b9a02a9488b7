/* methods.h — helpers shared by the method handlers (methods_*.c); stored
 * profiles and the proto -> matcher adapters they use are in adapt.h, the
 * readers of Redis replies in store.h. */
#ifndef COACHNET_SERVER_METHODS_H
#define COACHNET_SERVER_METHODS_H

#include <stdbool.h>

#include "server/adapt.h"
#include "server/hashq.h"
#include "server/server.h"

/* Lua scripts (scripts.c): SCRIPT_<NAME> is server/lua/<name>.lua.  Every
 * script takes no KEYS (it derives its keys from the prefix, ARGV[1]):
 * coachnet runs on one Redis primary, not on a cluster. */
#include "server/scripts.gen.h" /* script_id, generated from the file names */

/* Compute the scripts' SHA1 digests (once, before the event loop). */
void scripts_init(void);
/* SCRIPT LOAD every script on st's command link, pipelined (the link's
 * connect hook: see scripts.c).  A failure is logged. */
void scripts_load(store *st);
/* Start "EVALSHA <sha1> 0 <prefix>" of script id; append the rest.  Send
 * it with script_cmd() (or mcmd()), which resends it as EVAL when Redis
 * answers NOSCRIPT. */
void script_args(sargs *a, script_id id, const char *prefix);
/* The same as "EVAL <text> 0 <prefix>", for a connection that has not
 * loaded the scripts (the synchronous --add-user path). */
void script_args_eval(sargs *a, script_id id, const char *prefix);
/* The script text (for the synchronous --add-user path). */
const char *script_text(script_id id);
/* The text of the script with this SHA1 hex, or NULL. */
const char *script_text_by_sha(const char *sha, size_t len);
/* store_cmda() with the NOSCRIPT safety net: an EVALSHA that Redis does
 * not know (SCRIPT FLUSH) is resent once as EVAL, and every script is
 * loaded again; cb gets the final reply (store_cmd's contract).  Takes a
 * (it is left empty whatever the outcome); other commands are sent as
 * they are. */
int script_cmd(store *st, store_cb *cb, void *ud, sargs *a);
/* script_cmd() for a write whose success someone is told: WAIT follows it
 * (store_cmd_durable), the NOSCRIPT resend too. */
int script_cmd_durable(store *st, store_cb *cb, void *ud, sargs *a);

/* Issue a command for request r (through script_cmd, or for a method that
 * writes, `"writes": true`, script_cmd_durable: its answer waits for the
 * replicas, DESIGN §13); on failure answer `unavailable` and return -1 (r
 * is then gone).  Takes a. */
int mcmd(srv_req *r, store_cb *cb, sargs *a);

/* A store callback's common prologue: returns 0 when reply is usable;
 * otherwise it has answered (unavailable / internal) and returns -1. */
int mreply_ok(srv_req *r, redisReply *reply, int status);

/* Script replies are arrays whose first element is a status string: "ok"
 * or an error code name ("not_found", "forbidden", ...) followed by a
 * message.  Answers the error and returns -1, or returns 0 for "ok". */
int mscript_status(srv_req *r, redisReply *reply);

/* Reading replies (mel, mel_strs, mel_ll): store.h. */

/* Zeroed state of `size` bytes for r's handler, freed with the request by
 * free_fn (NULL: free); answers `internal` and returns NULL when out of
 * memory. */
void *mstate(srv_req *r, size_t size, void (*free_fn)(void *));

/* Hash a new password for r on the hash threads (hashq.h); fn gets the
 * result and starts with mhash_ok().  A full queue answers `rate_limited`
 * (as auth.login does: retry in a few seconds), any other failure
 * `internal`; r is then answered and fn is never called. */
void mhash_new(srv_req *r, const char *password, hashq_fn *fn);
/* The prologue of mhash_new()'s callback: 0 when hash holds the new hash,
 * else r has been answered (`unavailable`, `internal`) and -1. */
int mhash_ok(srv_req *r, int status, const char *hash);

/* Coordinator scope check (answers forbidden); 0 if allowed. */
int mscope(srv_req *r, const char *program);

/* Stored profiles (mblob_*): adapt.h. */

/* The checks user.create and `coachnetd --add-user` share (one path for
 * both): the login's characters; a role other than ROLE_NONE; the subject
 * (mentee and coach users need one, a mentee's is a NIP; admins and
 * coordinators have none); the programs (codes, distinct, only and at least
 * one for coordinators), joined into csv[csv_size] as stored.  PROTO_OK, or
 * PROTO_ERR with *e: invalid_params naming the field. */
int user_spec_check(const char *login, auth_role role, const char *subject, const char *const *programs,
                    size_t n_programs, char *csv, size_t csv_size, proto_error *e);

/* The handlers: one per method of the schema. */
#include "server/handlers.gen.h"

#endif
