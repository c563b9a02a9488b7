#!/usr/bin/python3
"""Sessions are valid only while Redis says so (DESIGN section 14, issue 10
findings 1 and 2), with three coachnetd on one Redis:

  A   the main server (defaults);
  B   session-check-s 1: the periodic re-validation ends a session within
      about a second of Redis losing it;
  C   session-check-s 3600: the periodic check never runs during the suite,
      so what ends a session there is the pub/sub event, or the check made
      right after its pub/sub link is subscribed again.

A user disabled while the pub/sub links are down (CLIENT KILL TYPE pubsub)
is refused on B and C; auth.logout ends every connection of that token on
every instance; a Redis outage keeps the sessions."""

import time

from harness import Suite, main, expect_error, CoachnetError, SLOW, wait_until

suite = Suite("sessions")
t = suite.test
ENDED = 5 * SLOW    # seconds allowed for a session to end on another instance
TRIES = 10          # kill + disable attempts until one lands while the links are down


def servers(s):
    """B and C, started once (see the top)."""
    if getattr(s, "srv_b", None) is None or not s.srv_b.alive():
        s.srv_b = s.env.add_server(name="coachnetd-b", session_check_s=1)
    if getattr(s, "srv_c", None) is None or not s.srv_c.alive():
        s.srv_c = s.env.add_server(name="coachnetd-c", session_check_s=3600)
    return s.srv_b, s.srv_c


def works(c):
    """A request that needs the coordinator's session succeeds."""
    c.call("mentee.list", {"limit": 1})
    return True


def refused(c):
    """The connection's session is gone: a request gets `unauthenticated`."""
    try:
        c.call("mentee.list", {"limit": 1})
    except CoachnetError as e:
        if e.code == "unauthenticated":
            return True
        raise
    return False


def new_coordinator(s):
    """(login, a client logged in on A) of a fresh coordinator."""
    login = s.uniq("coord")
    s.admin().user_create(login, s.PASSWORD, "coordinator", programs=[s.program()])
    return login, s.srv.login(login, s.PASSWORD)


@t
def disabled_while_pubsub_down_is_refused_everywhere(s):
    """user.disable through A while B's and C's pub/sub links are down: B and C refuse that user within seconds"""
    b, c = servers(s)
    redis = s.env.redis
    admin = s.admin()
    for attempt in range(TRIES):
        login, ca = new_coordinator(s)
        cb = b.login(login, s.PASSWORD)
        cc = c.login(login, s.PASSWORD)
        try:
            assert works(cb) and works(cc)
            wait_until(lambda: redis.cmd("PUBSUB", "NUMSUB", "cn:events")[1] >= 3, ENDED,
                       what="every instance subscribed")
            redis.cmd("CLIENT", "KILL", "TYPE", "pubsub")
            admin.user_disable(login)
            # Subscriptions only come back after the kill: none now means
            # none while the disable was published (its event was lost).
            if redis.cmd("PUBSUB", "NUMSUB", "cn:events")[1] != 0:
                continue
            wait_until(lambda: refused(cb), ENDED, what="B to refuse the disabled user")
            wait_until(lambda: refused(cc), ENDED,
                       what="C (no periodic check) to refuse the disabled user after resubscribing")
            expect_error("unauthenticated", ca.call, "mentee.list", {"limit": 1})
            return
        finally:
            for x in (ca, cb, cc):
                x.close()
    raise AssertionError("the disable never landed while the pub/sub links were down (%d tries)" % TRIES)


@t
def token_deleted_behind_its_back_ends_within_session_check_s(s):
    """a token deleted in Redis without any event (a missed message) ends the session on B within session-check-s"""
    b, _c = servers(s)
    login, ca = new_coordinator(s)
    cb = b.client()
    try:
        cb.auth_resume(ca.token)
        assert works(cb)
        th = s.env.redis.cmd("SMEMBERS", "cn:utok:" + login)
        assert len(th) == 1, th
        assert s.env.redis.cmd("DEL", b"cn:tok:" + th[0]) == 1
        wait_until(lambda: refused(cb), 3 * SLOW + 1, what="B to end the session of the deleted token")
    finally:
        ca.close()
        cb.close()


@t
def logout_ends_every_connection_of_the_token(s):
    """auth.logout on one connection: the others on the same token (another on A, one on B, one on C) get `unauthenticated`"""
    b, c = servers(s)
    login, a1 = new_coordinator(s)
    other = s.srv.login(login, s.PASSWORD)      # another token of the same user
    a2, cb, cc = s.srv.client(), b.client(), c.client()
    try:
        for x in (a2, cb, cc):
            x.auth_resume(a1.token)
            assert works(x)
        a1.auth_logout()
        assert refused(a1)
        assert refused(a2), "the other connection on A kept the session"   # before the answer
        wait_until(lambda: refused(cb), ENDED, what="B to end the logged-out token")
        wait_until(lambda: refused(cc), ENDED, what="C (pub/sub only) to end the logged-out token")
        assert works(other), "the user's other token was ended too"
    finally:
        for x in (a1, other, a2, cb, cc):
            x.close()


@t
def logout_repeat_request_id_ends_the_new_token(s):
    """auth.logout repeated with its request_id from a new session of the same user (a client retrying a logout whose answer was lost): the new token ends in Redis too, not only on this connection"""
    login, a1 = new_coordinator(s)
    try:
        assert a1.auth_logout(request_id="lo-1") == {}
        a1.auth_login(login, s.PASSWORD)
        token = a1.token
        assert works(a1)
        assert a1.auth_logout(request_id="lo-1") == {}
        assert refused(a1)
        with s.srv.client() as x:
            expect_error("unauthenticated", x.auth_resume, token)
    finally:
        a1.close()


@t
def disable_ends_every_connection_of_the_user(s):
    """user.disable (links up): every session of that user on A, B and C ends; another user's stays"""
    b, c = servers(s)
    login, a1 = new_coordinator(s)
    _keep_login, keep = new_coordinator(s)
    a2 = s.srv.login(login, s.PASSWORD)
    cb, cc, kb = b.client(), c.login(login, s.PASSWORD), b.client()
    try:
        cb.auth_resume(a1.token)
        kb.auth_resume(keep.token)
        assert works(cb) and works(cc) and works(kb)
        s.admin().user_disable(login)
        assert refused(a1) and refused(a2)            # on the answering instance, before the answer
        wait_until(lambda: refused(cb), ENDED, what="B to end the disabled user's session")
        wait_until(lambda: refused(cc), ENDED, what="C to end the disabled user's session")
        assert works(kb) and works(keep)
    finally:
        for x in (a1, keep, a2, cb, cc, kb):
            x.close()


@t
def redis_outage_keeps_sessions(s):
    """Redis down for several session-check-s periods: B keeps its sessions (`unavailable`, not `unauthenticated`), and they work once Redis is back"""
    b, _c = servers(s)
    login, ca = new_coordinator(s)
    cb = b.client()
    try:
        cb.auth_resume(ca.token)
        assert works(cb)
        s.env.redis.stop()
        try:
            time.sleep(3)                     # three periodic checks fail
            expect_error("unavailable", cb.call, "mentee.list", {"limit": 1})
        finally:
            s.env.redis.start()
        wait_until(lambda: works(cb), 10 * SLOW, what="B to serve the session again")
        time.sleep(2)                         # the checks after the outage keep it
        assert works(cb)
        assert "session check" in b.log_text()
    finally:
        ca.close()
        cb.close()


if __name__ == "__main__":
    main(suite)
