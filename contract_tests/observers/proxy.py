"""The HTTP observer: a recording, fault-injecting proxy on 127.0.0.1 in front of the backend's endpoint.

It sees what any SDK in any language sends (the handler's endpoint variables point at it), so the
same clauses judge every runtime. No proxy library records AWS operations or answers with
DynamoDB's own error bodies, so this one is written on ``http.server`` and ``http.client``.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials

from contract_tests.aws_calls import (
    CONNECTION_ERROR,
    INTERNAL_ERROR,
    SUCCEEDED,
    THROTTLED,
    THROTTLING,
    UNAVAILABLE,
    AwsCall,
    Fault,
    calls_of,
    capped,
)
from contract_tests.loopback import QuietServer, read_body, reply, reset
from contract_tests.management_api import ManagementApi
from contract_tests.observers.base import Channel, FaultSwitch
from contract_tests.sandbox import dns
from contract_tests.sandbox.addresses import DNS_PORT, HTTPS_PORT, LOOPBACK, PROXY_PORT, Listener
from contract_tests.sandbox.certificates import server_context
from contract_tests.sandbox.hostnames import management_host

#: Over the wire a read time-out would cost the SDK's own (long) timeout per example; a reset stands for it.
FAULTS = (THROTTLED, THROTTLING, INTERNAL_ERROR, UNAVAILABLE, CONNECTION_ERROR)
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/aws4_request")
#: Headers of the handler's own signature, dropped before the request is signed for the real endpoint.
UNSIGNED = {"authorization", "x-amz-date", "x-amz-security-token", "host", "content-length"}
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


def _scope(headers: Any) -> tuple[str, str]:
    """Service and region of a SigV4-signed request (``unknown`` where it is not signed)."""
    match = _SCOPE.search(headers.get("Authorization", "") or "")
    return (match.group(2), match.group(1)) if match else ("unknown", "us-east-1")


def _actions(path: str, headers: Any, body: bytes) -> set[str]:
    """The ``Action`` a query-protocol request names, in its URL or its form body (a backend reads either)."""
    named = parse_qs(urlsplit(path).query).get("Action", [])
    if "x-www-form-urlencoded" in (headers.get("Content-Type", "") or "") or not headers.get("X-Amz-Target"):
        named += parse_qs(body.decode("utf-8", errors="replace")).get("Action", [])
    return set(named)


def ambiguity(path: str, headers: Any, body: bytes) -> str | None:
    """Why a request names two operations (the proxy would record one, a backend might run the other), or None."""
    target = (headers.get("X-Amz-Target", "") or "").rpartition(".")[2]
    actions = _actions(path, headers, body)
    named = ({target} if target else set()) | actions
    if len(named) > 1 or len(actions) > 1:
        return f"ambiguous request: it names the operations {', '.join(sorted(named))}"
    return None


def describe(headers: Any, body: bytes, path: str = "/") -> list[AwsCall]:
    """The calls one request makes: service from the signature's scope, operation from the target or Action."""
    service = _scope(headers)[0]
    target = headers.get("X-Amz-Target", "") or ""
    params: Any = None
    if target:
        operation = target.rpartition(".")[2]
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = None
    else:
        operation = next(iter(sorted(_actions(path, headers, body))), "") or "unknown"
    return calls_of(service, operation, params)


def resigned(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    credentials: ReadOnlyCredentials,
    service: str,
    region: str,
) -> dict[str, str]:
    """``headers`` signed anew for ``url`` with ``credentials``: the handler signed for the proxy, with dummy keys."""
    kept = {k: v for k, v in headers.items() if k.lower() not in UNSIGNED}
    request = AWSRequest(method=method, url=url, data=body, headers=kept)
    SigV4Auth(credentials, service, region).add_auth(request)
    return dict(request.headers.items())


class Hold:
    """One write held back at the proxy: the first that comes while the hold is open waits for ``release``."""

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self.held = threading.Event()
        self._released = threading.Event()
        self._claimed = False
        self._lock = threading.Lock()

    def claim(self) -> bool:
        """Whether the caller's write is the one held (the first)."""
        with self._lock:
            claimed, self._claimed = self._claimed, True
        return not claimed

    def park(self) -> None:
        self.held.set()
        self._released.wait(self.limit_s)

    def release(self) -> None:
        self._released.set()


