"""Integration-test harness for coachnetd.

An :class:`Env` owns one fresh temporary directory and everything started in
it: a redis-server on a free port with AOF on (``--appendonly yes
--appendfsync always --save ""``), certificates made with the openssl CLI (a
CA, a server certificate for 127.0.0.1/localhost with subjectAltName, a client
certificate for mTLS, and a client certificate from an unrelated CA), and one
or more coachnetd processes (binary ``$B/server/coachnetd``, B from the
environment, default build/rel) with a config file pointing at them.  It
bootstraps an admin through ``coachnetd --add-user`` and tears everything
down at exit, also when a test fails or the run is interrupted.

:class:`Suite` is a small TAP runner: every test is a function, run in its
own try/except so one failure never hides the rest; a test that leaves the
server dead gets it restarted for the next test; the last test of every suite
checks that every coachnetd exited cleanly on SIGTERM and printed no
AddressSanitizer / LeakSanitizer / UBSan report.

Profile generators (:class:`Gen`) draw from data/*.tsv: valid 18-digit NIPs,
real province, position-class and competency codes.
"""

import atexit
import datetime
import fractions
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "clients" / "python"))

import coachnet  # noqa: E402  (re-exported to the suites)
from coachnet import Client, CoachnetError  # noqa: E402

__all__ = ["coachnet", "Client", "CoachnetError", "Suite", "Env", "Server", "Redis", "Certs",
           "Gen", "main", "expect_error", "wait_until", "when_up", "free_port", "run_and_wait",
           "run_matches", "find_match", "review_one", "review_outcome", "expected_explain",
           "SLOW", "REDIS_TIMEOUT_MS", "ADMIN_LOGIN", "ADMIN_PASSWORD", "SERVER_TZ", "server_date",
           "accepted_days_ago", "BUILD", "DATA"]

B = os.environ.get("B", "build/rel")
BUILD = Path(B) if os.path.isabs(B) else REPO / B
COACHNETD = BUILD / "server" / "coachnetd"
DATA = REPO / "data"

ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin-Pa55word!"
# Generous: the build machine is shared and ASan is slow; a Redis command
# that takes longer would make a test see `unavailable` with Redis up.
# test_redis.py sets its own, shorter timeout to measure.
REDIS_TIMEOUT_MS = 5000

SANITIZER_PATTERNS = ("ERROR: AddressSanitizer", "LeakSanitizer", "runtime error:",
                      "ERROR: UndefinedBehaviorSanitizer")

# Under ASan the server starts and runs several times slower.
SLOW = 3.0 if "san" in str(BUILD) else 1.0


def free_port():
    """Return a TCP port that was free a moment ago on 127.0.0.1."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(pred, timeout, interval=0.05, what="condition"):
    """Poll ``pred`` until it returns a true value; return it, or raise
    AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            v = pred()
            if v:
                return v
        except Exception as e:  # keep polling; remember why it failed
            last = e
        time.sleep(interval)
    raise AssertionError("timed out after %.1fs waiting for %s%s" % (
        timeout, what, " (last error: %r)" % (last,) if last else ""))


def when_up(fn, deadline, only=None):
    """fn(), asked again while it answers `unavailable` (a failover, a WAIT
    the replicas did not answer in time, an index still loading: the
    documented "retry") and time.monotonic() is before ``deadline``; with
    ``only``, just an `unavailable` whose message holds that text.  Any
    other error, or one past the deadline, is raised as it came.  A
    pipeline's replies are its own: one `unavailable` among them (``only``
    aside) asks the whole pipeline again."""
    def retry(e):
        return e.code == "unavailable" and (only is None or only in (e.message or ""))
    while True:
        try:
            r = fn()
        except CoachnetError as e:
            if not retry(e) or time.monotonic() >= deadline:
                raise
        else:
            bad = [x for x in r if isinstance(x, CoachnetError)] if isinstance(r, list) else []
            if not any(retry(x) for x in bad) or time.monotonic() >= deadline:
                return r
        time.sleep(0.1)


# --------------------------------------------------------------------- redis

