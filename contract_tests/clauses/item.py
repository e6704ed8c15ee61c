"""Clause 2: a valid connect stores exactly the v1 item, typed, with createdAt in epoch ms."""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import require_item
from contract_tests.session import CheckSession
from contract_tests.strategies import no_query_cases, plain_events


def _check(session: CheckSession) -> ClauseResult:
    def example(event: dict[str, Any]) -> None:
        require_item(event, session.connect(event))

    return run_property(CLAUSE, session, plain_events(), example, explicit=no_query_cases())


CLAUSE = Clause(2, "item", "valid connect stores exactly the v1 item (types, defaults, createdAt window)", _check)
