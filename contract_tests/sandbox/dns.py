"""The sandbox's name server: every name not in its ``/etc/hosts`` (AWS's DynamoDB names are) does not
exist, and the name is recorded, so a report can say which host a function tried to reach.

Answering "no such name" takes the question section of a query and no more; a DNS library would
bring a resolver and a zone model for that, so these few lines are written here.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable

#: QR (a response), RD and RA set, RCODE 3: the name does not exist.
NXDOMAIN_FLAGS = 0x8183
HEADER = struct.Struct("!HHHHHH")


def question(packet: bytes) -> tuple[str, int] | None:
    """The name a query asks for and where its question section ends; None for what is not a query."""
    if len(packet) < HEADER.size:
        return None
    _, flags, questions, _, _, _ = HEADER.unpack_from(packet)
    if flags & 0x8000 or questions < 1:
        return None
    labels: list[str] = []
    offset = HEADER.size
    while offset < len(packet):
        length = packet[offset]
        offset += 1
        if length == 0:
            end = offset + 4  # QTYPE and QCLASS
            return (".".join(labels), end) if end <= len(packet) else None
        if length > 63 or offset + length > len(packet):
            return None
        labels.append(packet[offset : offset + length].decode("ascii", errors="replace"))
        offset += length
    return None


def no_such_name(packet: bytes, end: int) -> bytes:
    """The answer to ``packet``'s first question: the name does not exist."""
    ident = struct.unpack_from("!H", packet)[0]
    return HEADER.pack(ident, NXDOMAIN_FLAGS, 1, 0, 0, 0) + packet[HEADER.size : end]


def serve(listener: socket.socket, record: Callable[[str], None]) -> threading.Thread:
    """Answer every query on the UDP socket ``listener`` until it is closed, recording each name asked."""

    def answer() -> None:
        with contextlib.suppress(OSError):
            while True:
                packet, sender = listener.recvfrom(512)
                asked = question(packet)
                if asked is not None:
                    record(asked[0].rstrip(".").lower())
                    listener.sendto(no_such_name(packet, asked[1]), sender)

    thread = threading.Thread(target=answer, name="sandbox-dns", daemon=True)
    thread.start()
    return thread
