"""Reference router: delivers one remediation message to every live agent of an account and region.

Invoked directly with ``{"account", "region", "message"}``. It reads v5's ``byAccountRegion`` index
(every page), keeps the live connections (not expired: DynamoDB deletes expired items up to ~48 h late;
seen within ``CONNECTION_IDLE_SECONDS``: API Gateway closes a silent connection), posts the message to
each through API Gateway's management API, prunes the ones that are gone (410), and counts.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

INDEX = "byAccountRegion"
DEFAULT_IDLE_SECONDS = 600
ACCOUNT = re.compile(r"[0-9]{12}")
REGION = re.compile(
    r"[a-z]{2}(-gov|-iso[a-z]?)?-(central|north|south|east|west|northeast|northwest|southeast|southwest)-[1-9]"
)

#: One attempt per post. The posts go one after another, and the SDK's default retries wait after a
#: throttled one, a random wait that doubles each time: a fleet of throttled connections took the
#: reference past its 3 s timeout. A connection whose post failed is counted failed and its item kept
#: (the contract allows a retry, never asks for one); the caller can route the message again.
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1})

_dynamodb = boto3.client("dynamodb")
# Created on first use: the endpoint is the function's configuration, and a client per invocation costs.
_management: Any = None


class InvalidEvent(ValueError):
    """The event is not a router event: the invocation fails, nothing is posted or deleted."""


def _management_api() -> Any:
    global _management
    if _management is None:
        endpoint = os.environ["CONNECTIONS_ENDPOINT"]
        _management = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint, config=ONE_ATTEMPT)
    return _management


def _validated(event: Any) -> tuple[str, str, dict[str, Any]]:
    if not isinstance(event, dict):
        raise InvalidEvent("the event is not a JSON object")
    account, region, message = event.get("account"), event.get("region"), event.get("message")
    if not isinstance(account, str) or not ACCOUNT.fullmatch(account):
        raise InvalidEvent("account is not 12 digits")
    if not isinstance(region, str) or not REGION.fullmatch(region):
        raise InvalidEvent("region is not an AWS region")
    if not isinstance(message, dict):
        raise InvalidEvent("message is not a JSON object")
    return account, region, message


def live_connections(account: str, region: str, now_ms: int) -> list[str]:
    """The connection ids of the partition's live items, every page of the index read."""
    idle_s = int(os.environ.get("CONNECTION_IDLE_SECONDS") or DEFAULT_IDLE_SECONDS)
    now_s, seen_since = now_ms // 1000, now_ms - idle_s * 1000
    paginator = _dynamodb.get_paginator("query")
    pages = paginator.paginate(
        TableName=os.environ["CONNECTIONS_TABLE"],
        IndexName=INDEX,
        KeyConditionExpression="accountRegion = :partition",
        ExpressionAttributeValues={":partition": {"S": f"{account}#{region}"}},
    )
    live = []
    for page in pages:
        for item in page["Items"]:
            expires = int(item["expiresAt"]["N"]) if "expiresAt" in item else None
            seen = int(item["lastSeenAt"]["N"]) if "lastSeenAt" in item else None
            if expires is not None and expires <= now_s:
                continue
            if seen is not None and seen < seen_since:
                continue
            live.append(item["connectionId"]["S"])
    return live


def _prune(connection_id: str) -> bool:
    try:
        _dynamodb.delete_item(TableName=os.environ["CONNECTIONS_TABLE"], Key={"connectionId": {"S": connection_id}})
    except (ClientError, BotoCoreError) as error:
        logger.warning("could not prune %s: %s", connection_id, error)
        return False
    return True


def lambda_handler(event: Any, context: Any) -> dict[str, int]:
    account, region, message = _validated(event)
    data = json.dumps(message).encode()
    counts = {"delivered": 0, "pruned": 0, "failed": 0}
    for connection_id in live_connections(account, region, time.time_ns() // 1_000_000):
        try:
            _management_api().post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "GoneException":
                counts["pruned" if _prune(connection_id) else "failed"] += 1
            else:
                logger.warning("post to %s failed: %s", connection_id, error)
                counts["failed"] += 1
        except BotoCoreError as error:
            logger.warning("post to %s failed: %s", connection_id, error)
            counts["failed"] += 1
        else:
            counts["delivered"] += 1
    logger.info("routed to %s#%s: %s", account, region, counts)
    return counts
