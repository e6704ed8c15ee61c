"""The router contract: the function that delivers one message to every live agent of an account and
region, reading v5's byAccountRegion index and posting through API Gateway's management API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from contract_tests.contracts.base import ContractBase
from contract_tests.contracts.clause import Clause
from contract_tests.table_definition import Index, TableDefinition

#: The management API's URL (``https://{api}.execute-api.{region}.amazonaws.com/{stage}``); the gate's own.
ENDPOINT_VARIABLE = "CONNECTIONS_ENDPOINT"
#: How long an agent may stay silent and still be live (API Gateway closes an idle connection after 10 min).
IDLE_VARIABLE = "CONNECTION_IDLE_SECONDS"
DEFAULT_IDLE_SECONDS = 600
#: The most items the gate lets one Query page carry, as DynamoDB's 1 MB page limit cuts a big partition:
#: a reader that stops at the first page is caught on a fleet of any size.
QUERY_PAGE = 4
INDEX = Index("byAccountRegion", "accountRegion", "createdAt")


def idle_seconds(environment: Mapping[str, str]) -> int:
    """The idle window the router is configured with (its default when unset or empty)."""
    text = environment.get(IDLE_VARIABLE) or ""
    return int(text) if text else DEFAULT_IDLE_SECONDS


@dataclass(frozen=True, kw_only=True)
class RouterContract(ContractBase):
    """A contract for the router: v5's table read through its index, the gate playing the management API."""

    kind: ClassVar[str] = "router"
    function: ClassVar[str] = "router"
    #: The `$connect` version whose table the router reads.
    reads: str
    table: TableDefinition = field(default_factory=TableDefinition)
    #: The DynamoDB operations it may call, on the index (reads) or the table (writes).
    operations: frozenset[str] = frozenset()

    @property
    def lineage(self) -> str:
        return f"the {self.function} reading {self.reads}'s table"

    @property
    def index(self) -> Index:
        return self.table.indexes[0]

    def configuration_errors(self, environment: Mapping[str, str]) -> list[str]:
        if ENDPOINT_VARIABLE in environment:
            return [f"{ENDPOINT_VARIABLE} is the gate's: it plays the management API the router posts to"]
        text = environment.get(IDLE_VARIABLE) or ""
        if text and not (text.isascii() and text.isdigit() and int(text) >= 1):
            return [f"{IDLE_VARIABLE}={text!r} is not a whole number of seconds of at least 1"]
        return []


def _clause(number: int, clause_id: str, title: str, generates: str) -> Clause:
    return Clause(number, clause_id, title, generates, binds="router")


ROUTER_CLAUSES = (
    _clause(
        1,
        "delivery",
        "every live connection of the account and region gets exactly one accepted post of the message, no other"
        " connection any; the answer counts them",
        "fleets in the run's table: live agents, expired-but-not-deleted ones, silent ones, other regions and"
        " accounts, items written before v5; more than one Query page each; messages of any JSON object",
    ),
    _clause(
        2,
        "pruning",
        "a connection whose post is answered 410 Gone has exactly its item deleted, and is counted pruned; the"
        " others are still delivered",
        "fleets where some live connections are gone (every post answered 410)",
    ),
    _clause(
        3,
        "post-failures",
        "a post answered 429 or 500, or cut off, keeps the item and counts the connection failed unless a retry"
        " was accepted; never two accepted posts to one connection",
        "fleets where posts to some connections always fail (429, 500, reset) or fail once, then succeed",
    ),
    _clause(
        4,
        "prune-failure",
        "a gone connection whose DeleteItem fails is counted failed, its item kept, and the rest are delivered",
        "fleets with gone connections while every DeleteItem fails (AccessDeniedException, which no SDK retries)",
    ),
    _clause(
        5,
        "clock-edges",
        f"liveness follows the configured {IDLE_VARIABLE} and the clock's edges: expired at this very second,"
        " silent for exactly the window, live after the default window",
        f"{IDLE_VARIABLE} unset, 120, 900 and 3600; items expiring this second, silent just past the window,"
        " live just inside it",
    ),
    _clause(
        6,
        "invalid-events",
        "an event that is not an account, a region and a message object is a function error; nothing is posted"
        " or deleted",
        "events missing a field, with an account not of 12 digits, a region not a region, a message that is no"
        " object, or not an object at all; beside a fleet of live agents",
    ),
    _clause(
        7,
        "aws-calls",
        "the router calls only Query on the byAccountRegion index, DeleteItem on the table and POST"
        " @connections/{id}; never Scan",
        "fleets with gone connections, so that a DeleteItem is due",
    ),
)

ROUTER = RouterContract(
    name="router",
    summary="one message to every live agent of an account and region, gone ones pruned",
    schemas={"event": "router/event", "answer": "router/answer", "item": "v5/item"},
    clauses=ROUTER_CLAUSES,
    reads="v5",
    # No TTL on the run's table: DynamoDB may keep an expired item for ~48 h, and the fleet's expired agents
    # must stay for the whole example on every backend (DynamoDB Local sweeps within seconds).
    table=TableDefinition(indexes=(INDEX,)),
    operations=frozenset({"Query", "DeleteItem"}),
    decisions=(
        'The event is a direct invocation {"account": "<12 digits>", "region": "<v3 region>", "message": <JSON'
        " object>}; extra keys are ignored; anything else is a function error, with nothing posted or deleted.",
        f"Configuration: CONNECTIONS_TABLE, {ENDPOINT_VARIABLE} (the management API's URL) and {IDLE_VARIABLE}"
        f" (default {DEFAULT_IDLE_SECONDS}, API Gateway's idle timeout).",
        "A connection is live when its item has that accountRegion, expiresAt greater than the clock in seconds"
        " (DynamoDB deletes expired items up to ~48 h late) and lastSeenAt at least the clock in ms minus the"
        " idle window (API Gateway has closed a connection silent for longer).",
        "The router reads with Query on byAccountRegion, following every page (LastEvaluatedKey); never Scan.",
        "It posts the message's JSON to every live connection exactly once and to no other; each live connection"
        " gets at most one accepted (2xx) post; failed attempts (429, 5xx, cut off) may be retried.",
        "A 410 GoneException deletes exactly that connection's item (a DeleteItem that fails counts it failed);"
        " other post errors keep the item and count it failed; the router goes on with the rest either way.",
        'It answers {"delivered": d, "pruned": p, "failed": f}, d + p + f = the live connections found.',
        "Calls: dynamodb:Query on the index, dynamodb:DeleteItem on the table, execute-api:ManageConnections"
        " (POST @connections/{id}); nothing else.",
    ),
)
