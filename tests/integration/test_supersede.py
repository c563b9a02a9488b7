#!/usr/bin/python3
"""The switch supersedes lazily (issue 16, docs/design.md "The switch"): a
published re-run's switch renames the program's unreviewed proposals to
supersede:<run> in O(1), and its settle rewrites them in chunks
(run-settle-chunk).  In between, every reader shows them as the eager switch
left them: match.get, match.list (status filters, the person filters' sort),
match.mine, stats.get and count:match say `cancelled` with updated_at = the
switch's time, and match.review / match.respond refuse them as cancelled
matches.  sort=updated_at is the one documented deviation: a proposal not
rewritten yet sits at its earlier updated_at.  Once settled, hashes, sort
indexes and counters are field for field what the eager switch wrote.  The
same for a draft's run.publish, and for a run whose process died mid-settle
(the sweep finishes it).

The window is held open by SIGSTOPping the coachnetd that runs the re-run
(run-settle-chunk 1, a lock of 60 s) as soon as its switch is in Redis."""

import os
import signal
import threading
import time

from harness import Suite, MiniRedis, main, expect_error, run_and_wait, run_matches

suite = Suite("supersede")
t = suite.test
PW = Suite.PASSWORD
P = "cn:"


def s_(b):
    return b.decode("latin-1") if isinstance(b, bytes) else b


def raw(r, mid):
    f = r.cmd("HGETALL", P + "match:" + mid)
    return {s_(f[i]): s_(f[i + 1]) for i in range(0, len(f), 2)}


def seq(mid):
    return int(mid[1:])


def member(updated_at, mid):
    """mid's member in sort:match:updated_at:<scope> (msort.lua's sortmember)."""
    return "%013d\x01%012d" % (9999999999999 - int(updated_at), seq(mid))


def counts(r):
    """count:match, without the zeros."""
    f = r.cmd("HGETALL", P + "count:match")
    return {s_(f[i]): int(f[i + 1]) for i in range(0, len(f), 2) if int(f[i + 1])}


def shown_counts(r):
    """Matches by status over every match:* hash, a `proposed` one of a run
    with superseded_at counted as cancelled (what readers show)."""
    seen, cursor, sup = {}, "0", {}
    while True:
        cursor, keys = r.cmd("SCAN", cursor, "MATCH", P + "match:*", "COUNT", "1000")
        for k in keys:
            st, run = (s_(x) for x in r.cmd("HMGET", k, "status", "run_id"))
            if st == "proposed" and run:
                if run not in sup:
                    sup[run] = r.cmd("HGET", P + "run:" + run, "superseded_at") is not None
                if sup[run]:
                    st = "cancelled"
            seen[st] = seen.get(st, 0) + 1
        if s_(cursor) == "0":
            return seen


def coordinator(s):
    prog = s.gen.program()
    s.program(prog)
    login = s.uniq("coord")
    s.admin().user_create(login, PW, "coordinator", programs=[prog])
    return s.srv.login(login, PW), prog, login


def world(s, coord, prog, n=120):
    """n mentees and n coaches of capacity 1."""
    calls = [("mentee.put", {"profile": s.gen.mentee(prog)}) for _ in range(n)]
    calls += [("coach.put", {"profile": s.gen.coach([prog], capacity=1)}) for _ in range(n)]
    assert not [x for x in coord.pipeline(calls, timeout=60) if isinstance(x, Exception)]


def second_server(s):
    """The coachnetd that runs the re-runs: settles one proposal a script,
    and its run lock outlives every check made while it is stopped."""
    return s.env.add_server(run_settle_chunk=1, run_lock_ttl_ms=60000)


def stop_when_switched(s, srv, run_id, deadline=60):
    """SIGSTOP srv once run_id's switch is in Redis (published_at); its
    settle has then done at most a few of its chunks."""
    mr = MiniRedis(s.env.redis.port)
    try:
        end = time.time() + deadline
        while mr.command("HGET", P + "run:" + run_id, "published_at") is None:
            assert time.time() < end, "run %s was not switched on" % run_id
        os.kill(srv.proc.pid, signal.SIGSTOP)
        return int(mr.command("HGET", P + "run:" + run_id, "published_at"))
    finally:
        mr.close()


