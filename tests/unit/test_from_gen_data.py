#!/usr/bin/python3
"""bench/matcher/from-gen-data: a program of scripts/gen-data as an instance
that bench_matcher loads and certifies, with every profile and its fields;
and a clear error, naming the file and line, for a profile it cannot use.

gen-data writes 600 mentees and 120 coaches (seed 3) in a temporary folder.
Env: B (build folder; tests/run-tests sets it), for bench_matcher.  TAP
output."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from test_gen_data import run_cases  # the TAP runner of tests/unit's Python tests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "scripts", "gen-data")
CONV = os.path.join(ROOT, "bench", "matcher", "from-gen-data")
BENCH = os.path.join(ROOT, os.environ.get("B", "build/rel"), "bench", "matcher", "bench_matcher")
MENTEES, COACHES = 600, 120


def convert(src, dst):
    return subprocess.run(["/usr/bin/python3", CONV, src, dst], capture_output=True, text=True)


def rows(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def t_every_profile_and_field(ctx):
    ms, cs = rows(ctx["src"] + "/mentees.jsonl"), rows(ctx["src"] + "/coaches.jsonl")
    lines = [l.rstrip("\n").split("\t") for l in open(ctx["tsv"], encoding="utf-8") if not l.startswith("#")]
    got_m = [l for l in lines if l[0] == "mentee"]
    got_c = [l for l in lines if l[0] == "coach"]
    assert len(got_m) == MENTEES and len(got_c) == COACHES, (len(got_m), len(got_c))
    assert all(len(l) == 11 for l in got_m) and all(len(l) == 13 for l in got_c), "field counts"
    m, l = ms[7], got_m[7]
    want = ",".join("%s:%d:%d" % (c["code"], c["current"], c["required"]) for c in m["competencies"])
    assert l[1] == m["id"] and l[5] == m["program"] and l[6] == want, l
    assert l[7] == ",".join(m["modality"]) and l[9] == str(m["availability"]), l
    c, l = cs[5], got_c[5]
    want = ",".join("%s:%d" % (x["code"], x["level"]) for x in c["competencies"])
    assert l[1] == c["id"] and l[2] == c["kind"] and l[4] == str(c["rank"]) and l[6] == want, l
    assert l[7] == str(c["capacity"]) and l[9] == ",".join(c["programs"]), l


def t_bench_matcher_certifies_it(ctx):
    r = subprocess.run([BENCH, "--instance", ctx["tsv"], "--data", os.path.join(ROOT, "data")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    run = dict(kv.split("=", 1) for kv in r.stdout.split("\n")[0].split()[1:])
    assert run["mentees"] == str(MENTEES) and run["coaches"] == str(COACHES), run
    assert run["certified"] == "1" and int(run["matched"]) > 0, run


def t_broken_json_named(ctx):
    bad = os.path.join(ctx["dir"], "bad1")
    shutil.copytree(ctx["src"], bad)
    with open(bad + "/mentees.jsonl", encoding="utf-8") as f:
        text = f.read().splitlines()
    text[1] = text[1][:40]  # line 2 cut short
    with open(bad + "/mentees.jsonl", "w", encoding="utf-8") as f:
        f.write("\n".join(text) + "\n")
    r = convert(bad, os.path.join(ctx["dir"], "bad1.tsv"))
    assert r.returncode == 1 and "mentees.jsonl:2:" in r.stderr, (r.returncode, r.stderr)


def t_missing_field_named(ctx):
    bad = os.path.join(ctx["dir"], "bad2")
    shutil.copytree(ctx["src"], bad)
    cs = rows(bad + "/coaches.jsonl")
    del cs[2]["capacity"]
    with open(bad + "/coaches.jsonl", "w", encoding="utf-8") as f:
        f.write("".join(json.dumps(c) + "\n" for c in cs))
    r = convert(bad, os.path.join(ctx["dir"], "bad2.tsv"))
    assert r.returncode == 1 and "coaches.jsonl:3:" in r.stderr and "capacity" in r.stderr, r.stderr


def t_usage_and_missing_folder(ctx):
    r = subprocess.run(["/usr/bin/python3", CONV, ctx["src"]], capture_output=True, text=True)
    assert r.returncode == 2 and "usage" in r.stderr, r.stderr
    r = convert(os.path.join(ctx["dir"], "nowhere"), os.path.join(ctx["dir"], "x.tsv"))
    assert r.returncode == 1 and "mentees.jsonl" in r.stderr, r.stderr


CASES = [t_every_profile_and_field, t_bench_matcher_certifies_it, t_broken_json_named, t_missing_field_named,
         t_usage_and_missing_folder]


def main():
    d = tempfile.mkdtemp(prefix="from-gen-data-test-")
    try:
        src = os.path.join(d, "program")
        subprocess.run(["/usr/bin/python3", GEN, "--mentees", str(MENTEES), "--coaches", str(COACHES), "--seed",
                        "3", "--out", src], check=True, capture_output=True)
        tsv = os.path.join(d, "program.tsv")
        r = convert(src, tsv)
        if r.returncode != 0:
            print("Bail out! from-gen-data failed: %s" % r.stderr)
            return 1
        return run_cases(CASES, {"dir": d, "src": src, "tsv": tsv})
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
