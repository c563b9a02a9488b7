#!/usr/bin/python3
"""meeting.log per DESIGN section 9 (issue 10, finding 8): dates in the
server's time zone (config `timezone`) from the day the match was accepted
up to today; one meeting per match and date, the other side's log confirms
it and counts nothing; jp_total is the mentee's total for the date's year
across its matches; JP with one decimal."""

import subprocess

import msgpack

from harness import (Suite, main, expect_error, review_one, SLOW, server_date, accepted_days_ago)

suite = Suite("meetings")
t = suite.test


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


def stored(s, mid, date):
    """The meeting record of match mid and date in Redis (decoded), or None."""
    raw = s.env.redis.cmd("HGET", "cn:meeting:" + mid, date)
    return msgpack.unpackb(raw, raw=False) if raw is not None else None


@t
def future_date_refused(s):
    """a date after today in the server's time zone is invalid_params naming date; today is taken"""
    coord, prog = s.coordinator()
    mid, _, mu, cu = accepted_match(s, coord, prog)
    try:
        e = expect_error("invalid_params", mu.meeting_log, mid, server_date(1), 60, field="date")
        assert "future" in str(e), e
        expect_error("invalid_params", cu.meeting_log, mid, "2100-12-31", 60, field="date")
        res = mu.meeting_log(mid, server_date(), 60)
        assert res["confirmed"] is False and res["minutes"] == 60, res
    finally:
        for u in (mu, cu, coord):
            u.close()


@t
def date_before_acceptance_refused(s):
    """a date before the day the match was accepted is invalid_params naming date; that day and later are taken"""
    coord, prog = s.coordinator()
    mid, _, mu, cu = accepted_match(s, coord, prog)
    try:
        expect_error("invalid_params", mu.meeting_log, mid, server_date(-1), 45, field="date")
        expect_error("invalid_params", cu.meeting_log, mid, "2026-01-05", 45, field="date")
        assert mu.meeting_log(mid, server_date(), 45)["minutes_total"] == 45
        accepted_days_ago(s.env, mid, 3)            # as if both had accepted 3 days ago
        expect_error("invalid_params", mu.meeting_log, mid, server_date(-4), 45, field="date")
        res = mu.meeting_log(mid, server_date(-3), 45)
        assert res["confirmed"] is False, res
    finally:
        for u in (mu, cu, coord):
            u.close()


@t
def other_side_confirms_same_date(s):
    """the other side's log of the same date confirms it (same id, confirmed_by), JP unchanged; the same side: conflict"""
    coord, prog = s.coordinator()
    mid, m, mu, cu = accepted_match(s, coord, prog)
    try:
        day = server_date()
        first = mu.meeting_log(mid, day, 90, topic="Rencana aksi")
        second = cu.meeting_log(mid, day, 60, topic="lain")
        st = coord.stats_get(prog)
        assert st["jp_minutes"] == 90, st                                  # counted once
        year = s.env.redis.cmd("HGET", "cn:jp:mentee:" + m["id"], day[:4])
        assert int(year) == 90, year
        assert first["confirmed"] is False and first["jp"] == 2.0 and first["jp_total"] == 2.0, first
        assert second["meeting_id"] == first["meeting_id"], (first, second)
        assert second["confirmed"] is True and second["minutes"] == 90, second
        assert second["jp_total"] == 2.0 and second["minutes_total"] == 90, second
        expect_error("conflict", cu.meeting_log, mid, day, 60, field="date")
        expect_error("conflict", mu.meeting_log, mid, day, 30, field="date")
        rec = stored(s, mid, day)
        assert rec["logged_by"] == "mentee" and rec["confirmed_by"] == "coach", rec
        assert rec["minutes"] == 90 and rec["topic"] == "Rencana aksi" and rec["id"] == first["meeting_id"], rec
        assert coord.stats_get(prog)["jp_minutes"] == 90
        # one side logging a date twice before the other confirms: conflict too
        accepted_days_ago(s.env, mid, 1)
        mu.meeting_log(mid, server_date(-1), 45)
        expect_error("conflict", mu.meeting_log, mid, server_date(-1), 45, field="date")
    finally:
        for u in (mu, cu, coord):
            u.close()