class MiniRedis:
    """Just enough RESP to ping, flush and inspect the test's Redis."""

    def __init__(self, port, timeout=2.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def command(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._reply()

    def _line(self):
        while b"\r\n" not in self.buf:
            d = self.sock.recv(65536)
            if not d:
                raise ConnectionError("redis closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                d = self.sock.recv(65536)
                if not d:
                    raise ConnectionError("redis closed")
                self.buf += d
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RuntimeError("bad RESP %r" % line)


def redis_thp(on):
    """redis-server's extra arguments and environment for its memory in
    transparent huge pages (docs/operations.md, "Redis in huge pages"):
    jemalloc advises its memory (``MALLOC_CONF=thp:always``) and Redis does
    not switch huge pages off for itself (``disable-thp no``).  ``on``
    false: Redis' own defaults (4 KiB pages)."""
    if not on:
        return [], None
    env = dict(os.environ)
    env["MALLOC_CONF"] = "thp:always,metadata_thp:always"
    return ["--disable-thp", "no"], env


class Redis:
    """A redis-server in ``dir`` on a free port, AOF on (``thp``: its memory
    in huge pages, redis_thp)."""

    def __init__(self, dir, thp=False):
        self.dir = Path(dir)
        self.port = free_port()
        self.proc = None
        self.log = self.dir / "redis.log"
        self.thp = thp

    def start(self):
        """Start (or restart, on the same port) and wait for PING.  On its
        first start, a Redis whose free port was taken meanwhile by another
        process retries on another port (restarts must keep theirs)."""
        for _ in range(2):
            try:
                return self._start_once()
            except AssertionError:
                log = self.log.read_text(errors="replace") if self.log.exists() else ""
                if self.started_once or "in use" not in log:
                    raise
                self.port = free_port()
        return self._start_once()

    started_once = False

    def _start_once(self):
        args, env = redis_thp(self.thp)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--daemonize", "no", "--logfile", str(self.log),
             "--protected-mode", "yes"] + args,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wait_until(self.ping, 10, what="redis-server on port %d" % self.port)
        self.started_once = True

    def ping(self):
        if self.proc is None or self.proc.poll() is not None:
            raise RuntimeError("redis-server is not running")
        r = MiniRedis(self.port, 0.5)
        try:
            return r.command("PING") == "PONG"
        finally:
            r.close()

    def cmd(self, *args):
        r = MiniRedis(self.port)
        try:
            return r.command(*args)
        finally:
            r.close()

    def stop(self):
        """Stop redis-server (SIGTERM: it fsyncs the AOF and exits)."""
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    os.kill(self.proc.pid, signal.SIGCONT)
                except OSError:
                    pass
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.proc = None

    def pause(self):
        """SIGSTOP redis: connections stay open, commands hang (timeouts)."""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def restart(self):
        self.stop()
        self.start()


# ---------------------------------------------------------------------- certs

def _openssl(*args, cwd):
    r = subprocess.run(["openssl"] + list(args), cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), r.stdout.decode(errors="replace")))


class Certs:
    """CA, server and client certificates made with the openssl CLI (EC P-256)."""

    def __init__(self, dir):
        d = self.dir = Path(dir)
        d.mkdir(parents=True, exist_ok=True)
        self.ca, self.ca_key = d / "ca.pem", d / "ca.key"
        self.server, self.server_key = d / "server.pem", d / "server.key"
        self.client, self.client_key = d / "client.pem", d / "client.key"
        self.rogue_ca, self.rogue_ca_key = d / "rogue-ca.pem", d / "rogue-ca.key"
        self.rogue_client, self.rogue_client_key = d / "rogue-client.pem", d / "rogue-client.key"
        self._make_ca(self.ca, self.ca_key, "coachnet test CA")
        self._make_ca(self.rogue_ca, self.rogue_ca_key, "unrelated CA")
        self._make_leaf(self.server, self.server_key, "127.0.0.1", self.ca, self.ca_key,
                        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        self._make_leaf(self.client, self.client_key, "coachnet test client", self.ca, self.ca_key,
                        "extendedKeyUsage=clientAuth\n")
        self._make_leaf(self.rogue_client, self.rogue_client_key, "rogue client",
                        self.rogue_ca, self.rogue_ca_key, "extendedKeyUsage=clientAuth\n")

    def _make_ca(self, pem, key, cn):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                 "-nodes", "-keyout", str(key), "-out", str(pem), "-days", "2", "-subj", "/CN=" + cn,
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=self.dir)

    def _make_leaf(self, pem, key, cn, ca, ca_key, ext):
        csr = pem.with_suffix(".csr")
        extfile = pem.with_suffix(".ext")
        extfile.write_text("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n" + ext)
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", str(key), "-out", str(csr), "-subj", "/CN=" + cn, cwd=self.dir)
        _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
                 "-CAcreateserial", "-out", str(pem), "-days", "2", "-extfile", str(extfile),
                 cwd=self.dir)
        os.chmod(key, 0o600)


# ------------------------------------------------------------------ coachnetd

