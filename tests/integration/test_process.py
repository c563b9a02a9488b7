#!/usr/bin/python3
"""coachnetd as a process (issue 4, Build 6 and the interface notes):
--help and --version, bad configuration refused with a message, flags
override the config file, SIGTERM stops accepting, answers the requests in
flight and exits 0, and the --add-user bootstrap path."""

import os
import signal
import subprocess
import time

from harness import (Suite, main, coachnet, SLOW, ADMIN_LOGIN, ADMIN_PASSWORD, free_port,
                     wait_until, run_and_wait)

suite = Suite("process")
t = suite.test


def run(*args, input=None):
    r = subprocess.run([str(suite.env.binary)] + list(args), input=input, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30 * SLOW)
    return r.returncode, r.stdout.decode(errors="replace")


@t
def help_and_version(s):
    """--help and --version exit 0 and print something useful"""
    rc, out = run("--help")
    assert rc == 0 and "--config" in out and "--add-user" in out, (rc, out)
    rc, out = run("--version")
    assert rc == 0 and "coachnetd" in out, (rc, out)


@t
def bad_config_refused(s):
    """unknown key, bad value, missing file, missing certificate: non-zero exit with a message naming it"""
    bad = s.env.dir / "bad.conf"
    bad.write_text("port 0\nno-such-key 1\n")
    rc, out = run("--config", str(bad))
    assert rc != 0 and "no-such-key" in out, (rc, out)
    bad.write_text("port 70000\n")
    rc, out = run("--config", str(bad))
    assert rc != 0 and "port" in out, (rc, out)
    rc, out = run("--config", str(s.env.dir / "missing.conf"))
    assert rc != 0 and "missing.conf" in out, (rc, out)
    bad.write_text("port %d\ntls-cert-file %s\ntls-key-file %s\n" % (
        free_port(), s.env.dir / "nope.pem", s.env.dir / "nope.key"))
    rc, out = run("--config", str(bad))
    assert rc != 0 and "nope" in out, (rc, out)
    rc, out = run("--maxclients", "many")
    assert rc != 0 and "maxclients" in out, (rc, out)


def serve_once(s, what, env=None):
    """Start coachnetd from the suite's config with --port on a free port (and
    env, default this process's), wait until the admin can log in on that
    port, stop it with SIGTERM.  Returns (exit status, its output)."""
    port = free_port()
    p = subprocess.Popen([str(s.env.binary), "--config", str(s.srv.conf_path), "--port", str(port)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=str(s.env.dir), env=env)
    try:
        def up():
            with coachnet.Client("127.0.0.1", port, ca_file=str(s.env.certs.ca), timeout=2) as c:
                return c.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)["role"] == "admin"
        wait_until(up, 10 * SLOW, interval=0.1, what=what)
    finally:
        p.send_signal(signal.SIGTERM)
        out = p.communicate(timeout=15 * SLOW)[0].decode(errors="replace")
    return p.returncode, out


@t
def flags_override_config(s):
    """--port on the command line overrides the config file's port"""
    rc, out = serve_once(s, "coachnetd on the --port given")
    assert rc == 0, (rc, out[-2000:])
    s.env.tool_output.append(("--port override run", out))


def thp_mode():
    """The kernel's transparent huge page mode ("always", "madvise", "never"), or None."""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            text = f.read()
    except OSError:
        return None
    i, j = text.find("["), text.find("]")
    return text[i + 1:j] if 0 <= i < j else None


THP_HINT = "malloc does not use transparent huge pages"


@t
def huge_page_hint(s):
    """start-up log: the huge-page notice iff the kernel is in madvise mode and GLIBC_TUNABLES lacks glibc.malloc.hugetlb=1; served either way"""
    mode = thp_mode()
    for tunables, hint in (("", mode == "madvise"),
                           ("glibc.malloc.check=0", mode == "madvise"),
                           ("glibc.malloc.hugetlb=1", False),
                           ("glibc.malloc.check=0:glibc.malloc.hugetlb=1", False)):
        rc, out = serve_once(s, "coachnetd with GLIBC_TUNABLES=%r" % tunables,
                             env=dict(os.environ, GLIBC_TUNABLES=tunables))
        assert rc == 0, (tunables, rc, out[-2000:])
        assert (THP_HINT in out) == hint, "THP mode %s, GLIBC_TUNABLES=%r: the notice %sexpected; log:\n%s" % (
            mode, tunables, "" if hint else "not ", out[-2000:])
        if hint:
            assert "GLIBC_TUNABLES=glibc.malloc.hugetlb=1" in out, out[-2000:]


