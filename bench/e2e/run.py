#!/usr/bin/python3
"""End to end through coachnetd at national scale (issue 16; bench/e2e/README.md).

Starts, in a temporary directory, through tests/integration/harness.py: a
redis-server (AOF, appendfsync always, as in production), certificates and
one coachnetd.  Generates (scripts/gen-data, cached in --data-dir) a program
of --mentees mentees and --coaches coaches, imports them with the CLI
(`coachnet import`, pipelined puts: the fastest supported path), runs
match.run --runs times and reports, per phase:

  wall time     import: the CLI's run; a run's phases from its run.progress
                notifications (snapshot: from the match.run answer to the
                first solver phase; a solver phase from its first
                notification to the next phase's; `finish` includes the
                worker packing the explanations; store: to the moment the run
                record has published_at, i.e. the switch, run_publish.lua,
                has run; settle: to run.done)
  RSS           coachnetd's VmRSS (largest sample, every 100 ms) and, at the
                end, VmHWM (its peak); Redis' used_memory (every 0.5 s)
  kfaults       coachnetd's minor page faults in the phase, in thousands
                (/proc/PID/stat, every 100 ms)
  Redis s       Redis' CPU time (used_cpu_user + used_cpu_sys, every 0.5 s):
                what the phase cost Redis, whatever the wall time
  mentee.get    latency (send to answer) of one mentee.get every --probe-ms
                on its own connection, from a process of its own (the
                Prober class says why), from the start of the import to the
                last run.done: n, p50, p99, max; late = probes sent more than
                one interval after their scheduled time (the prober was
                itself held up: client side, not a server figure)
  Redis         SLOWLOG entries of at least --slowlog-ms, by script
                (scripts/embed-lua --sha names them): every Lua call that
                held Redis, and so every mentee.get behind it, that long;
                with the median argument count of those calls (a chunk's
                size: few arguments, and Redis itself was slow)
  AOF rewrites  how long each of Redis' AOF rewrites ran (INFO persistence,
                every 0.5 s), and mentee.get during them and outside them:
                the rewrite's child shares Redis' memory copy on write

--redis-thp runs Redis with its memory in transparent huge pages
(harness.redis_thp) and --no-aof-rewrite without automatic AOF rewrites
(auto-aof-rewrite-percentage 0): docs/operations.md, "Redis in huge pages".

    bench/e2e/run.py --mentees 100000 --coaches 20000        # the reference
    nice bench/e2e/run.py                                    # 1,000,000 x 50,000
    bench/e2e/run.py --mentees 100000 --coaches 20000 --runs 2 --json out.json

The whole run goes under `nice` on a shared machine.  B selects the build
(default build/rel; needs coachnetd and the CLI: make).
"""

import argparse
import atexit
import bisect
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
import harness  # noqa: E402
from coachnet import CoachnetError, ClientError  # noqa: E402

CLI = harness.BUILD / "clients" / "coachnet"
PROG = "e2e-2026"
COORD, COORD_PW = "e2e-coord", "E2e-pa55word-1"
SOLVER_PHASES = ("prepare", "estimate", "score", "solve", "price", "stable", "finish")


class Phases:
    """The phase the run is in, and when each phase began (monotonic)."""

    def __init__(self):
        self.mu = threading.Lock()
        self.cur = "setup"
        self.spans = []    # [name, t_begin, t_end]

    def enter(self, name):
        now = time.monotonic()
        with self.mu:
            if self.spans and self.spans[-1][2] is None:
                self.spans[-1][2] = now
            self.cur = name
            self.spans.append([name, now, None])

    def end(self):
        with self.mu:
            if self.spans and self.spans[-1][2] is None:
                self.spans[-1][2] = time.monotonic()
            self.cur = "idle"

    def current(self):
        with self.mu:
            return self.cur


def proc_minflt(pid):
    """The process's minor page faults so far (/proc/PID/stat, field 10), or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[7])
    except (OSError, IndexError, ValueError):
        return None


def smaps_kib(pid, field):
    """A field of /proc/PID/smaps_rollup in KiB (0 when unreadable)."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def proc_status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


