#!/usr/bin/python3
"""RSS of coachnetd under unauthenticated connections that each hold a
partial frame (issue 10 finding 4; bench/load/README.md).

Starts, in a temporary directory, through tests/integration/harness.py, a
Redis and one coachnetd (the build's, or --binary), then --rounds times:
opens --conns TLS connections, and on each sends a length prefix of
--frame bytes and --frame - 1 bytes of body (a frame that never
completes); holds them --hold seconds; closes them all and waits --settle
seconds.  It prints coachnetd's VmRSS before, with the connections held
and after they closed, and how many connections the server refused (an
error frame, then close) instead of holding.

Usage: bench/load/unauth_rss.py [--conns N] [--frame BYTES] [--rounds R]
       [--hold S] [--settle S] [--binary PATH] [--set key=value ...]
B selects the build (default build/rel).  The soft fd limit is raised to
the hard one; coachnetd gets maxclients --conns + 64 and an idle timeout
longer than the run.
"""

import argparse
import resource
import shutil
import socket
import ssl
import struct
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
import harness  # noqa: E402


def rss_kib(pid):
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


def open_partial(srv, ctx, frame):
    """A TLS connection that sent a prefix of `frame` bytes and frame - 1
    bytes of body; None when the server closed it while we sent."""
    raw = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    t = ctx.wrap_socket(raw, server_hostname="localhost")
    try:
        t.sendall(struct.pack(">I", frame) + b"\x00" * (frame - 1))
    except (OSError, ssl.SSLError):
        t.close()
        return None
    return t


def refused(t):
    """The server answered (an error frame) or closed: it did not hold the
    frame."""
    t.setblocking(False)
    try:
        return t.recv(1) is not None
    except (ssl.SSLWantReadError, BlockingIOError):
        return False
    except (OSError, ssl.SSLError):
        return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conns", type=int, default=1000)
    ap.add_argument("--frame", type=int, default=16384, help="declared frame length (bytes)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--hold", type=float, default=3.0)
    ap.add_argument("--settle", type=float, default=3.0)
    ap.add_argument("--binary", help="coachnetd to measure (default $B/server/coachnetd)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="more coachnetd config")
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < a.conns + 200:
        sys.exit("the hard fd limit %d is below --conns + 200" % hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    env = harness.Env("rss")
    if a.binary:
        shutil.copy2(a.binary, env.binary)
    conf = {"maxclients": a.conns + 64, "idle_timeout_ms": 3600000, "handshake_timeout_ms": 60000}
    for kv in a.set:
        k, v = kv.split("=", 1)
        conf[k] = v
    try:
        srv = env.start(**conf)
        pid = srv.proc.pid
        ctx = ssl.create_default_context(cafile=str(env.certs.ca))
        time.sleep(1)
        print("# coachnetd %s, %d connections, frame %d bytes (%d sent), %d rounds"
              % (a.binary or harness.COACHNETD, a.conns, a.frame, a.frame + 3, a.rounds))
        res = {"before_kib": rss_kib(pid)}
        print("before: VmRSS %d KiB" % res["before_kib"])
        for rnd in range(1, a.rounds + 1):
            t0 = time.time()
            conns = [open_partial(srv, ctx, a.frame) for _ in range(a.conns)]
            sent_s = time.time() - t0
            time.sleep(a.hold)
            held = rss_kib(pid)
            n_refused = sum(1 for t in conns if t is None or refused(t))
            for t in conns:
                if t is not None:
                    t.close()
            time.sleep(a.settle)
            after = rss_kib(pid)
            print("round %d: opened in %.1f s; held: VmRSS %d KiB (%d refused by the server); "
                  "closed: VmRSS %d KiB" % (rnd, sent_s, held, n_refused, after))
            res["held%d_kib" % rnd], res["closed%d_kib" % rnd], res["refused%d" % rnd] = held, after, n_refused
        srv.check_alive()
        print("RESULT " + " ".join("%s=%s" % kv for kv in res.items()))
    finally:
        env.close()


if __name__ == "__main__":
    main()