# coachnetd runs as etc/coachnetd.service runs it: glibc's malloc backs its
# large blocks and its heaps, grown 32 MiB at a time, with transparent huge
# pages (docs/operations.md, "Memory: transparent huge pages").  A GLIBC_TUNABLES already in the environment
# wins, even an empty one: that is how bench/e2e compares with and without.
COACHNETD_TUNABLES = "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432"


def coachnetd_env():
    env = dict(os.environ)
    env.setdefault("GLIBC_TUNABLES", COACHNETD_TUNABLES)
    return env


class Server:
    """One coachnetd process with its own config file and log."""

    def __init__(self, env, name, **conf):
        self.env = env
        self.name = name
        self.port = free_port()
        self.conf_path = env.dir / ("%s.conf" % name)
        self.conf = {
            "bind": "127.0.0.1",
            "port": self.port,
            "tls-cert-file": env.certs.server,
            "tls-key-file": env.certs.server_key,
            "tls-ca-file": env.certs.ca,
            "tls-auth-clients": "no",
            "redis-host": "127.0.0.1",
            "redis-port": env.redis.port,
            "redis-prefix": "cn:",
            "redis-timeout-ms": REDIS_TIMEOUT_MS,
            "data-dir": DATA,
            # Tests log in often from one address; the rate-limit tests run
            # their own servers with low limits (test_login.py).
            "login-attempts-per-minute": 100000,
            "login-attempts-per-address": 100000,
            "log-level": "info",
        }
        self.conf.update({k.replace("_", "-"): v for k, v in conf.items()})
        self.proc = None
        self.starts = 0
        self.logs = []           # every log file this server wrote (one per start)
        self.exit_codes = []     # exit status of every finished run
        self.crashed = []        # descriptions of unexpected deaths
        self.keep_running = False  # restart it after a test that left it dead

    def write_conf(self):
        lines = ["# written by tests/integration/harness.py"]
        for k, v in self.conf.items():
            lines.append("%s %s" % (k, v))
        self.conf_path.write_text("\n".join(lines) + "\n")

    @property
    def log(self):
        return self.logs[-1] if self.logs else None

    def log_text(self):
        return "".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    def start(self, timeout=None):
        try:
            self._start_once(timeout)
        except AssertionError:
            # another process took the free port between free_port() and bind:
            # only a first start may move (clients of a restart expect the port)
            if self.starts != 1 or "in use" not in (self.log_text() if self.logs else ""):
                raise
            self.port = self.conf["port"] = free_port()
            self._start_once(timeout)

    def _start_once(self, timeout=None):
        self.write_conf()
        self.starts += 1
        log = self.env.dir / ("%s.%d.log" % (self.name, self.starts))
        self.logs.append(log)
        with open(log, "wb") as f:
            self.proc = subprocess.Popen([str(self.env.binary), "--config", str(self.conf_path)],
                                         cwd=str(self.env.dir), stdin=subprocess.DEVNULL,
                                         stdout=f, stderr=subprocess.STDOUT, env=coachnetd_env())
        self.wait_ready(timeout or 15 * SLOW)
        self.keep_running = True

    def wait_ready(self, timeout):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("coachnetd %s exited with %s at start; log:\n%s" % (
                    self.name, self.proc.returncode, self.log.read_text(errors="replace")[-3000:]))
            # the ready line goes to log-file when one is configured
            logf = Path(str(self.conf.get("log-file") or self.log))
            if not logf.exists() or "ready" not in logf.read_text(errors="replace"):
                return False
            s = socket.create_connection(("127.0.0.1", self.port), 0.5)
            s.close()
            return True
        try:
            wait_until(ready, timeout, what="coachnetd %s ready on port %d" % (self.name, self.port))
        except AssertionError as e:
            if "exited" in str(e):
                # the test that started it reports this; not a SIGTERM exit
                self.proc = None
            raise

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self):
        """If the process died unexpectedly, record it and return a message."""
        if self.proc is not None and self.proc.poll() is not None:
            rc = self.proc.returncode
            self.exit_codes.append(rc)
            self.proc = None
            msg = "coachnetd %s died unexpectedly (exit status %s); log tail:\n%s" % (
                self.name, rc, self.log.read_text(errors="replace")[-2000:])
            self.crashed.append(msg)
            return msg
        return None

    def stop(self, timeout=None):
        """SIGTERM and wait; return the exit status (None if not running)."""
        self.keep_running = False
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout or 15 * SLOW)
            except subprocess.TimeoutExpired:
                self.crashed.append("coachnetd %s did not exit within %ss of SIGTERM" % (
                    self.name, timeout or 15 * SLOW))
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.exit_codes.append(rc)
        self.proc = None
        return rc

    def restart(self):
        self.stop()
        self.start()

    def client(self, **kw):
        """A connected coachnet.Client with the test CA (kwargs override)."""
        args = dict(host="127.0.0.1", port=self.port, ca_file=str(self.env.certs.ca),
                    timeout=10 * SLOW)
        if self.conf.get("tls-auth-clients") == "yes":
            args.update(cert_file=str(self.env.certs.client), key_file=str(self.env.certs.client_key))
        args.update(kw)
        return Client(**args)

    def login(self, login, password, **kw):
        c = self.client(**kw)
        try:
            c.auth_login(login, password)
        except BaseException:
            c.close()
            raise
        return c

    def admin(self, **kw):
        return self.login(ADMIN_LOGIN, ADMIN_PASSWORD, **kw)

    def add_user(self, login, password, role, subject=None, programs=None):
        """Bootstrap a user with ``coachnetd --add-user`` (password on stdin)."""
        self.write_conf()
        argv = [str(self.env.binary), "--config", str(self.conf_path), "--add-user", login, "--role", role]
        if subject:
            argv += ["--subject", subject]
        if programs:
            argv += ["--programs", ",".join(programs)]
        r = subprocess.run(argv, input=(password + "\n").encode(), cwd=str(self.env.dir),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30 * SLOW)
        out = r.stdout.decode(errors="replace")
        self.env.tool_output.append(("--add-user " + login, out))
        return r.returncode, out

    def sanitizer_reports(self):
        text = self.log_text()
        return [p for p in SANITIZER_PATTERNS if p in text]


