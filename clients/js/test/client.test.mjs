// CoachnetClient over a fake transport: msgids, out-of-order answers,
// errors, timeouts, notifications, session, reconnect + resume, backoff.

import assert from "node:assert/strict";
import test from "node:test";

import { CoachnetClient, CoachnetError, MSGID_MAX, MemoryStorage, backoffDelay } from "../coachnet.mjs";
import { FakeTransport, tick, until } from "./helpers.mjs";

const TABLE = {
    "auth.login": { roles: ["anyone"], params: [
        { name: "login", type: "string", required: true, min_len: 1, max_len: 64 },
        { name: "password", type: "string", required: true, min_len: 1, max_len: 256 }] },
    "auth.resume": { roles: ["anyone"], params: [
        { name: "token", type: "string", required: true, min_len: 1, max_len: 64 }] },
    "auth.logout": { roles: ["any"], params: [] },
    "mentee.get": { roles: ["coordinator"], params: [
        { name: "id", type: "string", required: true, min_len: 1, max_len: 40, charset: "code" }] },
    "blob.put": { roles: ["any"], params: [{ name: "text", type: "string", max_len: 100000 }] },
};

const failure = (p) => p.then((r) => assert.fail(`expected an error, got ${JSON.stringify(r)}`), (e) => e);

function direct(opts = {}) {
    const t = new FakeTransport();
    const c = new CoachnetClient({ transport: t, methods: TABLE, storage: new MemoryStorage(), ...opts });
    return { t, c };
}

/** A client with a transport factory; `transports` lists what it opened,
 * `fail` makes the next n connects fail. */
function reconnecting(opts = {}) {
    const transports = [];
    const ctl = { fail: 0, attempts: [] };
    const c = new CoachnetClient({
        methods: TABLE,
        storage: new MemoryStorage(),
        backoff: { initial: 1, max: 8, factor: 2, jitter: 0 },
        connect: async () => {
            ctl.attempts.push(Date.now());
            if (ctl.fail > 0) {
                ctl.fail--;
                throw new Error("ECONNREFUSED");
            }
            const t = new FakeTransport();
            transports.push(t);
            return t;
        },
        ...opts,
    });
    return { c, transports, ctl };
}

test("call: sends [0, msgid, method, [params]] with msgpack str, resolves with the result", async () => {
    const { t, c } = direct();
    const p = c.menteeGet({ id: "m1" });
    assert.deepEqual(t.sent, [[0, 1, "mentee.get", [{ id: "m1" }]]]);
    // 0x94 array of 4, 0x00, 0x01, then the method as a fixstr (0xa0 | 10)
    assert.deepEqual([...t.raw[0].subarray(0, 4)], [0x94, 0x00, 0x01, 0xa0 | "mentee.get".length]);
    t.reply(1, { profile: { id: "m1" }, version: 3 });
    assert.deepEqual(await p, { profile: { id: "m1" }, version: 3 });
    assert.equal(c._pending.size, 0);
});

