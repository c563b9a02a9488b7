#!/usr/bin/python3
"""Tests of the Python client (clients/python/coachnet.py) against a real
coachnetd: connect, login, resume, logout, errors as exceptions, pipelining,
timeouts, paging, connection loss."""

import time

from harness import (Suite, main, expect_error, coachnet, Client, CoachnetError, SLOW,
                     free_port, run_and_wait, run_matches, find_match, server_date)

suite = Suite("client")
t = suite.test


@t
def login_returns_token_role_and_expiry(s):
    """auth.login as admin: token, role admin, expires_in > 0; client keeps them"""
    with s.srv.client() as c:
        r = c.auth_login("admin", "admin-Pa55word!")
        assert isinstance(r["token"], str) and len(r["token"]) >= 32, r
        assert r["role"] == "admin", r
        assert isinstance(r["expires_in"], int) and r["expires_in"] > 0, r
        assert c.token == r["token"] and c.role == "admin"


@t
def bad_password_raises_unauthenticated(s):
    """wrong password and unknown login raise CoachnetError(unauthenticated)"""
    with s.srv.client() as c:
        e = expect_error("unauthenticated", c.auth_login, "admin", "wrong")
        assert isinstance(e, coachnet.ClientError) and e.message, e
        expect_error("unauthenticated", c.auth_login, "nobody-here", "wrong")
        assert c.token is None


@t
def call_before_login_is_unauthenticated(s):
    """a method other than auth.* before login raises unauthenticated"""
    with s.srv.client() as c:
        expect_error("unauthenticated", c.mentee_get, s.gen.nip())


@t
def put_get_round_trip(s):
    """mentee_put then mentee_get returns the same profile and version"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        r = coord.mentee_put(m)
        assert r["id"] == m["id"] and isinstance(r["version"], int), r
        g = coord.mentee_get(m["id"])
        assert g["version"] == r["version"], (g, r)
        for k, v in m.items():
            assert g["profile"][k] == v, "field %s: sent %r got %r" % (k, v, g["profile"][k])


@t
def error_carries_code_message_field(s):
    """invalid profile -> CoachnetError with code, message and the field path"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        m["competencies"][1]["required"] = 9
        e = expect_error("invalid_params", coord.mentee_put, m, field="competencies")
        assert "required" in e.field, e
        assert e.method == "mentee.put" and e.msgid is not None and e.message, vars(e)
        # the connection stays usable
        assert coord.mentee_put(s.gen.mentee(prog))["version"] >= 1


@t
def pipelined_requests_collected_in_any_order(s):
    """send 20 requests before reading; wait() for them in reverse order"""
    coord, prog = s.coordinator()
    with coord:
        ms = [s.gen.mentee(prog) for _ in range(10)]
        ids = [coord.send("mentee.put", {"profile": m}) for m in ms]
        assert len(set(ids)) == 10
        for i in reversed(range(10)):
            assert coord.wait(ids[i])["id"] == ms[i]["id"]
        gets = [coord.send("mentee.get", {"id": m["id"]}) for m in ms]
        bad = coord.send("mentee.get", {"id": s.gen.nip()})
        results = {}
        for i in reversed(range(10)):
            results[i] = coord.wait(gets[i])
        for i, m in enumerate(ms):
            assert results[i]["profile"]["name"] == m["name"]
        expect_error("not_found", coord.wait, bad)
        assert sorted(coord.arrival[-11:]) == sorted(gets + [bad])


@t
def responses_arrive_out_of_order(s):
    """a slow request (login: Redis + password hash) is overtaken by fast ones sent after it"""
    with s.srv.client() as c:
        slow = c.send("auth.login", {"login": "admin", "password": "admin-Pa55word!"})
        fast = [c.send("auth.login", {"login": "admin"}),           # invalid_params, no I/O
                c.send("no.such.method", {}),                        # unknown_method
                c.send("auth.resume", {"token": 5})]                 # invalid_params
        assert c.wait(slow)["role"] == "admin"
        for i in fast:
            try:
                c.wait(i)
            except CoachnetError:
                pass
        order = c.arrival[-4:]
        assert sorted(order) == sorted([slow] + fast), order
        assert order[0] != slow, \
            "responses came in request order %s: the slow login held back the fast errors" % order