def check_pending_window(s, coord, b, run_id, T):
    """check_window on the first superseded proposal that the stopped settle
    of run_id (switched at T) has not rewritten yet."""
    pending = sorted(s_(x) for x in s.env.redis.cmd("SMEMBERS", P + "supersede:" + run_id))
    assert pending, "the settle rewrote everything before it was stopped"
    with s.subject_user(coord, "mentee", b.old[pending[0]]["mentee_id"]) as mu:
        check_window(s, coord, b, run_id, T, pending[0], mu)


def renews_lock(s, srv, prog, run_id):
    """srv is stopped in run_id's settle: let it settle one chunk, stop it
    again, and check that the chunk renewed the program's lock (run.publish
    has no renew timer: a draft's settle at 1,000,000 mentees outlasts
    run-lock-ttl-ms otherwise).  The lock has aged over a second first, so
    a chunk that did not renew it leaves it below 59 s of its 60."""
    r = s.env.redis
    key = P + "lock:run:" + prog
    time.sleep(1.2)
    aged = int(r.cmd("PTTL", key))
    assert 0 < aged < 59000, aged
    left = int(r.cmd("SCARD", P + "supersede:" + run_id))
    assert left > 1, "too few proposals left to watch a chunk"
    os.kill(srv.proc.pid, signal.SIGCONT)
    try:
        end = time.time() + 10
        while int(r.cmd("SCARD", P + "supersede:" + run_id)) == left:
            assert time.time() < end, "no settle chunk ran"
    finally:
        os.kill(srv.proc.pid, signal.SIGSTOP)
    assert s_(r.cmd("GET", key)) == run_id
    assert int(r.cmd("PTTL", key)) > 59000, "the settle chunk did not renew the lock"


def wait_done(c, run_id, timeout=60):
    end = time.time() + timeout
    while True:
        n = c.next_notification(timeout=max(0.1, end - time.time()))
        if n.method == "run.done" and n.params.get("run_id") == run_id:
            return n.params


def review_error(coord, mid, decision):
    [res] = coord.match_review([mid], decision)["results"]
    err = res.get("error")
    assert err, res
    return err.get("code"), err.get("message")


class Before:
    """The program's state before a re-run: its proposals still `proposed`
    (raw hashes), and one approved and one rejected that stay as they are."""

    def __init__(self, s, coord, prog, run_id):
        self.r = r = s.env.redis
        self.prog, self.run_id = prog, run_id
        items = run_matches(coord, run_id)
        assert len(items) >= 40, len(items)
        self.approved, self.rejected = items[0]["id"], items[1]["id"]
        assert coord.match_review([self.approved], "approve")["results"][0]["status"] == "approved"
        assert coord.match_review([self.rejected], "reject")["results"][0]["status"] == "rejected"
        self.kept = {mid: raw(r, mid) for mid in (self.approved, self.rejected)}
        self.old = {m["id"]: raw(r, m["id"]) for m in items[2:]}
        assert all(h["status"] == "proposed" for h in self.old.values())
        assert int(r.cmd("SCARD", P + "proposed:" + prog)) == len(self.old)
        time.sleep(1.1)   # the switch's second differs from every old updated_at


