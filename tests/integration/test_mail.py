#!/usr/bin/python3
"""Mail outside the app (DESIGN section 10, issue 13): the outbox written by
the scripts of the changes, coachnet-mailer delivering it to a real SMTP
server that this suite runs (Debian's python3-aiosmtpd) and that captures
every message: each event's mail to the right people in their language,
the iCalendar invitation of meeting.schedule (parsed by python3-icalendar),
notify preferences, no address no mail; SMTP down, 4xx then 5xx replies
(dead letters, mail.dead, mail.retry), a server that refuses the mailer
itself (retried, no dead letter), and the mailer SIGKILLed while
sending (every message delivered afterwards, duplicates counted)."""

import email
import email.policy
import os
import re
import signal
import subprocess
import threading
import time

from aiosmtpd.controller import Controller
import icalendar

from harness import (Suite, main, expect_error, wait_until, free_port, run_and_wait, run_matches, review_one,
                     BUILD, DATA, SLOW)

SMTP_PORT = free_port()
MAILER = BUILD / "mailer" / "coachnet-mailer"
MAIL_FROM = "coachnet@example.org"
MAX_TRIES = 3
# The SMTP outage of smtp_down_then_delivered: a minute, as the issue asks
# (messages written while the server is down wait, retried with backoff:
# 100 ms doubling up to 1 s here, about sixty tries; all delivered once it is
# back, none twice).
OUTAGE_S = 60
# The jobs' intervals, shortened (defaults: an hour, a week).
DIGEST_S = 4

suite = Suite("mail", smtp_url="smtp://127.0.0.1:%d" % SMTP_PORT, mail_from=MAIL_FROM,
              mail_templates=str(DATA / "mail"), smtp_max_tries=MAX_TRIES, mail_retry_base_ms=100,
              mail_retry_max_ms=1000, mail_claim_idle_ms=1500, smtp_timeout_ms=3000,
              remind_interval_s=1, digest_interval_s=DIGEST_S)
t = suite.test


