#!/usr/bin/python3
"""Accounts after user.create (DESIGN section 9): user.set_password,
auth.change_password, user.enable and user.list on a real coachnetd, each
with its allowed and forbidden roles, a coordinator's reach (the mentee and
coach users of its programs) and every error path."""

import re
from pathlib import Path

from harness import Suite, main, expect_error, CoachnetError, SLOW, wait_until

# a low limit of failed logins per name, for set_password_clears_failed_logins
LOGIN_LIMIT = 5
suite = Suite("accounts", **{"login-attempts-per-minute": LOGIN_LIMIT})
t = suite.test
PW = Suite.PASSWORD
NEW_PW = "New-pa55word-456"
SYNC = 5 * SLOW     # seconds allowed for a change to reach the other instance


def mentee_user(s, coord, prog):
    """A mentee profile in prog and its user (login); returns (login, mentee id)."""
    m = s.gen.mentee(prog)
    coord.mentee_put(m)
    login = s.uniq("mentee")
    coord.user_create(login, PW, "mentee", subject=m["id"])
    return login, m["id"]


def coach_user(s, coord, prog):
    c = s.gen.coach([prog])
    coord.coach_put(c)
    login = s.uniq("coach")
    coord.user_create(login, PW, "coach", subject=c["id"])
    return login, c["id"]


def second(s):
    """A second coachnetd on the same Redis (started once)."""
    if getattr(s, "srv_b", None) is None or not s.srv_b.alive():
        s.srv_b = s.env.add_server(name="coachnetd-b")
    return s.srv_b


def wait_ended(u, what):
    """Wait until u's session is refused (the revoke event reached its instance)."""
    def ended():
        try:
            u.mentee_list()
            return False
        except CoachnetError as e:
            assert e.code == "unauthenticated", e
            return True
    wait_until(ended, SYNC, what=what)


def logs_in(s, login, password):
    """True when login/password opens a session, False when it is refused."""
    try:
        s.srv.login(login, password).close()
        return True
    except CoachnetError as e:
        assert e.code == "unauthenticated", e
        return False


# ------------------------------------------------------ user.set_password

@t
def set_password_by_admin_ends_sessions(s):
    """user.set_password (admin): the new password logs in, the old one no longer; every open session of the user ends"""
    coord, prog = s.coordinator()
    login = s.uniq("coord")
    s.admin().user_create(login, PW, "coordinator", programs=[prog])
    u1, u2 = s.srv.login(login, PW), s.srv.login(login, PW)
    assert u1.mentee_list()["items"] == []
    assert s.admin().user_set_password(login, NEW_PW) == {}
    for u in (u1, u2):
        expect_error("unauthenticated", u.mentee_list)
        u.close()
    assert not logs_in(s, login, PW)
    assert logs_in(s, login, NEW_PW)
    coord.close()


@t
def set_password_on_a_ends_session_on_b(s):
    """user.set_password through one coachnetd ends the user's session open on another"""
    login = s.uniq("coord")
    s.admin().user_create(login, PW, "coordinator", programs=[s.program()])
    u = second(s).login(login, PW)
    assert u.mentee_list()["items"] == []
    assert s.admin().user_set_password(login, NEW_PW) == {}
    wait_ended(u, "the session on B to end after user.set_password on A")
    u.close()


@t
def set_password_by_coordinator_scope(s):
    """user.set_password (coordinator): its mentee and coach users; not users of other programs, nor coordinators or admins"""
    coord, prog = s.coordinator()
    other, oprog = s.coordinator()
    with coord, other:
        lm, _ = mentee_user(s, coord, prog)
        lc, _ = coach_user(s, coord, prog)
        lo, _ = mentee_user(s, other, oprog)
        assert coord.user_set_password(lm, NEW_PW) == {}
        assert coord.user_set_password(lc, NEW_PW) == {}
        assert logs_in(s, lm, NEW_PW) and logs_in(s, lc, NEW_PW)
        expect_error("forbidden", coord.user_set_password, lo, NEW_PW, field="login")
        assert logs_in(s, lo, PW), "a refused set_password changed the password"
        clogin = s.uniq("coord")
        s.admin().user_create(clogin, PW, "coordinator", programs=[prog])
        expect_error("forbidden", coord.user_set_password, clogin, NEW_PW, field="login")
        expect_error("forbidden", coord.user_set_password, "admin", NEW_PW, field="login")
        assert logs_in(s, clogin, PW)


