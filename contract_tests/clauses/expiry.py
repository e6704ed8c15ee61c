"""Clause 10 (v2): the stored items really expire: the backend's own TTL sweep deletes them.

The schema already demands integer epoch seconds; this proves it where it matters, because
DynamoDB silently never expires a TTL in milliseconds, a String, or a Number it cannot read.
"""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.checks import require_accepted
from contract_tests.clauses.judgement import Expiry, Violation
from contract_tests.clauses.route_checks import OK_STATUS, require_status
from contract_tests.contracts import Contract
from contract_tests.contracts.v2 import EXPIRY, SHORT_TTL_S
from contract_tests.contracts.v5 import HEARTBEAT_ROUTE
from contract_tests.gateway import identity_for
from contract_tests.observation import Observation, TypedItem
from contract_tests.oracle import TTL_VARIABLE
from contract_tests.route_events import fixed_heartbeat, of_client
from contract_tests.steps import Facts, Send
from contract_tests.strategies import query_corner_cases

EXAMPLES = 10

Event = dict[str, Any]


def events(contract: Contract) -> list[Event]:
    """The named corner cases the contract accepts, each with a connection id of its own."""
    accepted = []
    for index, event in enumerate(query_corner_cases()):
        if contract.oracle.invalid_input(event) is None and contract.oracle.denial(event) is None:
            context = {**event["requestContext"], "connectionId": f"expiry-{index:03d}="}
            accepted.append({**event, "requestContext": context})
    return accepted[:EXAMPLES]


def judge(event: Event, observation: Observation, contract: Contract, facts: Facts) -> None:
    """Each connect is accepted and stored, or there is nothing to expire."""
    require_accepted(observation, contract)
    connection_id = event["requestContext"]["connectionId"]
    if not any(item.get("connectionId") == {"S": connection_id} for item in observation.items):
        raise Violation("the connect stored no item (see clause 2)", "an item", observation.actual())


def survivors(events: list[Event], left: list[TypedItem], latest_s: int, contract: Contract, facts: Facts) -> Violation:
    """The items the backend's sweep kept although one that expired no earlier was deleted."""
    survivor = left[0]
    attribute = contract.table.ttl_attribute or "expiresAt"
    violation = Violation(
        f"with {TTL_VARIABLE}={SHORT_TTL_S}, {len(left)} of {len(events)} items outlived their TTL: "
        f"{facts.backend} deleted an item that expired at {latest_s} (epoch s) but kept this one; "
        f"its {attribute} is {survivor.get(attribute, 'missing')} (DynamoDB expires only a Number "
        "of epoch seconds)",
        {attribute: {"N": f"at most {latest_s}"}, "after the backend's sweep": "deleted"},
        {"stored_item_after_sweep": survivor},
    )
    violation.example = next(e for e in events if e["requestContext"]["connectionId"] == survivor["connectionId"]["S"])
    return violation


def refresh(contract: Contract, event: Event) -> Send | None:
    """Where the contract has the heartbeat route (v5), each connection's heartbeat before the sweep: an
    item a heartbeat refreshed must still expire (its new expiresAt a Number of epoch seconds)."""
    if HEARTBEAT_ROUTE not in contract.routes:
        return None
    heartbeat = fixed_heartbeat(connection_id=event["requestContext"]["connectionId"])
    return Send(of_client(heartbeat, identity_for(event)), route=HEARTBEAT_ROUTE)


def refreshed(step: Send, observation: Observation, contract: Contract) -> None:
    require_status(observation, OK_STATUS, "a heartbeat of a stored connection", {"statusCode": OK_STATUS})


JUDGEMENT = Expiry[Observation, Contract](
    clause=EXPIRY,
    judge=judge,
    events=events,
    ttl_s=SHORT_TTL_S,
    survivors=survivors,
    refresh=refresh,
    refreshed=refreshed,
)
