#!/usr/bin/python3
"""auth.login throughput and latency: N clients, each on its own TLS
connection, log in again and again for S seconds against a fresh Redis and
coachnetd (the integration harness's), for each auth-threads value asked.

    B=build/rel bench/login/run.py [--ref OLD_COACHNETD] [--clients 16]
                                   [--seconds 10] [--threads 1,2]

--ref runs the same measurement, in the same run, against another coachnetd
binary (e.g. one built from a commit with PBKDF2 10,000 hashes) and prints
the ratio.  Every user is created through that server, so each binary
verifies its own kind of hash.  Prints one line per (binary, threads):
logins/s, p50 / p99 / max latency, errors, and the server's peak RSS
(VmHWM).  Figures depend on the machine's load: run it when it is quiet,
or say how busy it was.
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "integration"))
import harness  # noqa: E402


def vm_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def known_keys(binary):
    """The config keys binary knows (its --help lists them)."""
    out = subprocess.run([binary, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode()
    return {line.split()[0] for line in out.splitlines() if line.startswith("  ") and line.split()}


def one(binary, threads, clients, seconds):
    harness.COACHNETD = Path(binary)
    known = known_keys(binary)
    write_conf = harness.Server.write_conf

    def write_known(srv):
        """The harness's config without the keys an older binary refuses."""
        srv.conf = {k: v for k, v in srv.conf.items() if k in known}
        write_conf(srv)

    harness.Server.write_conf = write_known
    env = harness.Env("bench-login")
    try:
        srv = env.start(auth_threads=threads)
        login, pw = "bench-user", "Bench-pa55word-1"
        with srv.admin() as a:
            try:   # programs are objects since issue 11; an older binary has no program.put
                a.program_put(harness.Gen(seed=1).program_object("bench"))
            except harness.CoachnetError as e:
                if e.code != "unknown_method":
                    raise
            a.user_create(login, pw, "coordinator", programs=["bench"])
        lat, errors, stop = [], {}, threading.Event()
        lock = threading.Lock()

        def worker():
            mine, errs = [], {}
            with srv.client(timeout=60) as c:
                while not stop.is_set():
                    t0 = time.monotonic()
                    try:
                        c.auth_login(login, pw)
                        mine.append(time.monotonic() - t0)
                    except harness.CoachnetError as e:
                        errs[e.code] = errs.get(e.code, 0) + 1
            with lock:
                lat.extend(mine)
                for k, v in errs.items():
                    errors[k] = errors.get(k, 0) + v

        ths = [threading.Thread(target=worker) for _ in range(clients)]
        t0 = time.monotonic()
        for th in ths:
            th.start()
        time.sleep(seconds)
        stop.set()
        for th in ths:
            th.join()
        wall = time.monotonic() - t0
        lat.sort()
        pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")
        rss = vm_hwm_kib(srv.proc.pid) / 1024
        return dict(rate=len(lat) / wall, p50=pct(0.50), p99=pct(0.99), max=pct(1.0), n=len(lat),
                    errors=errors, rss=rss)
    finally:
        env.close()
        harness.Server.write_conf = write_conf


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ref", help="another coachnetd binary to measure in the same run")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--threads", default="1,2", help="auth-threads values, comma-separated")
    a = ap.parse_args()
    bins = [("this", str(harness.COACHNETD))] + ([("ref", a.ref)] if a.ref else [])
    print("# %d clients, %.0f s each, load average before: %s" % (a.clients, a.seconds, os.getloadavg()))
    res = {}
    for th in [int(x) for x in a.threads.split(",")]:
        for name, b in bins:
            r = one(b, th, a.clients, a.seconds)
            res[(name, th)] = r
            print("%-4s auth-threads %d: %7.1f logins/s  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  "
                  "(%d logins, errors %s, peak RSS %.0f MiB)"
                  % (name, th, r["rate"], r["p50"], r["p99"], r["max"], r["n"], r["errors"] or "none", r["rss"]),
                  flush=True)
        if a.ref:
            print("     auth-threads %d: this/ref throughput %.3f" % (th, res[("this", th)]["rate"] /
                                                                      res[("ref", th)]["rate"]), flush=True)
    print("# load average after: %s" % (os.getloadavg(),))


if __name__ == "__main__":
    main()
