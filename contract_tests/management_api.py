"""The gate's API Gateway management API: the ``@connections`` endpoint a router posts to.

It records every request a function makes (POST, GET or DELETE on ``@connections/{id}``) and answers
each as the step scripted it: 200, 410 ``GoneException`` for a connection API Gateway already closed,
429, 500, or a connection reset. No mock does this faithfully: LocalStack answers 200 for any
connection and moto validates no id, so the gate serves it itself, on ``http.server``.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

from contract_tests.loopback import QuietServer, read_body, reply, reset
from contract_tests.sandbox.hostnames import management_host

#: The stage in every endpoint URL the gate hands out.
STAGE = "production"
#: A scripted answer that is no status: the connection is reset before any answer.
RESET = 0
ACCEPTED = 200
GONE = 410
#: The ``x-amzn-ErrorType`` each error status carries, as the SDKs read a restJson error.
ERROR_TYPES = {
    403: "ForbiddenException",
    410: "GoneException",
    429: "LimitExceededException",
    500: "InternalServerErrorException",
}


@dataclass(frozen=True)
class Attempt:
    """One request to ``@connections``: what the function asked and how the gate answered."""

    method: str
    #: The connection the path names ("" when the path names none).
    connection_id: str
    path: str
    body: bytes
    #: The answer's status, or ``RESET``.
    status: int

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    def __str__(self) -> str:
        answer = "reset" if self.status == RESET else str(self.status)
        return f"{self.method} @connections/{self.connection_id} → {answer}"


def _connection_of(path: str) -> str | None:
    """The connection id a ``/{stage}/@connections/{id}`` path names; None for any other path."""
    parts = urlsplit(path).path.split("/")
    if len(parts) == 4 and parts[1] == STAGE and parts[2] == "@connections" and parts[3]:
        return unquote(parts[3])
    return None


class ManagementApi:
    """One endpoint per run. Out of a sandbox it listens on this machine's loopback; in one, the observing
    proxy hands it every request to the API's real host name (which the sandbox resolves to the proxy).

    :meth:`scripting` sets each connection's answers for one step: a sequence whose last answer repeats;
    a connection not scripted is gone (410), as API Gateway answers for an id it does not hold.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, list[int]] = {}
        self._window: list[Attempt] | None = None
        self._last: list[Attempt] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: requests are recorded, not logged."""

            def do_POST(self) -> None:
                api.handle(self)

            do_GET = do_DELETE = do_PUT = do_PATCH = do_POST

        self._handler = Handler
        self._server: QuietServer | None = None

    def url(self, sandboxed: bool, region: str = "us-east-1") -> str:
        """``CONNECTIONS_ENDPOINT``: in a sandbox the URL AWS gives a stage, else one on this machine's loopback."""
        if sandboxed:
            return f"https://{management_host(region)}/{STAGE}"
        if self._server is None:
            self._server = QuietServer(self._handler)
            self._server.serve("management-api")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/{STAGE}"

    @contextmanager
    def scripting(self, answers: Mapping[str, Sequence[int]]) -> Iterator[list[Attempt]]:
        """While open, answer each connection as ``answers`` say and record every request made."""
        attempts: list[Attempt] = []
        with self._lock:
            self._answers = {connection: list(script) for connection, script in answers.items()}
            self._window = self._last = attempts
        try:
            yield attempts
        finally:
            with self._lock:
                self._window = None

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        """Answer one request, as scripted, and record it."""
        body = read_body(request)
        connection = _connection_of(request.path)
        with self._lock:
            if connection is None:
                status = 403  # API Gateway's answer to a path or stage it does not serve
            else:
                script = self._answers.get(connection, [GONE])
                status = script.pop(0) if len(script) > 1 else script[0]
            # Outside a window (a late request from a timed-out invocation): the last step made it.
            recorded = self._window if self._window is not None else self._last
            recorded.append(Attempt(request.command, connection or "", request.path, body, status))
        if status == RESET:
            reset(request)
            return
        headers = [("x-amzn-RequestId", uuid.uuid4().hex), ("Content-Type", "application/json")]
        if status in ERROR_TYPES:
            headers.append(("x-amzn-ErrorType", ERROR_TYPES[status]))
            answer = json.dumps({"message": None if status == GONE else ERROR_TYPES[status]}).encode()
        elif request.command == "GET":
            info = {"connectedAt": "2026-01-01T00:00:00.000Z", "identity": {"sourceIp": "203.0.113.9"}}
            answer = json.dumps(info).encode()
        else:
            answer = b""
        reply(request, status, headers, answer)
