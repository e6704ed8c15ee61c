"""Record a handler's AWS calls and inject storage faults, through botocore's event system."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.handlers
import botocore.loaders
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

WRITE_OPERATIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "ExecuteStatement"}
)


@dataclass(frozen=True)
class AwsCall:
    """One API call a handler made: service, operation and the table it names, if any."""

    service: str
    operation: str
    table: str | None

    def __str__(self) -> str:
        target = f" on table {self.table!r}" if self.table else ""
        return f"{self.service}:{self.operation}{target}"


@dataclass(frozen=True)
class Fault:
    """A storage failure the backend could produce; ``http_status`` 0 means a network failure."""

    name: str
    http_status: int
    error_code: str

    def response(self, url: str) -> tuple[AWSResponse, dict[str, Any]]:
        http = AWSResponse(url, self.http_status, {}, None)  # type: ignore[arg-type]
        parsed = {
            "Error": {"Code": self.error_code, "Message": f"injected by connect-contract: {self.name}"},
            "ResponseMetadata": {"HTTPStatusCode": self.http_status, "HTTPHeaders": {}},
        }
        return http, parsed


THROTTLED = Fault("throttled", 400, "ProvisionedThroughputExceededException")
THROTTLING = Fault("throttling", 400, "ThrottlingException")
INTERNAL_ERROR = Fault("internal-error", 500, "InternalServerError")
UNAVAILABLE = Fault("service-unavailable", 503, "ServiceUnavailable")
CONNECTION_ERROR = Fault("connection-error", 0, "EndpointConnectionError")
READ_TIMEOUT = Fault("read-timeout", 0, "ReadTimeoutError")
INJECTED_FAULTS = (THROTTLED, THROTTLING, INTERNAL_ERROR, UNAVAILABLE, CONNECTION_ERROR, READ_TIMEOUT)


class _CallHooks:
    """Process-wide hooks, inert until a check opens a recording window (like moto's stubber)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[AwsCall] | None = None
        self._fault: Fault | None = None

    def on_parameters(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self._calls is None:
            return
        table = params.get("TableName")
        call = AwsCall(model.service_model.service_name, model.name, table if isinstance(table, str) else None)
        with self._lock:
            self._calls.append(call)

    def on_call(self, model: Any, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        fault = self._fault
        if fault is None or model.service_model.service_name != "dynamodb":
            return None
        url = str(params.get("url", "https://dynamodb.invalid/"))
        if fault is CONNECTION_ERROR:
            raise EndpointConnectionError(endpoint_url=url)
        if fault is READ_TIMEOUT:
            raise ReadTimeoutError(endpoint_url=url)
        return fault.response(url)

    @contextmanager
    def recording(self) -> Iterator[list[AwsCall]]:
        calls: list[AwsCall] = []
        self._calls = calls
        try:
            yield calls
        finally:
            self._calls = None

    @contextmanager
    def failing(self, fault: Fault) -> Iterator[None]:
        self._fault = fault
        try:
            yield
        finally:
            self._fault = None


HOOKS = _CallHooks()
_REGISTRATIONS: list[tuple[str, Callable[..., Any]]] = [
    ("before-parameter-build", HOOKS.on_parameters),
    ("before-call", HOOKS.on_call),
]
botocore.handlers.BUILTIN_HANDLERS.extend(_REGISTRATIONS)


_MODEL_LOADER = botocore.loaders.create_loader()


def fresh_default_session() -> None:
    """Give boto3 a new default session (these hooks, today's environment) sharing parsed models.

    Reading the SDK's JSON models costs ~100 ms per new session; they never change within a check.
    """
    core = botocore.session.get_session()
    core.register_component("data_loader", _MODEL_LOADER)
    boto3.setup_default_session(botocore_session=core)
