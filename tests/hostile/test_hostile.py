#!/usr/bin/python3
"""Hostile input over real TLS (issue 6, DESIGN sections 2 and 7).

Every case sends malformed or abusive input to one coachnetd on real TLS
connections (raw TLS sockets for byte-level abuse, the Python client for
message-level abuse) and checks the answer: the right error code with the
right msgid, or the error with msgid 0 followed by a disconnect, or a
disconnect alone (timeouts, floods).  Meanwhile a well-behaved client (the
canary, hostile_lib.Canary) keeps calling mentee.get on its own thread; after
every case the suite asserts that it was answered, without errors and
without stalling.  The last test checks that coachnetd exits 0 on SIGTERM
with no sanitizer report (run it with B=build/san for ASan/UBSan).

The server runs with short timeouts so that slowloris and half-open cases
finish quickly: handshake-timeout-ms HS_MS, idle-timeout-ms IDLE_MS,
max-inflight 8 (floods go far beyond it), max-output 256 KiB.
"""

import os
import random
import socket
import ssl
import struct
import time

import threading

import msgpack

import hostile_lib as hl
from hostile_lib import frame, raw_frame, req, Reader, wait_closed, SLOW
import harness
from harness import CoachnetError, expect_error

HS_MS = int(1500 * SLOW)
IDLE_MS = int(3000 * SLOW)
MAX_INFLIGHT = 8
MAX_OUTPUT = 256 * 1024
MAX_FRAME = 1024 * 1024
LOGIN_LIMIT = 30

suite = harness.Suite("hostile", handshake_timeout_ms=HS_MS, idle_timeout_ms=IDLE_MS,
                      max_inflight=MAX_INFLIGHT, max_output=MAX_OUTPUT,
                      login_attempts_per_minute=LOGIN_LIMIT)
CTX = {}   # fixtures made by the first test
LOGOUT = msgpack.packb([0, 1, "auth.logout", [{}]])


def case(fn):
    """Register a hostile case: run it, then check the canary was served."""
    def wrapped(s):
        fn(s)
        if "canary" in CTX:
            CTX["canary"].check()
    wrapped.__doc__ = fn.__doc__
    wrapped.__name__ = fn.__name__
    return suite.test(wrapped)


def expect_fatal(sock, data, codes=("bad_frame",), timeout=5):
    """Send data on a raw TLS socket: exactly one error frame with msgid 0
    and a code in codes, then the server closes the connection."""
    sock.sendall(data)
    rd = Reader(sock)
    msg = rd.frame(timeout * SLOW)
    assert isinstance(msg, list) and len(msg) == 4 and msg[0] == 1, "not a response: %r" % (msg,)
    assert msg[1] == 0, "a framing error must carry msgid 0: %r" % (msg,)
    assert isinstance(msg[2], dict) and msg[2].get("code") in codes, \
        "expected %s, got %r" % (codes, msg[2])
    assert msg[2].get("message"), "error without message: %r" % (msg,)
    try:
        extra = rd.frame(timeout * SLOW)
        raise AssertionError("expected a disconnect after the fatal error, got %r" % (extra,))
    except hl.coachnet.ConnectionClosed:
        pass
    except hl.coachnet.Timeout:
        raise AssertionError("connection still open %ss after a fatal error" % (timeout * SLOW))
    return msg[2]


def fatal_case(data, codes=("bad_frame",)):
    def run(s):
        with hl.tls_raw(s.srv) as t:
            expect_fatal(t, data, codes)
    return run


def expect_nonfatal(c, body, code, msgid=None, field=None):
    """Send one frame body on a Client; expect its error and a usable connection."""
    c.send_raw(raw_frame(body))
    msg = c.read_frame(timeout=5 * SLOW)
    assert isinstance(msg, list) and len(msg) == 4 and msg[0] == 1, "not a response: %r" % (msg,)
    err = msg[2]
    assert isinstance(err, dict) and err.get("code") == code, "expected %s, got %r" % (code, msg)
    if msgid is not None:
        assert msg[1] == msgid, "the error must carry msgid %s: %r" % (msgid, msg)
    if field is not None:
        assert field in str(err.get("field")), "expected field naming %r: %r" % (field, err)
    # still usable: a normal request is answered
    expect_error("unauthenticated", c.auth_resume, "x" * 64)
    return err


def nonfatal_case(body, code, msgid=None, field=None):
    def run(s):
        with s.srv.client() as c:
            expect_nonfatal(c, body, code, msgid, field)
    return run


def mk(name, doc, fn):
    fn.__doc__ = doc
    fn.__name__ = name
    case(fn)


# ---------------------------------------------------------------- fixtures

