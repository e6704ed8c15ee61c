"""Contract v5 = v4 + the connection's life: `$disconnect` deletes, a heartbeat refreshes, and the item
carries what routing by account and region reads."""

from __future__ import annotations

from contract_tests.contracts.clause import Clause
from contract_tests.contracts.v4 import V4
from contract_tests.oracle import GONE_STATUS, RoutingOracle
from contract_tests.table_definition import Index, TableDefinition

DISCONNECT_ROUTE = "$disconnect"
HEARTBEAT_ROUTE = "heartbeat"

ROUTING_ATTRIBUTES = Clause(
    16,
    "routing-attributes",
    "a connect stores lastSeenAt (the createdAt reading) and accountRegion = account#region, only when both are",
    "authenticated connects with account and region both, either or neither",
)
DISCONNECT = Clause(
    17,
    "disconnect",
    "$disconnect deletes its own connection's item and nothing else, answering 200 whether it was there or not",
    "$disconnect events (close codes 1000, 1001, 1005, 1006, 1011 and others, empty and long reasons) on a"
    " table holding its item or not, beside other connections' items, v5 and older",
)
HEARTBEAT = Clause(
    18,
    "heartbeat",
    "a heartbeat refreshes lastSeenAt and expiresAt and nothing else; never re-creates an item (410), never"
    " moves lastSeenAt backwards; a body that is no heartbeat is answered 400, nothing changed",
    "heartbeats with bodies with extra keys, spacing and escapes, on its item (v5, or written before v5), on"
    " an item a newer heartbeat refreshed, on no item; bodies that are not JSON, not an object or another action",
)
ROUTE_STORAGE_FAILURE = Clause(
    19,
    "route-storage-failure",
    "a $disconnect or heartbeat whose storage fails is not answered 200",
    "$disconnect and heartbeat events on the connection's item while every DynamoDB call fails",
)
ROUTE_AWS_CALLS = Clause(
    20,
    "route-aws-calls",
    "$disconnect calls only DeleteItem (and GetItem), a heartbeat only UpdateItem (and GetItem), on the table",
    "$disconnect and heartbeat events on items that are there and on missing ones",
)
LIFECYCLE = Clause(
    21,
    "lifecycle",
    "after every step of many connections' lives the table holds exactly the connected ones, each as its last"
    " step left it; no item is ever re-created",
    "programs of connects, heartbeats, disconnects, repeated disconnects and heartbeats after them over up to"
    " four connections, some steps under a storage failure",
)

INTERLEAVINGS = Clause(
    22,
    "interleavings",
    "a heartbeat whose write lands after a newer heartbeat's, or after $disconnect deleted its item, neither"
    " moves lastSeenAt backwards nor brings the item back",
    "a heartbeat's first write held at the observing proxy while another heartbeat of the connection, or its"
    " $disconnect, runs to its end in another environment; then released",
    requires=frozenset({"held-writes"}),
)

UNKNOWN_ROUTE = Clause(
    23,
    "unknown-route",
    "a function serving several routes answers 400 to a route it does not know, and changes nothing",
    "messages on routes the contract does not bind ($default, another action, the heartbeat route's name in"
    " other case) sent to each function that serves several routes, on a table holding the connection's item",
)

V5 = V4.derive(
    "v5",
    "v4 + the connection's life: lastSeenAt and accountRegion on the item, the byAccountRegion index;"
    f" $disconnect deletes its item; a heartbeat refreshes it, {GONE_STATUS} when it is gone",
    schemas={
        "item": "v5/item",
        "disconnect-event": "v5/disconnect-event",
        "heartbeat-event": "v5/heartbeat-event",
    },
    oracle=RoutingOracle("v3/item"),
    table=TableDefinition(ttl_attribute="expiresAt", indexes=(Index("byAccountRegion", "accountRegion", "createdAt"),)),
    routes={
        DISCONNECT_ROUTE: frozenset({"DeleteItem", "GetItem"}),
        HEARTBEAT_ROUTE: frozenset({"UpdateItem", "GetItem"}),
    },
    add=(
        ROUTING_ATTRIBUTES,
        DISCONNECT,
        HEARTBEAT,
        ROUTE_STORAGE_FAILURE,
        ROUTE_AWS_CALLS,
        LIFECYCLE,
        INTERLEAVINGS,
        UNKNOWN_ROUTE,
    ),
    decisions=(
        "Routes: $connect, $disconnect and heartbeat (route selection $request.body.action); one function may"
        " serve them all, dispatching on requestContext.routeKey, or each route its own.",
        "The item adds lastSeenAt (integer epoch ms; at connect the createdAt reading) and accountRegion"
        ' ("<account>#<region>", only when both are stored): the sparse key of the GSI byAccountRegion'
        " (partition accountRegion, sort createdAt, projection ALL).",
        "$disconnect deletes the item keyed by its connectionId and nothing else, answers statusCode 200 whether"
        " an item was there or not, and is not answered 200 when its storage fails. It is best-effort (API"
        " Gateway may never send it), so the TTL stays the backstop.",
        "A heartbeat sets lastSeenAt to the handler's clock (ms) and expiresAt to that clock in seconds + the TTL"
        " (v2's window rule), changes no other attribute and answers 200; with no item it answers"
        f" {GONE_STATUS} and creates nothing; a clock not later than the stored lastSeenAt changes nothing and"
        " still answers 200; an item written before v5 is refreshed like any other.",
        'A heartbeat body that is not JSON, not an object, or whose action is not "heartbeat" is answered 400'
        " and changes nothing. Statuses are judged on every route, bodies only on $connect.",
        "$connect may call PutItem (GetItem), a heartbeat UpdateItem (GetItem), $disconnect DeleteItem"
        " (GetItem), all on the table alone; a function serving several routes may call the union.",
    ),
)
