#!/usr/bin/python3
"""Scale (DESIGN section 9, issue 11): a program of 100,000 mentees from
scripts/gen-data, imported with the CLI, one run; then every page of
match.list {run_id} (score order and mentee_name order) and of run.unmatched,
to the last: each proposal and each unmatched mentee exactly once, in order,
and together every mentee of the program.  The time of the first and the
last pages is printed (a diagnostic, not asserted: speed is bench/'s)."""

import json
import os
import subprocess
import time
from pathlib import Path

import harness
from harness import Suite, main, run_and_wait, SLOW

suite = Suite("scale")
t = suite.test
TOP = Path(__file__).resolve().parents[2]
# Under ASan + UBSan (SLOW > 1) the same paths at a fifth of the size: that
# run looks for memory errors, the plain build for the scale.
MENTEES = int(os.environ.get("SCALE_MENTEES", "100000" if SLOW == 1 else "20000"))
COACHES = int(os.environ.get("SCALE_COACHES", "4000" if SLOW == 1 else "800"))


def cli(s, args, token, stdin=None):
    env = dict(os.environ, COACHNET_HOST="127.0.0.1", COACHNET_PORT=str(s.srv.port),
               COACHNET_CA=str(s.env.certs.ca), COACHNET_TOKEN_FILE=str(token))
    p = subprocess.run([str(harness.BUILD / "clients" / "coachnet")] + args, input=(stdin or "").encode(),
                       capture_output=True, env=env, timeout=900 * SLOW)
    assert p.returncode == 0, (args, p.returncode, p.stderr.decode()[-2000:])
    return p.stdout.decode()


def all_pages(call, limit, **kw):
    """Every item of a paged method; (items, pages, seconds of the first page, of the last)."""
    items, cursor, times = [], None, []
    while True:
        t0 = time.monotonic()
        r = call(cursor=cursor, limit=limit, **kw)
        times.append(time.monotonic() - t0)
        items += r["items"]
        cursor = r.get("cursor")
        if cursor is None:
            return items, len(times), times[0], times[-1]


@t
def paging_through_100k_mentees(s):
    """100,000 mentees (20,000 under sanitizers): match.list (score, mentee_name) and run.unmatched page to the last, each item once, in order"""
    prog = s.program()
    login = s.uniq("coord")
    s.admin().user_create(login, Suite.PASSWORD, "coordinator", programs=[prog])
    data = s.env.dir / "scale"
    subprocess.run([str(TOP / "scripts" / "gen-data"), "--mentees", str(MENTEES), "--coaches", str(COACHES),
                    "--seed", "11", "--program", prog, "--out", str(data)], check=True, capture_output=True)
    token = s.env.dir / "scale.token"
    cli(s, ["login", login], token, stdin=Suite.PASSWORD + "\n")
    t0 = time.monotonic()
    cli(s, ["import", "mentees", str(data / "mentees.jsonl"), "--no-progress"], token)
    cli(s, ["import", "coaches", str(data / "coaches.jsonl"), "--no-progress"], token)
    print("# import of %d mentees and %d coaches: %.1f s" % (MENTEES, COACHES, time.monotonic() - t0))
    ids = {json.loads(line)["id"] for line in open(data / "mentees.jsonl")}
    assert len(ids) == MENTEES
    coord = s.srv.login(login, Suite.PASSWORD)
    coord.timeout = 120 * SLOW
    with coord:
        t0 = time.monotonic()
        run_id, done, _ = run_and_wait(coord, prog, timeout=600 * SLOW)
        print("# run: %.1f s, %d matched" % (time.monotonic() - t0, done["stats"]["matched"]))
        assert done["status"] == "done", done
        matched = done["stats"]["matched"]
        unmatched_n = sum(done["stats"]["unmatched"].values())
        assert matched + unmatched_n == MENTEES, done["stats"]
        assert matched > MENTEES // 100 and unmatched_n > MENTEES // 100, done["stats"]

        items, pages, first, last = all_pages(coord.match_list, 500, run_id=run_id)
        print("# match.list by score: %d pages, first %.0f ms, last %.0f ms" % (pages, first * 1e3, last * 1e3))
        assert len(items) == matched and len({m["id"] for m in items}) == matched
        keys = [(-m["score"], int(m["id"][1:])) for m in items]
        assert keys == sorted(keys)
        proposed = {m["mentee_id"] for m in items}
        coaches = {m["coach_id"] for m in items}

        items, pages, first, last = all_pages(coord.match_list, 500, run_id=run_id, sort="mentee_name")
        print("# match.list by mentee_name: %d pages, first %.0f ms, last %.0f ms" % (pages, first * 1e3, last * 1e3))
        assert {m["mentee_id"] for m in items} == proposed and len(items) == matched
        names = [(m["mentee"]["name"].encode()[:48].lower(), int(m["id"][1:])) for m in items]
        assert names == sorted(names)

        items, pages, first, last = all_pages(coord.run_unmatched, 500, run_id=run_id)
        print("# run.unmatched: %d pages, first %.0f ms, last %.0f ms" % (pages, first * 1e3, last * 1e3))
        left = [u["mentee_id"] for u in items]
        assert len(left) == unmatched_n and len(set(left)) == unmatched_n
        assert set(left) | proposed == ids and not set(left) & proposed
        by_reason = {}
        for u in items:
            by_reason[u["reason"]] = by_reason.get(u["reason"], 0) + 1
        assert by_reason == {k: v for k, v in done["stats"]["unmatched"].items() if v}, by_reason
        assert all(u["name"] for u in items[:100])
        r = s.env.redis
        keys = ["cn:sort:match:%s:%s" % (o, sc) for o in ("score", "updated_at", "mentee_name", "coach_name")
                for sc in ("prog:" + prog, "run:" + run_id)]
        keys += ["cn:idx:match:mentee:" + m for m in proposed]
        keys += ["cn:idx:match:coach:" + c for c in coaches]
        used = sum(int(r.cmd("MEMORY", "USAGE", k) or 0) for k in keys)
        print("# sorted and per-person match indexes: %d bytes, %.0f bytes per match" % (used, used / matched))
        info = s.env.redis.cmd("INFO", "memory")
        info = info.decode() if isinstance(info, bytes) else info
        print("# redis used_memory after the run: %s" % [ln for ln in info.splitlines()
                                                          if ln.startswith("used_memory_human")])


main(suite)
