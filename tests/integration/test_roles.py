#!/usr/bin/python3
"""Role restrictions of DESIGN section 3 on a real coachnetd: every call a
role may not make gets `forbidden`, while the allowed ones succeed.

Roles: admin (user management only), coordinator (scoped to its programs),
mentee and coach users (speaking for their `subject` only).  The objects a
forbidden call names exist, so `forbidden` is never confused with
`not_found`."""

from harness import (Suite, main, expect_error, CoachnetError, run_and_wait, run_matches,
                     find_match, review_one, check_store_invariants)

suite = Suite("roles")
t = suite.test
PW = Suite.PASSWORD


class Cast:
    """Program P with coordinator, two mentees and two coaches with users,
    an approved+accepted match m1-c1 and a proposed one m2-c2; a second
    program Q with its own coordinator; the admin."""

    def __init__(self, s):
        self.s = s
        self.coord, self.P = s.coordinator()
        self.qcoord, self.Q = s.coordinator()
        g = s.gen
        self.m1, self.m2 = g.mentee(self.P), g.mentee(self.P)
        self.c1, self.c2 = g.coach([self.P], capacity=1), g.coach([self.P], capacity=1)
        self.mq = g.mentee(self.Q)
        self.cq = g.coach([self.Q], capacity=1)
        for x in (self.m1, self.m2):
            self.coord.mentee_put(x)
        for x in (self.c1, self.c2):
            self.coord.coach_put(x)
        self.qcoord.mentee_put(self.mq)
        self.qcoord.coach_put(self.cq)
        self.mu1 = s.subject_user(self.coord, "mentee", self.m1["id"])
        self.mu2 = s.subject_user(self.coord, "mentee", self.m2["id"])
        self.cu1 = s.subject_user(self.coord, "coach", self.c1["id"])
        self.cu2 = s.subject_user(self.coord, "coach", self.c2["id"])
        self.admin = s.admin()
        self._matches = False

    def matches(self):
        """Set up the matches on first use (needs match.run/review/respond)."""
        if self._matches:
            return self
        self.coord.match_pin(self.P, self.m1["id"], self.c1["id"])
        self.coord.match_pin(self.P, self.m2["id"], self.c2["id"])
        run_id, _, _ = run_and_wait(self.coord, self.P)
        self.prun = run_id
        items = run_matches(self.coord, run_id)
        self.match1 = find_match(items, self.m1["id"], self.c1["id"])["id"]
        self.match2 = find_match(items, self.m2["id"], self.c2["id"])["id"]
        assert review_one(self.coord, self.match1) == "approved"
        self.mu1.match_respond(self.match1, True)
        self.cu1.match_respond(self.match1, True)
        self.qrun, _, _ = run_and_wait(self.qcoord, self.Q)
        self.qmatch = run_matches(self.qcoord, self.qrun)[0]["id"]
        self._matches = True
        return self

    def close(self):
        for c in (self.coord, self.qcoord, self.mu1, self.mu2, self.cu1, self.cu2):
            c.close()


CAST = []


def cast(s):
    if not CAST:
        CAST.append(Cast(s))
    return CAST[0]


def forbidden_all(calls):
    """calls: (description, fn); each must raise forbidden.  Collects every
    deviation so one failure does not hide the others."""
    bad = []
    for desc, fn in calls:
        try:
            r = fn()
            bad.append("%s: allowed (%r)" % (desc, r))
        except CoachnetError as e:
            if e.code != "forbidden":
                bad.append("%s: %s" % (desc, e))
    assert not bad, "%d of %d calls not forbidden:\n%s" % (len(bad), len(calls), "\n".join(bad))


@t
def setup_cast(s):
    """set up: program P (coordinator, 2 mentees, 2 coaches, their users) and program Q"""
    cast(s)


@t
def mentee_forbidden_profile_calls(s):
    """a mentee: forbidden on users, others' profiles, lists, runs, pins, stats"""
    c = cast(s)
    u = c.mu1
    m2, c1 = c.m2, c.c1
    forbidden_all([
        ("user.create", lambda: u.user_create(s.uniq("x"), PW, "mentee", subject=m2["id"])),
        ("user.disable", lambda: u.user_disable("admin")),
        ("mentee.put other", lambda: u.mentee_put(m2)),
        ("mentee.get other", lambda: u.mentee_get(m2["id"])),
        ("mentee.list", lambda: u.mentee_list(program=c.P)),
        ("coach.put", lambda: u.coach_put(c1)),
        ("coach.get", lambda: u.coach_get(c1["id"])),
        ("coach.list", lambda: u.coach_list(program=c.P)),
        ("match.suggest other", lambda: u.match_suggest(m2["id"])),
        ("match.run", lambda: u.match_run(c.P)),
        ("match.list", lambda: u.match_list(program=c.P)),
        ("match.explain other", lambda: u.match_explain(m2["id"], c1["id"])),
        ("match.pin", lambda: u.match_pin(c.P, c.m1["id"], c1["id"])),
        ("match.forbid", lambda: u.match_forbid(c.P, c.m1["id"], c.c2["id"])),
        ("stats.get", lambda: u.stats_get(c.P)),
    ])


