"""Clause 3: across the hard query strings, the connect is accepted and values are stored verbatim."""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import require_accepted, require_item
from contract_tests.session import CheckSession
from contract_tests.strategies import hard_query_events, query_corner_cases


def _check(session: CheckSession) -> ClauseResult:
    def example(event: dict[str, Any]) -> None:
        observation = session.connect(event)
        require_accepted(observation)
        require_item(event, observation)

    return run_property(CLAUSE, session, hard_query_events(), example, explicit=query_corner_cases())


CLAUSE = Clause(
    3,
    "query-strings",
    "empty, repeated, unknown, encoded, unicode and URL-limit parameters are read as API Gateway sends them",
    _check,
)
