/* scripts.c — the Lua scripts of every multi-key state change (design.md §6):
 * their SHA1s, their argument vectors, loading them into Redis and the
 * NOSCRIPT safety net.
 *
 * Each script runs atomically in Redis, so checks and writes cannot
 * interleave with another coachnetd: "read then write from C" never
 * happens.  The scripts are the files server/lua/<name>.lua, embedded at
 * build time (lua_scripts.h); their contract (ARGV[1] = the key prefix,
 * the reply's status element) is stated at the top of
 * server/lua/common.lua.  Keys are documented in docs/operations.md.
 *
 * Loading.  scripts_load() sends SCRIPT LOAD of every script, pipelined.
 * main.c makes it the command link's connect hook (store_on_connect), so
 * it runs each time the link (re)connects, before any other command can
 * be queued on the new connection; Redis runs one connection's commands
 * in order, so every EVALSHA after it finds its script.  The texts (up to
 * 5 KB each) thus cross the network once per connection, not once per
 * call.  A load that Redis refuses for a passing reason (LOADING: a
 * restarted Redis accepts connections while it reads its AOF) is done
 * again just before the next script command.  script_cmd() is the safety
 * net for a Redis that loses its script cache while the connection stays
 * up (SCRIPT FLUSH): an EVALSHA answered NOSCRIPT is resent once as EVAL,
 * and every script is loaded again.
 */
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/log.h"
#include "server/lua_scripts.h"
#include "server/methods.h"

#define SCRIPT_SHA_HEX (2 * SHA_DIGEST_LENGTH)

const char *script_text(script_id id) { return id < SCRIPT__COUNT ? lua_script_text[id] : NULL; }

/* SHA1 hex of every script, filled by scripts_init() before the loop
 * starts and read-only afterwards. */
static char script_sha[SCRIPT__COUNT][SCRIPT_SHA_HEX + 1];

void scripts_init(void) {
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < SCRIPT__COUNT; i++) {
        const char *t = lua_script_text[i] ? lua_script_text[i] : "";
        unsigned char md[SHA_DIGEST_LENGTH];
        SHA1((const unsigned char *)t, strlen(t), md);
        for (int k = 0; k < SHA_DIGEST_LENGTH; k++) {
            script_sha[i][2 * k] = hx[md[k] >> 4];
            script_sha[i][2 * k + 1] = hx[md[k] & 15];
        }
        script_sha[i][SCRIPT_SHA_HEX] = '\0';
    }
}

const char *script_text_by_sha(const char *sha, size_t len) {
    for (int i = 0; i < SCRIPT__COUNT; i++)
        if (len == SCRIPT_SHA_HEX && !memcmp(script_sha[i], sha, len)) return lua_script_text[i];
    return NULL;
}

/* An id without a server/lua file (a bug): the vector is marked oom, so
 * that store_cmda refuses it. */
static int script_missing(sargs *a, script_id id) {
    if (script_text(id)) return 0;
    log_error("script id %d has no file in server/lua/", (int)id);
    a->oom = 1;
    return 1;
}

void script_args_eval(sargs *a, script_id id, const char *prefix) {
    if (script_missing(a, id)) return;
    sargs_adds(a, "EVAL");
    sargs_adds(a, lua_script_text[id]);
    sargs_adds(a, "0");
    sargs_adds(a, prefix);
}

void script_args(sargs *a, script_id id, const char *prefix) {
    if (script_missing(a, id)) return;
    if (!script_sha[id][0]) { /* scripts_init() not called */
        script_args_eval(a, id, prefix);
        return;
    }
    sargs_adds(a, "EVALSHA");
    sargs_adds(a, script_sha[id]);
    sargs_adds(a, "0");
    sargs_adds(a, prefix);
}

/* ---------------------------------------------------------------- loading */

/* SCRIPT LOADs sent and not answered yet: a NOSCRIPT while some are on
 * their way does not send the whole set again. */
static int loads_inflight;
/* A SCRIPT LOAD was refused for a passing reason (a restarted Redis
 * answers LOADING while it reads its AOF, yet accepts connections): the
 * next script_cmd() loads every script again before its EVALSHA. */
static int reload_wanted;

static int transient_error(const char *msg) {
    return !strncmp(msg, "LOADING", 7) || !strncmp(msg, "BUSY", 4) || !strncmp(msg, "MASTERDOWN", 10);
}

