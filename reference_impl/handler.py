"""Reference AWS Lambda handler for the API Gateway WebSocket ``$connect`` route.

One entry point per contract version: ``lambda_handler`` (v1), ``lambda_handler_v2`` (v1 + TTL),
``lambda_handler_v3`` (v2 + validated inputs), ``lambda_handler_v4`` (v3 behind the REQUEST
authorizer of ``reference_impl/authorizer.py``), ``lambda_handler_v5`` (v4 plus the connection's life:
one function for ``$connect``, ``$disconnect`` and ``heartbeat``). Each version is the previous one plus
its change.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import time
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

# Created once per container, and the low-level client: a resource's Table and its type serializer
# cost about as much again as the PutItem itself on every invocation.
_dynamodb = boto3.client("dynamodb")

ACCEPTED = {"statusCode": 200, "body": "connected"}
OPTIONAL_ATTRIBUTES = ("account", "region")
#: API Gateway closes a WebSocket connection after two hours at most.
DEFAULT_TTL_SECONDS = 7200
#: v3's rules; ``fullmatch`` and ASCII classes, because ``$`` and ``\d`` would let "1234…\n" or "١٢٣…" through.
RULES = {
    "clientId": re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}"),
    "account": re.compile(r"[0-9]{12}"),
    "region": re.compile(
        r"[a-z]{2}(-gov|-iso[a-z]?)?-(central|north|south|east|west|northeast|northwest|southeast|southwest)-[1-9]"
    ),
}
#: v5: a heartbeat refreshes an item that exists (never re-creating one $disconnect deleted) and only
#: moves lastSeenAt forwards (a slower, older heartbeat finishing last changes nothing).
REFRESH_CONDITION = "attribute_exists(connectionId) AND (attribute_not_exists(lastSeenAt) OR lastSeenAt < :now)"
#: How much of a refused value a log line may repeat.
LOGGED_CHARACTERS = 32


class MalformedEvent(ValueError):
    """The event is not a $connect event this handler can record."""


class NotAuthorized(ValueError):
    """v4: the connect is not the authorizer's client's to make (a status and a reason)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


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


def typed(item: dict[str, Any]) -> dict[str, dict[str, str]]:
    """``item`` in DynamoDB's typed JSON: its integers are Numbers, its text Strings."""
    return {name: {"N": str(value)} if isinstance(value, int) else {"S": value} for name, value in item.items()}


def invalid_parameter(event: Any) -> str | None:
    """v3: why a parameter value breaks its rule (quoting at most 32 characters of it), or None."""
    params = event.get("queryStringParameters") if isinstance(event, dict) else None
    if not isinstance(params, dict):
        return None
    for name, rule in RULES.items():
        if name not in params or params[name] == "":
            continue
        value = params[name]
        if not isinstance(value, str):
            return f"queryStringParameters.{name} is {type(value).__name__}, not a string"
        if not rule.fullmatch(value):
            shown = ascii(value[:LOGGED_CHARACTERS]) + ("…" if len(value) > LOGGED_CHARACTERS else "")
            return f"queryStringParameters.{name} {shown} is not a valid {name}"
    return None


def authorized_client(event: Any) -> str:
    """v4: the clientId the authorizer vouched for, once the connect's own parameters agree with it.

    API Gateway passes the authorizer's context as ``requestContext.authorizer`` (scalars only, so
    the accounts arrive comma-joined). Without it the connect carries no authentication: 401.
    """
    context = event.get("requestContext") if isinstance(event, dict) else None
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    client_id = authorizer.get("clientId") if isinstance(authorizer, dict) else None
    accounts = authorizer.get("accounts") if isinstance(authorizer, dict) else None
    if not isinstance(client_id, str) or not client_id or not isinstance(accounts, str):
        raise NotAuthorized(401, "no authorizer context (clientId, accounts): the connect is not authenticated")
    params = _query_parameters(event)
    if params.get("clientId") and params["clientId"] != client_id:
        raise NotAuthorized(403, "clientId differs from the authenticated client's")
    if params.get("account") and params["account"] not in accounts.split(","):
        raise NotAuthorized(403, "account is not one of the authenticated client's accounts")
    return client_id


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Contract v1: record the connection in ``CONNECTIONS_TABLE`` and accept it, or refuse it."""
    return _connect(event, version=1)


def lambda_handler_v2(event: Any, context: Any) -> dict[str, Any]:
    """Contract v2: v1 plus ``expiresAt``, so the table's TTL deletes the connection."""
    return _connect(event, version=2)


def lambda_handler_v3(event: Any, context: Any) -> dict[str, Any]:
    """Contract v3: v2 plus refusing an invalid ``clientId``, ``account`` or ``region`` with 400."""
    return _connect(event, version=3)


