#!/usr/bin/python3
"""Programs as objects (DESIGN section 9, issue 11): program.put / get /
list (an admin creates and edits; a coordinator reads and edits its own,
creates none); a profile, run, pin or user naming an unknown program is
invalid_params naming the field; match.request only in a self-service
program; a coach lists 1..16 programs (no "every program")."""

from harness import Suite, main, expect_error

suite = Suite("programs")
t = suite.test


def stored(s, pid):
    """program:<pid> in Redis as a dict of str (field -> value)."""
    flat = s.env.redis.cmd("HGETALL", "cn:program:" + pid)
    return {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}


@t
def admin_creates_and_reads(s):
    """program.put by an admin creates the program with its defaults; program.get returns it; a second put replaces it"""
    a = s.admin()
    pid = s.gen.program()
    assert a.program_put({"id": pid, "name": "PKN Tingkat II", "year": 2026}) == {}
    got = a.program_get(pid)["program"]
    assert got == {"id": pid, "name": "PKN Tingkat II", "year": 2026, "self_service": False, "jp_target": 20,
                   "description": ""}, got
    h = stored(s, pid)
    assert h["jp_target"] == b"20" and h["self_service"] == b"0" and h["year"] == b"2026", h
    new = {"id": pid, "name": "PKN Tingkat II 2027", "year": 2027, "self_service": True, "jp_target": 40,
           "description": "Angkatan kedua\nJakarta"}
    assert a.program_put(new) == {}
    assert a.program_get(pid)["program"] == new
    assert stored(s, pid)["jp_target"] == b"40"
    audit = s.env.redis.cmd("XRANGE", "cn:audit", "-", "+")
    actions = [f[1].decode() for _, f in audit if pid.encode() in f]
    assert "program.create" in actions and "program.update" in actions, actions


@t
def unknown_program_not_found(s):
    """program.get of a program that does not exist is not_found naming id"""
    expect_error("not_found", s.admin().program_get, s.gen.program(), field="id")


@t
def coordinator_edits_its_own_only(s):
    """a coordinator reads and edits its programs; another program is forbidden; creating one is forbidden"""
    coord, prog = s.coordinator()
    other = s.program()
    with coord:
        p = coord.program_get(prog)["program"]
        p["jp_target"] = 25
        p["name"] = "Renamed by its coordinator"
        assert coord.program_put(p) == {}
        assert s.admin().program_get(prog)["program"] == p
        expect_error("forbidden", coord.program_get, other)
        expect_error("forbidden", coord.program_put, s.gen.program_object(other))
        fresh = s.gen.program()
        e = expect_error("forbidden", coord.program_put, s.gen.program_object(fresh), field="program.id")
        expect_error("not_found", s.admin().program_get, fresh)
        assert e.code == "forbidden"


@t
def coordinator_cannot_create_in_its_scope(s):
    """a program of a coordinator's scope that no longer exists cannot be created by that coordinator"""
    coord, prog = s.coordinator()
    with coord:
        s.env.redis.cmd("DEL", "cn:program:" + prog)
        e = expect_error("forbidden", coord.program_put, s.gen.program_object(prog), field="program.id")
        assert "admin" in e.message, e
        s.program(prog)
        assert coord.program_get(prog)["program"]["id"] == prog


@t
def other_roles_forbidden(s):
    """mentees and coaches may not call program.put / get / list; unauthenticated callers neither"""
    coord, prog = s.coordinator()
    with coord:
        m = s.gen.mentee(prog)
        coord.mentee_put(m)
        c = s.gen.coach([prog])
        coord.coach_put(c)
        for u in (s.subject_user(coord, "mentee", m["id"]), s.subject_user(coord, "coach", c["id"])):
            with u:
                expect_error("forbidden", u.program_get, prog)
                expect_error("forbidden", u.program_list)
                expect_error("forbidden", u.program_put, s.gen.program_object(prog))
    with s.srv.client() as anon:
        expect_error("unauthenticated", anon.program_get, prog)


