"""The sandbox's name server: every query answered "no such name", the name recorded; anything else ignored."""

from __future__ import annotations

import socket
import struct

import pytest

from contract_tests.sandbox import dns


def _query(name: str, ident: int = 0x1234) -> bytes:
    labels = b"".join(bytes([len(part)]) + part.encode() for part in name.split("."))
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack("!HH", 1, 1)


def test_a_query_is_answered_no_such_name_and_recorded() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    seen: list[str] = []
    dns.serve(server, seen.append)
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(5)
    try:
        client.sendto(_query("Telemetry.Example.com"), server.getsockname())
        answer = client.recv(512)
    finally:
        client.close()
        server.close()
    ident, flags, questions, answers = struct.unpack_from("!HHHH", answer)
    assert (ident, flags & 0x800F, questions, answers) == (0x1234, 0x8003, 1, 0)
    assert answer[12:] == _query("Telemetry.Example.com")[12:]
    assert seen == ["telemetry.example.com"]


@pytest.mark.parametrize(
    "packet",
    [b"", b"\x00" * 11, _query("a.b")[:-3], _query("a.b").replace(b"\x01a", b"\x50a"), b"\x12\x34\x81\x80" + b"\0" * 8],
    ids=["empty", "short-header", "cut-question", "label-past-the-end", "a-response"],
)
def test_what_is_no_query_gets_no_answer(packet: bytes) -> None:
    assert dns.question(packet) is None
