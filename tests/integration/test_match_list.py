#!/usr/bin/python3
"""match.list's review view (DESIGN section 9): the sort orders (score
descending by default, mentee_name, coach_name, updated_at) through every
page to the last, the coach_id and mentee_id filters (alone, together, with a
run and a status), a rename moving a match in the name orders, and the
cursor's errors (another sort's cursor, a made-up one)."""

from harness import Suite, main, expect_error, run_and_wait

suite = Suite("match_list")
t = suite.test


def names_key(card):
    """The server's name order: the first 48 bytes of the name, lowercased
    (ASCII), compared byte-wise; ties in creation order."""
    return card["name"].encode()[:48].lower()


def seq(m):
    return int(m["id"][1:])


def program_with_proposals(s, n_mentees=12, n_coaches=4, capacity=3):
    """A coordinator, its program, and a published run proposing every mentee
    (names drawn so that several share a first letter, one in capitals)."""
    coord, prog = s.coordinator()
    ms = [s.gen.mentee(prog) for _ in range(n_mentees)]
    ms[0]["name"] = "ZULKIFLI " + ms[0]["name"]
    ms[1]["name"] = "aaa " + ms[1]["name"]     # no generated name starts with "aaa"
    ms[2]["name"] = "AAA " + ms[2]["name"]
    cs = [s.gen.coach([prog], capacity=capacity) for _ in range(n_coaches)]
    for m in ms:
        coord.mentee_put(m)
    for c in cs:
        coord.coach_put(c)
    run_id, done, _ = run_and_wait(coord, prog, {"objective": "quality", "mode": "optimal", "min_score": 0})
    return coord, prog, run_id, ms, cs


def pages(coord, limit, **kw):
    """Every page of match.list (lists of items), asserting that only the
    last has no cursor."""
    out, cursor = [], None
    while True:
        r = coord.match_list(cursor=cursor, limit=limit, **kw)
        out.append(r["items"])
        cursor = r.get("cursor")
        if cursor is None:
            return out
        assert len(out) < 1000, "paging does not end"


def flat(ps):
    return [m for p in ps for m in p]


@t
def default_sort_is_score_descending(s):
    """without sort: score descending, ties in creation order, through every page; the same as sort=score"""
    coord, prog, run_id, ms, _ = program_with_proposals(s)
    with coord:
        ps = pages(coord, 5, program=prog)
        items = flat(ps)
        assert len(items) == len(ms), len(items)
        assert len({m["id"] for m in items}) == len(items)
        keys = [(-m["score"], seq(m)) for m in items]
        assert keys == sorted(keys), keys
        assert [m["id"] for m in flat(pages(coord, 4, program=prog, sort="score"))] == [m["id"] for m in items]
        assert [m["id"] for m in flat(pages(coord, 3, run_id=run_id))] == [m["id"] for m in items]


@t
def sort_by_mentee_name_pages_to_the_last(s):
    """sort=mentee_name: names ascending, case folded, pages of 2 to the last page, none twice or missing"""
    coord, prog, run_id, ms, _ = program_with_proposals(s)
    with coord:
        for kw in ({"program": prog}, {"run_id": run_id}):
            ps = pages(coord, 2, sort="mentee_name", **kw)
            assert all(len(p) == 2 for p in ps[:-1]), [len(p) for p in ps]
            items = flat(ps)
            assert sorted(m["mentee_id"] for m in items) == sorted(m["id"] for m in ms)
            keys = [(names_key(m["mentee"]), seq(m)) for m in items]
            assert keys == sorted(keys), keys
            assert items[-1]["mentee"]["name"].startswith("ZULKIFLI")
            first_two = {items[0]["mentee"]["name"].split()[0], items[1]["mentee"]["name"].split()[0]}
            assert first_two == {"aaa", "AAA"}, first_two


@t
def sort_by_coach_name(s):
    """sort=coach_name: coach names ascending, ties (a coach's several matches) in creation order"""
    coord, prog, run_id, ms, cs = program_with_proposals(s)
    with coord:
        items = flat(pages(coord, 3, program=prog, sort="coach_name"))
        assert len(items) == len(ms)
        keys = [(names_key(m["coach"]), seq(m)) for m in items]
        assert keys == sorted(keys), keys