class Monitor(threading.Thread):
    """coachnetd's VmRSS and minor page faults every 100 ms and Redis'
    used_memory every 0.5 s, by phase; and the switch of a run (published_at
    appears in its record)."""

    def __init__(self, phases, pid, redis_port):
        super().__init__(daemon=True)
        self.phases, self.pid, self.redis_port = phases, pid, redis_port
        self.rss = {}      # phase -> max VmRSS KiB
        self.redis = {}    # phase -> max used_memory bytes
        self.redis_cpu = {}  # phase -> Redis' CPU seconds (user + sys), sampled every 0.5 s
        self.faults = {}   # phase -> coachnetd's minor page faults
        self.watch_run = None
        self.busy = []     # (phase, error) of the samples Redis refused
        # Redis' AOF rewrites, [start, end] CLOCK_MONOTONIC (end None while
        # one runs), seen every 0.5 s: its child shares Redis' memory copy
        # on write, which costs Redis' writes the most in huge pages
        self.rewrites = []
        self.stop_ev = threading.Event()

    def run(self):
        r = harness.MiniRedis(self.redis_port, timeout=60)
        k = 0
        cpu0, ph0 = None, None
        flt0, fph0 = proc_minflt(self.pid), None
        while not self.stop_ev.wait(0.1):
            ph = self.phases.current()
            v = proc_status(self.pid).get("VmRSS", 0)
            self.rss[ph] = max(self.rss.get(ph, 0), v)
            flt = proc_minflt(self.pid)
            if flt is not None and flt0 is not None and fph0 is not None:
                self.faults[fph0] = self.faults.get(fph0, 0) + flt - flt0
            flt0, fph0 = flt, ph
            try:
                if k % 5 == 0:
                    info = r.command("INFO", "memory").decode()
                    for line in info.splitlines():
                        if line.startswith("used_memory:"):
                            self.redis[ph] = max(self.redis.get(ph, 0), int(line.split(":")[1]))
                    cpu = sum(float(line.split(":")[1]) for line in r.command("INFO", "cpu").decode().splitlines()
                              if line.startswith(("used_cpu_sys:", "used_cpu_user:")))
                    if cpu0 is not None:
                        self.redis_cpu[ph0] = self.redis_cpu.get(ph0, 0.0) + cpu - cpu0
                    cpu0, ph0 = cpu, ph
                    self.note_rewrite(b"aof_rewrite_in_progress:1" in r.command("INFO", "persistence"))
                run_id = self.watch_run
                if run_id and ph.endswith(":store") and r.command("HEXISTS", "cn:run:" + run_id,
                                                                  "published_at") == 1:
                    self.phases.enter(ph.split(":")[0] + ":settle")
            except RuntimeError as e:   # BUSY: a script has run for more than 5 s
                self.busy.append((ph, str(e)[:40]))
            k += 1
        r.close()

    def note_rewrite(self, on):
        now = time.monotonic()
        if on and (not self.rewrites or self.rewrites[-1][1] is not None):
            self.rewrites.append([now, None])
        elif not on and self.rewrites and self.rewrites[-1][1] is None:
            self.rewrites[-1][1] = now


class Prober:
    """mentee.get of a random mentee every `interval` s on its own connection,
    in a process of its own.  (In a thread of this process it shared the GIL
    with the monitor and the notification reader, and its figures were
    worse than the server's: over the same run at 1,000,000 mentees, p99
    9.4 ms in the thread against 7.4 ms in a separate process.)  A sample
    is (monotonic time, latency s, error code or None, late); CLOCK_MONOTONIC
    is the same in both processes, so by_phase() puts the samples in the
    phases afterwards."""

    def __init__(self, srv, ids, interval):
        ctx = multiprocessing.get_context("fork")
        self.stop_ev = ctx.Event()
        self.rx, tx = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=self.main, args=(srv, ids, interval, tx), daemon=True)
        self.samples = []

    def start(self):
        self.proc.start()

    def stop(self):
        """Stop probing and collect the samples (before join: the pipe holds them)."""
        self.stop_ev.set()
        if self.rx.poll(30):
            self.samples = self.rx.recv()
        self.proc.join(5)

    def main(self, srv, ids, interval, tx):
        samples = []
        c = srv.login(COORD, COORD_PW, timeout=120)
        rnd = random.Random(7)
        due = time.monotonic()
        while not self.stop_ev.is_set():
            now = time.monotonic()
            if now < due:
                time.sleep(due - now)
                now = time.monotonic()
            late = now - due > interval
            due = max(due + interval, now)
            t0 = time.monotonic()
            code = None
            try:
                c.call("mentee.get", {"id": rnd.choice(ids)})
            except CoachnetError as e:
                code = e.code
            except ClientError as e:
                code = type(e).__name__
            samples.append((t0, time.monotonic() - t0, code, late))
            if code and code not in ("not_found",):
                if c.sock is None:
                    c.close()
                    c = srv.login(COORD, COORD_PW, timeout=120)
        c.close()
        tx.send(samples)


