#!/usr/bin/python3
"""coachnetd as an operator runs it (issue 14, DESIGN §12): the pidfile is
locked (a second start with the same pidfile fails and leaves the running
daemon's file alone; a stale file is taken over), the unix socket of a live
instance is refused (a second instance on another port neither takes it
over nor removes it at exit; a stale socket is replaced; a file that is not
a socket is left alone), SIGHUP reopens the log file (logrotate without
copytruncate), and the systemd notifications: READY=1 only once Redis is
up, STOPPING=1 at SIGTERM."""

import os
import signal
import socket
import subprocess
import time

from harness import Suite, main, Redis, Server, SLOW, wait_until

suite = Suite("operate")
t = suite.test


def start_failing(s, name, **conf):
    """Run a coachnetd that must refuse to start; return (exit status, output)."""
    srv = Server(s.env, name, **conf)
    srv.write_conf()
    r = subprocess.run([str(s.env.binary), "--config", str(srv.conf_path)], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30 * SLOW,
                       cwd=str(s.env.dir))
    return r.returncode, r.stdout.decode(errors="replace")


def server_info(path):
    """server.info over the plaintext unix socket at path."""
    c = suite.srv.client(unix_path=str(path))
    try:
        return c.call("server.info")
    finally:
        c.close()


@t
def second_start_keeps_the_pidfile(s):
    """a second coachnetd with the same pidfile (on another port) refuses to start and leaves the file alone"""
    pid = s.env.dir / "a.pid"
    a = s.env.add_server("pid-a", pidfile=pid)
    assert pid.read_text().strip() == str(a.proc.pid), pid.read_text()
    rc, out = start_failing(s, "pid-b", pidfile=pid)
    assert rc != 0 and "locked by a running coachnetd (pid %d)" % a.proc.pid in out, (rc, out)
    assert pid.exists() and pid.read_text().strip() == str(a.proc.pid), "the running daemon's pidfile was touched"
    assert a.alive()
    assert a.stop() == 0
    assert not pid.exists(), "the pidfile outlived its daemon"


@t
def stale_pidfile_is_taken_over(s):
    """a pidfile left by a dead process (not locked) does not stop a start; it gets the new pid"""
    pid = s.env.dir / "stale.pid"
    pid.write_text("999999\n")
    a = s.env.add_server("pid-stale", pidfile=pid)
    assert pid.read_text().strip() == str(a.proc.pid), pid.read_text()
    assert a.stop() == 0 and not pid.exists()


@t
def live_unix_socket_is_refused(s):
    """a second instance on another port refuses the unix socket of a live one, and does not remove it"""
    sock = s.env.dir / "admin.sock"
    a = s.env.add_server("sock-a", unixsocket=sock)
    assert server_info(sock)["version"]
    rc, out = start_failing(s, "sock-b", unixsocket=sock)
    assert rc != 0 and "another process is listening on it" in out, (rc, out)
    assert sock.exists(), "the second instance removed the first one's socket"
    assert server_info(sock)["version"], "the first instance's socket no longer answers"
    assert a.stop() == 0
    assert not sock.exists(), "the socket outlived its daemon"


@t
def stale_unix_socket_is_replaced(s):
    """a socket file nobody listens on (a crashed daemon's) is replaced; a path that is not a socket is refused"""
    sock = s.env.dir / "stale.sock"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(sock))
    dead.close()
    assert sock.exists()
    a = s.env.add_server("sock-stale", unixsocket=sock)
    assert server_info(sock)["version"]
    assert a.stop() == 0 and not sock.exists()
    plain = s.env.dir / "not-a-socket"
    plain.write_text("keep me\n")
    rc, out = start_failing(s, "sock-file", unixsocket=plain)
    assert rc != 0 and "not-a-socket" in out, (rc, out)
    assert plain.read_text() == "keep me\n"


@t
def sighup_reopens_the_log_file(s):
    """after the log file is renamed (logrotate), SIGHUP makes coachnetd write a new file of that name"""
    log = s.env.dir / "reopen.log"
    a = s.env.add_server("reopen", log_file=log)
    rotated = s.env.dir / "reopen.log.1"
    os.rename(log, rotated)
    a.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: log.exists() and "SIGHUP: TLS certificates reloaded" in log.read_text(), 10 * SLOW,
               what="the reloaded line in a new log file")
    old = rotated.read_text()
    assert "ready" in old and "SIGHUP" not in old, old
    assert a.stop() == 0
    assert "shutting down" in log.read_text() and "shutting down" not in rotated.read_text()


def notify_socket(path):
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(str(path))
    return ns


def notifications(ns, seconds, until=None):
    """The datagrams received within seconds (or until one contains the text
    until), as one text."""
    got = []
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return "\n".join(got)
        ns.settimeout(left)
        try:
            got.append(ns.recv(4096).decode())
        except socket.timeout:
            return "\n".join(got)
        if until is not None and until in got[-1]:
            return "\n".join(got)


@t
def systemd_ready_once_redis_is_up(s):
    """Type=notify: READY=1 only after the listener and the Redis link are up; STOPPING=1 at SIGTERM"""
    rdir = s.env.dir / "redis-late"
    rdir.mkdir()
    late = Redis(rdir)   # its port is chosen; nothing listens there yet
    srv = Server(s.env, "notify", redis_port=late.port)
    srv.write_conf()
    ns = notify_socket(s.env.dir / "notify.sock")
    log = s.env.dir / "notify.log"
    env = dict(os.environ, NOTIFY_SOCKET=str(s.env.dir / "notify.sock"))
    with open(log, "wb") as f:
        p = subprocess.Popen([str(s.env.binary), "--config", str(srv.conf_path)], env=env,
                             stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "ready" in log.read_text(), 15 * SLOW, what="the listener")
        early = notifications(ns, 1.0 * SLOW)
        assert "READY=1" not in early, "READY before Redis was up: %r" % early
        late.start()
        got = notifications(ns, 10 * SLOW, until="READY=1")
        assert "READY=1" in got and "STATUS=serving" in got, got
        p.send_signal(signal.SIGTERM)
        assert "STOPPING=1" in notifications(ns, 5 * SLOW, until="STOPPING=1")
        assert p.wait(15 * SLOW) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        late.stop()
        ns.close()


if __name__ == "__main__":
    main(suite)