class ProxyChannel(FaultSwitch, Channel):
    """One listener per execution environment, so every call it sees belongs to that environment.

    ``upstream`` None means AWS itself (each call to its service's regional endpoint); with
    ``credentials`` every request is signed again before it is forwarded.

    ``sandboxed``: the environment is contained, and the channel serves the sockets its sandbox binds
    (see :meth:`listeners`): plain HTTP where ``AWS_ENDPOINT_URL_DYNAMODB`` points, and HTTPS on 443,
    where every DynamoDB endpoint name resolves inside the sandbox, with a certificate for each
    (``region``: the run's, so it is covered even if botocore does not know it). ``down``: serve
    nothing, so every connection the function makes to DynamoDB is refused (a real outage).
    ``management``: the management API a router posts to, at its real host name (in a sandbox).
    ``query_page``: every Query the function sends reads at most that many items, so a reader meets
    DynamoDB's pagination (``LastEvaluatedKey``) at any size of table; the request is forwarded
    re-signed where the backend checks signatures.
    """

    faults = FAULTS

    def __init__(
        self,
        upstream: str | None,
        credentials: Credentials | None = None,
        *,
        sandboxed: bool = False,
        region: str = "us-east-1",
        down: bool = False,
        query_page: int | None = None,
        management: ManagementApi | None = None,
    ) -> None:
        if upstream is not None and urlsplit(upstream).scheme not in ("http", "https"):
            raise ValueError(f"the proxy forwards to http(s) endpoints, not {upstream!r}")
        self._upstream = upstream.rstrip("/") if upstream else None
        self._credentials = credentials
        self._lock = threading.Lock()
        self._window: list[AwsCall] | None = None
        self._last: list[AwsCall] = []
        self._hold: Hold | None = None
        channel = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in separate writes

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: calls are recorded, not logged."""

            def do_POST(self) -> None:
                channel._handle(self)

            do_GET = do_PUT = do_DELETE = do_HEAD = do_POST

        self._handler = Handler
        self.unreachable_hosts = []
        self._sandboxed, self._region, self._down = sandboxed, region, down
        self._query_page = query_page
        self._management = management
        self._management_host = management_host(region) if management is not None else None
        self._servers: list[QuietServer] = []
        self._dns: list[socket.socket] = []
        if not sandboxed:
            self._servers.append(QuietServer(Handler))
            self._servers[0].serve("aws-proxy")

    @property
    def url(self) -> str:
        if self._sandboxed:
            return f"http://{LOOPBACK}:{PROXY_PORT}"
        host, port = self._servers[0].server_address[:2]
        return f"http://{host!s}:{port}"

    def environment(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL_DYNAMODB": self.url, "AWS_ENDPOINT_URL": self.url}

    def listeners(self) -> list[Listener]:
        """The ports this channel serves on a sandbox's loopback (none when not sandboxed, or ``down``)."""
        if not self._sandboxed or self._down:
            return []
        return [
            Listener(PROXY_PORT, self._serve),
            Listener(HTTPS_PORT, self._serve_tls),
            Listener(DNS_PORT, self._serve_dns, udp=True),
        ]

    def _serve(self, listener: socket.socket, tls: ssl.SSLContext | None = None) -> None:
        server = QuietServer(self._handler, listener, tls)
        self._servers.append(server)
        server.serve("aws-proxy")

    def _serve_dns(self, listener: socket.socket) -> None:
        self._dns.append(listener)
        dns.serve(listener, self._unreachable)

    def _unreachable(self, host: str) -> None:
        with self._lock:
            self.unreachable_hosts.append(host)

    def _serve_tls(self, listener: socket.socket) -> None:
        self._serve(listener, server_context(self._region))

    @contextmanager
    def holding(self, limit_s: float) -> Iterator[Hold]:
        """While open, the first write the function sends waits here (at most ``limit_s``) until released:
        another invocation runs meanwhile, and the held write lands after it."""
        hold = Hold(limit_s)
        self._hold = hold
        try:
            yield hold
        finally:
            self._hold = None
            hold.release()

    @contextmanager
    def recording(self) -> Iterator[list[AwsCall]]:
        calls: list[AwsCall] = []
        with self._lock:
            self._window = self._last = calls
        try:
            yield calls
        finally:
            with self._lock:
                self._window = None

    def close(self) -> None:
        for listener in self._dns:
            listener.close()
        servers, self._servers = self._servers, []
        for server in servers:
            server.shutdown()
            server.server_close()

    # ---- one request ---------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        if self._management is not None and _host(request) == self._management_host:
            self._management.handle(request)
            return
        body = read_body(request)
        calls = describe(request.headers, body, request.path)
        with self._lock:
            # Outside a window (a late call from a timed-out invocation): the last invocation made it.
            (self._window if self._window is not None else self._last).extend(calls)
        refused = ambiguity(request.path, request.headers, body) or self._unforwardable(calls[0].service)
        if refused is not None:
            for call in calls:
                call.outcome = f"refused by the gate: {refused}"
            error = {
                "__type": "com.amazon.coral.validate#ValidationException",
                "message": f"connect-contract: {refused}",
            }
            reply(request, 400, [("Content-Type", "application/x-amz-json-1.0")], json.dumps(error).encode())
            return
        hold = self._hold
        if hold is not None and any(call.is_write for call in calls) and hold.claim():
            hold.park()
        fault = self._fault
        if fault is not None and fault.hits(calls[0].service, calls[0].operation):
            self._inject(request, fault, calls)
            return
        if self._query_page is not None and calls[0].service == "dynamodb" and calls[0].operation == "Query":
            body = _capped_body(body, self._query_page)
        try:
            status, headers, answer = self._forward(request, body)
        except OSError:
            for call in calls:
                call.outcome = "no answer (backend unreachable)"
            reset(request)
            return
        outcome = SUCCEEDED if status < 300 else _error_code(answer) or str(status)
        for call in calls:
            call.outcome = outcome
        reply(request, status, headers, answer)

    def _unforwardable(self, service: str) -> str | None:
        """Why a call cannot go to AWS itself: only DynamoDB's calls go there, never to a host a request names."""
        if self._upstream is None and service != "dynamodb":
            return f"the gate forwards DynamoDB calls to AWS, not {service} calls"
        return None

    def _forward(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        service, region = _scope(request.headers)
        if self._upstream is None:
            # AWS itself: the host is the gate's (--region), never read from the request's own signature scope.
            service, region = "dynamodb", self._region
        base = self._upstream or f"https://dynamodb.{region}.amazonaws.com"
        parts = urlsplit(base)
        # Content-Length is set once below: an SDK's own, in any letter case, would make it twice.
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP | {"content-length"}}
        if self._credentials is not None:
            frozen = self._credentials.get_frozen_credentials()
            headers = resigned(request.command, base + request.path, headers, body, frozen, service, region)
        headers["Content-Length"] = str(len(body))
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = kind(parts.hostname or "", parts.port, timeout=60)
        try:
            connection.request(request.command, request.path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}]
            return response.status, kept, answer
        finally:
            connection.close()

    @staticmethod
    def _inject(request: BaseHTTPRequestHandler, fault: Fault, calls: list[AwsCall]) -> None:
        for call in calls:
            call.outcome = fault.error_code
        if fault.http_status == 0:
            reset(request)
            return
        body = json.dumps(
            {"__type": fault.wire_type + fault.error_code, "message": f"injected by connect-contract: {fault.name}"}
        ).encode()
        headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", uuid.uuid4().hex)]
        reply(request, fault.http_status, headers, body)


def _host(request: BaseHTTPRequestHandler) -> str:
    """The host a request names, without its port."""
    return (request.headers.get("Host") or "").rsplit(":", 1)[0].lower()


def _capped_body(body: bytes, page: int) -> bytes:
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return body  # the backend answers an unreadable body itself
    return json.dumps(capped(params, page)).encode()


def _error_code(body: bytes) -> str:
    try:
        error = json.loads(body)
    except ValueError:
        return ""
    kind = error.get("__type", "") if isinstance(error, dict) else ""
    return str(kind).rpartition("#")[2]
