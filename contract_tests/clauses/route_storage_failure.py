"""Clause 19 (v5): a `$disconnect` or heartbeat whose storage fails is not answered 200.

v1's storage rule on the connection's other routes; the failures are the run's (``Facts.failures``)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.judgement import Property
from contract_tests.clauses.route_checks import require_not_ok
from contract_tests.contracts import Contract
from contract_tests.contracts.v5 import DISCONNECT_ROUTE, HEARTBEAT_ROUTE, ROUTE_STORAGE_FAILURE
from contract_tests.observation import Observation
from contract_tests.route_events import (
    AGENT_7,
    FIXED_CONNECTION,
    events_on,
    fixed_event,
    fixed_items,
    of_client,
)
from contract_tests.steps import Facts, Send

#: (route, failure, event, the connection's item).
Case = tuple[str, str, dict[str, Any], tuple[dict[str, Any], ...]]


def _case(route: str, failure: str, age: str = "seen earlier") -> Case:
    event = fixed_event(route)
    return route, failure, event, fixed_items(age)[:1]


@st.composite
def failure_cases(draw: st.DrawFn, failures: tuple[str, ...]) -> Case:
    route = draw(st.sampled_from([DISCONNECT_ROUTE, HEARTBEAT_ROUTE]))
    events = events_on(route, FIXED_CONNECTION)
    return route, draw(st.sampled_from(failures)), of_client(draw(events), AGENT_7), fixed_items()[:1]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    route, failure, _, _ = case
    require_not_ok(observation, f"a {route} while {facts.failures[failure]}")


JUDGEMENT = Property[Case, Observation, Contract](
    clause=ROUTE_STORAGE_FAILURE,
    cases=lambda facts: failure_cases(tuple(facts.failures)),
    # Every failure once, the routes taking turns; the other pairs come from generation.
    explicit=lambda facts: [
        _case((DISCONNECT_ROUTE, HEARTBEAT_ROUTE)[index % 2], failure) for index, failure in enumerate(facts.failures)
    ],
    step=lambda case: Send(case[2], route=case[0], failure=case[1], given=case[3]),
    judge=judge,
    examples=lambda examples: max(4, examples // 10),
    # A route and a failure: the function serving the route may wait out its deadline on that failure.
    settles=lambda case: f"{case[1]} on {case[0]}",
)
