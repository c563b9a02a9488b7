"""coachnet -- a small Python client for the coachnet matchmaking service.

The wire protocol (DESIGN.md section 2, docs/protocol.md) is msgpack-RPC over
TLS: every message is a frame of a 4-byte big-endian length N followed by N
bytes holding exactly one msgpack object::

    request       [0, msgid, method, [params]]
    response      [1, msgid, error, result]     error: nil or {code, message, field?}
    notification  [2, method, [params]]         pushed by the server

This module uses only the standard library (ssl, socket, struct) and Debian's
python3-msgpack; run it with /usr/bin/python3.

Design:

* One :class:`Client` is one connection.  It is not thread-safe: a program
  that wants concurrency opens several clients.
* There is no background thread.  Frames are read on demand, when the caller
  waits for a response (:meth:`Client.wait`) or a notification
  (:meth:`Client.next_notification`).  Responses for other msgids that arrive
  meanwhile are kept until asked for, so requests can be pipelined and answered
  in any order.  Notifications go to the callback given to the constructor, if
  any, else to a queue.
* ``auto_reconnect=True``: a call whose connection broke connects again
  (retrying until the call's timeout, e.g. while coachnetd restarts),
  resumes the session with auth.resume and sends the call again when that
  is safe: a read, a write carrying a ``request_id`` (the server answers a
  repeat with the first answer), or any call that was never sent.  A write
  without ``request_id`` that may have reached the server raises
  :class:`ConnectionClosed` instead (the connection is back for the next
  call).
* A response carrying an error raises :class:`CoachnetError` with the error's
  ``code``, ``message`` and ``field``.  A timeout raises :class:`Timeout`; a
  broken connection raises :class:`ConnectionClosed`.  Both are subclasses of
  :class:`ClientError`, as is :class:`CoachnetError`.

Example::

    from coachnet import Client
    with Client("127.0.0.1", 7400, ca_file="ca.pem") as c:
        c.auth_login("coord1", "secret")
        run_id = c.match_run("pkn2-2026")["run_id"]
        done = c.next_notification(timeout=60, method="run.done")
"""

import collections
import socket
import ssl
import struct
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

import msgpack

from coachnet_methods import METHODS

# The release; the C library's CN_CLIENT_VERSION (clients/coachnet.h) is the
# same number (tests/install checks it).
__version__ = "0.1.0"

__all__ = [
    "Client", "ClientError", "CoachnetError", "Timeout", "ConnectionClosed",
    "ProtocolError", "Notification", "pack_frame", "MAX_FRAME",
    "REQUEST", "RESPONSE", "NOTIFICATION", "__version__",
]

# Message kinds of msgpack-RPC.
REQUEST = 0
RESPONSE = 1
NOTIFICATION = 2

# Largest frame body this client accepts from the server (the server's own
# limit for requests defaults to 1 MiB; responses may be larger, e.g. lists).
MAX_FRAME = 64 * 1024 * 1024

_LEN = struct.Struct(">I")
_MSGID_MAX = 0xFFFFFFFF

# auto_reconnect: pause between connection attempts, doubled up to the max.
_RECONNECT_PAUSE = 0.05
_RECONNECT_PAUSE_MAX = 1.0


class ClientError(Exception):
    """Base class of every error raised by this module."""


class CoachnetError(ClientError):
    """The server answered a request with an error.

    Attributes: ``code`` (one of DESIGN section 2's codes, e.g.
    ``"invalid_params"``), ``message`` (human text), ``field`` (the offending
    parameter or profile field, or None), ``msgid`` and ``method`` of the
    request.
    """

    def __init__(self, code: Optional[str], message: str = "", field: Optional[str] = None,
                 msgid: Optional[int] = None, method: Optional[str] = None) -> None:
        self.code = code
        self.message = message
        self.field = field
        self.msgid = msgid
        self.method = method
        text = "%s: %s" % (code, message)
        if field is not None:
            text += " (field %s)" % (field,)
        if method is not None:
            text = "%s -> %s" % (method, text)
        super().__init__(text)


