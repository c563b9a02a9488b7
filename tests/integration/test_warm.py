#!/usr/bin/python3
"""Warm starts of match runs (issue 16; docs/design.md "Warm starts"): an
optimal run of a program starts from what the program's last run on the
same coachnetd left (server/warmcache.c), says so in stats.warm and
stats.warm_mentees, and reaches the result of a cold run of the same data
(a second coachnetd on the same Redis with run-warm-max-mb 0, and this one
after a restart); a scoring-policy change runs cold; a stable run neither
uses nor replaces the state; run-warm-max-mb 0 never runs warm; a
homogeneous pool is solved by coach class (stats.coach_classes) and keeps
no state."""

import http.client
import random
import ssl

from harness import Suite, main, MANAGERIAL, SLOW, run_matches

suite = Suite("warm")
t = suite.test

N_MENTEES = 200
N_COACHES = 40
PROVINCES = ["31", "32", "33", "35", "51"]


def program_data(s, coord, prog, n_mentees=N_MENTEES, n_coaches=N_COACHES):
    """n_mentees mentees and n_coaches coaches of varied competencies,
    levels, provinces and capacities (less total capacity than mentees, so
    the optimum is a real choice); returns (mentees, coaches)."""
    rnd = random.Random(prog)
    ms = [s.gen.mentee(prog, province=rnd.choice(PROVINCES)) for _ in range(n_mentees)]
    cs = []
    for _ in range(n_coaches):
        cs.append(s.gen.coach([prog], province=rnd.choice(PROVINCES), capacity=rnd.randint(1, 7),
                              comps=rnd.sample(MANAGERIAL, rnd.randint(2, 6)), level=rnd.randint(3, 5)))
    for m in ms:
        coord.mentee_put(m)
    for c in cs:
        coord.coach_put(c)
    return ms, cs


def draft(coord, prog, policy=None):
    """A draft run (waitlists stay as they are, so every run of a test
    solves the same waitlist bonuses) to its run.done; its stats."""
    run_id = coord.match_run(prog, policy, draft=True)["run_id"]
    n = coord.next_notification(timeout=60 * SLOW, method="run.done")
    assert n.params["run_id"] == run_id and n.params["status"] == "done", n.params
    stats = n.params["stats"]
    assert stats["certified"] is True, stats
    assert coord.run_get(run_id)["run"]["stats"] == stats  # the record says the same
    return stats


def result(stats):
    """What must not depend on a warm start: the optimum's figures."""
    return (stats["mentees"], stats["coaches"], stats["matched"], stats["total_score"], stats["unmatched"])


def warm_runs_metric(srv, s):
    """coachnet_runs_warm_total of one coachnetd, from /metrics."""
    ctx = ssl.create_default_context(cafile=str(s.env.certs.ca))
    conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=10 * SLOW)
    try:
        conn.request("GET", "/metrics")
        body = conn.getresponse().read().decode()
    finally:
        conn.close()
    for line in body.splitlines():
        if line.startswith("coachnet_runs_warm_total "):
            return int(float(line.split()[1]))
    raise AssertionError("no coachnet_runs_warm_total in /metrics")


def change_one_each(coord, ms, cs):
    """One mentee's competency levels and one coach's capacity and level."""
    m = dict(ms[7])
    m["competencies"] = [dict(c, current=0) for c in m["competencies"]]
    coord.mentee_put(m)
    ms[7] = m
    c = dict(cs[3])
    c["capacity"] = c["capacity"] % 7 + 1
    c["competencies"] = [dict(x, level=5) for x in c["competencies"]]
    coord.coach_put(c)
    cs[3] = c


@t
def rerun_after_a_change_is_warm_and_exact(s):
    """200 x 40: a first run cold, a re-run after one mentee and one coach changed warm (most mentees reused), with the result of a cold run on a coachnetd with run-warm-max-mb 0, which never runs warm"""
    coord, prog = s.coordinator()
    metric0 = warm_runs_metric(s.srv, s)
    with coord:
        ms, cs = program_data(s, coord, prog)
        first = draft(coord, prog)
        assert first["warm"] is False and first["warm_mentees"] == 0, first
        change_one_each(coord, ms, cs)
        second = draft(coord, prog)
        assert second["warm"] is True, second
        assert N_MENTEES - 2 <= second["warm_mentees"] <= N_MENTEES, second
        assert warm_runs_metric(s.srv, s) == metric0 + 1
    cold_srv = s.env.add_server(name="coachnetd-cold", run_warm_max_mb=0)
    try:
        login = s.uniq("coordcold")
        s.admin().user_create(login, s.PASSWORD, "coordinator", programs=[prog])
        with cold_srv.login(login, s.PASSWORD) as cold:
            cold_stats = draft(cold, prog)
            assert cold_stats["warm"] is False and cold_stats["warm_mentees"] == 0, cold_stats
            assert result(cold_stats) == result(second), (cold_stats, second)
            again = draft(cold, prog)  # nothing kept: cold again
            assert again["warm"] is False, again
            assert result(again) == result(second), (again, second)
        assert warm_runs_metric(cold_srv, s) == 0
    finally:
        cold_srv.stop()  # its exit status and log are checked by the suite's last test


