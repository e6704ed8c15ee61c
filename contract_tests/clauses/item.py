"""Clause 2: a valid connect stores exactly the contract's item, typed, its times inside the invocation's window."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import require_item
from contract_tests.session import CheckSession
from contract_tests.strategies import no_query_cases, plain_events

if TYPE_CHECKING:
    from contract_tests.contracts import Contract


def _judge(session: CheckSession, contract: Contract) -> Callable[[dict[str, Any]], None]:
    def example(event: dict[str, Any]) -> None:
        require_item(contract, event, session.connect(event))

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    return run_property(CLAUSE, session, plain_events(), _judge(session, contract), explicit=no_query_cases())


CLAUSE = Clause(
    2,
    "item",
    "valid connect stores exactly the contract's item (types, defaults, time windows)",
    _check,
    _judge,
    generates="the same everyday events",
)
