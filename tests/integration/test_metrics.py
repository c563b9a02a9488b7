#!/usr/bin/python3
"""/metrics (DESIGN sections 11 and 12, issue 14; docs/operations.md
"Metrics"): coachnetd's Prometheus text exposition on its TLS listener,
scraped over HTTPS without a session and parsed by a real Prometheus text
parser (Debian's python3-prometheus-client).  Around a small load (calls
that succeed, calls that fail with known codes, one match run, new binary
and WebSocket connections, a failed TLS handshake) the counters, gauges and
histogram counts move by exactly the right amounts."""

import http.client
import socket
import ssl
import time

import websocket
from prometheus_client.parser import text_string_to_metric_families

from harness import Suite, main, SLOW, expect_error, run_and_wait, wait_until

suite = Suite("metrics")
t = suite.test

FAMILIES = {
    "coachnet_requests": "counter",
    "coachnet_request_duration_seconds": "histogram",
    "coachnet_connections": "gauge",
    "coachnet_tls_handshakes": "counter",
    "coachnet_tls_handshakes_failed": "counter",
    "coachnet_redis_link_up": "gauge",
    "coachnet_redis_command_duration_seconds": "histogram",
    "coachnet_runs_started": "counter",
    "coachnet_runs_warm": "counter",
    "coachnet_runs_finished": "counter",
    "coachnet_run_duration_seconds": "histogram",
    "coachnet_password_hash_queue_depth": "gauge",
}


def ctx(s):
    return ssl.create_default_context(cafile=str(s.env.certs.ca))


def https(s, path, method="GET"):
    """One HTTPS request on a fresh connection: (status, headers, body)."""
    conn = http.client.HTTPSConnection("127.0.0.1", s.srv.port, context=ctx(s), timeout=10 * SLOW)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


class Scrape:
    """One parsed scrape: the families' types and every sample's value."""

    def __init__(self, text):
        self.types = {}
        self.samples = {}
        self.hists = {}  # (family, labels without le) -> {"buckets": [(le, v)], "sum", "count"}
        for fam in text_string_to_metric_families(text):
            self.types[fam.name] = fam.type
            for smp in fam.samples:
                labels = dict(smp.labels)
                self.samples[(smp.name, frozenset(labels.items()))] = smp.value
                if fam.type != "histogram":
                    continue
                le = labels.pop("le", None)
                h = self.hists.setdefault((fam.name, frozenset(labels.items())), {"buckets": []})
                if smp.name.endswith("_bucket"):
                    h["buckets"].append((float(le), smp.value))
                elif smp.name.endswith("_sum"):
                    h["sum"] = smp.value
                elif smp.name.endswith("_count"):
                    h["count"] = smp.value

    def get(self, name, **labels):
        """A sample's value; 0 when absent (a pair never seen is not rendered)."""
        return self.samples.get((name, frozenset(labels.items())), 0)

    def count(self, family, **labels):
        h = self.hists.get((family, frozenset(labels.items())))
        return h["count"] if h else 0


def scrape(s):
    st, h, body = https(s, "/metrics")
    assert st == 200, (st, body[:200])
    return Scrape(body.decode("utf-8"))


def check_histograms(sc):
    """Every histogram: buckets ascending and cumulative, +Inf == _count,
    _sum present (and not negative)."""
    assert sc.hists, "no histogram"
    for key, h in sc.hists.items():
        les = [le for le, _ in h["buckets"]]
        assert les == sorted(les) and les[-1] == float("inf"), (key, les)
        vals = [v for _, v in h["buckets"]]
        assert all(a <= b for a, b in zip(vals, vals[1:])), (key, vals)
        assert vals[-1] == h["count"], (key, vals[-1], h["count"])
        assert h["sum"] >= 0, key


@t
def format_no_session_not_cached(s):
    """/metrics answers without a session, text format 0.0.4, never cached, every family with its type"""
    st, h, body = https(s, "/metrics")
    assert st == 200, st
    assert h["content-type"] == "text/plain; version=0.0.4; charset=utf-8", h
    assert h["cache-control"] == "no-store", h
    assert "etag" not in h and "last-modified" not in h, h
    sc = Scrape(body.decode("utf-8"))
    for name, typ in FAMILIES.items():
        assert sc.types.get(name) == typ, (name, sc.types.get(name))
    assert sc.get("coachnet_redis_link_up", link="command") == 1
    wait_until(lambda: scrape(s).get("coachnet_redis_link_up", link="pubsub") == 1, 10 * SLOW, what="pub/sub up")
    assert sc.get("coachnet_password_hash_queue_depth") == 0
    check_histograms(sc)
    # HEAD: the same headers, no body
    st, h2, body2 = https(s, "/metrics", method="HEAD")
    assert st == 200 and body2 == b"" and h2["cache-control"] == "no-store", (st, h2)


