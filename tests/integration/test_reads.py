#!/usr/bin/python3
"""Reads of data other methods write (DESIGN section 9, issue 11): match.pins
(the pair rules of a program), meeting.list (the meetings of a match) and
jp.get (a mentee's JP of a year): who may read what, the shapes, and every
error path."""

import msgpack

from harness import (Suite, main, expect_error, server_date)

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
    """match.pins: the program's pins and forbids in mentee order; unpin/unforbid take them out; a program without rules: two empty lists"""
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


if __name__ == "__main__":
    main(suite)