@t
def set_password_refusals(s):
    """user.set_password: mentee and coach callers are forbidden; an unknown login is not_found; a short or missing password is invalid_params"""
    coord, prog = s.coordinator()
    with coord:
        lm, _ = mentee_user(s, coord, prog)
        lc, _ = coach_user(s, coord, prog)
        for login in (lm, lc):
            with s.srv.login(login, PW) as u:
                expect_error("forbidden", u.user_set_password, login, NEW_PW)
        a = s.admin()
        expect_error("not_found", a.user_set_password, s.uniq("nobody"), NEW_PW, field="login")
        expect_error("not_found", a.user_set_password, "no such user", NEW_PW, field="login")
        expect_error("invalid_params", a.user_set_password, lm, "short", field="password")
        expect_error("invalid_params", a.call, "user.set_password", {"login": lm}, field="password")
        expect_error("invalid_params", a.call, "user.set_password", {"password": NEW_PW}, field="login")
        assert logs_in(s, lm, PW)


@t
def full_hash_queue_is_rate_limited(s):
    """more new passwords than the hash queue holds (256): the rest answered rate_limited, as auth.login's, never unavailable"""
    coord, prog = s.coordinator()
    with coord:
        login, _ = mentee_user(s, coord, prog)
    admins = [s.srv.admin() for _ in range(6)]
    try:
        sent = [(a, [a.send("user.set_password", {"login": login, "password": "Queue-pa55word-%d" % i})
                     for i in range(60)]) for a in admins]
        codes = {}
        for a, ids in sent:
            for i in ids:
                err, _ = a.wait_raw(i, timeout=120 * SLOW)
                code = err["code"] if err else "ok"
                codes[code] = codes.get(code, 0) + 1
        assert set(codes) == {"ok", "rate_limited"}, codes
    finally:
        for a in admins:
            a.close()


@t
def coach_without_programs_is_in_no_coordinators_reach(s):
    """a coach profile stored without programs (as before they were required, design.md section 9: no "every program" value) is in no coordinator's reach: user.set_password forbidden and user.list leaves its user out, as user.create refuses it"""
    coord, prog = s.coordinator()
    other, _ = s.coordinator()
    with coord, other:
        lc, cid = coach_user(s, coord, prog)
        s.env.redis.cmd("HSET", "cn:coach:" + cid, "program", "")
        try:
            expect_error("forbidden", other.user_set_password, lc, NEW_PW, field="login")
            assert lc not in by_login(all_users(other)[0]), "another program's coordinator lists the coach user"
            expect_error("forbidden", other.user_create, s.uniq("coach"), PW, "coach", subject=cid,
                         field="subject")
            assert logs_in(s, lc, PW), "a refused set_password changed the password"
        finally:
            s.env.redis.cmd("HSET", "cn:coach:" + cid, "program", prog)   # for the later tests


@t
def set_password_clears_failed_logins(s):
    """user.set_password: a login refused for too many failed attempts logs in with the new password at once"""
    coord, prog = s.coordinator()
    with coord:
        lm, _ = mentee_user(s, coord, prog)
        codes = []
        for _ in range(LOGIN_LIMIT + 1):
            try:
                s.srv.login(lm, "Wrong-pa55word-0").close()
            except CoachnetError as e:
                codes.append(e.code)
        assert codes == ["unauthenticated"] * LOGIN_LIMIT + ["rate_limited"], codes
        expect_error("rate_limited", s.srv.login, lm, PW)
        assert coord.user_set_password(lm, NEW_PW) == {}
        assert logs_in(s, lm, NEW_PW)


