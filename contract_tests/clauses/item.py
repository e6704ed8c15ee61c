"""Clause 2: a valid connect stores exactly the contract's item, typed, its times inside the invocation's window."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import require_item
from contract_tests.session import CheckSession
from contract_tests.strategies import no_query_cases, plain_events

if TYPE_CHECKING:
    from contract_tests.contracts import Contract


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    def example(event: dict[str, Any]) -> None:
        require_item(contract, event, session.connect(event))

    return run_property(CLAUSE, session, plain_events(), example, explicit=no_query_cases())


CLAUSE = Clause(2, "item", "valid connect stores exactly the contract's item (types, defaults, time windows)", _check)
