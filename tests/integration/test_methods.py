#!/usr/bin/python3
"""Every method of DESIGN section 3 on a real coachnetd, with the results
checked against the contract: users, profiles and lists, suggestions and
explanations (scores recomputed here with the formula of section 5), runs
with their notifications and statistics, pin and forbid, stats."""

import random
import time

from harness import (Suite, main, CoachnetError, expect_error, expected_explain, run_and_wait, run_matches,
                     find_match, review_one, SLOW, POSITION_CLASSES, server_date)

suite = Suite("methods")
t = suite.test
PW = Suite.PASSWORD


# ------------------------------------------------------------------ users

@t
def user_create_and_login_each_role(s):
    """user.create (admin: coordinator; coordinator: mentee and coach users); each logs in with its role/subject"""
    coord, prog = s.coordinator()
    with coord:
        assert coord.role == "coordinator"
        m = s.gen.mentee(prog)
        c = s.gen.coach([prog])
        coord.mentee_put(m)
        coord.coach_put(c)
        lm, lc = s.uniq("mentee"), s.uniq("coach")
        assert coord.user_create(lm, PW, "mentee", subject=m["id"]) == {}
        assert coord.user_create(lc, PW, "coach", subject=c["id"]) == {}
        with s.srv.client() as u:
            r = u.auth_login(lm, PW)
            assert r["role"] == "mentee" and r["subject"] == m["id"], r
            r2 = u.auth_resume(r["token"])
            assert r2 == {"login": lm, "role": "mentee", "subject": m["id"]} or \
                (r2["login"] == lm and r2["role"] == "mentee" and r2["subject"] == m["id"]), r2
        with s.srv.client() as u:
            r = u.auth_login(lc, PW)
            assert r["role"] == "coach" and r["subject"] == c["id"], r
        # a login name is taken once
        expect_error("conflict", coord.user_create, lm, PW, "mentee", subject=m["id"])


@t
def user_create_validates(s):
    """user.create: bad role, missing subject, short password -> invalid_params naming the field"""
    a = s.admin()
    expect_error("invalid_params", a.user_create, s.uniq("u"), PW, "superuser", field="role")
    expect_error("invalid_params", a.user_create, s.uniq("u"), PW, "mentee", field="subject")
    expect_error("invalid_params", a.user_create, "", PW, "coordinator", programs=["x"], field="login")
    expect_error("invalid_params", a.user_create, s.uniq("u"), "", "coordinator", programs=["x"],
                 field="password")
    expect_error("invalid_params", a.user_create, s.uniq("u"), PW, "coordinator",
                 programs=["p%d" % i for i in range(17)], field="programs")
    expect_error("invalid_params", a.user_create, s.uniq("u"), PW, "coordinator", field="programs")
    expect_error("invalid_params", a.user_create, s.uniq("u"), PW, "mentee", subject="123",
                 field="subject")


@t
def user_disable_ends_sessions(s):
    """user.disable: the user can no longer log in and its open session stops working"""
    coord, prog = s.coordinator()
    m = s.gen.mentee(prog)
    coord.mentee_put(m)
    login = s.uniq("mentee")
    coord.user_create(login, PW, "mentee", subject=m["id"])
    u = s.srv.login(login, PW)
    assert u.mentee_get(m["id"])["profile"]["id"] == m["id"]
    assert s.admin().user_disable(login) == {}
    expect_error("unauthenticated", u.mentee_get, m["id"])
    u.close()
    with s.srv.client() as u2:
        expect_error("unauthenticated", u2.auth_login, login, PW)
    coord.close()


@t
def logout_then_resume_fails(s):
    """auth.logout returns {} and the token no longer resumes"""
    with s.srv.admin() as a:
        tok = a.token
        assert a.auth_logout() == {}
        expect_error("unauthenticated", a.auth_resume, tok)


@t
def server_info_before_login(s):
    """server.info needs no session: coachnetd's release, protocol 1, and its clock"""
    with s.srv.client() as c:
        t0 = int(time.time())
        r = c.call("server.info", {})
        t1 = int(time.time())
        assert set(r) == {"version", "protocol", "time"}, r
        assert r["protocol"] == 1, r
        assert "coachnetd %s ready" % r["version"] in s.srv.log_text(), r
        assert t0 - 1 <= r["time"] <= t1 + 1, (t0, r, t1)
        expect_error("invalid_params", c.call, "server.info", {"x": 1}, field="x")


@t
def login_names_with_at(s):
    """a login name with '@' (an e-mail address, allowed by docs/methods.md) is created and logs in; other characters are refused naming login"""
    login = "%s@bkn.go.id" % s.uniq("sari")
    s.program("p-at")
    s.admin().user_create(login, "Pa55word-with-at", "coordinator", programs=["p-at"])
    with s.srv.login(login, "Pa55word-with-at") as c:
        assert c.role == "coordinator"
    e = expect_error("invalid_params", s.admin().user_create, "sari bkn", "Pa55word-with-at", "coordinator",
                     programs=["p-at"])
    assert e.field == "login", e


@t
def add_user_command_line(s):
    """coachnetd --add-user: creates a coordinator from the command line; bad role fails non-zero"""
    login = s.uniq("cli-coord")
    rc, out = s.srv.add_user(login, "cli-Pa55word-1", "coordinator", programs=["cli-prog"])
    assert rc != 0 and "no program cli-prog" in out, (rc, out)
    s.program("cli-prog")
    rc, out = s.srv.add_user(login, "cli-Pa55word-1", "coordinator", programs=["cli-prog"])
    assert rc == 0, out
    with s.srv.login(login, "cli-Pa55word-1") as c:
        assert c.role == "coordinator"
    rc, out = s.srv.add_user(s.uniq("x"), "pw-123456789", "emperor")
    assert rc != 0 and out.strip(), (rc, out)
    rc, out = s.srv.add_user(login, "another-pw-123", "coordinator", programs=["cli-prog"])
    assert rc != 0 and "exists" in out, (rc, out)
    # a mentee user with --subject
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        coord.mentee_put(m)
    ml = s.uniq("cli-mentee")
    rc, out = s.srv.add_user(ml, "cli-Pa55word-2", "mentee", subject=m["id"])
    assert rc == 0, out
    with s.srv.login(ml, "cli-Pa55word-2") as c:
        assert c.subject == m["id"] and c.mentee_get(m["id"])["profile"]["id"] == m["id"]