class Env:
    """Temporary directory, Redis, certificates and coachnetd servers."""

    def __init__(self, name="it"):
        self.dir = Path(tempfile.mkdtemp(prefix="coachnet-%s-" % name))
        # A private copy: the shared tree may be rebuilt while a suite runs.
        self.binary = self.dir / "coachnetd"
        shutil.copy2(COACHNETD, self.binary)
        self.redis = Redis(self.dir)
        self.certs = None
        self.servers = []
        self.tool_output = []
        self._closed = False
        atexit.register(self.close)

    def start(self, **conf):
        """Start Redis, make certificates, start the first coachnetd and
        bootstrap the admin.  Returns the server."""
        self.redis.start()
        self.certs = Certs(self.dir / "certs")
        srv = self.add_server(**conf)
        rc, out = srv.add_user(ADMIN_LOGIN, ADMIN_PASSWORD, "admin")
        if rc != 0:
            raise RuntimeError("coachnetd --add-user admin failed (exit %d): %s" % (rc, out))
        return srv

    def add_server(self, name=None, **conf):
        srv = Server(self, name or "coachnetd%d" % (len(self.servers) + 1), **conf)
        self.servers.append(srv)
        srv.start()
        return srv

    def close(self):
        if self._closed:
            return
        self._closed = True
        for s in self.servers:
            try:
                s.stop()
            except Exception:
                pass
        self.redis.stop()
        if os.environ.get("COACHNET_KEEP_TMP"):
            print("# kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------ profiles

def _tsv(name):
    rows = []
    for line in (DATA / name).read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        rows.append(line.split("\t"))
    return rows


PROVINCES = [r[0] for r in _tsv("provinces.tsv")]
PROVINCE_REGION = {r[0]: r[2] for r in _tsv("provinces.tsv")}
POSITION_CLASSES = {r[0]: (int(r[2]), int(r[3])) for r in _tsv("position_classes.tsv")}
COMPETENCIES = [r[0] for r in _tsv("competencies.tsv")]
COMPETENCY_NAME_ID = {r[0]: r[2] for r in _tsv("competencies.tsv")}  # the catalogue's Indonesian name
MANAGERIAL = [c for c in COMPETENCIES if c.startswith("M.")]
SOCIOCULTURAL = [c for c in COMPETENCIES if c.startswith("SK.")]
TECHNICAL = [c for c in COMPETENCIES if c.startswith("T.")]

FIRST = ["Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Wayan", "Made", "Putu", "Ayu",
         "Hendra", "Ratna", "Yusuf", "Nur", "Fajar", "Indah", "Rizky", "Lestari", "Bambang", "Sri"]
LAST = ["Santoso", "Wijaya", "Hidayat", "Saputra", "Siregar", "Nasution", "Harahap", "Pratama",
        "Kusuma", "Lubis", "Simanjuntak", "Wibowo", "Setiawan", "Rahmawati", "Sutanto", "Manurung"]
AGENCIES = ["K001", "K015", "K023", "K044", "P3100", "P3200", "P5100", "D3171", "D6471"]
ALL_SLOTS = (1 << 21) - 1


def nip_is_valid(nip):
    """An ASN NIP: birth date YYYYMMDD, appointment YYYYMM, gender 1/2, 3-digit sequence."""
    if not re.fullmatch(r"\d{18}", nip):
        return False
    try:
        time.strptime(nip[:8], "%Y%m%d")
        time.strptime(nip[8:14], "%Y%m")
    except ValueError:
        return False
    return nip[14] in "12" and nip[15:] != "000" and int(nip[8:12]) >= int(nip[:4]) + 17


class Gen:
    """Realistic, unique profiles (seeded; ids never repeat within a run)."""

    def __init__(self, seed=None):
        self.rnd = random.Random(seed if seed is not None else os.getpid() ^ int(time.time()))
        self.used = set()
        self.n = 0

    def nip(self):
        while True:
            y = self.rnd.randint(1965, 2000)
            m = self.rnd.randint(1, 12)
            d = self.rnd.randint(1, 28)
            ay = min(2024, y + self.rnd.randint(20, 30))
            am = self.rnd.randint(1, 12)
            nip = "%04d%02d%02d%04d%02d%d%03d" % (y, m, d, ay, am, self.rnd.randint(1, 2),
                                                   self.rnd.randint(1, 999))
            if nip not in self.used:
                self.used.add(nip)
                return nip

    def name(self):
        return "%s %s" % (self.rnd.choice(FIRST), self.rnd.choice(LAST))

    def program(self, tag="p"):
        self.n += 1
        return "%s-%d-%04d" % (tag, self.n, self.rnd.randint(0, 9999))

    def program_object(self, pid=None, **over):
        """A program object (DESIGN section 9) with id ``pid`` (default: a
        fresh one); self-service, so that its mentees may match.request."""
        p = {"id": pid or self.program(), "name": "Program %s" % self.name(), "year": 2026,
             "self_service": True, "jp_target": 20, "description": "Coaching untuk pejabat"}
        p.update(over)
        return p

    def mentee(self, program, position_class="administrator", province="31", agency="K001",
               comps=None, **over):
        """A mentee with gaps in the given competency codes (default: three
        managerial ones), levels around the position's required level."""
        _rank, req = POSITION_CLASSES[position_class]
        comps = comps or self.rnd.sample(MANAGERIAL, 3)
        competencies = []
        for c in comps:
            required = max(1, min(5, req + (0 if c.startswith("M.") else self.rnd.randint(0, 1))))
            current = max(0, required - self.rnd.randint(1, 2))
            competencies.append({"code": c, "current": current, "required": required})
        p = {
            "id": self.nip(),
            "name": self.name(),
            "agency": agency,
            "position_class": position_class,
            "province": province,
            "program": program,
            "competencies": competencies,
            "modality": ["online", "offline"],
            "languages": ["id"],
            "availability": 0,
            "goals": "Memimpin perubahan di unit kerja",
        }
        p.update(over)
        return p

    def coach(self, programs, rank=5, province="31", capacity=2, comps=None,
              kind="pkn1_alumni", organization="K015", level=5, **over):
        """A coach strong (``level``) in ``comps`` (default: every managerial
        competency)."""
        comps = comps if comps is not None else MANAGERIAL
        p = {
            "id": self.nip(),
            "name": self.name(),
            "kind": kind,
            "organization": organization,
            "rank": rank,
            "province": province,
            "competencies": [{"code": c, "level": level} for c in comps],
            "capacity": capacity,
            "programs": list(programs),
            "modality": ["online", "offline"],
            "languages": ["id", "en"],
            "availability": 0,
            "bio": "Alumni PKN Tingkat I, pengalaman memimpin transformasi layanan publik",
        }
        p.update(over)
        return p


# --------------------------------------------------------- calendar dates

# coachnetd's default `timezone`: meeting.log takes the dates from the day a
# match was accepted up to today, in this zone.
SERVER_TZ = "Asia/Jakarta"


def server_date(days=0, tz=SERVER_TZ):
    """YYYY-MM-DD of today + ``days`` in the time zone ``tz``."""
    from zoneinfo import ZoneInfo
    day = datetime.datetime.now(ZoneInfo(tz)).date() + datetime.timedelta(days=days)
    return day.isoformat()


def accepted_days_ago(env, match_id, days):
    """Make an accepted match look accepted ``days`` days ago (its
    accepted_at in Redis), so that meetings of the last days can be logged."""
    env.redis.cmd("HSET", "cn:match:" + match_id, "accepted_at", str(int(time.time()) - days * 86400))


# ----------------------------------------------------------------- TAP runner

class Skip(Exception):
    """Raised by a test that cannot run here (reported as ok # SKIP)."""


def expect_error(code, fn, *args, field=None, **kw):
    """Call fn; assert it raises CoachnetError with ``code`` (and ``field``,
    when given: the error's field must contain it).  Returns the error."""
    try:
        r = fn(*args, **kw)
    except CoachnetError as e:
        assert e.code == code, "expected error %s, got %s" % (code, e)
        if field is not None:
            assert e.field is not None and field in str(e.field), \
                "expected error field naming %r, got %s" % (field, e)
        return e
    raise AssertionError("expected error %s, got result %r" % (code, r))


class Suite:
    """A TAP suite around one Env.

    ``suite.test`` registers a test function taking the suite; ``run()``
    starts the environment, runs every test in order, then stops the servers
    and reports crashes and sanitizer findings as a final test."""

    def __init__(self, name, start_server=True, **conf):
        self.name = name
        self.tests = []
        self.conf = conf
        self.start_server = start_server
        self.n = 0
        self.failed = 0
        self.failures = []      # (test number, description, last line of its diagnostic)
        self.env = None
        self.srv = None
        self.gen = Gen()
        self._admin = None
        self._seq = 0
        self._programs = set()

    def test(self, fn):
        self.tests.append(fn)
        return fn

    # ------------------------------------------------------------ fixtures

    PASSWORD = "Test-pa55word-123"

    def admin(self):
        """A logged-in admin client on the main server (cached)."""
        if self._admin is None or not self._admin.connected:
            self._admin = self.srv.admin()
        return self._admin

    def uniq(self, tag):
        self._seq += 1
        return "%s%d-%d" % (tag, self._seq, self.gen.rnd.randint(0, 99999))

    def program(self, pid=None, **over):
        """Create a program through the admin (``Gen.program_object``:
        self-service unless ``self_service=False``) and return its id.
        Profiles, runs, pins and users may name only programs that exist."""
        p = self.gen.program_object(pid, **over)
        self.admin().program_put(p)
        self._programs.add(p["id"])
        return p["id"]

    def coordinator(self, programs=None, srv=None):
        """Create a coordinator scoped to ``programs`` (default: one fresh
        program), creating through the admin each of them this suite has
        not created yet; return (logged-in client, first program)."""
        programs = programs or [self.gen.program()]
        for pid in programs:
            if pid not in self._programs:
                self.program(pid)
        login = self.uniq("coord")
        self.admin().user_create(login, self.PASSWORD, "coordinator", programs=programs)
        return (srv or self.srv).login(login, self.PASSWORD), programs[0]

    def subject_user(self, coord, role, subject, srv=None):
        """Create a mentee/coach user speaking for ``subject`` (through the
        coordinator ``coord``) and return the logged-in client."""
        login = self.uniq(role)
        coord.user_create(login, self.PASSWORD, role, subject=subject)
        return (srv or self.srv).login(login, self.PASSWORD)

    def _report(self, ok, desc, diag=None, directive=""):
        self.n += 1
        if not ok:
            self.failed += 1
            last = [d for d in str(diag or "").splitlines() if d.strip()]
            self.failures.append((self.n, desc, last[-1].strip() if last else ""))
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.n, desc)
        if directive:
            line += " # " + directive
        print(line, flush=True)
        if diag:
            for d in str(diag).rstrip().splitlines():
                print("#   " + d, flush=True)

    def _on_signal(self, signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)

    def run(self):
        signal.signal(signal.SIGTERM, self._on_signal)
        if not COACHNETD.exists():
            self._report(False, "%s: coachnetd binary %s is missing (build the server first)" % (
                self.name, COACHNETD))
            print("1..%d" % self.n)
            return 1
        try:
            self.env = Env(self.name)
            if self.start_server:
                self.srv = self.env.start(**self.conf)
            else:
                self.env.redis.start()
                self.env.certs = Certs(self.env.dir / "certs")
        except Exception:
            self._report(False, "%s: start redis-server, certificates, coachnetd, admin" % self.name,
                         traceback.format_exc())
            self._finish()
            return 1
        budget = float(os.environ.get("COACHNET_SUITE_SECONDS", 240)) * SLOW
        t0 = time.monotonic()
        try:
            for fn in self.tests:
                if time.monotonic() - t0 > budget:
                    desc = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
                    self._report(False, desc, "not run: the suite exceeded its time budget of "
                                 "%.0f s (COACHNET_SUITE_SECONDS)" % budget)
                    continue
                self._run_one(fn)
        except KeyboardInterrupt as e:
            self._report(False, "%s: interrupted (%s)" % (self.name, e))
        self._finish()
        return 1 if self.failed else 0

    def _run_one(self, fn):
        desc = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
        t0 = time.monotonic()
        try:
            fn(self)
            ok, diag, directive = True, None, ""
        except Skip as e:
            ok, diag, directive = True, None, "SKIP %s" % e
        except Exception:
            ok, diag, directive = False, traceback.format_exc(), ""
        dead = [m for m in (s.check_alive() for s in self.env.servers) if m]
        if dead:
            ok = False
            diag = (diag or "") + "\n".join(dead)
        if os.environ.get("COACHNET_TIMES"):
            directive = directive or "%.2fs" % (time.monotonic() - t0)
        self._report(ok, desc, diag, directive)
        # Keep later tests meaningful: bring back whatever a test left down.
        try:
            if self.env.redis.proc is None:
                self.env.redis.start()
            for s in self.env.servers:
                if s.proc is None and s.keep_running:
                    s.start()
                    self._admin = None      # its connection died with the server
        except Exception:
            self._report(False, "%s: restart redis/coachnetd after a failed test" % self.name,
                         traceback.format_exc())

    def _finish(self):
        env = self.env
        if env is not None and env.servers:
            problems = []
            for s in env.servers:
                s.stop()
                bad = [rc for rc in s.exit_codes if rc != 0]
                if bad:
                    problems.append("coachnetd %s exit statuses %s (expected 0 after SIGTERM)" % (
                        s.name, s.exit_codes))
                problems += s.crashed
                found = s.sanitizer_reports()
                if found:
                    text = s.log_text()
                    i = min(text.find(p) for p in found if p in text)
                    problems.append("coachnetd %s log has sanitizer reports %s:\n%s" % (
                        s.name, found, text[max(0, i - 200):i + 4000]))
            for what, out in env.tool_output:
                if any(p in out for p in SANITIZER_PATTERNS):
                    problems.append("coachnetd %s printed a sanitizer report:\n%s" % (what, out[:4000]))
            self._report(not problems, "%s: every coachnetd exited 0 on SIGTERM, no crash, "
                         "no sanitizer report" % self.name, "\n".join(problems))
        if env is not None:
            if self.failed and not os.environ.get("COACHNET_KEEP_TMP"):
                for s in env.servers:
                    if s.log is not None and s.log.exists():
                        tail = s.log_text()[-1500:]
                        print("# --- %s log tail ---" % s.name)
                        for line in tail.splitlines():
                            print("#   " + line)
            env.close()
        # Again at the very end, where a CI page that shows only a log's
        # tail still has it (the servers' log tails above push the
        # failing test's own diagnostic out of it).
        for n, desc, why in self.failures:
            print("# failed %d - %s: %s" % (n, desc, why[:300]))
        print("1..%d" % self.n, flush=True)


