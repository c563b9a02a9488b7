#!/usr/bin/python3
"""Runs as records (DESIGN section 9): run.get and run.list (the record of
each run, newest first, paging), draft runs and run.publish (the switch only
on publish, the waitlist untouched by drafts, a stale draft refused),
run.unmatched (every unmatched mentee with its reason).  Each method's
allowed and forbidden roles, scope and error paths."""

import time

from harness import Suite, main, expect_error, run_and_wait, run_matches

suite = Suite("runs")
t = suite.test
PW = Suite.PASSWORD
P = "cn:"
RUN_KEYS = {"id", "program", "status", "draft", "published_at", "policy", "stats", "started_at", "finished_at",
            "by"}


def coordinator(s, programs=None):
    """(client, program, login) of a fresh coordinator of ``programs``."""
    programs = programs or [s.gen.program()]
    login = s.uniq("coord")
    s.admin().user_create(login, PW, "coordinator", programs=programs)
    return s.srv.login(login, PW), programs[0], login


def small_program(s, coord, prog, n_mentees=4, n_coaches=2, capacity=1):
    """n_mentees mentees and n_coaches coaches of capacity ``capacity``:
    with the defaults two mentees stay unmatched for capacity."""
    ms = [s.gen.mentee(prog) for _ in range(n_mentees)]
    cs = [s.gen.coach([prog], capacity=capacity) for _ in range(n_coaches)]
    for m in ms:
        coord.mentee_put(m)
    for c in cs:
        coord.coach_put(c)
    return ms, cs


def subject_clients(s, coord, ms, cs):
    return (s.subject_user(coord, "mentee", ms[0]["id"]), s.subject_user(coord, "coach", cs[0]["id"]))


# ------------------------------------------------------------ run.get/list

@t
def run_get_is_the_record(s):
    """run.get: a finished run's record (status, draft, policy, stats as run.done, times, by)"""
    coord, prog, login = coordinator(s)
    with coord:
        small_program(s, coord, prog)
        policy = {"objective": "quality", "mode": "stable", "min_score": 10}
        t0 = int(time.time())
        run_id, done, _ = run_and_wait(coord, prog, policy)
        run = coord.run_get(run_id)["run"]
        assert set(run) == RUN_KEYS, sorted(run)
        assert run["id"] == run_id and run["program"] == prog and run["by"] == login, run
        assert run["status"] == "done" and run["draft"] is False, run
        assert run["stats"] == done["stats"], (run["stats"], done["stats"])
        for k, v in policy.items():
            assert run["policy"][k] == v, (k, run["policy"])
        assert t0 - 1 <= run["started_at"] <= run["published_at"] <= run["finished_at"] <= time.time() + 1, run


@t
def run_get_errors(s):
    """run.get: not_found for an unknown run, forbidden outside the scope and for every other role"""
    coord, prog, _ = coordinator(s)
    other, oprog, _ = coordinator(s)
    with coord, other:
        ms, cs = small_program(s, coord, prog)
        run_id, _, _ = run_and_wait(coord, prog)
        expect_error("not_found", coord.run_get, "r999999999", field="run_id")
        expect_error("forbidden", other.run_get, run_id, field="run_id")
        mentee, coach = subject_clients(s, coord, ms, cs)
        with mentee, coach:
            for c in (mentee, coach, s.admin()):
                expect_error("forbidden", c.run_get, run_id)
        expect_error("invalid_params", coord.run_get, "r 1", field="run_id")


@t
def run_list_newest_first_and_pages(s):
    """run.list: the program's runs newest first, paged with limit and cursor to the last page"""
    coord, prog, _ = coordinator(s)
    with coord:
        small_program(s, coord, prog)
        ids = [run_and_wait(coord, prog)[0] for _ in range(5)]
        page = coord.run_list(prog)
        assert [r["id"] for r in page["items"]] == ids[::-1] and page.get("cursor") is None, page
        for r in page["items"]:
            assert r["status"] == "done" and r["program"] == prog and set(r) == RUN_KEYS, r
        seen, cursor, pages = [], None, 0
        while True:
            page = coord.run_list(prog, cursor=cursor, limit=2)
            pages += 1
            seen += [r["id"] for r in page["items"]]
            cursor = page.get("cursor")
            if cursor is None:
                break
        assert seen == ids[::-1] and pages == 3, (seen, pages)
        assert coord.run_get(ids[0])["run"] == coord.run_list(prog, limit=100)["items"][-1]


@t
def run_list_errors(s):
    """run.list: forbidden outside the scope and for every other role; a foreign cursor or limit is invalid_params"""
    coord, prog, _ = coordinator(s)
    other, oprog, _ = coordinator(s)
    with coord, other:
        ms, cs = small_program(s, coord, prog)
        run_and_wait(coord, prog)
        expect_error("forbidden", other.run_list, prog)
        assert other.run_list(oprog) == {"items": []} or other.run_list(oprog)["items"] == []
        expect_error("invalid_params", coord.run_list, prog, cursor="zz", field="cursor")
        m_cursor = coord.match_list(program=prog, limit=1).get("cursor")
        assert m_cursor
        expect_error("invalid_params", coord.run_list, prog, cursor=m_cursor, field="cursor")
        expect_error("invalid_params", coord.run_list, prog, limit=101, field="limit")
        expect_error("invalid_params", coord.run_list, prog, limit=0, field="limit")
        mentee, coach = subject_clients(s, coord, ms, cs)
        with mentee, coach:
            for c in (mentee, coach, s.admin()):
                expect_error("forbidden", c.run_list, prog)


@t
def failed_run_is_listed_failed(s):
    """a run whose process died is listed `failed` once its lock expired, without stats"""
    coord, prog, _ = coordinator(s)
    with coord:
        small_program(s, coord, prog)
        run_id, _, _ = run_and_wait(coord, prog)
        # a run that lost its owner: running, staged, no lock (as run_lock.lua leaves it)
        r = s.env.redis
        n = int(r.cmd("INCR", P + "seq:run"))
        dead = "r%d" % n
        r.cmd("HSET", P + "run:" + dead, "id", dead, "program", prog, "status", "running", "started_by", "x",
              "created_at", "1", "staged", "1", "policy", b"\x80")
        r.cmd("ZADD", P + "idx:run:prog:" + prog, str(n), dead)
        r.cmd("SADD", P + "runs:staged", dead)
        got = coord.run_get(dead)["run"]
        assert got["status"] == "running" and "stats" not in got and "finished_at" not in got, got
        deadline = time.time() + 20
        while coord.run_get(dead)["run"]["status"] == "running" and time.time() < deadline:
            time.sleep(0.2)
        got = coord.run_get(dead)["run"]
        assert got["status"] == "failed" and "finished_at" in got and "published_at" not in got, got
        assert [x["id"] for x in coord.run_list(prog)["items"]] == [dead, run_id]


if __name__ == "__main__":
    main(suite)