@t
def mentee_forbidden_match_calls(s):
    """a mentee: forbidden on review and on other people's matches"""
    c = cast(s).matches()
    u = c.mu1
    forbidden_all([
        ("match.review", lambda: u.match_review([c.match2], "approve")),
        ("match.respond other", lambda: u.match_respond(c.match2, True)),
        ("meeting.log other", lambda: u.meeting_log(c.qmatch, "2026-03-02", 60)),
        ("feedback.put other", lambda: u.feedback_put(c.match2, 5)),
    ])


@t
def mentee_allowed_calls(s):
    """a mentee: own profile get/put, suggest, explain succeed; mine lists its match"""
    c = cast(s)
    u = c.mu1
    g = u.mentee_get(c.m1["id"])
    u.mentee_put(dict(c.m1, goals="Tujuan baru"), if_version=g["version"])
    assert isinstance(u.match_suggest(c.m1["id"])["items"], list)
    assert u.match_explain(c.m1["id"], c.c2["id"])["explain"]["score"] >= 0
    c.matches()
    assert [x["id"] for x in u.match_mine()["items"]] == [c.match1]


@t
def coach_forbidden_profile_calls(s):
    """a coach: forbidden on users, other coaches, mentee profiles, lists, suggest, runs, pins, stats"""
    c = cast(s)
    u = c.cu1
    forbidden_all([
        ("user.create", lambda: u.user_create(s.uniq("x"), PW, "coach", subject=c.c2["id"])),
        ("user.disable", lambda: u.user_disable("admin")),
        ("coach.put other", lambda: u.coach_put(c.c2)),
        ("coach.get other", lambda: u.coach_get(c.c2["id"])),
        ("coach.list", lambda: u.coach_list(program=c.P)),
        ("mentee.put", lambda: u.mentee_put(c.m1)),
        ("mentee.get", lambda: u.mentee_get(c.m2["id"])),
        ("mentee.list", lambda: u.mentee_list(program=c.P)),
        ("match.suggest", lambda: u.match_suggest(c.m1["id"])),
        ("match.request", lambda: u.match_request(c.c2["id"])),
        ("match.run", lambda: u.match_run(c.P)),
        ("match.list", lambda: u.match_list(program=c.P)),
        ("match.explain", lambda: u.match_explain(c.m2["id"], c.c1["id"])),
        ("match.pin", lambda: u.match_pin(c.P, c.m2["id"], c.c1["id"])),
        ("match.forbid", lambda: u.match_forbid(c.P, c.m2["id"], c.c1["id"])),
        ("stats.get", lambda: u.stats_get(c.P)),
    ])


@t
def coach_forbidden_match_calls(s):
    """a coach: forbidden on review and on other people's matches"""
    c = cast(s).matches()
    u = c.cu1
    forbidden_all([
        ("match.review", lambda: u.match_review([c.match2], "approve")),
        ("match.respond other", lambda: u.match_respond(c.qmatch, True)),
        ("meeting.log other", lambda: u.meeting_log(c.qmatch, "2026-03-02", 60)),
        ("feedback.put other", lambda: u.feedback_put(c.qmatch, 5)),
    ])


@t
def coach_allowed_calls(s):
    """a coach: own profile get/put succeed; mine lists its match"""
    c = cast(s)
    u = c.cu1
    g = u.coach_get(c.c1["id"])
    u.coach_put(dict(c.c1, bio="Bio baru"), if_version=g["version"])
    c.matches()
    assert [x["id"] for x in u.match_mine()["items"]] == [c.match1]


