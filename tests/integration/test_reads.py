#!/usr/bin/python3
"""Reads of data other methods write (DESIGN section 9, issue 11): match.pins
(the pair rules of a program), meeting.list (the meetings of a match) and
jp.get (a mentee's JP of a year): who may read what, the shapes, and every
error path."""

import time

import msgpack

from harness import (Suite, main, expect_error, server_date, accepted_days_ago, review_one, run_and_wait)

suite = Suite("reads")
t = suite.test


def close_all(*clients):
    for c in clients:
        c.close()


def accepted_match(s, coord, prog, mentee=None, mentee_user=None):
    """A match accepted just now (the mentee requests the coach, the coach
    accepts): (match id, mentee, mentee's client, coach's client)."""
    if mentee is None:
        mentee = s.gen.mentee(prog)
        coord.mentee_put(mentee)
        mentee_user = s.subject_user(coord, "mentee", mentee["id"])
    c = s.gen.coach([prog], capacity=2)
    coord.coach_put(c)
    cu = s.subject_user(coord, "coach", c["id"])
    mid = mentee_user.match_request(c["id"])["match"]["id"]
    assert cu.match_respond(mid, True)["match"]["status"] == "accepted"
    return mid, mentee, mentee_user, cu


# ---------------------------------------------------------------- match.pins

@t
def pins_lists_rules_in_mentee_order(s):
    """match.pins: the program's pins and forbids in mentee order; unpin/unforbid take them out; a mentee's new pin replaces its old one; a program without rules: two empty lists"""
    coord, prog = s.coordinator()
    try:
        assert coord.match_pins(prog) == {"pins": [], "forbids": []}
        ms = sorted([s.gen.mentee(prog) for _ in range(3)], key=lambda m: m["id"])
        cs = [s.gen.coach([prog]) for _ in range(2)]
        for m in ms:
            coord.mentee_put(m)
        for c in cs:
            coord.coach_put(c)
        coord.match_pin(prog, ms[2]["id"], cs[0]["id"])
        coord.match_pin(prog, ms[0]["id"], cs[1]["id"])
        coord.match_forbid(prog, ms[1]["id"], cs[1]["id"])
        coord.match_forbid(prog, ms[1]["id"], cs[0]["id"])
        got = coord.match_pins(prog)
        pair = lambda m, c: {"mentee_id": m["id"], "coach_id": c["id"]}
        assert got["pins"] == [pair(ms[0], cs[1]), pair(ms[2], cs[0])], got
        assert got["forbids"] == sorted([pair(ms[1], cs[1]), pair(ms[1], cs[0])],
                                        key=lambda p: p["coach_id"]), got
        coord.match_unpin(prog, ms[0]["id"], cs[1]["id"])
        coord.match_unforbid(prog, ms[1]["id"], cs[0]["id"])
        got = coord.match_pins(prog)
        assert got == {"pins": [pair(ms[2], cs[0])], "forbids": [pair(ms[1], cs[1])]}, got
        coord.match_pin(prog, ms[2]["id"], cs[1]["id"])   # a mentee's second pin replaces its first
        assert coord.match_pins(prog)["pins"] == [pair(ms[2], cs[1])]
    finally:
        close_all(coord)


@t
def pins_scoped_to_coordinators_programs(s):
    """match.pins: another coordinator's program is forbidden; admin, mentee and coach are forbidden; a bad program is invalid_params"""
    coord, prog = s.coordinator()
    other, _ = s.coordinator()
    m = s.gen.mentee(prog)
    c = s.gen.coach([prog])
    coord.mentee_put(m)
    coord.coach_put(c)
    mu = s.subject_user(coord, "mentee", m["id"])
    cu = s.subject_user(coord, "coach", c["id"])
    try:
        coord.match_pin(prog, m["id"], c["id"])
        e = expect_error("forbidden", other.match_pins, prog)
        assert prog in str(e), e
        for u in (s.admin(), mu, cu):
            expect_error("forbidden", u.match_pins, prog)
        expect_error("invalid_params", coord.match_pins, "no such!", field="program")
        expect_error("invalid_params", coord.match_pins, "", field="program")
    finally:
        close_all(coord, other, mu, cu)


