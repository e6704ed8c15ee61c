"""Clause 7: the handler calls only ``dynamodb:PutItem`` (and optionally ``GetItem``) on its table; a function
that also serves other routes (v5) may call what they may."""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.judgement import Property, Violation
from contract_tests.contracts import Contract
from contract_tests.contracts.base import CONNECT_ROUTE
from contract_tests.contracts.v1 import V1_CLAUSES
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send
from contract_tests.strategies import any_valid_events, no_query_cases

Event = dict[str, Any]


def stray_calls(observation: Observation, operations: frozenset[str], table: str) -> tuple[list[str], str]:
    """The calls outside ``operations`` on ``table``, and the grant as a report says it."""
    stray = [
        str(call)
        for call in observation.all_calls
        if call.service != "dynamodb" or call.operation not in operations or call.table != table
    ]
    names = " / ".join(f"dynamodb:{operation}" for operation in sorted(operations, key=_writes_first))
    return stray, f'only {names} on table "{table}"'


def _writes_first(operation: str) -> tuple[bool, str]:
    return operation == "GetItem", operation


def judge(event: Event, observation: Observation, contract: Contract, facts: Facts) -> None:
    stray, allowed = stray_calls(observation, contract.operations(facts.served_with(CONNECT_ROUTE)), facts.table)
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
