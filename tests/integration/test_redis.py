#!/usr/bin/python3
"""Redis outages (issue 4): with Redis stopped or hung in the middle of a
test, requests get `unavailable` within the command timeout
(redis-timeout-ms), coachnetd stays up, and once Redis is back requests
succeed again without restarting coachnetd; what was acknowledged before
survives (AOF with appendfsync always)."""

import re
import socket
import subprocess
import threading
import time

from harness import (Suite, main, coachnet, CoachnetError, SLOW, ADMIN_LOGIN, ADMIN_PASSWORD,
                     REPO, wait_until, run_and_wait, run_matches, review_one)

REDIS_TIMEOUT_MS = 1500
suite = Suite("redis", redis_timeout_ms=REDIS_TIMEOUT_MS)
t = suite.test
LIMIT = REDIS_TIMEOUT_MS / 1000.0 + 1.0 * SLOW    # command timeout + slack


def timed_unavailable(fn, *args):
    t0 = time.monotonic()
    try:
        r = fn(*args)
    except CoachnetError as e:
        dt = time.monotonic() - t0
        assert e.code == "unavailable", "expected unavailable, got %s" % e
        assert dt <= LIMIT, "unavailable after %.2fs, more than redis-timeout-ms %d ms" % (
            dt, REDIS_TIMEOUT_MS)
        return dt
    except coachnet.Timeout:
        raise AssertionError("no answer at all within the client timeout")
    raise AssertionError("expected unavailable, got %r" % (r,))


def recovers(client, mentee_id, timeout=15):
    """Poll until a request succeeds again; return the seconds it took."""
    t0 = time.monotonic()

    def ok():
        try:
            return client.mentee_get(mentee_id)
        except CoachnetError as e:
            if e.code != "unavailable":
                raise
            return None
    wait_until(ok, timeout * SLOW, interval=0.2, what="requests to succeed after Redis came back")
    return time.monotonic() - t0


@t
def redis_stopped_then_back(s):
    """Redis stopped: unavailable within the command timeout; server stays up; back after restart, data kept"""
    coord, prog = s.coordinator()
    pid = s.srv.proc.pid
    with coord:
        m = s.gen.mentee(prog)
        v = coord.mentee_put(m)["version"]
        s.env.redis.stop()
        try:
            timed_unavailable(coord.mentee_get, m["id"])
            timed_unavailable(coord.mentee_put, s.gen.mentee(prog))
            timed_unavailable(coord.coach_list, prog)
            with s.srv.client() as fresh:
                timed_unavailable(fresh.auth_login, ADMIN_LOGIN, ADMIN_PASSWORD)
            # pipelined requests during the outage are all answered
            ids = [coord.send("mentee.get", {"id": m["id"]}) for _ in range(10)]
            for i in ids:
                err, _ = coord.wait_raw(i, timeout=LIMIT + 2)
                assert err and err["code"] == "unavailable", err
            assert s.srv.alive(), "coachnetd exited while Redis was down"
        finally:
            s.env.redis.start()
        recovers(coord, m["id"])
        assert s.srv.alive() and s.srv.proc.pid == pid, "coachnetd was restarted"
        g = coord.mentee_get(m["id"])
        assert g["version"] == v and g["profile"]["name"] == m["name"], g
        m2 = s.gen.mentee(prog)
        coord.mentee_put(m2)
        assert coord.mentee_get(m2["id"])["profile"]["id"] == m2["id"]