static void load_reply(void *ud, redisReply *reply, int status) {
    int id = (int)(intptr_t)ud;
    loads_inflight--;
    if (status != STORE_OK || !reply) return; /* the link went: its next connection loads again */
    if (reply->type == REDIS_REPLY_STRING && reply->len == SCRIPT_SHA_HEX &&
        !memcmp(reply->str, script_sha[id], SCRIPT_SHA_HEX))
        return;
    const char *msg = reply->type == REDIS_REPLY_ERROR && reply->str ? reply->str : "unexpected reply";
    if (transient_error(msg)) {
        if (!reload_wanted) log_info("redis: SCRIPT LOAD refused (%.100s): loading again before the next script", msg);
        reload_wanted = 1;
        return;
    }
    log_error("redis: SCRIPT LOAD of server/lua/%s.lua failed: %.200s", lua_script_name[id], msg);
}

void scripts_load(store *st) {
    reload_wanted = 0;
    for (int i = 0; i < SCRIPT__COUNT; i++) {
        if (!lua_script_text[i]) continue;
        sargs a;
        sargs_init(&a);
        sargs_adds(&a, "SCRIPT");
        sargs_adds(&a, "LOAD");
        sargs_adds(&a, lua_script_text[i]);
        int rc = store_cmda(st, load_reply, (void *)(intptr_t)i, &a);
        sargs_free(&a);
        if (rc != STORE_OK) return; /* not connected: the connect hook loads them */
        loads_inflight++;
    }
}

/* ----------------------------------------------------- the NOSCRIPT net */

/* One EVALSHA sent by script_cmd(), kept until its reply to be resent. */
typedef struct script_call {
    store *st;
    store_cb *cb;
    void *ud;
    sargs args;
    int retried;
    int durable; /* sent with store_cmda_durable (and resent so) */
} script_call;

static int is_noscript(const redisReply *reply) {
    return reply && reply->type == REDIS_REPLY_ERROR && reply->str && !strncmp(reply->str, "NOSCRIPT", 8);
}

static void call_reply(void *ud, redisReply *reply, int status) {
    script_call *c = ud;
    if (status == STORE_OK && !c->retried && is_noscript(reply)) {
        const char *text = script_text_by_sha(c->args.argv[1], c->args.len[1]);
        if (text) {
            if (!loads_inflight) {
                log_warn("redis lost the Lua scripts (NOSCRIPT): loading them again");
                scripts_load(c->st);
            }
            c->retried = 1;
            c->args.argv[0] = "EVAL";
            c->args.len[0] = 4;
            c->args.argv[1] = text;
            c->args.len[1] = strlen(text);
            if ((c->durable ? store_cmda_durable : store_cmda)(c->st, call_reply, c, &c->args) == STORE_OK) return;
            reply = NULL;
            status = STORE_UNAVAILABLE;
        }
    }
    store_cb *cb = c->cb;
    void *cud = c->ud;
    sargs_free(&c->args);
    free(c);
    cb(cud, reply, status);
}

static int script_send(store *st, store_cb *cb, void *ud, sargs *a, int durable) {
    sargs args = *a;
    sargs_init(a);
    int (*send)(store *, store_cb *, void *, const sargs *) = durable ? store_cmda_durable : store_cmda;
    if (args.oom || args.argc < 2 || args.len[0] != 7 || memcmp(args.argv[0], "EVALSHA", 7)) {
        int rc = send(st, cb, ud, &args); /* nothing to resend: hiredis copied it */
        sargs_free(&args);
        return rc;
    }
    if (reload_wanted && !loads_inflight) scripts_load(st); /* they go first on the connection */
    script_call *c = malloc(sizeof *c);
    if (!c) {
        sargs_free(&args);
        return STORE_UNAVAILABLE;
    }
    *c = (script_call){ .st = st, .cb = cb, .ud = ud, .args = args, .durable = durable };
    sargs_own(&c->args, 2); /* the caller's buffers may go before a resend */
    if (send(st, call_reply, c, &c->args) != STORE_OK) {
        sargs_free(&c->args);
        free(c);
        return STORE_UNAVAILABLE;
    }
    return STORE_OK;
}

int script_cmd(store *st, store_cb *cb, void *ud, sargs *a) { return script_send(st, cb, ud, a, 0); }

int script_cmd_durable(store *st, store_cb *cb, void *ud, sargs *a) { return script_send(st, cb, ud, a, 1); }