@t
def counters_move_under_load(s):
    """N mentee.get, M not_found, K unknown methods, an unauthenticated call and one match.run move the counters and histogram counts exactly"""
    coord, prog = s.coordinator()
    ms = [s.gen.mentee(prog) for _ in range(3)]
    for m in ms:
        coord.mentee_put(m)
    coord.coach_put(s.gen.coach([prog], capacity=2))
    other = s.srv.client()  # connected now: its handshake is before the first scrape
    N, M, K = 7, 3, 2
    b = scrape(s)
    for i in range(N):
        coord.mentee_get(ms[i % len(ms)]["id"])
    for i in range(M):
        expect_error("not_found", coord.mentee_get, "no-such-mentee-%d" % i)
    for i in range(K):
        expect_error("unknown_method", coord.call, "no.such_method", {})
    expect_error("unauthenticated", other.mentee_get, ms[0]["id"])
    run_id, done, _ = run_and_wait(coord, prog)
    assert done["status"] == "done", done
    a = scrape(s)
    other.close()

    def d(name, **labels):
        return a.get(name, **labels) - b.get(name, **labels)

    assert d("coachnet_requests_total", method="mentee.get", code="ok") == N
    assert d("coachnet_requests_total", method="mentee.get", code="not_found") == M
    assert d("coachnet_requests_total", method="unknown", code="unknown_method") == K
    assert d("coachnet_requests_total", method="mentee.get", code="unauthenticated") == 1
    assert d("coachnet_requests_total", method="match.run", code="ok") == 1
    # nothing else was called between the scrapes
    total = sum(v for (n, _), v in a.samples.items() if n == "coachnet_requests_total") - \
        sum(v for (n, _), v in b.samples.items() if n == "coachnet_requests_total")
    assert total == N + M + K + 1 + 1, total
    lat = "coachnet_request_duration_seconds"
    assert a.count(lat, method="mentee.get") - b.count(lat, method="mentee.get") == N + M + 1
    assert a.count(lat, method="unknown") - b.count(lat, method="unknown") == K
    assert a.count(lat, method="match.run") - b.count(lat, method="match.run") == 1
    assert a.hists[(lat, frozenset({("method", "mentee.get")}))]["sum"] > 0
    # the run: started and finished once, its duration counted
    assert d("coachnet_runs_started_total") == 1
    assert d("coachnet_runs_finished_total", status="done") == 1
    assert d("coachnet_runs_finished_total", status="failed") == 0
    assert a.count("coachnet_run_duration_seconds") - b.count("coachnet_run_duration_seconds") == 1
    # every mentee.get and the run read Redis: at least that many commands
    rc = "coachnet_redis_command_duration_seconds"
    assert a.count(rc) - b.count(rc) >= N + M, (a.count(rc), b.count(rc))
    # one TLS connection was made between the scrapes: the second scrape's
    assert d("coachnet_tls_handshakes_total") == 1
    assert d("coachnet_tls_handshakes_failed_total") == 0
    check_histograms(a)


def conns(sc, transport, state="open"):
    return sc.get("coachnet_connections", transport=transport, state=state)


@t
def connection_gauges(s):
    """connections by transport and state: 3 binary, 1 WebSocket and 1 silent (pending) more while open, back when closed"""
    b = scrape(s)
    assert conns(b, "http") >= 1  # the scrape itself
    clients = [s.srv.client() for _ in range(4)]
    for c in clients[:3]:
        c.call("server.info")  # a first frame: the binary protocol (before it, "pending")
    ws = websocket.create_connection("wss://127.0.0.1:%d/rpc" % s.srv.port,
                                     sslopt={"ca_certs": str(s.env.certs.ca)}, subprotocols=["coachnet.v1"],
                                     origin="https://127.0.0.1:%d" % s.srv.port, timeout=10 * SLOW)
    try:
        a = scrape(s)
        assert conns(a, "binary") - conns(b, "binary") == 3, (conns(a, "binary"), conns(b, "binary"))
        assert conns(a, "websocket") - conns(b, "websocket") == 1
        assert conns(a, "pending") - conns(b, "pending") == 1  # TLS done, no byte yet
        assert conns(a, "http") == conns(b, "http")
    finally:
        for c in clients:
            c.close()
        ws.close()
    def back():
        c = scrape(s)
        return all(conns(c, tr) == conns(b, tr) for tr in ("binary", "websocket", "pending"))

    wait_until(back, 10 * SLOW, what="gauges back")