test("pipelining: calls go out at once; answers in any order reach their own calls", async () => {
    const { t, c } = direct();
    const ps = Array.from({ length: 10 }, (_, i) => c.menteeGet({ id: `m${i}` }));
    assert.equal(t.sent.length, 10);
    const ids = t.sent.map((m) => m[1]);
    assert.equal(new Set(ids).size, 10);
    for (const i of [7, 2, 9, 0, 5, 1, 8, 3, 6, 4]) t.reply(ids[i], { n: i });
    assert.deepEqual((await Promise.all(ps)).map((r) => r.n), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("an error response rejects with CoachnetError {code, message, field, method, msgid}", async () => {
    const { t, c } = direct();
    const p1 = c.menteeGet({ id: "m1" });
    const p2 = c.menteeGet({ id: "m2" });
    t.fail(2, "forbidden", "this profile is outside your programs");
    t.fail(1, "invalid_params", "must be an integer 1..5", "profile.competencies[3].required");
    const e1 = await failure(p1), e2 = await failure(p2);
    assert.ok(e1 instanceof CoachnetError && e1 instanceof Error);
    assert.deepEqual([e1.code, e1.message, e1.field, e1.method, e1.msgid],
                     ["invalid_params", "must be an integer 1..5", "profile.competencies[3].required", "mentee.get", 1]);
    assert.deepEqual([e2.code, e2.field, e2.msgid], ["forbidden", null, 2]);
    assert.equal(String(e1), "CoachnetError: mentee.get -> invalid_params: must be an integer 1..5 " +
                             "(field profile.competencies[3].required)");
});

test("timeout: the call rejects with code timeout; a late answer is ignored; the client goes on", async () => {
    const { t, c } = direct({ timeout: 20 });
    const e = await failure(c.menteeGet({ id: "slow" }));
    assert.equal(e.code, "timeout");
    assert.equal(e.msgid, 1);
    assert.equal(c._pending.size, 0);
    t.reply(1, { late: true }); // ignored
    const p = c.menteeGet({ id: "m2" }, { timeout: 1000 });
    t.reply(2, { ok: 1 });
    assert.deepEqual(await p, { ok: 1 });
});

test("msgids are uint32: they wrap to 1 after 2^32-1 and skip ids still pending", async () => {
    const { t, c } = direct({ firstMsgid: MSGID_MAX - 1 });
    const a = c.menteeGet({ id: "a" }), b = c.menteeGet({ id: "b" }), d = c.menteeGet({ id: "c" });
    assert.deepEqual(t.sent.map((m) => m[1]), [MSGID_MAX - 1, MSGID_MAX, 1]);
    t.reply(MSGID_MAX, {});
    t.reply(MSGID_MAX - 1, {});
    await Promise.all([a, b]);
    // 1 is still pending: the next ids are 2, then (after wrapping all the way) never 1
    c._nextMsgid = 1;
    const e = c.menteeGet({ id: "e" });
    assert.equal(t.last().msgid, 2);
    t.reply(1, {});
    t.reply(2, {});
    await Promise.all([d, e]);
});

test("notifications reach their listeners and '*'; off() and the returned function remove them", async () => {
    const { t, c } = direct();
    const got = [];
    const off = c.on("match.updated", (p, m) => got.push(["upd", p.match.id, m]));
    c.on("*", (p, m) => got.push(["any", m]));
    const done = (p) => got.push(["done", p.run_id]);
    c.on("run.done", done);
    t.notify("match.updated", { match: { id: "x1" } });
    t.notify("run.done", { run_id: "r1", status: "done" });
    off();
    c.off("run.done", done);
    t.notify("match.updated", { match: { id: "x2" } });
    t.notify("run.done", { run_id: "r2" });
    assert.deepEqual(got, [["upd", "x1", "match.updated"], ["any", "match.updated"], ["done", "r1"],
                           ["any", "run.done"], ["any", "match.updated"], ["any", "run.done"]]);
    // a notification between a request and its answer changes nothing
    const p = c.menteeGet({ id: "m" });
    t.notify("run.progress", { run_id: "r3", phase: "solve", done: 1, total: 2 });
    t.reply(1, { ok: true });
    assert.deepEqual(await p, { ok: true });
});

test("login keeps the token (storage), role and subject; logout forgets them", async () => {
    const storage = new MemoryStorage();
    const { t, c } = direct({ storage, storageKey: "k" });
    const p = c.login("coord1", "pw");
    assert.deepEqual(t.last(), { msgid: 1, method: "auth.login", params: { login: "coord1", password: "pw" } });
    t.reply(1, { token: "ab".repeat(32), role: "coordinator", programs: ["p1"], expires_in: 3600 });
    await p;
    assert.equal(storage.getItem("k"), "ab".repeat(32));
    assert.equal(c.token, "ab".repeat(32));
    assert.equal(c.role, "coordinator");
    const q = c.logout();
    assert.equal(storage.getItem("k"), null);
    t.reply(2, {});
    await q;
    assert.equal(c.role, null);
    // a failed login stores nothing
    const r = c.authLogin({ login: "x", password: "y" });
    t.fail(3, "unauthenticated", "wrong login or password");
    assert.equal((await failure(r)).code, "unauthenticated");
    assert.equal(c.token, null);
});

test("a closed transport rejects the calls in flight with unavailable; without a factory later calls too", async () => {
    const { t, c } = direct();
    const closes = [];
    c.on("close", (err) => closes.push(err.message));
    const ps = [c.menteeGet({ id: "a" }), c.menteeGet({ id: "b" })];
    t.drop("reset by peer");
    for (const p of ps) {
        const e = await failure(p);
        assert.equal(e.code, "unavailable");
        assert.match(e.message, /connection lost: reset by peer/);
        assert.equal(e.method, "mentee.get");
    }
    assert.deepEqual(closes, ["reset by peer"]);
    const e = await failure(c.menteeGet({ id: "c" }));
    assert.equal(e.code, "unavailable");
    assert.match(e.message, /not connected/);
});

test("an undecodable or unexpected message from the server ends the connection", async () => {
    for (const bad of [new Uint8Array([0xc1]), new Uint8Array([0x92, 0x05, 0x01]), new Uint8Array([0x93, 0x01, 0x01, 0x01, 0x00])]) {
        const { t, c } = direct();
        const p = c.menteeGet({ id: "a" });
        t.onmessage(bad);
        assert.equal((await failure(p)).code, "unavailable");
        assert.ok(t.closed);
    }
});

test("a request above maxFrame is refused as too_large without being sent", async () => {
    const { t, c } = direct({ maxFrame: 1000 });
    const e = await failure(c.blobPut({ text: "x".repeat(1000) }));
    assert.equal(e.code, "too_large");
    assert.equal(t.sent.length, 0);
    const p = c.blobPut({ text: "x".repeat(900) });
    assert.equal(t.sent.length, 1);
    t.reply(t.last().msgid, {});
    await p;
});

test("reconnect: calls wait for the connection; after a drop the session is resumed before any other call", async () => {
    const { c, transports } = reconnecting();
    const login = c.login("coord1", "pw");
    await until(() => transports.length === 1);
    const t1 = transports[0];
    t1.reply(t1.last().msgid, { token: "cd".repeat(32), role: "coordinator" });
    await login;
    const inflight = c.menteeGet({ id: "a" });
    t1.drop();
    assert.equal((await failure(inflight)).code, "unavailable"); // may have run: not retried
    const queued = c.menteeGet({ id: "b" });                      // made during the outage: waits
    await until(() => transports.length === 2, 2000, "reconnect");
    const t2 = transports[1];
    await until(() => t2.sent.length === 1);
    assert.deepEqual(t2.last().method, "auth.resume");
    assert.deepEqual(t2.last().params, { token: "cd".repeat(32) });
    assert.equal(t2.sent.length, 1, "nothing before the resume's answer");
    t2.reply(t2.last().msgid, { login: "coord1", role: "coordinator", expires_in: 100 });
    await until(() => t2.sent.length === 2);
    assert.deepEqual(t2.last().params, { id: "b" });
    t2.reply(t2.last().msgid, { ok: "b" });
    assert.deepEqual(await queued, { ok: "b" });
    assert.equal(c.state, "open");
    c.close();
});

test("reconnect: a refused token is forgotten (resume-failed) and the waiting calls go on unauthenticated", async () => {
    const storage = new MemoryStorage();
    storage.setItem("coachnet.token", "ef".repeat(32)); // e.g. left by an earlier page
    const { c, transports } = reconnecting({ storage });
    const failed = [];
    c.on("resume-failed", (e) => failed.push(e.code));
    const p = c.menteeGet({ id: "a" });
    await until(() => transports.length === 1 && transports[0].sent.length === 1);
    const t = transports[0];
    assert.equal(t.last().method, "auth.resume");
    t.fail(t.last().msgid, "unauthenticated", "no such session");
    await until(() => t.sent.length === 2);
    assert.deepEqual(failed, ["unauthenticated"]);
    assert.equal(c.token, null);
    t.fail(t.last().msgid, "unauthenticated", "log in first");
    assert.equal((await failure(p)).code, "unauthenticated");
    c.close();
});

test("reconnect: a resume that fails otherwise (Redis down) is retried on a new connection", async () => {
    const storage = new MemoryStorage();
    storage.setItem("coachnet.token", "01".repeat(32));
    const { c, transports } = reconnecting({ storage });
    const p = c.menteeGet({ id: "a" });
    await until(() => transports.length === 1 && transports[0].sent.length === 1);
    transports[0].fail(transports[0].last().msgid, "unavailable", "store down");
    await until(() => transports.length === 2 && transports[1].sent.length === 1, 2000, "second resume");
    assert.ok(transports[0].closed);
    const t = transports[1];
    assert.equal(t.last().method, "auth.resume");
    t.reply(t.last().msgid, { role: "coordinator" });
    await until(() => t.sent.length === 2);
    t.reply(t.last().msgid, { ok: 1 });
    assert.deepEqual(await p, { ok: 1 });
    assert.equal(c.token, "01".repeat(32));
    c.close();
});

test("backoff: failed connects are retried after growing, capped delays; success resets them", async () => {
    const { c, transports, ctl } = reconnecting({ backoff: { initial: 10, max: 40, factor: 2, jitter: 0 } });
    ctl.fail = 4;
    const p = c.menteeGet({ id: "a" }, { timeout: 5000 });
    await until(() => transports.length === 1, 3000, "connect");
    const gaps = ctl.attempts.slice(1).map((a, i) => a - ctl.attempts[i]);
    // delays 10, 20, 40, 40 (setTimeout never fires early; allow 1 ms of rounding)
    for (const [i, want] of [10, 20, 40, 40].entries()) assert.ok(gaps[i] >= want - 1, `gap ${i}: ${gaps[i]} < ${want}`);
    assert.equal(c._attempt, 0);
    const t = transports[0];
    t.reply(t.last().msgid, { ok: 1 });
    await p;
    c.close();
});

test("backoffDelay: exponential, capped, jittered within [1 - jitter, 1] of the capped delay", () => {
    const b = { initial: 100, max: 1000, factor: 2, jitter: 0.5 };
    assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, b, () => 0)), [100, 200, 400, 800, 1000, 1000]);
    assert.equal(backoffDelay(2, b, () => 0.999999), 400 * (1 - 0.5 * 0.999999));
    for (let i = 0; i < 200; i++) {
        const d = backoffDelay(3, b);
        assert.ok(d > 400 && d <= 800, String(d));
    }
    assert.equal(backoffDelay(0, {}, () => 0), 250); // defaults: 250 ms, doubling to 30 s
    assert.ok(backoffDelay(30, {}, () => 0) === 30000);
});

