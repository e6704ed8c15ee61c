"""Clause 20 (v5): `$disconnect` calls only DeleteItem (and GetItem), a heartbeat only UpdateItem (and
GetItem), on the run's table; a function serving several routes may call what any of them may."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.aws_calls import stray_calls
from contract_tests.clauses.judgement import Property, Violation
from contract_tests.contracts import Contract
from contract_tests.contracts.v5 import DISCONNECT_ROUTE, HEARTBEAT_ROUTE, ROUTE_AWS_CALLS
from contract_tests.observation import Observation
from contract_tests.route_events import (
    events_on,
    fixed_event,
    fixed_items,
    of_client,
    owner_of,
)
from contract_tests.steps import Facts, Send
from contract_tests.strategies import connection_ids

#: (route, event, the items the table holds).
Case = tuple[str, dict[str, Any], tuple[dict[str, Any], ...]]


@st.composite
def route_cases(draw: st.DrawFn) -> Case:
    route = draw(st.sampled_from([DISCONNECT_ROUTE, HEARTBEAT_ROUTE]))
    connection_id = draw(connection_ids())
    events = events_on(route, connection_id)
    own, newer = fixed_items()
    item = {**own, "connectionId": {"S": connection_id}}
    event = of_client(draw(events), owner_of(item))
    return route, event, (item, newer) if draw(st.booleans()) else (newer,)


def explicit(facts: Facts) -> list[Case]:
    items = fixed_items()
    return [
        (route, fixed_event(route), given)
        for route in (DISCONNECT_ROUTE, HEARTBEAT_ROUTE)
        for given in (items, items[1:])
    ]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    route = case[0]
    stray, allowed = stray_calls(observation, contract.operations(facts.served_with(route)), facts.table)
    if stray:
        raise Violation(f"{route}: calls outside its IAM grant: {', '.join(stray)}", allowed, observation.actual())
    if observation.table_deleted:
        raise Violation(f"the table was deleted during a {route}", allowed, observation.actual())


JUDGEMENT = Property[Case, Observation, Contract](
    clause=ROUTE_AWS_CALLS,
    cases=lambda facts: route_cases(),
    explicit=explicit,
    step=lambda case: Send(case[1], route=case[0], given=case[2]),
    judge=judge,
    examples=lambda examples: max(6, examples // 5),
)
