"""Clause 10 (v2): the stored items really expire: the backend's own TTL sweep deletes them.

The schema already demands integer epoch seconds; this proves it where it matters, because
DynamoDB silently never expires a TTL in milliseconds, a String, or a Number it cannot read.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.clauses.base import Clause, ClauseResult, Status, Violation, verdict
from contract_tests.clauses.checks import require_accepted
from contract_tests.errors import HarnessError
from contract_tests.expected import TTL_VARIABLE
from contract_tests.session import CheckSession
from contract_tests.strategies import query_corner_cases

if TYPE_CHECKING:
    from contract_tests.contracts import Contract

#: Two seconds, so that no sweep (the backend's own, or another check's on a shared LocalStack) can
#: delete an item between its write and the read that proves it was stored.
SHORT_TTL_S = 2
CONTROL_KEY = "connect-contract-expiry-control="
#: DynamoDB Local sweeps about every 10 s; a sweep that has not come in this long is a broken backend.
SWEEP_DEADLINE_S = 45.0
EXAMPLES = 10
EXPIRING = "--backend dynamodb-local or --backend localstack"


def _events(contract: Contract) -> list[dict[str, Any]]:
    """The named corner cases the contract accepts, each with a connection id of its own."""
    events = []
    for index, event in enumerate(query_corner_cases()):
        if contract.oracle.invalid_input(event) is None and contract.oracle.denial(event) is None:
            context = {**event["requestContext"], "connectionId": f"expiry-{index:03d}="}
            events.append({**event, "requestContext": context})
    return events[:EXAMPLES]


def _expire(session: CheckSession, contract: Contract, events: list[dict[str, Any]]) -> None:
    """Connect ``events`` with a short TTL, let the backend sweep, and raise if any item outlived it."""
    backend = session.backend
    ttl_attribute = session.table_definition.ttl_attribute or "expiresAt"
    environment = {TTL_VARIABLE: str(SHORT_TTL_S)}
    session.clear()
    latest_s = 0
    try:
        for event in events:
            observation = session.connect(event, environment=environment, keep=True)
            try:
                require_accepted(observation, contract)
                connection_id = event["requestContext"]["connectionId"]
                if not any(item.get("connectionId") == {"S": connection_id} for item in observation.items):
                    raise Violation("the connect stored no item (see clause 2)", "an item", observation.actual())
            except Violation as missing:
                missing.example = event
                raise
            latest_s = max(latest_s, math.ceil(observation.invocation.finished_ms / 1000) + SHORT_TTL_S)
        # Expires no later than any correct item: once the backend deleted it, it had its chance at all of them.
        session.put_item({"connectionId": {"S": CONTROL_KEY}, ttl_attribute: {"N": str(latest_s)}})
        time.sleep(max(0.0, latest_s + 1 - time.time()))
        keys = [event["requestContext"]["connectionId"] for event in events]
        left = session.expire_items(keys, CONTROL_KEY, SWEEP_DEADLINE_S)
    finally:
        session.clear()
    if not left:
        return
    survivor = left[0]
    violation = Violation(
        f"with {TTL_VARIABLE}={SHORT_TTL_S}, {len(left)} of {len(events)} items outlived their TTL: "
        f"{backend.name} deleted an item that expired at {latest_s} (epoch s) but kept this one; "
        f"its {ttl_attribute} is {survivor.get(ttl_attribute, 'missing')} (DynamoDB expires only a Number "
        "of epoch seconds)",
        {ttl_attribute: {"N": f"at most {latest_s}"}, "after the backend's sweep": "deleted"},
        {"stored_item_after_sweep": survivor},
    )
    violation.example = next(e for e in events if e["requestContext"]["connectionId"] == survivor["connectionId"]["S"])
    raise violation


def _judge(session: CheckSession, contract: Contract) -> Callable[[dict[str, Any]], None]:
    def example(event: dict[str, Any]) -> None:
        if "ttl-expiry" not in session.backend.capabilities:
            raise HarnessError(f"{session.backend.name} never deletes expired items: replay expiry on {EXPIRING}")
        _expire(session, contract, [event])

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    backend = session.backend
    if "ttl-expiry" not in backend.capabilities:
        message = f"not checked on this backend: {backend.name} does not delete expired items during a check"
        return ClauseResult(CLAUSE, Status.NOT_CHECKED, 0, message)
    events = _events(contract)
    try:
        _expire(session, contract, events)
    except Violation as violation:
        return verdict(CLAUSE, violation, len(events))
    return verdict(CLAUSE, None, len(events), f"{len(events)} items deleted by {backend.name}'s TTL sweep")


CLAUSE = Clause(
    10,
    "expiry",
    "items really expire: the backend's TTL sweep deletes them",
    _check,
    _judge,
    generates=f"ten accepted corner-case events with CONNECTION_TTL_SECONDS={SHORT_TTL_S}, then the backend's"
    " TTL sweep",
)