test("without reconnect a failed connect rejects the waiting calls and open()", async () => {
    const { c, ctl } = reconnecting({ reconnect: false });
    ctl.fail = 1;
    const e = await failure(c.menteeGet({ id: "a" }));
    assert.equal(e.code, "unavailable");
    assert.match(e.message, /cannot connect: ECONNREFUSED/);
    ctl.fail = 1;
    await assert.rejects(c.open(), /cannot connect: ECONNREFUSED/);
    await c.open(); // next attempt succeeds
    assert.equal(c.state, "open");
    c.close();
});

test("a call waiting for a connection that never comes times out and says why", async () => {
    const { c, ctl } = reconnecting({ timeout: 50 });
    ctl.fail = 1e9;
    const e = await failure(c.menteeGet({ id: "a" }));
    assert.equal(e.code, "timeout");
    assert.equal(e.msgid, null);
    assert.match(e.message, /not connected: ECONNREFUSED/);
    assert.equal(c._queue.length, 0);
    c.close();
});

test("close(): calls in flight and waiting are rejected, nothing reconnects, later calls fail", async () => {
    const { c, transports, ctl } = reconnecting();
    const first = c.menteeGet({ id: "a" });
    await until(() => transports.length === 1);
    c.close();
    assert.equal((await failure(first)).message, "client closed");
    assert.ok(transports[0].closed);
    assert.equal((await failure(c.menteeGet({ id: "b" }))).code, "unavailable");
    await tick();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(ctl.attempts.length, 1);
    assert.equal(c.state, "closed");
});

