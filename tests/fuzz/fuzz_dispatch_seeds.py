#!/usr/bin/python3
"""Regenerate tests/fuzz/seeds/fuzz_dispatch/ (run from the repository root).

Seed layout (tests/fuzz/fuzz_dispatch.c): role byte, reply-program length
and bytes, 2-byte pool length and pool (string elements of the fake
store's replies), then the request stream.  The pool holds a valid mentee
and coach profile blob so that handlers that decode stored profiles get
past the decoder; reply byte 0xff takes the whole pool as one string.
"""
import os
import struct
import sys

import msgpack

OUT = "tests/fuzz/seeds/fuzz_dispatch"
sys.path.insert(0, "tests/integration")
import harness  # noqa: E402  (data/ catalogues and profile generators)

gen = harness.Gen(seed=6)
PROG = "p1"
mentee = gen.mentee(PROG)
mentee["id"] = "199001012015011001"          # the fuzz session's subject
coach = gen.coach(programs=[PROG])


def frame(o):
    b = msgpack.packb(o, use_bin_type=True)
    return struct.pack(">I", len(b)) + b


def req(i, method, params):
    return frame([0, i, method, [params]])


WS_HANDSHAKE = (b"GET /rpc HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                b"Origin: https://h\r\nSec-WebSocket-Protocol: coachnet.v1\r\n\r\n")


def ws_msg(body, mask=b"\x0f\xf0\x55\xaa"):
    """One masked binary WebSocket message (client to server)."""
    n = len(body)
    hdr = struct.pack("!BB", 0x82, 0x80 | n) if n < 126 else struct.pack("!BBH", 0x82, 0x80 | 126, n)
    return hdr + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(body))


def seed(role, prog, pool, stream):
    return bytes([role, len(prog)]) + bytes(prog) + struct.pack(">H", len(pool)) + pool + stream


MB = msgpack.packb(mentee, use_bin_type=True)
CB = msgpack.packb(coach, use_bin_type=True)
# reply programs: [op, args...]; op%8 == 0 -> {'ok', pool-slice, version, pool-slice, 0}
OK_PROFILE = [0x00, 0xff, 0x01, 0x00]
OK_PLAIN = [0x0e, 0x00, 0x01]

cases = {
    "login": (0, [0x3b, 0x00], b"", req(1, "auth.login", {"login": "admin", "password": "x" * 12})),
    "resume": (0, OK_PLAIN, b"admin", req(2, "auth.resume", {"token": "a" * 64})),
    "mentee_get": (3, OK_PROFILE, MB, req(3, "mentee.get", {"id": mentee["id"]})),
    "coach_get": (4, OK_PROFILE, CB, req(4, "coach.get", {"id": coach["id"]})),
    "mentee_put": (2, OK_PLAIN, b"", req(5, "mentee.put", {"profile": mentee})),
    "mentee_put_cas": (3, [0x3b], b"", req(6, "mentee.put", {"profile": mentee, "if_version": 3})),
    "coach_put": (2, OK_PLAIN, b"", req(7, "coach.put", {"profile": coach})),
    "mentee_list": (2, [0x1e, 0x00, 0xff], MB, req(8, "mentee.list", {"program": PROG, "limit": 5})),
    "suggest": (3, OK_PROFILE, MB, req(9, "match.suggest", {"mentee_id": mentee["id"], "limit": 3})),
    # SUGGEST_CTX's shape: ok, mentee blob, program, forbidden csv, coach blob, load
    "explain": (2, [0x2f, 0x00, 0xff, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00], MB, req(10, "match.explain", {"mentee_id": mentee["id"],
                                                                 "coach_id": coach["id"]})),
    "user_create": (1, OK_PLAIN, b"", req(11, "user.create", {"login": "c1", "password": "p" * 12,
                                                              "role": "coordinator", "programs": [PROG]})),
    "match_run": (2, OK_PLAIN, b"r1", req(12, "match.run", {"program": PROG})),
    "match_list": (2, [0x2e, 0x00], b"", req(13, "match.list", {"program": PROG})),
    "review": (2, [0x1e, 0x00], b"", req(14, "match.review", {"match_ids": ["m1", "m2"],
                                                             "decision": "approve"})),
    "respond": (3, OK_PLAIN, b"", req(15, "match.respond", {"match_id": "m1", "accept": True})),
    "meeting": (3, OK_PLAIN, b"", req(16, "meeting.log", {"match_id": "m1", "date": "2026-03-01",
                                                         "minutes": 90})),
    "stats": (2, [0x5e, 0x00], b"", req(17, "stats.get", {"program": PROG})),
    "unavailable": (3, [0x01], b"", req(18, "mentee.get", {"id": mentee["id"]})),
    "redis_error": (3, [0x02], b"", req(19, "mentee.get", {"id": mentee["id"]})),
    "pipelined": (2, OK_PROFILE + [0x03, 0x13], MB,
                  b"".join(req(20 + i, "mentee.get", {"id": mentee["id"]}) for i in range(20))),
    "bad_frame": (0, [], b"", b"\x00\x00\x00\x02\xc1\xc1"),
    "unknown": (1, [], b"", req(40, "no.such", {})),
    "logout": (3, OK_PLAIN, b"", req(41, "auth.logout", {})),
    # the browser transport (DESIGN section 11): HTTP, and requests over a
    # WebSocket (one body per masked binary message, no length prefix)
    "http_get": (0, [], b"", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"),
    "ws_requests": (3, OK_PROFILE, MB, WS_HANDSHAKE + ws_msg(req(42, "mentee.get", {"id": mentee["id"]})[4:])
                    + ws_msg(req(43, "server.info", {})[4:]) + ws_msg(b"\xc1")),
}

os.makedirs(OUT, exist_ok=True)
for name, (role, prog, pool, stream) in cases.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(seed(role, prog, pool, stream))
print("wrote %d seeds to %s" % (len(cases), OUT))
