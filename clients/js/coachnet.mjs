// coachnet.mjs -- JavaScript client of the coachnet matchmaking service.
//
// coachnet speaks msgpack-RPC (docs/protocol.md):
//
//     request       [0, msgid, method, [params]]
//     response      [1, msgid, error, result]     error: nil or {code, message, field?}
//     notification  [2, method, [params]]         pushed by the server
//
// This module is runtime-agnostic (browser and node): it turns calls into
// message bodies and message bodies into results, and leaves the bytes to a
// pluggable transport (transport-ws.mjs for the browser's WebSocket,
// transport-tls.mjs for node:tls with the 4-byte length framing).
//
// Every method of the API schema (methods.gen.mjs, generated from
// api/methods/*.json) becomes a camelCase function of the client, and its
// params are checked against the schema before anything is sent, with the
// server's own messages and field paths, so that a typo fails at once and
// never costs a round trip.  The server remains the judge: formats (NIP,
// dates), catalogue codes and the domain objects ("codec" params) are
// checked there only.
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import { Decoder, Encoder } from "@msgpack/msgpack";
import { METHODS } from "./methods.gen.mjs";

export { METHODS };

/** Message kinds of msgpack-RPC. */
export const REQUEST = 0;
export const RESPONSE = 1;
export const NOTIFICATION = 2;

/** Largest msgid; allocation wraps from here back to 1 (0 is what the
 * server uses when it could not read a request's msgid). */
export const MSGID_MAX = 0xffffffff;

/** Largest request body the server accepts by default (PROTO_DEFAULT_MAX_FRAME). */
export const DEFAULT_MAX_FRAME = 1048576;

// Defaults of a schema entry that leaves a bound out: the protocol's limits
// (docs/protocol.md section 5) and the range of a msgpack int64.
const DEFAULT_MAX_STR = 65536;
const DEFAULT_MAX_ARRAY = 10000;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const KEY_ECHO_MAX = 32; // bytes of an unknown key quoted in a path (proto/params.c)

const DEFAULT_BACKOFF = Object.freeze({ initial: 250, max: 30000, factor: 2, jitter: 0.5 });

// ------------------------------------------------------------------ errors

/**
 * The error of a failed call.
 *
 * `code` is one of the server's codes (docs/protocol.md section 4:
 * `invalid_params`, `forbidden`, `not_found`, `unavailable`, ...) or
 * `timeout` when no answer came in time.  Errors found by the client
 * itself use the code the server would have sent (`unknown_method`,
 * `invalid_params`, `too_large`) and have `msgid` null (nothing was sent);
 * a lost or missing connection is `unavailable`.
 */
export class CoachnetError extends Error {
    /**
     * @param {string} code
     * @param {string} [message]   the server's human-readable text
     * @param {{field?: string|null, method?: string|null, msgid?: number|null, cause?: unknown}} [info]
     */
    constructor(code, message = "", { field = null, method = null, msgid = null, cause } = {}) {
        super(message, cause === undefined ? undefined : { cause });
        this.name = "CoachnetError";
        /** @type {string} */ this.code = code;
        /** @type {string|null} the path of the offending param, e.g. `profile.competencies[3].required` */
        this.field = field;
        /** @type {string|null} */ this.method = method;
        /** @type {number|null} */ this.msgid = msgid;
    }

    toString() {
        let s = `${this.name}: ${this.method ? this.method + " -> " : ""}${this.code}: ${this.message}`;
        if (this.field !== null) s += ` (field ${this.field})`;
        return s;
    }
}

// ------------------------------------------------------------------ codec
//
// Integers: the server may send any msgpack int width, and takes any.  The
// decoder reads int64/uint64 as bigint (lossless) and fromWire() turns every
// bigint that fits a double exactly back into a number, so a time or a
// version is always a plain number and only a huge value stays a bigint.
// The encoder writes bigints as int64/uint64 and, with useBigInt64, would
// write a number beyond 32 bits as a float: toWire() turns such integers
// into bigints first so that they stay msgpack ints.  Strings are msgpack
// str, Uint8Arrays bin; undefined values of a map are left out.

