// The JavaScript client against a real coachnetd over TLS.  Started by
// tests/integration/test_js_client.py, which runs redis-server and
// coachnetd, creates the users and profiles, and passes them here:
//
//   COACHNET_PORT, COACHNET_CA        the TLS listener and its CA (PEM file)
//   COACHNET_ROGUE_CA                 an unrelated CA (must be refused)
//   COACHNET_LOGIN, COACHNET_PASSWORD a coordinator
//   COACHNET_PROGRAM                  its program
//   COACHNET_MENTEE                   a valid mentee profile of that program (JSON), not stored yet
//   COACHNET_MENTEES                  more of them (JSON array), not stored yet
//   COACHNET_COACH_ID                 a coach of the program with free seats
//   COACHNET_FOREIGN_MENTEE           the id of a mentee of another program
//
// Run: node --test-reporter=tap clients/js/test/live.mjs  (TAP, exit 1 on failure)

import assert from "node:assert/strict";
import test, { after } from "node:test";

import { CoachnetClient, CoachnetError, MemoryStorage } from "../coachnet.mjs";
import { connectTls } from "../transport-tls.mjs";

const env = process.env;
const NEEDED = ["COACHNET_PORT", "COACHNET_CA", "COACHNET_LOGIN", "COACHNET_PASSWORD", "COACHNET_PROGRAM",
                "COACHNET_MENTEE", "COACHNET_MENTEES", "COACHNET_COACH_ID", "COACHNET_FOREIGN_MENTEE",
                "COACHNET_ROGUE_CA"];
const missing = NEEDED.filter((k) => !env[k]);
if (missing.length) {
    // Picked up by `node --test clients/js/test/` without a server: say so
    // (the Python suite refuses a skip).
    test("live test against coachnetd", { skip: `run by tests/integration/test_js_client.py (${missing[0]} unset)` });
}
const PORT = Number(env.COACHNET_PORT);
const MENTEE = missing.length ? {} : JSON.parse(env.COACHNET_MENTEE);
const MENTEES = missing.length ? [] : JSON.parse(env.COACHNET_MENTEES);
const live = missing.length ? () => {} : test;

const clients = [];
after(() => { for (const c of clients) c.close(); });

/** A client over TLS that records every transport it opened (closed at the end). */
function makeClient(opts = {}) {
    const transports = [];
    const c = new CoachnetClient({
        connect: async () => {
            const t = await connectTls({ host: "127.0.0.1", port: PORT, caFile: env.COACHNET_CA });
            transports.push(t);
            return t;
        },
        storage: new MemoryStorage(),
        backoff: { initial: 20, max: 200 },
        ...opts,
    });
    c.transports = transports;
    clients.push(c);
    return c;
}

async function coordinator(opts) {
    const c = makeClient(opts);
    await c.login(env.COACHNET_LOGIN, env.COACHNET_PASSWORD);
    return c;
}

const failure = (p) => p.then((r) => assert.fail(`expected an error, got ${JSON.stringify(r)}`), (e) => e);

live("auth.login over TLS: token, role and expiry; the token is kept in the storage", async () => {
    const c = makeClient();
    const r = await c.authLogin({ login: env.COACHNET_LOGIN, password: env.COACHNET_PASSWORD });
    assert.match(r.token, /^[0-9a-f]{64}$/);
    assert.equal(r.role, "coordinator");
    assert.equal(typeof r.expires_in, "number");
    assert.ok(r.expires_in > 0);
    assert.deepEqual(r.programs, [env.COACHNET_PROGRAM]);
    assert.equal(c.token, r.token);
    assert.equal(c.role, "coordinator");
    c.close();
});

live("wrong password: unauthenticated, as a CoachnetError with code, message, method, msgid", async () => {
    const c = makeClient();
    const e = await failure(c.login(env.COACHNET_LOGIN, "wrong-password"));
    assert.ok(e instanceof CoachnetError);
    assert.equal(e.code, "unauthenticated");
    assert.ok(e.message.length > 0);
    assert.equal(e.method, "auth.login");
    assert.equal(typeof e.msgid, "number");
    assert.equal(c.token, null);
    c.close();
});