@t
def invalid_programs(s):
    """program.put checks each field: name 1..128 on one line, year 2000..2100, jp_target 0..1000, description <= 2000, no unknown key"""
    a = s.admin()
    base = s.gen.program_object()
    for field, bad in (("name", ""), ("name", "x" * 129), ("name", "two\nlines"), ("year", 1999), ("year", 2101),
                       ("jp_target", -1), ("jp_target", 1001), ("description", "d" * 2001), ("id", "a b"),
                       ("self_service", "yes"), ("color", "red")):
        p = dict(base)
        p[field] = bad
        expect_error("invalid_params", a.program_put, p, field="program." + field)
    for field in ("id", "name", "year"):
        p = dict(base)
        del p[field]
        expect_error("invalid_params", a.program_put, p, field="program." + field)
    expect_error("not_found", a.program_get, base["id"])
    p = dict(base, name="x" * 128, description="d" * 2000, jp_target=1000, year=2100)
    assert a.program_put(p) == {} and a.program_get(p["id"])["program"] == p


@t
def list_pages_to_the_end(s):
    """program.list: an admin pages through every program in id order to the last page (cursor nil)"""
    a = s.admin()
    mine = sorted(s.program("zz-list-%02d" % i) for i in range(7))
    seen, cursor, pages = [], None, 0
    while True:
        res = a.program_list(cursor=cursor, limit=3)
        assert len(res["items"]) <= 3
        seen += [p["id"] for p in res["items"]]
        pages += 1
        cursor = res["cursor"]
        if cursor is None:
            break
        assert pages < 1000
    assert seen == sorted(seen) and len(seen) == len(set(seen)), seen
    assert [x for x in seen if x.startswith("zz-list-")] == mine, seen
    assert set(seen) >= s._programs
    expect_error("invalid_params", a.program_list, cursor="nothex", field="cursor")
    expect_error("invalid_params", a.program_list, limit=0, field="limit")


@t
def coordinator_lists_its_programs(s):
    """program.list for a coordinator: its programs only, in id order, paged"""
    progs = [s.gen.program() for _ in range(3)]
    coord, _ = s.coordinator(progs)
    s.program()
    with coord:
        res = coord.program_list()
        assert [p["id"] for p in res["items"]] == sorted(progs) and res["cursor"] is None, res
        first = coord.program_list(limit=2)
        assert [p["id"] for p in first["items"]] == sorted(progs)[:2] and first["cursor"], first
        rest = coord.program_list(cursor=first["cursor"], limit=2)
        assert [p["id"] for p in rest["items"]] == sorted(progs)[2:] and rest["cursor"] is None, rest


@t
def unknown_program_refused_everywhere(s):
    """a profile, run, pin/forbid or user naming an unknown program is invalid_params naming the field"""
    prog, ghost = s.program(), s.gen.program()
    login = s.uniq("coord")
    s.admin().user_create(login, s.PASSWORD, "coordinator", programs=[prog])
    with s.srv.login(login, s.PASSWORD) as coord:
        m = s.gen.mentee(prog)
        coord.mentee_put(m)
        c = s.gen.coach([prog])
        coord.coach_put(c)
        # the coordinator's scope holds the unknown program: only its existence refuses it
        s.env.redis.cmd("HSET", "cn:user:" + login, "programs", prog + "," + ghost)
        with s.srv.login(login, s.PASSWORD) as wide:
            e = expect_error("invalid_params", wide.mentee_put, s.gen.mentee(ghost), field="profile.program")
            assert ghost in e.message, e
            expect_error("invalid_params", wide.coach_put, s.gen.coach([prog, ghost]), field="profile.programs[1]")
            expect_error("invalid_params", wide.match_run, ghost, field="program")
            expect_error("invalid_params", wide.match_pin, ghost, m["id"], c["id"], field="program")
            expect_error("invalid_params", wide.match_forbid, ghost, m["id"], c["id"], field="program")
        expect_error("invalid_params", s.admin().user_create, s.uniq("coord"), s.PASSWORD, "coordinator",
                     programs=[prog, ghost], field="programs[1]")
        assert s.env.redis.cmd("EXISTS", "cn:program:" + ghost) == 0