const encoder = new Encoder({ useBigInt64: true, ignoreUndefined: true });
const decoder = new Decoder({ useBigInt64: true });

function isPlainObject(v) {
    if (v === null || typeof v !== "object") return false;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

function toWire(v) {
    if (typeof v === "number") {
        if (Number.isInteger(v) && (v < -0x80000000 || v > 0xffffffff) &&
            BigInt(v) >= INT64_MIN && BigInt(v) <= UINT64_MAX)
            return BigInt(v);
        return v;
    }
    if (Array.isArray(v)) return v.map(toWire);
    if (isPlainObject(v)) {
        const out = {};
        for (const k of Object.keys(v)) if (v[k] !== undefined) out[k] = toWire(v[k]);
        return out;
    }
    return v;
}

function fromWire(v) {
    if (typeof v === "bigint")
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) v[i] = fromWire(v[i]);
    } else if (v !== null && typeof v === "object" && !ArrayBuffer.isView(v)) {
        for (const k of Object.keys(v)) v[k] = fromWire(v[k]);
    }
    return v;
}

/**
 * Encode one message (an array such as `[0, msgid, method, [params]]`) as
 * a msgpack body.
 * @param {unknown[]} msg
 * @returns {Uint8Array}
 */
export function encodeMessage(msg) {
    return encoder.encode(toWire(msg));
}

/**
 * Decode one msgpack body (exactly one object; trailing bytes throw).
 * @param {Uint8Array} bytes
 * @returns {unknown}
 */
export function decodeMessage(bytes) {
    return fromWire(decoder.decode(bytes));
}

// ------------------------------------------------------------------ params
//
// checkParams() mirrors the server's params reader (proto/params.c): the
// keys of a map are checked for unknown ones first, then the fields in the
// order of the schema; the first failure wins; the messages are the
// server's.  A null or undefined optional field is absent, as on the wire.

/** UTF-8 length of s in bytes (a lone surrogate counts as 3, as encoded). */
export function utf8Length(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x80) n += 1;
        else if (c < 0x800) n += 2;
        else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length &&
                 (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
        else n += 3;
    }
    return n;
}

const LONE_SURROGATE = /\p{Surrogate}/u;

// Character classes of docs/protocol.md section 6, as the server tests them
// byte by byte (every byte >= 0x80 of a multi-byte character passes text
// and line).
const CHARSETS = {
    text: [/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/, "must not contain control characters"],
    line: [/[\x00-\x1f\x7f]/, "must not contain control characters"],
    code: [/[^A-Za-z0-9._-]/, "may hold only [A-Za-z0-9._-]"],
    lower: [/[^a-z]/, "may hold only [a-z]"],
    digits: [/[^0-9]/, "may hold only digits"],
    any: [/\x00/, "must not contain NUL"],
};