@suite.test
def setup(s):
    """setup: coordinator, two mentees with users, a canary polling mentee.get"""
    coord, prog = s.coordinator()
    coord2, prog2 = s.coordinator()
    m1, m2, m3 = s.gen.mentee(prog), s.gen.mentee(prog), s.gen.mentee(prog2)
    for c, m in ((coord, m1), (coord, m2), (coord2, m3)):
        c.mentee_put(m)
    u1, u2 = s.uniq("mentee"), s.uniq("mentee")
    coord.user_create(u1, s.PASSWORD, "mentee", subject=m1["id"])
    coord.user_create(u2, s.PASSWORD, "mentee", subject=m2["id"])
    ucoord2 = s.uniq("coord")
    s.admin().user_create(ucoord2, s.PASSWORD, "coordinator", programs=[prog2])
    coord.close()
    coord2.close()
    CTX.update(prog=prog, prog2=prog2, m1=m1, m2=m2, m3=m3, u1=u1, u2=u2, coord2=ucoord2)
    CTX["canary"] = hl.Canary(s.srv, u1, s.PASSWORD, m1["id"])
    CTX["canary"].check(min_ok=3)


def as_user(s, login):
    return s.srv.login(login, s.PASSWORD)


# ------------------------------------------------------------ framing (fatal)

mk("len_max_plus_one", "frame length max-frame+1: too_large msgid 0 before the body, then close",
   fatal_case(struct.pack(">I", MAX_FRAME + 1), ("too_large", "bad_frame")))
mk("len_ffffffff", "frame length 0xFFFFFFFF with a short body: too_large msgid 0, close",
   fatal_case(b"\xff\xff\xff\xff" + b"\x90" * 32, ("too_large", "bad_frame")))
mk("len_zero", "frame length 0: bad_frame msgid 0, close", fatal_case(b"\0\0\0\0"))
mk("body_c1", "body 0xc1 (never used in msgpack): bad_frame, close", fatal_case(raw_frame(b"\xc1")))
mk("body_truncated", "lying length: array of 4 declared, 2 elements in the frame: bad_frame, close",
   fatal_case(raw_frame(b"\x94\x00\x01")))
mk("body_trailing", "lying length: two msgpack objects in one frame: bad_frame, close",
   fatal_case(raw_frame(LOGOUT + b"\xc0")))
mk("len_short_of_body", "lying length: header 3 bytes short of the request; the tail is read as a header",
   fatal_case(struct.pack(">I", len(LOGOUT) - 3) + LOGOUT + b"\0\0\0\0",
              ("bad_frame", "too_large")))
mk("array32_huge", "huge declared count: array32 of 2^32-1 in a 12-byte body: bad_frame/too_large, close",
   fatal_case(raw_frame(b"\xdd\xff\xff\xff\xff" + b"\0" * 7), ("bad_frame", "too_large")))
mk("map32_huge", "huge declared count: map32 of 2^32-1: bad_frame/too_large, close",
   fatal_case(raw_frame(b"\xdf\xff\xff\xff\xff" + b"\0" * 7), ("bad_frame", "too_large")))
mk("str32_huge", "huge declared length: str32 of 4 GiB in a small body: bad_frame/too_large, close",
   fatal_case(raw_frame(b"\x94\x00\x01\xdb\xff\xff\xff\xf0abc"), ("bad_frame", "too_large")))
mk("bin32_huge", "huge declared length: bin32 of 2^31: bad_frame/too_large, close",
   fatal_case(raw_frame(b"\xc6\x80\x00\x00\x00xyz"), ("bad_frame", "too_large")))
mk("ext32_huge", "huge declared length: ext32 of 2^31: bad_frame/too_large, close",
   fatal_case(raw_frame(b"\xc9\x80\x00\x00\x00\x01xyz"), ("bad_frame", "too_large")))
mk("nested_array_count", "huge count hidden one level deep: [array32 2^30]: bad_frame/too_large, close",
   fatal_case(raw_frame(b"\x91\xdd\x40\x00\x00\x00" + b"\xc0" * 4), ("bad_frame", "too_large")))
mk("deep_nesting_1000", "nesting 1000 deep (1000 x fixarray 1): too_large/bad_frame, close",
   fatal_case(raw_frame(b"\x91" * 1000 + b"\xc0"), ("too_large", "bad_frame")))
mk("deep_nesting_maps", "nesting 500 maps deep: too_large/bad_frame, close",
   fatal_case(raw_frame(b"\x81\xa1k" * 500 + b"\xc0"), ("too_large", "bad_frame")))


def http_case(data, status):
    """Bytes that start like HTTP are the browser transport's (DESIGN
    section 11): an HTTP answer with this status, then the server closes."""
    def run(s):
        with hl.tls_raw(s.srv) as t:
            t.sendall(data)
            out = b""
            deadline = time.monotonic() + 5 * SLOW
            while time.monotonic() < deadline:
                try:
                    b = t.recv(65536)
                except (OSError, ssl.SSLError):
                    break
                if not b:
                    break
                out += b
            else:
                raise AssertionError("connection still open after the HTTP answer: %r" % out[:200])
            assert out.startswith(b"HTTP/1.1 %d " % status), out[:200]
    return run


