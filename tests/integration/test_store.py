#!/usr/bin/python3
"""What coachnetd leaves in Redis (DESIGN sections 6 and 7, key schema of
docs/operations.md): tokens stored only as sha256 with a TTL, salted password
hashes, writes visible in Redis once acknowledged, an audit stream, the
configurable key prefix, session expiry."""

import hashlib
import socket
import time

from harness import (Suite, main, expect_error, CoachnetError, SLOW, wait_until, scan_keys)

suite = Suite("store")
t = suite.test
P = "cn:"


all_keys = scan_keys


def values_of(redis, key):
    """Every byte string held by key (whatever its type)."""
    typ = redis.cmd("TYPE", key)
    if typ == "string":
        return [redis.cmd("GET", key)]
    if typ == "hash":
        return redis.cmd("HGETALL", key)
    if typ == "set":
        return redis.cmd("SMEMBERS", key)
    if typ == "zset":
        return redis.cmd("ZRANGE", key, 0, -1)
    if typ == "list":
        return redis.cmd("LRANGE", key, 0, -1)
    if typ == "stream":
        out = []
        for _id, fields in redis.cmd("XRANGE", key, "-", "+"):
            out += fields
        return out
    return []


@t
def redis_runs_with_aof(s):
    """the test Redis has AOF on with appendfsync always (the harness' contract)"""
    assert s.env.redis.cmd("CONFIG", "GET", "appendonly")[1] == b"yes"
    assert s.env.redis.cmd("CONFIG", "GET", "appendfsync")[1] == b"always"


@t
def token_stored_only_as_sha256_with_ttl(s):
    """auth.login: tok:<sha256(token)> holds the login with a TTL <= token-ttl; the token itself is nowhere in Redis"""
    coord, prog = s.coordinator()
    tok = coord.token
    r = s.env.redis
    key = P + "tok:" + hashlib.sha256(tok.encode()).hexdigest()
    login = r.cmd("GET", key)
    assert login is not None and login.decode().startswith("coord"), (key, login)
    ttl = r.cmd("TTL", key)
    assert 0 < ttl <= 86400, ttl
    raw = tok.encode()
    for k in all_keys(r):
        assert raw not in k, "token appears in key %r" % k
        for v in values_of(r, k):
            assert raw not in v, "token appears in the value of %r" % k
    coord.auth_logout()
    assert r.cmd("EXISTS", key) == 0, "token key left after logout"
    coord.close()


@t
def passwords_salted_hashes(s):
    """user hashes hold Argon2id of OWASP's minimum cost with per-user salt, never the password"""
    r = s.env.redis
    a = s.admin()
    l1, l2 = s.uniq("same"), s.uniq("same")
    prog = s.program()
    for login in (l1, l2):
        a.user_create(login, "Same-password-123", "coordinator", programs=[prog])
    h1 = dict(zip(*[iter(r.cmd("HGETALL", P + "user:" + l1))] * 2))
    h2 = dict(zip(*[iter(r.cmd("HGETALL", P + "user:" + l2))] * 2))
    assert h1[b"pw"].startswith(b"$argon2id$v=19$m=19456,t=2,p=1$"), h1[b"pw"]
    assert h1[b"pw"] != h2[b"pw"], "same password, same hash: no per-user salt"
    for h in (h1, h2):
        for v in h.values():
            assert b"Same-password-123" not in v


