"""Clause 21 (v5): after every step of many connections' lives the table holds exactly the connected
ones, each as its last step left it; no item is ever re-created.

A stateful property: hypothesis draws a program of connects, heartbeats and disconnects (repeated
ones, heartbeats after a disconnect, some steps under a storage failure); after every step the table
must be the one before it with exactly that step's effect."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.checks import require_refused
from contract_tests.clauses.judgement import Property, Violation
from contract_tests.clauses.route_checks import (
    by_key,
    connection_of,
    require_connected,
    require_disconnected,
    require_heartbeat,
    require_not_ok,
    require_unchanged,
)
from contract_tests.contracts import Contract
from contract_tests.contracts.base import CONNECT_ROUTE
from contract_tests.contracts.v5 import DISCONNECT_ROUTE, HEARTBEAT_ROUTE, LIFECYCLE
from contract_tests.gateway import identity_for
from contract_tests.observation import Observation, TypedItem
from contract_tests.route_events import (
    FIXED_CONNECTION,
    NEWER_CONNECTION,
    events_on,
    fixed_disconnect,
    fixed_heartbeat,
    of_client,
)
from contract_tests.steps import Facts, Send, Steps
from contract_tests.strategies import connection_ids, everyday_handshake, plain_events

ROUTES = (CONNECT_ROUTE, HEARTBEAT_ROUTE, DISCONNECT_ROUTE)
#: One step of a life: the route, its event, and the storage failure it happens under (None: none).
Step = dict[str, Any]
Case = list[Step]


def _connect(connection_id: str, event: dict[str, Any] | None = None) -> dict[str, Any]:
    event = event or everyday_handshake()
    return {**event, "requestContext": {**event["requestContext"], "connectionId": connection_id}}


@st.composite
def lives(draw: st.DrawFn, failures: tuple[str, ...]) -> Case:
    count = draw(st.integers(1, 4))
    ids = draw(st.lists(connection_ids(), min_size=count, max_size=count, unique=True))
    moves = draw(st.lists(st.tuples(st.sampled_from(ROUTES), st.integers(0, count - 1)), min_size=2, max_size=10))
    # Each connection's handshake, drawn up front: its client (as its connect's authorizer vouches for it)
    # is on every event of the connection, also one that comes when its item is gone or not yet there.
    handshakes = [_connect(connection_id, draw(plain_events())) for connection_id in ids]
    clients = [identity_for(handshake) for handshake in handshakes]
    connected: set[int] = set()
    steps: Case = []
    for route, index in moves:
        if route == CONNECT_ROUTE:
            if index in connected:
                continue  # API Gateway never gives a connection id twice
            connected.add(index)
            event = handshakes[index]
        else:
            event = of_client(draw(events_on(route, ids[index])), clients[index])
        failure = draw(st.sampled_from(failures)) if failures and draw(st.integers(0, 7)) == 0 else None
        steps.append({"route": route, "event": event, "failure": failure})
    return steps


def explicit(facts: Facts) -> list[Case]:
    """Connect two, heartbeat, disconnect one twice, heartbeat it after (410, nothing re-created),
    heartbeat the other."""
    first, second = _connect(FIXED_CONNECTION), _connect(NEWER_CONNECTION)
    newer = of_client(fixed_heartbeat(connection_id=NEWER_CONNECTION), identity_for(second))
    moves = [
        (CONNECT_ROUTE, first),
        (CONNECT_ROUTE, second),
        (HEARTBEAT_ROUTE, fixed_heartbeat()),
        (DISCONNECT_ROUTE, fixed_disconnect()),
        (DISCONNECT_ROUTE, fixed_disconnect()),
        (HEARTBEAT_ROUTE, fixed_heartbeat()),
        (HEARTBEAT_ROUTE, newer),
    ]
    return [[{"route": route, "event": event, "failure": None} for route, event in moves]]


def _judge_step(
    contract: Contract, step: Step, before: dict[str, TypedItem], observation: Observation, facts: Facts
) -> None:
    route, event, failure = step["route"], step["event"], step["failure"]
    if failure is not None:
        why = f"a {route} of {connection_of(event)!r} while {facts.failures[failure]}"
        if route == CONNECT_ROUTE:
            require_refused(observation, contract, why)
        else:
            require_not_ok(observation, why)
        require_unchanged(before, observation, f"{why} changes nothing", "the table as it was")
    elif route == CONNECT_ROUTE:
        require_connected(contract, event, before, observation)
    elif route == DISCONNECT_ROUTE:
        require_disconnected(event, list(before.values()), observation)
    else:
        require_heartbeat(contract, event, list(before.values()), observation)


def judge(case: Case, observations: list[Observation], contract: Contract, facts: Facts) -> None:
    before: dict[str, TypedItem] = {}
    for number, (step, observation) in enumerate(zip(case, observations, strict=True), start=1):
        try:
            _judge_step(contract, step, before, observation, facts)
        except Violation as violation:
            done = ", ".join(f"{s['route']} {connection_of(s['event'])!r}" for s in case[: number - 1])
            violation.message = f"step {number} of {len(case)} ({done and f'after {done}'}): {violation.message}"
            violation.args = (violation.message,)
            raise
        before = by_key(observation.items)


def _steps(case: Case) -> Steps:
    return Steps(tuple(Send(step["event"], route=step["route"], failure=step["failure"]) for step in case))


JUDGEMENT = Property[Case, list[Observation], Contract](
    clause=LIFECYCLE,
    cases=lambda facts: lives(tuple(facts.failures)),
    explicit=explicit,
    step=_steps,
    judge=judge,
    examples=lambda examples: max(5, examples // 10),
)
