// The transports: length framing (FrameReader), the WebSocket transport
// against a fake WebSocket, the TLS transport against a local node:tls
// server with a certificate made by the openssl CLI.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test, { after } from "node:test";
import tls from "node:tls";

import { CoachnetClient, decodeMessage, encodeMessage } from "../coachnet.mjs";
import { FrameReader, connectTls, frame } from "../transport-tls.mjs";
import { SUBPROTOCOL, connectWebSocket, rpcUrl } from "../transport-ws.mjs";
import { until } from "./helpers.mjs";

// ------------------------------------------------------------ framing

test("frames: bodies come out whole however the stream is cut, down to single bytes", () => {
    const bodies = [encodeMessage([1, 1, null, { a: "x".repeat(300) }]), encodeMessage([2, "run.done", [{}]]),
                    new Uint8Array([0xc0])];
    const stream = Buffer.concat(bodies.map(frame));
    assert.deepEqual([...stream.subarray(0, 4)], [0, 0, 1, bodies[0].length - 256]);
    for (const step of [1, 2, 3, 5, 7, 64, stream.length]) {
        const r = new FrameReader();
        const out = [];
        for (let i = 0; i < stream.length; i += step) out.push(...r.push(stream.subarray(i, i + step)));
        assert.deepEqual(out.map((b) => Buffer.from(b).toString("hex")), bodies.map((b) => Buffer.from(b).toString("hex")), `step ${step}`);
        assert.equal(r.have, 0);
    }
});

test("frames: a length of 0 or above max-frame is refused as soon as the prefix is read", () => {
    assert.throws(() => new FrameReader().push(Buffer.from([0, 0, 0, 0])), /length 0/);
    const r = new FrameReader(100);
    assert.deepEqual(r.push(Buffer.from([0, 0, 0, 100])), []); // exactly the limit: fine
    assert.throws(() => new FrameReader(100).push(Buffer.from([0, 0, 0, 101])), /101 bytes .* max-frame 100/);
    assert.throws(() => new FrameReader().push(Buffer.from([0x7f, 0xff, 0xff, 0xff])), /exceeds max-frame 1048576/);
});

// ------------------------------------------------------------ WebSocket

class FakeWebSocket {
    static last = null;
    constructor(url, protocol) {
        this.url = url;
        this.requested = protocol;
        this.readyState = 0;
        this.protocol = "";
        this.sent = [];
        this.closedWith = null;
        FakeWebSocket.last = this;
    }
    send(d) { this.sent.push(d); }
    close(code, reason) {
        // as browsers: scripts may close with 1000 or 3000..4999 only
        if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999))
            throw new Error(`InvalidAccessError: close code ${code}`);
        this.closedWith = [code, reason];
        this.readyState = 3;
        setImmediate(() => this.onclose?.({ code: code ?? 1005, reason: reason ?? "" }));
    }
    // server side
    accept(protocol = SUBPROTOCOL) { this.protocol = protocol; this.readyState = 1; this.onopen?.({}); }
    deliver(data) { this.onmessage?.({ data }); }
}

test("websocket: subprotocol coachnet.v1, binary messages both ways, a client on top", async () => {
    const pending = connectWebSocket("wss://h/rpc", { WebSocket: FakeWebSocket });
    const ws = FakeWebSocket.last;
    assert.equal(ws.url, "wss://h/rpc");
    assert.equal(ws.requested, "coachnet.v1");
    assert.equal(ws.binaryType, "arraybuffer");
    ws.accept();
    const t = await pending;
    const c = new CoachnetClient({ transport: t, methods: { "a.b": { params: [] } } });
    const p = c.aB();
    assert.deepEqual(decodeMessage(ws.sent[0]), [0, 1, "a.b", [{}]]);   // the body alone, no prefix
    const reply = encodeMessage([1, 1, null, { ok: 1 }]);
    ws.deliver(reply.buffer.slice(reply.byteOffset, reply.byteOffset + reply.length));
    assert.deepEqual(await p, { ok: 1 });
    const closed = new Promise((r) => c.on("close", r));
    ws.readyState = 3; // the server went away
    ws.onclose({ code: 1006, reason: "gone" });
    assert.match((await closed).message, /code 1006: gone/);
});

