"""Clause 22 (v5): a heartbeat whose write lands after a newer heartbeat's, or after `$disconnect`
deleted its item, neither moves lastSeenAt backwards nor brings the item back.

Concurrent invocations finish in any order. The gate forces the orders that break unguarded code: it
holds a heartbeat's first write at the observing proxy, runs another heartbeat of the connection (or
its `$disconnect`) to its end in another environment, then lets the held write land. A handler that
decides on what it read (GetItem, then an unconditional write) passes every clause run one event at
a time and fails here; the condition must travel with the write.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.judgement import Property, Violation
from contract_tests.clauses.route_checks import OK_STATUS, answered_status, by_key, connection_of, table_changes
from contract_tests.contracts import Contract
from contract_tests.contracts.v5 import DISCONNECT_ROUTE, HEARTBEAT_ROUTE, INTERLEAVINGS
from contract_tests.observation import Observation
from contract_tests.route_events import (
    ITEM_AGES,
    events_on,
    fixed_event,
    fixed_heartbeat,
    fixed_items,
    heartbeat_events,
    neighbours,
    of_client,
    owner_of,
    stored_items,
)
from contract_tests.steps import Facts, Interleaved
from contract_tests.strategies import connection_ids

#: What runs while the heartbeat's write is held: a newer heartbeat, or the connection's `$disconnect`.
MEANWHILE = (HEARTBEAT_ROUTE, DISCONNECT_ROUTE)
Case = dict[str, Any]


@st.composite
def interleaving_cases(draw: st.DrawFn) -> Case:
    connection_id = draw(connection_ids())
    own = draw(stored_items(connection_id, draw(st.sampled_from(ITEM_AGES[:2]))))
    owner = owner_of(own)
    meanwhile = draw(st.sampled_from(MEANWHILE))
    return {
        "held": of_client(draw(heartbeat_events(connection_id)), owner),
        "meanwhile": [meanwhile, of_client(draw(events_on(meanwhile, connection_id)), owner)],
        "given": [own, *draw(neighbours(connection_id, own["clientId"]["S"]))],
    }


def explicit(facts: Facts) -> list[Case]:
    return [
        {"held": fixed_heartbeat(), "meanwhile": [route, fixed_event(route)], "given": list(fixed_items(age))}
        for route in MEANWHILE
        for age in ITEM_AGES[:2]
    ]


def judge(case: Case, observations: list[Observation], contract: Contract, facts: Facts) -> None:
    held, meanwhile = observations
    route, _ = case["meanwhile"]
    key = connection_of(case["held"])
    before = by_key(case["given"])
    after = by_key(held.items)
    others = table_changes({k: v for k, v in before.items() if k != key}, {k: v for k, v in after.items() if k != key})
    if others:
        raise Violation(f"the interleaved invocations {'; '.join(others)}", "other items as they were", held.actual())
    if answered_status(meanwhile) != OK_STATUS:
        raise Violation(
            f"the {route} that ran while a heartbeat's write was held answered {meanwhile.invocation.summary()}",
            "statusCode 200",
            meanwhile.actual(),
        )
    if route == DISCONNECT_ROUTE:
        if key in after:
            raise Violation(
                f"a heartbeat whose write landed after $disconnect deleted {key!r} brought its item back",
                "no item: the refresh is conditional on the item existing, evaluated with the write",
                held.actual(),
            )
        return
    item = after.get(key)
    low = meanwhile.invocation.started_ms
    seen = item.get("lastSeenAt", {}).get("N") if item is not None else None
    if item is None or not (isinstance(seen, str) and seen.isdigit() and int(seen) >= low):
        raise Violation(
            f"a heartbeat whose write landed after a newer heartbeat's moved lastSeenAt of {key!r} back to {seen}"
            f" (the newer one ran from {low})",
            f"lastSeenAt at least {low}: the refresh is conditional on an older lastSeenAt, evaluated with the write",
            held.actual(),
        )
    if answered_status(held) != OK_STATUS:
        raise Violation(
            "a heartbeat older than the stored lastSeenAt changes nothing and still answers 200, but it answered"
            f" {held.invocation.summary()}",
            "statusCode 200",
            held.actual(),
        )


JUDGEMENT = Property[Case, list[Observation], Contract](
    clause=INTERLEAVINGS,
    cases=lambda facts: interleaving_cases(),
    explicit=explicit,
    step=lambda case: Interleaved(
        (HEARTBEAT_ROUTE, case["held"]), (case["meanwhile"][0], case["meanwhile"][1]), tuple(case["given"])
    ),
    judge=judge,
    examples=lambda examples: max(4, examples // 10),
)