live("a call before login is unauthenticated", async () => {
    const c = makeClient();
    assert.equal((await failure(c.menteeGet({ id: MENTEE.id }))).code, "unauthenticated");
    c.close();
});

live("mentee.put then mentee.get returns the same profile, version as a number", async () => {
    const c = await coordinator();
    const put = await c.menteePut({ profile: MENTEE });
    assert.equal(put.id, MENTEE.id);
    assert.equal(typeof put.version, "number");
    const got = await c.menteeGet({ id: MENTEE.id });
    assert.equal(got.version, put.version);
    for (const [k, v] of Object.entries(MENTEE)) assert.deepEqual(got.profile[k], v, k);
    const again = await c.menteePut({ profile: MENTEE, if_version: put.version });
    assert.equal(again.version, put.version + 1);
    const stale = await failure(c.menteePut({ profile: MENTEE, if_version: put.version }));
    assert.equal(stale.code, "conflict");
    c.close();
});

live("match.suggest lists the program's coach with a score", async () => {
    const c = await coordinator();
    const r = await c.matchSuggest({ mentee_id: MENTEE.id, limit: 5 });
    assert.ok(Array.isArray(r.items));
    const item = r.items.find((i) => i.coach_id === env.COACHNET_COACH_ID);
    assert.ok(item, `coach ${env.COACHNET_COACH_ID} not suggested: ${JSON.stringify(r.items)}`);
    assert.equal(typeof item.score, "number");
    c.close();
});

live("the server's invalid_params names the field inside a profile; the connection stays usable", async () => {
    const c = await coordinator();
    const bad = structuredClone(MENTEES[0]);
    bad.competencies[1].required = 9;
    const e = await failure(c.menteePut({ profile: bad }));
    assert.equal(e.code, "invalid_params");
    assert.equal(e.field, "profile.competencies[1].required");
    assert.equal(e.method, "mentee.put");
    assert.ok(e.message.length > 0);
    assert.equal((await c.menteeGet({ id: MENTEE.id })).profile.id, MENTEE.id);
    c.close();
});

live("the client's own checks give the server's code, field and message", async () => {
    const checked = await coordinator();
    const raw = await coordinator({ validate: false });
    const cases = [
        ["match.suggest", { mentee_id: MENTEE.id, limit: 0 }],
        ["match.suggest", { mentee_id: MENTEE.id, limit: 101 }],
        ["match.suggest", { mentee_id: MENTEE.id, limti: 5 }],
        ["match.suggest", { limit: 5 }],
        ["match.suggest", { mentee_id: "has space" }],
        ["mentee.get", { id: "x".repeat(41) }],
        ["mentee.get", { id: 5 }],
        ["match.review", { match_ids: [], decision: "approve" }],
        ["match.review", { match_ids: ["m1", "bad id"], decision: "approve" }],
        ["match.review", { match_ids: ["m1"], decision: "maybe" }],
        ["mentee.put", { profile: "not a map" }],
    ];
    for (const [m, p] of cases) {
        const mine = await failure(checked.call(m, p));
        const theirs = await failure(raw.call(m, p));
        assert.equal(mine.msgid, null, `${m} ${JSON.stringify(p)}: sent`);
        assert.notEqual(theirs.msgid, null);
        assert.deepEqual([mine.code, mine.field, mine.message], [theirs.code, theirs.field, theirs.message],
                         `${m} ${JSON.stringify(p)}`);
    }
    checked.close();
    raw.close();
});

live("forbidden and not_found come back as such", async () => {
    const c = await coordinator();
    const f = await failure(c.menteeGet({ id: env.COACHNET_FOREIGN_MENTEE }));
    assert.equal(f.code, "forbidden");
    const n = await failure(c.menteeGet({ id: "197001012000011999" }));
    assert.equal(n.code, "not_found");
    assert.equal(n.field, "id");
    c.close();
});