@t
def sort_by_updated_at_newest_first(s):
    """sort=updated_at: the match changed last comes first; the others keep their order"""
    coord, prog, run_id, ms, _ = program_with_proposals(s)
    with coord:
        before = [m["id"] for m in flat(pages(coord, 50, program=prog, sort="updated_at"))]
        keys = [(-m["updated_at"], seq(m)) for m in flat(pages(coord, 50, program=prog, sort="updated_at"))]
        assert keys == sorted(keys), keys
        last = before[-1]
        import time
        time.sleep(1.1)  # updated_at is in seconds
        coord.match_review([last], "approve")
        after = [m["id"] for m in flat(pages(coord, 4, program=prog, sort="updated_at"))]
        assert after[0] == last, after
        assert after[1:] == [i for i in before if i != last]


@t
def meeting_schedule_moves_the_match_once(s):
    """meeting.schedule's updated_at moves the match in sort=updated_at, and a later change leaves it there once"""
    import time
    coord, prog, run_id, ms, _ = program_with_proposals(s, n_mentees=3, n_coaches=1)
    m = s.gen.mentee(prog)
    coord.mentee_put(m)
    mu = s.subject_user(coord, "mentee", m["id"])
    c = s.gen.coach([prog], capacity=1)
    coord.coach_put(c)
    cu = s.subject_user(coord, "coach", c["id"])
    try:
        mid = mu.match_request(c["id"])["match"]["id"]
        assert cu.match_respond(mid, True)["match"]["status"] == "accepted"
        time.sleep(1.1)  # updated_at is in seconds
        coord.match_review([coord.match_list(program=prog, limit=1)["items"][0]["id"]], "approve")
        time.sleep(1.1)
        mu.meeting_schedule(mid, int(time.time()) + 86400, 60)
        items = flat(pages(coord, 2, program=prog, sort="updated_at"))
        assert items[0]["id"] == mid, [(x["id"], x["updated_at"]) for x in items]
        time.sleep(1.1)
        assert mu.match_respond(mid, False)["match"]["status"] == "cancelled"
        ids = [x["id"] for x in flat(pages(coord, 2, program=prog, sort="updated_at"))]
        assert ids.count(mid) == 1 and ids[0] == mid, ids
    finally:
        for u in (mu, cu, coord):
            u.close()


@t
def rename_moves_the_match(s):
    """a mentee renamed by its coordinator moves in sort=mentee_name (and a coach in coach_name)"""
    coord, prog, run_id, ms, cs = program_with_proposals(s)
    with coord:
        m0 = dict(ms[3], name="  Aaa Pertama")
        coord.mentee_put(m0)
        items = flat(pages(coord, 5, program=prog, sort="mentee_name"))
        assert items[0]["mentee_id"] == m0["id"], [m["mentee"]["name"] for m in items]
        assert items[0]["mentee"]["name"] == "  Aaa Pertama"
        c0 = dict(cs[2], name="zzz Terakhir")
        coord.coach_put(c0)
        items = flat(pages(coord, 5, run_id=run_id, sort="coach_name"))
        mine = [m for m in items if m["coach_id"] == c0["id"]]
        assert mine and items[-len(mine):] == mine, [m["coach"]["name"] for m in items]