mk("http_get", "an HTTP request inside TLS: answered as HTTP (404, no web-root), not read as a frame, close",
   http_case(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404))
mk("http_garbage", "upper-case garbage inside TLS (HTTP by its first byte): 400, close",
   http_case(b"GARBAGE \x00\x01\x02\r\n\r\n", 400))


@case
def garbage_random(s):
    """random garbage bytes (20 seeded runs): an error with msgid 0 and/or a close"""
    rnd = random.Random(6)
    for i in range(20):
        data = bytes(rnd.randrange(256) for _ in range(rnd.randint(5, 3000)))
        with hl.tls_raw(s.srv) as t:
            t.sendall(data)
            rd = Reader(t)
            # The reply is at most error frames; the connection must end.
            deadline = time.monotonic() + 5 * SLOW
            while True:
                try:
                    msg = rd.frame(max(0.1, deadline - time.monotonic()))
                except hl.coachnet.ConnectionClosed:
                    break
                except hl.coachnet.Timeout:
                    # a valid-looking header with a long body: the server is
                    # waiting for the rest, which is right; cut it short
                    n = struct.unpack(">I", data[:4])[0]
                    assert n <= MAX_FRAME, "run %d: no answer to header %d" % (i, n)
                    break
                assert msg[0] == 1 and isinstance(msg[2], dict), "run %d: %r" % (i, msg)


@case
def garbage_after_valid_request(s):
    """a valid request, then garbage in the same write: the answer, then bad_frame msgid 0, close"""
    with hl.tls_raw(s.srv) as t:
        t.sendall(req(5, "auth.resume", {"token": "x" * 40}) + raw_frame(b"\xc1\xc1"))
        rd = Reader(t)
        frames = []
        while True:
            try:
                frames.append(rd.frame(5 * SLOW))
            except hl.coachnet.ConnectionClosed:
                break
        assert frames and frames[-1][1] == 0 and frames[-1][2]["code"] == "bad_frame", frames
        assert all(f[1] == 5 for f in frames[:-1]), frames


@case
def plaintext_on_tls_port(s):
    """a plaintext request frame on the TLS port: no answer, connection closed"""
    with hl.tcp_raw(s.srv.port) as t:
        t.sendall(req(1, "auth.login", {"login": "a", "password": "b"}))
        data = b""
        try:
            while True:
                d = t.recv(4096)
                if not d:
                    break
                data += d
        except (ConnectionError, socket.timeout):
            pass
        assert not data.startswith(b"\0"), "server answered plaintext with a frame: %r" % data[:20]


@case
def garbage_tls_record(s):
    """a TCP client sending a TLS record header with garbage: closed by the server"""
    with hl.tcp_raw(s.srv.port) as t:
        t.sendall(b"\x16\x03\x01\x00\x40" + os.urandom(64))
        wait_closed(t, 5 * SLOW)


# ------------------------------------------------------- message shape

mk("msg_not_array", "message a map: bad_request, connection stays",
   nonfatal_case(msgpack.packb({"method": "auth.login"}), "bad_request"))
mk("msg_nil", "message nil: bad_request, connection stays",
   nonfatal_case(b"\xc0", "bad_request"))
mk("msg_three", "[0, msgid, method]: bad_request, connection stays",
   nonfatal_case(msgpack.packb([0, 3, "auth.login"]), "bad_request"))
mk("msg_kind7", "kind 7: bad_request",
   nonfatal_case(msgpack.packb([7, 3, "auth.login", [{}]]), "bad_request"))
mk("msg_response", "a response sent by the client: bad_request",
   nonfatal_case(msgpack.packb([1, 3, None, {}]), "bad_request"))
mk("msg_notification", "a notification sent by the client: bad_request",
   nonfatal_case(msgpack.packb([2, "run.done", [{}]]), "bad_request"))
mk("msgid_string", "msgid a string: bad_request",
   nonfatal_case(msgpack.packb([0, "7", "auth.login", [{}]]), "bad_request"))
mk("msgid_negative", "msgid -1: bad_request",
   nonfatal_case(msgpack.packb([0, -1, "auth.login", [{}]]), "bad_request"))
mk("msgid_2p32", "msgid 2^32: bad_request",
   nonfatal_case(msgpack.packb([0, 2 ** 32, "auth.login", [{}]]), "bad_request"))
mk("msgid_float", "msgid 1.5: bad_request",
   nonfatal_case(msgpack.packb([0, 1.5, "auth.login", [{}]]), "bad_request"))
mk("method_int", "method an integer: bad_request with msgid",
   nonfatal_case(msgpack.packb([0, 9, 42, [{}]]), "bad_request", msgid=9))
mk("method_bin", "method a bin instead of str: bad_request with msgid",
   nonfatal_case(msgpack.packb([0, 9, b"auth.login", [{}]], use_bin_type=True),
                 "bad_request", msgid=9))
mk("method_long", "method name of 5000 bytes: bad_request/unknown_method with msgid",
   lambda s: _method_long(s))


