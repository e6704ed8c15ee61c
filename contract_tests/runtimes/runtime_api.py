"""Lambda's Runtime API for one execution environment, served on 127.0.0.1 by the harness.

No library serves this side of the API (the Runtime Interface Emulator is a Go binary that binds
0.0.0.0 and answers function errors with HTTP 200), so it is written here on ``http.server``.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from contract_tests.lambda_runtime import trace_header
from contract_tests.loopback import QuietServer, read_body

PREFIX = "/2018-06-01/runtime"


@dataclass
class Answer:
    """How the function answered one invocation: ``response`` (the JSON body) or ``error``."""

    kind: str
    body: bytes
    error_type: str = ""


@dataclass
class PendingEvent:
    request_id: str
    body: bytes
    deadline_ms: int
    function_arn: str


class RuntimeApi:
    """The endpoints a runtime client calls: next, response, error, init/error.

    On a port of its own on 127.0.0.1, or on ``listener`` (the one a sandbox bound on its loopback).
    """

    def __init__(self, listener: socket.socket | None = None) -> None:
        self.changed = threading.Condition()
        self.ready = False
        self.init_error: dict[str, Any] | None = None
        self.answers: dict[str, Answer] = {}
        self._pending: PendingEvent | None = None
        self._closed = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in separate writes

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the report, not the server, tells what happened."""

            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    self._reply(404, b'{"errorType": "NotFound"}')
                    return
                event = api._next_event()
                if event is None:
                    self._reply(410, b'{"errorType": "EnvironmentStopped"}')
                    return
                self._reply(
                    200,
                    event.body,
                    {
                        "Lambda-Runtime-Aws-Request-Id": event.request_id,
                        "Lambda-Runtime-Deadline-Ms": str(event.deadline_ms),
                        "Lambda-Runtime-Invoked-Function-Arn": event.function_arn,
                        "Lambda-Runtime-Trace-Id": trace_header(event.request_id),
                    },
                )

            def do_POST(self) -> None:
                body = read_body(self)
                path = self.path.removeprefix(PREFIX)
                if path == "/init/error":
                    api._record_init_error(body, self.headers.get("Lambda-Runtime-Function-Error-Type", ""))
                elif path.startswith("/invocation/") and path.endswith(("/response", "/error")):
                    _, _, request_id, kind = path.split("/")
                    error_type = self.headers.get("Lambda-Runtime-Function-Error-Type", "")
                    api._record_answer(request_id, Answer(kind, body, error_type))
                else:
                    self._reply(404, b'{"errorType": "NotFound"}')
                    return
                self._reply(202, b'{"status": "OK"}')

            def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self._server = QuietServer(Handler, listener)
        self._thread = self._server.serve("lambda-runtime-api")

    @property
    def address(self) -> str:
        """``host:port``, as Lambda puts it in ``AWS_LAMBDA_RUNTIME_API``."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def _next_event(self) -> PendingEvent | None:
        with self.changed:
            self.ready = True
            self.changed.notify_all()
            self.changed.wait_for(lambda: self._pending is not None or self._closed)
            event, self._pending = self._pending, None
            return event

    def _record_answer(self, request_id: str, answer: Answer) -> None:
        with self.changed:
            self.answers.setdefault(request_id, answer)
            self.changed.notify_all()

    def _record_init_error(self, body: bytes, error_type: str) -> None:
        try:
            error = json.loads(body or b"{}")
        except ValueError:
            error = {"errorMessage": body.decode(errors="replace")}
        if not isinstance(error, dict):
            error = {"errorMessage": str(error)}
        error.setdefault("errorType", error_type or "Runtime.Unknown")
        with self.changed:
            self.init_error = error
            self.changed.notify_all()

    def send(self, event: PendingEvent) -> None:
        """Hand ``event`` to the runtime's waiting (or next) ``GET …/invocation/next``."""
        with self.changed:
            self._pending = event
            self.changed.notify_all()

    def wait(self, done: Callable[[], bool], timeout_s: float) -> bool:
        """Wait until ``done()`` (checked whenever the API sees a call, or :meth:`poke` is called)."""
        with self.changed:
            return self.changed.wait_for(done, timeout_s)

    def poke(self) -> None:
        """Wake :meth:`wait` to check again (the process exited, output arrived)."""
        with self.changed:
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self._closed = True
            self.changed.notify_all()
        self._server.shutdown()
        self._server.server_close()
