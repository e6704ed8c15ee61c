"""Clause 14 (v4): the authenticated client is stored; a query clientId or account not its own gets 403."""

from __future__ import annotations

from typing import Any

from contract_tests.authenticated_events import identity_cases, identity_events
from contract_tests.clauses.checks import require_outcome
from contract_tests.clauses.judgement import Property
from contract_tests.contracts import Contract
from contract_tests.contracts.v4 import IDENTITY
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send

Case = tuple[str, dict[str, Any]]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> bool:
    """Judges one example; returns whether the connect was the client's to make."""
    event = case[1]
    require_outcome(contract, event, observation)
    return contract.oracle.denial(event) is None


JUDGEMENT = Property[Case, Observation, Contract](
    clause=IDENTITY,
    cases=lambda facts: identity_events(),
    explicit=lambda facts: identity_cases(),
    step=lambda case: Send(case[1]),
    judge=judge,
    sides=("the client's own", "refused with 403"),
)