@t
def acknowledged_write_is_in_redis(s):
    """once mentee.put is answered, Redis holds that version (no write-behind)"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        for _ in range(3):
            v = coord.mentee_put(m)["version"]
            assert int(s.env.redis.cmd("HGET", P + "mentee:" + m["id"], "v")) == v


@t
def audit_stream_records_changes(s):
    """state changes append to the audit stream"""
    r = s.env.redis
    before = r.cmd("XLEN", P + "audit")
    coord, prog = s.coordinator()
    with coord:
        coord.mentee_put(s.gen.mentee(prog))
        coord.coach_put(s.gen.coach([prog]))
    after = r.cmd("XLEN", P + "audit")
    assert after >= before + 3, (before, after)    # user.create, login, two puts


@t
def key_prefix_isolates(s):
    """redis-prefix alt: keys go under alt:, and the cn: server does not see them"""
    alt = s.env.add_server(name="alt", redis_prefix="alt:")
    try:
        rc, out = alt.add_user("altadmin", "Alt-pa55word-0", "admin")
        assert rc == 0, out
        with alt.login("altadmin", "Alt-pa55word-0") as a:
            a.program_put(s.gen.program_object("ap"))
        rc, out = alt.add_user("altcoord", "Alt-pa55word-1", "coordinator", programs=["ap"])
        assert rc == 0, out
        with alt.login("altcoord", "Alt-pa55word-1") as c:
            m = s.gen.mentee("ap")
            c.mentee_put(m)
        assert s.env.redis.cmd("EXISTS", "alt:mentee:" + m["id"]) == 1
        assert s.env.redis.cmd("EXISTS", P + "mentee:" + m["id"]) == 0
        stray = [k for k in all_keys(s.env.redis) if not (k.startswith(b"alt:") or k.startswith(b"cn:"))]
        assert not stray, "keys outside the prefixes: %r" % stray[:10]
        with s.srv.client() as c:
            expect_error("unauthenticated", c.auth_login, "altcoord", "Alt-pa55word-1")
    finally:
        alt.stop()


@t
def token_ttl_expires_sessions(s):
    # Regression test for a server bug this suite found (fixed in 7f9bef0): a
    # connection bound to a session kept being served after token-ttl had
    # passed and the tok: key had expired in Redis (docs/methods.md:
    # auth.login "creates a session token valid token-ttl seconds").
    """token-ttl 10: the token key has TTL <= 10 s; once Redis expired it the session is gone"""
    short = s.env.add_server(name="shortttl", token_ttl=10)
    try:
        login = s.uniq("ttl")
        prog = s.program()
        s.admin().user_create(login, s.PASSWORD, "coordinator", programs=[prog])
        # a mentee and a coach of the program, their users on the main server
        with s.srv.login(login, s.PASSWORD) as coord:
            m, co = s.gen.mentee(prog), s.gen.coach([prog])
            coord.mentee_put(m)
            coord.coach_put(co)
            mlogin, clogin = s.uniq("ttlm"), s.uniq("ttlc")
            coord.user_create(mlogin, s.PASSWORD, "mentee", subject=m["id"])
            coord.user_create(clogin, s.PASSWORD, "coach", subject=co["id"])
        c = short.login(login, s.PASSWORD)
        mc = short.login(mlogin, s.PASSWORD)   # expires with c
        # Both tokens were made before this instant (each login's answer
        # comes after its tok: key): count token-ttl from here, not from
        # before the logins, which take a while under ASan (Argon2id).
        t0 = time.monotonic()
        assert len(c.call("mentee.list", {"program": prog})["items"]) == 1
        key = P + "tok:" + hashlib.sha256(c.token.encode()).hexdigest()
        ttl = s.env.redis.cmd("TTL", key)
        assert 0 < ttl <= 10, ttl
        # Real time must pass: the server may track expiry itself.
        time.sleep(max(0, 10.5 - (time.monotonic() - t0)))
        assert s.env.redis.cmd("EXISTS", key) == 0, "token key still in Redis after its TTL"
        with short.client() as c2:
            expect_error("unauthenticated", c2.auth_resume, c.token)
        try:
            c.call("mentee.list", {"program": prog})
            raise AssertionError("session served on its open connection %.1f s after login, "
                                 "beyond token-ttl 10 s" % (time.monotonic() - t0))
        except CoachnetError as e:
            assert e.code == "unauthenticated", e
        c.close()
        # Nor is anything pushed to it: the mentee's request reaches the
        # coach's fresh session on the same server, not the mentee's
        # expired one (both come from the same event, in one loop turn).
        with short.login(clogin, s.PASSWORD) as cc, s.srv.login(mlogin, s.PASSWORD) as mu:
            mid = mu.match_request(co["id"])["match"]["id"]
            n = cc.next_notification(timeout=5 * SLOW, method="match.updated")
            assert n.params["match"]["id"] == mid, n.params
            mc.drain(0.3)
            pushed = [x.method for x in mc.notifications]
            assert not pushed, "pushed to a session %.1f s after login, beyond token-ttl 10 s: %s" % (
                time.monotonic() - t0, pushed)
        expect_error("unauthenticated", mc.call, "match.mine", {})
        mc.close()
    finally:
        short.stop()


@t
def coach_change_published(s):
    """coach.put publishes on the events channel (the scale-out path)"""
    sub = socket.create_connection(("127.0.0.1", s.env.redis.port), 5)
    sub.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(P + "events"), (P + "events").encode()))
    sub.settimeout(5)
    data = sub.recv(4096)
    assert b"subscribe" in data, data
    coord, prog = s.coordinator()
    with coord:
        c = s.gen.coach([prog])
        coord.coach_put(c)
    got = b""

    def seen():
        nonlocal got
        got += sub.recv(65536)
        return c["id"].encode() in got
    wait_until(seen, 5 * SLOW, what="the coach id on %sevents" % P)
    sub.close()


if __name__ == "__main__":
    main(suite)