@t
def coordinator_outside_scope(s):
    """a coordinator: forbidden on another program's profiles, lists, runs, pins, stats; on users it may not make"""
    c = cast(s)
    u = c.qcoord
    forbidden_all([
        ("mentee.put into P", lambda: u.mentee_put(s.gen.mentee(c.P))),
        ("mentee.put overwrite P's mentee", lambda: u.mentee_put(dict(c.m2, program=c.Q))),
        ("mentee.get P", lambda: u.mentee_get(c.m1["id"])),
        ("mentee.list P", lambda: u.mentee_list(program=c.P)),
        ("coach.put P", lambda: u.coach_put(s.gen.coach([c.P]))),
        ("coach.put take P's coach into Q", lambda: u.coach_put(dict(c.c2, programs=[c.Q]))),
        ("coach.get P", lambda: u.coach_get(c.c1["id"])),
        ("coach.list P", lambda: u.coach_list(program=c.P)),
        ("match.suggest P", lambda: u.match_suggest(c.m1["id"])),
        ("match.run P", lambda: u.match_run(c.P)),
        ("match.list P", lambda: u.match_list(program=c.P)),
        ("match.explain P", lambda: u.match_explain(c.m1["id"], c.c1["id"])),
        ("match.pin P", lambda: u.match_pin(c.P, c.m2["id"], c.c1["id"])),
        ("match.forbid P", lambda: u.match_forbid(c.P, c.m2["id"], c.c1["id"])),
        ("stats.get P", lambda: u.stats_get(c.P)),
        ("user.create coordinator", lambda: u.user_create(s.uniq("x"), PW, "coordinator", programs=[c.Q])),
        ("user.create admin", lambda: u.user_create(s.uniq("x"), PW, "admin")),
        ("user.create mentee of P", lambda: u.user_create(s.uniq("x"), PW, "mentee", subject=c.m2["id"])),
        ("user.create coach of P", lambda: u.user_create(s.uniq("x"), PW, "coach", subject=c.c2["id"])),
        ("user.disable", lambda: u.user_disable("admin")),
        ("match.mine", lambda: u.match_mine()),
        ("match.request", lambda: u.match_request(c.cq["id"])),
    ])


@t
def coordinator_outside_scope_before_version(s):
    """a coordinator writing another program's profile with a stale if_version: forbidden (scope before stored state, methods.md "Order of the checks"), not a conflict that tells the stored version"""
    c = cast(s)
    u = c.qcoord
    forbidden_all([
        ("mentee.put P's mentee, if_version 0", lambda: u.mentee_put(dict(c.m2, program=c.Q), if_version=0)),
        ("mentee.put P's mentee, if_version 99", lambda: u.mentee_put(dict(c.m2, program=c.Q), if_version=99)),
        ("coach.put P's coach, if_version 0", lambda: u.coach_put(dict(c.c2, programs=[c.Q]), if_version=0)),
    ])


@t
def coordinator_forbidden_match_calls(s):
    """a coordinator: forbidden to review another program's match, and to respond, log meetings, give feedback"""
    c = cast(s).matches()
    u = c.qcoord
    forbidden_all([
        ("match.review P", lambda: u.match_review([c.match2], "approve")),
        ("match.review P among own", lambda: u.match_review([c.qmatch, c.match2], "reject")),
        ("match.list run of P", lambda: u.match_list(run_id=c.prun)),
        ("match.respond", lambda: u.match_respond(c.qmatch, True)),
        ("meeting.log", lambda: u.meeting_log(c.match1, "2026-03-02", 60)),
        ("feedback.put", lambda: u.feedback_put(c.match1, 5)),
    ])
    assert review_one(u, c.match2) == "forbidden"


@t
def admin_limited_to_user_management(s):
    """the admin: user.create/user.disable only; every domain method is forbidden (DESIGN 3 'who')"""
    c = cast(s)
    a = c.admin
    forbidden_all([
        ("mentee.put", lambda: a.mentee_put(s.gen.mentee(c.P))),
        ("mentee.get", lambda: a.mentee_get(c.m1["id"])),
        ("mentee.list", lambda: a.mentee_list(program=c.P)),
        ("coach.put", lambda: a.coach_put(s.gen.coach([c.P]))),
        ("coach.get", lambda: a.coach_get(c.c1["id"])),
        ("coach.list", lambda: a.coach_list(program=c.P)),
        ("match.suggest", lambda: a.match_suggest(c.m1["id"])),
        ("match.run", lambda: a.match_run(c.P)),
        ("match.list", lambda: a.match_list(program=c.P)),
        ("match.pin", lambda: a.match_pin(c.P, c.m2["id"], c.c1["id"])),
        ("match.forbid", lambda: a.match_forbid(c.P, c.m2["id"], c.c1["id"])),
        ("match.explain", lambda: a.match_explain(c.m1["id"], c.c1["id"])),
        ("match.mine", lambda: a.match_mine()),
        ("match.request", lambda: a.match_request(c.c2["id"])),
        ("stats.get", lambda: a.stats_get(c.P)),
    ])


