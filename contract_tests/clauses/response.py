"""Clause 1: a valid connect is answered with the integer 200 and the body ``connected``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import require_accepted
from contract_tests.session import CheckSession
from contract_tests.strategies import no_query_cases, plain_events

if TYPE_CHECKING:
    from contract_tests.contracts import Contract


def _judge(session: CheckSession, contract: Contract) -> Callable[[dict[str, Any]], None]:
    def example(event: dict[str, Any]) -> None:
        require_accepted(session.connect(event), contract)

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    return run_property(CLAUSE, session, plain_events(), _judge(session, contract), explicit=no_query_cases())


CLAUSE = Clause(
    1,
    "response",
    "valid connect answers statusCode 200, body 'connected'",
    _check,
    _judge,
    generates="everyday events: each of clientId/account/region present or not; query maps absent, null or {}",
)