def check_window(s, coord, b, new_run, T, pm, mentee_client):
    """Run new_run is switched on and its settle stopped: what every reader shows
    (pm: a superseded proposal not rewritten yet, mentee_client: its mentee)."""
    r, prog = s.env.redis, b.prog
    sup = set(b.old)
    pending = {s_(x) for x in r.cmd("SMEMBERS", P + "supersede:" + new_run)}
    # the switch wrote none of them: they wait in supersede:<run>, `proposed` in their hashes
    assert pending and pending <= sup, (len(pending), len(sup))
    assert all(raw(r, mid)["status"] == "proposed" for mid in pending)
    assert all(raw(r, mid)["status"] == "cancelled" for mid in sup - pending)
    assert s_(r.cmd("HGET", P + "run:" + b.run_id, "superseded_at")) == str(T)
    new_props = {m["id"] for m in run_matches(coord, new_run)}
    assert new_props and {s_(x) for x in r.cmd("SMEMBERS", P + "proposed:" + prog)} == new_props
    # match.get: cancelled at the switch's time, every other field as it was
    for mid in sup:
        got = coord.match_get(mid)["match"]
        o = b.old[mid]
        assert got["status"] == "cancelled" and got["updated_at"] == T, (mid, got["status"], got["updated_at"], T)
        assert (got["score"], got["mentee_id"], got["coach_id"], got["run_id"], got["created_at"]) == \
            (int(o["score"]), o["mentee_id"], o["coach_id"], o["run_id"], int(o["created_at"])), (got, o)
    for mid, h in b.kept.items():
        assert coord.match_get(mid)["match"]["status"] == h["status"]
    # match.list: status filters, a run's list, the person filters (sorted by updated_at, exact)
    listed = {m["id"]: m for m in coord.iterate(coord.match_list, program=prog, status="cancelled")}
    assert sup <= set(listed) and all(listed[mid]["updated_at"] == T for mid in sup)
    assert {m["id"] for m in coord.iterate(coord.match_list, program=prog, status="proposed")} == new_props
    by_run = {m["id"]: m["status"] for m in coord.iterate(coord.match_list, run_id=b.run_id)}
    assert by_run == dict({mid: "cancelled" for mid in sup}, **{mid: h["status"] for mid, h in b.kept.items()})
    assert pm in pending
    mentee = b.old[pm]["mentee_id"]
    mine = coord.match_list(program=prog, mentee_id=mentee, sort="updated_at")["items"]
    assert [m["id"] for m in mine] == [m["id"] for m in sorted(mine, key=lambda m: (-m["updated_at"], seq(m["id"])))]
    assert [m["status"] for m in mine if m["id"] == pm] == ["cancelled"], mine
    # sort=updated_at over the program: the documented deviation, exactly: a proposal
    # not rewritten yet sits at its earlier updated_at, its item says cancelled at T
    items = list(coord.iterate(coord.match_list, program=prog, sort="updated_at", limit=37))

    def at(m):
        return int(b.old[m["id"]]["updated_at"]) if m["id"] in pending else m["updated_at"]
    assert [m["id"] for m in items] == [m["id"] for m in sorted(items, key=lambda m: (-at(m), seq(m["id"])))]
    assert all(m["status"] == "cancelled" and m["updated_at"] == T for m in items if m["id"] in sup)
    # match.mine: a proposal is never told, superseded or not; the approved one is
    assert pm not in {m["id"] for m in mentee_client.match_mine()["items"]}
    # stats.get and count:match count them cancelled
    st = coord.stats_get(prog)["matches"]
    assert st.get("proposed") == len(new_props) and st.get("cancelled", 0) >= len(sup), st
    assert counts(r) == shown_counts(r), (counts(r), shown_counts(r))
    # no action takes one as a live proposal: refused as a cancelled match is
    for dec, why in (("approve", "not proposed"), ("reject", "not proposed"), ("cancel", "not live"),
                     ("complete", "not active")):
        assert review_error(coord, pm, dec) == ("conflict", "match %s is cancelled, %s" % (pm, why)), dec
    # its mentee was never told of it: to the mentee it does not exist (match.get's rule)
    e = expect_error("not_found", mentee_client.match_respond, pm, True, field="match_id")
    assert e.message == "no match " + pm, e
    assert raw(r, pm)["status"] == "proposed"   # refused, unchanged


def check_settled(s, coord, b, new_run, T):
    """After the settle: every hash, sort entry and counter as the eager switch left them."""
    r, prog = s.env.redis, b.prog
    assert int(r.cmd("EXISTS", P + "supersede:" + new_run)) == 0
    assert int(r.cmd("SISMEMBER", P + "runs:staged", new_run)) == 0
    assert coord.run_get(new_run)["run"]["status"] == "done"
    for mid, o in b.old.items():
        assert raw(r, mid) == dict(o, status="cancelled", updated_at=str(T)), mid
        for scope in ("prog:" + prog, "run:" + b.run_id):
            key = P + "sort:match:updated_at:" + scope
            assert r.cmd("ZSCORE", key, member(o["updated_at"], mid)) is None, (scope, mid)
            assert r.cmd("ZSCORE", key, member(T, mid)) is not None, (scope, mid)
    for mid, h in b.kept.items():
        assert raw(r, mid) == h
    assert counts(r) == shown_counts(r), (counts(r), shown_counts(r))
    items = list(coord.iterate(coord.match_list, program=prog, sort="updated_at", limit=37))
    assert [m["id"] for m in items] == [m["id"] for m in sorted(items, key=lambda m: (-m["updated_at"], seq(m["id"])))]