@t
def set_password_repeat_request_id(s):
    """user.set_password with a request_id: a repeat answers {} again and changes nothing (a session opened between stays)"""
    a = s.admin()
    login = s.uniq("coord")
    a.user_create(login, PW, "coordinator", programs=[s.program()])
    assert a.user_set_password(login, NEW_PW, request_id="sp-1") == {}
    with s.srv.login(login, NEW_PW) as u:
        assert a.user_set_password(login, NEW_PW, request_id="sp-1") == {}
        assert u.mentee_list()["items"] == [], "the repeat ended a session"
    # the password is left out of the request's fingerprint (secret): the
    # same request_id with another one is the same request, answered again
    assert a.user_set_password(login, "Other-pa55word-789", request_id="sp-1") == {}
    assert logs_in(s, login, NEW_PW) and not logs_in(s, login, "Other-pa55word-789")



# --------------------------------------------------- auth.change_password

@t
def change_password_each_role_keeps_own_session(s):
    """auth.change_password (admin, coordinator, mentee, coach): the caller's session stays, its other sessions end (here and on another coachnetd), the new password logs in and the old one no longer"""
    coord, prog = s.coordinator()
    with coord:
        lm, _ = mentee_user(s, coord, prog)
        lc, _ = coach_user(s, coord, prog)
        la = s.uniq("admin")
        s.admin().user_create(la, PW, "admin")
        lo = s.uniq("coord")
        s.admin().user_create(lo, PW, "coordinator", programs=[prog])
        for login in (la, lo, lm, lc):
            me, other, far = s.srv.login(login, PW), s.srv.login(login, PW), second(s).login(login, PW)
            assert me.auth_change_password(PW, NEW_PW) == {}, login
            # the caller goes on; its other sessions are over
            assert me.auth_resume()["login"] == login
            expect_error("unauthenticated", other.mentee_list)
            wait_ended(far, "the session on B to end after auth.change_password on A")
            assert not logs_in(s, login, PW) and logs_in(s, login, NEW_PW), login
            for u in (me, other, far):
                u.close()


@t
def change_password_wrong_old_is_forbidden_and_counted(s):
    """auth.change_password with a wrong old password: forbidden naming old_password, the session stays, the attempt counts as a failed login (rate_limited at the limit, for auth.login too)"""
    coord, prog = s.coordinator()
    with coord:
        lm, _ = mentee_user(s, coord, prog)
        with s.srv.login(lm, PW) as u:
            for _ in range(LOGIN_LIMIT):
                expect_error("forbidden", u.auth_change_password, "Wrong-pa55word-0", NEW_PW, field="old_password")
            assert u.auth_resume()["login"] == lm, "a wrong old password ended the session"
            expect_error("rate_limited", u.auth_change_password, PW, NEW_PW)
            expect_error("rate_limited", s.srv.login, lm, PW)
        # the admin's reset clears the count; the right old password then works
        assert coord.user_set_password(lm, PW) == {}
        with s.srv.login(lm, PW) as u:
            assert u.auth_change_password(PW, NEW_PW) == {}
        assert logs_in(s, lm, NEW_PW)


@t
def change_password_refusals(s):
    """auth.change_password: without a session unauthenticated; a short new password or a missing one invalid_params naming it"""
    with s.srv.client() as anon:
        expect_error("unauthenticated", anon.auth_change_password, PW, NEW_PW)
    login = s.uniq("coord")
    s.admin().user_create(login, PW, "coordinator", programs=[s.program()])
    with s.srv.login(login, PW) as u:
        expect_error("invalid_params", u.auth_change_password, PW, "short", field="new_password")
        expect_error("invalid_params", u.call, "auth.change_password", {"new_password": NEW_PW},
                     field="old_password")
        expect_error("invalid_params", u.call, "auth.change_password", {"old_password": PW},
                     field="new_password")
        expect_error("invalid_params", u.auth_change_password, "", NEW_PW, field="old_password")
    assert logs_in(s, login, PW), "a refused change changed the password"