@t
def pins_corrupt_rule_is_internal(s):
    """match.pins: a stored pin whose coach id is not an id answers internal (not a malformed result)"""
    coord, prog = s.coordinator()
    try:
        s.env.redis.cmd("HSET", "cn:pin:" + prog, "1234", "not an id")
        expect_error("internal", coord.match_pins, prog)
        s.env.redis.cmd("DEL", "cn:pin:" + prog)
        assert coord.match_pins(prog) == {"pins": [], "forbids": []}
    finally:
        close_all(coord)


# -------------------------------------------------------------- meeting.list

@t
def meeting_list_by_date_for_sides_and_coordinator(s):
    """meeting.list: both sides and the program's coordinator see the match's meetings oldest first, confirmed_by once the other side logged the date"""
    coord, prog = s.coordinator()
    mid, _, mu, cu = accepted_match(s, coord, prog)
    try:
        assert mu.meeting_list(mid) == {"items": []}
        accepted_days_ago(s.env, mid, 5)
        d0, d3, d5 = server_date(), server_date(-3), server_date(-5)
        a = mu.meeting_log(mid, d0, 90, topic="Rencana aksi")
        b = cu.meeting_log(mid, d5, 45)
        c = cu.meeting_log(mid, d3, 30, topic="Umpan balik")
        mu.meeting_log(mid, d3, 60)               # confirms the coach's record of d3
        want = [
            {"id": b["meeting_id"], "date": d5, "minutes": 45, "topic": "", "logged_by": "coach"},
            {"id": c["meeting_id"], "date": d3, "minutes": 30, "topic": "Umpan balik", "logged_by": "coach",
             "confirmed_by": "mentee"},
            {"id": a["meeting_id"], "date": d0, "minutes": 90, "topic": "Rencana aksi", "logged_by": "mentee"},
        ]
        for u in (mu, cu, coord):
            got = u.meeting_list(mid)
            assert got == {"items": want}, (u, got)
    finally:
        close_all(mu, cu, coord)


@t
def meeting_list_refuses_others(s):
    """meeting.list: another mentee, another coach and another program's coordinator are forbidden; admin is forbidden; an unknown match is not_found; a bad id is invalid_params"""
    coord, prog = s.coordinator()
    other, _ = s.coordinator()
    mid, _, mu, cu = accepted_match(s, coord, prog)
    mid2, _, mu2, cu2 = accepted_match(s, coord, prog)
    try:
        mu.meeting_log(mid, server_date(), 45)
        for u in (mu2, cu2, other):
            e = expect_error("forbidden", u.meeting_list, mid, field="match_id")
            assert mid in str(e), e
        expect_error("forbidden", s.admin().meeting_list, mid)
        expect_error("not_found", coord.meeting_list, "m999999999", field="match_id")
        expect_error("not_found", mu.meeting_list, "m999999999", field="match_id")
        expect_error("invalid_params", mu.meeting_list, "no such!", field="match_id")
        assert len(mu2.meeting_list(mid2)["items"]) == 0
    finally:
        close_all(coord, other, mu, cu, mu2, cu2)


@t
def meeting_list_corrupt_record_is_internal(s):
    """meeting.list: a stored record that is not a meeting (bad msgpack, a missing field, a bad side) answers internal"""
    coord, prog = s.coordinator()
    mid, _, mu, cu = accepted_match(s, coord, prog)
    try:
        mu.meeting_log(mid, server_date(), 45)
        key = "cn:meeting:" + mid
        good = s.env.redis.cmd("HGET", key, server_date())
        rec = msgpack.unpackb(good, raw=False)
        bad = [b"\xc1", msgpack.packb({k: v for k, v in rec.items() if k != "minutes"}),
               msgpack.packb(dict(rec, logged_by="admin")), msgpack.packb(dict(rec, confirmed_by=rec["logged_by"]))]
        for raw in bad:
            s.env.redis.cmd("HSET", key, server_date(), raw)
            expect_error("internal", cu.meeting_list, mid)
        s.env.redis.cmd("HSET", key, server_date(), good)
        assert len(cu.meeting_list(mid)["items"]) == 1
    finally:
        close_all(coord, mu, cu)


# -------------------------------------------------------------------- jp.get