class Capture:
    """aiosmtpd handler: keeps every accepted message; `replies` holds SMTP
    replies to give instead of 250 to the next DATA commands."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []      # (rcpt, email.message.EmailMessage)
        self.replies = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.replies:
                self.refused += 1
                return self.replies.pop(0)
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            for r in envelope.rcpt_tos:
                self.messages.append((r, msg))
        return "250 OK"

    def to(self, addr):
        with self.lock:
            return [m for r, m in self.messages if r == addr]

    def count(self):
        with self.lock:
            return len(self.messages)


CAPTURE = Capture()
_smtp = {"ctl": None}


def smtp_start():
    ctl = Controller(CAPTURE, hostname="127.0.0.1", port=SMTP_PORT)
    ctl.start()
    _smtp["ctl"] = ctl


def smtp_stop():
    if _smtp["ctl"] is not None:
        _smtp["ctl"].stop()
        _smtp["ctl"] = None


class Mailer:
    """One coachnet-mailer process on the suite server's config file."""

    def __init__(self, s, conf_path=None):
        self.s = s
        self.conf_path = conf_path
        self.proc = None
        self.n = 0
        self.tag = conf_path.stem if conf_path else "mailer"

    def start(self):
        self.n += 1
        log = open(self.s.env.dir / ("%s.%d.log" % (self.tag, self.n)), "wb")
        conf = self.conf_path or self.s.srv.conf_path
        self.proc = subprocess.Popen([str(MAILER), "--config", str(conf)], cwd=str(self.s.env.dir),
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_until(lambda: "ready" in self.log(), 10 * SLOW, what="coachnet-mailer ready")

    def log(self):
        p = self.s.env.dir / ("%s.%d.log" % (self.tag, self.n))
        return p.read_text(errors="replace") if p.exists() else ""

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(15 * SLOW)
            self.proc = None
            assert rc == 0, "coachnet-mailer exited %s on SIGTERM:\n%s" % (rc, self.log()[-2000:])

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None


_mailer = {}


def mailer(s):
    """The suite's mailer, started on first use (with the SMTP server)."""
    if "m" not in _mailer:
        smtp_start()
        _mailer["m"] = Mailer(s)
        _mailer["m"].start()
    return _mailer["m"]


def addr(tag, s):
    return "%s@example.org" % s.uniq(tag)


def pair(s, coord, prog, mentee_lang="id", coach_lang="en", mentee_email=True, coach_email=True, **over):
    """A mentee and a coach of prog with users; returns (mentee, coach,
    mentee client, coach client)."""
    m = s.gen.mentee(prog, language=mentee_lang, **over.get("mentee", {}))
    if mentee_email:
        m["email"] = addr("mentee", s)
    c = s.gen.coach([prog], capacity=1, language=coach_lang, **over.get("coach", {}))
    if coach_email:
        c["email"] = addr("coach", s)
    coord.mentee_put(m)
    coord.coach_put(c)
    return m, c, s.subject_user(coord, "mentee", m["id"]), s.subject_user(coord, "coach", c["id"])


def wait_mail(addr_, n=1, timeout=20):
    wait_until(lambda: len(CAPTURE.to(addr_)) >= n, timeout * SLOW, what="%d message(s) to %s" % (n, addr_))
    return CAPTURE.to(addr_)


def body(msg, ctype="text/plain"):
    for part in msg.walk():
        if part.get_content_type() == ctype:
            return part.get_content()
    return None


def outbox_empty(s):
    return s.env.redis.cmd("XLEN", "cn:outbox") == 0


@t
def requested_accepted_mails_in_each_language(s):
    """match.request mails the coach (English); accepting mails both sides, each in its language, with a Message-ID"""
    mailer(s)
    coord, prog = s.coordinator()
    m, c, mu, cu = pair(s, coord, prog, mentee_lang="id", coach_lang="en")
    mid = mu.match_request(c["id"])["match"]["id"]
    got = wait_mail(c["email"])
    assert got[0]["Subject"] == "New coaching request", got[0]["Subject"]
    assert m["name"] in body(got[0]) and mid in body(got[0])
    assert "text/html" in [p.get_content_type() for p in got[0].walk()]
    assert CAPTURE.to(m["email"]) == [], "the mentee is not told of its own request"
    cu.match_respond(mid, True)
    mm = wait_mail(m["email"])
    assert mm[0]["Subject"] == "Pasangan coaching dimulai", mm[0]["Subject"]
    assert "Yth. %s" % m["name"] in body(mm[0])
    cm = wait_mail(c["email"], 2)
    assert cm[1]["Subject"] == "Your coaching match starts"
    ids = {x["Message-ID"] for x in mm + cm}
    assert len(ids) == 3 and all(i.endswith("@example.org>") for i in ids), ids
    wait_until(lambda: outbox_empty(s), 10 * SLOW, what="outbox emptied")
    for u in (mu, cu, coord):
        u.close()


@t
def approval_mails_both_sides(s):
    """a coordinator's approval mails mentee and coach; a cancel mails both again"""
    mailer(s)
    coord, prog = s.coordinator()
    m, c, mu, cu = pair(s, coord, prog, mentee_lang="en", coach_lang="id")
    run_id, _, _ = run_and_wait(coord, prog)
    match = [x for x in run_matches(coord, run_id) if x["mentee_id"] == m["id"]][0]
    assert review_one(coord, match["id"]) == "approved"
    assert wait_mail(m["email"])[0]["Subject"] == "Your coaching match was approved"
    assert wait_mail(c["email"])[0]["Subject"] == "Pasangan coaching Anda telah disetujui"
    coord.match_review([match["id"]], "cancel")
    assert wait_mail(m["email"], 2)[1]["Subject"] == "Coaching match cancelled"
    assert wait_mail(c["email"], 2)[1]["Subject"] == "Pasangan coaching dibatalkan"
    for u in (mu, cu, coord):
        u.close()


def accepted(s, coord, prog, **kw):
    m, c, mu, cu = pair(s, coord, prog, **kw)
    mid = mu.match_request(c["id"])["match"]["id"]
    cu.match_respond(mid, True)
    return m, c, mu, cu, mid


def calendar(msg):
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_params(), icalendar.Calendar.from_ical(part.get_content())
    raise AssertionError("no text/calendar part")


@t
def meeting_invitation_and_reschedule(s):
    """meeting.schedule sends both sides a METHOD:REQUEST .ics (start, duration, UID); a move keeps the UID with SEQUENCE+1; a cancelled match sends METHOD:CANCEL"""
    mailer(s)
    coord, prog = s.coordinator()
    m, c, mu, cu, mid = accepted(s, coord, prog)
    wait_mail(m["email"])
    start = (int(time.time()) // 3600 + 48) * 3600
    mt = mu.meeting_schedule(mid, start, 90, place="Ruang Rapat 2")["meeting_id"]
    inv = []
    for a in (m["email"], c["email"]):
        params, cal = calendar(wait_mail(a, 2 if a == m["email"] else 3)[-1])
        assert ("method", "REQUEST") in params, params
        assert cal["METHOD"] == "REQUEST"
        ev = cal.walk("VEVENT")[0]
        assert int(ev["DTSTART"].dt.timestamp()) == start, (ev["DTSTART"].dt, start)
        assert str(ev["DTSTART"].params.get("TZID")) == "Asia/Jakarta"
        assert ev["DURATION"].dt.total_seconds() == 90 * 60
        assert str(ev["LOCATION"]) == "Ruang Rapat 2"
        inv.append(ev)
    uid = str(inv[0]["UID"])
    assert uid == "%s@example.org" % mt and str(inv[1]["UID"]) == uid and int(inv[0]["SEQUENCE"]) == 0
    attendees = sorted(str(a) for a in inv[0]["ATTENDEE"])
    assert attendees == sorted(["mailto:" + m["email"], "mailto:" + c["email"]]), attendees
    # move it: same UID, SEQUENCE 1
    assert cu.meeting_schedule(mid, start + 3600, 60, meeting_id=mt)["meeting_id"] == mt
    _, cal = calendar(wait_mail(m["email"], 3)[-1])
    ev = cal.walk("VEVENT")[0]
    assert str(ev["UID"]) == uid and int(ev["SEQUENCE"]) == 1
    assert int(ev["DTSTART"].dt.timestamp()) == start + 3600 and ev["DURATION"].dt.total_seconds() == 3600
    # the match is cancelled: its meeting too.  The coach's fifth message is
    # the cancellation, the sixth the meeting's CANCEL (two outbox entries
    # of one change): wait for both, not for the fifth and then the last
    # one there (CI under SANITIZE=1 read the fifth alone).
    mu.match_respond(mid, False)
    got = wait_mail(c["email"], 6)
    assert not any(p.get_content_type() == "text/calendar" for p in got[4].walk()), got[4]["Subject"]
    params, cal = calendar(got[5])
    ev = cal.walk("VEVENT")[0]
    assert cal["METHOD"] == "CANCEL" and ("method", "CANCEL") in params
    assert str(ev["UID"]) == uid and int(ev["SEQUENCE"]) == 2 and str(ev["STATUS"]) == "CANCELLED"
    for u in (mu, cu, coord):
        u.close()


def ics_events(addr_, method):
    """The VEVENTs of the iCalendar parts of METHOD method mailed to addr_."""
    out = []
    for msg in CAPTURE.to(addr_):
        if any(p.get_content_type() == "text/calendar" for p in msg.walk()):
            _, cal = calendar(msg)
            if cal["METHOD"] == method:
                out.append(cal.walk("VEVENT")[0])
    return out


@t
def completed_match_cancels_meetings_to_come(s):
    """a match the coordinator completes cancels its meetings still to come: METHOD:CANCEL, the same UID, SEQUENCE+1"""
    # Regression test: completing released the seat and told both sides but
    # left the planned meetings scheduled, and a completed match's meetings
    # can no longer be moved or cancelled: the invitation stayed in both
    # calendars for good.  Cancelling a match already cancelled them.
    mailer(s)
    coord, prog = s.coordinator()
    m, c, mu, cu, mid = accepted(s, coord, prog)
    start = (int(time.time()) // 3600 + 72) * 3600
    mt = cu.meeting_schedule(mid, start, 60)["meeting_id"]
    uid = "%s@example.org" % mt
    for a in (m["email"], c["email"]):
        wait_until(lambda: [e for e in ics_events(a, "REQUEST") if str(e["UID"]) == uid], 20 * SLOW,
                   what="the invitation to %s" % a)
    assert review_one(coord, mid, "complete") == "completed"
    for a in (m["email"], c["email"]):
        wait_until(lambda: [e for e in ics_events(a, "CANCEL") if str(e["UID"]) == uid], 20 * SLOW,
                   what="a METHOD:CANCEL to %s" % a)
        ev = [e for e in ics_events(a, "CANCEL") if str(e["UID"]) == uid][0]
        assert int(ev["SEQUENCE"]) == 1 and str(ev["STATUS"]) == "CANCELLED", ev
    expect_error("conflict", cu.meeting_schedule, mid, start, 60, meeting_id=mt, field="match_id")
    for u in (mu, cu, coord):
        u.close()


@t
def meeting_schedule_errors(s):
    """meeting.schedule: not your match forbidden, unknown match not_found, a requested match conflict, a past start invalid_params, an unknown meeting_id not_found, a coordinator forbidden"""
    coord, prog = s.coordinator()
    m, c, mu, cu = pair(s, coord, prog)
    mid = mu.match_request(c["id"])["match"]["id"]
    later = int(time.time()) + 86400
    expect_error("conflict", mu.meeting_schedule, mid, later, 60, field="match_id")
    cu.match_respond(mid, True)
    expect_error("not_found", mu.meeting_schedule, "m999999999", later, 60, field="match_id")
    expect_error("invalid_params", mu.meeting_schedule, mid, int(time.time()) - 60, 60, field="start")
    expect_error("not_found", mu.meeting_schedule, mid, later, 60, meeting_id="mt999999999", field="meeting_id")
    expect_error("invalid_params", mu.meeting_schedule, mid, later, 601, field="minutes")
    m2, c2, mu2, cu2 = pair(s, coord, prog)
    expect_error("forbidden", mu2.meeting_schedule, mid, later, 60, field="match_id")
    expect_error("forbidden", coord.meeting_schedule, mid, later, 60)
    assert mu.meeting_schedule(mid, later, 60)["meeting_id"].startswith("mt")
    for u in (mu, cu, mu2, cu2, coord):
        u.close()


@t
def preferences_and_no_address(s):
    """notify {accepted: false} stops that kind only; a profile without email gets no mail; the outbox is emptied anyway"""
    mailer(s)
    coord, prog = s.coordinator()
    m, c, mu, cu = pair(s, coord, prog, mentee_email=False, coach={"notify": {"accepted": False}})
    assert coord.coach_get(c["id"])["profile"]["notify"] == {"accepted": False}
    mid = mu.match_request(c["id"])["match"]["id"]
    wait_mail(c["email"])                          # requested: on
    cu.match_respond(mid, True)                    # accepted: off for the coach, no address for the mentee
    wait_until(lambda: outbox_empty(s), 10 * SLOW, what="outbox emptied")
    time.sleep(0.5)
    assert len(CAPTURE.to(c["email"])) == 1, [x["Subject"] for x in CAPTURE.to(c["email"])]
    expect_error("invalid_params", coord.coach_put, dict(c, notify={"nonsense": False}), field="notify")
    for u in (mu, cu, coord):
        u.close()


@t
def smtp_down_then_delivered(s):
    """SMTP down (OUTAGE_S): changes meanwhile are delivered after it is back, none lost, none twice"""
    mailer(s)
    coord, prog = s.coordinator()
    pairs = [pair(s, coord, prog) for _ in range(3)]
    smtp_stop()
    try:
        for m, c, mu, cu in pairs:
            mu.match_request(c["id"])
        time.sleep(OUTAGE_S)
        assert all(CAPTURE.to(c["email"]) == [] for _, c, _, _ in pairs)
        assert s.env.redis.cmd("XLEN", "cn:outbox") >= 3
    finally:
        smtp_start()
    for _, c, _, _ in pairs:
        got = wait_mail(c["email"], 1, timeout=30)
        assert len(got) == 1
    assert s.env.redis.cmd("XLEN", "cn:mail:dead") == 0
    for m, c, mu, cu in pairs:
        mu.close()
        cu.close()
    coord.close()


@t
def transient_then_permanent_dead_letter_and_retry(s):
    """4xx replies are retried, a 5xx makes a dead letter; mail.dead lists it (admin only), mail.retry delivers it once"""
    mailer(s)
    coord, prog = s.coordinator()
    m, c, mu, cu = pair(s, coord, prog)
    before = CAPTURE.refused
    CAPTURE.replies[:] = ["451 4.3.0 try later", "452 4.3.1 full", "554 5.7.1 refused"]
    mu.match_request(c["id"])
    adm = s.admin()
    wait_until(lambda: adm.mail_dead()["items"], 20 * SLOW, what="a dead letter")
    assert CAPTURE.refused - before == 3 and CAPTURE.to(c["email"]) == []
    items = adm.mail_dead()["items"]
    d = [x for x in items if x["to"] == "coach:" + c["id"]][0]
    assert d["kind"] == "requested" and d["tries"] == 3 and "554" in d["reason"], d
    expect_error("forbidden", coord.mail_dead)
    expect_error("forbidden", coord.mail_retry, [d["id"]])
    expect_error("invalid_params", adm.mail_retry, ["nonsense"], field="ids")
    # ids beyond 64 bits: invalid_params, not `internal` (the scripts' XRANGE failed)
    expect_error("invalid_params", adm.mail_retry, ["99999999999999999999-0"], field="ids[0]")
    expect_error("invalid_params", adm.mail_dead, cursor="1-99999999999999999999", field="cursor")
    assert adm.mail_dead(cursor="18446744073709551615-18446744073709551615") == {"items": [], "cursor": None}
    assert adm.mail_retry([d["id"]])["retried"] == 1
    assert adm.mail_retry([d["id"]])["retried"] == 0
    got = wait_mail(c["email"])
    assert got[0]["Message-ID"] == "<%s.coach.%s@example.org>" % (d["event"], c["id"]), got[0]["Message-ID"]
    assert [x for x in adm.mail_dead()["items"] if x["id"] == d["id"]] == []
    time.sleep(1)
    assert len(CAPTURE.to(c["email"])) == 1
    for u in (mu, cu, coord):
        u.close()


@t
def max_tries_of_4xx_make_a_dead_letter(s):
    """smtp-max-tries 4xx replies make a dead letter with tries = smtp-max-tries"""
    mailer(s)
    coord, prog = s.coordinator()
    m, c, mu, cu = pair(s, coord, prog)
    CAPTURE.replies[:] = ["421 4.4.2 busy"] * MAX_TRIES
    mu.match_request(c["id"])
    adm = s.admin()
    wait_until(lambda: [x for x in adm.mail_dead()["items"] if x["to"] == "coach:" + c["id"]], 20 * SLOW,
               what="a dead letter")
    d = [x for x in adm.mail_dead()["items"] if x["to"] == "coach:" + c["id"]][0]
    assert d["tries"] == MAX_TRIES and "421" in d["reason"], d
    # leave the dead letters empty for the next tests
    adm.mail_retry([x["id"] for x in adm.mail_dead()["items"]])
    wait_mail(c["email"])
    for u in (mu, cu, coord):
        u.close()


@t
def dead_letter_refused_by_redis_stays_in_the_outbox(s):
    """a dead letter Redis refuses (its key of another type here; a full Redis alike) leaves the entry in the outbox: once Redis takes writes again the message is delivered or dead-lettered, never lost"""
    # Regression test (a review helper's probe): any reply to the dead
    # letter's XADD counted as written, and the entry was acknowledged and
    # deleted: not delivered, not in the outbox, not in mail:dead.
    mx = mailer(s)
    coord, prog = s.coordinator()
    m, c, mu, cu = pair(s, coord, prog)
    r = s.env.redis
    before = CAPTURE.refused
    r.cmd("SET", "cn:mail:dead", "not a stream")
    try:
        CAPTURE.replies[:] = ["554 5.7.1 refused"]
        mu.match_request(c["id"])      # one entry: `requested` to the coach
        wait_until(lambda: CAPTURE.refused - before == 1 and "dead letter" in mx.log(), 20 * SLOW,
                   what="the 554 and the mailer's dead letter")
        assert r.cmd("XLEN", "cn:outbox") >= 1, "the entry left the outbox: the message is lost"
        assert "not written" in mx.log(), mx.log()[-2000:]
    finally:
        r.cmd("DEL", "cn:mail:dead")
    # claimable again after mail-claim-idle-ms: the SMTP server takes it now
    got = wait_mail(c["email"])
    assert got[0]["Subject"], got[0]
    wait_until(lambda: outbox_empty(s), 20 * SLOW, what="the outbox emptied")
    for u in (mu, cu, coord):
        u.close()


@t
def mailer_killed_while_sending(s):
    """the mailer SIGKILLed while sending: after a restart every message is delivered; duplicates are counted (at most one per kill)"""
    mx = mailer(s)
    coord, prog = s.coordinator()
    n = 40
    pairs = [pair(s, coord, prog) for _ in range(n)]
    mx.stop()
    base = CAPTURE.count()
    for m, c, mu, cu in pairs:
        mu.match_request(c["id"])
    kills = 0
    for _ in range(3):
        mx.start()
        wait_until(lambda: CAPTURE.count() > base + kills * 5 + 3, 20 * SLOW, what="mailer sending")
        mx.kill()
        kills += 1
    mx.start()
    for _, c, _, _ in pairs:
        wait_mail(c["email"], 1, timeout=30)
    try:
        wait_until(lambda: outbox_empty(s), 20 * SLOW, what="outbox emptied")
    except AssertionError:
        r = s.env.redis
        raise AssertionError("outbox: %r pending %r\nmailer log:\n%s" % (
            r.cmd("XRANGE", "cn:outbox", "-", "+", "COUNT", "5"), r.cmd("XPENDING", "cn:outbox", "mailer"),
            mx.log()[-3000:]))
    time.sleep(1)
    ids = [x["Message-ID"] for _, c, _, _ in pairs for x in CAPTURE.to(c["email"])]
    dups = len(ids) - len(set(ids))
    print("# %d messages, %d SIGKILLs, %d duplicates" % (n, kills, dups))
    assert dups <= kills, "more duplicates (%d) than kills (%d)" % (dups, kills)
    for m, c, mu, cu in pairs:
        mu.close()
        cu.close()
    coord.close()


@t
def reminders_once_per_waiting_period(s):
    """a requested match unchanged for more than remind-after-days reminds the coach once; an accepted one without a meeting for meeting-remind-days reminds both once"""
    mailer(s)
    coord, prog = s.coordinator()
    m, c, mu, cu = pair(s, coord, prog, coach_lang="id", mentee_lang="en")
    mid = mu.match_request(c["id"])["match"]["id"]
    wait_mail(c["email"])
    r = s.env.redis
    r.cmd("HSET", "cn:match:" + mid, "updated_at", str(int(time.time()) - 2 * 86400))
    time.sleep(2.5)
    assert len(CAPTURE.to(c["email"])) == 1, "2 days < remind-after-days (3): no reminder"
    r.cmd("HSET", "cn:match:" + mid, "updated_at", str(int(time.time()) - 4 * 86400))
    got = wait_mail(c["email"], 2)
    assert got[1]["Subject"] == "Pengingat: pasangan coaching menunggu jawaban Anda", got[1]["Subject"]
    assert mid in body(got[1])
    time.sleep(2.5)                               # two more runs of the job
    assert len(CAPTURE.to(c["email"])) == 2, [x["Subject"] for x in CAPTURE.to(c["email"])]
    assert CAPTURE.to(m["email"]) == []
    cu.match_respond(mid, True)
    wait_mail(m["email"])                          # accepted
    r.cmd("HSET", "cn:match:" + mid, "accepted_at", str(int(time.time()) - 31 * 86400))
    got = wait_mail(m["email"], 2)
    assert got[1]["Subject"] == "Reminder: plan a coaching meeting", got[1]["Subject"]
    assert wait_mail(c["email"], 4)[3]["Subject"] == "Pengingat: jadwalkan pertemuan coaching"
    time.sleep(2.5)
    assert len(CAPTURE.to(m["email"])) == 2 and len(CAPTURE.to(c["email"])) == 4
    for u in (mu, cu, coord):
        u.close()


@t
def weekly_digest_for_coordinators(s):
    """a coordinator with an email gets the digest of its programs every digest-interval-s (shortened), in its language, with proposals, waiting, declined, JP and unmatched"""
    mailer(s)
    r = s.env.redis
    # hold the job's lock while the figures are made, so the first digest has them all
    r.cmd("SET", "cn:lock:mail:digest", "test", "PX", "60000")
    prog = s.program()
    caddr = addr("coord", s)
    login = s.uniq("coorddigest")
    adm = s.admin()
    expect_error("invalid_params", adm.user_create, login, s.PASSWORD, "coordinator", programs=[prog],
                 email="no-at-sign", field="email")
    adm.user_create(login, s.PASSWORD, "coordinator", programs=[prog], email=caddr, language="en")
    coord = s.srv.login(login, s.PASSWORD)
    # one declined request, one waiting request, 90 minutes logged, one unmatched mentee of a run
    m1, c1, mu1, cu1 = pair(s, coord, prog)
    cu1.match_respond(mu1.match_request(c1["id"])["match"]["id"], False)
    m2, c2, mu2, cu2 = pair(s, coord, prog)
    mu2.match_request(c2["id"])
    m3, c3, mu3, cu3, mid3 = accepted(s, coord, prog)
    from harness import server_date
    mu3.meeting_log(mid3, server_date(), 90)
    lone = s.gen.mentee(prog, province="91")
    coord.mentee_put(lone)
    run_and_wait(coord, prog)
    assert CAPTURE.to(caddr) == []
    r.cmd("DEL", "cn:lock:mail:digest")
    first = 0
    got = wait_mail(caddr, first + 1, timeout=3 * DIGEST_S + 10)[first]
    assert got["Subject"] == "coachnet weekly digest", got["Subject"]
    text = body(got)
    for line in ("matches waiting for an answer: 1", "matches declined: 1", "JP logged: 2.0"):
        assert line in text, (line, text)
    assert "new proposals not reviewed: " in text and "left unmatched: " in text
    nxt = wait_mail(caddr, first + 2, timeout=3 * DIGEST_S + 10)[first + 1]
    assert "matches declined: 0" in body(nxt) and "JP logged: 0.0" in body(nxt), body(nxt)
    for u in (mu1, cu1, mu2, cu2, mu3, cu3, coord):
        u.close()


@t
def digest_message_id_of_login_with_at(s):
    """the digest of a coordinator whose login is an address (user:a@b) has a Message-ID with one '@' (RFC 5322 msg-id)"""
    # Regression test: the Message-ID <event.recipient@domain> kept the
    # '@' of such a login, e.g. <1-0.user.siti@kantor.go.id@example.org>.
    mailer(s)
    prog = s.program()
    caddr = addr("coordat", s)
    login = s.uniq("coordat") + "@kantor.go.id"
    s.admin().user_create(login, s.PASSWORD, "coordinator", programs=[prog], email=caddr, language="en")
    got = wait_mail(caddr, 1, timeout=3 * DIGEST_S + 10)[0]
    assert got["Subject"] == "coachnet weekly digest", got["Subject"]
    msgid = str(got["Message-ID"])
    assert re.fullmatch(r"<[^<>@\s]+@example\.org>", msgid), msgid


class Auth:
    """aiosmtpd authenticator: one user and password."""

    def __init__(self):
        self.seen = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult
        ok = auth_data.login == b"mailer" and auth_data.password == b"Smtp-pa55"
        self.seen.append((mechanism, ok, session.ssl is not None))
        return AuthResult(success=ok)


@t
def starttls_and_auth(s):
    """with smtp-user the mailer upgrades with STARTTLS (the server's certificate checked against smtp-ca-file) and authenticates; with a wrong password nothing is delivered and nothing lost: the message goes out once the password is right"""
    import ssl
    mx = mailer(s)
    mx.stop()
    port = free_port()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(s.env.certs.server), str(s.env.certs.server_key))
    auth = Auth()
    cap = Capture()
    ctl = Controller(cap, hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
                     authenticator=auth, auth_required=True)
    ctl.start()
    pw = s.env.dir / "smtp-password"
    path = s.env.dir / "mailer-tls.conf"
    conf = dict(s.srv.conf, **{"smtp-url": "smtp://127.0.0.1:%d" % port, "smtp-user": "mailer",
                               "smtp-password-file": str(pw), "smtp-ca-file": str(s.env.certs.ca)})
    path.write_text("".join("%s %s\n" % kv for kv in conf.items()))
    tls = Mailer(s, path)
    coord, prog = s.coordinator()
    m, c, mu, cu = pair(s, coord, prog)
    try:
        pw.write_text("wrong-one\n")
        tls.start()
        mu.match_request(c["id"])
        wait_until(lambda: auth.seen, 10 * SLOW, what="an AUTH attempt")
        time.sleep(2)
        assert cap.to(c["email"]) == [] and not any(ok for _, ok, _ in auth.seen), auth.seen
        assert s.env.redis.cmd("XLEN", "cn:outbox") >= 1 and s.env.redis.cmd("XLEN", "cn:mail:dead") == 0
        tls.stop()
        pw.write_text("Smtp-pa55\n")
        tls.start()
        got = wait_mail_on(cap, c["email"])
        assert got[0]["Subject"] == "New coaching request", got[0]["Subject"]
        assert any(ok and tls_ for _, ok, tls_ in auth.seen), auth.seen
        assert all(tls_ for _, _, tls_ in auth.seen), "AUTH before STARTTLS: %r" % auth.seen
        tls.stop()
    finally:
        if tls.proc is not None:
            tls.kill()
        ctl.stop()
        mx.start()
        for u in (mu, cu, coord):
            u.close()


class Greeting554:
    """A server that refuses every session at its greeting (554), as a mail
    server does while it has blocklisted the sender's host; counts them."""

    def __init__(self, port):
        import socket
        self.sessions = 0
        self.sock = socket.create_server(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.stop_ev = threading.Event()
        self.th = threading.Thread(target=self.serve, daemon=True)
        self.th.start()

    def serve(self):
        while not self.stop_ev.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.sessions += 1
            try:
                conn.sendall(b"554 5.7.1 no SMTP service here\r\n")
                conn.settimeout(1)
                conn.recv(1024)
            except OSError:
                pass
            conn.close()

    def close(self):
        self.stop_ev.set()
        self.th.join()
        self.sock.close()


class RefuseSender(Capture):
    """Capture whose MAIL FROM is refused (530: the server wants AUTH) while
    `refusing` is set."""

    def __init__(self):
        super().__init__()
        self.refusing = True
        self.mail_refused = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refusing:
            self.mail_refused += 1
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        return "250 OK"


@t
def server_refusals_are_retried_not_dead_letters(s):
    """a 5xx about the session (554 at the greeting, 530 to MAIL FROM) is the server's, not the recipient's: retried with backoff, no dead letter, delivered once the server takes it"""
    # Regression test: every 5xx made a dead letter, so a mail server that
    # refused the mailer itself (blocklisted, wanting AUTH) turned every
    # message of the outbox into a dead letter within seconds.
    mx = mailer(s)
    mx.stop()
    port = free_port()
    path = s.env.dir / "mailer-refused.conf"
    path.write_text("".join("%s %s\n" % kv for kv in dict(s.srv.conf, **{
        "smtp-url": "smtp://127.0.0.1:%d" % port}).items()))
    mr = Mailer(s, path)
    coord, prog = s.coordinator()
    m, c, mu, cu = pair(s, coord, prog)
    g = Greeting554(port)
    ctl = None
    try:
        mr.start()
        mu.match_request(c["id"])
        wait_until(lambda: g.sessions >= 3, 20 * SLOW, what="three sessions refused at the greeting")
        assert s.env.redis.cmd("XLEN", "cn:mail:dead") == 0, s.env.redis.cmd("XRANGE", "cn:mail:dead", "-", "+")
        g.close()
        g = None
        cap = RefuseSender()
        ctl = Controller(cap, hostname="127.0.0.1", port=port)
        ctl.start()
        wait_until(lambda: cap.mail_refused >= 2, 20 * SLOW, what="MAIL FROM refused twice")
        assert s.env.redis.cmd("XLEN", "cn:mail:dead") == 0, s.env.redis.cmd("XRANGE", "cn:mail:dead", "-", "+")
        assert cap.to(c["email"]) == []
        cap.refusing = False
        got = wait_mail_on(cap, c["email"])
        assert len(got) == 1 and got[0]["Subject"] == "New coaching request", got
        assert "554" in mr.log() and "530" in mr.log(), mr.log()[-2000:]
        mr.stop()
    finally:
        if mr.proc is not None:
            mr.kill()
        if g is not None:
            g.close()
        if ctl is not None:
            ctl.stop()
        mx.start()
        for u in (mu, cu, coord):
            u.close()


def wait_mail_on(cap, addr_, timeout=20):
    wait_until(lambda: cap.to(addr_), timeout * SLOW, what="a message to %s" % addr_)
    return cap.to(addr_)


def s_(b):
    return b.decode() if isinstance(b, bytes) else b


@t
def a_live_mailer_keeps_its_whole_batch(s):
    """while a mailer retries the first entry of its batch (SMTP down) it keeps its claim on all of them: a second mailer takes none; once the server is back every message goes out once"""
    # Regression test: only the entry being retried was claimed again, so
    # after mail-claim-idle-ms a second mailer took the rest of the batch
    # while the first still held it in memory, and both then went through
    # the same entries (a message sent twice when both passed the mail:sent
    # check before either set it).
    mx = mailer(s)
    wait_until(lambda: outbox_empty(s), 20 * SLOW, what="outbox emptied")
    mx.stop()
    smtp_stop()
    r = s.env.redis
    coord, prog = s.coordinator()
    n = 8
    pairs = [pair(s, coord, prog) for _ in range(n)]
    before = {s_(e[0]) for e in r.cmd("XRANGE", "cn:outbox", "-", "+")}
    for m, c, mu, cu in pairs:
        mu.match_request(c["id"])
    ids = {s_(e[0]) for e in r.cmd("XRANGE", "cn:outbox", "-", "+")} - before
    assert len(ids) == n, ids
    path = s.env.dir / "mailer-second.conf"
    path.write_text("".join("%s %s\n" % kv for kv in s.srv.conf.items()))
    second = Mailer(s, path)

    def holders():
        return {s_(p[1]) for p in r.cmd("XPENDING", "cn:outbox", "mailer", "-", "+", 1000) if s_(p[0]) in ids}
    try:
        mx.start()
        wait_until(lambda: len(holders()) == 1 and "again in" in mx.log(), 10 * SLOW, what="the first mailer retrying")
        second.start()
        time.sleep(3 * 1.5 * SLOW)       # three mail-claim-idle-ms
        got = holders()
        assert len(got) == 1 and got.pop().endswith("-%d" % mx.proc.pid), \
            "the batch is held by %r (first mailer pid %d, second %d)" % (holders(), mx.proc.pid, second.proc.pid)
        assert "taken over" not in mx.log() + second.log()
        smtp_start()
        for _, c, _, _ in pairs:
            wait_mail(c["email"])
        wait_until(lambda: not (ids & {s_(e[0]) for e in r.cmd("XRANGE", "cn:outbox", "-", "+")}), 20 * SLOW,
                   what="the requests' entries done")
        time.sleep(1)
        for _, c, _, _ in pairs:
            assert len(CAPTURE.to(c["email"])) == 1, CAPTURE.to(c["email"])
        second.stop()
    finally:
        if second.proc is not None:
            second.kill()
        if _smtp["ctl"] is None:
            smtp_start()
        if mx.proc is None:
            mx.start()
        for _, _, mu, cu in pairs:
            mu.close()
            cu.close()
        coord.close()


@t
def mailer_stops_cleanly(s):
    """coachnet-mailer exits 0 on SIGTERM"""
    mailer(s).stop()
    smtp_stop()


if __name__ == "__main__":
    main(suite)