def main(suite):
    sys.exit(suite.run())


# ------------------------------------------------------- scenario helpers

def run_and_wait(coord, program, policy=None, timeout=None):
    """match.run on ``coord``'s connection and wait for its run.done.
    Returns (run_id, run.done params, [run.progress params])."""
    run_id = coord.match_run(program, policy)["run_id"]
    deadline = time.monotonic() + (timeout or 20 * SLOW)
    progress = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no run.done for run %s" % run_id)
        n = coord.next_notification(timeout=left)
        if n.method == "run.progress" and n.params.get("run_id") == run_id:
            progress.append(n.params)
        elif n.method == "run.done" and n.params.get("run_id") == run_id:
            return run_id, n.params, progress
        else:
            coord.other_notifications = getattr(coord, "other_notifications", []) + [n]


def run_matches(coord, run_id):
    """Every match of a run (following cursors)."""
    return list(coord.iterate(coord.match_list, run_id=run_id))


def find_match(items, mentee_id, coach_id=None):
    for m in items:
        if m["mentee_id"] == mentee_id and (coach_id is None or m["coach_id"] == coach_id):
            return m
    return None


def review_outcome(result, match_id):
    """The outcome for one match id in a match.review result: the string
    "ok"/the new status, or the error code of that item."""
    items = result.get("results")
    assert isinstance(items, list), "match.review result without results list: %r" % (result,)
    for it in items:
        if isinstance(it, dict) and it.get("id", it.get("match_id")) == match_id:
            err = it.get("error")
            if err:
                return err.get("code") if isinstance(err, dict) else err
            if it.get("code") and it.get("code") != "ok":
                return it["code"]
            return it.get("status", "ok")
    raise AssertionError("no result for match %s in %r" % (match_id, result))


