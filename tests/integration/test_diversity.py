#!/usr/bin/python3
"""Realistic diversity of the data (its own suite: it grows the deployment's
coach index): Indonesia has hundreds of regional languages, and a profile
may list any language code [a-z]{2,8} (docs/protocol.md).  Coaches speaking
Indonesian plus one of 80 different regional languages must all be
suggested, and a match run over them must succeed."""

from harness import Suite, main, run_and_wait, run_matches

suite = Suite("diversity")
t = suite.test

# Some ISO 639-3 codes of languages of Indonesia, then generated ones.
REAL = ["jv", "su", "mad", "min", "bug", "ban", "bjn", "ace", "sas", "mak", "bew", "btx", "bbc",
        "gor", "rej", "mdr", "tet", "nij", "pag", "kge", "mvp", "btm", "btd", "mhy", "abl", "mui",
        "lbw", "kzf", "sxn", "dni", "yli", "mrw", "bjz", "kvr", "bdq", "sda", "tlv", "ljp"]
CODES = REAL + ["x%s" % c for c in ("abcdefghijklmnopqrstuvwxyz"[i % 26] + "abcdefghijklmnopqrstuvwxyz"[i // 26]
                                    for i in range(80 - len(REAL)))]


@t
def eighty_languages_all_suggested_and_run(s):
    # Regression: the matcher once held at most 64 distinct languages, so
    # coaches beyond them were silently left out of the index and match.run
    # failed (fixed in abbd580: overflow languages are compared exactly).
    """80 coaches each speaking id plus a different regional language: every one suggested; the run succeeds"""
    coord, prog = s.coordinator()
    with coord:
        assert len(set(CODES)) == 80
        coaches = []
        for code in CODES:
            c = s.gen.coach([prog], languages=["id", code], capacity=1)
            coaches.append(c)
            coord.send("coach.put", {"profile": c})
        ms = [s.gen.mentee(prog, languages=["id"]) for _ in range(10)]
        for m in ms:
            coord.send("mentee.put", {"profile": m})
        coord.wait_all()
        problems = []
        got = {it["coach_id"] for it in coord.match_suggest(ms[0]["id"], limit=100)["items"]}
        missing = [c["id"] for c in coaches if c["id"] not in got]
        if missing:
            problems.append("%d of 80 feasible coaches not suggested" % len(missing))
        run_id, done, _ = run_and_wait(coord, prog)
        if done["status"] != "done":
            problems.append("match.run ended %s" % done["status"])
        elif len(run_matches(coord, run_id)) != 10:
            problems.append("run matched %d of 10 mentees with 80 free coaches" % done["stats"]["matched"])
        assert not problems, "\n".join(problems)


if __name__ == "__main__":
    main(suite)