live("pipelined calls: 30 requests in flight at once, each answer to its own call", async () => {
    const c = await coordinator();
    const puts = await Promise.all(MENTEES.map((m) => c.menteePut({ profile: m })));
    assert.deepEqual(puts.map((r) => r.id), MENTEES.map((m) => m.id));
    // gets, suggestions and failures interleaved
    const calls = MENTEES.flatMap((m) => [
        c.menteeGet({ id: m.id }).then((r) => r.profile.id),
        c.matchSuggest({ mentee_id: m.id, limit: 1 }).then((r) => r.items.length),
        c.menteeGet({ id: "197001012000011999" }).then(() => "found?", (e) => e.code),
    ]);
    const got = await Promise.all(calls);
    assert.deepEqual(got, MENTEES.flatMap((m) => [m.id, 1, "not_found"]));
    assert.equal(c.transports.length, 1);
    c.close();
});

live("match.run: run.progress and run.done notifications reach the listeners", async () => {
    const c = await coordinator();
    const progress = [], any = [];
    c.on("run.progress", (p) => progress.push(p));
    c.on("*", (_p, method) => any.push(method));
    const done = new Promise((resolve) => c.on("run.done", (p, method) => resolve([p, method])));
    const { run_id } = await c.matchRun({ program: env.COACHNET_PROGRAM });
    assert.equal(typeof run_id, "string");
    const [p, method] = await done;
    assert.equal(method, "run.done");
    assert.equal(p.run_id, run_id);
    assert.equal(p.status, "done");
    assert.ok(p.stats.matched >= 1, JSON.stringify(p.stats));
    assert.ok(progress.length > 0 && progress.every((x) => x.run_id === run_id));
    assert.ok(any.includes("run.progress") && any.includes("run.done"));
    c.close();
});

live("after a dropped connection the client reconnects, resumes the session, and the call goes through", async () => {
    const c = await coordinator();
    const events = [];
    c.on("close", () => events.push("close"));
    c.on("open", () => events.push("open"));
    c.transports[0].close(); // the network drops
    const r = await c.menteeGet({ id: MENTEE.id });
    assert.equal(r.profile.id, MENTEE.id);
    assert.equal(c.transports.length, 2);
    assert.deepEqual(events, ["close", "open"]);
    assert.equal(c.role, "coordinator");
    c.close();
});

live("a refused session after reconnect: resume-failed, token forgotten, calls unauthenticated", async () => {
    const c = await coordinator();
    const token = c.token;
    await c.logout();                       // the token dies on the server...
    assert.equal(c.token, null);
    c.storage.setItem(c.storageKey, token); // ...but say the page still had it
    const refused = new Promise((resolve) => c.on("resume-failed", resolve));
    c.transports[0].close();
    const e = await failure(c.menteeGet({ id: MENTEE.id }));
    assert.equal((await refused).code, "unauthenticated");
    assert.equal(e.code, "unauthenticated");
    assert.equal(c.token, null);
    c.close();
});

live("TLS: a server certificate from another CA is refused", async () => {
    await assert.rejects(connectTls({ host: "127.0.0.1", port: PORT, caFile: env.COACHNET_ROGUE_CA }));
    const c = new CoachnetClient({
        connect: () => connectTls({ host: "127.0.0.1", port: PORT, caFile: env.COACHNET_ROGUE_CA }),
        reconnect: false,
    });
    const e = await failure(c.login(env.COACHNET_LOGIN, env.COACHNET_PASSWORD));
    assert.equal(e.code, "unavailable");
    assert.match(e.message, /cannot connect/);
    c.close();
});

live("accounts: user.list pages as an object with items and cursor; auth.change_password with a wrong old password is forbidden naming old_password, the session stays", async () => {
    const c = await coordinator();
    const page = await c.userList({ limit: 5 });
    assert.ok(Array.isArray(page.items));
    assert.ok(page.items.length <= 5);
    for (const u of page.items) assert.ok(["mentee", "coach"].includes(u.role), JSON.stringify(u));
    assert.ok(page.cursor === null || typeof page.cursor === "string");
    const e = await failure(c.authChangePassword({ old_password: "wrong-password", new_password: "Another-pa55word-1" }));
    assert.equal(e.code, "forbidden");
    assert.equal(e.field, "old_password");
    assert.equal(c.token !== null, true);
    assert.ok(Array.isArray((await c.userList({})).items));
    c.close();
});
