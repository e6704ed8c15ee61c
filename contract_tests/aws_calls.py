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


#: ``AwsCall.outcome`` of a call the backend answered with success.
SUCCEEDED = "ok"


@dataclass
class AwsCall:
    """One API call a handler made: service, operation, the table it names, and how it ended.

    ``outcome`` is ``"ok"``, the error code the backend answered with, or ``"no answer"``.
    """

    service: str
    operation: str
    table: str | None
    outcome: str = "no answer"

    @property
    def succeeded(self) -> bool:
        return self.outcome == SUCCEEDED

    @property
    def is_write(self) -> bool:
        return self.service == "dynamodb" and self.operation in WRITE_OPERATIONS

    def __str__(self) -> str:
        target = f' on table "{self.table}"' if self.table else ""
        ending = "" if self.succeeded else f" (not done: {self.outcome})"
        return f"{self.service}:{self.operation}{target}{ending}"


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

    def on_parameters(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if self._calls is None:
            return
        table = params.get("TableName")
        call = AwsCall(model.service_model.service_name, model.name, table if isinstance(table, str) else None)
        context[_CALL_KEY] = call
        with self._lock:
            self._calls.append(call)

    def on_answer(self, http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        """Note how the call ended: a write the backend rejected stored nothing, and is judged so."""
        call = context.get(_CALL_KEY)
        if isinstance(call, AwsCall):
            ok = http_response is not None and http_response.status_code < 300
            call.outcome = SUCCEEDED if ok else str(parsed.get("Error", {}).get("Code") or http_response.status_code)

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


_CALL_KEY = "connect_contract_call"
HOOKS = _CallHooks()
_REGISTRATIONS: list[tuple[str, Callable[..., Any]]] = [
    ("before-parameter-build", HOOKS.on_parameters),
    ("before-call", HOOKS.on_call),
    ("after-call", HOOKS.on_answer),
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