@t
def jp_get_mentee_reads_its_year(s):
    """jp.get: a mentee's minutes of the current server year across its matches, JP with one decimal, target 20 by default; year picks another year"""
    coord, prog = s.coordinator()
    mid, m, mu, cu = accepted_match(s, coord, prog)
    cu2 = None
    try:
        year = int(server_date()[:4])
        want = {"mentee_id": m["id"], "year": year, "minutes": 0, "jp": 0.0, "target": 20}
        assert mu.jp_get() == want, mu.jp_get()
        mu.meeting_log(mid, server_date(), 100)
        cu.meeting_log(mid, server_date(), 45)          # confirms: counted once
        assert review_one(coord, mid, "complete") == "completed"
        mid2, _, _, cu2 = accepted_match(s, coord, prog, mentee=m, mentee_user=mu)
        cu2.meeting_log(mid2, server_date(), 30)
        want.update(minutes=130, jp=2.9)
        assert mu.jp_get() == want and mu.jp_get(m["id"]) == want, mu.jp_get()
        accepted_days_ago(s.env, mid2, 400)
        mu.meeting_log(mid2, "%d-12-31" % (year - 1), 50)
        got = mu.jp_get(year=year - 1)
        assert got == {"mentee_id": m["id"], "year": year - 1, "minutes": 50, "jp": 1.1, "target": 20}, got
        assert mu.jp_get(year=2000)["minutes"] == 0
        assert mu.jp_get()["minutes"] == 130
    finally:
        close_all(coord, mu, cu, *([cu2] if cu2 else []))


@t
def jp_get_target_is_the_programs(s):
    """jp.get: target is program:<program>'s jp_target when the program sets one, else 20"""
    coord, prog = s.coordinator()
    m = s.gen.mentee(prog)
    coord.mentee_put(m)
    try:
        assert coord.jp_get(m["id"])["target"] == 20
        s.env.redis.cmd("HSET", "cn:program:" + prog, "name", "Program", "jp_target", "32")
        assert coord.jp_get(m["id"])["target"] == 32
        s.env.redis.cmd("HDEL", "cn:program:" + prog, "jp_target")
        assert coord.jp_get(m["id"])["target"] == 20
    finally:
        s.env.redis.cmd("DEL", "cn:program:" + prog)
        close_all(coord)


@t
def meeting_log_target_is_jp_gets(s):
    """meeting.log answers the JP target jp.get answers: the jp_target of the mentee's current program (20 when it sets none), also after the mentee moved out of the match's program"""
    # Regression test (an earlier note's finding): meeting.log read the
    # target of the match's program, with a default of its own, and jp.get
    # the mentee's current program's: a moved mentee saw two targets.
    pa, pb = s.program(jp_target=12), s.program(jp_target=32)
    coord, _ = s.coordinator([pa, pb])
    mid, m, mu, cu = accepted_match(s, coord, pa)
    try:
        accepted_days_ago(s.env, mid, 5)
        got = mu.meeting_log(mid, server_date(-3), 45)
        assert got["jp_target"] == 12 == coord.jp_get(m["id"])["target"], got
        coord.mentee_put(dict(m, program=pb))
        got = mu.meeting_log(mid, server_date(-2), 45)
        assert got["jp_target"] == 32 == coord.jp_get(m["id"])["target"], got
        s.env.redis.cmd("HDEL", "cn:program:" + pb, "jp_target")
        got = cu.meeting_log(mid, server_date(-1), 45)
        assert got["jp_target"] == 20 == coord.jp_get(m["id"])["target"], got
        assert got["jp_total"] == 3.0, got
    finally:
        close_all(coord, mu, cu)


