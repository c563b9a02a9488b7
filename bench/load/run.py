#!/usr/bin/python3
"""Drive the coachnetd load benchmarks (bench/load/README.md).

Starts, in a temporary directory, through tests/integration/harness.py:
certificates (openssl CLI), a redis-server with AOF (appendfsync always, as
in production) that also listens on a TLS port with the same certificates,
and coachnetd.  Loads a program of mentees and coaches, then runs
$B/bench/load/loadgen and redis-benchmark and prints the figures:

  get       mentee.get, closed loop, --conns connections (default 50), vs
            redis-benchmark GET over TLS at the same concurrency: the ratio
  mixed     open loop at --rate (default 5000 req/s) of get/put/suggest
  handshake new TLS connections/s: full handshakes, and resumed ones with
            session tickets on and off (TLS 1.3 and TLS 1.2)
  idle      --idle (default 10000) TLS connections held; server VmRSS
  put       mentee.put, closed loop, without and with a request_id per put
            (alternating, twice each): the cost of request_id as a ratio
  ws        mentee.get, closed loop, over the binary protocol and over a
            WebSocket (GET /rpc) on the same server, alternating, twice
            each: the WebSocket's throughput as a ratio of the binary's
  wsidle    --idle WebSocket connections held; server VmRSS
  wait      mentee.put with request_ids, closed loop, through a coachnetd
            with redis-min-replicas 0 and one with 1 (WAIT 1 after every
            write), both on the same primary with one replica (alternating,
            twice each): the cost of WAIT as a ratio (issue 15)

Usage: bench/load/run.py [--only get,mixed,handshake,idle] [--duration S]
       [--conns N] [--rate R] [--idle N] [--mentees N] [--coaches N]
       [--appendfsync always|everysec|no] [--redis-dir DIR]
B selects the build (default build/rel).
"""

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
import harness  # noqa: E402

LOADGEN = harness.BUILD / "bench" / "load" / "loadgen"


class TLSRedis(harness.Redis):
    """The harness' Redis (AOF, appendfsync always) plus a TLS port with
    the test certificates, for redis-benchmark --tls."""

    def __init__(self, dir, certs, appendfsync="always"):
        super().__init__(dir)
        self.certs = certs
        self.appendfsync = appendfsync
        self.tls_port = harness.free_port()

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--appendonly", "yes", "--appendfsync", self.appendfsync,
             "--save", "", "--daemonize", "no", "--logfile", str(self.log),
             "--protected-mode", "yes", "--maxclients", "1000",
             "--tls-port", str(self.tls_port), "--tls-cert-file", str(self.certs.server),
             "--tls-key-file", str(self.certs.server_key), "--tls-ca-cert-file", str(self.certs.ca),
             "--tls-auth-clients", "no"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        harness.wait_until(self.ping, 10, what="redis-server")