class Timeout(ClientError):
    """No answer arrived within the timeout."""


class ConnectionClosed(ClientError):
    """The connection was closed (by the server or a transport error).

    ``code`` and ``server_message``: the error the server sent with msgid 0
    before it closed (the answer to a frame it could not take: e.g.
    ``too_large`` above max-frame-unauth, ``bad_frame``, ``unavailable``
    "retry on a new connection"), else None."""

    def __init__(self, message: str = "", code: Optional[str] = None,
                 server_message: Optional[str] = None) -> None:
        self.code = code
        self.server_message = server_message
        super().__init__(message)


class ProtocolError(ClientError):
    """The server sent something that is not a valid frame or message."""


Notification = collections.namedtuple("Notification", "method params")
Notification.__doc__ = """A server push: ``method`` (e.g. "match.updated") and
``params`` (the map, i.e. the first element of the params array)."""


def pack_frame(obj: Any) -> bytes:
    """Return the frame (length prefix + msgpack body) for ``obj``."""
    body = msgpack.packb(obj, use_bin_type=True)
    return _LEN.pack(len(body)) + body


def _drop_none(d: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


class Client:
    """One connection to coachnetd.

    Parameters:
        host, port     -- the server's TLS listener (or ``unix_path``).
        ca_file        -- CA bundle to verify the server against.  None: the
                          system's default store.
        cert_file, key_file -- client certificate for mutual TLS (optional).
        server_name    -- name checked against the server certificate (SNI
                          and hostname check); default ``host``.
        timeout        -- default seconds for connect and for every call.
        verify         -- False disables certificate verification (tests only).
        unix_path      -- connect to a plaintext unix socket instead (local
                          administration listener); no TLS.
        on_notification -- callable(Notification); if None, notifications are
                          queued for :meth:`next_notification`.
        ssl_context    -- a prepared ssl.SSLContext, overriding the above TLS
                          parameters.
        connect        -- connect at construction (default True).
        max_inflight   -- at most this many requests unanswered: send() first
                          reads responses (kept for wait()) when the window
                          is full, so a long pipeline never runs far ahead of
                          the server (coachnetd's max-inflight defaults to
                          64).  None: no window.
        auto_reconnect -- a call on a broken connection reconnects, resumes
                          the session and repeats the call when that is safe
                          (see the module's documentation).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 7400, ca_file: Optional[str] = None,
                 cert_file: Optional[str] = None, key_file: Optional[str] = None,
                 server_name: Optional[str] = None, timeout: float = 10.0, verify: bool = True,
                 unix_path: Optional[str] = None,
                 on_notification: Optional[Callable[["Notification"], None]] = None,
                 ssl_context: Optional[ssl.SSLContext] = None, connect: bool = True,
                 max_inflight: Optional[int] = 64, auto_reconnect: bool = False) -> None:
        self.host = host
        self.port = port
        self.ca_file = ca_file
        self.cert_file = cert_file
        self.key_file = key_file
        self.server_name = server_name or host
        self.timeout = timeout
        self.verify = verify
        self.unix_path = unix_path
        self.on_notification = on_notification
        self.ssl_context = ssl_context
        self.max_inflight = max_inflight
        self.auto_reconnect = auto_reconnect
        self._reconnecting = False
        self.reconnects = 0      # connections made again by auto_reconnect
        self.sock: Any = None
        self.token: Optional[str] = None
        self.role: Optional[str] = None
        self.subject: Optional[str] = None
        self._next_msgid = 1
        self._pending = {}       # msgid -> method, for requests not yet answered
        self._methods = {}       # msgid -> method, until the caller collected the answer
        self._responses = {}     # msgid -> (error, result), answered, not collected
        self._server_error = None  # the last msgid-0 error (ConnectionClosed.code)
        self.arrival = []        # msgids in the order their responses arrived
        self.notifications = collections.deque()
        self._buf = bytearray()
        if connect:
            self.connect()

    # ---------------------------------------------------------------- transport

    def make_ssl_context(self) -> ssl.SSLContext:
        """Return the SSLContext this client uses: TLS 1.2 minimum, server
        certificate verified against ``ca_file`` unless ``verify`` is False,
        client certificate loaded when ``cert_file`` is set."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.verify:
            if self.ca_file:
                ctx.load_verify_locations(cafile=self.ca_file)
            else:
                ctx.load_default_certs()
            # the host only in the subjectAltName (RFC 6125), never a CN
            ctx.hostname_checks_common_name = False
        else:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if self.cert_file:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx

    def connect(self, timeout: Optional[float] = None) -> None:
        """Open the connection (TCP + TLS handshake, or the unix socket).

        Raises ConnectionClosed if the server refuses the connection or the
        handshake, Timeout if it does not finish within ``timeout`` (default:
        the client's; each step gets it, the connect and the handshake)."""
        if self.sock is not None:
            return
        budget = self.timeout if timeout is None else timeout
        try:
            if self.unix_path:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(budget)
                s.connect(self.unix_path)
                s.settimeout(self.timeout)
                self.sock = s
                return
            raw = socket.create_connection((self.host, self.port), budget)
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            ctx = self.ssl_context or self.make_ssl_context()
            try:
                s = ctx.wrap_socket(raw, server_hostname=self.server_name)
            except BaseException:
                raw.close()
                raise
            s.settimeout(self.timeout)
            self.sock = s
        except socket.timeout as e:
            raise Timeout("connect to %s:%s: %s" % (self.host, self.port, e))
        except (OSError, ssl.SSLError) as e:
            raise ConnectionClosed("connect to %s: %s" % (self._where(), e))

    def reconnect(self, timeout: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """Close, connect again and, if a session token is held, resume the
        session with auth.resume (for a client whose connection dropped),
        all within ``timeout`` (default: the client's).  Responses still
        pending on the old connection are lost."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        self.close()
        self._buf = bytearray()
        self._responses.clear()
        self.connect(max(0.001, deadline - time.monotonic()))
        if self.token:
            return self.auth_resume(self.token, timeout=max(0.001, deadline - time.monotonic()))
        return None

    def _reconnect_until(self, deadline: float) -> None:
        """auto_reconnect: reconnect (and resume) until it works or the
        deadline passes (then the last ConnectionClosed or Timeout is
        raised).  A refused session (CoachnetError) is raised at once."""
        pause = _RECONNECT_PAUSE
        self._reconnecting = True
        try:
            while True:
                try:
                    # within the call's deadline: a connect, handshake or
                    # resume given the client's whole timeout overran it
                    self.reconnect(max(0.001, deadline - time.monotonic()))
                    self.reconnects += 1
                    return
                except (ConnectionClosed, Timeout):
                    if time.monotonic() + pause >= deadline:
                        raise
                time.sleep(pause)
                pause = min(pause * 2, _RECONNECT_PAUSE_MAX)
        finally:
            self._reconnecting = False

    @staticmethod
    def _repeatable(method: str, params: Optional[Dict[str, Any]]) -> bool:
        """Whether sending ``method`` twice cannot change more than sending it
        once: a read (a method without request_id, DESIGN §14), or a write
        carrying a request_id."""
        spec = METHODS.get(method)
        if spec is None or not any(p["name"] == "request_id" for p in spec["params"]):
            return True
        return bool(params and params.get("request_id"))

    def _where(self):
        return self.unix_path or "%s:%s" % (self.host, self.port)

    def close(self) -> None:
        """Close the connection (idempotent).  Pending requests are dropped."""
        if self.sock is not None:
            try:
                if isinstance(self.sock, ssl.SSLSocket):
                    self.sock.settimeout(0.5)
                    try:
                        self.sock.unwrap()
                    except (OSError, ssl.SSLError, ValueError):
                        pass
                self.sock.close()
            except OSError:
                pass
            self.sock = None
        self._pending.clear()
        self._methods.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def connected(self) -> bool:
        return self.sock is not None

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are (tests: malformed frames)."""
        if self.sock is None:
            raise ConnectionClosed("not connected")
        try:
            # the whole timeout, not what the last read left on the socket
            self.sock.settimeout(self.timeout)
            self.sock.sendall(data)
        except (OSError, ssl.SSLError) as e:
            self._broken()
            raise ConnectionClosed("send: %s" % e)

    def _broken(self):
        s, self.sock = self.sock, None
        if s is not None:
            try:
                s.close()
            except OSError:
                pass

    def _fill(self, deadline):
        """Read what the socket has (at least one byte) into the buffer."""
        if self.sock is None:
            raise ConnectionClosed("not connected")
        left = deadline - time.monotonic()
        if left <= 0:
            raise Timeout("timed out")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise Timeout("timed out")
        except (OSError, ssl.SSLError) as e:
            self._broken()
            raise ConnectionClosed("recv: %s" % e)
        if not data:
            self._broken()
            err, self._server_error = self._server_error, None
            if isinstance(err, dict):
                raise ConnectionClosed("closed by server after %s: %s" % (err.get("code"), err.get("message", "")),
                                       err.get("code"), err.get("message", ""))
            raise ConnectionClosed("closed by server")
        self._buf += data

    def read_frame(self, timeout: Optional[float] = None) -> Any:
        """Read one frame and return its decoded msgpack object.

        Low level: does not dispatch; most users want :meth:`wait`."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while len(self._buf) < 4:
            self._fill(deadline)
        (n,) = _LEN.unpack_from(self._buf)
        if n > MAX_FRAME:
            self._broken()
            raise ProtocolError("frame of %d bytes from server" % n)
        while len(self._buf) < 4 + n:
            self._fill(deadline)
        body = bytes(self._buf[4:4 + n])
        del self._buf[:4 + n]
        try:
            obj = msgpack.unpackb(body, raw=False, strict_map_key=False)
        except Exception as e:  # msgpack raises several unrelated types
            self._broken()
            raise ProtocolError("undecodable frame body: %s" % e)
        return obj

    # ---------------------------------------------------------------- messages

    def _dispatch(self, msg):
        """File one incoming message: a response by msgid, a notification to
        the callback or queue.  Returns the response's msgid or None."""
        if not isinstance(msg, list) or not msg:
            raise ProtocolError("message is not an array: %r" % (msg,))
        kind = msg[0]
        if kind == RESPONSE and len(msg) == 4:
            msgid = msg[1]
            if not isinstance(msgid, int) or isinstance(msgid, bool) or not 0 <= msgid <= _MSGID_MAX:
                self._broken()
                raise ProtocolError("response msgid is not a 32-bit unsigned integer: %r" % (msgid,))
            if msgid == 0:
                # The server's answer to a frame it could not read a msgid
                # from: no request has msgid 0.  It closes after most of
                # them (protocol.md): the next read says so with its code.
                if msg[2] is None:
                    self._broken()
                    raise ProtocolError("a result with msgid 0")
            # kept for the close that follows it, not for a later one
            self._server_error = msg[2] if msgid == 0 else None
            self._pending.pop(msgid, None)
            self._responses[msgid] = (msg[2], msg[3])
            self.arrival.append(msgid)
            return msgid
        if kind == NOTIFICATION and len(msg) == 3:
            params = msg[2]
            if isinstance(params, list) and len(params) == 1:
                params = params[0]
            n = Notification(msg[1], params)
            if self.on_notification is not None:
                self.on_notification(n)
            else:
                self.notifications.append(n)
            return None
        raise ProtocolError("unexpected message: %r" % (msg,))

    def pump(self, timeout: Optional[float] = None) -> Optional[int]:
        """Read and dispatch one message.  Returns the msgid of a response or
        None for a notification."""
        return self._dispatch(self.read_frame(timeout))

    def send(self, method: str, params: Optional[Dict[str, Any]] = None,
             msgid: Optional[int] = None) -> int:
        """Send a request without waiting; return its msgid.

        Use it to pipeline: send several, then :meth:`wait` for each."""
        if self.max_inflight is not None:
            deadline = time.monotonic() + self.timeout
            while len(self._pending) >= self.max_inflight:
                self.pump(max(0.001, deadline - time.monotonic()))
        if msgid is None:
            msgid = self._next_msgid
            self._next_msgid = 1 if self._next_msgid >= _MSGID_MAX else self._next_msgid + 1
        self.send_raw(pack_frame([REQUEST, msgid, method, [params if params is not None else {}]]))
        self._pending[msgid] = method
        self._methods[msgid] = method
        return msgid

    def wait_raw(self, msgid: int, timeout: Optional[float] = None) -> Tuple[Any, Any]:
        """Wait for the response to ``msgid``; return (error, result) as sent."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while msgid not in self._responses:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no response to msgid %d" % msgid)
            self.pump(left)
        return self._responses.pop(msgid)

    def wait(self, msgid: int, timeout: Optional[float] = None, method: Optional[str] = None) -> Any:
        """Wait for the response to ``msgid``; return its result or raise
        CoachnetError with the error it carries."""
        method = method or self._methods.get(msgid)
        err, result = self.wait_raw(msgid, timeout)
        self._methods.pop(msgid, None)
        if err is not None:
            raise self._error(err, msgid, method)
        return result

    @staticmethod
    def _error(err, msgid=None, method=None):
        if isinstance(err, dict):
            return CoachnetError(err.get("code"), err.get("message", ""),
                                 err.get("field"), msgid, method)
        return CoachnetError(str(err), "", None, msgid, method)

    def wait_all(self, timeout: Optional[float] = None) -> List[Any]:
        """Collect every response not collected yet (requests still in flight
        and answers already read), in msgid order; raise the first error.
        Returns the results in the same order."""
        ids = sorted(set(self._pending) | set(self._responses))
        return [self.wait(i, timeout) for i in ids]

    def call(self, method: str, params: Optional[Dict[str, Any]] = None,
             timeout: Optional[float] = None) -> Any:
        """Send one request and wait for its result (raises CoachnetError).
        With ``auto_reconnect`` a broken connection is made again first."""
        if not self.auto_reconnect or self._reconnecting:
            msgid = self.send(method, params)
            return self.wait(msgid, timeout, method)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        for attempt in range(2):
            sent = False
            try:
                if self.sock is None:
                    self._reconnect_until(deadline)
                msgid = self.send(method, params)
                sent = True
                return self.wait(msgid, max(0.001, deadline - time.monotonic()), method)
            except ConnectionClosed:
                if attempt or (sent and not self._repeatable(method, params)):
                    if self.sock is None:
                        self._reconnect_until(deadline)
                    raise
                self._broken()
        raise AssertionError("unreachable")

    def pipeline(self, calls: Iterable[Tuple[str, Optional[Dict[str, Any]]]],
                 timeout: Optional[float] = None) -> List[Any]:
        """Send every (method, params) of ``calls`` before reading any answer.

        Returns a list, in the order of ``calls``, of results or CoachnetError
        instances (not raised, so one failure does not hide the others)."""
        ids = [(self.send(m, p), m) for m, p in calls]
        out = []
        for msgid, m in ids:
            try:
                out.append(self.wait(msgid, timeout, m))
            except CoachnetError as e:
                out.append(e)
        return out

    def next_notification(self, timeout: Optional[float] = None,
                          method: Optional[str] = None) -> "Notification":
        """Return the next queued notification (optionally only of ``method``;
        others stay queued), reading from the socket until one arrives.

        With an ``on_notification`` callback nothing is queued: this then
        only pumps the socket until ``timeout`` and raises Timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            for i, n in enumerate(self.notifications):
                if method is None or n.method == method:
                    del self.notifications[i]
                    return n
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no %s notification" % (method or "any"))
            self.pump(left)

    def drain(self, timeout: float = 0.2) -> int:
        """Read whatever arrives within ``timeout`` seconds (notifications are
        queued or passed to the callback); return the number of messages."""
        n = 0
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return n
            try:
                self.pump(left)
                n += 1
            except Timeout:
                return n

    # ------------------------------------------------------------------ auth

    def auth_login(self, login: str, password: str) -> Dict[str, Any]:
        """Log in; keeps the token, role and subject on the client.
        Returns ``{token, role, subject?, expires_in}``."""
        r = self.call("auth.login", {"login": login, "password": password})
        self.token = r.get("token")
        self.role = r.get("role")
        self.subject = r.get("subject")
        return r

    def auth_resume(self, token: Optional[str] = None, timeout: Optional[float] = None) -> Dict[str, Any]:
        """Resume a session with a token (default: the one from the last
        login).  Returns ``{login, role, subject?}``."""
        r = self.call("auth.resume", {"token": token or self.token}, timeout=timeout)
        if token:
            self.token = token
        self.role = r.get("role")
        self.subject = r.get("subject")
        return r

    def auth_logout(self, request_id: Optional[str] = None) -> Any:
        """End the session; the token stops working."""
        r = self.call("auth.logout", {} if request_id is None else {"request_id": request_id})
        self.token = None
        return r

    # ----------------------------------------------------------------- paging

    def iterate(self, list_method: Callable[..., Dict[str, Any]], **filters: Any) -> Iterator[Any]:
        """Yield every item of a paged list method (``self.mentee_list``,
        ``self.coach_list``, ``self.match_list``), following cursors."""
        cursor = None
        while True:
            page = list_method(cursor=cursor, **filters)
            for item in page.get("items") or []:
                yield item
            cursor = page.get("cursor")
            if cursor is None:
                return


# ---------------------------------------------------------------- methods
#
# Every method of the API schema (api/methods/*.json, through the generated
# coachnet_methods.METHODS) is a method of Client: ``match.review`` is
# ``client.match_review(match_ids, decision, note=None)`` -- the required
# params positional in schema order, the optional ones by position or name;
# optional params left as None are not sent.  The auth.* methods above are
# written by hand because they keep the session on the client;
# auth.change_password leaves the caller's session as it is, so it is one of
# these: ``client.auth_change_password(old_password, new_password)``.

def _schema_method(name, spec):
    names = [p["name"] for p in spec["params"]]
    required = [p["name"] for p in spec["params"] if p.get("required")]
    booleans = {p["name"] for p in spec["params"] if p["type"] == "boolean"}
    arrays = {p["name"] for p in spec["params"] if p["type"] == "array"}
    fname = name.replace(".", "_")

    def method(self, *args, **kwargs):
        if len(args) > len(names):
            raise TypeError("%s() takes at most %d arguments" % (fname, len(names)))
        params = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in names:
                raise TypeError("%s() got an unexpected keyword argument %r" % (fname, k))
            if k in params:
                raise TypeError("%s() got multiple values for %r" % (fname, k))
            params[k] = v
        missing = [k for k in required if params.get(k) is None]
        if missing:
            raise TypeError("%s() missing required argument %r" % (fname, missing[0]))
        for k in booleans & set(params):
            if params[k] is not None:
                params[k] = bool(params[k])
        for k in arrays & set(params):      # any iterable: a tuple, a generator, a set
            if params[k] is not None and not isinstance(params[k], (list, str, bytes)):
                params[k] = list(params[k])
        return self.call(name, _drop_none(params))

    method.__name__ = method.__qualname__ = fname
    sig = ", ".join(n if n in required else "%s=None" % n for n in names)
    method.__doc__ = "%s(%s): %s.  Roles: %s.  Errors: %s." % (
        fname, sig, spec["summary"], ", ".join(spec["roles"]),
        ", ".join(spec["errors"]) or "only the common ones")
    return method


for _name, _spec in METHODS.items():
    if not hasattr(Client, _name.replace(".", "_")):
        setattr(Client, _name.replace(".", "_"), _schema_method(_name, _spec))
