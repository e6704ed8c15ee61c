"""Loopback servers the harness starts (the Runtime API, the observing proxy) and ports sure to be dead."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_loopback_port() -> int:
    """A port on 127.0.0.1 nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DeadPort:
    """A 127.0.0.1 port that refuses connections for as long as this object is open.

    A port merely free now may be handed to the next listener the gate starts (a proxy forwarding to
    the real backend), and a "dead" endpoint would then answer. Bound and never listening, this
    socket keeps the port from every other bind while the kernel answers each connect with a refusal.
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._socket.close()


#: How long a client may take over its TLS handshake before the proxy drops it.
HANDSHAKE_TIMEOUT_S = 10.0


class QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server on an ephemeral 127.0.0.1 port that never prints: a killed function's
    dropped connection is expected, and the report, not a traceback, tells what happened.

    ``listener``: serve a socket that is already listening (one a sandbox bound on its own loopback)
    instead; ``tls``: speak HTTPS on it, the handshake done in the connection's own thread.
    """

    daemon_threads = True

    def __init__(self, handler: Any, listener: socket.socket | None = None, tls: ssl.SSLContext | None = None) -> None:
        self._tls = tls
        if listener is None:
            super().__init__(("127.0.0.1", 0), handler)
            return
        super().__init__(listener.getsockname()[:2], handler, bind_and_activate=False)
        self.socket.close()
        self.socket = listener
        self.server_address = listener.getsockname()[:2]

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self._tls is not None:
            request.settimeout(HANDSHAKE_TIMEOUT_S)
            try:
                request = self._tls.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError):
                request.close()
                return
            request.settimeout(None)
            try:
                super().finish_request(request, client_address)
            finally:
                request.close()  # the server's own shutdown_request holds the plain socket, detached by the wrap
            return
        super().finish_request(request, client_address)

    def serve(self, name: str) -> threading.Thread:
        """Serve in a daemon thread; a short poll interval, because ``shutdown`` waits for one poll."""
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, name=name, daemon=True)
        thread.start()
        return thread

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connections a function dropped (it was killed, or gave up) end here without a word."""


def read_body(request: BaseHTTPRequestHandler) -> bytes:
    """The request's body, sent with a length or in chunks (as Node.js sends a body of unknown length)."""
    if "chunked" in (request.headers.get("Transfer-Encoding") or "").lower():
        chunks: list[bytes] = []
        while True:
            size = int(request.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                request.rfile.readline()
                return b"".join(chunks)
            chunks.append(request.rfile.read(size))
            request.rfile.readline()
    return request.rfile.read(int(request.headers.get("Content-Length") or 0))


def reply(request: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    request.send_response(status)
    for name, value in headers:
        request.send_header(name, value)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def reset(request: BaseHTTPRequestHandler) -> None:
    """Drop the connection with a TCP reset, as a network failure looks to the SDK."""
    request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.close_connection = True
    request.connection.close()