@t
def coach_and_mentee_filters(s):
    """coach_id / mentee_id: only that person's matches of the program or run, sorted and paged; with status"""
    coord, prog, run_id, ms, cs = program_with_proposals(s)
    with coord:
        every = flat(pages(coord, 50, program=prog))
        for c in cs:
            want = [m["id"] for m in every if m["coach_id"] == c["id"]]
            got = flat(pages(coord, 1, program=prog, coach_id=c["id"]))
            assert [m["id"] for m in got] == want, (got, want)
            got = flat(pages(coord, 2, run_id=run_id, coach_id=c["id"], sort="mentee_name"))
            assert sorted(m["id"] for m in got) == sorted(want)
            keys = [(names_key(m["mentee"]), seq(m)) for m in got]
            assert keys == sorted(keys)
        m = every[0]
        got = coord.match_list(program=prog, mentee_id=m["mentee_id"])
        assert [x["id"] for x in got["items"]] == [m["id"]] and got.get("cursor") is None
        got = coord.match_list(program=prog, mentee_id=m["mentee_id"], coach_id=m["coach_id"])
        assert [x["id"] for x in got["items"]] == [m["id"]]
        other = next(c["id"] for c in cs if c["id"] != m["coach_id"])
        assert coord.match_list(program=prog, mentee_id=m["mentee_id"], coach_id=other)["items"] == []
        coord.match_review([m["id"]], "approve")
        got = coord.match_list(program=prog, mentee_id=m["mentee_id"], status="approved")["items"]
        assert [x["id"] for x in got] == [m["id"]]
        assert coord.match_list(program=prog, mentee_id=m["mentee_id"], status="proposed")["items"] == []
        assert coord.match_list(program=prog, mentee_id="199999999999999999")["items"] == []
        # another program's coordinator sees nothing of this coach through its own program
        coord2, prog2 = s.coordinator()
        with coord2:
            assert coord2.match_list(program=prog2, coach_id=cs[0]["id"])["items"] == []
            expect_error("forbidden", coord2.match_list, program=prog, coach_id=cs[0]["id"])


@t
def cursor_errors(s):
    """a cursor of another sort, or one the server never made, is invalid_params naming cursor"""
    coord, prog, run_id, ms, _ = program_with_proposals(s)
    with coord:
        c = coord.match_list(program=prog, limit=2)["cursor"]
        expect_error("invalid_params", coord.match_list, program=prog, cursor=c, sort="mentee_name", field="cursor")
        c2 = coord.match_list(program=prog, limit=2, sort="coach_name")["cursor"]
        assert coord.match_list(program=prog, limit=2, sort="coach_name", cursor=c2)["items"]
        for bad in ("s", "sABC", "s0g", "x00", "m:1", "s0"):
            expect_error("invalid_params", coord.match_list, program=prog, cursor=bad, field="cursor")
        expect_error("invalid_params", coord.match_list, program=prog, sort="name", field="sort")



@t
def reindex_script_rebuilds_the_same_indexes(s):
    """scripts/reindex-matches.lua (the upgrade, operations.md) writes exactly the members match.lua writes"""
    import pathlib
    import subprocess
    coord, prog, run_id, ms, cs = program_with_proposals(s)
    r = s.env.redis
    with coord:
        coord.match_review([coord.match_list(program=prog, limit=1)["items"][0]["id"]], "approve")
        keys = sorted(k.decode() if isinstance(k, bytes) else k for k in r.cmd("KEYS", "cn:sort:match:*:*"))
        keys = [k for k in keys if k.endswith(":prog:" + prog) or k.endswith(":run:" + run_id)]
        keys += ["cn:idx:match:mentee:" + m["id"] for m in ms] + ["cn:idx:match:coach:" + c["id"] for c in cs]
        assert len([k for k in keys if k.startswith("cn:sort:")]) == 8, keys
        before = {k: r.cmd("ZRANGE", k, "0", "-1", "WITHSCORES") for k in keys}
        def counts_now():
            flat_ = r.cmd("HGETALL", "cn:count:match")
            return {flat_[i]: int(flat_[i + 1]) for i in range(0, len(flat_), 2) if int(flat_[i + 1])}
        counts = counts_now()                                       # kept by the scripts, status by status
        assert counts, counts
        for k in keys:
            r.cmd("DEL", k)
        for m in ms:
            r.cmd("HDEL", "cn:mentee:" + m["id"], "sk")
        assert coord.match_list(program=prog, sort="mentee_name")["items"] == []
        script = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "reindex-matches.lua"
        out = subprocess.run(["redis-cli", "-p", str(r.port), "--eval", str(script), ",", "cn:"],
                             capture_output=True, text=True, check=True).stdout
        assert int(out.split()[-1]) >= len(ms), out
        after = {k: r.cmd("ZRANGE", k, "0", "-1", "WITHSCORES") for k in keys}
        assert after == before
        assert counts_now() == counts, (counts_now(), counts)    # the script counts them anew: the same
        assert len(flat(pages(coord, 5, program=prog, sort="mentee_name"))) == len(ms)


main(suite)