# --------------------------------------------------------------- profiles

@t
def mentee_put_get_versions(s):
    """mentee.put creates (version v), replaces (version > v); get returns the latest"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        r1 = coord.mentee_put(m)
        assert r1["id"] == m["id"]
        m["goals"] = "Meningkatkan kualitas layanan"
        r2 = coord.mentee_put(m)
        assert r2["version"] > r1["version"], (r1, r2)
        g = coord.mentee_get(m["id"])
        assert g["version"] == r2["version"] and g["profile"]["goals"] == m["goals"], g
        assert g["profile"] == m, (g["profile"], m)


@t
def profiles_carry_contacts(s):
    """mentee and coach profiles take email, phone (E.164) and language (id default, en); bad ones are invalid_params naming the field"""
    coord, prog = s.coordinator()
    with coord:
        m = dict(s.gen.mentee(prog), email="sari@bkn.go.id", phone="+6281234567890", language="en")
        coord.mentee_put(m)
        assert coord.mentee_get(m["id"])["profile"] == m
        c = dict(s.gen.coach([prog]), email="budi.coach@pertamina.com")
        coord.coach_put(c)
        got = coord.coach_get(c["id"])["profile"]
        assert got["email"] == c["email"] and "phone" not in got and "language" not in got, got
        for field, bad in (("email", "sari.bkn.go.id"), ("phone", "0812345678"), ("language", "jv")):
            expect_error("invalid_params", coord.mentee_put, dict(m, **{field: bad}), field="profile." + field)
        # the default language is not stored as a key: a profile without contacts keeps its shape
        plain = s.gen.mentee(prog)
        coord.mentee_put(dict(plain, language="id"))
        assert coord.mentee_get(plain["id"])["profile"] == plain


@t
def coach_organization_is_a_line_of_text(s):
    # SERVER BUG (found by this test): docs/protocol.md (and proto.h) define
    # the coach's `organization` as a line of text of 1..128 bytes, but
    # coach.put refuses anything that is not a 1..48-character token:
    # "PT Bank Rakyat Indonesia" gets invalid_params "organization: 1..48
    # printable characters" (the matcher's agency-code rule is applied to it).
    """coach.put accepts organizations as text lines up to 128 bytes (spaces, UTF-8) and returns them unchanged"""
    coord, prog = s.coordinator()
    bad = []
    with coord:
        for org in ("PT Bank Rakyat Indonesia (Persero) Tbk", "Universit\u00e9 Indonesia",
                    "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
                    ("Lembaga Administrasi Negara " * 5)[:128]):
            c = s.gen.coach([prog], organization=org)
            try:
                coord.coach_put(c)
                got = coord.coach_get(c["id"])["profile"]["organization"]
                if got != org:
                    bad.append("%r came back as %r" % (org, got))
            except CoachnetError as e:
                bad.append("%r (%d bytes): %s" % (org, len(org.encode()), e))
        expect_error("invalid_params", coord.coach_put, s.gen.coach([prog], organization="x" * 129),
                     field="organization")
    assert not bad, "\n".join(bad)


@t
def coach_put_get_defaults(s):
    """coach.put fills documented defaults (availability 0, bio "", programs [])"""
    coord, prog = s.coordinator()
    with coord:
        c = s.gen.coach([prog])
        del c["availability"], c["bio"]
        r = coord.coach_put(c)
        g = coord.coach_get(c["id"])
        assert g["version"] == r["version"]
        p = g["profile"]
        assert p["availability"] == 0 and p["bio"] == "", p
        for k in ("id", "name", "kind", "organization", "rank", "province", "competencies",
                  "capacity", "programs", "modality", "languages"):
            assert p[k] == c[k], (k, p[k], c[k])


@t
def lists_filter_and_page(s):
    """mentee.list/coach.list: program and province filters, limit, cursor nil at the end"""
    coord, prog = s.coordinator()
    with coord:
        ids31, ids32 = set(), set()
        for i in range(7):
            prov = "31" if i % 2 else "32"
            m = s.gen.mentee(prog, province=prov)
            coord.mentee_put(m)
            (ids31 if prov == "31" else ids32).add(m["id"])
        cids = set()
        for i in range(5):
            c = s.gen.coach([prog])
            coord.coach_put(c)
            cids.add(c["id"])

        def ids(items):
            return [it["id"] if "id" in it else it["profile"]["id"] for it in items]
        page = coord.mentee_list(program=prog, limit=2)
        assert len(page["items"]) == 2 and page["cursor"] is not None, page
        got = ids(coord.iterate(coord.mentee_list, program=prog, limit=2))
        assert sorted(got) == sorted(ids31 | ids32), got
        got = ids(coord.iterate(coord.mentee_list, program=prog, province="31", limit=2))
        assert sorted(got) == sorted(ids31), got
        full = coord.mentee_list(program=prog, limit=100)
        assert full["cursor"] is None and len(full["items"]) == 7, full["cursor"]
        oc, oprog = s.coordinator()
        other = s.gen.coach([oprog])
        oc.coach_put(other)
        oc.close()
        got = ids(coord.iterate(coord.coach_list, program=prog, limit=3))
        assert sorted(got) == sorted(cids), (cids, got)
        expect_error("invalid_params", coord.mentee_list, program=prog, limit=0, field="limit")
        expect_error("invalid_params", coord.mentee_list, program=prog, cursor="garbage!",
                     field="cursor")


@t
def full_pages_of_largest_profiles(s):
    # SERVER BUG (found by this test): mentee.list / coach.list with a valid
    # limit (500, the documented maximum) over valid profiles of the largest
    # documented sizes answers `too_large` ("the result is larger than
    # max-frame") and returns nothing, so such a program cannot be listed
    # with big pages at all.  Expected (docs/methods.md: "a page may hold
    # fewer than limit items and still have a cursor"): a shorter page that
    # fits the frame, with a cursor, so that paging yields every profile.
    """mentee.list/coach.list limit 500 over maximum-size profiles: pages fit the frame, paging yields all"""
    coord, prog = s.coordinator()
    with coord:
        big = dict(name="N" * 128, goals="g" * 1000,
                   languages=["l%s" % (chr(97 + k) * 2) for k in range(8)],
                   competencies=[{"code": "T.sector%02d" % k, "current": 1, "required": 3}
                                 for k in range(32)])
        mids = set()
        for _ in range(500):
            m = s.gen.mentee(prog, **big)
            mids.add(m["id"])
            coord.send("mentee.put", {"profile": m})
        cids = set()
        for _ in range(500):
            c = s.gen.coach([prog], name="C" * 128, bio="b" * 2000,
                            languages=big["languages"],
                            comps=["T.sector%02d" % k for k in range(32)])
            cids.add(c["id"])
            coord.send("coach.put", {"profile": c})
        coord.wait_all(timeout=60 * SLOW)
        problems = []
        for what, method, want in (("mentee.list", coord.mentee_list, mids),
                                   ("coach.list", coord.coach_list, cids)):
            try:
                got = {it["id"] for it in coord.iterate(method, program=prog, limit=500)}
                if got != want:
                    problems.append("%s paged %d of %d profiles" % (what, len(got & want), len(want)))
            except CoachnetError as e:
                problems.append("%s limit 500: %s" % (what, e))
        assert not problems, "\n".join(problems)


# -------------------------------------------------- suggest and explain

def scoring_world(s, prog, coord):
    """A mentee (administrator, DKI Jakarta, agency K001) and four coaches."""
    m = s.gen.mentee(prog, position_class="administrator", province="31", agency="K001",
                     comps=["M.01", "M.03", "M.07", "T.digital"])
    strong = s.gen.coach([prog], rank=5, province="31")               # covers every M gap
    partial = s.gen.coach([prog], rank=4, province="32", level=3,     # Jawa: same region
                          comps=["M.01", "M.03", "T.digital"], availability=0b111)
    far = s.gen.coach([prog], rank=4, province="94", level=4, comps=["M.07"])  # Papua
    same_agency = s.gen.coach([prog], rank=6, province="31", organization="K001")
    low_rank = s.gen.coach([prog], rank=3, province="31")             # rank 3 < 3 + 1
    coord.mentee_put(m)
    for c in (strong, partial, far, same_agency, low_rank):
        coord.coach_put(c)
    return m, strong, partial, far, same_agency, low_rank


def check_explain(e, want, where):
    assert e["score"] == want["score"], "%s: score %s, expected %s" % (where, e["score"], want["score"])
    for k in ("gap_coverage", "location", "availability"):
        assert abs(e[k] - want[k]) < 1e-6, "%s: %s %s, expected %s" % (where, k, e[k], want[k])
    got = {c["code"]: (c["gap"], c["coach_level"], c["covered"]) for c in e["competencies"]}
    assert got == want["competencies"], "%s: competencies %s, expected %s" % (where, got, want["competencies"])


@t
def suggest_ranks_by_score_with_exact_scores(s):
    """match.suggest: feasible coaches by descending score, scores as DESIGN section 5 computes them, each with the coach's card"""
    coord, prog = s.coordinator()
    with coord:
        m, strong, partial, far, same_agency, low_rank = scoring_world(s, prog, coord)
        r = coord.match_suggest(m["id"], limit=10)
        items = r["items"]
        order = [it["coach_id"] for it in items]
        feasible = sorted((strong, partial, far), key=lambda c: -expected_explain(m, c)["score"])
        assert sorted(order) == sorted(c["id"] for c in feasible), \
            "suggested %s; feasible are %s (same_agency %s, low_rank %s must be absent)" % (
                order, [c["id"] for c in feasible], same_agency["id"], low_rank["id"])
        by_id = {c["id"]: c for c in feasible}
        for it in items:
            c = by_id[it["coach_id"]]
            want = expected_explain(m, c)
            assert it["score"] == want["score"], (c["id"], it["score"], want["score"])
            check_explain(it["explain"], want, "suggest %s" % c["id"])
            assert it["explain"]["feasible"] is True
            assert it["coach"] == card_of(c, COACH_CARD, False), it   # DESIGN 9: the card, no contacts
        scores = [it["score"] for it in items]
        assert scores == sorted(scores, reverse=True), scores
        assert len(coord.match_suggest(m["id"], limit=1)["items"]) == 1


