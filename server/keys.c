/* keys.c — see keys.h. */
#include "server/keys.h"

#include <stdio.h>
#include <string.h>

/* The schema: a fixed part, then "<what the id is>" for the kinds with an
 * id.  Kept in the order of key_kind and of docs/operations.md. */
static const char *const patterns[KEY__COUNT] = {
    [KEY_USER] = "user:<login>",
    [KEY_SUBJ_MENTEE] = "subj:mentee:<id>",
    [KEY_SUBJ_COACH] = "subj:coach:<id>",
    [KEY_IDX_USER] = "idx:user",
    [KEY_UTOK] = "utok:<login>",
    [KEY_TOK] = "tok:<sha256 hex of token>",
    [KEY_RL_LOGIN] = "rl:login:<login>",
    [KEY_PROGRAM] = "program:<id>",
    [KEY_IDX_PROGRAM] = "idx:program",
    [KEY_MENTEE] = "mentee:<id>",
    [KEY_COACH] = "coach:<id>",
    [KEY_IDX_MENTEE] = "idx:mentee",
    [KEY_IDX_COACH] = "idx:coach",
    [KEY_IDX_MENTEE_PROG] = "idx:mentee:prog:<program>",
    [KEY_IDX_MENTEE_PROV] = "idx:mentee:prov:<province>",
    [KEY_IDX_COACH_PROV] = "idx:coach:prov:<province>",
    [KEY_LOAD] = "load:<coach>",
    [KEY_MATCH] = "match:<id>",
    [KEY_SEQ_MATCH] = "seq:match",
    [KEY_SEQ_RUN] = "seq:run",
    [KEY_SEQ_MEETING] = "seq:meeting",
    [KEY_IDX_MATCH_PROG] = "idx:match:prog:<program>",
    [KEY_IDX_MATCH_RUN] = "idx:match:run:<run>",
    [KEY_PROPOSED] = "proposed:<program>",
    [KEY_MINE_MENTEE] = "mine:mentee:<id>",
    [KEY_MINE_COACH] = "mine:coach:<id>",
    [KEY_WAIT] = "wait:<program>",
    [KEY_PIN] = "pin:<program>",
    [KEY_FORBID] = "forbid:<program>",
    [KEY_RUN] = "run:<id>",
    [KEY_LASTRUN] = "lastrun:<program>",
    [KEY_LASTPUB] = "lastpub:<program>",
    [KEY_LOCK_RUN] = "lock:run:<program>",
    [KEY_RUNS_STAGED] = "runs:staged",
    [KEY_STAGE_PROPOSED] = "stage:proposed:<run>",
    [KEY_STAGE_WAIT] = "stage:wait:<run>",
    [KEY_SUPERSEDE] = "supersede:<run>",
    [KEY_IDX_RUN_PROG] = "idx:run:prog:<program>",
    [KEY_REV] = "rev:<program>",
    [KEY_RUN_UNMATCHED] = "unmatched:<run>",
    [KEY_MEETING] = "meeting:<match>",
    [KEY_JP] = "jp:<program>",
    [KEY_JP_MENTEE] = "jp:mentee:<id>",
    [KEY_FEEDBACK] = "feedback:<match>",
    [KEY_FB] = "fb:<program>",
    [KEY_NOTES] = "notes:<match>",
    [KEY_AUDIT] = "audit",
    [KEY_EVENTS] = "events",
    [KEY_IDEM] = "idem:<login>:<request_id>",
    [KEY_SEQ_FEEDBACK] = "seq:feedback",
    [KEY_FBIDX] = "fbidx:<program>",
    [KEY_IDX_MATCH_MENTEE] = "idx:match:mentee:<id>",
    [KEY_IDX_MATCH_COACH] = "idx:match:coach:<id>",
    [KEY_SORT_MATCH] = "sort:match:<order>:<scope>",
    [KEY_OUTBOX] = "outbox",
    [KEY_COUNT_MATCH] = "count:match",
    [KEY_MAIL_DEAD] = "mail:dead",
    [KEY_MAIL_SENT] = "mail:sent:<event>:<recipient>",
    [KEY_SCHED] = "sched:<match>",
    [KEY_LOCK_MAIL] = "lock:mail:<job>",
    [KEY_MAIL_DIGEST] = "mail:digest:<login>",
};

const char *keys_pattern(key_kind k) { return (unsigned)k < KEY__COUNT ? patterns[k] : NULL; }

/* The length of k's fixed part when id suits k (see keys_name), else -1. */
static int fixed_len(key_kind k, const char *id) {
    const char *pat = keys_pattern(k);
    if (!pat) return -1;
    const char *lt = strchr(pat, '<');
    if (lt ? !id || !id[0] : id != NULL) return -1;
    return lt ? (int)(lt - pat) : (int)strlen(pat);
}

int keys_name(char *buf, size_t size, const char *prefix, key_kind k, const char *id) {
    int fixed = fixed_len(k, id);
    int n = fixed < 0 ? -1 : snprintf(buf, size, "%s%.*s%s", prefix, fixed, patterns[k], id ? id : "");
    if (n < 0 || (size_t)n >= size) {
        if (size) buf[0] = '\0';
        return -1;
    }
    return n;
}

void keys_add(sargs *a, const char *prefix, key_kind k, const char *id) {
    int fixed = fixed_len(k, id);
    if (fixed < 0) {
        a->oom = 1;
        return;
    }
    sargs_addf(a, "%s%.*s%s", prefix, fixed, patterns[k], id ? id : "");
}
