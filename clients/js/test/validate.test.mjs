// Params validation: every type and bound, with the server's field paths
// and messages; then every method of the generated table (METHODS), from
// its own schema entry.

import assert from "node:assert/strict";
import test from "node:test";

import { CoachnetClient, CoachnetError, METHODS, checkParams, functionName } from "../coachnet.mjs";
import { FakeTransport, invalidValues, validObject } from "./helpers.mjs";

// A table with every param type of the schema format (notes/schema.md).
const TABLE = {
    "t.all": {
        roles: ["anyone"],
        params: [
            { name: "s", type: "string", required: true, min_len: 2, max_len: 5, charset: "line" },
            { name: "code", type: "string", min_len: 1, max_len: 8, charset: "code" },
            { name: "low", type: "string", min_len: 0, max_len: 4, charset: "lower" },
            { name: "dig", type: "string", min_len: 0, max_len: 4, charset: "digits" },
            { name: "txt", type: "string", min_len: 0, max_len: 20, charset: "text" },
            { name: "anything", type: "string", min_len: 0, max_len: 20, charset: "any" },
            { name: "i", type: "integer", min: 1, max: 5 },
            { name: "big", type: "integer" },
            { name: "x", type: "number", min: 0, max: 1 },
            { name: "w", type: "number", min: 0, max: 1000000 },
            { name: "b", type: "boolean" },
            { name: "e", type: "enum", values: ["approve", "reject", "cancel"] },
            { name: "ids", type: "array", min_items: 1, max_items: 3,
              items: { type: "string", min_len: 1, max_len: 4, charset: "code" } },
            { name: "profile", type: "object", fields: [
                { name: "name", type: "string", required: true, min_len: 1, max_len: 10, charset: "line" },
                { name: "competencies", type: "array", min_items: 0, max_items: 32, items: {
                    type: "object", fields: [
                        { name: "code", type: "string", required: true, min_len: 1, max_len: 8, charset: "code" },
                        { name: "current", type: "integer", required: true, min: 0, max: 5 },
                        { name: "required", type: "integer", required: true, min: 1, max: 5 }] } }] },
            { name: "policy", type: "codec", codec: "policy" },
        ],
        result: { type: "object", fields: [] },
        errors: [],
    },
    "t.none": { roles: ["any"], params: [], result: { type: "object", fields: [] }, errors: [] },
};
const SPEC = TABLE["t.all"];
const comp = (o) => ({ code: "M.01", current: 1, required: 3, ...o });

