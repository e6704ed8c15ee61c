"""The contract's oracle: the v1 item a correct handler stores for a given valid event."""

from __future__ import annotations

from typing import Any

DEFAULT_CLIENT_ID = "unknown"
OPTIONAL_PARAMETERS = ("account", "region")

TypedItem = dict[str, dict[str, str]]


def expected_item(event: dict[str, Any]) -> TypedItem:
    """The item in DynamoDB's typed JSON, without ``createdAt`` (only its window is known)."""
    params: dict[str, str] = event.get("queryStringParameters") or {}
    item: TypedItem = {
        "connectionId": {"S": event["requestContext"]["connectionId"]},
        "clientId": {"S": params.get("clientId") or DEFAULT_CLIENT_ID},
    }
    for name in OPTIONAL_PARAMETERS:
        if params.get(name):
            item[name] = {"S": params[name]}
    return item
