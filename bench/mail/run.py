#!/usr/bin/python3
"""bench/mail: N approvals (default 10,000) -> every email delivered to a
local SMTP server (bench/mail/README.md).

Starts, through tests/integration/harness.py in a temporary directory, a
redis-server (AOF, appendfsync always), coachnetd, a counting SMTP server
(python3-aiosmtpd, in this process) and coachnet-mailer.  Loads one program
with N mentees and N/50 coaches (capacity 50, every profile with an email),
runs match.run (N proposals), then approves them all with match.review in
batches of 100 while the mailer delivers, and prints:

  approvals   wall time and rate of the match.review calls (the outbox is
              written by the same script: one XADD per approval)
  mail        time from the first approval to the last of the 2N messages
              (mentee and coach of each match) and its rate
  redis       EVALSHA and XADD calls and usec_per_call from INFO
              commandstats over the approval phase: what the outbox adds
              to the approval script

Usage: bench/mail/run.py [--mentees N]   (B selects the build, default build/rel)
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
import harness  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

MAILER = harness.BUILD / "mailer" / "coachnet-mailer"
CAPACITY = 50
BATCH = 100


class Counter:
    def __init__(self):
        self.n = 0
        self.ids = set()
        self.last = 0.0
        self.peers = set()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        mid = b""
        for line in envelope.content.split(b"\r\n", 40):
            if line.lower().startswith(b"message-id:"):
                mid = line
                break
        with self.lock:
            self.n += 1
            self.ids.add(mid)
            self.peers.add(session.peer)
            self.last = time.monotonic()
        return "250 OK"


def cmdstats(redis):
    out = {}
    for line in redis.cmd("INFO", "commandstats").decode().splitlines():
        if line.startswith("cmdstat_"):
            name, rest = line[8:].split(":", 1)
            kv = dict(x.split("=") for x in rest.split(","))
            out[name] = (int(kv["calls"]), float(kv["usec"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mentees", type=int, default=10000)
    a = ap.parse_args()
    n = a.mentees
    smtp_port = harness.free_port()
    counter = Counter()
    ctl = Controller(counter, hostname="127.0.0.1", port=smtp_port)
    ctl.start()
    env = harness.Env("bench-mail")
    mailer = None
    try:
        srv = env.start(smtp_url="smtp://127.0.0.1:%d" % smtp_port, mail_from="coachnet@example.org",
                        mail_templates=str(harness.DATA / "mail"))
        gen = harness.Gen(seed=13)
        adm = srv.admin()
        prog = gen.program()
        adm.program_put(gen.program_object(prog))
        adm.user_create("benchcoord", "Bench-pa55word-1", "coordinator", programs=[prog])
        coord = srv.login("benchcoord", "Bench-pa55word-1")
        t0 = time.monotonic()
        for i in range(n):
            m = gen.mentee(prog)
            m["email"] = "m%d@example.org" % i
            coord.mentee_put(m)
        for i in range((n + CAPACITY - 1) // CAPACITY):
            c = gen.coach([prog], capacity=CAPACITY)
            c["email"] = "c%d@example.org" % i
            coord.coach_put(c)
        print("loaded %d mentees, %d coaches in %.1f s" % (n, (n + CAPACITY - 1) // CAPACITY, time.monotonic() - t0))
        run_id, done, _ = harness.run_and_wait(coord, prog, timeout=600)
        ids = [x["id"] for x in coord.iterate(coord.match_list, run_id=run_id)]
        print("run %s: %d proposals" % (run_id, len(ids)))
        log = open(env.dir / "mailer.log", "wb")
        mailer = subprocess.Popen([str(MAILER), "--config", str(srv.conf_path)], cwd=str(env.dir),
                                  stdout=log, stderr=subprocess.STDOUT)
        before = cmdstats(env.redis)
        cpu0 = os.times()
        t0 = time.monotonic()
        approved = 0
        for i in range(0, len(ids), BATCH):
            r = coord.match_review(ids[i:i + BATCH], "approve")
            approved += sum(1 for x in r["results"] if x.get("status") == "approved")
        t1 = time.monotonic()
        after = cmdstats(env.redis)
        want = 2 * approved
        while counter.n < want and time.monotonic() - t1 < 1800:
            time.sleep(0.2)
        t2 = counter.last
        outbox = env.redis.cmd("XLEN", "cn:outbox")
        dead = env.redis.cmd("XLEN", "cn:mail:dead")
        print("approvals: %d in %.2f s = %.0f /s (match.review, batches of %d)" % (
            approved, t1 - t0, approved / (t1 - t0), BATCH))
        print("mail: %d of %d messages delivered (%d distinct Message-IDs), last %.2f s after the first approval"
              " = %.0f messages/s; outbox left %d, dead letters %d" % (
                  counter.n, want, len(counter.ids), t2 - t0, counter.n / (t2 - t0), outbox, dead))
        for cmd in ("evalsha", "xadd"):
            c0, u0 = before.get(cmd, (0, 0.0))
            c1, u1 = after.get(cmd, (0, 0.0))
            if c1 > c0:
                print("redis %s during approvals: %d calls, %.2f usec/call" % (cmd, c1 - c0, (u1 - u0) / (c1 - c0)))
        cpu1 = os.times()
        print("SMTP connections used: %d" % len(counter.peers))
        print("this process (client + SMTP server) CPU: %.1f s" % (cpu1.user + cpu1.system - cpu0.user - cpu0.system))
        ok = counter.n == want and len(counter.ids) == want and outbox == 0 and dead == 0
        print("result: %s" % ("all delivered once" if ok else "NOT all delivered once"))
        return 0 if ok else 1
    finally:
        if mailer is not None:
            mailer.send_signal(signal.SIGTERM)
            mailer.wait(30)
            print((env.dir / "mailer.log").read_text().strip().splitlines()[-1])
        env.close()
        ctl.stop()


if __name__ == "__main__":
    sys.exit(main())