@t
def jp_get_scope_and_errors(s):
    """jp.get: a mentee reads only itself; a coordinator must name a mentee of its programs; coach and admin are forbidden; bad params are invalid_params"""
    coord, prog = s.coordinator()
    other, prog2 = s.coordinator()
    mid, m, mu, cu = accepted_match(s, coord, prog)
    m2 = s.gen.mentee(prog2)
    other.mentee_put(m2)
    try:
        mu.meeting_log(mid, server_date(), 90)
        assert coord.jp_get(m["id"])["minutes"] == 90
        assert coord.jp_get(mentee_id=m["id"], year=int(server_date()[:4]))["jp"] == 2.0
        expect_error("invalid_params", coord.jp_get, field="mentee_id")
        e = expect_error("forbidden", coord.jp_get, m2["id"], field="mentee_id")
        assert prog2 in str(e), e
        expect_error("forbidden", other.jp_get, m["id"], field="mentee_id")
        expect_error("not_found", coord.jp_get, "199001012015031099", field="mentee_id")
        expect_error("forbidden", mu.jp_get, m2["id"], field="mentee_id")
        for u in (cu, s.admin()):
            expect_error("forbidden", u.jp_get, m["id"])
        expect_error("invalid_params", mu.jp_get, year=1999, field="year")
        expect_error("invalid_params", mu.jp_get, year=2101, field="year")
        expect_error("invalid_params", coord.jp_get, "no such!", field="mentee_id")
    finally:
        close_all(coord, other, mu, cu)


@t
def jp_get_corrupt_values_are_internal(s):
    """jp.get: stored minutes or a jp_target that are not numbers answer internal"""
    coord, prog = s.coordinator()
    m = s.gen.mentee(prog)
    coord.mentee_put(m)
    year = server_date()[:4]
    try:
        s.env.redis.cmd("HSET", "cn:jp:mentee:" + m["id"], year, "lots")
        expect_error("internal", coord.jp_get, m["id"])
        s.env.redis.cmd("HSET", "cn:jp:mentee:" + m["id"], year, "45")
        assert coord.jp_get(m["id"])["jp"] == 1.0
        for bad in ("many", "-1", "nan"):
            s.env.redis.cmd("HSET", "cn:program:" + prog, "jp_target", bad)
            expect_error("internal", coord.jp_get, m["id"])
    finally:
        s.env.redis.cmd("DEL", "cn:program:" + prog, "cn:jp:mentee:" + m["id"])
        close_all(coord)


# ------------------------------------------------------------- feedback.list

def fb_view(items):
    return [(f["match_id"], f["by"], f["role"], f["rating"], f["comment"]) for f in items]


@t
def feedback_list_program_newest_first_paged(s):
    """feedback.list {program}: the program's feedback newest first, a side's second feedback replaces its first and moves up; limit 1 pages to the last page (cursor nil)"""
    coord, prog = s.coordinator()
    mid1, m1, mu1, cu1 = accepted_match(s, coord, prog)
    mid2, m2, mu2, cu2 = accepted_match(s, coord, prog)
    try:
        assert coord.feedback_list(program=prog) == {"items": [], "cursor": None}
        c1 = coord.match_list(program=prog)["items"]
        coach_of = {x["id"]: x["coach_id"] for x in c1}
        mu1.feedback_put(mid1, 4, comment="Bagus")
        cu1.feedback_put(mid1, 5)
        mu2.feedback_put(mid2, 2, comment="Kurang cocok\njadwal")
        mu1.feedback_put(mid1, 3, comment="Ternyata biasa")     # replaces, moves to the top
        want = [(mid1, m1["id"], "mentee", 3, "Ternyata biasa"),
                (mid2, m2["id"], "mentee", 2, "Kurang cocok\njadwal"),
                (mid1, coach_of[mid1], "coach", 5, "")]
        got = coord.feedback_list(program=prog)
        assert fb_view(got["items"]) == want and got["cursor"] is None, got
        assert all(isinstance(f["at"], int) and f["at"] > 0 for f in got["items"]), got
        pages, cur = [], None
        while True:
            page = coord.feedback_list(program=prog, cursor=cur, limit=1)
            pages += page["items"]
            cur = page["cursor"]
            if cur is None:
                break
            assert len(page["items"]) == 1, page
        assert fb_view(pages) == want, pages
        got = coord.feedback_list(program=prog, limit=2)
        assert len(got["items"]) == 2 and got["cursor"], got
    finally:
        close_all(coord, mu1, cu1, mu2, cu2)


