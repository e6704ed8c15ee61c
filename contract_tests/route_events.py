"""The events of a connection's other routes (v5), as API Gateway sends them: `$disconnect` when the
connection ends, and messages on the heartbeat route, with the bodies a heartbeat route really gets."""

from __future__ import annotations

import functools
import json
import time
from typing import Any

from hypothesis import strategies as st

from contract_tests.contract_schemas import errors
from contract_tests.contracts.v5 import DISCONNECT_ROUTE
from contract_tests.gateway import Identity, with_authorizer
from contract_tests.strategies import FIXED_CONTEXT, GeneratorBug, connection_ids, request_contexts

Event = dict[str, Any]

#: WebSocket close codes API Gateway reports: normal, going away, none given, dropped, server error.
CLOSE_CODES = (1000, 1001, 1005, 1006, 1011)
CLOSE_REASONS = ("", "Going away", "Client closed connection", "Connection idle for too long", "bye")

#: Heartbeats as clients write them: compact, spaced, extra keys, keys reordered, an escaped letter.
HEARTBEAT_BODIES = (
    '{"action":"heartbeat"}',
    '{ "action": "heartbeat" }',
    '{"action":"heartbeat","agent":"agent-7","seq":42}',
    '{"seq":1,"action":"heartbeat","status":{"cpu":0.4}}',
    '{"action":"\\u0068eartbeat"}',
    '\n{"action": "heartbeat"}\n',
)
#: Bodies on the heartbeat route that are no heartbeat, each with why.
NOT_HEARTBEATS = (
    "",
    "heartbeat",
    "ping",
    "null",
    "[]",
    '["heartbeat"]',
    '"heartbeat"',
    "{}",
    '{"action":"Heartbeat"}',
    '{"action":"ping"}',
    '{"action":null}',
    '{"action":["heartbeat"]}',
    '{"type":"heartbeat"}',
    '{"action":"heartbeat"',
)


def _later(context: dict[str, Any], after_ms: int) -> dict[str, Any]:
    """``context`` of a later request on the same connection: connectedAt kept, the request's time moved."""
    epoch_ms = context["connectedAt"] + after_ms
    request_time = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000))
    return {**context, "requestTimeEpoch": epoch_ms, "requestTime": request_time}


def _checked(schema: str, event: Event) -> Event:
    problems = errors(schema, event)
    if problems:
        raise GeneratorBug(f"generated event breaks {schema}: " + "; ".join(problems))
    return event


def _context(draw: st.DrawFn, connection_id: str | None) -> dict[str, Any]:
    """A later request's context on ``connection_id`` (a new connection's when None)."""
    context = _later(draw(request_contexts()), draw(st.integers(0, 7_200_000)))
    return context if connection_id is None else {**context, "connectionId": connection_id}