// [params, field, message]
const CASES = [
    [{}, "s", "is required"],
    [{ s: null }, "s", "is required"],
    [{ s: "ok", zzz: 1 }, "zzz", "unknown key"],
    [{ zzz: 1 }, "zzz", "unknown key"], // unknown keys are judged before missing ones
    [{ s: "ok", "ké y": 1 }, "k???y", "unknown key"],
    [{ s: "ok", ["k".repeat(40)]: 1 }, "k".repeat(32), "unknown key"],
    [{ s: 5 }, "s", "must be a string"],
    [{ s: new Uint8Array(3) }, "s", "must be a string"],
    [{ s: "a" }, "s", "must be 2..5 bytes long, not 1"],
    [{ s: "abcdef" }, "s", "must be 2..5 bytes long, not 6"],
    [{ s: "ééé" }, "s", "must be 2..5 bytes long, not 6"],
    [{ s: "😀😀" }, "s", "must be 2..5 bytes long, not 8"],
    [{ s: "a\ud800" }, "s", "must be valid UTF-8"],
    [{ s: "a\tb" }, "s", "must not contain control characters"],
    [{ s: "a\x7fb" }, "s", "must not contain control characters"],
    [{ s: "ok", txt: "a\x01" }, "txt", "must not contain control characters"],
    [{ s: "ok", anything: "a\0" }, "anything", "must not contain NUL"],
    [{ s: "ok", code: "a b" }, "code", "may hold only [A-Za-z0-9._-]"],
    [{ s: "ok", code: "" }, "code", "must be 1..8 bytes long, not 0"],
    [{ s: "ok", low: "aB" }, "low", "may hold only [a-z]"],
    [{ s: "ok", dig: "12a" }, "dig", "may hold only digits"],
    [{ s: "ok", i: 0 }, "i", "must be an integer 1..5"],
    [{ s: "ok", i: 6 }, "i", "must be an integer 1..5"],
    [{ s: "ok", i: 2.5 }, "i", "must be an integer 1..5"],
    [{ s: "ok", i: "3" }, "i", "must be an integer 1..5"],
    [{ s: "ok", i: true }, "i", "must be an integer 1..5"],
    [{ s: "ok", big: 2n ** 63n }, "big", "must be an integer -9223372036854775808..9223372036854775807"],
    [{ s: "ok", x: 1.5 }, "x", "must be a number 0..1"],
    [{ s: "ok", x: -0.1 }, "x", "must be a number 0..1"],
    [{ s: "ok", x: NaN }, "x", "must be a number 0..1"],
    [{ s: "ok", x: "0.5" }, "x", "must be a number 0..1"],
    [{ s: "ok", w: -1 }, "w", "must be a number 0..1e+06"],
    [{ s: "ok", b: 1 }, "b", "must be true or false"],
    [{ s: "ok", e: "Approve" }, "e", "must be one of: approve, reject, cancel"],
    [{ s: "ok", e: 1 }, "e", "must be one of: approve, reject, cancel"],
    [{ s: "ok", ids: [] }, "ids", "must be an array of 1..3 elements"],
    [{ s: "ok", ids: ["a", "b", "c", "d"] }, "ids", "must be an array of 1..3 elements"],
    [{ s: "ok", ids: "a" }, "ids", "must be an array of 1..3 elements"],
    [{ s: "ok", ids: ["a", "b", "c d"] }, "ids[2]", "may hold only [A-Za-z0-9._-]"],
    [{ s: "ok", ids: ["a", null] }, "ids[1]", "must be a string"],
    [{ s: "ok", profile: [] }, "profile", "must be a map"],
    [{ s: "ok", profile: {} }, "profile.name", "is required"],
    [{ s: "ok", profile: { name: "n", nmae: "x" } }, "profile.nmae", "unknown key"],
    [{ s: "ok", profile: { name: "n", competencies: [comp(), comp(), comp(), comp({ required: 9 })] } },
     "profile.competencies[3].required", "must be an integer 1..5"],
    [{ s: "ok", profile: { name: "n", competencies: [comp(), comp({ level: 2 })] } },
     "profile.competencies[1].level", "unknown key"],
    [{ s: "ok", profile: { name: "n", competencies: [comp({ current: undefined })] } },
     "profile.competencies[0].current", "is required"],
    [{ s: "ok", profile: { name: "n", competencies: [5] } }, "profile.competencies[0]", "must be a map"],
    [{ s: "ok", policy: "x" }, "policy", "must be a map"],
    [{ s: "ok", policy: new Date() }, "policy", "must be a map"],
];

test("validation: every type and bound fails with the server's field path and message", () => {
    for (const [params, field, message] of CASES) {
        assert.deepEqual(checkParams(SPEC, params), { field, message }, `${field}: ${message}`);
    }
});

test("validation: valid params pass, absent/null/undefined optionals included", () => {
    const ok = [
        { s: "ok" },
        { s: "ok", code: null, i: undefined },
        { s: "é1", code: "A.b_c-9", low: "", dig: "0123", txt: "a\tb\r\nc", anything: "x😀" },
        { s: "ok", i: 1, big: 2n ** 62n, x: 0, w: 1000000, b: false, e: "cancel" },
        { s: "ok", big: -(2 ** 53), x: 1n },
        { s: "ok", ids: ["a", "b", "c"], policy: { anything: { goes: 1 } } },
        { s: "ok", profile: { name: "n", competencies: Array.from({ length: 32 }, () => comp()) } },
    ];
    for (const p of ok) assert.equal(checkParams(SPEC, p), null, JSON.stringify(p, (_, v) => String(v)));
    assert.equal(checkParams(TABLE["t.none"], {}), null);
    assert.deepEqual(checkParams(TABLE["t.none"], { a: 1 }), { field: "a", message: "unknown key" });
});

