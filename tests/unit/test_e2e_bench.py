#!/usr/bin/python3
"""bench/e2e/run.py end to end at a tiny size: two runs through a real
coachnetd and Redis, certified, reported per phase; and its Redis options
reach Redis: --redis-thp puts Redis' memory in transparent huge pages
(harness.redis_thp) where Redis' defaults keep it out of them, and
--no-aof-rewrite turns the automatic AOF rewrite off.

200 mentees and 40 coaches from scripts/gen-data in a temporary folder.
Env: B (build folder; tests/run-tests sets it) for coachnetd and the CLI.
TAP output."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from test_gen_data import run_cases  # the TAP runner of tests/unit's Python tests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = os.path.join(ROOT, "bench", "e2e", "run.py")


def thp_possible():
    """Can a process that advises its memory get huge pages here?"""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            return "[never]" not in f.read()
    except OSError:
        return False


def bench(ctx, name, *opts):
    out = os.path.join(ctx["dir"], name + ".json")
    p = subprocess.run(["/usr/bin/python3", RUN, "--mentees", "200", "--coaches", "40", "--runs", "2",
                        "--data-dir", ctx["dir"], "--json", out] + list(opts),
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, "run.py %s exited %d:\n%s%s" % (" ".join(opts), p.returncode, p.stdout[-3000:],
                                                               p.stderr[-3000:])
    with open(out) as f:
        return json.load(f), p.stdout


def t_two_runs_reported(ctx):
    res, out = ctx["plain"]
    assert [r["status"] for r in res["runs"]] == ["done", "done"], res["runs"]
    assert all(r["stats"]["certified"] for r in res["runs"]), res["runs"]
    assert res["runs"][1]["stats"]["warm"], "the second run of a program starts warm"
    names = [p["phase"] for p in res["phases"]]
    # (the engine's phases of a run this small come and go between two
    # progress notifications: not asserted)
    for want in ("import mentees", "import coaches", "1:snapshot", "1:store", "2:snapshot", "2:store"):
        assert want in names, (want, names)
    assert res["get_runs"]["n"] > 0, "no mentee.get measured during the runs"
    assert "Redis in 4 KiB pages" in out and "mentee.get during the runs" in out, out[:2000]
    # the store's chunks, by their argument count: EVALSHA, sha, numkeys,
    # prefix, run, program, now, count, then 4 a proposal
    n, _, _, argc = res["runs"][0]["slowlog"]["run_store"]
    assert n >= 1 and argc >= 8 + 4, res["runs"][0]["slowlog"]["run_store"]


def t_redis_defaults(ctx):
    res, _ = ctx["plain"]
    assert res["redis_thp"] is False and res["no_aof_rewrite"] is False
    assert res["redis_aof_rewrite_pct"] == 100, res["redis_aof_rewrite_pct"]
    assert res["redis_anon_huge_kib"] == 0, "Redis' defaults switch huge pages off (disable-thp yes)"


def t_redis_thp_and_no_rewrite(ctx):
    res, out = ctx["thp"]
    assert [r["status"] for r in res["runs"]] == ["done", "done"], res["runs"]
    assert res["redis_thp"] is True and res["no_aof_rewrite"] is True
    assert res["redis_aof_rewrite_pct"] == 0, res["redis_aof_rewrite_pct"]
    assert "Redis in huge pages; no automatic AOF rewrite" in out, out[:2000]
    if thp_possible():
        assert res["redis_anon_huge_kib"] > 0, "--redis-thp: none of Redis' memory in huge pages"


CASES = [t_two_runs_reported, t_redis_defaults, t_redis_thp_and_no_rewrite]


def main():
    d = tempfile.mkdtemp(prefix="e2e-bench-test-")
    try:
        ctx = {"dir": d}
        ctx["plain"] = bench(ctx, "plain", "--slowlog-ms", "0")   # every command in the SLOWLOG
        ctx["thp"] = bench(ctx, "thp", "--redis-thp", "--no-aof-rewrite")
        return run_cases(CASES, ctx)
    except AssertionError as e:   # a bench that failed: every case fails with its reason
        print("1..%d" % len(CASES))
        for i, case in enumerate(CASES, 1):
            print("not ok %d - %s\n# %s" % (i, case.__name__[2:], str(e).replace("\n", "\n# ")))
        return 1
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