@t
def feedback_list_match_for_sides_and_coordinator(s):
    """feedback.list {match_id}: both sides' feedback (mentee first) for the sides and the program's coordinator; others forbidden; unknown match not_found"""
    coord, prog = s.coordinator()
    other, _ = s.coordinator()
    mid, m, mu, cu = accepted_match(s, coord, prog)
    mid2, _, mu2, cu2 = accepted_match(s, coord, prog)
    try:
        assert mu.feedback_list(match_id=mid) == {"items": [], "cursor": None}
        cu.feedback_put(mid, 5, comment="Aktif")
        mu.feedback_put(mid, 4)
        for u in (mu, cu, coord):
            got = u.feedback_list(match_id=mid)
            assert [(f["role"], f["rating"], f["comment"]) for f in got["items"]] == \
                [("mentee", 4, ""), ("coach", 5, "Aktif")] and got["cursor"] is None, got
            assert got["items"][0]["by"] == m["id"], got
        for u in (mu2, cu2, other):
            expect_error("forbidden", u.feedback_list, match_id=mid, field="match_id")
        expect_error("not_found", mu.feedback_list, match_id="m999999999", field="match_id")
        expect_error("not_found", coord.feedback_list, match_id="m999999999", field="match_id")
    finally:
        close_all(coord, other, mu, cu, mu2, cu2)


@t
def feedback_list_params_and_roles(s):
    """feedback.list: neither or both of program and match_id is invalid_params; a side naming a program, another program's coordinator and admin are forbidden; a bad cursor is invalid_params"""
    coord, prog = s.coordinator()
    other, _ = s.coordinator()
    mid, _, mu, cu = accepted_match(s, coord, prog)
    try:
        expect_error("invalid_params", coord.feedback_list, field="program")
        expect_error("invalid_params", coord.feedback_list, program=prog, match_id=mid, field="match_id")
        expect_error("invalid_params", mu.feedback_list, field="program")
        for u in (mu, cu):
            expect_error("forbidden", u.feedback_list, program=prog, field="program")
        e = expect_error("forbidden", other.feedback_list, program=prog)
        assert prog in str(e), e
        expect_error("forbidden", s.admin().feedback_list, program=prog)
        expect_error("invalid_params", coord.feedback_list, program=prog, cursor="abc", field="cursor")
        expect_error("invalid_params", coord.feedback_list, program=prog, limit=0, field="limit")
        expect_error("invalid_params", coord.feedback_list, program=prog, limit=501, field="limit")
    finally:
        close_all(coord, other, mu, cu)


@t
def feedback_list_stored_data(s):
    """feedback.list: feedback stored before the program index (feedback:<match> only) is listed by match_id, not by program; a corrupt record answers internal"""
    coord, prog = s.coordinator()
    mid, _, mu, cu = accepted_match(s, coord, prog)
    try:
        rec = msgpack.packb({"rating": 4, "comment": "lama", "at": 1700000000})
        s.env.redis.cmd("HSET", "cn:feedback:" + mid, "coach", rec)
        got = coord.feedback_list(match_id=mid)["items"]
        assert [(f["role"], f["comment"], f["at"]) for f in got] == [("coach", "lama", 1700000000)], got
        assert coord.feedback_list(program=prog)["items"] == []
        for bad in (b"\xc1", msgpack.packb({"rating": 9, "comment": "", "at": 1}),
                    msgpack.packb({"rating": 4, "at": 1})):
            s.env.redis.cmd("HSET", "cn:feedback:" + mid, "coach", bad)
            expect_error("internal", mu.feedback_list, match_id=mid)
    finally:
        close_all(coord, mu, cu)


# ---------------------------------------------------------------- audit.list

def login_of(u):
    """The login of a client's session (auth.resume answers it)."""
    return u.auth_resume(u.token)["login"]


def audit_all(u, **kw):
    """Every item of audit.list through its cursor (pages may be short)."""
    items, cur = [], None
    while True:
        page = u.audit_list(cursor=cur, **kw)
        items += page["items"]
        cur = page["cursor"]
        if cur is None:
            return items