test("validation: a failing call is rejected before sending, as invalid_params with method and field", async () => {
    const t = new FakeTransport();
    const c = new CoachnetClient({ transport: t, methods: TABLE });
    const e = await c.tAll({ s: "ok", ids: ["a", "b", "c d"] }).then(() => null, (err) => err);
    assert.ok(e instanceof CoachnetError);
    assert.equal(e.code, "invalid_params");
    assert.equal(e.field, "ids[2]");
    assert.equal(e.method, "t.all");
    assert.equal(e.msgid, null);
    assert.equal(t.sent.length, 0);
    // without validation the server judges
    const raw = new CoachnetClient({ transport: new FakeTransport(), methods: TABLE, validate: false });
    const pending = raw.tAll({ s: 1 });
    assert.deepEqual(raw._transport.last().params, { s: 1 });
    raw.close();
    await assert.rejects(pending, { code: "unavailable" });
});

test("validation: a params argument that is not a map is refused", () => {
    assert.deepEqual(checkParams(SPEC, null), { field: "", message: "must be a map" });
    assert.deepEqual(checkParams(SPEC, [1]), { field: "", message: "must be a map" });
});

test("METHODS: every method of the generated table has its client function", () => {
    const t = new FakeTransport();
    const c = new CoachnetClient({ transport: t });
    assert.ok(Object.keys(METHODS).length > 0);
    for (const [m, spec] of Object.entries(METHODS)) {
        assert.match(m, /^[A-Za-z0-9._]{1,64}$/, m);
        assert.ok(Array.isArray(spec.params), `${m}: params`);
        const fn = functionName(m);
        assert.equal(typeof c[fn], "function", `${m} -> ${fn}`);
    }
    assert.equal(functionName("match.review"), "matchReview");
    assert.equal(functionName("auth.login"), "authLogin");
    assert.equal(functionName("user.create_batch"), "userCreateBatch");
});

test("METHODS: each method's valid params are sent as they are", async () => {
    for (const [m, spec] of Object.entries(METHODS)) {
        const t = new FakeTransport();
        const c = new CoachnetClient({ transport: t });
        const params = validObject(spec.params);
        assert.equal(checkParams(spec, params), null, `${m}: ${JSON.stringify(params)}`);
        c[functionName(m)](params).catch(() => {});
        assert.equal(t.sent.length, 1, m);
        assert.deepEqual(t.sent[0].slice(0, 3), [0, 1, m]);
        assert.deepEqual(t.last().params, params, m);
        c.close();
    }
});

test("METHODS: every param bound of every method fails with its field path", () => {
    let n = 0;
    for (const [m, spec] of Object.entries(METHODS)) {
        const base = validObject(spec.params);
        assert.deepEqual(checkParams(spec, { ...base, no_such_key: 1 }), { field: "no_such_key", message: "unknown key" }, m);
        for (const f of spec.params) {
            if (f.required) {
                const p = { ...base };
                delete p[f.name];
                assert.deepEqual(checkParams(spec, p), { field: f.name, message: "is required" }, `${m} ${f.name}`);
                n++;
            }
            for (const bad of invalidValues(f, f.name)) {
                const got = checkParams(spec, { ...base, [f.name]: bad.value });
                assert.ok(got, `${m}: ${bad.field} accepted ${String(bad.value)}`);
                assert.equal(got.field, bad.field, m);
                if (bad.message === null) assert.match(got.message, /^must be a number /, m);
                else assert.equal(got.message, bad.message, `${m} ${bad.field}`);
                n++;
            }
        }
    }
    assert.ok(n > 10, `only ${n} cases`);
});

test("unknown method: rejected without sending, code unknown_method", async () => {
    const t = new FakeTransport();
    const c = new CoachnetClient({ transport: t });
    await assert.rejects(c.call("no.such", {}), (e) =>
        e instanceof CoachnetError && e.code === "unknown_method" && e.field === "method" && e.method === "no.such");
    await assert.rejects(c.call("toString", {}), { code: "unknown_method" });
    assert.equal(t.sent.length, 0);
});

test("a schema method whose function name is a client member is refused loudly", () => {
    const methods = { "call": { roles: ["any"], params: [] } };
    assert.throws(() => new CoachnetClient({ transport: new FakeTransport(), methods }), /already a member/);
});