def phase_lookup(spans):
    """A function of a monotonic time t: the phase whose span holds t, or
    None (setup, between runs)."""
    marks = sorted((b, e, n) for n, b, e in spans if not n.startswith("run "))
    begins = [m[0] for m in marks]

    def at(t):
        i = bisect.bisect_right(begins, t) - 1
        if i < 0 or (marks[i][1] is not None and t >= marks[i][1]):
            return None
        return marks[i][2]
    return at


def by_phase(samples, phase_of):
    """The samples by the phase they were sent in: phase -> {"lat": [s],
    "late": n, "errors": {code: n}}.  A latency counts when the answer was
    one (not_found: not imported yet, a full round trip); samples outside
    every phase (setup, between runs) are left out."""
    out = {}
    for t, dt, code, late in samples:
        name = phase_of(t)
        if name is None:
            continue
        ph = out.setdefault(name, {"lat": [], "late": 0, "errors": {}})
        if code in (None, "not_found"):
            ph["lat"].append(dt)
        if code:
            ph["errors"][code] = ph["errors"].get(code, 0) + 1
        ph["late"] += late
    return out


def pct(xs, q):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def cli(srv, token, args, stdin=None, timeout=7200):
    env = dict(os.environ, COACHNET_HOST="127.0.0.1", COACHNET_PORT=str(srv.port),
               COACHNET_CA=str(srv.env.certs.ca), COACHNET_TOKEN_FILE=str(token))
    p = subprocess.run([str(CLI)] + args, input=(stdin or "").encode(), capture_output=True, env=env,
                       timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("coachnet %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.decode()[-2000:]))
    return p.stdout.decode()


def data_files(a):
    d = Path(a.data_dir) / ("%dx%d-s%d" % (a.mentees, a.coaches, a.seed))
    if not (d / "coaches.jsonl").exists():
        t0 = time.monotonic()
        tmp = Path(str(d) + ".tmp")
        subprocess.run([str(REPO / "scripts" / "gen-data"), "--mentees", str(a.mentees), "--coaches",
                        str(a.coaches), "--seed", str(a.seed), "--program", PROG, "--out", str(tmp)], check=True)
        tmp.rename(d)
        print("# generated %s in %.1f s" % (d, time.monotonic() - t0), flush=True)
    ids = []
    with open(d / "mentees.jsonl") as f:
        for i, line in enumerate(f):
            if i % max(1, a.mentees // 20000) == 0:
                ids.append(json.loads(line)["id"])
    return d, ids


class LoadingRedis(harness.Redis):
    """harness.Redis, up as soon as it answers at all: a Redis loading a kept
    import (1.6 GB at 1,000,000 mentees, a minute or more) answers PING with
    LOADING, which harness.Redis counts as down after 10 s.  The caller waits
    for `loading:0` before starting coachnetd: a coachnetd started meanwhile
    answers `unavailable` (the CLI's login did, 2026-12-03)."""

    def ping(self):
        try:
            return super().ping()
        except RuntimeError as e:
            if str(e).startswith("LOADING"):
                return True
            raise


def redis_loaded(redis, timeout=900):
    """Wait until Redis has loaded its data: `loading:0` in INFO persistence
    and a GET answered (not LOADING), twice in a row half a second apart.
    Once is not enough: a kept import is a base RDB and an AOF after it,
    and Redis 7 can report `loading:0` between the two (seen at 100,000: the
    wait ended after 0.1 s, and the CLI's login then answered `unavailable`,
    coachnetd's Redis still loading)."""
    def ready():
        return (b"loading:0" in redis.cmd("INFO", "persistence") and redis.cmd("GET", "e2e:loaded") is None)
    deadline = time.monotonic() + timeout
    while True:
        harness.wait_until(ready, max(1, deadline - time.monotonic()), interval=0.5, what="Redis to load its data")
        time.sleep(0.5)
        try:
            if ready():
                return
        except RuntimeError:   # LOADING again: the next file
            pass


def script_names():
    out = subprocess.run([str(REPO / "scripts" / "embed-lua"), "--sha"] + sorted(
        str(p) for p in (REPO / "server" / "lua").glob("*.lua")), capture_output=True, check=True).stdout
    return dict(line.split() for line in out.decode().splitlines())


def slowlog_argc(args):
    """A SLOWLOG entry's argument count: Redis keeps the first 31 and says
    how many it left out ("... (N more arguments)")."""
    m = re.match(rb"\.\.\. \((\d+) more arguments\)$", args[-1]) if args else None
    return len(args) - 1 + int(m.group(1)) if m else len(args)


def slowlog(redis, names):
    """SLOWLOG entries by script: name -> [count, total ms, max ms, median
    argument count].  A chunk's arguments say how many items it carried: a
    slow chunk with few of them waited for Redis, not for its size."""
    by = {}
    r = harness.MiniRedis(redis.port, timeout=600)
    t0 = time.monotonic()
    busy = 0
    while True:
        try:   # BUSY while a script runs past 5 s: it will end (a run's switch)
            entries = r.command("SLOWLOG", "GET", "-1") or []
            break
        except RuntimeError as e:
            if not str(e).startswith("BUSY") or time.monotonic() - t0 > 1800:
                raise
            busy += 1
            time.sleep(0.5)
    if busy:
        print("# Redis answered BUSY %d times (a script running past 5 s) before SLOWLOG could be read, %.1f s" % (
            busy, time.monotonic() - t0), flush=True)
    elif time.monotonic() - t0 > 0.5:   # thousands of entries at a low --slowlog-ms
        print("# reading the SLOWLOG (%d entries) took %.1f s" % (len(entries), time.monotonic() - t0), flush=True)
    r.command("SLOWLOG", "RESET")
    r.close()
    for e in entries:
        us, args = e[2], e[3]
        cmd = args[0].decode(errors="replace").lower() if args else "?"
        name = names.get(args[1].decode(errors="replace"), "?") if cmd == "evalsha" and len(args) > 1 else cmd
        if name in ("run_snapshot",) and len(args) > 4:
            name += ":" + args[4].decode(errors="replace")
        s = by.setdefault(name, [0, 0.0, 0.0, []])
        s[0] += 1
        s[1] += us / 1000.0
        s[2] = max(s[2], us / 1000.0)
        s[3].append(slowlog_argc(args))
    for s in by.values():
        s[3] = sorted(s[3])[len(s[3]) // 2]
    return by


def latency(redis):
    """LATENCY LATEST, then reset: event -> [times it reached the threshold
    (the latest, unix s), its latest ms, its largest ms]."""
    out = {}
    for e in redis.cmd("LATENCY", "LATEST") or []:
        out[e[0].decode()] = [e[1], e[2], e[3]]
    redis.cmd("LATENCY", "RESET")
    return out


def one_run(coord, phases, mon, timeout, k):
    """match.run (the k-th); the phases from its notifications, named "k:phase";
    returns (run id, run.done's params)."""
    run_id = coord.match_run(PROG)["run_id"]
    phases.enter("%d:snapshot" % k)
    mon.watch_run = run_id
    deadline = time.monotonic() + timeout
    while True:
        n = coord.next_notification(timeout=max(1, deadline - time.monotonic()))
        p = n.params
        if n.method == "run.progress" and p.get("run_id") == run_id:
            ph = "%d:%s" % (k, p["phase"])
            cur = phases.current()
            if not ph.endswith(":snapshot") and ph != cur and not (cur.endswith(":settle") and ph.endswith(":store")):
                phases.enter(ph)
        elif n.method == "run.done" and p.get("run_id") == run_id:
            mon.watch_run = None
            phases.end()
            return run_id, p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mentees", type=int, default=1000000)
    ap.add_argument("--coaches", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=1,
                    help="match.run this many times (the second one's switch supersedes the first's proposals)")
    ap.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "coachnet-e2e-data"),
                    help="gen-data's files, kept for the next time (about 700 MB at 1,000,000 mentees)")
    ap.add_argument("--redis-dir", default=None, help="Redis' data directory (the AOF) under this one")
    ap.add_argument("--probe-ms", type=float, default=10)
    ap.add_argument("--slowlog-ms", type=float, default=5)
    ap.add_argument("--run-timeout", type=float, default=7200)
    ap.add_argument("--conf", action="append", default=[],
                    help="KEY=VALUE for coachnetd's configuration (e.g. run-threads=2)")
    ap.add_argument("--redis-thp", action="store_true",
                    help="Redis' memory in transparent huge pages (harness.redis_thp; docs/operations.md)")
    ap.add_argument("--no-aof-rewrite", action="store_true",
                    help="no automatic AOF rewrite during the runs (auto-aof-rewrite-percentage 0)")
    ap.add_argument("--import-window", type=int, default=None,
                    help="the CLI import's puts in flight (coachnet import --window; default the CLI's, 32)")
    ap.add_argument("--keep-import", action="store_true",
                    help="keep Redis' data after the import in --data-dir, and start from it when it is there "
                         "(no import: about 4 minutes at 1,000,000 mentees)")
    ap.add_argument("--coachnetd", help="run this coachnetd binary instead of $B's (an A/B comparison)")
    ap.add_argument("--json", help="write the figures there")
    ap.add_argument("--samples", help="write every mentee.get there, a tab-separated line each: monotonic "
                    "time s, latency ms, phase, error code (to line them up with perf's `-k mono` times)")
    a = ap.parse_args()
    for f in (harness.COACHNETD, CLI):
        if not f.exists():
            sys.exit("build it first: make (%s missing)" % f)

    data, ids = data_files(a)
    names = script_names()
    env = harness.Env("e2e")
    if a.coachnetd:   # another build's coachnetd, e.g. a "before" (the CLI stays $B's)
        shutil.copy2(a.coachnetd, env.binary)
    rdir = Path(tempfile.mkdtemp(prefix="coachnet-e2e-redis-", dir=a.redis_dir)) if a.redis_dir else env.dir
    if rdir != env.dir:   # also when the start fails (env.close is atexit's too)
        atexit.register(shutil.rmtree, rdir, True)
    # Redis' data right after an import, kept by --keep-import: a later
    # invocation of the same size starts from a copy of it
    cached = Path(a.data_dir) / ("%dx%d-s%d.redis" % (a.mentees, a.coaches, a.seed))
    reuse = a.keep_import and cached.exists()
    if reuse:
        shutil.copytree(cached, rdir / "appendonlydir")
    env.redis = LoadingRedis(rdir, thp=a.redis_thp)
    env.redis.start()
    redis_loaded(env.redis)
    env.redis.cmd("CONFIG", "SET", "slowlog-log-slower-than", str(int(a.slowlog_ms * 1000)))
    env.redis.cmd("CONFIG", "SET", "slowlog-max-len", "100000")
    if a.no_aof_rewrite:   # rewrites at a quiet hour instead (docs/operations.md, "Redis in huge pages")
        env.redis.cmd("CONFIG", "SET", "auto-aof-rewrite-percentage", "0")
    # LATENCY LATEST names what held Redis that long other than a command:
    # a fork for an AOF rewrite (auto-aof-rewrite-percentage: the AOF
    # doubles during a run of 1,000,000), an fsync
    env.redis.cmd("CONFIG", "SET", "latency-monitor-threshold", str(max(1, int(a.slowlog_ms))))
    env.certs = harness.Certs(env.dir / "certs")
    # redis-timeout-ms: the production default.  run-lock-ttl-ms: 60 s, not
    # 15: Redis expires keys by the wall clock, and this VM's steps by
    # seconds now and then (a 1,000,000 run lost its lock to one)
    # idle-timeout-ms: an hour, not 5 minutes, for --coachnetd builds before
    # 9a71b68, which closed the connection of a run lasting longer
    conf = dict(log_level="info", redis_timeout_ms=2000, run_lock_ttl_ms=60000, idle_timeout_ms=3600000)
    for kv in a.conf:
        k, _, v = kv.partition("=")
        conf[k.replace("-", "_")] = v
    srv = env.add_server(**conf)
    res = {"mentees": a.mentees, "coaches": a.coaches, "conf": conf, "coachnetd": a.coachnetd or str(harness.COACHNETD),
           "glibc_tunables": harness.coachnetd_env()["GLIBC_TUNABLES"], "redis_thp": a.redis_thp, "no_aof_rewrite": a.no_aof_rewrite,
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "uname": os.uname().release, "cores": os.cpu_count(), "load_before": os.getloadavg(), "runs": []}
    phases = Phases()
    mon = Monitor(phases, srv.proc.pid, env.redis.port)
    prober = Prober(srv, ids, a.probe_ms / 1000.0)
    try:
        if not reuse:
            rc, out = srv.add_user(harness.ADMIN_LOGIN, harness.ADMIN_PASSWORD, "admin")
            if rc:
                sys.exit("add-user failed: " + out)
            with srv.admin() as adm:
                adm.program_put(harness.Gen(seed=1).program_object(PROG))
                adm.user_create(COORD, COORD_PW, "coordinator", programs=[PROG])
        token = env.dir / "cli.token"
        cli(srv, token, ["login", COORD], stdin=COORD_PW + "\n")
        print("# %s, %d cores, load average %s; %d mentees x %d coaches; coachnetd %s; GLIBC_TUNABLES=%s; "
              "Redis in %s" % (
                  res["uname"], res["cores"], " ".join("%.1f" % x for x in os.getloadavg()), a.mentees, a.coaches,
                  " ".join("%s=%s" % kv for kv in sorted(conf.items())), res["glibc_tunables"],
                  "huge pages" if a.redis_thp else "4 KiB pages") +
              ("; no automatic AOF rewrite" if a.no_aof_rewrite else "") +
              ("; import --window %d" % a.import_window if a.import_window else ""), flush=True)
        prober.start()   # first: it forks, and a fork should not copy the monitor's thread mid-call
        mon.start()
        rss0 = proc_status(srv.proc.pid).get("VmRSS", 0)
        for kind in ("mentees", "coaches") if not reuse else ():
            phases.enter("import " + kind)
            cli(srv, token, ["import", kind, str(data / ("%s.jsonl" % kind)), "--no-progress"]
                + (["--window", str(a.import_window)] if a.import_window else []))
            print("# import %s: %.1f s" % (kind, time.monotonic() - phases.spans[-1][1]), flush=True)
        phases.end()
        if reuse:
            print("# the import of an earlier invocation (%s)" % cached, flush=True)
        elif a.keep_import:
            env.redis.cmd("BGREWRITEAOF")
            harness.wait_until(lambda: b"aof_rewrite_in_progress:0" in env.redis.cmd("INFO", "persistence") and
                               b"aof_rewrite_scheduled:0" in env.redis.cmd("INFO", "persistence"), 600,
                               interval=0.5, what="the AOF rewrite")
            shutil.copytree(rdir / "appendonlydir", str(cached) + ".tmp")
            os.rename(str(cached) + ".tmp", cached)
        res["slowlog_import"] = slowlog(env.redis, names)
        res["redis_after_import"] = int(env.redis.cmd("INFO", "memory").decode().split("used_memory:")[1].split()[0])
        # the coach index loads at coachnetd's start (coachidx.c, pages of
        # coach_scan.lua): 50,000 coaches take seconds, which the first run
        # would otherwise measure
        harness.wait_until(lambda: "coaches loaded" in srv.log_text(), 600, interval=0.5,
                           what="coachnetd's coach index")
        res["slowlog_start"] = slowlog(env.redis, names)
        env.redis.cmd("LATENCY", "RESET")
        coord = srv.login(COORD, COORD_PW, timeout=600)
        for k in range(a.runs):
            phases.spans.append(["run %d" % (k + 1), time.monotonic(), None])
            run_id, done = one_run(coord, phases, mon, a.run_timeout, k + 1)
            span = [s for s in phases.spans if s[0] == "run %d" % (k + 1)][0]
            span[2] = time.monotonic()
            res["runs"].append({"run_id": run_id, "status": done["status"], "stats": done["stats"],
                                "wall_s": span[2] - span[1], "slowlog": slowlog(env.redis, names),
                                "latency": latency(env.redis)})
            print("# run %d (%s): %s in %.1f s; %s" % (k + 1, run_id, done["status"], span[2] - span[1],
                                                       json.dumps(done["stats"])), flush=True)
            time.sleep(0.5)
        coord.close()
    finally:
        prober.stop()
        mon.stop_ev.set()
        st = proc_status(srv.proc.pid) if srv.proc else {}
        res["vmhwm_kib"] = st.get("VmHWM", 0)
        res["rss_start_kib"] = locals().get("rss0", 0)
        try:
            info = env.redis.cmd("INFO", "memory").decode()
            res["redis_peak"] = int(info.split("used_memory_peak:")[1].split()[0])
            res["redis_aof_rewrite_pct"] = int(env.redis.cmd("CONFIG", "GET", "auto-aof-rewrite-percentage")[1])
        except Exception:
            res["redis_peak"] = 0
        # how much of Redis' memory is in huge pages (--redis-thp)
        res["redis_anon_huge_kib"] = smaps_kib(env.redis.proc.pid, "AnonHugePages") if env.redis.proc else 0
        mon.join(5)
        log = srv.log_text()
        srv.stop()
        env.close()
        if rdir != env.dir:
            shutil.rmtree(rdir, ignore_errors=True)
    res["load_after"] = os.getloadavg()
    res["redis_busy"] = mon.busy
    res["run_log"] = [l for l in log.splitlines() if " run " in l or "run sweep" in l][-20:]

    # the table: one row per phase, in order of first appearance (a phase
    # entered again, as solve and price alternate, adds to its wall time)
    rows, by = [], {}
    for name, t0, t1 in phases.spans:
        if name.startswith("run "):
            continue
        if name not in by:
            by[name] = {"phase": name, "wall_s": 0.0}
            rows.append(by[name])
        by[name]["wall_s"] += (t1 or t0) - t0
    print("\n%-16s %9s %10s %8s %11s %9s %7s %8s %8s %8s %6s %s" % (
        "phase", "wall s", "RSS MiB", "kfaults", "Redis MiB", "Redis s", "gets", "p50 ms", "p99 ms", "max ms",
        "late", "errors"))
    phase_of = phase_lookup(phases.spans)
    probes = by_phase(prober.samples, phase_of)
    for r in rows:
        name = r["phase"]
        pr = probes.get(name, {"lat": [], "late": 0, "errors": {}})
        lat = pr["lat"]
        r.update(rss_mib=mon.rss.get(name, 0) / 1024.0, faults=mon.faults.get(name, 0),
                 redis_mib=mon.redis.get(name, 0) / 2 ** 20,
                 redis_cpu_s=mon.redis_cpu.get(name, 0.0),
                 gets=len(lat), p50_ms=pct(lat, 0.5) * 1e3, p99_ms=pct(lat, 0.99) * 1e3,
                 max_ms=max(lat) * 1e3 if lat else float("nan"), late=pr["late"],
                 errors=pr["errors"])
        print("%-16s %9.1f %10.0f %8.1f %11.0f %9.1f %7d %8.2f %8.2f %8.1f %6d %s" % (
            r["phase"], r["wall_s"], r["rss_mib"], r["faults"] / 1e3, r["redis_mib"], r["redis_cpu_s"], r["gets"],
            r["p50_ms"], r["p99_ms"], r["max_ms"], r["late"], ",".join("%s=%d" % kv for kv in r["errors"].items())))
    alllat = [x for n, pr in probes.items() if not n.startswith("import") for x in pr["lat"]]
    res["get_runs"] = {"n": len(alllat), "p50_ms": pct(alllat, 0.5) * 1e3, "p99_ms": pct(alllat, 0.99) * 1e3,
                       "max_ms": max(alllat) * 1e3 if alllat else None}
    res["phases"] = rows
    res["spans"] = phases.spans
    print("\ncoachnetd VmHWM %.0f MiB (VmRSS %.0f MiB before the import); Redis used_memory %.0f MiB after the "
          "import, peak %.0f MiB" % (res["vmhwm_kib"] / 1024.0, res["rss_start_kib"] / 1024.0,
                                     res["redis_after_import"] / 2 ** 20, res["redis_peak"] / 2 ** 20) +
          ", %.0f MiB of it in huge pages at the end" % (res["redis_anon_huge_kib"] / 1024.0))
    print("mentee.get during the runs: %d calls, p50 %.2f ms, p99 %.2f ms, max %.1f ms" % (
        len(alllat), res["get_runs"]["p50_ms"], res["get_runs"]["p99_ms"], res["get_runs"]["max_ms"] or 0))
    rewrites = [(t0, t1 if t1 is not None else time.monotonic()) for t0, t1 in mon.rewrites]
    res["aof_rewrites"] = rewrites
    if rewrites:
        inside = {True: [], False: []}
        for t, dt, code, late in prober.samples:
            name = phase_of(t)
            if name is not None and not name.startswith("import") and code in (None, "not_found"):
                inside[any(t0 <= t < t1 for t0, t1 in rewrites)].append(dt)
        res["get_rewrite"] = {k: {"n": len(v), "p50_ms": pct(v, 0.5) * 1e3, "p99_ms": pct(v, 0.99) * 1e3}
                              for k, v in (("during", inside[True]), ("outside", inside[False]))}
        print("Redis AOF rewrites: %s; mentee.get during them: %d calls, p50 %.2f ms, p99 %.2f ms; outside: %d "
              "calls, p50 %.2f ms, p99 %.2f ms" % (
                  ", ".join("%.1f s" % (t1 - t0) for t0, t1 in rewrites), len(inside[True]),
                  pct(inside[True], 0.5) * 1e3, pct(inside[True], 0.99) * 1e3, len(inside[False]),
                  pct(inside[False], 0.5) * 1e3, pct(inside[False], 0.99) * 1e3))
    for k, r in enumerate(res["runs"]):
        print("run %d: %s, wall %.1f s, stats %s" % (k + 1, r["status"], r["wall_s"], json.dumps(r["stats"])))
        for name, (n, tot, mx, argc) in sorted(r["slowlog"].items(), key=lambda kv: -kv[1][1]):
            print("   Redis slowlog >= %g ms: %-22s %6d calls, %9.1f ms in all, max %7.1f ms, median %d arguments" % (
                a.slowlog_ms, name, n, tot, mx, argc))
        for ev, (at, last, mx) in sorted(r["latency"].items()):
            print("   Redis latency event %-20s latest %d ms (at %s UTC), largest %d ms" % (
                ev, last, time.strftime("%H:%M:%S", time.gmtime(at)), mx))
    for name, (n, tot, mx, _) in sorted(res["slowlog_import"].items(), key=lambda kv: -kv[1][1]):
        print("import: Redis slowlog >= %g ms: %-22s %6d calls, %9.1f ms in all, max %7.1f ms" % (
            a.slowlog_ms, name, n, tot, mx))
    if mon.busy:
        print("Redis answered BUSY (a script running for more than 5 s) %d times, in %s" % (
            len(mon.busy), sorted(set(p for p, _ in mon.busy))))
    print("load average before %s, after %s" % (" ".join("%.1f" % x for x in res["load_before"]),
                                                 " ".join("%.1f" % x for x in res["load_after"])))
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1, default=str) + "\n")
    if a.samples:
        with open(a.samples, "w") as f:
            for t, dt, code, _ in prober.samples:
                f.write("%.6f\t%.3f\t%s\t%s\n" % (t, dt * 1e3, phase_of(t) or "-", code or "-"))


if __name__ == "__main__":
    main()