@t
def send_window_keeps_bulk_pipelines_safe(s):
    """with the default max_inflight window, 5000 pipelined puts never run more than 64 ahead and all succeed"""
    coord, prog = s.coordinator()
    with coord:
        peak = 0
        for _ in range(5000):
            coord.send("mentee.put", {"profile": s.gen.mentee(prog, goals="g" * 600)})
            peak = max(peak, len(coord._pending))
        results = coord.wait_all(timeout=60 * SLOW)
        assert len(results) == 5000 and all("version" in r for r in results)
        assert peak <= 64, peak


@t
def pipeline_helper_returns_errors_inline(s):
    """Client.pipeline() returns results and CoachnetError objects in call order"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        out = coord.pipeline([("mentee.put", {"profile": m}),
                              ("mentee.get", {"id": s.gen.nip()}),
                              ("mentee.get", {"id": m["id"]}),
                              ("no.such.method", {})])
        assert out[0]["id"] == m["id"], out
        assert isinstance(out[1], CoachnetError) and out[1].code == "not_found", out
        assert out[2]["profile"]["id"] == m["id"], out
        assert isinstance(out[3], CoachnetError) and out[3].code == "unknown_method", out


@t
def wait_times_out(s):
    """waiting for a msgid never sent raises Timeout after the timeout"""
    with s.srv.client() as c:
        t0 = time.monotonic()
        try:
            c.wait(424242, timeout=0.5)
        except coachnet.Timeout:
            pass
        else:
            raise AssertionError("no Timeout")
        dt = time.monotonic() - t0
        assert 0.45 <= dt < 3, dt
        # still usable afterwards
        expect_error("unauthenticated", c.auth_login, "admin", "nope")


@t
def resume_on_new_connection_and_logout(s):
    """auth_resume with the token on a new connection; logout invalidates it"""
    coord, prog = s.coordinator()
    token = coord.token
    with s.srv.client() as c2:
        r = c2.auth_resume(token)
        assert r["role"] == "coordinator" and r["login"].startswith("coord"), r
        m = s.gen.mentee(prog)
        assert c2.mentee_put(m)["id"] == m["id"]
    coord.auth_logout()
    assert coord.token is None
    expect_error("unauthenticated", coord.mentee_get, m["id"])
    with s.srv.client() as c3:
        expect_error("unauthenticated", c3.auth_resume, token)
    coord.close()


@t
def reconnect_resumes_after_server_restart(s):
    """after coachnetd restarts, reconnect() connects again and resumes the session"""
    coord, prog = s.coordinator()
    m = s.gen.mentee(prog)
    coord.mentee_put(m)
    s.srv.restart()
    try:
        coord.mentee_get(m["id"])
        raise AssertionError("old connection still works after a server restart")
    except coachnet.ConnectionClosed:
        pass
    r = coord.reconnect()
    assert r["role"] == "coordinator", r
    assert coord.mentee_get(m["id"])["profile"]["id"] == m["id"]
    s._admin = None
    coord.close()


class ScriptedServer:
    """A plaintext msgpack-RPC server on a unix socket for auto_reconnect:
    it answers every request {"ok": method} (auth.resume: a coordinator's
    session) except those whose method is in ``drops``: each such entry,
    consumed once, closes the connection instead of answering; a method in
    ``silent`` is never answered.  ``seen`` has one list of (method, params)
    per connection."""

    def __init__(self, path, drops, silent=()):
        import socket
        import threading
        self.drops = list(drops)
        self.silent = set(silent)
        self.seen = []
        self.ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ls.bind(str(path))
        self.ls.listen(8)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        import msgpack
        import struct
        while True:
            try:
                conn, _ = self.ls.accept()
            except OSError:
                return
            seen = []
            self.seen.append(seen)
            buf = b""
            with conn:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    buf += data
                    dropped = False
                    while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">I", buf[:4])[0]:
                        n = struct.unpack(">I", buf[:4])[0]
                        _, msgid, method, params = msgpack.unpackb(buf[4:4 + n], raw=False)
                        buf = buf[4 + n:]
                        seen.append((method, params[0]))
                        if method in self.drops:
                            self.drops.remove(method)
                            dropped = True
                            break
                        if method in self.silent:
                            continue
                        result = {"role": "coordinator", "login": "c"} if method == "auth.resume" else {"ok": method}
                        conn.sendall(coachnet.pack_frame([1, msgid, None, result]))
                    if dropped:
                        break

    def close(self):
        self.ls.close()


@t
def auto_reconnect_repeats_only_what_is_safe(s):
    """auto_reconnect: a read and a write with request_id are repeated after auth.resume on a new connection; a write without one raises ConnectionClosed, is not repeated, and the connection is back"""
    fake = ScriptedServer(s.env.dir / "scripted.sock", drops=["mentee.get", "mentee.put", "mentee.put"])
    c = Client(unix_path=str(s.env.dir / "scripted.sock"), auto_reconnect=True, timeout=10 * SLOW)
    try:
        c.token = "T"   # as after a login: reconnecting resumes this session
        assert c.call("mentee.get", {"id": "x"}) == {"ok": "mentee.get"}
        assert c.reconnects == 1 and [m for m, _ in fake.seen[1]] == ["auth.resume", "mentee.get"], fake.seen
        assert fake.seen[1][0][1] == {"token": "T"}, fake.seen
        try:
            c.call("mentee.put", {"profile": {}})
            raise AssertionError("a write without request_id was repeated")
        except coachnet.ConnectionClosed:
            pass
        assert c.connected and c.reconnects == 2 and [m for m, _ in fake.seen[2]] == ["auth.resume"], fake.seen
        r = c.call("mentee.put", {"profile": {}, "request_id": "r1"})
        assert r == {"ok": "mentee.put"} and c.reconnects == 3, (r, c.reconnects)
        assert [m for m, _ in fake.seen[3]] == ["auth.resume", "mentee.put"], fake.seen
        assert fake.seen[3][1][1]["request_id"] == "r1"
        total = sum(1 for conn in fake.seen for m, _ in conn if m == "mentee.put")
        assert total == 3, fake.seen   # dropped once (not repeated), dropped and repeated once
    finally:
        c.close()
        fake.close()


@t
def auto_reconnect_keeps_the_calls_deadline(s):
    """auto_reconnect: a reconnect whose auth.resume is never answered ends the call with Timeout at the call's deadline, not one client timeout later"""
    # Regression test (an earlier note's finding): the reconnect's connect
    # and resume each had the client's whole timeout, so a call could
    # overrun its own deadline by up to twice that.
    fake = ScriptedServer(s.env.dir / "silent.sock", drops=["mentee.get"], silent=["auth.resume"])
    c = Client(unix_path=str(s.env.dir / "silent.sock"), auto_reconnect=True, timeout=20 * SLOW)
    try:
        c.connect()
        c.token = "T"   # logged in: the reconnect resumes
        t0 = time.monotonic()
        try:
            c.call("mentee.get", {"id": "x"}, timeout=0.5)
            raise AssertionError("the call returned although auth.resume was never answered")
        except coachnet.Timeout:
            pass
        took = time.monotonic() - t0
        assert took < 10 * SLOW, "the call took %.1f s, its deadline was 0.5 s" % took
        assert [[m for m, _ in conn] for conn in fake.seen] == [["mentee.get"], ["auth.resume"]], fake.seen
    finally:
        c.close()
        fake.close()


