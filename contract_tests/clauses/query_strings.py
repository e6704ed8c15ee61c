"""Clause 3: across the hard query strings, values are stored verbatim (or, from v3, invalid ones refused)."""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.checks import require_outcome
from contract_tests.clauses.judgement import Property
from contract_tests.contracts import Contract
from contract_tests.contracts.v1 import V1_CLAUSES
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send
from contract_tests.strategies import hard_query_events, query_corner_cases

Event = dict[str, Any]


def judge(event: Event, observation: Observation, contract: Contract, facts: Facts) -> None:
    require_outcome(contract, event, observation)


JUDGEMENT = Property[Event, Observation, Contract](
    clause=V1_CLAUSES[2],
    cases=lambda facts: hard_query_events(),
    explicit=lambda facts: query_corner_cases(),
    step=Send,
    judge=judge,
)