@t
def change_password_repeat_request_id(s):
    """auth.change_password with a request_id: a repeat after the change (the old password no longer matching) answers {} from the first call and ends no session"""
    login = s.uniq("coord")
    s.admin().user_create(login, PW, "coordinator", programs=[s.program()])
    with s.srv.login(login, PW) as u:
        assert u.auth_change_password(PW, NEW_PW, request_id="cp-1") == {}
        with s.srv.login(login, NEW_PW) as v:
            assert u.auth_change_password(PW, NEW_PW, request_id="cp-1") == {}
            assert v.mentee_list()["items"] == [], "the repeat ended a session"
        # another request_id with the old password is a wrong old password
        expect_error("forbidden", u.auth_change_password, PW, NEW_PW, request_id="cp-2", field="old_password")
    assert logs_in(s, login, NEW_PW)



# ------------------------------------------------------------ user.enable

@t
def enable_after_disable(s):
    """user.enable (admin): a disabled mentee user and a disabled coordinator log in again with their passwords; enabling an enabled user is {}"""
    coord, prog = s.coordinator()
    with coord:
        lm, mid = mentee_user(s, coord, prog)
        lo = s.uniq("coord")
        a = s.admin()
        a.user_create(lo, PW, "coordinator", programs=[prog])
        for login in (lm, lo):
            assert a.user_disable(login) == {}
            assert not logs_in(s, login, PW)
            assert a.user_enable(login) == {}
            assert logs_in(s, login, PW), login
            assert a.user_enable(login) == {}
        # the subject is still this user's: a second user for it is refused
        expect_error("conflict", coord.user_create, s.uniq("mentee"), PW, "mentee", subject=mid, field="subject")


@t
def disable_repeat_request_id_after_enable(s):
    """user.disable repeated with its request_id after the user was enabled again: answered {} from the first call, and the user's new session stays (the repeat changes nothing)"""
    a = s.admin()
    login = s.uniq("coord")
    a.user_create(login, PW, "coordinator", programs=[s.program()])
    assert a.user_disable(login, request_id="dis-1") == {}
    assert a.user_enable(login) == {}
    with s.srv.login(login, PW) as u:
        assert u.mentee_list()["items"] == []
        assert a.user_disable(login, request_id="dis-1") == {}
        assert u.mentee_list()["items"] == [], "the repeated user.disable ended a session of the enabled user"
    assert logs_in(s, login, PW)


@t
def set_password_of_disabled_user(s):
    """user.set_password of a disabled user: it stays disabled; once enabled it logs in with the new password only"""
    a = s.admin()
    login = s.uniq("coord")
    a.user_create(login, PW, "coordinator", programs=[s.program()])
    a.user_disable(login)
    assert a.user_set_password(login, NEW_PW) == {}
    assert not logs_in(s, login, NEW_PW)
    assert a.user_enable(login) == {}
    assert logs_in(s, login, NEW_PW) and not logs_in(s, login, PW)


@t
def enable_refused_after_rebind(s):
    """user.enable: a login whose subject was re-bound to another login since is conflict (also once that one is disabled) and stays disabled"""
    coord, prog = s.coordinator()
    with coord:
        old, mid = mentee_user(s, coord, prog)
        a = s.admin()
        a.user_disable(old)
        new = s.uniq("mentee")
        a.user_create(new, PW, "mentee", subject=mid, rebind=True)
        expect_error("conflict", a.user_enable, old, field="login")
        assert not logs_in(s, old, PW)
        a.user_disable(new)
        expect_error("conflict", a.user_enable, old, field="login")
        assert not logs_in(s, old, PW) and not logs_in(s, new, PW)
        assert a.user_enable(new) == {}
        assert logs_in(s, new, PW)