@t
def admin_forbidden_match_calls(s):
    """the admin: forbidden on review, respond, meetings and feedback"""
    c = cast(s).matches()
    a = c.admin
    forbidden_all([
        ("match.review", lambda: a.match_review([c.match2], "approve")),
        ("match.respond", lambda: a.match_respond(c.match1, True)),
        ("meeting.log", lambda: a.meeting_log(c.match1, "2026-03-02", 60)),
        ("feedback.put", lambda: a.feedback_put(c.match1, 5)),
    ])


@t
def request_outside_program_forbidden(s):
    """a mentee requesting a coach who does not coach in its program: forbidden"""
    c = cast(s)
    e = None
    try:
        c.mu2.match_request(c.cq["id"])
    except CoachnetError as err:
        e = err
    assert e is not None and e.code == "forbidden", e
    # and such a coach is never suggested
    assert c.cq["id"] not in [x["coach_id"] for x in c.coord.match_suggest(c.m2["id"], limit=100)["items"]]


@t
def coordinator_user_creation_scope(s):
    """a coordinator creates mentee/coach users for its own program's subjects only"""
    c = cast(s)
    m = s.gen.mentee(c.P)
    c.coord.mentee_put(m)
    assert c.coord.user_create(s.uniq("m"), PW, "mentee", subject=m["id"]) == {}
    expect_error("forbidden", c.coord.user_create, s.uniq("m"), PW, "mentee", subject=c.mq["id"])


@t
def one_user_per_subject(s):
    """a subject has at most one user: a second login for a mentee or coach is conflict naming the first, for a coordinator and (without rebind) an admin"""
    c = cast(s)
    m, co = s.gen.mentee(c.P), s.gen.coach([c.P])
    c.coord.mentee_put(m)
    c.coord.coach_put(co)
    lm, lc = s.uniq("m"), s.uniq("c")
    c.coord.user_create(lm, PW, "mentee", subject=m["id"])
    c.coord.user_create(lc, PW, "coach", subject=co["id"])
    for who in (c.coord, c.admin):
        second = s.uniq("x")
        e = expect_error("conflict", who.user_create, second, PW, "mentee", subject=m["id"], field="subject")
        assert lm in e.message, e
        e = expect_error("conflict", who.user_create, second, PW, "coach", subject=co["id"], field="subject")
        assert lc in e.message, e
        expect_error("unauthenticated", s.srv.login, second, PW)
    expect_error("forbidden", c.coord.user_create, s.uniq("x"), PW, "mentee", subject=m["id"], rebind=True,
                 field="rebind")
    # the first user still speaks for the mentee
    with s.srv.login(lm, PW) as u:
        assert u.mentee_get(m["id"])["profile"]["id"] == m["id"]


@t
def admin_rebinds_disabled_subject(s):
    """re-binding a subject to a new login: an admin, with rebind, once the bound user is disabled (a disabled user still holds its subject)"""
    c = cast(s)
    m = s.gen.mentee(c.P)
    c.coord.mentee_put(m)
    old, new = s.uniq("m"), s.uniq("m")
    c.coord.user_create(old, PW, "mentee", subject=m["id"])
    e = expect_error("conflict", c.admin.user_create, new, PW, "mentee", subject=m["id"], rebind=True, field="subject")
    assert old in e.message and "disable" in e.message, e
    c.admin.user_disable(old)
    expect_error("conflict", c.coord.user_create, new, PW, "mentee", subject=m["id"], field="subject")
    expect_error("conflict", c.admin.user_create, new, PW, "mentee", subject=m["id"], field="subject")
    assert c.admin.user_create(new, PW, "mentee", subject=m["id"], rebind=True) == {}
    with s.srv.login(new, PW) as u:
        assert u.mentee_get(m["id"])["profile"]["id"] == m["id"]
    expect_error("conflict", c.coord.user_create, s.uniq("m"), PW, "mentee", subject=m["id"], field="subject")
    # rebind on a subject without a user is a plain create
    m2 = s.gen.mentee(c.P)
    c.coord.mentee_put(m2)
    assert c.admin.user_create(s.uniq("m"), PW, "mentee", subject=m2["id"], rebind=True) == {}