@t
def coordinator_keeps_a_coachs_other_programs(s):
    """a coordinator neither adds a coach to a program outside its own nor removes it from one (a new coach's too): forbidden naming profile.programs; it edits the coach otherwise; a coordinator of both programs may"""
    # Regression test (a review helper's probe): only the old programs were
    # checked against the scope, and only for one of them, so a
    # coordinator of A alone took a coach of A and B out of B's pool (B's
    # coordinator then got forbidden on it) and put it into C's.
    pa, pb, pc = s.program(), s.program(), s.program()
    coord_a, _ = s.coordinator([pa])
    coord_b, _ = s.coordinator([pb])
    both, _ = s.coordinator([pa, pb])
    with coord_a, coord_b, both:
        c = s.gen.coach([pa, pb], capacity=2)
        e = expect_error("forbidden", coord_a.coach_put, c, field="profile.programs")
        assert pb in e.message and "add" in e.message, e
        expect_error("not_found", both.coach_get, c["id"])
        assert both.coach_put(c)["version"] == 1
        e = expect_error("forbidden", coord_a.coach_put, dict(c, programs=[pa]), field="profile.programs")
        assert pb in e.message and "remove" in e.message, e
        e = expect_error("forbidden", coord_a.coach_put, dict(c, programs=[pa, pb, pc]), field="profile.programs")
        assert pc in e.message, e
        expect_error("forbidden", coord_a.coach_put, dict(c, programs=[pa, pc]), field="profile.programs")
        got = coord_b.coach_get(c["id"])
        assert got["version"] == 1 and got["profile"]["programs"] == [pa, pb], got
        assert [x["id"] for x in coord_b.coach_list(program=pb)["items"]] == [c["id"]]
        # the coach's other fields, its programs in another order: its coordinators' to edit
        assert coord_a.coach_put(dict(c, programs=[pb, pa], capacity=3))["version"] == 2
        assert coord_b.coach_put(dict(c, programs=[pa, pb], capacity=4))["version"] == 3
        # B's coordinator takes it out of B (its own program); then A's coach only
        assert coord_b.coach_put(dict(c, programs=[pa]))["version"] == 4
        expect_error("forbidden", coord_b.coach_get, c["id"])
        wide, _ = s.coordinator([pa, pc])
        with wide:
            assert wide.coach_put(dict(c, programs=[pa, pc]))["version"] == 5


@t
def coach_lists_its_programs(s):
    """a coach profile needs 1..16 programs: none (absent or []) is invalid_params naming profile.programs; a coach is listed only in its programs"""
    coord, prog = s.coordinator()
    other, _ = s.coordinator()
    with coord, other:
        c = s.gen.coach([prog])
        expect_error("invalid_params", coord.coach_put, dict(c, programs=[]), field="profile.programs")
        bare = dict(c)
        del bare["programs"]
        expect_error("invalid_params", coord.coach_put, bare, field="profile.programs")
        coord.coach_put(c)
        assert [x["id"] for x in coord.coach_list(program=prog)["items"]] == [c["id"]]
        assert other.coach_list()["items"] == []
        expect_error("forbidden", other.coach_get, c["id"])


@t
def request_needs_self_service(s):
    """match.request in a program that is not self-service is forbidden; once the admin makes it self-service it is taken"""
    prog = s.program(self_service=False)
    coord, _ = s.coordinator([prog])
    with coord:
        m = s.gen.mentee(prog)
        coord.mentee_put(m)
        c = s.gen.coach([prog])
        coord.coach_put(c)
        with s.subject_user(coord, "mentee", m["id"]) as mu:
            e = expect_error("forbidden", mu.match_request, c["id"])
            assert "self-service" in e.message, e
            p = s.admin().program_get(prog)["program"]
            s.admin().program_put(dict(p, self_service=True))
            assert mu.match_request(c["id"])["match"]["status"] == "requested"


@t
def program_put_idempotent(s):
    """program.put with a request_id: a repeat is answered from the first answer; other params are conflict"""
    a = s.admin()
    p = s.gen.program_object()
    assert a.program_put(p, request_id="prog-put-1") == {}
    assert a.program_put(p, request_id="prog-put-1") == {}
    expect_error("conflict", a.program_put, dict(p, name="other"), request_id="prog-put-1", field="request_id")
    assert a.program_get(p["id"])["program"] == p


if __name__ == "__main__":
    main(suite)