@t
def rerun_supersedes_lazily_then_settles(s):
    """a published re-run: the old proposals read cancelled at once (get, list, mine, stats, counters; review and respond refuse them), the settle then writes what the eager switch wrote"""
    coord, prog, login = coordinator(s)
    two = second_server(s)
    try:
        with coord:
            world(s, coord, prog)
            r1, _, _ = run_and_wait(coord, prog)
            b = Before(s, coord, prog, r1)
            with two.login(login, PW) as c2:
                r2 = c2.match_run(prog)["run_id"]
                T = stop_when_switched(s, two, r2)
                try:
                    check_pending_window(s, coord, b, r2, T)
                finally:
                    os.kill(two.proc.pid, signal.SIGCONT)
                done = wait_done(c2, r2)
                assert done["status"] == "done", done
            check_settled(s, coord, b, r2, T)
    finally:
        two.stop()


@t
def draft_publish_supersedes_lazily(s):
    """run.publish of a draft: the same lazy window and the same end state; its answer comes after the settle"""
    coord, prog, login = coordinator(s)
    two = second_server(s)
    try:
        with coord:
            world(s, coord, prog)
            r1, _, _ = run_and_wait(coord, prog)
            b = Before(s, coord, prog, r1)
            with two.login(login, PW) as c2:
                d = c2.match_run(prog, None, draft=True)["run_id"]
                assert wait_done(c2, d)["status"] == "done"
                assert int(s.env.redis.cmd("SCARD", P + "proposed:" + prog)) == len(b.old)   # a draft touches nothing
                out = {}
                th = threading.Thread(target=lambda: out.setdefault("r", c2.run_publish(d)))
                th.start()
                T = stop_when_switched(s, two, d)
                try:
                    check_pending_window(s, coord, b, d, T)
                    renews_lock(s, two, prog, d)
                finally:
                    os.kill(two.proc.pid, signal.SIGCONT)
                th.join(60)
                assert out.get("r") == {"published": len(run_matches(coord, d))}, out
            check_settled(s, coord, b, d, T)
    finally:
        two.stop()


@t
def sweep_finishes_a_supersede_whose_process_died(s):
    """the re-run's coachnetd dies mid-settle: its superseded proposals still read cancelled, and the sweep of another coachnetd rewrites them once the lock is gone"""
    coord, prog, login = coordinator(s)
    two = second_server(s)
    try:
        with coord:
            world(s, coord, prog)
            r1, _, _ = run_and_wait(coord, prog)
            b = Before(s, coord, prog, r1)
            with two.login(login, PW) as c2:
                r2 = c2.match_run(prog)["run_id"]
                T = stop_when_switched(s, two, r2)
                two.proc.kill()
                two.proc.wait()
                two.proc = None
            r = s.env.redis
            left = int(r.cmd("SCARD", P + "supersede:" + r2))
            assert left > 0
            st = coord.stats_get(prog)["matches"]
            assert st.get("proposed") == len(run_matches(coord, r2)) and st.get("cancelled", 0) >= len(b.old), st
            assert all(coord.match_get(mid)["match"]["status"] == "cancelled" for mid in b.old)
            r.cmd("DEL", P + "lock:run:" + prog)        # what the lock's expiry does
            deadline = time.time() + 30
            while int(r.cmd("SISMEMBER", P + "runs:staged", r2)) and time.time() < deadline:
                time.sleep(0.2)
            check_settled(s, coord, b, r2, T)
    finally:
        two.stop()


if __name__ == "__main__":
    main(suite)