@t
def explain_feasible_and_infeasible(s):
    """match.explain: exact breakdown; same_agency and rank reasons for infeasible pairs"""
    coord, prog = s.coordinator()
    with coord:
        m, strong, partial, far, same_agency, low_rank = scoring_world(s, prog, coord)
        e = coord.match_explain(m["id"], partial["id"])["explain"]
        check_explain(e, expected_explain(m, partial), "explain partial")
        assert e["feasible"] is True and "reason" not in e or e.get("reason") is None, e
        e = coord.match_explain(m["id"], same_agency["id"])["explain"]
        assert e["feasible"] is False and e["reason"] == "same_agency", e
        e = coord.match_explain(m["id"], low_rank["id"])["explain"]
        assert e["feasible"] is False and e["reason"] == "rank", e
        # modality and language
        c = s.gen.coach([prog], modality=["offline"], languages=["en"])
        m2 = s.gen.mentee(prog, modality=["online"])
        coord.coach_put(c)
        coord.mentee_put(m2)
        e = coord.match_explain(m2["id"], c["id"])["explain"]
        assert e["feasible"] is False and e["reason"] == "modality", e
        c2 = s.gen.coach([prog], languages=["jv"])
        coord.coach_put(c2)
        e = coord.match_explain(m2["id"], c2["id"])["explain"]
        assert e["feasible"] is False and e["reason"] == "language", e
        # no gap at all (G = 0 by DESIGN 5) and no competencies at all
        for comps in ([{"code": "M.01", "current": 3, "required": 3}], []):
            mz = s.gen.mentee(prog, competencies=comps)
            coord.mentee_put(mz)
            e = coord.match_explain(mz["id"], partial["id"])["explain"]
            check_explain(e, expected_explain(mz, partial), "explain no-gap %r" % comps)
        c3 = s.gen.coach([prog], availability=0b1)
        m3 = s.gen.mentee(prog, availability=0b10)
        coord.coach_put(c3)
        coord.mentee_put(m3)
        e = coord.match_explain(m3["id"], c3["id"])["explain"]
        assert e["feasible"] is False and e["reason"] == "availability", e
        # precedence (DESIGN 5): capacity before same_agency before rank ...
        c4 = s.gen.coach([prog], capacity=0, organization="K001", rank=3, languages=["jv"])
        coord.coach_put(c4)
        e = coord.match_explain(m["id"], c4["id"])["explain"]
        assert e["feasible"] is False and e["reason"] == "capacity", e
        coord.coach_put(dict(c4, capacity=1))
        e = coord.match_explain(m["id"], c4["id"])["explain"]
        assert e["feasible"] is False and e["reason"] == "same_agency", e
        coord.coach_put(dict(c4, capacity=1, organization="K023"))
        e = coord.match_explain(m["id"], c4["id"])["explain"]
        assert e["feasible"] is False and e["reason"] == "rank", e


