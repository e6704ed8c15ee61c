"""Clause 4: an event without a usable identity is refused and nothing is stored.

A query map that is not an object carries no parameters: refusing the connect, or storing exactly
the item for "no parameters", are both correct.
"""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.checks import (
    is_refusal,
    require_accepted,
    require_item,
    require_nothing_written,
    require_refused,
)
from contract_tests.clauses.judgement import Property
from contract_tests.contracts import Contract
from contract_tests.contracts.v1 import V1_CLAUSES
from contract_tests.observation import Observation
from contract_tests.oracle import has_identity
from contract_tests.steps import Facts, Send
from contract_tests.strategies import malformed_corner_cases, malformed_events

Case = tuple[str, Any]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    description, event = case
    why = f"the event is malformed ({description})"
    if not has_identity(event) or is_refusal(observation, contract):
        require_refused(observation, contract, why)
        require_nothing_written(observation, why)
    else:
        require_accepted(observation, contract)
        require_item(contract, event, observation)


JUDGEMENT = Property[Case, Observation, Contract](
    clause=V1_CLAUSES[3],
    cases=lambda facts: malformed_events(),
    explicit=lambda facts: malformed_corner_cases(),
    step=lambda case: Send(case[1]),
    judge=judge,
    refusal_control=True,
    notes_rejected_writes=True,
)