def program_to_run(s, srv, n_mentees, n_coaches):
    """A new program of n_mentees mentees and n_coaches coaches (six
    provinces in turn, capacities 1-4, levels 2-5) and its coordinator,
    logged in on srv: (client, program, login)."""
    prog = s.program()
    login = s.uniq("coord")
    s.admin().user_create(login, s.PASSWORD, "coordinator", programs=[prog])
    c = srv.login(login, s.PASSWORD)
    provs = ["31", "32", "33", "35", "73", "94"]
    for i in range(n_mentees):
        c.send("mentee.put", {"profile": s.gen.mentee(prog, province=provs[i % 6])})
    for i in range(n_coaches):
        c.send("coach.put", {"profile": s.gen.coach([prog], capacity=1 + i % 4, province=provs[i % 6],
                                                    level=2 + i % 4)})
    c.wait_all(timeout=60 * SLOW)
    return c, prog, login


def run_done_status(c, run_id):
    """After SIGTERM: the status of the run's run.done, or "closed" when the
    connection closed without one."""
    try:
        while True:
            n = c.next_notification(timeout=15 * SLOW)
            if n.method == "run.done" and n.params["run_id"] == run_id:
                return n.params["status"]
    except coachnet.ConnectionClosed:
        return "closed"


def exited_after_sigterm(srv, when=""):
    try:
        srv.proc.wait(15 * SLOW)
    except subprocess.TimeoutExpired:
        raise AssertionError("coachnetd still running 15 s after SIGTERM" + when)


@t
def sigterm_finishes_inflight_and_exits_0(s):
    """SIGTERM: requests in flight (waiting on a paused Redis) are answered, then exit status 0"""
    srv = s.env.add_server(name="term")
    c = srv.client()
    c.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)
    s.env.redis.pause()
    try:
        ids = [c.send("auth.resume", {"token": c.token}) for _ in range(5)]
        time.sleep(1.0)                 # the server has read them; they wait on Redis
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.2)
    finally:
        s.env.redis.resume()
    answers = []
    for i in ids:
        try:
            err, res = c.wait_raw(i, timeout=10 * SLOW)
            answers.append(err["code"] if err else res["role"])
        except coachnet.ConnectionClosed:
            answers.append("connection closed")
            break
    assert answers == ["admin"] * 5, "answers to the 5 requests in flight: %s" % answers
    exited_after_sigterm(srv)
    rc = srv.stop()
    assert rc == 0, "exit status %s after SIGTERM" % rc
    try:
        srv.client(timeout=2)
        raise AssertionError("connected after shutdown")
    except coachnet.ConnectionClosed:
        pass
    c.close()


@t
def sigterm_during_run(s):
    # Regression test for two server bugs this suite found (fixed in 054eca5):
    # on SIGTERM during a run the connection was closed without run.done
    # {status cancelled} (docs/methods.md), and the run's program lock stayed
    # until its TTL, so the next match.run got `conflict` for ~15 s.
    """SIGTERM while a match run computes: run.done cancelled (or done) before the close, exit 0; the program's lock is released"""
    srv = s.env.add_server(name="termrun")
    c, prog, login = program_to_run(s, srv, 2000, 200)
    run_id = c.match_run(prog)["run_id"]
    c.next_notification(timeout=30 * SLOW, method="run.progress")   # the run has started
    srv.proc.send_signal(signal.SIGTERM)
    outcome = run_done_status(c, run_id)
    problems = []
    if outcome not in ("cancelled", "done"):
        problems.append("no run.done for the run cut by SIGTERM (connection %s)" % outcome)
    exited_after_sigterm(srv, " during a run")
    assert srv.stop() == 0
    c.close()
    # the lock of the cancelled run must not block the program for long
    with s.srv.login(login, s.PASSWORD) as c2:

        def run_ok():
            try:
                return run_and_wait(c2, prog, timeout=60 * SLOW)[1]["status"] == "done"
            except coachnet.CoachnetError as e:
                if e.code == "conflict":
                    return False
                raise
        t0 = time.monotonic()
        try:
            wait_until(run_ok, 3 * SLOW, interval=0.5, what="run")
        except AssertionError:
            wait_until(run_ok, 20 * SLOW, interval=0.5, what="a new run of the program at all")
            problems.append("the program's run lock outlived the shutdown: the next run "
                            "got conflict for %.1f s" % (time.monotonic() - t0))
    assert not problems, "\n".join(problems)


