"""Clause 3: across the hard query strings, values are stored verbatim (or, from v3, invalid ones refused)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import require_outcome
from contract_tests.session import CheckSession
from contract_tests.strategies import hard_query_events, query_corner_cases

if TYPE_CHECKING:
    from contract_tests.contracts import Contract


def _judge(session: CheckSession, contract: Contract) -> Callable[[dict[str, Any]], None]:
    def example(event: dict[str, Any]) -> None:
        require_outcome(contract, event, session.connect(event))

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    judge = _judge(session, contract)
    return run_property(CLAUSE, session, hard_query_events(), judge, explicit=query_corner_cases())


CLAUSE = Clause(
    3,
    "query-strings",
    "empty, repeated, unknown, encoded, unicode and URL-limit parameters are read as API Gateway sends them",
    _check,
    _judge,
    generates=(
        "empty, repeated, unknown and case-variant keys; whitespace; already-decoded % and +; "
        "unicode incl. astral plane; leading zeros; a URL at exactly 4096 characters"
    ),
)