def _method_long(s):
    with s.srv.client() as c:
        c.send_raw(frame([0, 12, "m" * 5000, [{}]]))
        msg = c.read_frame(timeout=5 * SLOW)
        assert msg[1] == 12 and msg[2]["code"] in ("bad_request", "unknown_method"), msg


mk("method_nul", "method with a NUL byte ('auth.login\\0x'): bad_request/unknown_method",
   lambda s: _method_weird(s, "auth.login\0x"))
mk("method_bad_utf8", "method bytes that are not UTF-8: bad_request/unknown_method",
   lambda s: _method_weird(s, None))


def _method_weird(s, name):
    with s.srv.client() as c:
        if name is None:
            body = b"\x94\x00\x0d\xa4\xff\xfe\xfd\xfc\x91\x80"     # [0, 13, <str ff fe fd fc>, [{}]]
        else:
            body = msgpack.packb([0, 13, name, [{}]])
        c.send_raw(raw_frame(body))
        msg = c.read_frame(timeout=5 * SLOW)
        assert msg[1] == 13 and msg[2]["code"] in ("bad_request", "unknown_method"), msg
        expect_error("unauthenticated", c.auth_resume, "y" * 64)


mk("params_map", "params a map instead of [map]: bad_request with msgid",
   nonfatal_case(msgpack.packb([0, 21, "auth.login", {"login": "a"}]), "bad_request", 21))
mk("params_empty", "params []: bad_request with msgid",
   nonfatal_case(msgpack.packb([0, 22, "auth.login", []]), "bad_request", 22))
mk("params_two_maps", "params [{}, {}]: bad_request with msgid",
   nonfatal_case(msgpack.packb([0, 23, "auth.login", [{}, {}]]), "bad_request", 23))
mk("params_int", "params [1]: bad_request with msgid",
   nonfatal_case(msgpack.packb([0, 24, "auth.login", [1]]), "bad_request", 24))
mk("unknown_method", "unknown method: unknown_method with msgid, connection stays",
   nonfatal_case(msgpack.packb([0, 31, "admin.shutdown", [{}]]), "unknown_method", 31))
mk("map_int_keys", "params map with integer keys: invalid_params/bad_request with msgid",
   lambda s: _int_keys(s))


def _int_keys(s):
    with s.srv.client() as c:
        c.send_raw(raw_frame(b"\x94\x00\x20\xaaauth.login\x91\x81\x01\x02"))
        msg = c.read_frame(timeout=5 * SLOW)
        assert msg[1] == 32 and msg[2]["code"] in ("invalid_params", "bad_request"), msg


@case
def too_large_values(s):
    """str of 70000 bytes, array of 10001, nesting 20 (with a session: above max-frame-unauth): too_large (connection stays or closes cleanly)"""
    deep = "x"
    for _ in range(20):
        deep = [deep]
    for body in ([0, 41, "auth.login", [{"login": "x" * 70000, "password": "y"}]],
                 [0, 42, "auth.login", [{"login": list(range(10001)), "password": "y"}]],
                 [0, 43, "auth.login", [{"login": deep, "password": "y"}]]):
        with as_user(s, CTX["u1"]) as u:
            u.send_raw(frame(body))
            msg = u.read_frame(5 * SLOW)
            assert msg[0] == 1 and msg[2]["code"] == "too_large", (body[1], msg)
            assert msg[1] in (0, body[1]), msg


@case
def max_frame_exactly(s):
    """a frame of exactly max-frame bytes (with a session) is read (too_large/invalid_params for the value), not a framing error"""
    body = msgpack.packb([0, 7, "auth.login", [{"login": "x" * 10, "password": "y"}]])
    pad = MAX_FRAME - len(body) + 10
    body = msgpack.packb([0, 7, "auth.login", [{"login": "x" * pad, "password": "y"}]])
    body = msgpack.packb([0, 7, "auth.login", [{"login": "x" * (pad + MAX_FRAME - len(body)),
                                                "password": "y"}]])
    assert len(body) == MAX_FRAME
    with as_user(s, CTX["u1"]) as u:
        u.send_raw(raw_frame(body))
        msg = u.read_frame(10 * SLOW)
        assert msg[0] == 1 and msg[2]["code"] in ("too_large", "invalid_params"), msg


# ---------------------------------------------------------------- params

@case
def wrong_types(s):
    """wrong param types (int id, bin password, nil profile, list token): invalid_params naming the field"""
    u = as_user(s, CTX["u1"])
    with u:
        expect_error("invalid_params", u.call, "mentee.get", {"id": 123456789012345678}, field="id")
        expect_error("invalid_params", u.call, "mentee.get", {"id": None}, field="id")
        expect_error("invalid_params", u.call, "mentee.put", {"profile": None}, field="profile")
        expect_error("invalid_params", u.call, "mentee.put", {"profile": "a string"}, field="profile")
        expect_error("invalid_params", u.call, "mentee.put", {"profile": CTX["m1"], "if_version": -5},
                     field="if_version")
        expect_error("invalid_params", u.call, "mentee.put", {"profile": CTX["m1"], "if_version": "1"},
                     field="if_version")
    with s.srv.client() as c:
        expect_error("invalid_params", c.call, "auth.login", {"login": "a", "password": b"bin"},
                     field="password")
        expect_error("invalid_params", c.call, "auth.resume", {"token": ["a"]}, field="token")


