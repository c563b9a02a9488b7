// transport-ws.mjs -- coachnet over a WebSocket (the browser's, or any
// object with the same interface): endpoint /rpc, subprotocol coachnet.v1,
// one msgpack body per binary message, no length prefix.
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

/** The WebSocket subprotocol of coachnet's msgpack-RPC. */
export const SUBPROTOCOL = "coachnet.v1";

/** Close code sent when the server breaks the protocol. */
export const PROTOCOL_ERROR = 4002;

/** The WebSocket endpoint's path on coachnetd. */
export const RPC_PATH = "/rpc";

/**
 * The URL of the RPC endpoint of the server a page came from: `wss:` for
 * a page loaded over `https:` (`ws:` only for `http:`, e.g. a local test
 * server), the same host and port, path /rpc.
 * @param {{protocol: string, host: string}} [loc]   default globalThis.location
 * @returns {string}
 */
export function rpcUrl(loc = globalThis.location) {
    if (!loc || typeof loc.host !== "string" || loc.host === "")
        throw new Error("rpcUrl: no location to derive the server from");
    return `${loc.protocol === "http:" ? "ws:" : "wss:"}//${loc.host}${RPC_PATH}`;
}

/**
 * Open a WebSocket to coachnetd and return it as a client transport once
 * it is open with the coachnet.v1 subprotocol.
 *
 * A text message, or a server that did not agree to the subprotocol, ends
 * the connection with close code 4002 (a browser may not send 1002,
 * "protocol error": scripts may use only 1000 and 3000..4999).
 *
 * @param {string} url   e.g. `wss://coach.example.org/rpc`
 * @param {object} [opts]
 * @param {typeof WebSocket} [opts.WebSocket]   the WebSocket class (default globalThis.WebSocket)
 * @param {number} [opts.connectTimeout=10000]   ms for the connection to open
 * @returns {Promise<import("./coachnet.mjs").Transport>}
 */
export function connectWebSocket(url, opts = {}) {
    const WS = opts.WebSocket ?? globalThis.WebSocket;
    if (typeof WS !== "function")
        return Promise.reject(new Error("no WebSocket implementation: pass opts.WebSocket"));
    return new Promise((resolve, reject) => {
        let ws;
        try {
            ws = new WS(url, SUBPROTOCOL);
        } catch (err) {
            reject(err);
            return;
        }
        ws.binaryType = "arraybuffer";
        let opened = false, failure = null;
        const fail = (text) => {
            failure = new Error(text);
            ws.close(PROTOCOL_ERROR, text);
        };
        const timer = setTimeout(() => {
            failure = new Error(`connect to ${url}: timed out`);
            ws.close();
        }, opts.connectTimeout ?? 10000);
        const transport = {
            onmessage: null,
            onclose: null,
            send(body) {
                if (ws.readyState !== 1) throw new Error("connection closed");
                ws.send(body);
            },
            close() {
                if (ws.readyState <= 1) ws.close(1000);
            },
        };
        ws.onopen = () => {
            clearTimeout(timer);
            if (ws.protocol !== SUBPROTOCOL) {
                fail(`server did not agree to subprotocol ${SUBPROTOCOL}`);
                return;
            }
            opened = true;
            resolve(transport);
        };
        ws.onmessage = (ev) => {
            const d = ev.data;
            if (d instanceof ArrayBuffer) transport.onmessage?.(new Uint8Array(d));
            else if (ArrayBuffer.isView(d)) transport.onmessage?.(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
            else fail("text message on a binary protocol");
        };
        ws.onerror = () => {
            // The event carries no detail by design (browsers); onclose follows.
            failure ??= new Error(`connection to ${url} failed`);
        };
        ws.onclose = (ev) => {
            clearTimeout(timer);
            const err = failure ?? new Error(`connection closed (code ${ev.code}${ev.reason ? ": " + ev.reason : ""})`);
            if (!opened) reject(err);
            else {
                opened = false;
                transport.onclose?.(err);
            }
        };
    });
}
