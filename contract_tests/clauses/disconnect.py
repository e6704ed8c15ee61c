"""Clause 17 (v5): `$disconnect` deletes the item keyed by its connectionId and nothing else, and is
answered 200 whether an item was there or not.

API Gateway may send it twice or never; another connection of the same client is not this one."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.judgement import Property
from contract_tests.clauses.route_checks import require_disconnected
from contract_tests.contracts import Contract
from contract_tests.contracts.v5 import DISCONNECT, DISCONNECT_ROUTE
from contract_tests.observation import Observation
from contract_tests.route_events import (
    disconnect_events,
    fixed_disconnect,
    fixed_items,
    neighbours,
    of_client,
    owner_of,
    stored_items,
)
from contract_tests.steps import Facts, Send
from contract_tests.strategies import connection_ids

Case = dict[str, Any]


@st.composite
def disconnect_cases(draw: st.DrawFn) -> Case:
    """A `$disconnect` on a table holding its item or not, beside other items (its client's newer
    connection among them)."""
    connection_id = draw(connection_ids())
    own = draw(stored_items(connection_id))
    given = [own] if draw(st.booleans()) else []
    given += draw(neighbours(connection_id, own["clientId"]["S"]))
    return {"event": of_client(draw(disconnect_events(connection_id)), owner_of(own)), "given": given}


def explicit(facts: Facts) -> list[Case]:
    own, newer = fixed_items()
    return [{"event": fixed_disconnect(), "given": [own, newer]}, {"event": fixed_disconnect(), "given": [newer]}]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    require_disconnected(case["event"], case["given"], observation)


JUDGEMENT = Property[Case, Observation, Contract](
    clause=DISCONNECT,
    cases=lambda facts: disconnect_cases(),
    explicit=explicit,
    step=lambda case: Send(case["event"], route=DISCONNECT_ROUTE, given=tuple(case["given"])),
    judge=judge,
    examples=lambda examples: max(10, examples // 3),
)