@case
def unknown_and_missing_keys(s):
    """unknown params key and missing required key: invalid_params naming them"""
    with s.srv.client() as c:
        expect_error("invalid_params", c.call, "auth.login",
                     {"login": "a", "password": "b", "admin": True}, field="admin")
        expect_error("invalid_params", c.call, "auth.login", {"password": "b"}, field="login")


@case
def invalid_utf8_values(s):
    """a login that is not UTF-8, an id with a NUL: invalid_params"""
    with s.srv.client() as c:
        body = b"\x94\x00\x33\xaaauth.login\x91\x82\xa5login\xa3\xff\xfe\xfd\xa8password\xa1x"
        c.send_raw(raw_frame(body))
        msg = c.read_frame(timeout=5 * SLOW)
        assert msg[1] == 0x33 and msg[2]["code"] == "invalid_params", msg
    u = as_user(s, CTX["u1"])
    with u:
        expect_error("invalid_params", u.call, "mentee.get", {"id": CTX["m1"]["id"] + "\0"}, field="id")


@case
def profile_abuse(s):
    """a profile with 33 competencies, availability 2^40, a 100 KB goals: invalid_params/too_large"""
    u = as_user(s, CTX["u1"])
    with u:
        m = dict(CTX["m1"])
        m["competencies"] = [dict(code="M.%d" % i, current=1, required=3) for i in range(33)]
        expect_error("invalid_params", u.mentee_put, m, field="competencies")
        m = dict(CTX["m1"], availability=1 << 40)
        expect_error("invalid_params", u.mentee_put, m, field="availability")
        m = dict(CTX["m1"], goals="g" * 60000)
        e = expect_error("invalid_params", u.mentee_put, m)
        assert "goals" in str(e.field), e
        # the stored profile is unchanged
        assert u.mentee_get(CTX["m1"]["id"])["profile"]["goals"] == CTX["m1"]["goals"]


# ------------------------------------------------------------ auth, roles

@case
def unauthenticated_calls(s):
    """every protected method without a session: unauthenticated (mentee.get, put, list, user.create, match.*)"""
    with s.srv.client() as c:
        for method, params in (("mentee.get", {"id": CTX["m1"]["id"]}),
                               ("mentee.put", {"profile": CTX["m1"]}),
                               ("mentee.list", {}), ("coach.list", {}),
                               ("user.create", {"login": "x", "password": "y" * 12, "role": "admin"}),
                               ("user.disable", {"login": "admin"}),
                               ("match.suggest", {"mentee_id": CTX["m1"]["id"]}),
                               ("match.run", {"program": CTX["prog"]}),
                               ("auth.logout", {})):
            expect_error("unauthenticated", c.call, method, params)


@case
def bogus_tokens(s):
    """auth.resume with random, empty-ish and 60 KB tokens (the last from a session: above max-frame-unauth): unauthenticated/invalid_params, never a session"""
    with s.srv.client() as c:
        expect_error("unauthenticated", c.auth_resume, os.urandom(32).hex())
        e = expect_error("invalid_params", c.call, "auth.resume", {"token": ""})
        assert e.field == "token", e
        expect_error("unauthenticated", c.call, "mentee.get", {"id": CTX["m1"]["id"]})
    with as_user(s, CTX["u1"]) as u:
        try:
            u.call("auth.resume", {"token": "t" * 60000})
            raise AssertionError("a 60 KB token was accepted")
        except CoachnetError as e2:
            assert e2.code in ("invalid_params", "unauthenticated"), e2


@case
def wrong_passwords(s):
    """wrong password and unknown login give the same unauthenticated error (no user enumeration)"""
    with s.srv.client() as c:
        e1 = expect_error("unauthenticated", c.auth_login, CTX["u2"], "wrong-password")
        e2 = expect_error("unauthenticated", c.auth_login, "no-such-user-" + os.urandom(4).hex(), "x")
        assert e1.message == e2.message, (e1, e2)


@case
def login_flood(s):
    """more than login-attempts-per-minute logins of one name: rate_limited, others unaffected"""
    victim = s.uniq("victim")
    with s.srv.admin() as adm:   # fresh: a cached one may have met the idle timeout
        adm.user_create(victim, s.PASSWORD, "coordinator", programs=[CTX["prog2"]])
    with s.srv.client() as c:
        codes = []
        for i in range(LOGIN_LIMIT + 3):
            try:
                c.auth_login(victim, "wrong-%d" % i)
                codes.append("ok")
            except CoachnetError as e:
                codes.append(e.code)
        assert codes[0] == "unauthenticated" and codes[-1] == "rate_limited", codes
        expect_error("rate_limited", c.auth_login, victim, s.PASSWORD)