@t
def audit_list_entries_and_scope(s):
    """audit.list: admin sees entries newest first as {at, actor, action, object, detail}; a coordinator only those of its programs (by the program, the match or the profile an entry names)"""
    coord, prog = s.coordinator()
    other, prog2 = s.coordinator()
    t0 = int(time.time())
    mid, m, mu, cu = accepted_match(s, coord, prog)
    c2 = s.gen.coach([prog2])
    other.coach_put(c2)
    try:
        c = s.gen.coach([prog])
        coord.coach_put(c)
        coord.match_pin(prog, m["id"], c["id"])
        who = login_of(coord)
        got = s.admin().audit_list(actor=who, limit=1)["items"]
        assert len(got) == 1, got
        e = got[0]
        assert e["action"] == "match.pin" and e["actor"] == who and e["object"] == "program " + prog, e
        assert e["detail"] == "mentee=%s coach=%s" % (m["id"], c["id"]) and t0 - 1 <= e["at"] <= time.time() + 1, e
        mine = audit_all(coord, since=t0)
        actions = [x["action"] for x in mine]
        assert actions[0] == "match.pin" and "coach.put" in actions and "mentee.put" in actions, actions
        assert "match.request" in actions and "match.respond" in actions, actions
        assert all(x["at"] >= t0 for x in mine), mine
        objects = {x["object"] for x in mine}
        assert "match " + mid in objects and "mentee " + m["id"] in objects, objects
        assert "coach " + c2["id"] not in objects and not any(x["action"].startswith("auth.") for x in mine), mine
        # (the admin's program.create of the other's program is in its scope too)
        theirs = [x for x in audit_all(other, since=t0) if x["action"] != "program.create"]
        assert [x["object"] for x in theirs] == ["coach " + c2["id"]], theirs
        assert [x["object"] for x in audit_all(s.admin(), program=prog2, since=t0)
                if x["action"] != "program.create"] == ["coach " + c2["id"]]
        everything = audit_all(s.admin(), since=t0)
        assert len(everything) > len(mine) + len(theirs), everything       # auth.login and user.create too
        assert [x["at"] for x in everything] == sorted([x["at"] for x in everything], reverse=True)
    finally:
        close_all(coord, other, mu, cu)


def draft_run(coord, prog):
    """A draft run of prog, finished: its id."""
    rid = coord.call("match.run", {"program": prog, "draft": True})["run_id"]
    while True:
        n = coord.next_notification(timeout=60, method="run.done")
        if n.params["run_id"] == rid:
            assert n.params["status"] == "done", n.params
            return rid


@t
def audit_entries_name_their_actor(s):
    """every change names who made it: the sides' match.request, match.respond, meeting.schedule, meeting.log, feedback.put and the coordinator's match.review, run.publish; audit.list {actor} finds them; run.superseded names the superseding run in its detail, not as its actor"""
    # Regression test (a review helper's probe): those entries had actor
    # "" (the scripts were not given the login), and run.superseded had the
    # superseding run's id as its actor.
    coord, prog = s.coordinator()
    t0 = int(time.time())
    mid, m, mu, cu = accepted_match(s, coord, prog)
    try:
        mu.meeting_schedule(mid, int(time.time()) + 86400, 60)
        mu.meeting_log(mid, server_date(), 45)
        cu.feedback_put(mid, 5, "Sangat membantu")
        m2 = s.gen.mentee(prog)
        coord.mentee_put(m2)
        c2 = s.gen.coach([prog])
        coord.coach_put(c2)
        coord.match_pin(prog, m2["id"], c2["id"])
        run_id, _, _ = run_and_wait(coord, prog)
        prop = [x for x in coord.match_list(run_id=run_id)["items"] if x["mentee_id"] == m2["id"]]
        coord.match_review([prop[0]["id"]], "approve")
        old, new = draft_run(coord, prog), draft_run(coord, prog)
        coord.call("run.publish", {"run_id": new})
        who = {"coord": login_of(coord), "mentee": login_of(mu), "coach": login_of(cu)}
        entries = audit_all(s.admin(), program=prog, since=t0)

        def actors(action):
            return {x["actor"] for x in entries if x["action"] == action}
        want = {"match.request": "mentee", "match.respond": "coach", "meeting.schedule": "mentee",
                "meeting.log": "mentee", "feedback.put": "coach", "match.review": "coord", "run.publish": "coord"}
        for action, side in want.items():
            assert actors(action) == {who[side]}, (action, actors(action), entries)
        sup = [x for x in entries if x["action"] == "run.superseded"]
        assert len(sup) == 1 and sup[0]["actor"] == "" and sup[0]["object"] == "run " + old, sup
        assert "superseded_by=" + new in sup[0]["detail"], sup
        mine = {x["action"] for x in audit_all(coord, actor=who["coord"], since=t0)}
        assert {"match.review", "run.publish", "match.pin"} <= mine, mine
        theirs = {x["action"] for x in audit_all(s.admin(), actor=who["mentee"], since=t0)}
        assert {"match.request", "meeting.schedule", "meeting.log"} <= theirs, theirs
    finally:
        close_all(coord, mu, cu)