# --------------------------------------------------------------- runs

def small_program(s, coord, prog, n_mentees=6, n_coaches=3, capacity=2):
    ms = [s.gen.mentee(prog, province=p) for p in ("31", "32", "33", "35", "51", "73")[:n_mentees]]
    cs = [s.gen.coach([prog], capacity=capacity, province=p) for p in ("31", "35", "73")[:n_coaches]]
    for m in ms:
        coord.mentee_put(m)
    for c in cs:
        coord.coach_put(c)
    return ms, cs


@t
def run_progress_done_and_proposals(s):
    """match.run: run.progress then run.done with stats; match.list holds the proposals with explanations"""
    coord, prog = s.coordinator()
    with coord:
        ms, cs = small_program(s, coord, prog)
        run_id, done, progress = run_and_wait(coord, prog)
        assert progress, "no run.progress before run.done"
        for p in progress:
            assert {"run_id", "phase", "done", "total"} <= set(p), p
            assert 0 <= p["done"] <= p["total"], p
        assert done["status"] == "done", done
        st = done["stats"]
        assert st["mentees"] == 6 and st["coaches"] == 3, st
        assert st["matched"] == 6, st                  # 3 coaches x 2 seats, all feasible
        assert st["certified"] is True, st
        assert sum(st["unmatched"].values()) == 0, st
        items = run_matches(coord, run_id)
        assert len(items) == 6, items
        created = [it["created_at"] for it in items]
        assert created == sorted(created), "match.list not oldest first: %s" % created
        match_keys = {"id", "program", "mentee_id", "coach_id", "status", "score", "run_id", "explain",
                      "created_at", "updated_at", "mentee", "coach"}
        explain_keys = {"score", "feasible", "reason", "gap_coverage", "location", "availability",
                        "competencies"}
        for it in items:
            assert set(it) <= match_keys and set(it) >= match_keys - {"run_id", "explain"}, \
                "match keys %s (DESIGN 3: %s)" % (sorted(it), sorted(match_keys))
            assert set(it["explain"]) <= explain_keys, sorted(it["explain"])
            assert it["explain"]["score"] == it["score"], it
            assert isinstance(it["score"], int) and 0 <= it["score"] <= 10000, it
            assert it["status"] == "proposed" and it["run_id"] == run_id and it["program"] == prog, it
            assert isinstance(it["created_at"], int) and it["updated_at"] >= it["created_at"], it
            m = next(x for x in ms if x["id"] == it["mentee_id"])
            c = next(x for x in cs if x["id"] == it["coach_id"])
            assert it["score"] == expected_explain(m, c)["score"], it
        per_coach = {}
        for it in items:
            per_coach[it["coach_id"]] = per_coach.get(it["coach_id"], 0) + 1
        assert max(per_coach.values()) <= 2, per_coach
        assert st["total_score"] == sum(it["score"] for it in items), st
        assert abs(st["mean_score"] - st["total_score"] / st["matched"]) < 1e-6, st
        gs = [expected_explain(next(x for x in ms if x["id"] == it["mentee_id"]),
                               next(x for x in cs if x["id"] == it["coach_id"]))["gap_coverage"]
              for it in items]
        assert abs(st["mean_gap_coverage"] - sum(gs) / len(gs)) < 1e-6, (st, gs)
        assert isinstance(st["elapsed_ms"], int) and st["elapsed_ms"] >= 0, st
        # filters
        by_prog = list(coord.iterate(coord.match_list, program=prog, status="proposed"))
        assert {x["id"] for x in by_prog} >= {x["id"] for x in items}
        top = max(it["score"] for it in items)
        hi = list(coord.iterate(coord.match_list, run_id=run_id, min_score=top))
        assert hi and all(x["score"] >= top for x in hi), hi
        assert not list(coord.iterate(coord.match_list, run_id=run_id, status="approved"))


@t
def run_reports_unmatched_reasons(s):
    """a run with more mentees than seats reports unmatched by reason (capacity)"""
    coord, prog = s.coordinator()
    with coord:
        small_program(s, coord, prog, n_mentees=5, n_coaches=1, capacity=2)
        lonely = s.gen.mentee(prog, modality=["online"], languages=["bug"])   # nobody speaks it
        coord.mentee_put(lonely)
        run_id, done, _ = run_and_wait(coord, prog)
        st = done["stats"]
        assert st["matched"] == 2, st
        assert st["unmatched"].get("capacity", 0) == 3, st
        assert st["unmatched"].get("no_feasible_coach", 0) == 1, st
        last = coord.stats_get(prog)
        assert last["last_run_id"] == run_id and \
            {k: v for k, v in last["unmatched"].items() if v} == \
            {k: v for k, v in st["unmatched"].items() if v}, (last, st)


@t
def run_policy_quality_and_stable(s):
    """match.run accepts a policy (quality objective, stable mode, min_score); bad policy -> invalid_params"""
    coord, prog = s.coordinator()
    with coord:
        small_program(s, coord, prog)
        for pol in ({"objective": "quality"}, {"mode": "stable"},
                    {"min_score": 9999, "weights": {"gap": 1, "location": 0, "availability": 0}}):
            _, done, _ = run_and_wait(coord, prog, policy=pol)
            assert done["status"] == "done", (pol, done)
        expect_error("invalid_params", coord.match_run, prog, {"objective": "speed"}, field="objective")
        expect_error("invalid_params", coord.match_run, prog, {"min_score": 10001}, field="min_score")
        expect_error("invalid_params", coord.match_run, prog, {"fast": True}, field="fast")


