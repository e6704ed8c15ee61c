"""The contract's oracle: which events carry a usable identity, and the v1 item a correct handler stores."""

from __future__ import annotations

from typing import Any

DEFAULT_CLIENT_ID = "unknown"
OPTIONAL_PARAMETERS = ("account", "region")

TypedItem = dict[str, dict[str, str]]


def has_identity(event: Any) -> bool:
    """An object with a ``requestContext`` object whose ``connectionId`` is a non-empty string."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    connection_id = context.get("connectionId") if isinstance(context, dict) else None
    return isinstance(connection_id, str) and connection_id != ""


def query_parameters(event: dict[str, Any]) -> dict[str, Any]:
    """The single-value query map; absent, ``null`` or not an object all carry no parameters."""
    params = event.get("queryStringParameters")
    return params if isinstance(params, dict) else {}


def expected_item(event: dict[str, Any]) -> TypedItem:
    """The item in DynamoDB's typed JSON, without ``createdAt`` (only its window is known)."""
    params = query_parameters(event)
    item: TypedItem = {
        "connectionId": {"S": event["requestContext"]["connectionId"]},
        "clientId": {"S": params.get("clientId") or DEFAULT_CLIENT_ID},
    }
    for name in OPTIONAL_PARAMETERS:
        if params.get(name):
            item[name] = {"S": params[name]}
    return item
