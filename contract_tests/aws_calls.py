"""What an observer records of a handler (its AWS calls, and how each ended) and the storage faults it can inject."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    #: The secondary index a Query or Scan names.
    index: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome == SUCCEEDED

    @property
    def is_write(self) -> bool:
        return self.service == "dynamodb" and self.operation in WRITE_OPERATIONS

    def __str__(self) -> str:
        target = f' on table "{self.table}"' if self.table else ""
        if self.index:
            target = f' on index "{self.index}" of table "{self.table}"'
        ending = "" if self.succeeded else f" (not done: {self.outcome})"
        return f"{self.service}:{self.operation}{target}{ending}"


@dataclass(frozen=True)
class Fault:
    """A storage failure the backend could produce; ``http_status`` 0 means a network failure.

    ``wire_type`` is the ``__type`` DynamoDB's JSON error body carries for it.
    """

    name: str
    http_status: int
    error_code: str
    wire_type: str = ""
    #: The DynamoDB operations it fails; empty: every one.
    only: frozenset[str] = frozenset()

    def hits(self, service: str, operation: str) -> bool:
        return service == "dynamodb" and (not self.only or operation in self.only)


THROTTLED = Fault("throttled", 400, "ProvisionedThroughputExceededException", "com.amazonaws.dynamodb.v20120810#")
THROTTLING = Fault("throttling", 400, "ThrottlingException", "com.amazon.coral.availability#")
INTERNAL_ERROR = Fault("internal-error", 500, "InternalServerError", "com.amazonaws.dynamodb.v20120810#")
UNAVAILABLE = Fault("service-unavailable", 503, "ServiceUnavailable", "com.amazon.coral.availability#")
#: What a role without the permission gets: an error no SDK retries, so every SDK sees the failure at once.
ACCESS_DENIED = Fault("access-denied", 400, "AccessDeniedException", "com.amazon.coral.service#")
CONNECTION_ERROR = Fault("connection-error", 0, "EndpointConnectionError")
READ_TIMEOUT = Fault("read-timeout", 0, "ReadTimeoutError")


def calls_of(service: str, operation: str, params: Any) -> list[AwsCall]:
    """The calls one request makes: one per table it names, with the index a read names."""
    index = params.get("IndexName") if isinstance(params, dict) else None
    return [
        AwsCall(service, operation, table, index=index if isinstance(index, str) else None)
        for table in tables_named(operation, params)
    ]


def capped(params: Any, page: int) -> Any:
    """A Query's parameters reading at most ``page`` items, as DynamoDB's 1 MB page limit would cut it."""
    if not isinstance(params, dict):
        return params
    limit = params.get("Limit")
    return {**params, "Limit": min(limit, page) if isinstance(limit, int) and limit > 0 else page}


def tables_named(operation: str, params: Any) -> list[str | None]:
    """The tables a DynamoDB request names, nested ones too (batch and transaction requests); [None] if none."""
    if not isinstance(params, dict):
        return [None]
    if isinstance(params.get("TableName"), str):
        return [params["TableName"]]
    names: list[str | None] = []
    if isinstance(params.get("RequestItems"), dict):
        names += [name for name in params["RequestItems"] if isinstance(name, str)]
    for item in params.get("TransactItems") or []:
        for action in item.values() if isinstance(item, dict) else []:
            if isinstance(action, dict) and isinstance(action.get("TableName"), str):
                names.append(action["TableName"])
    return list(dict.fromkeys(names)) or [None]