@t
def policy_weights_up_to_100(s):
    # SERVER BUG (found by this test): docs/protocol.md gives policy weights
    # and competency weights the range 0..100 ("normalised by their sum"),
    # but match.run refuses anything above 10 with invalid_params "must be
    # 0..10" (the matcher's thousandths limit leaks through).  Likewise
    # min_rank_gap is -5..5 in docs/protocol.md (proto.h) but the server
    # refuses negative values ("must be 0..5"; docs/methods.md says 0..5:
    # the two documents disagree).
    """policy values in docs/protocol.md's ranges: weights 75/15/10 give the default scores; competency weight 20; min_rank_gap -1"""
    coord, prog = s.coordinator()
    with coord:
        ms, cs = small_program(s, coord, prog)
        bad = []
        for pol in ({"weights": {"gap": 75, "location": 15, "availability": 10}},
                    {"competency_weights": {"M.01": 20}}):
            try:
                r, done, _ = run_and_wait(coord, prog, policy=pol)
            except CoachnetError as e:
                bad.append("%r: %s" % (pol, e))
                continue
            if "weights" in pol:
                for it in run_matches(coord, r):
                    m = next(x for x in ms if x["id"] == it["mentee_id"])
                    c = next(x for x in cs if x["id"] == it["coach_id"])
                    if it["score"] != expected_explain(m, c)["score"]:
                        bad.append("%r: score %d, expected %d" % (pol, it["score"],
                                                                  expected_explain(m, c)["score"]))
        # min_rank_gap -1: a rank-4 coach may coach a rank-5 (jpt_madya) mentee
        senior = s.gen.mentee(prog, position_class="jpt_madya")
        peer = s.gen.coach([prog], rank=4, capacity=1)
        coord.mentee_put(senior)
        coord.coach_put(peer)
        coord.match_pin(prog, senior["id"], peer["id"])
        try:
            r, done, _ = run_and_wait(coord, prog, policy={"min_rank_gap": -1})
            if not find_match(run_matches(coord, r), senior["id"], peer["id"]):
                bad.append("min_rank_gap -1: the pinned rank-4 coach was not given the rank-5 mentee")
        except CoachnetError as e:
            bad.append("min_rank_gap -1: %s" % e)
        expect_error("invalid_params", coord.match_run, prog, {"weights": {"gap": 101}}, field="gap")
        assert not bad, "\n".join(bad)


@t
def pin_and_forbid_bind_runs(s):
    """match.pin places a pair in the next run; match.forbid keeps a pair out (explain says forbidden)"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog, province="31")
        best = s.gen.coach([prog], capacity=1, province="31")
        worse = s.gen.coach([prog], capacity=1, province="94", level=3)
        for x in (m,):
            coord.mentee_put(x)
        coord.coach_put(best)
        coord.coach_put(worse)
        assert coord.match_pin(prog, m["id"], worse["id"]) == {}
        run_id, _, _ = run_and_wait(coord, prog)
        got = find_match(run_matches(coord, run_id), m["id"])
        assert got and got["coach_id"] == worse["id"], got
        assert coord.match_forbid(prog, m["id"], worse["id"]) == {}
        e = coord.match_explain(m["id"], worse["id"])["explain"]
        assert e["feasible"] is False and e["reason"] == "forbidden", e
        run_id, _, _ = run_and_wait(coord, prog)
        got = find_match(run_matches(coord, run_id), m["id"])
        assert got and got["coach_id"] == best["id"], got


@t
def unpin_and_unforbid_take_rules_back(s):
    """match.unpin: the next run no longer places the pair; match.unforbid: the pair is feasible again; a rule that is not there is not_found; another coordinator's program is forbidden"""
    coord, prog = s.coordinator()
    other, _ = s.coordinator()
    with coord, other:
        m = s.gen.mentee(prog, province="31")
        best = s.gen.coach([prog], capacity=1, province="31")
        worse = s.gen.coach([prog], capacity=1, province="94", level=3)
        coord.mentee_put(m)
        coord.coach_put(best)
        coord.coach_put(worse)
        coord.match_pin(prog, m["id"], worse["id"])
        expect_error("forbidden", other.match_unpin, prog, m["id"], worse["id"])
        assert coord.match_unpin(prog, m["id"], worse["id"]) == {}
        assert s.env.redis.cmd("HGET", "cn:pin:" + prog, m["id"]) is None
        expect_error("not_found", coord.match_unpin, prog, m["id"], worse["id"], field="coach_id")
        run_id, _, _ = run_and_wait(coord, prog)
        got = find_match(run_matches(coord, run_id), m["id"])
        assert got and got["coach_id"] == best["id"], got
        coord.match_forbid(prog, m["id"], best["id"])
        assert coord.match_explain(m["id"], best["id"])["explain"]["reason"] == "forbidden"
        expect_error("forbidden", other.match_unforbid, prog, m["id"], best["id"])
        assert coord.match_unforbid(prog, m["id"], best["id"]) == {}
        assert coord.match_explain(m["id"], best["id"])["explain"]["feasible"] is True
        expect_error("not_found", coord.match_unforbid, prog, m["id"], best["id"])
        audit = s.env.redis.cmd("XREVRANGE", "cn:audit", "+", "-", "COUNT", "5")
        txt = lambda v: v.decode() if isinstance(v, bytes) else v
        actions = [txt(dict(zip(map(txt, e[1][::2]), e[1][1::2])).get("ev")) for e in audit]
        assert "match.unpin" in actions and "match.unforbid" in actions, actions


def objective_world(s, coord, prog):
    """X fits C1 perfectly (10000) and C2 barely; Y fits only C1, barely.
    participation: X-C2 + Y-C1; quality and stable: X-C1 alone."""
    X = s.gen.mentee(prog, province="31", comps=["M.01", "M.02"], languages=["id"])
    Y = s.gen.mentee(prog, province="31", comps=["T.pertanian"], languages=["jv"])
    C1 = s.gen.coach([prog], capacity=1, province="31", languages=["id", "jv"])
    C2 = s.gen.coach([prog], capacity=1, province="94", comps=["M.08"], languages=["id"])
    Y["province"] = "94"
    for x in (X, Y):
        coord.mentee_put(x)
    for c in (C1, C2):
        coord.coach_put(c)
    e = {(a, b): expected_explain(m, c)["score"] for a, m in (("X", X), ("Y", Y))
         for b, c in (("C1", C1), ("C2", C2))}
    assert e[("X", "C1")] == 10000 and e[("X", "C2")] + e[("Y", "C1")] < 10000, e
    return X, Y, C1, C2


