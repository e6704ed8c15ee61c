"""Clause 18 (v5): a heartbeat refreshes lastSeenAt and expiresAt and nothing else, never re-creates an
item (410), never moves lastSeenAt backwards; a message that is no heartbeat gets 400 and changes nothing.

A heartbeat in flight while `$disconnect` deletes must not bring the row back; concurrent heartbeats
finish in any order, so one whose clock is not later than the stored lastSeenAt changes nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.clauses.judgement import Property
from contract_tests.clauses.route_checks import require_heartbeat
from contract_tests.contracts import Contract
from contract_tests.contracts.v5 import HEARTBEAT, HEARTBEAT_ROUTE
from contract_tests.observation import Observation
from contract_tests.route_events import (
    ITEM_AGES,
    NOT_HEARTBEATS,
    fixed_heartbeat,
    fixed_items,
    heartbeat_events,
    neighbours,
    of_client,
    owner_of,
    stored_items,
)
from contract_tests.steps import Facts, Send
from contract_tests.strategies import connection_ids

Case = dict[str, Any]


@st.composite
def heartbeat_cases(draw: st.DrawFn) -> Case:
    """A heartbeat (or a message that is none) on its item of any age, or on no item, beside others."""
    connection_id = draw(connection_ids())
    own = draw(stored_items(connection_id, draw(st.sampled_from(ITEM_AGES))))
    given = [own] if draw(st.integers(0, 3)) else []
    given += draw(neighbours(connection_id, own["clientId"]["S"]))
    heartbeat = draw(st.integers(0, 4)) > 0
    return {"event": of_client(draw(heartbeat_events(connection_id, heartbeat)), owner_of(own)), "given": given}


def explicit(facts: Facts) -> list[Case]:
    cases = []
    for age in ITEM_AGES:
        own, newer = fixed_items(age)
        cases.append({"event": fixed_heartbeat(), "given": [own, newer]})
    own, newer = fixed_items()
    cases.append({"event": fixed_heartbeat(), "given": [newer]})
    cases.append({"event": fixed_heartbeat(NOT_HEARTBEATS[3]), "given": [own, newer]})
    return cases


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    require_heartbeat(contract, case["event"], case["given"], observation)


JUDGEMENT = Property[Case, Observation, Contract](
    clause=HEARTBEAT,
    cases=lambda facts: heartbeat_cases(),
    explicit=explicit,
    step=lambda case: Send(case["event"], route=HEARTBEAT_ROUTE, given=tuple(case["given"])),
    judge=judge,
    examples=lambda examples: max(15, examples // 2),
)