@t
def iterate_follows_cursors(s):
    """iterate(mentee_list, limit=3) yields all 8 mentees of a program once"""
    coord, prog = s.coordinator()
    with coord:
        want = set()
        for _ in range(8):
            m = s.gen.mentee(prog)
            coord.mentee_put(m)
            want.add(m["id"])
        got = [it["id"] if "id" in it else it["profile"]["id"]
               for it in coord.iterate(coord.mentee_list, program=prog, limit=3)]
        assert len(got) == len(set(got)) == 8, got
        assert set(got) == want


@t
def server_close_raises_connection_closed(s):
    """after a bad frame the server closes: the client raises ConnectionClosed"""
    c = s.srv.client()
    c.send_raw(b"\x00\x00\x00\x03\xc1\xc1\xc1")
    err, _ = c.wait_raw(0, timeout=5 * SLOW)
    assert err["code"] == "bad_frame", err
    try:
        c.call("auth.login", {"login": "admin", "password": "x"}, timeout=5 * SLOW)
    except coachnet.ConnectionClosed:
        pass
    else:
        raise AssertionError("no ConnectionClosed")
    assert not c.connected
    c.close()


@t
def closing_error_reaches_the_caller(s):
    """a request the server refuses with msgid 0 and closes on (20 kB before login: too_large above max-frame-unauth): the caller's ConnectionClosed carries the server's code and message"""
    # Regression test (a review helper's probe): the error was filed under
    # msgid 0, which nobody waits for, and the caller got a bare "closed by
    # server" (the C client reported too_large for the same bytes).
    c = s.srv.client()
    try:
        c.call("auth.login", {"login": "admin", "password": "x" * 20000}, timeout=5 * SLOW)
    except coachnet.ConnectionClosed as e:
        assert e.code == "too_large" and "max-frame-unauth" in e.server_message, (e.code, e.server_message)
        assert "too_large" in str(e), e
    else:
        raise AssertionError("no ConnectionClosed")
    assert not c.connected
    c.close()