test("a transport whose send throws: the unsent call waits for the next connection", async () => {
    const { c, transports } = reconnecting();
    await c.open();
    transports[0].closed = true; // dead, but its close event has not come yet
    const p = c.menteeGet({ id: "a" });
    await until(() => transports.length === 2 && transports[1].sent.length === 1, 2000, "resend");
    assert.deepEqual(transports[1].last().params, { id: "a" });
    transports[1].reply(transports[1].last().msgid, { ok: 1 });
    assert.deepEqual(await p, { ok: 1 });
    c.close();
});

test("any schema table: its methods become functions, nothing else does", async () => {
    const methods = {
        "x.do_thing": { roles: ["any"], params: [{ name: "n", type: "integer", required: true, min: 0, max: 9 }] },
        "y.z": { roles: ["any"], params: [] },
    };
    const t = new FakeTransport();
    const c = new CoachnetClient({ transport: t, methods });
    assert.equal(typeof c.xDoThing, "function");
    assert.equal(typeof c.yZ, "function");
    assert.equal(c.menteeGet, undefined);
    const p = c.xDoThing({ n: 3 });
    assert.deepEqual(t.last(), { msgid: 1, method: "x.do_thing", params: { n: 3 } });
    t.reply(1, { done: true });
    assert.deepEqual(await p, { done: true });
    assert.equal((await failure(c.xDoThing({ n: 10 }))).field, "n");
    const q = c.yZ();
    assert.deepEqual(t.last().params, {});
    t.reply(2, {});
    await q;
});

