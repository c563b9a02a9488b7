/* keys.h — the names of coachnet's Redis keys, on the C side.
 *
 * One entry per row of the "Key schema" table of docs/operations.md (a
 * unit test, tests/unit/test_keys.c, checks that the two lists are the
 * same).  A name is the prefix (redis-prefix), the kind's fixed part and,
 * for most kinds, one id: KEY_MENTEE with "u7" is "cn:mentee:u7".
 *
 * This table is the one place key names are made.  scripts/gen-api turns it
 * into server/lua/keys.lua, the prelude K of every Lua script (K.mentee..id
 * is this file's KEY_MENTEE with id), so the scripts, which touch keys they
 * only learn while they run, name them from the same table; the C side
 * names a key when it sends a plain command (mentee.get's HMGET),
 * subscribes (events) or hands a script an index to walk (SCRIPT_LIST,
 * without the prefix).  tests/unit/test_keys.c checks that keys.lua, the
 * scripts and docs/operations.md agree with this table.
 */
#ifndef COACHNET_SERVER_KEYS_H
#define COACHNET_SERVER_KEYS_H

#include <stddef.h>

#include "server/store.h"

typedef enum {
    KEY_USER,             /* user:<login> */
    KEY_SUBJ_MENTEE,      /* subj:mentee:<id> (the login of the mentee's user) */
    KEY_SUBJ_COACH,       /* subj:coach:<id> */
    KEY_IDX_USER,         /* idx:user (every login: user.list) */
    KEY_UTOK,             /* utok:<login> */
    KEY_TOK,              /* tok:<sha256 hex of token> */
    KEY_RL_LOGIN,         /* rl:login:<login> */
    KEY_PROGRAM,          /* program:<id> */
    KEY_IDX_PROGRAM,      /* idx:program */
    KEY_MENTEE,           /* mentee:<id> */
    KEY_COACH,            /* coach:<id> */
    KEY_IDX_MENTEE,       /* idx:mentee */
    KEY_IDX_COACH,        /* idx:coach */
    KEY_IDX_MENTEE_PROG,  /* idx:mentee:prog:<program> */
    KEY_IDX_MENTEE_PROV,  /* idx:mentee:prov:<province> */
    KEY_IDX_COACH_PROV,   /* idx:coach:prov:<province> */
    KEY_LOAD,             /* load:<coach> */
    KEY_MATCH,            /* match:<id> */
    KEY_SEQ_MATCH,        /* seq:match */
    KEY_SEQ_RUN,          /* seq:run */
    KEY_SEQ_MEETING,      /* seq:meeting */
    KEY_IDX_MATCH_PROG,   /* idx:match:prog:<program> */
    KEY_IDX_MATCH_RUN,    /* idx:match:run:<run> */
    KEY_PROPOSED,         /* proposed:<program> */
    KEY_MINE_MENTEE,      /* mine:mentee:<id> */
    KEY_MINE_COACH,       /* mine:coach:<id> */
    KEY_WAIT,             /* wait:<program> */
    KEY_PIN,              /* pin:<program> */
    KEY_FORBID,           /* forbid:<program> */
    KEY_RUN,              /* run:<id> */
    KEY_LASTRUN,          /* lastrun:<program> */
    KEY_LASTPUB,          /* lastpub:<program> */
    KEY_LOCK_RUN,         /* lock:run:<program> */
    KEY_RUNS_STAGED,      /* runs:staged */
    KEY_STAGE_PROPOSED,   /* stage:proposed:<run> */
    KEY_STAGE_WAIT,       /* stage:wait:<run> */
    KEY_SUPERSEDE,        /* supersede:<run> (proposals its switch superseded, rewritten by its settle) */
    KEY_IDX_RUN_PROG,     /* idx:run:prog:<program> (runs by number) */
    KEY_REV,              /* rev:<program> (changes of a program's run inputs) */
    KEY_RUN_UNMATCHED,    /* unmatched:<run> ("<reason>:<mentee>", run.unmatched) */
    KEY_MEETING,          /* meeting:<match> */
    KEY_JP,               /* jp:<program> */
    KEY_JP_MENTEE,        /* jp:mentee:<id> */
    KEY_FEEDBACK,         /* feedback:<match> */
    KEY_FB,               /* fb:<program> */
    KEY_NOTES,            /* notes:<match> */
    KEY_AUDIT,            /* audit */
    KEY_EVENTS,           /* events (the pub/sub channel) */
    KEY_IDEM,             /* idem:<login>:<request_id> (request_id answers) */
    KEY_SEQ_FEEDBACK,     /* seq:feedback */
    KEY_FBIDX,            /* fbidx:<program> */
    KEY_IDX_MATCH_MENTEE, /* idx:match:mentee:<id> */
    KEY_IDX_MATCH_COACH,  /* idx:match:coach:<id> */
    KEY_SORT_MATCH,       /* sort:match:<order>:<scope> */
    KEY_OUTBOX,           /* outbox (stream: messages for the mailer, design.md §10) */
    KEY_COUNT_MATCH,      /* count:match (matches by status, every program: /metrics) */
    KEY_MAIL_DEAD,        /* mail:dead (stream: messages the mailer gave up on) */
    KEY_MAIL_SENT,        /* mail:sent:<event>:<recipient> (delivered record) */
    KEY_SCHED,            /* sched:<match> (scheduled meetings: meeting.schedule) */
    KEY_LOCK_MAIL,        /* lock:mail:<job> (reminder / digest timer lock) */
    KEY_MAIL_DIGEST,      /* mail:digest:<login> (a coordinator's last digest counts) */
    KEY__COUNT
} key_kind;

/* The schema's notation of kind k, as in the comments above and the docs'
 * table ("user:<login>"); NULL for an out-of-range k. */
const char *keys_pattern(key_kind k);

/* Write prefix + the fixed part of k + id into buf (size bytes, NUL
 * included).  id must be NULL exactly for the kinds without an id (idx:coach,
 * seq:*, audit, events) and non-empty for the others.  Returns the length,
 * or -1 (buf then holds "") when that is not so or the name does not fit. */
int keys_name(char *buf, size_t size, const char *prefix, key_kind k, const char *id);

/* Append the same name to a (an owned copy; a bad k or id, like running
 * out of memory, marks a oom so that store_cmda refuses it). */
void keys_add(sargs *a, const char *prefix, key_kind k, const char *id);

#endif
