"""Clause 7: the handler calls only ``dynamodb:PutItem`` (and optionally ``GetItem``) on its table."""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.judgement import Property, Violation
from contract_tests.contracts import Contract
from contract_tests.contracts.v1 import V1_CLAUSES
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send
from contract_tests.strategies import any_valid_events, no_query_cases

ALLOWED_OPERATIONS = frozenset({("dynamodb", "PutItem"), ("dynamodb", "GetItem")})

Event = dict[str, Any]


def judge(event: Event, observation: Observation, contract: Contract, facts: Facts) -> None:
    stray = [
        str(call)
        for call in observation.all_calls
        if (call.service, call.operation) not in ALLOWED_OPERATIONS or call.table != facts.table
    ]
    allowed = f'only dynamodb:PutItem / dynamodb:GetItem on table "{facts.table}"'
    if stray:
        raise Violation(f"calls outside the contract's IAM grant: {', '.join(stray)}", allowed, observation.actual())
    if observation.table_deleted:
        raise Violation("the handler's table was deleted during the connect", allowed, observation.actual())


JUDGEMENT = Property[Event, Observation, Contract](
    clause=V1_CLAUSES[6],
    cases=lambda facts: any_valid_events(),
    explicit=lambda facts: no_query_cases(),
    step=Send,
    judge=judge,
)