@t
def sigterm_before_run_lock_answers(s):
    """SIGTERM while a match.run waits for its lock (Redis stopped): its run ends cancelled at once, nothing published"""
    srv = s.env.add_server(name="termlock")
    c, prog, login = program_to_run(s, srv, 200, 40)
    s.env.redis.pause()
    try:
        mid = c.send("match.run", {"program": prog})
        time.sleep(1.0)                 # the server has sent the lock script; it waits on Redis
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
    finally:
        s.env.redis.resume()
    err, res = c.wait_raw(mid, timeout=10 * SLOW)
    assert err is None, err
    run_id = res["run_id"]
    outcome = run_done_status(c, run_id)
    exited_after_sigterm(srv)
    assert srv.stop() == 0
    c.close()
    with s.srv.login(login, s.PASSWORD) as c2:
        status = c2.run_get(run_id)["run"]["status"]
        listed = c2.match_list(program=prog, limit=5)["items"]
    assert (outcome, status, len(listed)) == ("cancelled", "cancelled", 0), \
        "a run whose lock answered after SIGTERM: run.done %s, recorded %s, %d proposals published" % (
            outcome, status, len(listed))


@t
def sigint_pidfile_logfile(s):
    """pidfile written at start and removed at exit; log-file receives the log; SIGINT exits 0 like SIGTERM"""
    pidfile, logfile = s.env.dir / "cn.pid", s.env.dir / "cn.log"
    srv = s.env.add_server(name="pidlog", pidfile=pidfile, log_file=logfile)
    try:
        assert pidfile.exists(), "no pidfile"
        assert int(pidfile.read_text().strip()) == srv.proc.pid, pidfile.read_text()
        with srv.admin() as a:
            a.auth_resume(a.token)
        assert "ready" in logfile.read_text(), "log-file lacks the ready line"
        srv.proc.send_signal(signal.SIGINT)
        rc = srv.proc.wait(15 * SLOW)
        assert rc == 0, "exit status %s after SIGINT" % rc
        assert not pidfile.exists(), "pidfile left after exit"
    finally:
        srv.stop()


@t
def add_user_errors(s):
    """--add-user: empty password and unknown role fail non-zero; Redis down fails non-zero"""
    rc, out = s.srv.add_user(s.uniq("u"), "", "coordinator", programs=["x"])
    assert rc != 0 and out.strip(), (rc, out)
    rc, out = s.srv.add_user(s.uniq("u"), "pw-long-enough-1", "wizard")
    assert rc != 0 and "role" in out, (rc, out)
    # the checks of user.create, shared: a mentee's subject is a NIP, programs
    # are distinct codes, and admins have no subject
    rc, out = s.srv.add_user(s.uniq("u"), "pw-long-enough-1", "mentee", subject="not-a-nip")
    assert rc != 0 and "subject" in out, (rc, out)
    rc, out = s.srv.add_user(s.uniq("u"), "pw-long-enough-1", "coordinator", programs=["p1", "p1"])
    assert rc != 0 and "twice" in out, (rc, out)
    rc, out = s.srv.add_user(s.uniq("u"), "pw-long-enough-1", "coordinator", programs=["bad program"])
    assert rc != 0 and "programs[0]" in out, (rc, out)
    rc, out = s.srv.add_user(s.uniq("u"), "pw-long-enough-1", "admin", subject="C-1")
    assert rc != 0 and "subject" in out, (rc, out)
    rc, out = s.srv.add_user(s.uniq("u"), "pw-long-enough-1", "coordinator", programs=["p1", "", "p2"])
    assert rc != 0 and "programs[1]" in out, (rc, out)
    s.env.redis.stop()
    try:
        t0 = time.monotonic()
        rc, out = s.srv.add_user(s.uniq("u"), "pw-long-enough-1", "coordinator", programs=["x"])
        assert rc != 0 and out.strip(), (rc, out)
        assert time.monotonic() - t0 < 15 * SLOW
    finally:
        s.env.redis.start()


if __name__ == "__main__":
    main(suite)
