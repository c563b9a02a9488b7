/* conn.h — what the listeners (srv.c) ask of the connection layer
 * (conn.c).  Nothing else includes it: handlers reach connections only
 * through server.h's narrow functions, by connection id. */
#ifndef COACHNET_SERVER_CONN_H
#define COACHNET_SERVER_CONN_H

#include <event2/util.h>

#include "server/server.h"

/* The connection table (maxclients slots) and the reaper event; 0, or -1
 * when out of memory. */
int conn_table_init(server *s);
/* A socket accepted by a listener: refused (closed) at maxclients or while
 * stopping, else wrapped in TLS (tls 1) or not (the unix socket) and
 * started.  peer: the address, for logs. */
void conn_accept(server *s, evutil_socket_t fd, const char *peer, int tls);
/* Graceful stop (the listeners are gone): every connection drains (no more
 * frames; in-flight requests and jobs finish, their answers are written)
 * and closes; the loop exits once none is left, or after SRV_DRAIN_MS. */
void conn_shutdown(server *s);
/* Close and free every connection now, then the table (after the loop). */
void conn_table_free(server *s);

#endif
