/* methods_server.c — server.info: what a client may ask before anything
 * else (no session needed): the release, the protocol version and the
 * server's clock, so an app can refuse a protocol it does not speak and
 * show a clock that is off. */
#include <stdio.h>
#include <time.h>

#include "server/methods.h"

void m_server_info(srv_req *r, const api_server_info_params *p) {
    (void)p;
    proto_server_info si;
    snprintf(si.version, sizeof si.version, "%s", COACHNETD_VERSION);
    si.protocol = PROTO_VERSION;
    si.time = (int64_t)time(NULL);
    proto_server_info_pack(srv_req_ok(r), &si);
    srv_req_done(r);
}
