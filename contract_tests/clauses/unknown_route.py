"""Clause 23 (v5): a function serving several routes answers 400 to a route it does not know, and changes
nothing.

A dispatcher on ``requestContext.routeKey`` whose last branch is `$connect`'s (``else: connect(event)``)
stores an item for any message a new route brings. Only a function that serves several routes is
asked: API Gateway sends a function of one route nothing else, so then the clause has nothing to check.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.judgement import Property
from contract_tests.clauses.route_checks import INVALID_STATUS, by_key, require_status, require_unchanged
from contract_tests.contracts import Contract
from contract_tests.contracts.v5 import UNKNOWN_ROUTE
from contract_tests.observation import Observation
from contract_tests.route_events import (
    AGENT_7,
    FIXED_CONNECTION,
    fixed_heartbeat,
    fixed_items,
    heartbeat_events,
    of_client,
)
from contract_tests.steps import Facts, Send

#: Routes a WebSocket API may add that the contract does not bind, as a client's action names them.
UNKNOWN_ROUTES = ("$default", "sendmessage", "Heartbeat", "ping", "subscribe")
#: (the route it is sent to, which picks the function; the event on an unknown route).
Case = tuple[str, dict[str, Any]]


def _on_route(route_key: str, event: dict[str, Any]) -> dict[str, Any]:
    """``event`` as a message on ``route_key`` (its body naming that action)."""
    context = {**event["requestContext"], "routeKey": route_key}
    body = event["body"].replace('"heartbeat"', f'"{route_key.lstrip("$")}"')
    return {**event, "requestContext": context, "body": body}


def shared(facts: Facts) -> list[str]:
    """One route of each function that serves several (the gate sends the unknown route there)."""
    seen: dict[tuple[str, ...], str] = {}
    for route in facts.functions:
        routes = facts.served_with(route)
        if len(routes) > 1:
            seen.setdefault(routes, route)
    return list(seen.values())


@st.composite
def unknown_route_cases(draw: st.DrawFn, targets: tuple[str, ...]) -> Case:
    event = of_client(draw(heartbeat_events(FIXED_CONNECTION)), AGENT_7)
    return draw(st.sampled_from(targets)), _on_route(draw(st.sampled_from(UNKNOWN_ROUTES)), event)


def explicit(facts: Facts) -> list[Case]:
    return [(route, _on_route(key, fixed_heartbeat())) for route in shared(facts) for key in UNKNOWN_ROUTES]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    route_key = case[1]["requestContext"]["routeKey"]
    why = f"a message on {route_key!r}, a route the contract does not bind"
    require_status(observation, INVALID_STATUS, why, {"statusCode": INVALID_STATUS, "stored_items": "unchanged"})
    require_unchanged(by_key(list(fixed_items())), observation, f"{why}, changes nothing", "the table as it was")


def vacuous(facts: Facts) -> str | None:
    return None if shared(facts) else "nothing to ask: each route has a function of its own"


JUDGEMENT = Property[Case, Observation, Contract](
    clause=UNKNOWN_ROUTE,
    cases=lambda facts: unknown_route_cases(tuple(shared(facts))),
    explicit=explicit,
    # Past the authorizer (it guards `$connect` alone) to the function serving the target route.
    step=lambda case: Send(case[1], route=case[0], bypass_gateway=True, given=fixed_items()),
    judge=judge,
    examples=lambda examples: max(4, examples // 20),
    vacuous=vacuous,
)