test("session events: login, the automatic resume after a drop, a refused resume and logout report the role", async () => {
    const { c, transports } = reconnecting();
    const seen = [];
    c.on("session", (s) => seen.push(s.role));
    const login = c.login("coord1", "pw");
    await until(() => transports.length === 1);
    const t1 = transports[0];
    t1.reply(t1.last().msgid, { token: "ab".repeat(32), role: "coordinator" });
    await login;
    t1.drop();
    await until(() => transports.length === 2 && transports[1].sent.length === 1, 2000, "resume");
    const t2 = transports[1];
    t2.reply(t2.last().msgid, { login: "coord1", role: "coordinator", expires_in: 9 });
    await until(() => c.state === "open");
    t2.drop();
    await until(() => transports.length === 3 && transports[2].sent.length === 1, 2000, "second resume");
    const t3 = transports[2];
    t3.fail(t3.last().msgid, "unauthenticated", "session ended");
    await until(() => c.state === "open");
    assert.deepEqual(seen, ["coordinator", "coordinator", null]);
    const out = c.logout();
    t3.reply(t3.last().msgid, {});
    await out;
    assert.deepEqual(seen, ["coordinator", "coordinator", null, null]);
    c.close();
});

test("reconnectNow: skips the backoff delay while waiting to reconnect, and nothing otherwise", async () => {
    const { c, transports, ctl } = reconnecting({ backoff: { initial: 60000, max: 60000, factor: 2, jitter: 0 } });
    assert.equal(c.reconnectNow(), false, "idle: nothing to hurry");
    ctl.fail = 1;
    const p = c.menteeGet({ id: "a" }, { timeout: 5000 });
    await until(() => c.state === "backoff");
    assert.equal(transports.length, 0);
    assert.equal(c.reconnectNow(), true);       // not a minute later
    await until(() => transports.length === 1, 2000, "connect now");
    const t = transports[0];
    assert.equal(c.reconnectNow(), false, "connected: nothing to do");
    await until(() => t.sent.length === 1);
    t.reply(t.last().msgid, { ok: 1 });
    assert.deepEqual(await p, { ok: 1 });
    c.close();
});
