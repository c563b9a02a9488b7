// The msgpack codec: integer widths (64-bit included), str vs bin, nil.

import assert from "node:assert/strict";
import test from "node:test";

import { decodeMessage, encodeMessage } from "../coachnet.mjs";

const hex = (b) => Buffer.from(b).toString("hex");

test("integers are msgpack ints of the smallest width, also beyond 32 bits (never floats)", () => {
    assert.equal(hex(encodeMessage(5)), "05");
    assert.equal(hex(encodeMessage(-3)), "fd");
    assert.equal(hex(encodeMessage(300)), "cd012c");
    assert.equal(hex(encodeMessage(0xffffffff)), "ceffffffff");
    assert.equal(hex(encodeMessage(2 ** 32)), "cf0000000100000000");
    assert.equal(hex(encodeMessage(-(2 ** 31) - 1)), "d3ffffffff7fffffff");
    assert.equal(hex(encodeMessage(Number.MAX_SAFE_INTEGER)), "cf001fffffffffffff");
    assert.equal(hex(encodeMessage(2n ** 63n)), "cf8000000000000000");
    assert.equal(hex(encodeMessage(-(2n ** 63n))), "d38000000000000000");
    assert.equal(hex(encodeMessage(1.5)), "cb3ff8000000000000");
    assert.equal(hex(encodeMessage([1, { t: 2 ** 40 }])), "9201" + "81a174" + "cf0000010000000000");
});

test("decoded 64-bit ints: numbers when exact, bigints beyond 2^53", () => {
    const dec = (h) => decodeMessage(Buffer.from(h, "hex"));
    assert.equal(dec("cf0000000000000007"), 7);                 // uint64 format, small value
    assert.equal(dec("d3fffffffffffffff9"), -7);                // int64 format
    assert.equal(dec("cf001fffffffffffff"), Number.MAX_SAFE_INTEGER);
    assert.equal(dec("cf0020000000000000"), 2n ** 53n);
    assert.equal(dec("cfffffffffffffffff"), 2n ** 64n - 1n);
    assert.equal(dec("d38000000000000000"), -(2n ** 63n));
    assert.deepEqual(dec("9301cf000000000000002a81a176cf0000000100000000"), [1, 42, { v: 2 ** 32 }]);
    // round trip of everything a result may hold
    const v = { s: "héllo ✓", n: null, b: true, f: 0.25, a: [1, -1, 2 ** 40, 2n ** 60n], m: { x: {} } };
    assert.deepEqual(decodeMessage(encodeMessage(v)), v);
});

test("strings are msgpack str, byte arrays bin; undefined map values are left out", () => {
    assert.equal(hex(encodeMessage("ab")), "a26162");
    assert.equal(hex(encodeMessage("x".repeat(40))).slice(0, 4), "d928"); // str 8
    assert.equal(hex(encodeMessage(new Uint8Array([1, 2]))), "c4020102"); // bin 8
    assert.equal(hex(encodeMessage({ a: undefined, b: 1 })), "81a16201");
    assert.equal(hex(encodeMessage({ a: null })), "81a161c0");
    const m = decodeMessage(encodeMessage([0, 1, "auth.login", [{ login: "é", password: "p" }]]));
    assert.deepEqual(m, [0, 1, "auth.login", [{ login: "é", password: "p" }]]);
});

test("a body with trailing bytes, a truncated one or 0xc1 does not decode", () => {
    for (const h of ["0101", "92", "c1", "a3616263ff"]) assert.throws(() => decodeMessage(Buffer.from(h, "hex")), h);
});
