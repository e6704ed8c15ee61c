"""Clause 7: the handler calls only ``dynamodb:PutItem`` (and optionally ``GetItem``) on its table."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.clauses.base import Clause, ClauseResult, Violation, run_property
from contract_tests.session import CheckSession
from contract_tests.strategies import any_valid_events, no_query_cases

if TYPE_CHECKING:
    from contract_tests.contracts import Contract

ALLOWED_OPERATIONS = frozenset({("dynamodb", "PutItem"), ("dynamodb", "GetItem")})


def _judge(session: CheckSession, contract: Contract) -> Callable[[dict[str, Any]], None]:
    def example(event: dict[str, Any]) -> None:
        observation = session.connect(event)
        stray = [
            str(call)
            for call in observation.all_calls
            if (call.service, call.operation) not in ALLOWED_OPERATIONS or call.table != session.table
        ]
        allowed = f'only dynamodb:PutItem / dynamodb:GetItem on table "{session.table}"'
        if stray:
            raise Violation(
                f"calls outside the contract's IAM grant: {', '.join(stray)}", allowed, observation.actual()
            )
        if observation.table_deleted:
            raise Violation("the handler's table was deleted during the connect", allowed, observation.actual())

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    return run_property(CLAUSE, session, any_valid_events(), _judge(session, contract), explicit=no_query_cases())


CLAUSE = Clause(
    7,
    "aws-calls",
    "only dynamodb:PutItem (and GetItem) on CONNECTIONS_TABLE",
    _check,
    _judge,
    generates="everyday and hard events; every AWS call recorded, at import time included",
    fresh_start=True,
)