@t
def redis_hung_times_out(s):
    """Redis hung (SIGSTOP): unavailable within redis-timeout-ms; fine again after SIGCONT"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        coord.mentee_put(m)
        s.env.redis.pause()
        try:
            dt = timed_unavailable(coord.mentee_get, m["id"])
            assert dt >= REDIS_TIMEOUT_MS / 1000.0 * 0.5, \
                "unavailable after only %.2fs, before the command timeout could expire" % dt
            timed_unavailable(coord.mentee_get, m["id"])
            assert s.srv.alive()
        finally:
            s.env.redis.resume()
        recovers(coord, m["id"])
        coord.mentee_put(s.gen.mentee(prog))


@t
def sessions_survive_outage(s):
    """a session made before the outage resumes afterwards (tokens live in Redis, AOF on)"""
    coord, prog = s.coordinator()
    tok = coord.token
    coord.close()
    s.env.redis.restart()
    with s.srv.client() as c:
        def resumed():
            try:
                return c.auth_resume(tok)
            except CoachnetError as e:
                if e.code != "unavailable":
                    raise
        r = wait_until(resumed, 15 * SLOW, interval=0.2, what="auth.resume after Redis restart")
        assert r["role"] == "coordinator", r


@t
def repeated_outages(s):
    """three stop/start cycles: the server recovers every time"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        coord.mentee_put(m)
        for _ in range(3):
            s.env.redis.stop()
            timed_unavailable(coord.mentee_get, m["id"])
            s.env.redis.start()
            recovers(coord, m["id"])
        assert s.srv.alive()


def once_back(fn, *args, timeout=15):
    """fn(*args), retried while it answers unavailable: right after Redis
    came back a loaded machine may still time a command out (each such
    answer is what redis-timeout-ms promises); returns its result."""
    box = []

    def attempt():
        try:
            box.append(fn(*args))
            return True
        except CoachnetError as e:
            if e.code != "unavailable":
                raise
            return False
    wait_until(attempt, timeout * SLOW, interval=0.3, what="%s to succeed after Redis came back" % fn.__name__)
    return box[0]