@t
def both_sides_at_once_count_once(s):
    """both sides log the same 5 dates pipelined at once: 5 meetings, each logged once and confirmed once"""
    coord, prog = s.coordinator()
    mid, m, mu, cu = accepted_match(s, coord, prog)
    try:
        accepted_days_ago(s.env, mid, 10)
        days = [server_date(-k) for k in range(5)]
        ids = [(u, d, u.send("meeting.log", {"match_id": mid, "date": d, "minutes": 45}))
               for d in days for u in (mu, cu)]
        res = [(d, u.wait(i)) for u, d, i in ids]
        assert coord.stats_get(prog)["jp_minutes"] == 225
        for d in days:
            mine = [r for dd, r in res if dd == d]
            assert sorted(r["confirmed"] for r in mine) == [False, True], mine
            assert mine[0]["meeting_id"] == mine[1]["meeting_id"], mine
        for year in {d[:4] for d in days}:
            want = 45 * sum(1 for d in days if d[:4] == year)
            assert max(r["minutes_total"] for d, r in res if d[:4] == year) == want, res
    finally:
        for u in (mu, cu, coord):
            u.close()


@t
def jp_total_is_the_mentees_year(s):
    """jp_total is the mentee's total of the date's year across its matches, not the match's; years apart"""
    coord, prog = s.coordinator()
    mid1, m, mu, cu1 = accepted_match(s, coord, prog)
    cu2 = None
    try:
        accepted_days_ago(s.env, mid1, 2)
        d1, d2 = server_date(-2), server_date()
        r = mu.meeting_log(mid1, d1, 60)
        assert r["minutes_total"] == 60, r
        assert review_one(coord, mid1, "complete") == "completed"
        mid2, _, _, cu2 = accepted_match(s, coord, prog, mentee=m, mentee_user=mu)
        accepted_days_ago(s.env, mid2, 800)             # before June of last year
        r = cu2.meeting_log(mid2, d2, 45)
        same_year = d1[:4] == d2[:4]
        want = 105 if same_year else 45
        assert r["minutes_total"] == want and r["year"] == int(d2[:4]), r
        assert r["jp_total"] == (2.3 if same_year else 1.0) and r["jp"] == 1.0, r
        last_year = "%d-06-15" % (int(d2[:4]) - 1)
        r = mu.meeting_log(mid2, last_year, 30)
        assert r["year"] == int(d2[:4]) - 1 and r["jp"] == 0.7, r
        assert r["minutes_total"] == 30 + (60 if d1[:4] == last_year[:4] else 0), r
    finally:
        for u in (mu, cu1, cu2, coord):
            if u:
                u.close()


@t
def jp_have_one_decimal(s):
    """jp and jp_total are floats rounded to one decimal: 100 minutes = 2.2 JP, 30 more = 2.9 JP"""
    coord, prog = s.coordinator()
    mid, _, mu, cu = accepted_match(s, coord, prog)
    try:
        accepted_days_ago(s.env, mid, 1)
        r = mu.meeting_log(mid, server_date(-1), 100)
        assert r["jp_total"] == 2.2 and isinstance(r["jp"], float) and r["jp"] == 2.2, r
        r = mu.meeting_log(mid, server_date(), 30)
        if server_date(-1)[:4] == server_date()[:4]:
            assert r["jp"] == 0.7 and r["minutes_total"] == 130 and r["jp_total"] == 2.9, r
        assert "%.1f" % r["jp_total"] == str(r["jp_total"]), r
    finally:
        for u in (mu, cu, coord):
            u.close()


@t
def time_zone_decides_today(s):
    """`timezone` decides today: today at UTC+14 is taken there and is in the future at UTC-12"""
    coord, prog = s.coordinator()
    mid, _, mu, cu = accepted_match(s, coord, prog)
    east = s.env.add_server("east", timezone="Etc/GMT-14")   # POSIX signs: UTC+14
    west = s.env.add_server("west", timezone="Etc/GMT+12")   # UTC-12
    try:
        day = server_date(tz="Etc/GMT-14")                     # always after today at UTC-12
        with west.client() as u:
            u.auth_resume(mu.token)
            expect_error("invalid_params", u.meeting_log, mid, day, 45, field="date")
        with east.client() as u:
            u.auth_resume(mu.token)
            assert u.meeting_log(mid, day, 45)["minutes"] == 45
    finally:
        for srv in (east, west):
            srv.stop()
        for u in (mu, cu, coord):
            u.close()


@t
def unknown_time_zone_refused_at_start(s):
    """coachnetd --timezone with a zone the time zone database lacks exits 2 naming it"""
    r = subprocess.run([str(s.env.binary), "--config", str(s.srv.conf_path), "--timezone", "Asia/Jakrta"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30 * SLOW)
    out = r.stdout.decode(errors="replace")
    assert r.returncode == 2 and "unknown time zone 'Asia/Jakrta'" in out, (r.returncode, out)


if __name__ == "__main__":
    main(suite)
