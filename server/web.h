/* web.h — what coachnetd answers to an HTTP request that is not the
 * WebSocket handshake (conn.c hands them here from the hws layer): the
 * route table (/healthz, /readyz, /metrics) and static files from web-root.
 * See docs/design.md "The browser transport". */
#ifndef COACHNET_SERVER_WEB_H
#define COACHNET_SERVER_WEB_H

#include "server/hws.h"
#include "server/server.h"

/* The path of the WebSocket endpoint (DESIGN §11). */
#define WEB_RPC_PATH "/rpc"
/* A static file larger than this is not served (404 and a log line). */
#define WEB_FILE_MAX (32 * 1024 * 1024)

/* Answer rq with hws_respond (exactly once). */
void web_request(server *s, hws *h, const hws_request *rq);

#endif