@t
def run_during_outage(s):
    """match.run while Redis is down: unavailable, and a run works after it is back"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        coord.mentee_put(m)
        coord.coach_put(s.gen.coach([prog]))
        s.env.redis.stop()
        try:
            timed_unavailable(coord.match_run, prog)
        finally:
            s.env.redis.start()
        recovers(coord, m["id"])
        _, done, _ = once_back(run_and_wait, coord, prog)
        assert done["status"] == "done" and done["stats"]["matched"] == 1, done


@t
def redis_lost_during_run(s):
    """Redis stopped while a run computes: run.done says failed (not done), never hangs; runs work again afterwards"""
    coord, prog = once_back(s.coordinator)
    with coord:
        for i in range(1000):
            coord.send("mentee.put", {"profile": s.gen.mentee(prog, province=["31", "32", "73"][i % 3])})
        for i in range(100):
            coord.send("coach.put", {"profile": s.gen.coach([prog], capacity=5, level=2 + i % 4)})
        coord.wait_all(timeout=30 * SLOW)
        run_id = coord.match_run(prog)["run_id"]
        stopped_at = None
        try:
            while True:
                n = coord.next_notification(timeout=30 * SLOW)
                if n.params.get("run_id") != run_id:
                    continue
                if n.method == "run.progress" and n.params["phase"] != "snapshot" and stopped_at is None:
                    s.env.redis.stop()
                    stopped_at = n.params["phase"]
                if n.method == "run.done":
                    break
            assert stopped_at is not None, "run finished before any computing phase was reported"
            outcome = n.params["status"]
            assert s.srv.alive()
        finally:
            s.env.redis.start()
        if outcome == "done":
            # then every proposal it reports must really be stored
            wait_until(lambda: coord.mentee_list(program=prog, limit=1), 15 * SLOW, interval=0.2,
                       what="Redis back")
            stored = run_matches(coord, run_id)
            assert len(stored) == n.params["stats"]["matched"], \
                "run.done 'done' with %d matched, but %d stored (Redis was stopped in phase %s)" % (
                    n.params["stats"]["matched"], len(stored), stopped_at)
        else:
            assert outcome == "failed", n.params
        t0 = time.monotonic()

        def run_ok():
            try:
                _, done, _ = run_and_wait(coord, prog, timeout=30 * SLOW)
                return done["status"] == "done"
            except CoachnetError as e:
                if e.code in ("unavailable", "conflict"):
                    return False
                raise
        wait_until(run_ok, 25 * SLOW, interval=0.5,
                   what="a run to succeed after Redis came back (outcome before: %s)" % outcome)
        print("#   Redis stopped in phase %s; run.done %s; next run succeeded after %.1f s" % (
            stopped_at, outcome, time.monotonic() - t0))


# ------------------------------------------------------------- Lua scripts

def script_shas():
    """The SHA1 of every script coachnetd sends (scripts/embed-lua --sha)."""
    files = sorted(str(f) for f in (REPO / "server" / "lua").glob("*.lua"))
    out = subprocess.run([str(REPO / "scripts" / "embed-lua"), "--sha"] + files,
                         check=True, capture_output=True, text=True).stdout
    shas = [line.split()[0] for line in out.splitlines()]
    assert len(shas) >= 20, out
    return shas


def scripts_cached(s, shas):
    return s.env.redis.cmd("SCRIPT", "EXISTS", *shas) == [1] * len(shas)


def redis_stats(s):
    """(calls by command, count by error) from INFO commandstats and
    errorstats.  Redis 7 counts SCRIPT LOAD as "script|load"."""
    calls, errors = {}, {}
    for line in s.env.redis.cmd("INFO", "commandstats").decode().splitlines():
        m = re.match(r"cmdstat_([^:]+):calls=(\d+)", line)
        if m:
            calls[m.group(1)] = int(m.group(2))
    for line in s.env.redis.cmd("INFO", "errorstats").decode().splitlines():
        m = re.match(r"errorstat_([^:]+):count=(\d+)", line)
        if m:
            errors[m.group(1)] = int(m.group(2))
    return calls, errors


def script_loads(calls):
    return calls.get("script|load", calls.get("script", 0))


def settled_loads(s):
    """Wait until Redis' SCRIPT LOAD count has stopped changing (the same
    in two reads 0.3 s apart) and return it.  Every script can be cached
    while a round coachnetd pipelined is still being run: after a LOADING
    refusal it loads all of them again, and the refused ones may come
    early in that round.  A count taken then let the round's tail look
    like loads sent by the requests after it (a SANITIZE CI run on
    2026-12-07)."""
    seen = []

    def stable():
        seen.append(script_loads(redis_stats(s)[0]))
        return len(seen) >= 2 and seen[-1] == seen[-2]
    wait_until(stable, 15 * SLOW, interval=0.3, what="coachnetd's SCRIPT LOADs to settle")
    return seen[-1]


def scripted_requests(s):
    """Requests of most kinds that run a script (user.create, auth.login,
    profile puts and reads, lists, suggest, pin, a match run, review,
    stats); returns their coordinator's client, closed."""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        coord.mentee_put(m)
        coord.mentee_get(m["id"])
        c = s.gen.coach([prog])
        coord.coach_put(c)
        coord.coach_get(c["id"])
        coord.mentee_list(program=prog)
        coord.coach_list(program=prog)
        coord.match_suggest(m["id"])
        coord.match_pin(prog, m["id"], c["id"])
        run_id, done, _ = run_and_wait(coord, prog)
        assert done["status"] == "done" and done["stats"]["matched"] == 1, done
        review_one(coord, run_matches(coord, run_id)[0]["id"])
        coord.stats_get(prog)
    return coord


def evalsha_only(calls, errors):
    assert calls.get("evalsha", 0) >= 10, calls
    assert "eval" not in calls, "EVAL sent on the normal path: %s" % calls
    assert "NOSCRIPT" not in errors, errors


