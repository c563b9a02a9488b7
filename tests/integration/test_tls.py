#!/usr/bin/python3
"""Transport security of coachnetd (DESIGN sections 2 and 7, issue 4):
TLS 1.2 and 1.3 accepted; a plain TCP client and a TLS 1.1 client refused;
with mTLS (tls-auth-clients yes) a client without a certificate, or with one
from another CA, refused; tls-min-version 1.3 refuses TLS 1.2; handshake
timeout; certificate reload on SIGHUP; the plaintext unix socket."""

import os
import shutil
import signal
import socket
import ssl
import struct
import threading
import time
import warnings

from harness import Suite, main, expect_error, coachnet, SLOW, ADMIN_LOGIN, ADMIN_PASSWORD, \
    Certs, wait_until

warnings.filterwarnings("ignore", category=DeprecationWarning)

HANDSHAKE_MS = 1000
suite = Suite("tls", handshake_timeout_ms=HANDSHAKE_MS)
t = suite.test


def ctx_for(version, s, cert=None):
    """A client context pinned to one TLS version, trusting the test CA."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if version == ssl.TLSVersion.TLSv1_1:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = version
    ctx.maximum_version = version
    ctx.load_verify_locations(cafile=str(s.env.certs.ca))
    if cert:
        ctx.load_cert_chain(*cert)
    return ctx


def refused(srv, **kw):
    """Connect and try one request; assert the server refuses: the
    handshake fails or the connection is closed before any response."""
    try:
        c = srv.client(timeout=5 * SLOW, **kw)
    except coachnet.ConnectionClosed as e:
        return str(e)
    try:
        c.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)
    except coachnet.ConnectionClosed as e:
        return str(e)
    except coachnet.Timeout:
        raise AssertionError("server neither refused nor answered (timeout)")
    finally:
        c.close()
    raise AssertionError("server accepted the connection and answered a login")


def works(srv, **kw):
    with srv.client(**kw) as c:
        r = c.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)
        assert r["role"] == "admin"
        return c.sock.version()


@t
def tls12_and_tls13_accepted(s):
    """TLS 1.2 and TLS 1.3 clients connect and log in"""
    v12 = works(s.srv, ssl_context=ctx_for(ssl.TLSVersion.TLSv1_2, s))
    v13 = works(s.srv, ssl_context=ctx_for(ssl.TLSVersion.TLSv1_3, s))
    assert (v12, v13) == ("TLSv1.2", "TLSv1.3"), (v12, v13)
    assert works(s.srv) == "TLSv1.3", "TLS 1.3 should be preferred"


@t
def tls11_refused(s):
    """a TLS 1.1 client is refused (the same client works against a TLS 1.1 server)"""
    # Positive control: prove this client really can speak TLS 1.1 here.
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    sctx.minimum_version = sctx.maximum_version = ssl.TLSVersion.TLSv1_1
    sctx.load_cert_chain(str(s.env.certs.server), str(s.env.certs.server_key))
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    got = []

    def serve():
        conn, _ = ls.accept()
        try:
            with sctx.wrap_socket(conn, server_side=True) as ss:
                got.append(ss.version())
        except Exception as e:
            got.append(e)
    th = threading.Thread(target=serve)
    th.start()
    ctx = ctx_for(ssl.TLSVersion.TLSv1_1, s)
    with ctx.wrap_socket(socket.create_connection(("127.0.0.1", ls.getsockname()[1]), 5),
                         server_hostname="127.0.0.1") as cs:
        assert cs.version() == "TLSv1.1", cs.version()
    th.join(5)
    ls.close()
    assert got == ["TLSv1.1"], got
    refused(s.srv, ssl_context=ctx)


@t
def plain_tcp_refused(s):
    """a plain TCP client sending a valid request frame gets no response and is closed"""
    sock = socket.create_connection(("127.0.0.1", s.srv.port), 5)
    body = coachnet.pack_frame([0, 1, "auth.login", [{"login": ADMIN_LOGIN, "password": ADMIN_PASSWORD}]])
    sock.sendall(body)
    sock.settimeout(5 * SLOW + HANDSHAKE_MS / 1000)
    data = b""
    try:
        while True:
            d = sock.recv(4096)
            if not d:
                break
            data += d
    except ConnectionResetError:
        pass
    except socket.timeout:
        raise AssertionError("plain connection not closed; got %r" % data[:64])
    finally:
        sock.close()
    # Whatever came back (maybe a TLS alert record) must not be a response.
    if len(data) >= 4:
        n = struct.unpack(">I", data[:4])[0]
        assert not (data[4:5] == b"\x94" and n == len(data) - 4), \
            "plain TCP client got a msgpack response: %r" % data[:64]
    assert data[:1] in (b"", b"\x15"), "unexpected bytes to a plain client: %r" % data[:32]
    works(s.srv)


@t
def handshake_timeout(s):
    """a TCP connection that never starts TLS is closed after handshake-timeout-ms"""
    sock = socket.create_connection(("127.0.0.1", s.srv.port), 5)
    sock.settimeout(HANDSHAKE_MS / 1000 * 5 + 5 * SLOW)
    t0 = time.monotonic()
    try:
        d = sock.recv(1)
    except ConnectionResetError:
        d = b""
    except socket.timeout:
        raise AssertionError("idle handshake not closed within %.1fs" % (time.monotonic() - t0))
    finally:
        sock.close()
    dt = time.monotonic() - t0
    assert d == b"", d
    assert dt >= HANDSHAKE_MS / 1000 * 0.8, "closed too early (%.2fs)" % dt


@t
def mtls_requires_client_certificate(s):
    """tls-auth-clients yes: no certificate or another CA's refused; the CA's accepted"""
    srv = s.env.add_server(name="mtls", tls_auth_clients="yes")
    try:
        certs = s.env.certs
        works(srv, cert_file=str(certs.client), key_file=str(certs.client_key))
        refused(srv, cert_file=None, key_file=None)
        refused(srv, cert_file=str(certs.rogue_client), key_file=str(certs.rogue_client_key))
        # TLS 1.2 without a certificate too (the failure then shows in the handshake)
        refused(srv, ssl_context=ctx_for(ssl.TLSVersion.TLSv1_2, s))
        works(srv, cert_file=str(certs.client), key_file=str(certs.client_key))
    finally:
        srv.stop()


@t
def sighup_reloads_client_ca(s):
    """mTLS: after the CA file is replaced and SIGHUP, the new CA's clients are accepted and the old CA's refused"""
    d = s.env.dir
    ca = d / "mtls-ca.pem"
    shutil.copy(s.env.certs.ca, ca)
    srv = s.env.add_server(name="mtlsreload", tls_auth_clients="yes", tls_ca_file=ca)
    certs = s.env.certs
    good = dict(cert_file=str(certs.client), key_file=str(certs.client_key))
    rogue = dict(cert_file=str(certs.rogue_client), key_file=str(certs.rogue_client_key))
    try:
        works(srv, **good)
        refused(srv, **rogue)
        tmp = d / "mtls-ca.new"
        shutil.copy(certs.rogue_ca, tmp)
        os.replace(tmp, ca)
        srv.proc.send_signal(signal.SIGHUP)

        def rogue_accepted():
            try:
                works(srv, **rogue)
                return True
            except (AssertionError, coachnet.ClientError):
                return False
        wait_until(rogue_accepted, 5 * SLOW, interval=0.2, what="the new CA to be trusted after SIGHUP")
        refused(srv, **good)
    finally:
        srv.stop()


@t
def min_version_13_refuses_tls12(s):
    """tls-min-version 1.3: a TLS 1.2 client is refused, TLS 1.3 works"""
    srv = s.env.add_server(name="tls13", tls_min_version="1.3")
    try:
        refused(srv, ssl_context=ctx_for(ssl.TLSVersion.TLSv1_2, s))
        works(srv, ssl_context=ctx_for(ssl.TLSVersion.TLSv1_3, s))
    finally:
        srv.stop()


@t
def sighup_reloads_certificate(s):
    """SIGHUP reloads the certificate: new connections see the new one, old ones keep working"""
    d = s.env.dir
    pem, key = d / "reload.pem", d / "reload.key"
    shutil.copy(s.env.certs.server, pem)
    shutil.copy(s.env.certs.server_key, key)
    srv = s.env.add_server(name="reload", tls_cert_file=pem, tls_key_file=key)
    try:
        old = srv.client()
        old.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)
        before = old.sock.getpeercert(binary_form=True)
        # a second certificate from the same CA, moved over the files in use
        maker = Certs.__new__(Certs)
        maker.dir = d
        maker._make_leaf(d / "new.pem", d / "new.key", "127.0.0.1", s.env.certs.ca,
                         s.env.certs.ca_key,
                         "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        new_der = ssl.PEM_cert_to_DER_cert((d / "new.pem").read_text())
        assert new_der != before
        os.replace(d / "new.key", key)
        os.replace(d / "new.pem", pem)
        srv.proc.send_signal(signal.SIGHUP)

        def served():
            with srv.client() as c:
                return c.sock.getpeercert(binary_form=True) == new_der
        wait_until(served, 5 * SLOW, interval=0.2, what="the new certificate after SIGHUP")
        assert srv.alive(), "coachnetd died on SIGHUP"
        assert old.auth_resume(old.token)["role"] == "admin", "old connection broken by SIGHUP"
        old.close()
        # a broken certificate file: the reload fails, the server keeps serving the last good one
        pem.write_text("-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n")
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5 * SLOW)
        assert srv.alive(), "coachnetd died on SIGHUP with a broken certificate"
        assert served(), "after a failed reload the server no longer presents the last good certificate"
    finally:
        srv.stop()


@t
def unix_socket_plaintext(s):
    """the unixsocket listener speaks the protocol in plaintext"""
    path = str(s.env.dir / "coachnetd.sock")
    srv = s.env.add_server(name="unix", unixsocket=path)
    try:
        wait_until(lambda: os.path.exists(path), 5 * SLOW, what="unix socket")
        mode = os.stat(path).st_mode & 0o777
        assert mode & 0o077 == 0, "plaintext admin socket is mode %o (others may connect)" % mode
        with coachnet.Client(unix_path=path, timeout=5 * SLOW) as c:
            assert c.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)["role"] == "admin"
            expect_error("unauthenticated", coachnet.Client(unix_path=path).auth_login, ADMIN_LOGIN, "x")
    finally:
        srv.stop()


@t
def idle_timeout_closes(s):
    """idle-timeout-ms: an idle logged-in connection is closed; an active one is not"""
    srv = s.env.add_server(name="idle", idle_timeout_ms=1000)
    try:
        idle = srv.client()
        idle.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)
        busy = srv.client()
        busy.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 2.5:
            busy.auth_resume(busy.token)          # keeps busy active
            time.sleep(0.3)
        try:
            idle.auth_resume(idle.token)
            raise AssertionError("idle connection still served after 2.5 s (idle-timeout-ms 1000)")
        except coachnet.ConnectionClosed:
            pass
        assert busy.auth_resume(busy.token)["role"] == "admin"
        busy.close()
        idle.close()
    finally:
        srv.stop()


@t
def idle_timeout_spares_requests_in_flight(s):
    """idle-timeout-ms 1000: a connection waiting 2.5 s for an answer (Redis hung) is not closed as idle"""
    srv = s.env.add_server(name="idleinflight", idle_timeout_ms=1000, redis_timeout_ms=2500)
    try:
        c = srv.client()
        c.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)
        s.env.redis.pause()
        try:
            i = c.send("auth.resume", {"token": c.token})
            try:
                err, _ = c.wait_raw(i, timeout=10 * SLOW)
            except coachnet.ConnectionClosed:
                raise AssertionError("connection with a request in flight closed as idle")
        finally:
            s.env.redis.resume()
        assert err and err["code"] == "unavailable", err
        c.close()
    finally:
        srv.stop()


@t
def maxclients_refuses_extra_connection(s):
    """maxclients 2: a third connection is refused; after one closes a new one is served"""
    srv = s.env.add_server(name="maxclients", maxclients=2)
    try:
        a = srv.client()
        a.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)
        b = srv.client()
        b.auth_login(ADMIN_LOGIN, ADMIN_PASSWORD)
        refused(srv)
        a.close()
        time.sleep(0.2 * SLOW)
        works(srv)
        assert b.auth_resume(b.token)["role"] == "admin"
        b.close()
    finally:
        srv.stop()


@t
def server_survives_all_of_it(s):
    """after the refused clients the main server still serves"""
    works(s.srv)


if __name__ == "__main__":
    main(suite)