@case
def login_flood_many_names(s):
    """400 pipelined logins of unknown random names on 40 connections (the per-name limit does not
    slow them, the per-address one is off here; each costs an Argon2id): each answered
    unauthenticated, or rate_limited when more than 256 wait for a hash thread; the event loop
    never runs a hash, so the canary is served meanwhile"""
    # Each connection sends as soon as it is up: opening 40 TLS connections
    # on a loaded machine can take longer than this suite's idle-timeout-ms,
    # which would close the first ones before they sent anything.
    clients = []
    try:
        for _ in range(40):
            c = s.srv.client()
            clients.append(c)
            c.send_raw(b"".join(req(100 + i, "auth.login", {"login": "nobody-" + os.urandom(6).hex(),
                                                            "password": "Not-the-password-1"})
                                for i in range(10)))
        codes = {}
        for c in clients:
            seen = set()
            while len(seen) < 10:
                msg = c.read_frame(timeout=60 * SLOW)
                assert msg[0] == 1 and 100 <= msg[1] < 110 and msg[1] not in seen, msg[:2]
                seen.add(msg[1])
                assert msg[2] is not None and msg[3] is None, msg
                codes[msg[2]["code"]] = codes.get(msg[2]["code"], 0) + 1
        assert set(codes) <= {"unauthenticated", "rate_limited"} and codes.get("unauthenticated", 0) > 0, codes
        print("#   login flood: %s" % codes, flush=True)
        # the server still logs in a real user at once
        with s.srv.login(harness.ADMIN_LOGIN, harness.ADMIN_PASSWORD):
            pass
    finally:
        for c in clients:
            c.close()


@case
def other_users_ids(s):
    """a mentee reading/writing another mentee's profile: forbidden; the victim's profile unchanged"""
    u = as_user(s, CTX["u1"])
    with u:
        expect_error("forbidden", u.mentee_get, CTX["m2"]["id"])
        expect_error("forbidden", u.mentee_get, CTX["m3"]["id"])
        evil = dict(CTX["m2"], goals="pwned")
        expect_error("forbidden", u.mentee_put, evil)
        # taking over an id nobody has yet is not allowed either
        expect_error("forbidden", u.mentee_put, s.gen.mentee(CTX["prog"]))
    u2 = as_user(s, CTX["u2"])
    with u2:
        assert u2.mentee_get(CTX["m2"]["id"])["profile"]["goals"] == CTX["m2"]["goals"]


@case
def role_escalation(s):
    """a mentee calling coordinator/admin methods (user.create admin, list, disable): forbidden"""
    u = as_user(s, CTX["u1"])
    with u:
        expect_error("forbidden", u.user_create, "evil-" + os.urandom(3).hex(), "Pa55word-123456", "admin")
        expect_error("forbidden", u.user_disable, "admin")
        expect_error("forbidden", u.mentee_list, CTX["prog"])
        expect_error("forbidden", u.coach_list, CTX["prog"])


@case
def coordinator_out_of_scope(s):
    """a coordinator of program B reading/writing a mentee of program A: forbidden"""
    c2 = as_user(s, CTX["coord2"])
    with c2:
        expect_error("forbidden", c2.mentee_get, CTX["m1"]["id"])
        expect_error("forbidden", c2.mentee_put, dict(CTX["m1"], program=CTX["prog2"]))
        expect_error("forbidden", c2.mentee_list, CTX["prog"])
        expect_error("forbidden", c2.user_create, "evil2-" + os.urandom(3).hex(), "Pa55word-123456",
                     "coordinator", programs=[CTX["prog"]])


@case
def session_after_logout(s):
    """after auth.logout the connection and the token are unauthenticated"""
    u = as_user(s, CTX["u2"])
    with u:
        tok = u.token
        u.auth_logout()
        expect_error("unauthenticated", u.mentee_get, CTX["m2"]["id"])
        expect_error("unauthenticated", u.auth_resume, tok)


# ---------------------------------------------------------------- floods

@case
def flood_pipelined(s):
    """1000 pipelined requests (max-inflight 8): every one answered with its msgid, connection stays"""
    u = as_user(s, CTX["u1"])
    with u:
        data = b"".join(req(1000 + i, "mentee.get", {"id": CTX["m1"]["id"] if i % 2 else CTX["m2"]["id"]})
                        for i in range(1000))
        u.send_raw(data)
        seen = {}
        while len(seen) < 1000:
            msg = u.read_frame(timeout=20 * SLOW)
            assert msg[0] == 1 and 1000 <= msg[1] < 2000 and msg[1] not in seen, msg[:2]
            seen[msg[1]] = msg
        for i, msg in seen.items():
            if (i - 1000) % 2:
                assert msg[2] is None and msg[3]["profile"]["id"] == CTX["m1"]["id"], msg
            else:
                assert msg[2]["code"] == "forbidden", msg
        assert u.mentee_get(CTX["m1"]["id"])