@t
def scripts_loaded_on_connect(s):
    """after a Redis restart every script is loaded before any request, and requests send EVALSHA only"""
    shas = script_shas()
    s.env.redis.restart()       # an empty script cache and fresh INFO counters
    wait_until(lambda: scripts_cached(s, shas), 15 * SLOW, interval=0.1,
               what="coachnetd to load the scripts on reconnecting, without any request")
    settled_loads(s)
    before, errors_before = redis_stats(s)
    loads = script_loads(before)
    # one round (a second, partial one if Redis answered LOADING to some)
    assert len(shas) <= loads < 2 * len(shas), "SCRIPT LOADs: %d for %d scripts" % (loads, len(shas))
    # While Redis was still LOADING, the coach index's resync may have run a
    # script whose load had been refused: NOSCRIPT, one EVAL, by design.
    # From here on, with every script cached, requests send EVALSHA only.
    scripted_requests(s)
    calls, errors = redis_stats(s)
    assert script_loads(calls) == loads, "SCRIPT LOAD sent again by requests: %s" % calls
    assert calls.get("evalsha", 0) - before.get("evalsha", 0) >= 10, calls
    assert calls.get("eval", 0) == before.get("eval", 0), "EVAL sent on the normal path: %s" % calls
    assert errors.get("NOSCRIPT", 0) == errors_before.get("NOSCRIPT", 0), errors


@t
def scripts_reloaded_after_flush(s):
    """SCRIPT FLUSH: the next request still succeeds (resent as EVAL once) and every script is loaded again"""
    shas = script_shas()
    coord, prog = s.coordinator()
    with coord:
        s.env.redis.cmd("SCRIPT", "FLUSH")
        s.env.redis.cmd("CONFIG", "RESETSTAT")
        m = s.gen.mentee(prog)
        assert coord.mentee_put(m)["version"] == 1
        # the loads went before the EVAL on the same connection.  A script
        # coachnetd runs by itself may meet the flushed cache too (the run
        # sweep deleting what an earlier test's failed run staged: seen in
        # CI, NOSCRIPT 2 and EVAL 2): each NOSCRIPT is resent once as EVAL
        calls, errors = redis_stats(s)
        assert errors.get("NOSCRIPT", 0) >= 1 and calls.get("eval", 0) == errors["NOSCRIPT"], (calls, errors)
        assert script_loads(calls) == len(shas), calls
        assert scripts_cached(s, shas)
        assert coord.mentee_get(m["id"])["version"] == 1
    s.env.redis.cmd("CONFIG", "RESETSTAT")
    scripted_requests(s)
    evalsha_only(*redis_stats(s))
    assert "redis lost the Lua scripts (NOSCRIPT)" in s.srv.log_text()


LEAKS = ("OOM", "maxmemory", "script", "user_script", "ERR", "@")


@t
def full_redis_is_unavailable_in_plain_words(s):
    """a full Redis (maxmemory, noeviction): writes answer unavailable with a plain message, never Redis' text; reads still work; the text is in the log"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        coord.mentee_put(m)
        s.env.redis.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction")
        s.env.redis.cmd("CONFIG", "SET", "maxmemory", "1")
        try:
            for call in (lambda: coord.mentee_put(s.gen.mentee(prog)),
                         lambda: coord.coach_put(s.gen.coach([prog])),
                         lambda: coord.user_create(s.uniq("u"), "pw-long-enough-1", "mentee", subject=m["id"])):
                try:
                    call()
                    raise AssertionError("a write to a full Redis was acknowledged")
                except CoachnetError as e:
                    assert e.code == "unavailable", (e.code, e.message)
                    assert not any(w in e.message for w in LEAKS), e.message
            assert coord.mentee_get(m["id"])["profile"]["id"] == m["id"]   # reads are served
            assert coord.stats_get(prog)["mentees"] == 1                   # read scripts too
        finally:
            s.env.redis.cmd("CONFIG", "SET", "maxmemory", "0")
        assert "OOM" in s.srv.log_text(), "Redis' reason is not in the server log"
        coord.mentee_put(s.gen.mentee(prog))


@t
def a_script_error_is_internal_in_plain_words(s):
    """a script that fails inside Redis (its hash key of the wrong type) answers internal without Redis' text (script id, line)"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        s.env.redis.cmd("SET", "cn:mentee:" + m["id"], "not a hash")
        try:
            coord.mentee_put(m)
            raise AssertionError("accepted")
        except CoachnetError as e:
            assert e.code == "internal", (e.code, e.message)
            assert not any(w in e.message for w in LEAKS), e.message
        finally:
            s.env.redis.cmd("DEL", "cn:mentee:" + m["id"])
        assert "WRONGTYPE" in s.srv.log_text()


