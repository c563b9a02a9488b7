// transport-tls.mjs -- coachnet over TLS for node (node:tls), the framing of
// docs/protocol.md section 2: every body is preceded by its length, 4 bytes
// big-endian.  Node only; the browser uses transport-ws.mjs.
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import tls from "node:tls";

/** Default limit of an incoming frame body (the server's PROTO_DEFAULT_MAX_FRAME;
 * the server keeps its responses under its own max-frame). */
export const DEFAULT_MAX_FRAME = 1048576;

const HEADER = 4;

/** Build one frame: length prefix + body. */
export function frame(body) {
    const out = Buffer.allocUnsafe(HEADER + body.length);
    out.writeUInt32BE(body.length, 0);
    out.set(body, HEADER);
    return out;
}

/**
 * Splits a byte stream into frame bodies.  push() takes chunks of any size
 * and returns the bodies completed by them; a length of 0 or above
 * maxFrame throws (the stream cannot be trusted any further).  The body is
 * joined once, when it is complete, however many chunks it came in.
 */
export class FrameReader {
    /** @param {number} [maxFrame] */
    constructor(maxFrame = DEFAULT_MAX_FRAME) {
        this.maxFrame = maxFrame;
        this.chunks = [];
        this.have = 0;      // bytes in chunks
        this.bodyLen = -1;  // length of the body being read, -1 while reading the prefix
    }

    _take(n) {
        const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.have);
        const rest = all.subarray(n);
        this.chunks = rest.length ? [rest] : [];
        this.have = rest.length;
        return all.subarray(0, n);
    }

    /**
     * @param {Uint8Array} chunk
     * @returns {Uint8Array[]} the bodies completed by this chunk
     */
    push(chunk) {
        const out = [];
        if (chunk.length) {
            this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
            this.have += chunk.length;
        }
        for (;;) {
            if (this.bodyLen < 0) {
                if (this.have < HEADER) break;
                const n = this._take(HEADER).readUInt32BE(0);
                if (n === 0) throw new Error("frame of length 0 from server");
                if (n > this.maxFrame) throw new Error(`frame of ${n} bytes from server exceeds max-frame ${this.maxFrame}`);
                this.bodyLen = n;
            }
            if (this.have < this.bodyLen) break;
            out.push(this._take(this.bodyLen));
            this.bodyLen = -1;
        }
        return out;
    }
}

/**
 * Open a TLS connection to coachnetd and return it as a client transport
 * once the handshake is done (the server certificate verified).
 *
 * @param {object} opts
 * @param {string} [opts.host="127.0.0.1"]
 * @param {number} [opts.port=7400]
 * @param {string|Buffer} [opts.ca]    CA certificate(s), PEM; default: node's CA store
 * @param {string} [opts.caFile]       the same, from a file
 * @param {string} [opts.certFile]     client certificate (mutual TLS), PEM file
 * @param {string} [opts.keyFile]      its private key
 * @param {string} [opts.servername]   name checked against the certificate (default host)
 * @param {boolean} [opts.rejectUnauthorized=true]   false: no verification (tests only)
 * @param {number} [opts.maxFrame=1048576]   largest incoming frame body
 * @param {number} [opts.connectTimeout=10000]   ms for TCP connect + handshake
 * @returns {Promise<import("./coachnet.mjs").Transport>}
 */
export function connectTls(opts = {}) {
    const host = opts.host ?? "127.0.0.1";
    const port = opts.port ?? 7400;
    const options = {
        host, port,
        ca: opts.ca ?? (opts.caFile ? readFileSync(opts.caFile) : undefined),
        cert: opts.certFile ? readFileSync(opts.certFile) : undefined,
        key: opts.keyFile ? readFileSync(opts.keyFile) : undefined,
        rejectUnauthorized: opts.rejectUnauthorized ?? true,
        minVersion: "TLSv1.2",
    };
    // SNI carries host names only; an IP is still checked against the
    // certificate's IP subjectAltName.
    const name = opts.servername ?? host;
    if (!isIP(name)) options.servername = name;
    else if (opts.servername) options.checkServerIdentity = (_h, cert) => tls.checkServerIdentity(name, cert);
    const reader = new FrameReader(opts.maxFrame ?? DEFAULT_MAX_FRAME);

    return new Promise((resolve, reject) => {
        const sock = tls.connect(options);
        sock.setNoDelay(true);
        let opened = false, failure = null;
        const timer = setTimeout(() => sock.destroy(new Error(`connect to ${host}:${port}: timed out`)),
                                 opts.connectTimeout ?? 10000);
        const transport = {
            onmessage: null,
            onclose: null,
            send(body) {
                if (!opened || sock.destroyed || !sock.writable) throw new Error("connection closed");
                sock.write(frame(body));
            },
            close() {
                if (sock.destroyed) return;
                sock.end(); // close_notify; the server closes its side
                setTimeout(() => sock.destroy(), 1000).unref();
            },
        };
        sock.once("secureConnect", () => {
            clearTimeout(timer);
            opened = true;
            resolve(transport);
        });
        sock.on("data", (chunk) => {
            let bodies;
            try {
                bodies = reader.push(chunk);
            } catch (err) {
                sock.destroy(err);
                return;
            }
            for (const b of bodies) {
                if (sock.destroyed) return;
                transport.onmessage?.(b);
            }
        });
        sock.on("error", (err) => { failure = err; });
        sock.on("close", () => {
            clearTimeout(timer);
            const err = failure ?? new Error("connection closed by server");
            if (!opened) reject(new Error(`connect to ${host}:${port}: ${err.message}`, { cause: err }));
            else transport.onclose?.(err);
        });
    });
}