@case
def flood_tiny_frames(s):
    """5000 one-byte frames (nil) in one write: 5000 bad_request answers, connection stays"""
    with s.srv.client() as c:
        c.send_raw(raw_frame(b"\xc0") * 5000)
        for _ in range(5000):
            msg = c.read_frame(timeout=20 * SLOW)
            assert msg[0] == 1 and msg[2]["code"] == "bad_request", msg
        expect_error("unauthenticated", c.auth_resume, "z" * 64)


@case
def flood_never_reading(s):
    """a client that pipelines requests and never reads: closed by max-output (or the input bound)"""
    u = as_user(s, CTX["u1"])
    # (No tiny SO_RCVBUF here: shrinking it after connect on loopback's 64 KiB
    # MSS makes TCP stall in zero-window probing with a backoff of tens of
    # seconds, which hides when the server closes.  The kernel's buffers
    # just take a few MB more before max-output trips.)
    sock = u.sock
    chunk = b"".join(req(i + 1, "mentee.get", {"id": CTX["m1"]["id"]}) for i in range(200))
    log = s.srv.log
    mark = len(log.read_text(errors="replace"))

    def logged():
        # Either limit may trip first: its unread responses pass max-output,
        # or (the server keeps reading) its unprocessed requests pass the
        # input bound of 2 x max-frame.
        text = log.read_text(errors="replace")[mark:]
        return "max-output" in text or "unprocessed input" in text
    # Keep sending without ever reading until the server says it closed us;
    # reading would let it flush.  A blocking sendall on its own thread: a
    # send timeout in the middle of a TLS record would lose track of how
    # much of a frame went out and corrupt the stream.
    state = {"sent": 0, "error": None}
    stop = threading.Event()

    def flood():
        sock.settimeout(None)
        try:
            while not stop.is_set():
                sock.sendall(chunk)
                state["sent"] += 200
        except (ConnectionError, ssl.SSLError, OSError, ValueError) as e:
            state["error"] = e
    th = threading.Thread(target=flood, daemon=True)
    th.start()
    try:
        harness.wait_until(logged, 60 * SLOW, interval=0.2,
                           what="coachnetd to log the max-output/input-bound close")
    finally:
        stop.set()
    th.join(15 * SLOW)
    assert not th.is_alive(), "the sender is still blocked %.0fs after the logged close (%d sent)" % (
        15 * SLOW, state["sent"])
    # And the connection really is gone: reading now reaches EOF.
    try:
        sock.settimeout(10 * SLOW)
        while sock.recv(1 << 20):
            pass
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    except socket.timeout:
        raise AssertionError("the connection is still open after the logged close")
    finally:
        u._broken()


@case
def many_connections_churn(s):
    """300 connections opened and dropped (some mid-frame, some with RST): server unaffected"""
    for i in range(300):
        t = hl.tls_raw(s.srv)
        if i % 3 == 0:
            t.sendall(req(1, "auth.resume", {"token": "q" * 40})[:7])   # mid-frame
        elif i % 3 == 1:
            t.sendall(req(1, "auth.resume", {"token": "q" * 40}))       # answer to a gone peer
        if i % 2:
            t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
        t.close()
    fds = hl.open_fds(s.srv.proc.pid)
    harness.wait_until(lambda: hl.open_fds(s.srv.proc.pid) < 100, 10 * SLOW,
                       what="coachnetd to close the dropped connections (fds %d)" % fds)


# --------------------------------------------------------- slow senders

@case
def half_open_no_bytes(s):
    """TCP connect and send nothing: closed after handshake-timeout-ms"""
    with hl.tcp_raw(s.srv.port) as t:
        dt = wait_closed(t, HS_MS / 1000.0 + 3 * SLOW)
        assert dt >= HS_MS / 1000.0 * 0.8, "closed too early (%.2fs)" % dt