@t
def scoring_policy_change_runs_cold(s):
    """a changed min_score runs cold (same result as the policy's cold run); then the same policy again runs warm; a changed objective stays warm"""
    coord, prog = s.coordinator()
    with coord:
        program_data(s, coord, prog, 80, 16)
        assert draft(coord, prog)["warm"] is False
        assert draft(coord, prog)["warm"] is True
        policy = {"min_score": 6000}
        changed = draft(coord, prog, policy)
        assert changed["warm"] is False and changed["warm_mentees"] == 0, changed
        warm = draft(coord, prog, policy)  # from the min_score run's state
        assert warm["warm"] is True and warm["warm_mentees"] == 80, warm
        assert result(warm) == result(changed), (warm, changed)
        quality = draft(coord, prog, dict(policy, objective="quality"))  # weights change, scores do not
        assert quality["warm"] is True, quality


@t
def stable_run_leaves_the_state_alone(s):
    """a stable-mode run is never warm and does not replace the program's state: the next optimal run is warm"""
    coord, prog = s.coordinator()
    with coord:
        program_data(s, coord, prog, 60, 12)
        optimal = draft(coord, prog)
        stable = draft(coord, prog, {"mode": "stable"})
        assert stable["warm"] is False and stable["warm_mentees"] == 0, stable
        again = draft(coord, prog)
        assert again["warm"] is True and again["warm_mentees"] == 60, again
        assert result(again) == result(optimal), (again, optimal)


@t
def homogeneous_pool_runs_by_class(s):
    """16 coaches of two profiles (one per province, alike in all else), 3 seats each, and 40 mentees: the engine solves 2 coach classes (stats.coach_classes), every mentee matched, no coach over its seats, equal coaches within one mentee of each other; such a run keeps no state, so the re-run is cold again (coachnet_runs_warm_total unchanged) with the same result"""
    coord, prog = s.coordinator()
    metric0 = warm_runs_metric(s.srv, s)
    with coord:
        by_prov = {"31": [], "32": []}
        for i in range(16):
            c = s.gen.coach([prog], province="31" if i % 2 else "32", capacity=3)
            coord.coach_put(c)
            by_prov[c["province"]].append(c["id"])
        for i in range(40):
            coord.mentee_put(s.gen.mentee(prog, province="31" if i % 3 else "32"))
        runs = []
        for _ in range(2):
            run_id = coord.match_run(prog, None, draft=True)["run_id"]
            n = coord.next_notification(timeout=60 * SLOW, method="run.done")
            assert n.params["run_id"] == run_id and n.params["status"] == "done", n.params
            stats = n.params["stats"]
            assert stats["certified"] is True and stats["coach_classes"] == 2, stats
            assert stats["warm"] is False and stats["warm_mentees"] == 0, stats
            assert stats["matched"] == 40, stats
            assert coord.run_get(run_id)["run"]["stats"] == stats
            load = {}
            for m in run_matches(coord, run_id):
                load[m["coach_id"]] = load.get(m["coach_id"], 0) + 1
            assert len(load) == 16 and max(load.values()) <= 3, load
            for ids in by_prov.values():  # dealt round robin within a class
                got = [load[i] for i in ids]
                assert max(got) - min(got) <= 1, (got, load)
            runs.append((result(stats), sorted(load.values())))
        assert runs[0] == runs[1], runs
    assert warm_runs_metric(s.srv, s) == metric0


@t
def restart_starts_cold(s):
    """the cache is this process's memory: after a restart the program's run is cold, with the same result"""
    coord, prog = s.coordinator()
    with coord:
        program_data(s, coord, prog, 60, 12)
        draft(coord, prog)
        before = draft(coord, prog)
        assert before["warm"] is True, before
    s.srv.restart()
    s._admin = None
    login = s.uniq("coordr")
    s.admin().user_create(login, s.PASSWORD, "coordinator", programs=[prog])
    with s.srv.login(login, s.PASSWORD) as coord:
        after = draft(coord, prog)
        assert after["warm"] is False, after
        assert result(after) == result(before), (after, before)


if __name__ == "__main__":
    main(suite)