def lambda_handler_v4(event: Any, context: Any) -> dict[str, Any]:
    """Contract v4: v3 for the client the authorizer authenticated (its clientId is stored; 403 otherwise)."""
    return _connect(event, version=4)


def lambda_handler_v5(event: Any, context: Any) -> dict[str, Any]:
    """Contract v5: every route of a connection's life, dispatched on ``requestContext.routeKey``."""
    context_ = event.get("requestContext") if isinstance(event, dict) else None
    route = context_.get("routeKey") if isinstance(context_, dict) else None
    if route == "$disconnect":
        return _disconnect(event)
    if route == "heartbeat":
        return _heartbeat(event)
    if route == "$connect":
        return _connect(event, version=5)
    return _refuse(400, f"no such route: {route!r}")


def _disconnect(event: dict[str, Any]) -> dict[str, Any]:
    """Delete this connection's item (keyed by its id: never by client or index, which a newer connection
    shares); 200 whether it was there or not, since API Gateway may send $disconnect twice or never."""
    table_name = os.environ.get("CONNECTIONS_TABLE")
    if not table_name:
        return _refuse(500, "CONNECTIONS_TABLE is not set")
    try:
        connection_id = _connection_id(event)
    except MalformedEvent as error:
        return _refuse(400, f"malformed $disconnect event: {error}")
    try:
        _dynamodb.delete_item(TableName=table_name, Key={"connectionId": {"S": connection_id}})
    except (ClientError, BotoCoreError) as error:
        return _refuse(500, f"could not delete connection {connection_id}: {error}")
    return {"statusCode": 200}


def _heartbeat(event: dict[str, Any]) -> dict[str, Any]:
    """Refresh lastSeenAt and expiresAt of an existing item, never re-creating one (410 when it is gone)
    and never moving lastSeenAt backwards (heartbeats may finish in any order: 200, nothing changed)."""
    table_name = os.environ.get("CONNECTIONS_TABLE")
    if not table_name:
        return _refuse(500, "CONNECTIONS_TABLE is not set")
    try:
        connection_id = _connection_id(event)
        message = json.loads(event.get("body") or "")
    except MalformedEvent as error:
        return _refuse(400, f"malformed heartbeat event: {error}")
    except (TypeError, ValueError):
        return _refuse(400, "the body is not JSON")
    if not isinstance(message, dict) or message.get("action") != "heartbeat":
        return _refuse(400, "the body is not a heartbeat")
    now_ns = time.time_ns()
    key = {"connectionId": {"S": connection_id}}
    try:
        _dynamodb.update_item(
            TableName=table_name,
            Key=key,
            UpdateExpression="SET lastSeenAt = :now, expiresAt = :expires",
            ConditionExpression=REFRESH_CONDITION,
            ExpressionAttributeValues={
                ":now": {"N": str(now_ns // 1_000_000)},
                ":expires": {"N": str(math.ceil(now_ns / 1_000_000_000) + _ttl_seconds())},
            },
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            return _refuse(500, f"could not refresh connection {connection_id}: {error}")
        try:
            found = _dynamodb.get_item(TableName=table_name, Key=key, ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as error:
            return _refuse(500, f"could not read connection {connection_id}: {error}")
        if found is None:
            return _refuse(410, f"connection {connection_id} is gone")
    except BotoCoreError as error:
        return _refuse(500, f"could not refresh connection {connection_id}: {error}")
    return {"statusCode": 200}


def _ttl_seconds() -> int:
    text = os.environ.get("CONNECTION_TTL_SECONDS") or ""
    return int(text) if text else DEFAULT_TTL_SECONDS


def _connect(event: Any, version: int) -> dict[str, Any]:
    table_name = os.environ.get("CONNECTIONS_TABLE")
    if not table_name:
        return _refuse(500, "CONNECTIONS_TABLE is not set")
    if version >= 3:
        invalid = invalid_parameter(event)
        if invalid is not None:
            return _refuse(400, invalid)
    now_ns = time.time_ns()
    try:
        item = build_item(event, now_ns // 1_000_000)
        if version >= 4:
            item["clientId"] = authorized_client(event)
    except MalformedEvent as error:
        return _refuse(400, f"malformed $connect event: {error}")
    except NotAuthorized as error:
        return _refuse(error.status, str(error))
    if version >= 2:
        # The same clock read as createdAt, in whole seconds, rounded up so it never expires early.
        item["expiresAt"] = math.ceil(now_ns / 1_000_000_000) + _ttl_seconds()
    if version >= 5:
        item["lastSeenAt"] = item["createdAt"]
        if "account" in item and "region" in item:
            item["accountRegion"] = f"{item['account']}#{item['region']}"
    try:
        _dynamodb.put_item(TableName=table_name, Item=typed(item))
    except (ClientError, BotoCoreError) as error:
        return _refuse(500, f"could not store connection {item['connectionId']}: {error}")
    return dict(ACCEPTED)