def review_one(coord, match_id, decision="approve", note=None):
    """Review one match; return the status ("approved"/"rejected") or the
    error code (from the item, or from a whole-request error)."""
    try:
        r = coord.match_review([match_id], decision, note)
    except CoachnetError as e:
        return e.code
    return review_outcome(r, match_id)


# ----------------------------------------------- the scoring rule (DESIGN 5)

def expected_explain(mentee, coach, weights=(0.75, 0.15, 0.10), comp_weights=None):
    """Score and breakdown of a pair by the formula of DESIGN section 5
    (independent of the server's matcher), in exact rational arithmetic with
    round-half-up: returns dict(score, gap_coverage, location, availability,
    competencies={code: (gap, coach_level, covered)})."""
    F = fractions.Fraction
    comp_weights = comp_weights or {}
    levels = {c["code"]: c["level"] for c in coach["competencies"]}
    num = den = F(0)
    comps = {}
    for c in mentee["competencies"]:
        g = max(0, c["required"] - c["current"])
        lvl = levels.get(c["code"], 0)
        cov = min(g, max(0, lvl - c["current"]))
        w = F(str(comp_weights.get(c["code"], 1)))
        num += w * cov
        den += w * g
        comps[c["code"]] = (g, lvl, cov)
    G = num / den if den > 0 else F(0)
    if mentee["province"] == coach["province"]:
        loc = F(1)
    elif PROVINCE_REGION[mentee["province"]] == PROVINCE_REGION[coach["province"]]:
        loc = F(1, 2)
    else:
        loc = F(0)
    ma = mentee.get("availability", 0) or ALL_SLOTS
    ca = coach.get("availability", 0) or ALL_SLOTS
    avail = min(F(1), F(bin(ma & ca).count("1"), 3))
    wg, wl, wa = (F(str(w)) for w in weights)
    x = 10000 * (wg * G + wl * loc + wa * avail) / (wg + wl + wa)
    return {"score": int(math.floor(x + F(1, 2))), "gap_coverage": float(G), "location": float(loc),
            "availability": float(avail), "competencies": comps}