@t
def send_has_the_whole_timeout_after_a_short_read(s):
    """a large request sent after drain(0.001): its send has the client's timeout, not the 1 ms the read left on the socket"""
    # Regression test (a review helper's probe): the socket kept the read's
    # leftover timeout, and a send that had to wait at all raised
    # ConnectionClosed ("The write operation timed out") and dropped the
    # connection.  A small send buffer makes the send wait.
    import socket
    c = s.srv.admin()
    try:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        for _ in range(3):
            c.drain(0.001)
            try:
                c.call("mentee.get", {"id": "x" * 900000})
            except CoachnetError:
                pass        # the answer to an oversized id: the send went through
            assert c.connected
    finally:
        c.close()


@t
def malformed_msgid_is_a_protocol_error(s):
    """a response whose msgid is not an unsigned 32-bit integer, or a result with msgid 0: ProtocolError (a ClientError), and the connection is dropped"""
    # Regression test (a review helper's probe): a list msgid escaped as a
    # bare TypeError with the connection left open.
    for bad in ([7], -1, 2 ** 32, "1", True):
        c = s.srv.client()
        try:
            c._dispatch([1, bad, None, {}])
        except coachnet.ProtocolError:
            pass
        else:
            raise AssertionError("msgid %r accepted" % (bad,))
        assert not c.connected
        c.close()
    c = s.srv.client()
    try:
        c._dispatch([1, 0, None, {"n": 1}])
    except coachnet.ProtocolError:
        pass
    else:
        raise AssertionError("a result with msgid 0 accepted")
    c.close()


@t
def connect_to_closed_port_raises(s):
    """connecting to a port without listener raises ConnectionClosed"""
    try:
        Client("127.0.0.1", free_port(), ca_file=str(s.env.certs.ca), timeout=2)
    except coachnet.ConnectionClosed:
        pass
    else:
        raise AssertionError("connected to nothing")


@t
def wrong_ca_fails_verification(s):
    """a server certificate not signed by the given CA fails verification"""
    try:
        s.srv.client(ca_file=str(s.env.certs.rogue_ca))
    except coachnet.ConnectionClosed as e:
        assert "certificate" in str(e).lower() or "verify" in str(e).lower(), e
    else:
        raise AssertionError("handshake succeeded with the wrong CA")