@t
def failed_handshake_counted(s):
    """a TLS handshake that fails (plain bytes on the TLS port) is counted as failed"""
    b = scrape(s)
    sock = socket.create_connection(("127.0.0.1", s.srv.port), 5)
    sock.sendall(b"\x16\x03\x01\x00\x05hello")  # a TLS record header, then no ClientHello
    sock.settimeout(10 * SLOW)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass
    sock.close()

    def moved():
        a = scrape(s)
        return a.get("coachnet_tls_handshakes_failed_total") - b.get("coachnet_tls_handshakes_failed_total") == 1

    wait_until(moved, 10 * SLOW, what="failed handshake counted")
    a = scrape(s)
    # the failed one and this scrape's (and the probes' of moved()) ended handshakes
    assert a.get("coachnet_tls_handshakes_total") - b.get("coachnet_tls_handshakes_total") >= 2
    assert conns(a, "pending", "handshake") == 0


STATUSES = ("proposed", "requested", "approved", "accepted", "active", "completed", "rejected", "declined",
            "cancelled")


def statuses_in_redis(s):
    """Matches by status, counted here from every match:<id> hash."""
    r, got, cursor = s.env.redis, {}, "0"
    while True:
        cursor, keys = r.cmd("SCAN", cursor, "MATCH", "cn:match:*", "COUNT", "1000")
        cursor = cursor.decode() if isinstance(cursor, bytes) else cursor
        for k in keys:
            st = r.cmd("HGET", k, "status")
            st = st.decode() if isinstance(st, bytes) else st
            got[st] = got.get(st, 0) + 1
        if cursor == "0":
            return got


@t
def matches_and_outbox_sampled_from_redis(s):
    """coachnet_matches{status} and coachnet_mail_outbox_depth follow Redis within MXPOLL_INTERVAL_MS (5 s)"""
    coord, prog = s.coordinator()
    with coord:
        for _ in range(6):
            coord.mentee_put(s.gen.mentee(prog))
        coord.coach_put(s.gen.coach([prog], capacity=3))
        run_id, _, _ = run_and_wait(coord, prog)
        ids = [m["id"] for m in coord.match_list(run_id=run_id)["items"]]
        assert len(ids) == 3, ids
        coord.match_review(ids[:2], "approve")
        coord.match_review(ids[2:], "reject")
        want = statuses_in_redis(s)
        assert want.get("approved", 0) >= 2 and want.get("rejected", 0) >= 1, want

        def sampled():
            sc = scrape(s)
            got = {st: int(sc.get("coachnet_matches", status=st)) for st in STATUSES}
            depth = int(s.env.redis.cmd("XLEN", "cn:outbox"))
            return ({k: v for k, v in got.items() if v} == want and
                    int(sc.get("coachnet_mail_outbox_depth")) == depth and depth > 0)
        wait_until(sampled, 15 * SLOW, interval=0.5, what="/metrics to show the matches and outbox of Redis")
        sc = scrape(s)
        assert sc.types["coachnet_matches"] == "gauge" and sc.types["coachnet_mail_outbox_depth"] == "gauge"


@t
def redis_links_follow_redis(s):
    """with Redis stopped both link gauges go to 0 and a call counts as unavailable; both back to 1 after"""
    coord, prog = s.coordinator()
    m = s.gen.mentee(prog)
    coord.mentee_put(m)
    b = scrape(s)
    s.env.redis.stop()
    try:
        def down():
            a = scrape(s)
            return (a.get("coachnet_redis_link_up", link="command"), a.get("coachnet_redis_link_up", link="pubsub")) == (0, 0)

        wait_until(down, 10 * SLOW, what="both links down")
        expect_error("unavailable", coord.mentee_get, m["id"])
        a = scrape(s)
        assert a.get("coachnet_requests_total", method="mentee.get", code="unavailable") - \
            b.get("coachnet_requests_total", method="mentee.get", code="unavailable") == 1
    finally:
        s.env.redis.start()

    def up():
        a = scrape(s)
        return (a.get("coachnet_redis_link_up", link="command"), a.get("coachnet_redis_link_up", link="pubsub")) == (1, 1)

    wait_until(up, 20 * SLOW, what="both links up again")
    coord.close()


if __name__ == "__main__":
    main(suite)
