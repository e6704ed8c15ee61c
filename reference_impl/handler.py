"""Reference AWS Lambda handler for the API Gateway WebSocket ``$connect`` route (contract v1)."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

# Created once per container: building a boto3 resource costs tens of ms on every cold start.
_dynamodb = boto3.resource("dynamodb")

ACCEPTED = {"statusCode": 200, "body": "connected"}
OPTIONAL_ATTRIBUTES = ("account", "region")


class MalformedEvent(ValueError):
    """The event is not a $connect event this handler can record."""


def _refuse(status: int, reason: str) -> dict[str, Any]:
    logger.error("connect refused (%d): %s", status, reason)
    return {"statusCode": status, "body": reason}


def _connection_id(event: object) -> str:
    if not isinstance(event, dict):
        raise MalformedEvent("event is not a JSON object")
    context = event.get("requestContext")
    if not isinstance(context, dict):
        raise MalformedEvent("requestContext is missing or not an object")
    connection_id = context.get("connectionId")
    if not isinstance(connection_id, str) or not connection_id:
        raise MalformedEvent("requestContext.connectionId is missing, empty or not a string")
    return connection_id


def _query_parameters(event: dict[str, Any]) -> dict[str, str]:
    params = event.get("queryStringParameters")
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise MalformedEvent("queryStringParameters is neither an object nor null")
    for name in ("clientId", *OPTIONAL_ATTRIBUTES):
        if name in params and not isinstance(params[name], str):
            raise MalformedEvent(f"queryStringParameters.{name} is not a string")
    return params


def build_item(event: Any, now_ms: int) -> dict[str, Any]:
    """The v1 item for ``event``: empty parameters count as absent, absent ones are not stored."""
    connection_id = _connection_id(event)
    params = _query_parameters(event)
    item: dict[str, Any] = {
        "connectionId": connection_id,
        "createdAt": now_ms,
        "clientId": params.get("clientId") or "unknown",
    }
    for name in OPTIONAL_ATTRIBUTES:
        if params.get(name):
            item[name] = params[name]
    return item


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Record the connection in ``CONNECTIONS_TABLE`` and accept it, or refuse it."""
    table_name = os.environ.get("CONNECTIONS_TABLE")
    if not table_name:
        return _refuse(500, "CONNECTIONS_TABLE is not set")
    try:
        item = build_item(event, time.time_ns() // 1_000_000)
    except MalformedEvent as error:
        return _refuse(400, f"malformed $connect event: {error}")
    try:
        _dynamodb.Table(table_name).put_item(Item=item)
    except (ClientError, BotoCoreError) as error:
        return _refuse(500, f"could not store connection {item['connectionId']}: {error}")
    return dict(ACCEPTED)