@t
def hostname_is_checked(s):
    """server_name must match the certificate's subjectAltName"""
    with s.srv.client(server_name="localhost") as c:   # DNS SAN
        expect_error("unauthenticated", c.auth_login, "admin", "nope")
    try:
        s.srv.client(server_name="coachnet.example")
    except coachnet.ConnectionClosed:
        pass
    else:
        raise AssertionError("hostname mismatch accepted")


@t
def every_typed_method(s):
    """each typed method of the client reaches its server method with the right parameter names"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        c = s.gen.coach([prog], capacity=1)
        c2 = s.gen.coach([prog], capacity=1)
        assert coord.mentee_put(m)["id"] == m["id"]
        v = coord.coach_put(c)["version"]
        coord.coach_put(c, if_version=v)
        coord.coach_put(c2)
        assert coord.mentee_get(m["id"])["profile"]["id"] == m["id"]
        assert coord.coach_get(c["id"])["profile"]["id"] == c["id"]
        assert coord.mentee_list(program=prog, province=m["province"], limit=5)["items"]
        assert coord.coach_list(program=prog, limit=5)["items"]
        lm, lc = s.uniq("m"), s.uniq("c")
        assert coord.user_create(lm, s.PASSWORD, "mentee", subject=m["id"]) == {}
        assert coord.user_create(lc, s.PASSWORD, "coach", subject=c["id"]) == {}
        assert coord.match_suggest(m["id"], limit=5)["items"]
        assert "explain" in coord.match_explain(m["id"], c["id"])
        assert coord.match_forbid(prog, m["id"], c2["id"]) == {}
        assert coord.match_pin(prog, m["id"], c["id"]) == {}
        run_id, done, _ = run_and_wait(coord, prog, policy={"objective": "quality"})
        mt = find_match(run_matches(coord, run_id), m["id"], c["id"])
        assert coord.match_list(program=prog, status="proposed", min_score=0, limit=10)["items"]
        res = coord.match_review([mt["id"]], "approve", note="ok")
        assert res["results"][0]["status"] == "approved", res
        mu, cu = s.srv.login(lm, s.PASSWORD), s.srv.login(lc, s.PASSWORD)
        with mu, cu:
            assert mu.match_mine()["items"][0]["id"] == mt["id"]
            mu.match_respond(mt["id"], True, note="siap")
            assert cu.match_respond(mt["id"], accept=True)["match"]["status"] == "accepted"
            r = cu.meeting_log(mt["id"], server_date(), 45, topic="Perkenalan")
            assert r["jp_total"] == 1, r
            assert mu.feedback_put(mt["id"], 5, comment="bagus") == {}
        m2 = s.gen.mentee(prog)
        coord.mentee_put(m2)
        with s.subject_user(coord, "mentee", m2["id"]) as mu2:
            assert mu2.match_request(c2["id"])["match"]["status"] == "requested"
        assert coord.stats_get(prog)["jp_total"] == 1
        assert s.admin().user_disable(lm) == {}
        with s.srv.client() as u:
            expect_error("unauthenticated", u.auth_login, lm, s.PASSWORD)


@t
def notifications_to_callback(s):
    """run.progress/run.done reach an on_notification callback"""
    got = []
    coord, prog = s.coordinator()
    coord.on_notification = got.append
    with coord:
        for _ in range(3):
            coord.mentee_put(s.gen.mentee(prog))
        coord.coach_put(s.gen.coach([prog], capacity=3))
        run_id = coord.match_run(prog)["run_id"]
        deadline = time.monotonic() + 30 * SLOW
        while not any(n.method == "run.done" for n in got) and time.monotonic() < deadline:
            try:
                coord.pump(0.5)
            except coachnet.Timeout:
                pass
        done = [n for n in got if n.method == "run.done"]
        assert done, "no run.done; got %r" % (got,)
        assert done[0].params["run_id"] == run_id, done[0]
        assert not coord.notifications, "callback set, yet queued"


if __name__ == "__main__":
    main(suite)