@t
def an_outage_does_not_flood_the_log(s):
    """one client hammering a server whose Redis is down: the warnings are rate-limited (a few lines a second, with counts)"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        coord.mentee_put(m)
        before = len(s.srv.log_text().splitlines())
        s.env.redis.stop()
        try:
            t0 = time.monotonic()
            n = 0
            while time.monotonic() - t0 < 3:
                ids = [coord.send("mentee.get", {"id": m["id"]}) for _ in range(50)]
                for i in ids:
                    err, _ = coord.wait_raw(i, timeout=LIMIT + 2)
                    assert err and err["code"] == "unavailable", err
                n += len(ids)
        finally:
            s.env.redis.start()
        recovers(coord, m["id"])
        lines = s.srv.log_text().splitlines()[before:]
        warned = [l for l in lines if "mentee.get: unavailable" in l]
        assert n >= 500, n
        assert 1 <= len(warned) <= 10, (n, len(warned), warned[:3])
        assert any("more like it" in l for l in warned) or len(warned) == 1, warned[:3]



@t
def connect_to_a_silent_host_times_out(s):
    """a Redis address whose host drops the connect's SYNs (gone without a RST): the connect gives up after redis-timeout-ms and is tried again, and requests get unavailable meanwhile"""
    # Regression test: hiredis has no connect timeout of its own, and such a
    # connect sat in SYN-SENT for the kernel's ~2 minutes (127 s with
    # tcp_syn_retries 6) before anything was tried again.  A listener whose
    # accept queue is full stands in for the host: Linux drops the SYNs.
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(0)
    port = hole.getsockname()[1]
    fillers = []
    for _ in range(3):
        f = socket.socket()
        f.setblocking(False)
        f.connect_ex(("127.0.0.1", port))
        fillers.append(f)
    srv = s.env.add_server("silent", redis_port=port, redis_timeout_ms=REDIS_TIMEOUT_MS)
    try:
        line = "connect to 127.0.0.1:%d timed out after %d ms" % (port, REDIS_TIMEOUT_MS)
        wait_until(lambda: srv.log_text().count(line) >= 4, 4 * LIMIT * SLOW, what="two connect timeouts per link")
        with srv.client() as c:
            t0 = time.monotonic()
            try:
                c.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)
                raise AssertionError("logged in without Redis")
            except CoachnetError as e:
                assert e.code == "unavailable", e
            assert time.monotonic() - t0 < LIMIT, time.monotonic() - t0
    finally:
        srv.stop()
        srv.keep_running = False
        for f in fillers:
            f.close()
        hole.close()


@t
def a_redis_that_refuses_at_once_gets_the_backoff(s):
    """a Redis that accepts and closes at once (maxclients reached): the links reconnect with the backoff (50 ms doubling to 2 s), not every 50 ms"""
    # Regression test: a link's backoff was reset as soon as TCP accepted,
    # so each link reconnected every 50 ms (384 connects in 10 s in a
    # helper's probe), loading every script again each time.
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(16)
    lst.settimeout(0.2)
    port = lst.getsockname()[1]
    accepts, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                c, _ = lst.accept()
            except OSError:
                continue
            accepts.append(time.monotonic())
            try:
                c.sendall(b"-ERR max number of clients reached\r\n")
            except OSError:
                pass
            c.close()
    th = threading.Thread(target=serve, daemon=True)
    th.start()
    srv = s.env.add_server("refusing", redis_port=port)
    try:
        wait_until(lambda: accepts, 10 * SLOW, what="a first connect")
        t0 = accepts[0]
        time.sleep(4)
        n = len([a for a in accepts if a - t0 < 4])
        # two links, each 50+100+...+1600 ms apart and then every 2 s: about 8 connects each in 4 s
        assert 2 <= n <= 20, "%d connects in 4 s" % n
    finally:
        srv.stop()
        srv.keep_running = False
        stop.set()
        th.join()
        lst.close()

if __name__ == "__main__":
    main(suite)