@t
def enable_fills_missing_subject_entry(s):
    """user.enable of a user older than the subject index (no subj: entry): enabled, and the entry names it again, so a second user for the subject is conflict"""
    coord, prog = s.coordinator()
    with coord:
        lc, cid = coach_user(s, coord, prog)
        a = s.admin()
        a.user_disable(lc)
        s.env.redis.cmd("DEL", "cn:subj:coach:" + cid)
        assert a.user_enable(lc) == {}
        assert logs_in(s, lc, PW)
        got = s.env.redis.cmd("GET", "cn:subj:coach:" + cid)
        assert got in (lc, lc.encode()), got
        expect_error("conflict", coord.user_create, s.uniq("coach"), PW, "coach", subject=cid, field="subject")


@t
def enable_refusals(s):
    """user.enable: coordinator, mentee and coach callers forbidden; an unknown login not_found; no login invalid_params"""
    coord, prog = s.coordinator()
    with coord:
        lm, _ = mentee_user(s, coord, prog)
        lc, _ = coach_user(s, coord, prog)
        s.admin().user_disable(lm)
        expect_error("forbidden", coord.user_enable, lm)
        with s.srv.login(lc, PW) as u:
            expect_error("forbidden", u.user_enable, lm)
        assert not logs_in(s, lm, PW)
        a = s.admin()
        expect_error("not_found", a.user_enable, s.uniq("nobody"), field="login")
        expect_error("not_found", a.user_enable, "no such user", field="login")
        expect_error("invalid_params", a.call, "user.enable", {}, field="login")



# -------------------------------------------------------------- user.list

def fill_user_index_script():
    """The Lua text of the one-off fill of idx:user for users created before
    it, as docs/operations.md ("Upgrading: the user index") gives it."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    sec = doc[doc.index("### Upgrading: the user index"):]
    m = re.search(r'redis-cli EVAL "(.*?)" 0 cn:', sec, re.S)
    assert m, "no EVAL in the section"
    return "\n".join(line.strip() for line in m.group(1).splitlines())


def all_users(client, **filters):
    """Every item of user.list, following the cursor (pages of 3)."""
    items, cursor, pages = [], None, 0
    while True:
        page = client.user_list(cursor=cursor, limit=3, **filters)
        assert len(page["items"]) <= 3, page
        items += page["items"]
        pages += 1
        cursor = page.get("cursor")
        if cursor is None:
            return items, pages
        assert pages < 1000, "the cursor does not end"


def by_login(items):
    return {it["login"]: it for it in items}


@t
def list_admin_every_user_paged(s):
    """user.list (admin): every user once, in login order, over pages to the last one (cursor nil); each item's role, subject, programs, disabled"""
    coord, prog = s.coordinator()
    with coord:
        lm, mid = mentee_user(s, coord, prog)
        lc, cid = coach_user(s, coord, prog)
        lo = s.uniq("coord")
        a = s.admin()
        other = s.program()
        a.user_create(lo, PW, "coordinator", programs=[prog, other])
        a.user_disable(lc)
        items, pages = all_users(a)
        logins = [it["login"] for it in items]
        assert logins == sorted(logins) and len(set(logins)) == len(logins), logins
        assert pages >= 2, pages
        got = by_login(items)
        assert got[lm] == {"login": lm, "role": "mentee", "subject": mid, "programs": [prog], "disabled": False}, got[lm]
        assert got[lc] == {"login": lc, "role": "coach", "subject": cid, "programs": [prog], "disabled": True}, got[lc]
        assert got[lo] == {"login": lo, "role": "coordinator", "programs": [prog, other], "disabled": False}, got[lo]
        admins = [it for it in items if it["role"] == "admin"]
        assert admins and all(set(it) == {"login", "role", "disabled"} for it in admins), admins
        assert a.user_list(limit=500)["items"] == items[:500]