# Not cached: built per connection id (a cache would keep every id drawn).
@st.composite
def disconnect_events(draw: st.DrawFn, connection_id: str | None = None) -> Event:
    """`$disconnect` as API Gateway sends it: the connection's context, a close code and reason, the
    connection's headers; no query maps, no body."""
    context = _context(draw, connection_id)
    context.update(
        routeKey="$disconnect",
        eventType="DISCONNECT",
        disconnectStatusCode=draw(st.sampled_from(CLOSE_CODES) | st.integers(1000, 4999)),
        disconnectReason=draw(st.sampled_from(CLOSE_REASONS) | st.text(max_size=123)),
    )
    host = context["domainName"]
    headers = {"Host": host, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
    event: Event = {
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    return _checked("v5/disconnect-event", event)


def message_event(context: dict[str, Any], body: str, message_id: str) -> Event:
    """A message on the heartbeat route carrying ``body``, on the connection of ``context``."""
    context = {**context, "routeKey": "heartbeat", "eventType": "MESSAGE", "messageId": message_id}
    return _checked("v5/heartbeat-event", {"requestContext": context, "body": body, "isBase64Encoded": False})


@functools.cache
def message_ids() -> st.SearchStrategy[str]:
    return connection_ids().map(lambda text: text.rstrip("=") + "A=")


def events_on(route: str, connection_id: str | None = None) -> st.SearchStrategy[Event]:
    """Events of ``route`` (`$disconnect` or a heartbeat) on the connection."""
    return disconnect_events(connection_id) if route == DISCONNECT_ROUTE else heartbeat_events(connection_id)


@st.composite
def heartbeat_events(draw: st.DrawFn, connection_id: str | None = None, heartbeat: bool = True) -> Event:
    """Heartbeats on the connection (``heartbeat``), or messages on the heartbeat route that are none."""
    context = _context(draw, connection_id)
    bodies = HEARTBEAT_BODIES if heartbeat else NOT_HEARTBEATS
    body = draw(st.sampled_from(bodies))
    if heartbeat and draw(st.booleans()):
        extra = draw(st.dictionaries(st.sampled_from(["agent", "seq", "status", "ts"]), st.integers(0, 10**6)))
        body = json.dumps({**extra, "action": "heartbeat"})
    return message_event(context, body, draw(message_ids()))


# ---- what the table holds when a route's event comes ----------------------------------------------

#: The run's clock when generation began: items are stamped relative to it, as events are.
_NOW_MS = int(time.time() * 1000)
#: How far ahead of the handler's clock a newer heartbeat's lastSeenAt is put: far beyond any invocation.
NEWER_HEARTBEAT_AHEAD_MS = 3_600_000
TypedItem = dict[str, Any]


def stored_item(
    connection_id: str,
    *,
    client_id: str = "agent-7",
    account: str | None = None,
    region: str | None = None,
    created_ms: int,
    seen_ms: int | None,
    ttl_s: int = 7200,
) -> TypedItem:
    """An item as a correct `$connect` stored it; ``seen_ms`` None: written before v5 (no lastSeenAt, no
    accountRegion)."""
    item: TypedItem = {
        "connectionId": {"S": connection_id},
        "clientId": {"S": client_id},
        "createdAt": {"N": str(created_ms)},
        "expiresAt": {"N": str(created_ms // 1000 + ttl_s)},
    }
    if account is not None:
        item["account"] = {"S": account}
    if region is not None:
        item["region"] = {"S": region}
    if seen_ms is not None:
        item["lastSeenAt"] = {"N": str(seen_ms)}
        item["expiresAt"] = {"N": str(seen_ms // 1000 + ttl_s)}
        if account is not None and region is not None:
            item["accountRegion"] = {"S": f"{account}#{region}"}
    return item


#: An item's age: written before v5, seen last a while ago, or refreshed by a heartbeat that landed first.
ITEM_AGES = ("before v5", "seen earlier", "newer heartbeat")


@st.composite
def stored_items(
    draw: st.DrawFn, connection_id: str, age: str | None = None, client_id: str | None = None
) -> TypedItem:
    """An item of ``connection_id`` of the ``age`` given (any when None), of the client given (any when None)."""
    age = age or draw(st.sampled_from(ITEM_AGES[:2]))
    created_ms = _NOW_MS - draw(st.integers(60_000, 7_000_000))
    seen_ms = {
        "before v5": None,
        "seen earlier": created_ms + draw(st.integers(0, 59_000)),
        "newer heartbeat": _NOW_MS + NEWER_HEARTBEAT_AHEAD_MS,
    }[age]
    account = draw(st.none() | st.sampled_from(["123456789012", "000000000042"]))
    region = draw(st.none() | st.sampled_from(["us-east-1", "eu-west-1"]))
    client = client_id or draw(st.sampled_from(["agent-7", "dashboard", "agent-8"]))
    return stored_item(
        connection_id, client_id=client, account=account, region=region, created_ms=created_ms, seen_ms=seen_ms
    )


@st.composite
def neighbours(draw: st.DrawFn, connection_id: str, client_id: str) -> tuple[TypedItem, ...]:
    """Other connections' items beside ``connection_id``'s: of the same client (its newer connection, same
    account and region) and of others; none with the same key."""
    ids = draw(st.lists(connection_ids().filter(lambda other: other != connection_id), max_size=3, unique=True))
    return tuple(draw(stored_items(other, client_id=draw(st.sampled_from([client_id, "agent-9"])))) for other in ids)


# ---- the fixed cases every check sends first ---------------------------------------------------

#: agent-7's connection, and its newer connection from the same account and region.
FIXED_CONNECTION = "L0SM9cOFvHcCIhw="
NEWER_CONNECTION = "M1TN0dPGwIdDJix="
AGENT_7 = Identity("agent-7", ("000000000042",))


def fixed_disconnect(connection_id: str = FIXED_CONNECTION) -> Event:
    context = {**FIXED_CONTEXT, "connectionId": connection_id, "routeKey": "$disconnect", "eventType": "DISCONNECT"}
    context.update(disconnectStatusCode=1001, disconnectReason="Going away")
    headers = {"Host": context["domainName"], "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
    event: Event = {
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    return of_client(_checked("v5/disconnect-event", event), AGENT_7)


def fixed_event(route: str) -> Event:
    """agent-7's fixed `$disconnect` or heartbeat."""
    return fixed_disconnect() if route == DISCONNECT_ROUTE else fixed_heartbeat()


def fixed_heartbeat(body: str = HEARTBEAT_BODIES[0], connection_id: str = FIXED_CONNECTION) -> Event:
    event = message_event({**FIXED_CONTEXT, "connectionId": connection_id}, body, "Ml6KZcdBIAMCJ1g=")
    return of_client(event, AGENT_7)


def fixed_items(age: str = "seen earlier") -> tuple[TypedItem, TypedItem]:
    """agent-7's item of the ``age`` given, and its newer connection's item."""
    created = _NOW_MS - 600_000
    seen = {"before v5": None, "seen earlier": created + 30_000, "newer heartbeat": _NOW_MS + NEWER_HEARTBEAT_AHEAD_MS}
    own = stored_item(
        FIXED_CONNECTION, account="000000000042", region="eu-west-1", created_ms=created, seen_ms=seen[age]
    )
    newer = stored_item(
        NEWER_CONNECTION,
        account="000000000042",
        region="eu-west-1",
        created_ms=created + 60_000,
        seen_ms=created + 60_000,
    )
    return own, newer


def of_client(event: Event, identity: Identity) -> Event:
    """``event`` as API Gateway sends it on an authorized connection: with the context its `$connect`'s
    authorizer gave (every route of the connection carries it)."""
    return with_authorizer(event, identity.context(), identity.client_id)


def owner_of(item: TypedItem) -> Identity:
    """The client who stored ``item``, with its account among its accounts."""
    account = item.get("account", {}).get("S") or "000000000042"
    return Identity(item["clientId"]["S"], (account,))