@t
def audit_list_filters_and_paging(s):
    """audit.list: actor, program and since filter; limit 1 pages to the last page (cursor nil); a future since is empty"""
    coord, prog = s.coordinator()
    t0 = int(time.time())
    try:
        ms = [s.gen.mentee(prog) for _ in range(3)]
        c = s.gen.coach([prog])
        coord.coach_put(c)
        for m in ms:
            coord.mentee_put(m)
            coord.match_forbid(prog, m["id"], c["id"])
        who = login_of(coord)
        want = [x["object"] for x in audit_all(coord, actor=who, program=prog)]
        assert len(want) == 7 and want[0] == "program " + prog, want
        pages, cur = [], None
        while True:
            page = coord.audit_list(actor=who, cursor=cur, limit=1)
            assert len(page["items"]) <= 1, page
            pages += [x["object"] for x in page["items"]]
            cur = page["cursor"]
            if cur is None:
                break
        assert pages == want, pages
        assert coord.audit_list(since=int(time.time()) + 3600) == {"items": [], "cursor": None}
        assert s.admin().audit_list(actor="nobody-" + prog, since=t0) == {"items": [], "cursor": None}
    finally:
        close_all(coord)


@t
def audit_list_examines_a_bounded_number(s):
    """audit.list: a call reads at most 2000 entries: behind 2100 entries of other programs a coordinator's page is empty but has a cursor that leads on to its entries"""
    coord, prog = s.coordinator()
    try:
        c = s.gen.coach([prog])
        coord.coach_put(c)
        s.env.redis.cmd("EVAL", "for i = 1, 2100 do redis.call('XADD', KEYS[1], '*', 'ev', 'match.pin', "
                        "'program', 'elsewhere', 'by', 'x') end", "1", "cn:audit")
        first = coord.audit_list()
        assert first["items"] == [] and first["cursor"], first
        second = coord.audit_list(cursor=first["cursor"])
        assert [x["object"] for x in second["items"]][:1] == ["coach " + c["id"]], second
    finally:
        close_all(coord)


@t
def audit_list_refusals(s):
    """audit.list: mentee and coach are forbidden; a coordinator's program filter outside its programs is forbidden; a bad cursor or limit is invalid_params"""
    coord, prog = s.coordinator()
    other, prog2 = s.coordinator()
    mid, _, mu, cu = accepted_match(s, coord, prog)
    try:
        for u in (mu, cu):
            expect_error("forbidden", u.audit_list)
        e = expect_error("forbidden", coord.audit_list, program=prog2)
        assert prog2 in str(e), e
        expect_error("invalid_params", coord.audit_list, cursor="abc", field="cursor")
        expect_error("invalid_params", s.admin().audit_list, cursor="1-x", field="cursor")
        # beyond 64 bits (a review helper's probe: `internal`, the script's XREVRANGE failed)
        for cur in ("99999999999999999999-0", "1-99999999999999999999", "18446744073709551616-0"):
            expect_error("invalid_params", s.admin().audit_list, cursor=cur, field="cursor")
        assert s.admin().audit_list(cursor="0-0") == {"items": [], "cursor": None}
        assert s.admin().audit_list(cursor="18446744073709551615-18446744073709551615", limit=1)["items"]
        assert s.admin().audit_list(cursor="0018446744073709551615-0", limit=1)["items"]
        expect_error("invalid_params", coord.audit_list, limit=501, field="limit")
        expect_error("invalid_params", coord.audit_list, since=-1, field="since")
        expect_error("invalid_params", coord.audit_list, since=4102444801, field="since")
        assert coord.audit_list(since=4102444800) == {"items": [], "cursor": None}
    finally:
        close_all(coord, other, mu, cu)


if __name__ == "__main__":
    main(suite)