@case
def half_open_partial_hello(s):
    """half a ClientHello then silence: closed after handshake-timeout-ms"""
    hello = hl.client_hello_bytes(s.env.certs.ca)
    with hl.tcp_raw(s.srv.port) as t:
        t.sendall(hello[:len(hello) // 2])
        wait_closed(t, HS_MS / 1000.0 + 3 * SLOW)


@case
def half_open_hundreds(s):
    """200 half-open handshakes at once: the canary is served meanwhile, all closed after the timeout"""
    hello = hl.client_hello_bytes(s.env.certs.ca)
    socks = []
    try:
        for i in range(200):
            t = hl.tcp_raw(s.srv.port)
            if i % 2:
                t.sendall(hello[:20])
            socks.append(t)
        CTX["canary"].check()
        for t in socks:
            wait_closed(t, HS_MS / 1000.0 + 5 * SLOW)
    finally:
        for t in socks:
            t.close()


@case
def slowloris_handshake(s):
    """a ClientHello trickled one byte per handshake-timeout/3: closed by the handshake deadline"""
    # Each byte arrives well within the timeout, so a timer reset by every
    # read never fires; the handshake timeout must be a deadline.
    # SERVER NOTE: if this fails, coachnetd (server/srv.c accept_cb) arms
    # handshake-timeout-ms as a bufferevent read timeout, which libevent
    # re-arms on every read, so one byte per second holds a connection in
    # HANDSHAKE forever (10,000 such sockets exhaust maxclients).  Fix: a
    # one-shot event timer per connection armed at accept and cancelled on
    # BEV_EVENT_CONNECTED (or an absolute deadline checked in the callback).
    hello = hl.client_hello_bytes(s.env.certs.ca)
    step = HS_MS / 1000.0 / 3
    with hl.tcp_raw(s.srv.port) as t:
        t0 = time.monotonic()
        for b in hello:
            try:
                t.sendall(bytes([b]))
            except (ConnectionError, OSError):
                break
            t.settimeout(step)
            try:
                if t.recv(4096) == b"":
                    break
            except socket.timeout:
                pass
            except (ConnectionError, OSError):
                break
            if time.monotonic() - t0 > 3 * HS_MS / 1000.0 + 2:
                raise AssertionError("a trickled handshake was still open after %.1fs "
                                     "(handshake-timeout-ms %d)" % (time.monotonic() - t0, HS_MS))
        dt = time.monotonic() - t0
        assert dt <= 2 * HS_MS / 1000.0 + 1 * SLOW, "closed only after %.1fs" % dt


@case
def slowloris_frame(s):
    """a request trickled one byte per idle-timeout/3 after the handshake: closed by the idle deadline"""
    # SERVER NOTE: if this fails, coachnetd resets its idle timer on every
    # byte read (bufferevent read timeout), so a sender that trickles a frame
    # holds the connection and its buffered partial frame forever.  Fix in
    # server/srv.c process_input(): when a frame is incomplete, remember when
    # its first byte arrived and close the connection (as for idle) once
    # idle-timeout-ms (or a separate frame-timeout) passes without the frame
    # completing; only a complete frame counts as activity.
    data = req(9, "auth.resume", {"token": "w" * 200})
    step = IDLE_MS / 1000.0 / 3
    with hl.tls_raw(s.srv) as t:
        t0 = time.monotonic()
        closed = False
        for b in data:
            try:
                t.sendall(bytes([b]))
            except (ConnectionError, ssl.SSLError, OSError):
                closed = True
                break
            t.settimeout(step)
            try:
                if t.recv(4096) == b"":
                    closed = True
                    break
            except socket.timeout:
                pass
            except (ConnectionError, ssl.SSLError, OSError):
                closed = True
                break
            if time.monotonic() - t0 > 3 * IDLE_MS / 1000.0 + 2:
                break
        dt = time.monotonic() - t0
        assert closed, "a trickled frame kept the connection open %.1fs (idle-timeout-ms %d)" % (dt, IDLE_MS)
        assert dt <= 2 * IDLE_MS / 1000.0 + 1 * SLOW, "closed only after %.1fs" % dt


@case
def idle_after_handshake(s):
    """TLS done, then silence: closed after idle-timeout-ms"""
    with hl.tls_raw(s.srv) as t:
        dt = wait_closed(t, IDLE_MS / 1000.0 + 3 * SLOW)
        assert dt >= IDLE_MS / 1000.0 * 0.8, "closed too early (%.2fs)" % dt


@case
def partial_header_then_silence(s):
    """lying length: 2 bytes of a header (or a header and half a body) then silence: closed by the idle timeout"""
    with hl.tls_raw(s.srv) as t1, hl.tls_raw(s.srv) as t2:
        t1.sendall(b"\x00\x00")
        d = req(3, "auth.resume", {"token": "x" * 100})
        t2.sendall(d[:len(d) // 2])
        wait_closed(t1, IDLE_MS / 1000.0 + 3 * SLOW)
        wait_closed(t2, IDLE_MS / 1000.0 + 3 * SLOW)


@case
def reader_stalls_mid_response(s):
    """50 pipelined reads, then the answers are read slowly: all arrive intact"""
    u = as_user(s, CTX["u1"])
    with u:
        u.send_raw(b"".join(req(70 + i, "mentee.get", {"id": CTX["m1"]["id"]}) for i in range(50)))
        got = 0
        while got < 50:
            msg = u.read_frame(timeout=10 * SLOW)
            assert msg[0] == 1 and msg[2] is None, msg
            got += 1
            if got % 10 == 0:
                time.sleep(0.2)


@suite.test
def teardown(s):
    """the canary was answered throughout, never with an error"""
    c = CTX.pop("canary", None)
    assert c is not None, "setup failed"
    c.check()
    c.stop()
    assert c.total_ok > 50, "canary answered only %d times" % c.total_ok
    print("# canary answered %d requests during the suite" % c.total_ok)


if __name__ == "__main__":
    harness.main(suite)
