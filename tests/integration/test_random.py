#!/usr/bin/python3
"""A seeded random walk through the whole API: several programs, mentees,
coaches and their users issue a long mix of valid and invalid calls
(profiles, runs, reviews, requests, responses, meetings, feedback,
cancellations), pipelined from several connections.  Every answer must be a
result or one of DESIGN section 2's error codes; at the end the server is
alive, the store invariants hold (seats == live matches, one live match per
mentee) and, under ASan, nothing was reported.  COACHNET_SEED picks the seed
(default fixed), COACHNET_STEPS the length."""

import os
import random
import time

from harness import (Suite, main, CoachnetError, SLOW, run_and_wait, check_store_invariants,
                     wait_until, server_date)

suite = Suite("random")
t = suite.test

CODES = {"bad_request", "unknown_method", "invalid_params", "unauthenticated", "forbidden",
         "not_found", "conflict", "capacity_full", "rate_limited", "too_large", "unavailable"}
SEED = int(os.environ.get("COACHNET_SEED", "20260324"))
STEPS = int(os.environ.get("COACHNET_STEPS", "1500"))


class Walk:
    def __init__(self, s, rnd):
        self.s, self.rnd = s, rnd
        self.coords, self.progs = [], []
        self.mentees, self.coaches = [], []      # (profile, client)
        self.matches = set()
        self.codes = {}
        self.errors = []
        self.outage = False                  # Redis down: `unavailable` is then expected
        for _ in range(2):
            c, p = s.coordinator()
            self.coords.append(c)
            self.progs.append(p)
        for _ in range(16):
            k = rnd.randrange(2)
            m = s.gen.mentee(self.progs[k], province=rnd.choice(["31", "32", "73", "94"]),
                             position_class=rnd.choice(["pelaksana", "administrator", "ahli_muda"]))
            self.coords[k].mentee_put(m)
            self.mentees.append((m, s.subject_user(self.coords[k], "mentee", m["id"])))
        self.both, _ = s.coordinator(list(self.progs))
        for _ in range(6):
            k = rnd.randrange(3)
            progs = [self.progs[k]] if k < 2 else list(self.progs)
            c = s.gen.coach(progs, capacity=rnd.randint(0, 3), province=rnd.choice(["31", "35", "94"]),
                            rank=rnd.choice([4, 5, 6]))
            # k == 2: both programs, put by a coordinator of both (one of a
            # single program may not add a coach to the other)
            (self.both if k == 2 else self.coords[k]).coach_put(c)
            self.coaches.append((c, s.subject_user(self.coords[k % 2], "coach", c["id"])))
        self.by_id = {p["id"]: u for p, u in self.mentees + self.coaches}
        self.sides = {}                      # match id -> (mentee client, coach client)

    def track(self, match):
        self.matches.add(match["id"])
        self.sides[match["id"]] = (self.by_id[match["mentee_id"]], self.by_id[match["coach_id"]])

    def side(self, mid, fallback):
        """Mostly a side of the match, sometimes anybody."""
        if mid in self.sides and self.rnd.random() < 0.85:
            return self.rnd.choice(self.sides[mid])
        return fallback

    def note(self, what, fn):
        try:
            r = fn()
            self.codes["ok"] = self.codes.get("ok", 0) + 1
            return r
        except CoachnetError as e:
            self.codes[e.code] = self.codes.get(e.code, 0) + 1
            if e.code not in CODES or (e.code == "unavailable" and not self.outage):
                self.errors.append("%s -> %s" % (what, e))
        except Exception as e:               # e.g. run.done not arriving during an outage
            if not self.outage:
                self.errors.append("%s -> %r" % (what, e))
        return None

    def step(self):
        rnd = self.rnd
        op = rnd.choice(["run", "review", "respond", "request", "meeting", "feedback", "put",
                         "suggest", "mine", "junk", "pipeline", "list"])
        k = rnd.randrange(2)
        coord, prog = self.coords[k], self.progs[k]
        m, mu = rnd.choice(self.mentees)
        c, cu = rnd.choice(self.coaches)
        mid = rnd.choice(sorted(self.matches)) if self.matches and rnd.random() < 0.9 else "m%d" % rnd.randint(1, 999)
        if op == "run":
            r = self.note("run", lambda: run_and_wait(coord, prog, policy=rnd.choice(
                [None, {"objective": "quality"}, {"mode": "stable"}, {"min_score": 5000}])))
            if r:
                for it in coord.iterate(coord.match_list, run_id=r[0]):
                    self.track(it)
        elif op == "review":
            self.note("review", lambda: coord.match_review(
                [mid], rnd.choice(["approve", "approve", "reject", "cancel", "complete"])))
        elif op == "respond":
            who = self.side(mid, rnd.choice([mu, cu]))
            self.note("respond", lambda: who.match_respond(mid, rnd.random() < 0.7))
        elif op == "request":
            r = self.note("request", lambda: mu.match_request(c["id"]))
            if r:
                self.track(r["match"])
        elif op == "meeting":
            who = self.side(mid, rnd.choice([mu, cu]))
            self.note("meeting", lambda: who.meeting_log(mid, server_date(-rnd.randint(0, 2)),
                                                         rnd.randint(1, 180)))
        elif op == "feedback":
            who = self.side(mid, rnd.choice([mu, cu]))
            self.note("feedback", lambda: who.feedback_put(mid, rnd.randint(1, 5)))
        elif op == "put":
            if rnd.random() < 0.5:
                m2 = dict(m, goals="g%d" % rnd.randint(0, 9))
                self.note("mentee.put", lambda: mu.mentee_put(m2))
            else:
                c2 = dict(c, capacity=rnd.randint(0, 3))
                self.note("coach.put", lambda: cu.coach_put(c2))
        elif op == "suggest":
            self.note("suggest", lambda: mu.match_suggest(m["id"], limit=rnd.randint(1, 20)))
        elif op == "mine":
            for it in (self.note("mine", lambda: rnd.choice([mu, cu]).match_mine()) or {}).get("items", []):
                self.track(it)
        elif op == "list":
            self.note("list", lambda: coord.match_list(program=prog, status=rnd.choice(
                [None, "approved", "accepted", "active"]), limit=rnd.randint(1, 50)))
        elif op == "junk":
            method = rnd.choice(["match.review", "match.respond", "meeting.log", "mentee.put",
                                 "match.run", "no.such"])
            params = rnd.choice([{}, {"match_id": 5}, {"profile": {"id": "x"}}, {"program": ""},
                                 {"match_ids": ["a"] * 200, "decision": "approve"}, {"bogus": True}])
            self.note("junk " + method, lambda: rnd.choice([coord, mu, cu]).call(method, params))
        elif op == "pipeline":
            calls = [("match.mine", {}), ("match.respond", {"match_id": mid, "accept": True}),
                     ("meeting.log", {"match_id": mid, "date": server_date(), "minutes": 30}),
                     ("feedback.put", {"match_id": mid, "rating": 3})]
            for r in mu.pipeline(calls):
                if isinstance(r, CoachnetError):
                    self.codes[r.code] = self.codes.get(r.code, 0) + 1
                    if r.code not in CODES or (r.code == "unavailable" and not self.outage):
                        self.errors.append("pipeline -> %s" % r)

    def close(self):
        self.both.close()
        for c in self.coords:
            c.close()
        for _, u in self.mentees + self.coaches:
            u.close()