@t
def disabled_mentee_loses_access(s):
    """after user.disable by the admin the mentee's calls are unauthenticated"""
    c = cast(s)
    m = s.gen.mentee(c.P)
    c.coord.mentee_put(m)
    login = s.uniq("m")
    c.coord.user_create(login, PW, "mentee", subject=m["id"])
    u = s.srv.login(login, PW)
    u.mentee_get(m["id"])
    tok = u.token
    c.admin.user_disable(login)
    expect_error("unauthenticated", u.mentee_get, m["id"])
    u.close()
    with s.srv.client() as u2:
        expect_error("unauthenticated", u2.auth_resume, tok)
        expect_error("unauthenticated", u2.auth_login, login, PW)


@t
def mentee_owned_fields(s):
    """a mentee writing its own profile may not change program, position_class or agency (DESIGN 9: forbidden naming the field); other fields it may"""
    c = cast(s)
    m = s.gen.mentee(c.P)
    c.coord.mentee_put(m)
    with s.subject_user(c.coord, "mentee", m["id"]) as u:
        for field, value in (("program", c.Q), ("position_class", "pengawas"), ("agency", "K015")):
            e = expect_error("forbidden", u.mentee_put, dict(m, **{field: value}), field="profile." + field)
            assert field in e.message, e
        g = c.coord.mentee_get(m["id"])
        assert g["version"] == 1 and g["profile"]["program"] == c.P, g
        assert m["id"] not in [x["id"] for x in c.qcoord.mentee_list(program=c.Q)["items"]]
        assert u.mentee_put(dict(m, goals="Tujuan baru"), if_version=1)["version"] == 2
        # the coordinator still may
        assert c.coord.mentee_put(dict(m, agency="K015", position_class="pengawas"))["version"] == 3


@t
def mentee_first_profile_by_coordinator(s):
    """a mentee user whose profile does not exist yet cannot write it (and so choose its program): forbidden"""
    c = cast(s)
    m = s.gen.mentee(c.P)
    login = s.uniq("m")
    c.admin.user_create(login, PW, "mentee", subject=m["id"])
    with s.srv.login(login, PW) as u:
        expect_error("forbidden", u.mentee_put, m, field="profile.program")
        expect_error("not_found", c.coord.mentee_get, m["id"])
        c.coord.mentee_put(m)
        assert u.mentee_put(dict(m, goals="Tujuan saya"))["version"] == 2


@t
def coach_owned_fields(s):
    """a coach writing its own profile may not change programs, kind or rank, nor raise capacity; it may lower capacity and reorder its programs"""
    c = cast(s)
    other = s.program()
    co = s.gen.coach([c.P, other], capacity=3)
    with s.coordinator([c.P, other])[0] as wide:   # `other` is outside c.coord's programs
        wide.coach_put(co)
    with s.subject_user(c.coord, "coach", co["id"]) as u:
        for field, value in (("programs", [c.P, other, c.Q]), ("programs", [c.P]),
                             ("kind", "widyaiswara"), ("rank", 4), ("capacity", 4), ("capacity", 50)):
            e = expect_error("forbidden", u.coach_put, dict(co, **{field: value}), field="profile." + field)
            assert field in e.message, e
        g = c.coord.coach_get(co["id"])
        assert g["version"] == 1 and g["profile"]["capacity"] == 3 and g["profile"]["programs"] == co["programs"], g
        assert u.coach_put(dict(co, programs=[other, c.P], bio="Bio baru"))["version"] == 2
        assert u.coach_put(dict(co, capacity=1))["version"] == 3
        expect_error("forbidden", u.coach_put, dict(co, capacity=2), field="profile.capacity")
        # the coordinator still may
        assert c.coord.coach_put(dict(co, capacity=5, rank=4))["version"] == 4


@t
def coach_capacity_not_below_load(s):
    """a coach with one live match may not lower its capacity below 1; keeping it is fine"""
    c = cast(s).matches()
    g = c.cu1.coach_get(c.c1["id"])
    assert g["profile"]["capacity"] == 1 and g["load"] == 1, g
    e = expect_error("forbidden", c.cu1.coach_put, dict(g["profile"], capacity=0), field="profile.capacity")
    assert "1" in e.message, e
    c.cu1.coach_put(dict(g["profile"], bio="Masih 1"))


@t
def store_invariants_hold(s):
    """after the suite: every coach's seat counter equals its live matches; one live match per mentee"""
    problems = check_store_invariants(s.env.redis)
    assert not problems, "\n".join(problems[:20])


if __name__ == "__main__":
    main(suite)
