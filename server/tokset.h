/* tokset.h — a set of session token hashes (the sha256 hex of a token, the
 * id of a session in Redis: P`tok:<hash>`), pure and unit-tested.
 *
 * The sessions of every coachnetd end by token hash (design.md §14): the
 * `revoke` event of the pub/sub channel carries the hashes whose tokens a
 * script deleted (auth.logout, user.disable), and the periodic check
 * (sesscheck.c) asks Redis about the distinct hashes of the connections'
 * sessions.  Both build a tokset and end every session whose hash is in it
 * (srv_end_sessions, conn.c), so a connection walks one sorted array
 * whatever the number of hashes.
 *
 * Use: tokset_add() any number of hashes, tokset_seal() (sorts, drops
 * duplicates), then tokset_has().  Adding after sealing unseals it.
 */
#ifndef COACHNET_SERVER_TOKSET_H
#define COACHNET_SERVER_TOKSET_H

#include <stddef.h>

#include "server/auth.h"

typedef struct tokset {
    char (*h)[AUTH_SHA_HEX]; /* hashes, NUL-terminated */
    size_t n, cap;
    int sealed;
} tokset;

void tokset_init(tokset *t);
void tokset_free(tokset *t);
/* Add the hash hex[0..len) (64 lowercase hex characters).  Returns 0, or
 * -1 when it is not such a hash (nothing added) or memory ran out. */
int tokset_add(tokset *t, const char *hex, size_t len);
/* Sort and drop duplicates; tokset_has() needs it. */
void tokset_seal(tokset *t);
/* 1 if the sealed set holds hex (a NUL-terminated string), else 0. */
int tokset_has(const tokset *t, const char *hex);

#endif