@t
def list_filters(s):
    """user.list role and program filters: role alone; program: that program's coordinators and the mentee/coach users whose subject's profile is in it"""
    coord, prog = s.coordinator()
    with coord:
        lm, _ = mentee_user(s, coord, prog)
        lc, _ = coach_user(s, coord, prog)
        a = s.admin()
        items, _ = all_users(a, role="mentee")
        assert items and all(it["role"] == "mentee" for it in items) and lm in by_login(items), items
        items, _ = all_users(a, program=prog)
        assert set(by_login(items)) == {lm, lc, coord.auth_resume()["login"]}, items
        items, _ = all_users(a, role="coach", program=prog)
        assert set(by_login(items)) == {lc}, items
        assert all_users(a, program="p-nobody-has")[0] == []


@t
def list_coordinator_sees_its_mentee_and_coach_users(s):
    """user.list (coordinator): only the mentee and coach users of its programs, never coordinators or admins or another program's users; a program outside its own is forbidden"""
    coord, prog = s.coordinator()
    other, oprog = s.coordinator()
    with coord, other:
        lm, _ = mentee_user(s, coord, prog)
        lc, _ = coach_user(s, coord, prog)
        lo, _ = mentee_user(s, other, oprog)
        items, _ = all_users(coord)
        assert set(by_login(items)) == {lm, lc}, items
        assert set(by_login(all_users(coord, program=prog)[0])) == {lm, lc}
        assert set(by_login(all_users(coord, role="coach")[0])) == {lc}
        assert all_users(coord, role="coordinator")[0] == []
        assert set(by_login(all_users(other)[0])) == {lo}
        expect_error("forbidden", coord.user_list, program=oprog)


@t
def list_refusals(s):
    """user.list: mentee and coach callers forbidden; a cursor it did not return, a bad role or limit invalid_params naming the field"""
    coord, prog = s.coordinator()
    with coord:
        lm, _ = mentee_user(s, coord, prog)
        lc, _ = coach_user(s, coord, prog)
        for login in (lm, lc):
            with s.srv.login(login, PW) as u:
                expect_error("forbidden", u.user_list)
        a = s.admin()
        for bad in ("zz", "abc", "00", "6162 63", "61" * 65):
            expect_error("invalid_params", a.user_list, cursor=bad, field="cursor")
        expect_error("invalid_params", a.user_list, role="root", field="role")
        expect_error("invalid_params", a.user_list, limit=0, field="limit")
        expect_error("invalid_params", a.user_list, limit=501, field="limit")


@t
def list_cursor_of_login_with_at(s):
    """user.list: a page ending on a login with '@' goes on after it"""
    a = s.admin()
    tag = s.uniq("at")
    logins = ["%s-%d@bkn.go.id" % (tag, i) for i in range(3)]
    prog = s.program()
    for login in logins:
        a.user_create(login, PW, "coordinator", programs=[prog])
    items, _ = all_users(a, program=prog)
    assert [it["login"] for it in items] == logins, items
    page = a.user_list(program=prog, limit=1)
    got = [page["items"][0]["login"]]
    while page.get("cursor"):
        page = a.user_list(program=prog, limit=1, cursor=page["cursor"])
        got += [it["login"] for it in page["items"]]
    assert got == logins, got


@t
def list_older_users_after_fill(s):
    """user.list: a user created before idx:user is not listed until the one-off fill of docs/operations.md, then listed once"""
    a = s.admin()
    login = s.uniq("old")
    prog = s.program()
    a.user_create(login, PW, "coordinator", programs=[prog])
    s.env.redis.cmd("ZREM", "cn:idx:user", login)
    assert all_users(a, program=prog)[0] == []
    fill = fill_user_index_script()
    n = s.env.redis.cmd("EVAL", fill, "0", "cn:")
    assert int(n) == 1, n
    assert [it["login"] for it in all_users(a, program=prog)[0]] == [login]
    assert int(s.env.redis.cmd("EVAL", fill, "0", "cn:")) == 0


if __name__ == "__main__":
    main(suite)
