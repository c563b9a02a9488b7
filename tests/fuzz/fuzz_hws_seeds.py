#!/usr/bin/python3
"""Regenerate tests/fuzz/seeds/fuzz_hws/ (run from the repository root).

Each seed is two bytes (chunk size, callback behaviour; see fuzz_hws.c)
followed by the bytes of one connection: request heads, a WebSocket
handshake and masked client frames.
"""
import os
import struct

OUT = "tests/fuzz/seeds/fuzz_hws"

HANDSHAKE = (b"GET /rpc HTTP/1.1\r\nHost: coach.example\r\nUpgrade: websocket\r\n"
             b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             b"Sec-WebSocket-Version: 13\r\nOrigin: https://coach.example\r\n"
             b"Sec-WebSocket-Protocol: coachnet.v1\r\n\r\n")


def frame(opcode, payload, fin=True, mask=b"\x11\x22\x33\x44"):
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        hdr = struct.pack("!BB", b0, 0x80 | n)
    else:
        hdr = struct.pack("!BBH", b0, 0x80 | 126, n)
    return hdr + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))


SEEDS = {
    "get": (0, 0, b"GET /index.html?x=1 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n"
                  b"If-None-Match: \"1-2\"\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n"),
    "get_bytewise": (1, 0, b"GET / HTTP/1.0\r\n\r\n"),
    "post": (0, 0, b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"),
    "ws_messages": (7, 0x01, HANDSHAKE + frame(2, b"\x94\x00\x01\xa3abc\x90") + frame(2, b"x" * 200)
                    + frame(2, b"y")),
    "ws_fragments": (0, 0x12, HANDSHAKE + frame(2, b"ab", fin=False) + frame(9, b"p")
                     + frame(0, b"cd", fin=False) + frame(0, b"ef")),
    "ws_too_big": (0, 0, HANDSHAKE + frame(2, b"z" * 200, fin=False) + frame(0, b"z" * 200)),
    "ws_close": (3, 0x20, HANDSHAKE + frame(8, b"\x03\xe8bye")),
    "ws_text": (0, 0, HANDSHAKE + frame(1, b"hello")),
    "ws_ping_tick": (5, 0x80, HANDSHAKE + frame(10, b"") + frame(2, b"m") * 4),
    "ws_unmasked": (0, 0, HANDSHAKE + b"\x82\x01a"),
    "ws_origin_list": (0, 0x40, HANDSHAKE.replace(b"https://coach.example", b"b.example") + frame(2, b"q")),
    "bad_key": (0, 0, HANDSHAKE.replace(b"dGhlIHNhbXBsZSBub25jZQ==", b"short")),
}

os.makedirs(OUT, exist_ok=True)
for name, (chunk, mode, body) in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes([chunk, mode]) + body)
