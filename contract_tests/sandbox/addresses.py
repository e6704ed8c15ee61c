"""Ports on a sandbox's own loopback, where the function finds the gate's servers."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

#: Lambda's own Runtime API address (``AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001``).
RUNTIME_API_PORT = 9001
#: The observing proxy over plain HTTP, where ``AWS_ENDPOINT_URL_DYNAMODB`` points.
PROXY_PORT = 9002
#: The observing proxy over TLS, where every DynamoDB endpoint name resolves (and a router's management API's).
HTTPS_PORT = 443
#: The sandbox's name server (UDP), named in its ``/etc/resolv.conf``.
DNS_PORT = 53
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Listener:
    """A port on a sandboxed function's own loopback, served by the gate (the observing proxy's)."""

    port: int
    serve: Callable[[socket.socket], None]
    udp: bool = False
