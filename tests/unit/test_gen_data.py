#!/usr/bin/python3
"""scripts/gen-data: reproducible files in the import format, and coaches
with uneven expertise (a few strengths each, some competencies more common
than others), so that a coach covers only part of a mentee's gaps.

Runs gen-data twice with seed 1 and once with seed 2 on a small instance
(2,000 mentees, 800 coaches) in a temporary folder.  The thresholds sit well
between the generator's figures and those of the earlier one, whose coaches
listed nearly every competency at high levels (earlier / now): median
competencies listed per coach 9 / 4, median core competencies at level 3 or
more 6 / 3, the most common of them among coaches 1.10 / 2.85 times as
frequent as the rarest, a random coach covering 68 % / 30 % of a mentee's
gaps on average.  TAP output."""
import collections
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "scripts", "gen-data")
MENTEES, COACHES = 2000, 800
MENTEE_KEYS = {"id", "name", "agency", "position_class", "province", "program", "competencies",
               "modality", "languages", "availability", "goals"}
COACH_KEYS = {"id", "name", "kind", "organization", "rank", "province", "competencies", "capacity",
              "programs", "modality", "languages", "availability", "bio"}
STRONG = 3  # a level at which a coach coaches others on a competency


def catalogue():
    """code -> kind, from data/competencies.tsv."""
    kinds = {}
    with open(os.path.join(ROOT, "data", "competencies.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                row = line.rstrip("\n").split("\t")
                kinds[row[0]] = row[1]
    return kinds


def generate(out, seed):
    subprocess.run(["/usr/bin/python3", GEN, "--mentees", str(MENTEES), "--coaches", str(COACHES),
                    "--seed", str(seed), "--out", out], check=True)
    files = {}
    for kind in ("mentees", "coaches"):
        with open(os.path.join(out, kind + ".jsonl"), encoding="utf-8") as f:
            files[kind] = f.read()
    return files


def rows(text):
    return [json.loads(line) for line in text.splitlines()]


def coverage(mentee, coach):
    """The engine's gap coverage G with competency weights 1 (docs/matching.md):
    the share of the mentee's gap levels that the coach's levels cover; None
    for a mentee without a gap."""
    level = {c["code"]: c["level"] for c in coach["competencies"]}
    num = den = 0
    for n in mentee["competencies"]:
        gap = max(0, n["required"] - n["current"])
        num += min(gap, max(0, level.get(n["code"], 0) - n["current"]))
        den += gap
    return num / den if den else None


def t_same_seed_same_files(ctx):
    again = generate(os.path.join(ctx["dir"], "again"), 1)
    other = generate(os.path.join(ctx["dir"], "seed2"), 2)
    assert again == ctx["files"], "seed 1 twice gave different files"
    assert other["coaches"] != ctx["files"]["coaches"], "seeds 1 and 2 gave the same coaches"


def t_import_format_from_catalogue(ctx):
    kinds = catalogue()
    assert len(ctx["mentees"]) == MENTEES and len(ctx["coaches"]) == COACHES
    assert len({m["id"] for m in ctx["mentees"]}) == MENTEES
    assert len({c["id"] for c in ctx["coaches"]}) == COACHES
    for m in ctx["mentees"]:
        assert set(m) == MENTEE_KEYS, sorted(set(m) ^ MENTEE_KEYS)
        for n in m["competencies"]:
            assert n["code"] in kinds and 0 <= n["current"] <= 5 and 1 <= n["required"] <= 5, n
    for c in ctx["coaches"]:
        assert set(c) == COACH_KEYS, sorted(set(c) ^ COACH_KEYS)
        codes = [x["code"] for x in c["competencies"]]
        assert len(codes) == len(set(codes)), c["id"]
        for x in c["competencies"]:
            assert x["code"] in kinds and 1 <= x["level"] <= 5, x


def t_each_coach_a_few_strengths_varying(ctx):
    core = {k for k, v in catalogue().items() if v != "technical"}
    strong = [sum(1 for x in c["competencies"] if x["code"] in core and x["level"] >= STRONG)
              for c in ctx["coaches"]]
    listed = [len(c["competencies"]) for c in ctx["coaches"]]
    assert min(strong) >= 2, "a coach with fewer than 2 strengths"
    assert statistics.median(strong) <= 4, "median strengths %s" % statistics.median(strong)
    assert len(set(strong)) >= 3, "strength counts %s" % sorted(set(strong))
    assert statistics.median(listed) <= 6, "median competencies listed %s" % statistics.median(listed)


def t_some_competencies_more_common(ctx):
    core = [k for k, v in catalogue().items() if v != "technical"]
    n = collections.Counter(x["code"] for c in ctx["coaches"] for x in c["competencies"]
                            if x["level"] >= STRONG)
    counts = [n[k] for k in core]
    assert min(counts) > 0, "a core competency no coach is strong in"
    assert max(counts) >= 1.5 * min(counts), "strengths by competency %s" % counts


def t_random_coach_covers_part_of_the_gaps(ctx):
    rng = random.Random(7)
    g = [x for x in (coverage(m, rng.choice(ctx["coaches"])) for m in ctx["mentees"]) if x is not None]
    mean = statistics.mean(g)
    full = sum(1 for x in g if x == 1) / len(g)
    partial = sum(1 for x in g if 0 < x < 1) / len(g)
    assert mean < 0.5, "a random coach covers %.2f of a mentee's gaps" % mean
    assert 0 < full < 0.25, "full coverage for %.2f of random pairs" % full
    assert partial > 0.3, "partial coverage for %.2f of random pairs" % partial


CASES = [t_same_seed_same_files, t_import_format_from_catalogue, t_each_coach_a_few_strengths_varying,
         t_some_competencies_more_common, t_random_coach_covers_part_of_the_gaps]


def run_cases(cases, ctx):
    """Run each case(ctx) (named t_...) as one TAP test; 1 if any failed.
    test_from_gen_data.py runs its cases with it too."""
    print("1..%d" % len(cases))
    failed = 0
    for i, case in enumerate(cases, 1):
        try:
            case(ctx)
            print("ok %d - %s" % (i, case.__name__[2:]))
        except AssertionError as e:
            failed += 1
            print("not ok %d - %s" % (i, case.__name__[2:]))
            print("# %s" % e)
    return 1 if failed else 0


def main():
    d = tempfile.mkdtemp(prefix="gen-data-test-")
    try:
        files = generate(os.path.join(d, "seed1"), 1)
        ctx = {"dir": d, "files": files, "mentees": rows(files["mentees"]), "coaches": rows(files["coaches"])}
        return run_cases(CASES, ctx)
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
