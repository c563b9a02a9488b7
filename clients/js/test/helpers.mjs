// Test helpers: a fake transport, and valid/invalid values made from a
// schema entry (so that the tests follow whatever table scripts/gen-api
// writes).

import { decodeMessage, encodeMessage } from "../coachnet.mjs";

/** Yield to the event loop (lets pending promise chains and I/O run). */
export const tick = () => new Promise((r) => setImmediate(r));

/** Wait until pred() is true (polling), or throw after ms. */
export async function until(pred, ms = 2000, what = "condition") {
    const end = Date.now() + ms;
    while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 1));
    }
}

/** A transport that records what the client sends and lets the test answer. */
export class FakeTransport {
    constructor() {
        this.sent = [];       // decoded messages, in order
        this.raw = [];        // the bodies as sent
        this.onmessage = null;
        this.onclose = null;
        this.closed = false;
    }
    send(body) {
        if (this.closed) throw new Error("closed");
        this.raw.push(body);
        this.sent.push(decodeMessage(body));
    }
    close() {
        if (this.closed) return;
        this.closed = true;
        this.onclose?.(new Error("closed by client"));
    }
    /** The server ends the connection. */
    drop(text = "dropped by server") {
        this.closed = true;
        this.onclose?.(new Error(text));
    }
    reply(msgid, result, error = null) {
        this.onmessage(encodeMessage([1, msgid, error, result]));
    }
    fail(msgid, code, message = "", field) {
        const e = { code, message };
        if (field !== undefined) e.field = field;
        this.reply(msgid, null, e);
    }
    notify(method, params) {
        this.onmessage(encodeMessage([2, method, [params]]));
    }
    /** The last request sent: {msgid, method, params}. */
    last() {
        const m = this.sent[this.sent.length - 1];
        return m && { msgid: m[1], method: m[2], params: m[3][0] };
    }
}

// ------------------------------------------------------------ schema values

const CHARSET_CHAR = { code: "a", lower: "a", digits: "1", line: "a", text: "a", any: "a" };

/** A valid value of a type description. */
export function validValue(t) {
    switch (t.type) {
    case "string": {
        if (t.format === "nip") return "198503152010011001";
        if (t.format === "date") return "2026-01-15";
        const n = Math.min(Math.max(t.min_len ?? 0, 1), t.max_len ?? 65536);
        return (CHARSET_CHAR[t.charset] ?? "a").repeat(n);
    }
    case "integer": return Math.max(Number(t.min ?? 0), Math.min(Number(t.max ?? 0), 1));
    case "number": return Math.max(t.min ?? 0, Math.min(t.max ?? 0, 1));
    case "boolean": return true;
    case "enum": return t.values[0];
    case "array": {
        const n = Math.min(Math.max(t.min_items ?? 0, 1), t.max_items ?? 10000);
        return Array.from({ length: n }, () => validValue(t.items ?? { type: "string" }));
    }
    case "object": return validObject(t.fields ?? []);
    default: return {}; // codec, ref
    }
}

/** Valid params for a list of fields (every field given). */
export function validObject(fields) {
    return Object.fromEntries(fields.map((f) => [f.name, validValue(f)]));
}

/**
 * Invalid variants of a value of type t at path: [{value, field, message}]
 * (the field and message the client -- and the server -- report).
 */
export function invalidValues(t, path) {
    const out = [];
    const add = (value, message, field = path) => out.push({ value, field, message });
    switch (t.type) {
    case "string": {
        const min = t.min_len ?? 0, max = t.max_len ?? 65536;
        const c = CHARSET_CHAR[t.charset] ?? "a";
        add(7, "must be a string");
        add(c.repeat(max + 1), `must be ${min}..${max} bytes long, not ${max + 1}`);
        if (min > 0) add("", `must be ${min}..${max} bytes long, not 0`);
        if (max >= 2 && !t.format) {
            // two bytes in UTF-8, one UTF-16 unit: lengths count bytes
            const s = "é".repeat(Math.floor(max / 2) + 1);
            add(s, `must be ${min}..${max} bytes long, not ${2 * (Math.floor(max / 2) + 1)}`);
        }
        break;
    }
    case "integer": {
        const msg = `must be an integer ${t.min ?? -(2n ** 63n)}..${t.max ?? 2n ** 63n - 1n}`;
        add("1", msg);
        add(1.5, msg);
        if (t.max !== undefined) add(typeof t.max === "bigint" ? t.max + 1n : t.max + 1, msg);
        if (t.min !== undefined) add(typeof t.min === "bigint" ? t.min - 1n : t.min - 1, msg);
        break;
    }
    case "number":
        add("0.5", null);
        if (t.max !== undefined) add(t.max + 1, null);
        break;
    case "boolean": add("true", "must be true or false"); break;
    case "enum": add("no-such-value", `must be one of: ${t.values.join(", ")}`); break;
    case "array": {
        const min = t.min_items ?? 0, max = t.max_items ?? 10000, msg = `must be an array of ${min}..${max} elements`;
        const item = validValue(t.items ?? { type: "string" });
        add("x", msg);
        if (max < 10000) add(Array.from({ length: max + 1 }, () => item), msg);
        if (min > 0) add([], msg);
        if (t.items) {
            for (const bad of invalidValues(t.items, `${path}[${min > 0 ? min - 1 : 0}]`)) {
                const arr = Array.from({ length: Math.max(min, 1) }, () => validValue(t.items));
                arr[arr.length - 1] = bad.value;
                out.push({ value: arr, field: bad.field, message: bad.message });
            }
        }
        break;
    }
    case "object": {
        const fields = t.fields ?? [];
        add([], "must be a map");
        add({ ...validObject(fields), no_such_key: 1 }, "unknown key", `${path}.no_such_key`);
        for (const f of fields) {
            if (f.required) {
                const v = validObject(fields);
                delete v[f.name];
                add(v, "is required", `${path}.${f.name}`);
            }
            for (const bad of invalidValues(f, `${path}.${f.name}`))
                out.push({ value: { ...validObject(fields), [f.name]: bad.value }, field: bad.field, message: bad.message });
        }
        break;
    }
    case "codec":
    case "ref":
        add("x", "must be a map");
        add([], "must be a map");
        break;
    default:
        break;
    }
    return out;
}
