"""Clause 1: a valid connect is answered with the integer 200 and the body ``connected``."""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.checks import require_accepted
from contract_tests.clauses.judgement import Property
from contract_tests.contracts import Contract
from contract_tests.contracts.v1 import V1_CLAUSES
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send
from contract_tests.strategies import no_query_cases, plain_events

Event = dict[str, Any]


def judge(event: Event, observation: Observation, contract: Contract, facts: Facts) -> None:
    require_accepted(observation, contract)


JUDGEMENT = Property[Event, Observation, Contract](
    clause=V1_CLAUSES[0],
    cases=lambda facts: plain_events(),
    explicit=lambda facts: no_query_cases(),
    step=Send,
    judge=judge,
)