class Replica(harness.Redis):
    """A replica of the benchmark's Redis (AOF as the primary's), for WAIT."""

    def __init__(self, dir, primary, appendfsync):
        super().__init__(dir)
        self.primary = primary
        self.appendfsync = appendfsync
        self.log = self.dir / "replica.log"

    def start(self):
        rdir = self.dir / "replica"
        rdir.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(rdir),
             "--appendonly", "yes", "--appendfsync", self.appendfsync, "--save", "",
             "--daemonize", "no", "--logfile", str(self.log), "--replicaof", "127.0.0.1",
             str(self.primary.port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        harness.wait_until(self.ping, 10, what="replica redis-server")
        harness.wait_until(lambda: b"master_link_status:up" in self.cmd("INFO", "replication"), 30,
                           what="replica in sync")


def sh(argv, timeout=600):
    r = subprocess.run([str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    out = r.stdout.decode(errors="replace")
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s" % (argv[0], r.returncode, out[-3000:]))
    return out


def result(out):
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return dict(kv.split("=", 1) for kv in line.split()[1:])
    raise RuntimeError("no RESULT line in:\n" + out[-2000:])


def cpu_seconds(pid):
    """user+system CPU seconds of a process (/proc/<pid>/stat)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def loadgen(srv, *args, timeout=900):
    """Run the load generator against srv; print its report and the CPU
    share coachnetd and redis-server used meanwhile (of one core)."""
    pids = {"coachnetd": srv.proc.pid, "redis": srv.env.redis.proc.pid}
    c0 = {k: cpu_seconds(p) for k, p in pids.items()}
    t0 = time.monotonic()
    out = sh([LOADGEN, "--port", srv.port, "--cacert", srv.env.certs.ca] + list(args), timeout)
    dt = time.monotonic() - t0
    cpu = {k: 100.0 * (cpu_seconds(p) - c0[k]) / dt for k, p in pids.items()}
    print("\n".join("    " + l for l in out.splitlines() if not l.startswith("RESULT")), flush=True)
    print("    CPU during the run (incl. set-up): coachnetd %.0f%%, redis-server %.0f%% of one core; "
          "load average %.1f" % (cpu["coachnetd"], cpu["redis"], os.getloadavg()[0]), flush=True)
    r = result(out)
    r.update(cpu_coachnetd="%.0f" % cpu["coachnetd"], cpu_redis="%.0f" % cpu["redis"],
             cpu_s_coachnetd="%.3f" % (cpu["coachnetd"] * dt / 100.0))
    return r


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="get,mixed,handshake,idle")
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--conns", type=int, default=50)
    ap.add_argument("--rate", type=float, default=5000)
    ap.add_argument("--mix", default="get=70,put=20,suggest=10")
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--mentees", type=int, default=2000)
    ap.add_argument("--coaches", type=int, default=300)
    ap.add_argument("--redis-requests", type=int, default=300000)
    ap.add_argument("--appendfsync", default="always", choices=("always", "everysec", "no"))
    ap.add_argument("--redis-dir", default=None,
                    help="put Redis' data directory (the AOF) under this directory, e.g. /dev/shm: "
                         "a tmpfs, whose fsync costs nothing, stands in for a disk with a fast fsync")
    ap.add_argument("--redis-timeout-ms", type=int, default=2000,
                    help="coachnetd's redis-timeout-ms (its production default)")
    a = ap.parse_args()
    only = set(a.only.split(","))

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))   # inherited by coachnetd/loadgen
    if not LOADGEN.exists():
        sys.exit("build the load generator first: make bench (%s missing)" % LOADGEN)

    env = harness.Env("bench")
    env.certs = harness.Certs(env.dir / "certs")
    rdir = Path(tempfile.mkdtemp(prefix="coachnet-bench-redis-", dir=a.redis_dir)) if a.redis_dir else env.dir
    env.redis = TLSRedis(rdir, env.certs, a.appendfsync)
    env.redis.start()
    conf = dict(login_attempts_per_minute=1000000, log_level="warning", maxclients=a.idle + 1000,
                tls_session_tickets="yes", redis_timeout_ms=a.redis_timeout_ms)
    srv = env.add_server(**conf)
    rc, out = srv.add_user(harness.ADMIN_LOGIN, harness.ADMIN_PASSWORD, "admin")
    if rc:
        sys.exit("add-user failed: " + out)
    print("# machine: %s, %d cores, load average %s; coachnetd %s; NOFILE %d; Redis appendfsync %s, "
          "AOF in %s" % (os.uname().release, os.cpu_count(), " ".join("%.1f" % x for x in os.getloadavg()),
                         harness.COACHNETD, hard, a.appendfsync, rdir), flush=True)

    gen = harness.Gen(seed=6)
    prog = "bench-2026"
    with srv.admin() as adm:
        adm.program_put(gen.program_object(prog))
        adm.user_create("bench-coord", "Bench-pa55word-1", "coordinator", programs=[prog])
    ids = []
    t0 = time.monotonic()
    with srv.login("bench-coord", "Bench-pa55word-1", timeout=60) as c:
        batch = []
        for i in range(a.mentees):
            m = gen.mentee(prog, province=harness.PROVINCES[i % len(harness.PROVINCES)],
                           agency=harness.AGENCIES[i % len(harness.AGENCIES)])
            ids.append(m["id"])
            batch.append(("mentee.put", {"profile": m}))
            if len(batch) == 64:
                for r in c.pipeline(batch):
                    assert not isinstance(r, Exception), r
                batch = []
        for i in range(a.coaches):
            co = gen.coach(programs=[prog], province=harness.PROVINCES[i % len(harness.PROVINCES)],
                           organization="K%03d" % (100 + i % 50), capacity=5,
                           comps=gen.rnd.sample(harness.MANAGERIAL + harness.SOCIOCULTURAL, 6),
                           level=gen.rnd.randint(3, 5))
            batch.append(("coach.put", {"profile": co}))
            if len(batch) == 64:
                for r in c.pipeline(batch):
                    assert not isinstance(r, Exception), r
                batch = []
        for r in c.pipeline(batch):
            assert not isinstance(r, Exception), r
    ids_file = env.dir / "ids.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    print("# loaded %d mentees, %d coaches in %.1fs" % (a.mentees, a.coaches, time.monotonic() - t0),
          flush=True)
    cred = ["--login", "bench-coord", "--password", "Bench-pa55word-1", "--ids", ids_file]
    res = {}
    try:
        if "get" in only:
            print("== mentee.get, closed loop, %d connections" % a.conns, flush=True)
            res["get"] = loadgen(srv, "-c", a.conns, "--mix", "get=1", "--duration", a.duration, *cred)
            print("== redis-benchmark GET over TLS, %d connections" % a.conns, flush=True)
            rb = ["redis-benchmark", "--tls", "--cacert", env.certs.ca, "-h", "127.0.0.1",
                  "-p", env.redis.tls_port, "-c", a.conns, "-r", "100000", "-d", "600", "-q", "--csv"]
            sh(rb + ["-n", "100000", "-t", "set"])
            out = sh(rb + ["-n", a.redis_requests, "-t", "get"])
            m = re.search(r'"GET","([0-9.]+)"', out)
            res["redis_get"] = float(m.group(1)) if m else 0.0
            print("    " + out.strip().replace("\n", "\n    "), flush=True)
            ratio = float(res["get"]["throughput"]) / res["redis_get"] if res["redis_get"] else 0
            res["ratio"] = ratio
            print("   mentee.get %.0f req/s vs Redis GET/TLS %.0f req/s: ratio %.2f (target >= 0.5)"
                  % (float(res["get"]["throughput"]), res["redis_get"], ratio), flush=True)
        if "mixed" in only:
            print("== mixed %s, open loop at %.0f req/s, %d connections" % (a.mix, a.rate, a.conns),
                  flush=True)
            res["mixed"] = loadgen(srv, "-c", a.conns, "--mix", a.mix, "--rate", a.rate,
                                   "--duration", a.duration * 1.5, *cred)
            print("   p99 %.2f ms at %.0f req/s (target < 5 ms at 5000 req/s)" % (
                int(res["mixed"]["p99_us"]) / 1000.0, float(res["mixed"]["throughput"])), flush=True)
        if "put" in only:
            res["put"] = {False: [], True: []}
            for rid in (False, True, False, True):
                print("== mentee.put, closed loop, %d connections, request_id %s"
                      % (a.conns, "on" if rid else "off"), flush=True)
                r = loadgen(srv, "-c", a.conns, "--mix", "put=1", "--duration", a.duration,
                            *(["--request-ids"] if rid else []), *cred)
                res["put"][rid].append(float(r["throughput"]))
        if "ws" in only:
            res["ws"] = {False: [], True: []}
            for ws in (False, True, False, True):
                print("== mentee.get, closed loop, %d connections, %s" % (
                    a.conns, "WebSocket" if ws else "binary protocol"), flush=True)
                r = loadgen(srv, "-c", a.conns, "--mix", "get=1", "--duration", a.duration,
                            *(["--ws"] if ws else []), *cred)
                res["ws"][ws].append(r)
        if "wait" in only:
            replica = Replica(rdir, env.redis, a.appendfsync)
            replica.start()
            srv_wait = env.add_server(name="coachnetd-wait", redis_min_replicas=1,
                                      redis_wait_timeout_ms=1000, **conf)
            res["wait"] = {0: [], 1: []}
            try:
                for n in (0, 1, 0, 1):
                    print("== mentee.put with request_id, closed loop, %d connections, redis-min-replicas %d"
                          % (a.conns, n), flush=True)
                    r = loadgen(srv_wait if n else srv, "-c", a.conns, "--mix", "put=1", "--duration",
                                a.duration, "--request-ids", *cred)
                    res["wait"][n].append(float(r["throughput"]))
                    if n:
                        st = env.redis.cmd("INFO", "commandstats").decode()
                        calls = {k: int(v) for k, v in re.findall(r"cmdstat_(evalsha|wait):calls=(\d+)", st)}
                        print("    Redis so far: %d EVALSHA, %d WAIT (one WAIT covers the writes sent "
                              "since the previous one)" % (calls.get("evalsha", 0), calls.get("wait", 0)),
                              flush=True)
                    if r.get("errors", "0") not in ("0", ""):
                        print("   errors: %s" % r["errors"], flush=True)
            finally:
                srv_wait.stop()
                replica.stop()
        if "handshake" in only:
            hs = {}
            for tickets in ("yes", "no"):
                srv.stop()
                srv.conf["tls-session-tickets"] = tickets
                srv.start()
                for tls in ("1.3", "1.2"):
                    for resume in (False, True):
                        if not resume and tickets == "no":
                            continue   # a full handshake does not depend on tickets
                        print("== handshakes: TLS %s, server tickets %s, client reuse %s" % (
                            tls, tickets, "on" if resume else "off"), flush=True)
                        r = loadgen(srv, "--mode", "handshake", "-c", 20, "--tls", tls,
                                    "--duration", max(5.0, a.duration / 2),
                                    *(["--resume"] if resume else []))
                        hs[(tickets, tls, resume)] = r
            res["handshake"] = hs
        if "idle" in only:
            srv.stop()
            srv.conf["tls-session-tickets"] = "yes"
            srv.start()
            print("== %d idle TLS connections" % a.idle, flush=True)
            res["idle"] = loadgen(srv, "--mode", "idle", "-c", a.idle, "--concurrency", 100,
                                  "--duration", 10, "--pid", srv.proc.pid)
            print("   server VmRSS %.1f MiB with %s connections (target < 512 MiB)" % (
                int(res["idle"]["rss_kib"]) / 1024.0, res["idle"]["open"]), flush=True)
        if "wsidle" in only:
            srv.stop()
            srv.start()
            print("== %d idle WebSocket connections" % a.idle, flush=True)
            res["wsidle"] = loadgen(srv, "--mode", "idle", "--ws", "-c", a.idle, "--concurrency", 100,
                                    "--duration", 10, "--pid", srv.proc.pid)
            print("   server VmRSS %.1f MiB with %s WebSocket connections" % (
                int(res["wsidle"]["rss_kib"]) / 1024.0, res["wsidle"]["open"]), flush=True)
    finally:
        srv.stop()
        env.close()
        if rdir != env.dir:
            shutil.rmtree(rdir, ignore_errors=True)

    print("\n== summary")
    if "get" in res:
        g = res["get"]
        print("mentee.get closed loop c=%d: %s req/s, p50 %s us, p99 %s us; Redis GET/TLS %.0f req/s; "
              "ratio %.2f; CPU coachnetd %s%% redis %s%%" % (
                  a.conns, g["throughput"], g["p50_us"], g["p99_us"], res["redis_get"], res["ratio"],
                  g["cpu_coachnetd"], g["cpu_redis"]))
    if "mixed" in res:
        m = res["mixed"]
        print("mixed open loop %.0f req/s: achieved %s req/s, p50 %s us, p99 %s us, p99.9 %s us, "
              "max %s us, errors %s; CPU coachnetd %s%% redis %s%%" % (
                  a.rate, m["throughput"], m["p50_us"], m["p99_us"], m["p999_us"], m["max_us"],
                  m["errors"], m["cpu_coachnetd"], m["cpu_redis"]))
    if "put" in res:
        off, on = res["put"][False], res["put"][True]
        print("mentee.put closed loop c=%d: %s req/s without request_id, %s req/s with; "
              "ratio %.2f (with / without, means)" % (
                  a.conns, "/".join("%.0f" % x for x in off), "/".join("%.0f" % x for x in on),
                  (sum(on) / len(on)) / (sum(off) / len(off))))
    if "ws" in res:
        b = [float(r["throughput"]) for r in res["ws"][False]]
        w = [float(r["throughput"]) for r in res["ws"][True]]
        # coachnetd's CPU per response (warm-up and log-in included in the
        # CPU, not in the count: the same for both): a comparison that
        # other processes on the machine disturb less than throughput
        def us_per(rs):
            return [1e6 * float(r["cpu_s_coachnetd"]) / max(1, int(r["responses"])) for r in rs]
        bc, wc = us_per(res["ws"][False]), us_per(res["ws"][True])
        print("mentee.get closed loop c=%d: binary %s req/s (p99 %s us), WebSocket %s req/s (p99 %s us); "
              "ratio %.2f (WebSocket / binary, means; target >= 0.8); coachnetd CPU per request "
              "binary %s us, WebSocket %s us" % (
                  a.conns, "/".join("%.0f" % x for x in b), "/".join(r["p99_us"] for r in res["ws"][False]),
                  "/".join("%.0f" % x for x in w), "/".join(r["p99_us"] for r in res["ws"][True]),
                  (sum(w) / len(w)) / (sum(b) / len(b)), "/".join("%.1f" % x for x in bc),
                  "/".join("%.1f" % x for x in wc)))
    if "wait" in res:
        w0, w1 = res["wait"][0], res["wait"][1]
        print("mentee.put with request_id, closed loop c=%d, primary + 1 replica: %s req/s with "
              "redis-min-replicas 0, %s req/s with 1; ratio %.2f (1 / 0, means)" % (
                  a.conns, "/".join("%.0f" % x for x in w0), "/".join("%.0f" % x for x in w1),
                  (sum(w1) / len(w1)) / (sum(w0) / len(w0))))
    if "handshake" in res:
        for (tickets, tls, resume), r in res["handshake"].items():
            print("handshakes TLS %s tickets %-3s reuse %-3s: %s/s (%s of %s resumed)" % (
                tls, tickets, "on" if resume else "off", r["hs_per_s"], r["resumed"], r["done"]))
    if "idle" in res:
        i = res["idle"]
        print("idle: %s of %s connections held; server VmRSS %.1f MiB (%.1f MiB before)" % (
            i["open"], i["conns"], int(i["rss_kib"]) / 1024.0, int(i["rss_before_kib"]) / 1024.0))
    if "wsidle" in res:
        i = res["wsidle"]
        print("idle WebSocket: %s of %s connections held; server VmRSS %.1f MiB (%.1f MiB before)" % (
            i["open"], i["conns"], int(i["rss_kib"]) / 1024.0, int(i["rss_before_kib"]) / 1024.0))


if __name__ == "__main__":
    main()