def pairs(coord, run_id):
    return {(m["mentee_id"], m["coach_id"]) for m in run_matches(coord, run_id)}


@t
def objectives_and_modes_differ(s):
    """participation matches both mentees; quality and stable take the single best pair; min_score leaves Y below_min_score"""
    coord, prog = s.coordinator()
    with coord:
        X, Y, C1, C2 = objective_world(s, coord, prog)
        r, done, _ = run_and_wait(coord, prog)
        assert pairs(coord, r) == {(X["id"], C2["id"]), (Y["id"], C1["id"])}, done
        r, done, _ = run_and_wait(coord, prog, policy={"objective": "quality"})
        assert pairs(coord, r) == {(X["id"], C1["id"])}, done
        assert done["stats"]["unmatched"].get("capacity", 0) + \
            done["stats"]["unmatched"].get("no_feasible_coach", 0) == 1, done
        r, done, _ = run_and_wait(coord, prog, policy={"mode": "stable"})
        assert pairs(coord, r) == {(X["id"], C1["id"])}, done
        r, done, _ = run_and_wait(coord, prog, policy={"min_score": 5000})
        assert pairs(coord, r) == {(X["id"], C1["id"])}, done
        assert done["stats"]["unmatched"].get("below_min_score") == 1, done


@t
def waitlist_bonus_gives_priority(s):
    """a mentee left unmatched by a run gets waitlist_bonus in the next run and wins a close contest"""
    coord, prog = s.coordinator()
    with coord:
        A = s.gen.mentee(prog, province="31", comps=["M.01"])
        B = s.gen.mentee(prog, province="31", comps=["M.01"], availability=0b11)   # 2 common slots
        C = s.gen.coach([prog], capacity=1, province="31")
        for x in (A, B):
            coord.mentee_put(x)
        coord.coach_put(C)
        sa, sb = expected_explain(A, C)["score"], expected_explain(B, C)["score"]
        assert 0 < sa - sb < 500, (sa, sb)
        r1, _, _ = run_and_wait(coord, prog, policy={"waitlist_bonus": 500})
        assert pairs(coord, r1) == {(A["id"], C["id"])}
        r2, _, _ = run_and_wait(coord, prog, policy={"waitlist_bonus": 500})
        assert pairs(coord, r2) == {(B["id"], C["id"])}, \
            "B, unmatched once, should win with the bonus (%d + 500 > %d)" % (sb, sa)
        # the run of r1 was replaced: its proposal is no longer reviewable
        old = run_matches(coord, r1)[0]
        assert old["status"] == "cancelled", old
        r3, _, _ = run_and_wait(coord, prog, policy={"waitlist_bonus": 0})
        assert pairs(coord, r3) == {(A["id"], C["id"])}


def feasible(m, c, min_rank_gap=1):
    """The hard constraints of DESIGN section 5 (capacity aside)."""
    if c["programs"] and m["program"] not in c["programs"]:
        return False
    if m["agency"] == c["organization"]:
        return False
    if c["rank"] < POSITION_CLASSES[m["position_class"]][0] + min_rank_gap:
        return False
    if not set(m["modality"]) & set(c["modality"]) or not set(m["languages"]) & set(c["languages"]):
        return False
    ma, ca = m["availability"] or (1 << 21) - 1, c["availability"] or (1 << 21) - 1
    return bool(ma & ca)


def brute_force(ms, cs, objective):
    """Best (matched, total score) over every capacity-respecting assignment."""
    score = {(i, j): expected_explain(m, c)["score"]
             for i, m in enumerate(ms) for j, c in enumerate(cs) if feasible(m, c)}
    best = (-1, -1)

    def go(i, left, matched, total):
        nonlocal best
        if i == len(ms):
            key = (matched, total) if objective == "participation" else (total, matched)
            cur = best if objective == "participation" else (best[1], best[0])
            if key > cur:
                best = (matched, total)
            return
        go(i + 1, left, matched, total)
        for j in range(len(cs)):
            if (i, j) in score and left[j] > 0:
                left[j] -= 1
                go(i + 1, left, matched + 1, total + score[(i, j)])
                left[j] += 1
    go(0, [c["capacity"] for c in cs], 0, 0)
    return best


@t
def runs_are_optimal_by_brute_force(s):
    """on small random instances, run.done matches the brute-force optimum of both objectives"""
    rnd = random.Random(20260301)
    base = s.gen.program()
    for inst in range(3):
        coord, p = s.coordinator(["%s-bf%d" % (base, inst)])
        with coord:
            ms = [s.gen.mentee(p, position_class=rnd.choice(["pelaksana", "administrator", "ahli_muda"]),
                               province=rnd.choice(["31", "32", "51", "73"]),
                               agency=rnd.choice(["K001", "K015"]),
                               languages=rnd.choice([["id"], ["id", "jv"], ["bug"]]),
                               availability=rnd.choice([0, 0b111, 0b111000, 0b1]))
                  for _ in range(7)]
            cs = [s.gen.coach([p], rank=rnd.choice([3, 4, 5]), capacity=rnd.choice([1, 2]),
                              province=rnd.choice(["31", "33", "94"]), level=rnd.choice([2, 3, 5]),
                              organization=rnd.choice(["K001", "K015", "BUMN"]),
                              languages=rnd.choice([["id"], ["jv", "id"]]),
                              availability=rnd.choice([0, 0b110, 0b1000]),
                              comps=rnd.sample(["M.01", "M.02", "M.03", "M.04", "M.05", "M.06", "M.07", "M.08"], 4))
                  for _ in range(3)]
            for m in ms:
                coord.mentee_put(m)
            for c in cs:
                coord.coach_put(c)
            for objective in ("participation", "quality"):
                want = brute_force(ms, cs, objective)
                _, done, _ = run_and_wait(coord, p, policy={"objective": objective, "waitlist_bonus": 0})
                st = done["stats"]
                got = (st["matched"], st["total_score"])
                assert got == want, "instance %d, %s: run gave (matched, total) %s, optimum %s" % (
                    inst, objective, got, want)