test("websocket: a text message, or a server without the subprotocol, is a protocol error", async () => {
    const pending = connectWebSocket("ws://h/rpc", { WebSocket: FakeWebSocket });
    const ws = FakeWebSocket.last;
    ws.accept();
    const t = await pending;
    const closed = new Promise((r) => { t.onclose = r; });
    ws.deliver("hello");
    assert.equal(ws.closedWith[0], 4002);
    assert.match((await closed).message, /text message/);

    const refused = connectWebSocket("ws://h/rpc", { WebSocket: FakeWebSocket });
    FakeWebSocket.last.accept("");
    await assert.rejects(refused, /did not agree to subprotocol coachnet.v1/);

    const failed = connectWebSocket("ws://h/rpc", { WebSocket: FakeWebSocket });
    FakeWebSocket.last.onerror({});
    FakeWebSocket.last.onclose({ code: 1006, reason: "" });
    await assert.rejects(failed, /connection to ws:\/\/h\/rpc failed/);
    await assert.rejects(connectWebSocket("ws://h/rpc", { WebSocket: null }), /no WebSocket implementation/);
});

// ------------------------------------------------------------ TLS

const dir = mkdtempSync(join(tmpdir(), "coachnet-js-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function selfSigned(name) {
    const key = join(dir, `${name}.key`), cert = join(dir, `${name}.pem`);
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
    return { key: readFileSync(key), cert: readFileSync(cert), certFile: cert };
}

/** A TLS server on a free port; onFrame(body, socket) for every frame. */
async function tlsServer(id, onFrame) {
    const srv = tls.createServer({ key: id.key, cert: id.cert }, (sock) => {
        const r = new FrameReader();
        sock.on("data", (d) => { for (const b of r.push(d)) onFrame(b, sock); });
        sock.on("error", () => {});
    });
    await new Promise((res) => srv.listen(0, "127.0.0.1", res));
    after(() => srv.close());
    return srv.address().port;
}

test("tls: framed requests and responses, checked against the CA file; pipelined answers out of order", async () => {
    const id = selfSigned("srv");
    const port = await tlsServer(id, (body, sock) => {
        const [, msgid, method, [params]] = decodeMessage(body);
        const answer = () => sock.write(frame(encodeMessage([1, msgid, null, { method, echo: params }])));
        if (params.slow) setTimeout(answer, 30); else answer();
    });
    const t = await connectTls({ host: "127.0.0.1", port, caFile: id.certFile });
    const c = new CoachnetClient({ transport: t, methods: { "e.cho": { params: [{ name: "slow", type: "boolean" }, { name: "n", type: "integer" }] } } });
    const order = [];
    const ps = [c.eCho({ slow: true, n: 1 }), c.eCho({ n: 2 }), c.eCho({ n: 3 })].map((p) => p.then((r) => { order.push(r.echo.n); return r; }));
    const rs = await Promise.all(ps);
    assert.deepEqual(rs.map((r) => r.echo.n), [1, 2, 3]);
    assert.equal(order[order.length - 1], 1, "the slow answer came last");
    c.close();
    // servername: an IP host with a name to check
    const t2 = await connectTls({ host: "127.0.0.1", port, ca: id.cert, servername: "localhost" });
    t2.close();
});

test("tls: an unknown CA is refused; a frame above max-frame from the server ends the connection", async () => {
    const id = selfSigned("srv2"), other = selfSigned("other");
    const port = await tlsServer(id, (body, sock) => {
        const [, msgid] = decodeMessage(body);
        const big = encodeMessage([1, msgid, null, { x: "y".repeat(2000) }]);
        sock.write(frame(big));
    });
    await assert.rejects(connectTls({ host: "127.0.0.1", port, caFile: other.certFile }), /connect to 127.0.0.1:\d+: /);
    await assert.rejects(connectTls({ host: "127.0.0.1", port: 1, caFile: id.certFile }), /ECONNREFUSED/);
    const t = await connectTls({ host: "127.0.0.1", port, caFile: id.certFile, maxFrame: 1000 });
    const c = new CoachnetClient({ transport: t, methods: { "x.y": { params: [] } } });
    const e = await c.xY().then(() => null, (err) => err);
    assert.equal(e.code, "unavailable");
    assert.match(e.message, /exceeds max-frame 1000/);
    await until(() => c.state === "idle");
});

test("rpcUrl: wss on an https page (ws only on http), same host and port, path /rpc", () => {
    assert.equal(rpcUrl({ protocol: "https:", host: "coach.example.org" }), "wss://coach.example.org/rpc");
    assert.equal(rpcUrl({ protocol: "https:", host: "127.0.0.1:7443" }), "wss://127.0.0.1:7443/rpc");
    assert.equal(rpcUrl({ protocol: "http:", host: "localhost:8080" }), "ws://localhost:8080/rpc");
    assert.throws(() => rpcUrl({ protocol: "file:", host: "" }), /no location/);
});
