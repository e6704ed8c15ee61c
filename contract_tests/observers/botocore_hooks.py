"""The in-process observer: a handler's AWS calls recorded and faults injected through botocore's event system."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.handlers
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from contract_tests.aws_calls import (
    CONNECTION_ERROR,
    INTERNAL_ERROR,
    READ_TIMEOUT,
    SUCCEEDED,
    THROTTLED,
    THROTTLING,
    UNAVAILABLE,
    AwsCall,
    Fault,
    calls_of,
    capped,
)
from contract_tests.observers.base import Channel, FaultSwitch
from contract_tests.sdk_models import shared_loader

#: botocore fails a call before it is sent, so a read time-out costs nothing here.
FAULTS = (THROTTLED, THROTTLING, INTERNAL_ERROR, UNAVAILABLE, CONNECTION_ERROR, READ_TIMEOUT)


def _fault_response(fault: Fault, url: str) -> tuple[AWSResponse, dict[str, Any]]:
    http = AWSResponse(url, fault.http_status, {}, None)  # type: ignore[arg-type]
    parsed = {
        "Error": {"Code": fault.error_code, "Message": f"injected by connect-contract: {fault.name}"},
        "ResponseMetadata": {"HTTPStatusCode": fault.http_status, "HTTPHeaders": {}},
    }
    return http, parsed


class _CallHooks(FaultSwitch):
    """Process-wide hooks, inert until a check opens a recording window (like moto's stubber)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[AwsCall] | None = None
        self._query_page: int | None = None

    def on_parameters(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if self._calls is None:
            return
        service = model.service_model.service_name
        calls = calls_of(service, model.name, params)
        if self._query_page is not None and service == "dynamodb" and model.name == "Query":
            params.update(capped(params, self._query_page))
        context[_CALL_KEY] = calls
        with self._lock:
            self._calls.extend(calls)

    def on_answer(self, http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        """Note how the call ended: a write the backend rejected stored nothing, and is judged so."""
        ok = http_response is not None and http_response.status_code < 300
        for call in context.get(_CALL_KEY, ()):
            call.outcome = SUCCEEDED if ok else str(parsed.get("Error", {}).get("Code") or http_response.status_code)

    def on_call(self, model: Any, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        fault = self._fault
        if fault is None or not fault.hits(model.service_model.service_name, model.name):
            return None
        url = str(params.get("url", "https://dynamodb.invalid/"))
        if fault is CONNECTION_ERROR:
            raise EndpointConnectionError(endpoint_url=url)
        if fault is READ_TIMEOUT:
            raise ReadTimeoutError(endpoint_url=url)
        return _fault_response(fault, url)

    @contextmanager
    def recording(self, query_page: int | None = None) -> Iterator[list[AwsCall]]:
        calls: list[AwsCall] = []
        self._calls, self._query_page = calls, query_page
        try:
            yield calls
        finally:
            self._calls, self._query_page = None, None


_CALL_KEY = "connect_contract_call"
HOOKS = _CallHooks()
_REGISTRATIONS: list[tuple[str, Callable[..., Any]]] = [
    ("before-parameter-build", HOOKS.on_parameters),
    ("before-call", HOOKS.on_call),
    ("after-call", HOOKS.on_answer),
]


def install_hooks() -> None:
    """Add the hooks to the handlers every new botocore session gets: at first use, never at import."""
    if _REGISTRATIONS[0] not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.extend(_REGISTRATIONS)


def fresh_default_session() -> None:
    """Give boto3 a new default session (these hooks, today's environment) sharing parsed models."""
    install_hooks()
    core = botocore.session.get_session()
    loader = shared_loader()
    core.register_component("data_loader", loader)
    boto3.setup_default_session(botocore_session=core)
    # boto3 adds its own data directory to the loader of every session it makes: once is enough
    loader.search_paths[:] = dict.fromkeys(loader.search_paths)


class HookChannel(Channel):
    """Every in-process instance shares the process's botocore hooks; the handler reaches the backend directly."""

    faults = FAULTS

    unreachable_hosts: list[str] = []  # noqa: RUF012 - in process nothing is looked up through the gate

    def __init__(self, query_page: int | None = None) -> None:
        #: As the proxy's: every Query reads at most this many items.
        self.query_page = query_page

    def environment(self) -> dict[str, str]:
        return {}

    def recording(self) -> Any:
        return HOOKS.recording(self.query_page)

    def failing(self, fault: Fault) -> Any:
        return HOOKS.failing(fault)

    def close(self) -> None:
        """Nothing to close: the hooks stay registered and inert."""