@t
def runs_are_deterministic(s):
    """the same input gives the same proposals (DESIGN 5), with ties present"""
    coord, prog = s.coordinator()
    with coord:
        for i in range(12):                  # many equal scores: ties must break the same way
            coord.mentee_put(s.gen.mentee(prog, province="31", comps=["M.01", "M.02"]))
        for i in range(4):
            coord.coach_put(s.gen.coach([prog], capacity=2, province="31"))
        pol = {"waitlist_bonus": 0}
        r1, _, _ = run_and_wait(coord, prog, policy=pol)
        r2, _, _ = run_and_wait(coord, prog, policy=pol)
        r3, _, _ = run_and_wait(coord, prog, policy=dict(pol, mode="stable"))
        r4, _, _ = run_and_wait(coord, prog, policy=dict(pol, mode="stable"))
        assert pairs(coord, r1) == pairs(coord, r2), "optimal mode differs between two runs"
        assert pairs(coord, r3) == pairs(coord, r4), "stable mode differs between two runs"


@t
def concurrent_runs_of_one_program(s):
    """two match.run of one program pipelined: one starts, the other gets conflict"""
    coord, prog = s.coordinator()
    with coord:
        small_program(s, coord, prog)
        out = coord.pipeline([("match.run", {"program": prog}), ("match.run", {"program": prog})])
        ok = [r for r in out if isinstance(r, dict)]
        errs = [r.code for r in out if not isinstance(r, dict)]
        assert len(ok) == 1 and errs == ["conflict"], out
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            n = coord.next_notification(timeout=20, method="run.done")
            if n.params["run_id"] == ok[0]["run_id"]:
                break
        _, done, _ = run_and_wait(coord, prog)         # the lock is free again
        assert done["status"] == "done"


@t
def larger_run_is_certified(s):
    """a run of 300 mentees and 40 coaches: certified optimum, proposals within capacity, progress phases"""
    coord, prog = s.coordinator()
    with coord:
        provs = ["11", "12", "31", "32", "33", "35", "51", "61", "73", "94"]
        pcs = ["pelaksana", "pengawas", "administrator", "ahli_pertama", "ahli_muda"]
        for i in range(300):
            coord.send("mentee.put", {"profile": s.gen.mentee(
                prog, province=provs[i % 10], position_class=pcs[i % 5],
                agency=["K001", "K015", "P3100"][i % 3])})
        caps = {}
        for i in range(40):
            c = s.gen.coach([prog], capacity=1 + i % 5, rank=4 + i % 3, province=provs[i % 10],
                            level=3 + i % 3, organization=["K001", "K023", "X9"][i % 3])
            caps[c["id"]] = c["capacity"]
            coord.send("coach.put", {"profile": c})
        coord.wait_all()
        run_id, done, progress = run_and_wait(coord, prog, timeout=60 * SLOW)
        st = done["stats"]
        assert done["status"] == "done" and st["certified"] is True, done
        assert st["mentees"] == 300 and st["coaches"] == 40, st
        assert st["matched"] + sum(st["unmatched"].values()) == 300, st
        items = run_matches(coord, run_id)
        assert len(items) == st["matched"], (len(items), st)
        load = {}
        for it in items:
            load[it["coach_id"]] = load.get(it["coach_id"], 0) + 1
        assert all(load[c] <= caps[c] for c in load), "over capacity: %r" % load
        assert len({it["mentee_id"] for it in items}) == len(items), "a mentee matched twice"
        assert st["matched"] == min(300, sum(caps.values())) or st["unmatched"], st
        phases = {p["phase"] for p in progress}
        assert len(phases) >= 2, phases
        batch = [it["id"] for it in items[:100]]
        res = coord.match_review(batch, "approve")["results"]
        assert len(res) == len(batch) and all(r.get("status") == "approved" for r in res), \
            [r for r in res if r.get("status") != "approved"][:5]
        paged = [it["id"] for it in coord.iterate(coord.match_list, run_id=run_id, limit=7)]
        assert sorted(paged) == sorted(it["id"] for it in items) and len(set(paged)) == len(paged), \
            "paging by 7 gave %d ids (%d distinct), expected %d" % (len(paged), len(set(paged)), len(items))


@t
def stats_counts(s):
    """stats.get: counts, capacity, load, utilisation, coverage, matches by status, JP and feedback"""
    coord, prog = s.coordinator()
    with coord:
        ms, cs = small_program(s, coord, prog)            # 6 mentees, 3 coaches x 2 seats
        run_id, _, _ = run_and_wait(coord, prog)
        items = run_matches(coord, run_id)
        first = items[0]
        assert review_one(coord, first["id"], "approve") == "approved"
        mu = s.subject_user(coord, "mentee", first["mentee_id"])
        cu = s.subject_user(coord, "coach", first["coach_id"])
        mu.match_respond(first["id"], True)
        cu.match_respond(first["id"], True)
        mu.meeting_log(first["id"], server_date(), 100)
        mu.feedback_put(first["id"], 4)
        cu.feedback_put(first["id"], 5)
        mu.close()
        cu.close()
        st = coord.stats_get(prog)
        want = {"program": prog, "mentees": 6, "coaches": 3, "capacity": 6, "load": 1,
                "last_run_id": run_id, "jp_total": 2.2, "jp_minutes": 100}
        bad = {k: (st.get(k), v) for k, v in want.items() if st.get(k) != v}
        assert not bad, "stats.get mismatches (got, want): %r\n%r" % (bad, st)
        assert abs(st["utilisation"] - 1 / 6) < 1e-9 and abs(st["coverage"] - 1 / 6) < 1e-9, st
        assert st["matches"].get("active") == 1 and st["matches"].get("proposed") == 5, st
        assert st["feedback"]["count"] == 2 and abs(st["feedback"]["mean_rating"] - 4.5) < 1e-9, st
        assert sum(st["unmatched"].values()) == 0, st
        expect_error("invalid_params", coord.call, "stats.get", {}, field="program")