/** C's printf("%g"): six significant digits, as in the server's messages. */
function fmtG(x) {
    if (x === 0) return "0";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    const strip = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
    const [mant, e] = x.toExponential(5).split("e");
    const exp = Number(e);
    if (exp < -4 || exp >= 6)
        return `${strip(mant)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    return strip(x.toFixed(5 - exp));
}

/** A client-supplied key as the server echoes it: printable ASCII bytes,
 * others as '?', at most KEY_ECHO_MAX bytes. */
function echoKey(k) {
    const bytes = new TextEncoder().encode(k).subarray(0, KEY_ECHO_MAX);
    return Array.from(bytes, (b) => (b >= 0x21 && b <= 0x7e ? String.fromCharCode(b) : "?")).join("");
}

const joinKey = (path, key) => (path ? `${path}.${key}` : key);

function checkString(t, v) {
    if (typeof v !== "string") return "must be a string";
    const min = t.min_len ?? 0, max = t.max_len ?? DEFAULT_MAX_STR, n = utf8Length(v);
    if (n < min || n > max) return `must be ${min}..${max} bytes long, not ${n}`;
    if (LONE_SURROGATE.test(v)) return "must be valid UTF-8";
    const [bad, why] = CHARSETS[t.charset] ?? CHARSETS.any;
    return bad.test(v) ? why : null;
}

function checkInteger(t, v) {
    const min = t.min ?? INT64_MIN, max = t.max ?? INT64_MAX;
    const ok = (typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))) &&
               v >= min && v <= max;
    return ok ? null : `must be an integer ${min}..${max}`;
}

function checkNumber(t, v) {
    const min = t.min ?? -Number.MAX_VALUE, max = t.max ?? Number.MAX_VALUE;
    const x = typeof v === "bigint" ? Number(v) : v;
    const ok = typeof x === "number" && Number.isFinite(x) && x >= min && x <= max;
    return ok ? null : `must be a number ${fmtG(min)}..${fmtG(max)}`;
}

/**
 * Check one value against its type description; returns null or
 * `{field, message}` for the first failure.
 */
function checkValue(t, v, path) {
    let why = null;
    switch (t.type) {
    case "string": why = checkString(t, v); break;
    case "integer": why = checkInteger(t, v); break;
    case "number": why = checkNumber(t, v); break;
    case "boolean": if (typeof v !== "boolean") why = "must be true or false"; break;
    case "enum":
        if (!t.values.includes(v)) why = `must be one of: ${t.values.join(", ")}`;
        break;
    case "array": {
        const min = t.min_items ?? 0, max = t.max_items ?? DEFAULT_MAX_ARRAY;
        if (!Array.isArray(v) || v.length < min || v.length > max)
            return { field: path, message: `must be an array of ${min}..${max} elements` };
        if (t.items === undefined) return null;
        for (let i = 0; i < v.length; i++) {
            const bad = checkValue(t.items, v[i], `${path}[${i}]`);
            if (bad) return bad;
        }
        return null;
    }
    case "object": return checkFields(t.fields ?? [], v, path);
    case "codec": // the server's codec judges the content
    case "ref":
        if (!isPlainObject(v)) why = "must be a map";
        break;
    default: // a type this client does not know: left to the server
        break;
    }
    return why === null ? null : { field: path, message: why };
}

function checkFields(fields, v, path) {
    if (!isPlainObject(v)) return { field: path, message: "must be a map" };
    for (const k of Object.keys(v)) {
        if (v[k] !== undefined && !fields.some((f) => f.name === k))
            return { field: joinKey(path, echoKey(k)), message: "unknown key" };
    }
    for (const f of fields) {
        const x = v[f.name], p = joinKey(path, f.name);
        if (x === undefined || x === null) {
            if (f.required) return { field: p, message: "is required" };
            continue;
        }
        const bad = checkValue(f, x, p);
        if (bad) return bad;
    }
    return null;
}

/**
 * Check the params of one call against a method's schema entry.
 * @param {{params: object[]}} spec   an entry of METHODS
 * @param {object} params
 * @returns {{field: string, message: string} | null}  the first failure, or null
 */
export function checkParams(spec, params) {
    return checkFields(spec.params ?? [], params, "");
}

/**
 * The client function name of a method: `match.review` -> `matchReview`,
 * `user.create_batch` -> `userCreateBatch`.
 * @param {string} method
 */
export function functionName(method) {
    return method.split(/[._]/).filter(Boolean)
        .map((p, i) => (i === 0 ? p : p[0].toUpperCase() + p.slice(1))).join("");
}

// ---------------------------------------------------------------- session

/** A Web-Storage-like object kept in memory (node, or a browser without
 * sessionStorage). */
export class MemoryStorage {
    constructor() { this.map = new Map(); }
    getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
    setItem(k, v) { this.map.set(k, String(v)); }
    removeItem(k) { this.map.delete(k); }
}

function defaultStorage() {
    try {
        if (globalThis.sessionStorage) return globalThis.sessionStorage;
    } catch { /* storage disabled by the browser: keep the token in memory */ }
    return new MemoryStorage();
}

/**
 * Delay before reconnect attempt `attempt` (0 for the first): exponential,
 * capped at `max`, then reduced by up to `jitter` of itself at random so
 * that many clients dropped at once do not come back in step.
 * @param {number} attempt
 * @param {{initial?: number, max?: number, factor?: number, jitter?: number}} [backoff]
 * @param {() => number} [random]   a number in [0, 1)
 * @returns {number} milliseconds
 */
export function backoffDelay(attempt, backoff = {}, random = Math.random) {
    const b = { ...DEFAULT_BACKOFF, ...backoff };
    const capped = Math.min(b.max, b.initial * b.factor ** attempt);
    return capped * (1 - b.jitter * random());
}

// ----------------------------------------------------------------- client

/**
 * @typedef {object} Transport
 * One open connection that carries whole message bodies.
 * @property {(body: Uint8Array) => void} send   send one body (the transport frames it); throws when closed
 * @property {() => void} close                  close the connection
 * @property {((body: Uint8Array) => void) | null} onmessage   set by the client: one received body
 * @property {((err?: Error) => void) | null} onclose          set by the client: called once when the connection ended
 */

/**
 * A coachnet client: calls, notifications, session and reconnection over
 * one transport at a time.
 *
 * Calls may be made at any time: before the connection is up, or while it
 * reconnects, they wait (within their timeout) and are sent once the
 * session is resumed.  Requests are pipelined; responses are matched by
 * msgid in whatever order they come.
 */
export class CoachnetClient {
    /**
     * @param {object} opts
     * @param {() => Promise<Transport>} [opts.connect]  opens a transport; with it the client
     *        connects on the first call (or open()) and reconnects after a drop
     * @param {Transport} [opts.transport]  an open transport, used as it is (no reconnect)
     * @param {Record<string, object>} [opts.methods]  the schema table (default METHODS)
     * @param {number} [opts.timeout=10000]   ms each call may take, waiting for the connection
     *        included; 0: no limit
     * @param {Storage} [opts.storage]   where the session token is kept (default
     *        sessionStorage in a browser, memory otherwise)
     * @param {string} [opts.storageKey="coachnet.token"]
     * @param {boolean} [opts.reconnect=true]   reconnect after a drop (needs opts.connect)
     * @param {{initial?: number, max?: number, factor?: number, jitter?: number}} [opts.backoff]
     *        reconnect delays in ms (default 250 doubling up to 30000, jitter 0.5)
     * @param {() => number} [opts.random=Math.random]   jitter source
     * @param {boolean} [opts.validate=true]   check params against the schema before sending
     * @param {number} [opts.maxFrame=1048576]   largest request body sent (the server's max-frame:
     *        a larger frame would make it close the connection)
     * @param {number} [opts.firstMsgid=1]
     */
    constructor(opts = {}) {
        if (!opts.connect && !opts.transport)
            throw new TypeError("CoachnetClient: give opts.connect (a transport factory) or opts.transport");
        this.methods = opts.methods ?? METHODS;
        this.timeout = opts.timeout ?? 10000;
        this.storage = opts.storage ?? defaultStorage();
        this.storageKey = opts.storageKey ?? "coachnet.token";
        this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
        this.validate = opts.validate ?? true;
        this.maxFrame = opts.maxFrame ?? DEFAULT_MAX_FRAME;
        /** @type {string|null} role of the session, from the last auth.login/auth.resume */
        this.role = null;
        /** @type {string|null} */
        this.subject = null;
        this._factory = opts.connect ?? null;
        this._reconnect = Boolean(this._factory) && opts.reconnect !== false;
        this._random = opts.random ?? Math.random;
        this._nextMsgid = opts.firstMsgid ?? 1;
        this._pending = new Map();   // msgid -> call, sent and unanswered
        this._queue = [];            // calls waiting for the connection
        this._listeners = new Map(); // event -> Set of functions
        this._transport = null;
        this._state = "idle";        // idle | connecting | resuming | open | backoff | closed
        this._attempt = 0;           // failed connects since the last success
        this._backoffTimer = null;
        this._lastError = null;      // why the last connect or connection failed

        for (const method of Object.keys(this.methods)) {
            const name = functionName(method);
            if (name in this)
                throw new Error(`method ${method}: client function ${name} is already a member`);
            Object.defineProperty(this, name, {
                value: (params = {}, callOpts) => this.call(method, params, callOpts),
                writable: true, configurable: true,
            });
        }
        if (opts.transport) this._attach(opts.transport);
    }

    /** The session token held in storage, or null. */
    get token() { return this.storage.getItem(this.storageKey); }

    /** Connection state: `idle`, `connecting`, `resuming`, `open`, `backoff` or `closed`. */
    get state() { return this._state; }

    // ------------------------------------------------------------ calls

    /**
     * Call a method.  The params are checked against the schema first
     * (unknown method, unknown key, missing, wrong type, out of range:
     * rejected without sending).
     * @param {string} method   e.g. `match.review`
     * @param {object} [params]
     * @param {{timeout?: number}} [opts]   ms for this call (default: the client's)
     * @returns {Promise<any>}   the result map; rejects with CoachnetError
     */
    async call(method, params = {}, opts = {}) {
        const spec = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
        if (spec === undefined)
            throw new CoachnetError("unknown_method", `unknown method '${method}'`, { field: "method", method });
        if (this.validate) {
            const bad = checkParams(spec, params);
            if (bad) throw new CoachnetError("invalid_params", bad.message, { field: bad.field, method });
        }
        if (method === "auth.logout") this._setToken(null); // the user is done with it, whatever the answer
        const result = await this._request(method, params, opts.timeout ?? this.timeout, false);
        if (method === "auth.login" || method === "auth.resume") {
            if (method === "auth.login" && typeof result?.token === "string") this._setToken(result.token);
            if (method === "auth.resume") this._setToken(params.token);
            this.role = result?.role ?? null;
            this.subject = result?.subject ?? null;
            this._emit("session", { role: this.role, subject: this.subject });
        } else if (method === "auth.logout") {
            this.role = this.subject = null;
            this._emit("session", { role: null, subject: null });
        }
        return result;
    }

    /**
     * Log in (auth.login); the token is kept in the storage and used to
     * resume the session after a reconnect.
     * @returns {Promise<{token: string, role: string, subject?: string, programs?: string[], expires_in: number}>}
     */
    login(login, password, opts) {
        return this.call("auth.login", { login, password }, opts);
    }

    /**
     * Bind this connection to an existing session (auth.resume), by
     * default the stored one.
     */
    resume(token = this.token, opts) {
        return this.call("auth.resume", { token }, opts);
    }

    /** End the session (auth.logout) and forget the token. */
    logout(opts) {
        return this.call("auth.logout", {}, opts);
    }

    /** Connect now (otherwise the first call does); resolves once the
     * connection is usable (session resumed). */
    open() {
        return new Promise((resolve, reject) => {
            if (this._state === "open") return resolve();
            if (this._state === "closed") return reject(this._closedError());
            if (this._state === "idle" && !this._factory) return reject(this._notConnectedError());
            // Without reconnect, a failed attempt is final: report it.
            const offFail = this._reconnect ? () => {} : this.once("close", (err) => {
                offOpen();
                reject(new CoachnetError("unavailable", `cannot connect: ${err.message}`, { cause: err }));
            });
            const offOpen = this.once("open", () => { offFail(); resolve(); });
            if (this._state === "idle") this._connect();
        });
    }

    /**
     * Skip the rest of the backoff delay and try to connect now, e.g. when
     * the browser reports that the network is back (the `online` event) or
     * a hidden page becomes visible again.  Does nothing unless the client
     * is waiting to reconnect.
     * @returns {boolean} whether an attempt was started
     */
    reconnectNow() {
        if (this._state !== "backoff") return false;
        clearTimeout(this._backoffTimer);
        this._connect();
        return true;
    }

    /** Close the connection for good: no reconnect; calls in flight and
     * waiting are rejected with `unavailable`. */
    close() {
        if (this._state === "closed") return;
        this._state = "closed";
        clearTimeout(this._backoffTimer);
        const t = this._transport;
        this._transport = null;
        if (t) t.close();
        this._failAll(this._closedError());
    }

    // ------------------------------------------------------------ events

    /**
     * Listen to a notification (`match.updated`, `run.progress`,
     * `run.done`; `*` for all: fn(params, method)) or to a client event:
     * `open` (connection usable), `close` (connection lost: fn(error)),
     * `resume-failed` (the stored session was refused after a reconnect and
     * forgotten: fn(error)), `session` (the session's role changed: after
     * auth.login, auth.resume, auth.logout or a refused resume:
     * fn({role, subject}), role null when logged out).
     * @returns {() => void} a function that removes the listener
     */
    on(event, fn) {
        if (!this._listeners.has(event)) this._listeners.set(event, new Set());
        this._listeners.get(event).add(fn);
        return () => this.off(event, fn);
    }

    /** Like on(), for one event only. */
    once(event, fn) {
        const off = this.on(event, (...args) => { off(); fn(...args); });
        return off;
    }

    /** Remove a listener added with on(). */
    off(event, fn) {
        this._listeners.get(event)?.delete(fn);
    }

    _emit(event, ...args) {
        for (const fn of [...(this._listeners.get(event) ?? [])]) {
            try {
                fn(...args);
            } catch (err) {
                // A listener's bug must not break the read path: report it
                // the way an uncaught error of an event handler is.
                queueMicrotask(() => { throw err; });
            }
        }
    }

    // ------------------------------------------------------------ requests

    _request(method, params, timeout, internal) {
        return new Promise((resolve, reject) => {
            const c = { method, params, resolve, reject, msgid: null, timer: null, internal };
            if (timeout > 0) {
                c.timer = setTimeout(() => {
                    if (c.msgid !== null) this._pending.delete(c.msgid);
                    else this._queue = this._queue.filter((q) => q !== c);
                    const why = c.msgid === null && this._lastError ? ` (not connected: ${this._lastError.message})` : "";
                    reject(new CoachnetError("timeout", `no response within ${timeout} ms${why}`,
                                             { method, msgid: c.msgid }));
                }, timeout);
            }
            if (this._state === "closed") return this._fail(c, this._closedError());
            if (this._state === "open" || internal) return this._send(c);
            if (this._state === "idle" && !this._factory) return this._fail(c, this._notConnectedError());
            this._queue.push(c);
            if (this._state === "idle") this._connect();
        });
    }

    _allocMsgid() {
        for (;;) {
            const id = this._nextMsgid;
            this._nextMsgid = id >= MSGID_MAX ? 1 : id + 1;
            if (!this._pending.has(id)) return id;
        }
    }

    _send(c) {
        const msgid = this._allocMsgid();
        let body;
        try {
            body = encodeMessage([REQUEST, msgid, c.method, [c.params]]);
        } catch (err) {
            return this._fail(c, new CoachnetError("invalid_params", `cannot encode params: ${err.message}`,
                                                   { method: c.method, cause: err }));
        }
        if (body.length > this.maxFrame)
            return this._fail(c, new CoachnetError("too_large",
                `request of ${body.length} bytes exceeds max-frame ${this.maxFrame}`, { method: c.method }));
        const t = this._transport;
        try {
            if (t === null) throw new Error("not connected");
            t.send(body);
        } catch (err) {
            // Nothing went out: the call can wait for the next connection.
            if (this._reconnect && !c.internal) this._queue.push(c);
            else this._fail(c, new CoachnetError("unavailable", `send: ${err.message}`, { cause: err }));
            if (t !== null) this._dropped(t, err);
            return;
        }
        c.msgid = msgid;
        this._pending.set(msgid, c);
    }

    _fail(c, err) {
        clearTimeout(c.timer);
        if (err.method === null) err.method = c.method;
        if (err.msgid === null) err.msgid = c.msgid;
        c.reject(err);
    }

    _failAll(err, { queued = true } = {}) {
        const calls = [...this._pending.values(), ...(queued ? this._queue : [])];
        this._pending.clear();
        if (queued) this._queue = [];
        for (const c of calls)
            this._fail(c, new CoachnetError(err.code, err.message, { cause: err.cause }));
    }

    _closedError() {
        return new CoachnetError("unavailable", "client closed");
    }

    _notConnectedError() {
        const why = this._lastError ? `: ${this._lastError.message}` : "";
        return new CoachnetError("unavailable", `not connected${why}`);
    }

    // ------------------------------------------------------------ incoming

    _onMessage(t, body) {
        if (t !== this._transport) return;
        let msg;
        try {
            msg = decodeMessage(body);
        } catch (err) {
            return this._protocolError(t, `undecodable message: ${err.message}`);
        }
        if (Array.isArray(msg) && msg[0] === RESPONSE && msg.length === 4) {
            const c = this._pending.get(msg[1]);
            if (c === undefined) return; // timed out meanwhile
            this._pending.delete(msg[1]);
            clearTimeout(c.timer);
            const [, msgid, error, result] = msg;
            if (error === null || error === undefined) return c.resolve(result);
            const e = isPlainObject(error) ? error : { code: String(error) };
            return c.reject(new CoachnetError(String(e.code ?? "internal"), String(e.message ?? ""),
                                              { field: e.field ?? null, method: c.method, msgid }));
        }
        if (Array.isArray(msg) && msg[0] === NOTIFICATION && msg.length === 3 && typeof msg[1] === "string") {
            let params = msg[2];
            if (Array.isArray(params) && params.length === 1) params = params[0];
            this._emit(msg[1], params, msg[1]);
            this._emit("*", params, msg[1]);
            return;
        }
        this._protocolError(t, "unexpected message from server");
    }

    _protocolError(t, text) {
        this._dropped(t, new Error(text));
        t.close();
    }

    // ------------------------------------------------------------ connection

    _attach(t) {
        this._transport = t;
        t.onmessage = (body) => this._onMessage(t, body);
        t.onclose = (err) => this._dropped(t, err ?? new Error("connection closed"));
        this._state = "resuming";
        this._resumeThenOpen(t);
    }

    async _connect() {
        this._state = "connecting";
        let t;
        try {
            t = await this._factory();
        } catch (err) {
            if (this._state === "closed") return;
            this._lastError = err;
            this._emit("close", err);
            return this._retryLater(err);
        }
        if (this._state === "closed") {
            t.close();
            return;
        }
        this._attach(t);
    }

    // After (re)connecting: resume the stored session before any other
    // call goes out, so that the queued calls run with the same rights as
    // before the drop.
    async _resumeThenOpen(t) {
        const token = this.token;
        if (token !== null) {
            try {
                const r = await this._request("auth.resume", { token }, this.timeout, true);
                this.role = r?.role ?? null;
                this.subject = r?.subject ?? null;
                this._emit("session", { role: this.role, subject: this.subject });
            } catch (err) {
                if (t !== this._transport) return; // dropped meanwhile: _dropped() took over
                if (err.code !== "unauthenticated") {
                    // Redis down, timeout: the session may still be good;
                    // try again on a new connection.
                    this._protocolError(t, `auth.resume: ${err.code}: ${err.message}`);
                    return;
                }
                this._setToken(null);
                this.role = this.subject = null;
                this._emit("resume-failed", err);
                this._emit("session", { role: null, subject: null });
            }
        }
        if (t !== this._transport) return;
        this._state = "open";
        this._attempt = 0;
        this._lastError = null;
        const queue = this._queue;
        this._queue = [];
        for (const c of queue) this._send(c);
        this._emit("open");
    }

    _dropped(t, err) {
        if (t !== this._transport) return;
        this._transport = null;
        this._lastError = err;
        // Sent calls may or may not have run: they fail.  Queued ones wait
        // for the next connection when there will be one.
        this._failAll(new CoachnetError("unavailable", `connection lost: ${err.message}`, { cause: err }),
                      { queued: !this._reconnect });
        this._emit("close", err);
        if (this._reconnect) this._retryLater(err);
        else this._state = "idle";
    }

    _retryLater(err) {
        if (!this._reconnect) {
            this._state = "idle";
            this._failAll(new CoachnetError("unavailable", `cannot connect: ${err.message}`, { cause: err }));
            return;
        }
        this._state = "backoff";
        const delay = backoffDelay(this._attempt++, this.backoff, this._random);
        this._backoffTimer = setTimeout(() => {
            if (this._state === "backoff") this._connect();
        }, delay);
    }

    _setToken(token) {
        if (token === null || token === undefined) this.storage.removeItem(this.storageKey);
        else this.storage.setItem(this.storageKey, token);
    }
}