@t
def random_walk(s):
    """%d seeded random API steps from 2 coordinators, 16 mentees, 6 coaches: only contract error codes"""
    rnd = random.Random(SEED)
    w = Walk(s, rnd)
    try:
        for _ in range(STEPS):
            w.step()
        print("#   seed %d: outcomes %s" % (SEED, dict(sorted(w.codes.items()))))
        assert not w.errors, "\n".join(w.errors[:20])
        assert w.codes.get("ok", 0) > STEPS // 5, w.codes
    finally:
        w.close()


random_walk.__doc__ = random_walk.__doc__ % STEPS


@t
def random_walk_through_redis_restart(s):
    """a random walk with Redis stopped and restarted in the middle: unavailable only while it is down, then all fine"""
    rnd = random.Random(SEED + 1)
    w = Walk(s, rnd)
    try:
        for _ in range(STEPS // 3):
            w.step()
        w.outage = True
        s.env.redis.stop()
        for _ in range(30):
            w.step()
        s.env.redis.start()
        wait_until(lambda: w.note("probe", lambda: w.coords[0].mentee_list(program=w.progs[0], limit=1)),
                   15 * SLOW, interval=0.2, what="requests to succeed after the Redis restart")
        time.sleep(0.2)
        w.outage = False
        for c in w.coords:
            c.drain(0.1)                     # a run.done of the outage may still arrive
            c.notifications.clear()
        for _ in range(STEPS // 3):
            w.step()
        assert not w.errors, "\n".join(w.errors[:20])
    finally:
        w.close()


@t
def invariants_after_walk(s):
    """after the walk: seats == live matches for every coach, one live match per mentee"""
    problems = check_store_invariants(s.env.redis)
    assert not problems, "\n".join(problems[:20])
    assert s.srv.alive()


if __name__ == "__main__":
    main(suite)