@t
def mine_lists_own_matches(s):
    """match.mine: the mentee and the coach each see their match once approved"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        c = s.gen.coach([prog], capacity=1)
        coord.mentee_put(m)
        coord.coach_put(c)
        mu = s.subject_user(coord, "mentee", m["id"])
        cu = s.subject_user(coord, "coach", c["id"])
        run_id, _, _ = run_and_wait(coord, prog)
        mid = find_match(run_matches(coord, run_id), m["id"])["id"]
        # proposals are reviewed before anyone is told
        assert all(x["id"] != mid for x in mu.match_mine()["items"]), "mentee sees a proposal"
        assert review_one(coord, mid) == "approved"
        for u in (mu, cu):
            items = u.match_mine()["items"]
            assert [x["id"] for x in items] == [mid], items
            assert items[0]["status"] == "approved"
            u.close()


MENTEE_CARD = ("id", "name", "agency", "position_class", "province", "goals")
COACH_CARD = ("id", "name", "kind", "organization", "province", "bio", "languages")


def card_of(profile, keys, contacts):
    c = {k: profile[k] for k in keys}
    if contacts:
        c.update({k: profile[k] for k in ("email", "phone") if k in profile})
    return c


@t
def cards_by_role_and_status(s):
    """cards (DESIGN 9): the coordinator's match.list carries both cards with contacts; a side sees the other's card from approved on (match.mine), its email and phone from accepted on, its own card never; a cancelled match shows none"""
    coord, prog = s.coordinator()
    with coord:
        m = dict(s.gen.mentee(prog), email="sari@bkn.go.id", phone="+6281234567890", goals="Memimpin tim")
        c = dict(s.gen.coach([prog], capacity=1), email="budi@pertamina.com", phone="+6281100000000",
                 bio="Direktur SDM")
        coord.mentee_put(m)
        coord.coach_put(c)
        mu = s.subject_user(coord, "mentee", m["id"])
        cu = s.subject_user(coord, "coach", c["id"])
        run_id, _, _ = run_and_wait(coord, prog)
        x = find_match(run_matches(coord, run_id), m["id"])
        assert x["mentee"] == card_of(m, MENTEE_CARD, True), x["mentee"]
        assert x["coach"] == card_of(c, COACH_CARD, True), x["coach"]
        assert review_one(coord, x["id"]) == "approved"

        def mine(u):
            items = u.match_mine()["items"]
            assert [i["id"] for i in items] == [x["id"]], items
            return items[0]
        got = mine(mu)
        assert "mentee" not in got and got["coach"] == card_of(c, COACH_CARD, False), got
        got = mine(cu)
        assert "coach" not in got and got["mentee"] == card_of(m, MENTEE_CARD, False), got
        mu.match_respond(x["id"], True)
        got = mine(mu)        # one side accepted: the match is still approved
        assert got["status"] == "approved" and "email" not in got["coach"], got
        got = cu.match_respond(x["id"], True)["match"]      # the answer carries the card too
        assert got["status"] == "accepted" and got["mentee"] == card_of(m, MENTEE_CARD, True), got
        assert mine(mu)["coach"] == card_of(c, COACH_CARD, True)
        assert mine(cu)["mentee"] == card_of(m, MENTEE_CARD, True)
        listed = coord.match_list(program=prog)["items"]
        assert all("mentee" in i and "coach" in i for i in listed), listed
        assert review_one(coord, x["id"], "cancel") == "cancelled"
        for u in (mu, cu):
            got = mine(u)
            assert "mentee" not in got and "coach" not in got, got
            u.close()


@t
def match_get_cards_notes_and_scope(s):
    """match.get (DESIGN 9): the coordinator sees both cards and every note; a side sees its told match with the other's card and the response notes, not the review note; others are forbidden, an untold proposal and an unknown id not_found; older response notes show"""
    coord, prog = s.coordinator()
    other, prog2 = s.coordinator()
    with coord, other:
        m = dict(s.gen.mentee(prog), email="rina@bkn.go.id")
        c = dict(s.gen.coach([prog], capacity=1), phone="+6281100000001")
        stranger = s.gen.coach([prog2])               # a coach of another program
        coord.mentee_put(m)
        coord.coach_put(c)
        other.coach_put(stranger)
        mu = s.subject_user(coord, "mentee", m["id"])
        cu = s.subject_user(coord, "coach", c["id"])
        su = s.subject_user(other, "coach", stranger["id"])
        run_id, _, _ = run_and_wait(coord, prog)
        mid = find_match(run_matches(coord, run_id), m["id"], c["id"])["id"]
        got = coord.match_get(mid)["match"]
        assert got["mentee"] == card_of(m, MENTEE_CARD, True) and got["coach"] == card_of(c, COACH_CARD, True), got
        assert got["notes"] == [] and got["status"] == "proposed", got
        expect_error("not_found", mu.match_get, mid, field="match_id")       # not told yet
        assert review_one(coord, mid, note="Dekat dan cocok") == "approved"
        got = coord.match_get(mid)["match"]
        [n] = got["notes"]
        assert n["role"] == "coordinator" and n["text"] == "Dekat dan cocok" and n["by"].startswith("coord"), n
        got = mu.match_get(mid)["match"]
        assert got["coach"] == card_of(c, COACH_CARD, False) and "mentee" not in got and got["notes"] == [], got
        got = cu.match_get(mid)["match"]
        assert got["mentee"] == card_of(m, MENTEE_CARD, False) and "coach" not in got, got
        mu.match_respond(mid, True, "Siap mulai")
        cu.match_respond(mid, True, "Sampai bertemu")
        got = mu.match_get(mid)["match"]
        assert got["status"] == "accepted" and got["coach"] == card_of(c, COACH_CARD, True), got
        assert [(n["by"], n["role"], n["text"]) for n in got["notes"]] == \
            [(m["id"], "mentee", "Siap mulai"), (c["id"], "coach", "Sampai bertemu")], got["notes"]
        assert cu.match_get(mid)["match"]["mentee"] == card_of(m, MENTEE_CARD, True)
        notes = coord.match_get(mid)["match"]["notes"]
        assert [n["role"] for n in notes] == ["coordinator", "mentee", "coach"], notes
        assert all(isinstance(n["at"], int) and n["at"] > 0 for n in notes), notes
        # a response note of an earlier version, kept in the match hash, shows first
        s.env.redis.cmd("HSET", "cn:match:" + mid, "mentee_note", "catatan lama")
        first = mu.match_get(mid)["match"]["notes"][0]
        assert first["text"] == "catatan lama" and first["role"] == "mentee", first
        expect_error("forbidden", su.match_get, mid, field="match_id")       # a coach of another match
        expect_error("forbidden", other.match_get, mid, field="match_id")    # another program's coordinator
        expect_error("not_found", coord.match_get, "m999999999", field="match_id")
        expect_error("invalid_params", coord.call, "match.get", {}, field="match_id")
        expect_error("forbidden", s.admin().match_get, mid)
        for u in (mu, cu, su):
            u.close()


if __name__ == "__main__":
    main(suite)