# ------------------------------------------- store invariants (docs/operations.md)

LIVE = ("requested", "approved", "accepted", "active")


def scan_keys(redis, pattern="*"):
    """Every key matching pattern (SCAN, so a large keyspace does not block Redis)."""
    keys, cursor = [], b"0"
    while True:
        cursor, batch = redis.cmd("SCAN", cursor, "MATCH", pattern, "COUNT", 1000)
        keys += batch
        if cursor == b"0":
            return keys


def check_store_invariants(redis, prefix="cn:"):
    """Cross-check the match hashes against the seat counters and the
    mentees' live-match pointers (key schema of docs/operations.md):
    load:<coach> == number of live matches of the coach <= its capacity
    (unless the capacity was lowered later), and each mentee has at most one
    live match, the one mentee:<id> points to.  Returns a list of problems."""
    def scan(pattern):
        return scan_keys(redis, pattern)
    live_by_coach, live_by_mentee = {}, {}
    for k in scan(prefix + "match:*"):
        h = redis.cmd("HGETALL", k)
        m = {h[i].decode(): h[i + 1].decode(errors="replace") for i in range(0, len(h), 2)}
        if m.get("status") in LIVE:
            live_by_coach.setdefault(m["coach_id"], []).append(m["id"])
            live_by_mentee.setdefault(m["mentee_id"], []).append(m["id"])
    problems = []
    coaches = {k.decode()[len(prefix) + len("coach:"):] for k in scan(prefix + "coach:*")}
    for cid in coaches:
        load = int(redis.cmd("GET", prefix + "load:" + cid) or 0)
        n = len(live_by_coach.get(cid, []))
        if load != n:
            problems.append("coach %s: load %d but %d live matches %s" % (
                cid, load, n, live_by_coach.get(cid, [])))
    for mid, ids in live_by_mentee.items():
        if len(ids) > 1:
            problems.append("mentee %s has %d live matches %s" % (mid, len(ids), ids))
        ptr = redis.cmd("HGET", prefix + "mentee:" + mid, "match")
        if ptr is None or ptr.decode() != ids[0]:
            problems.append("mentee %s points to match %r, live one is %s" % (mid, ptr, ids))
    return problems
