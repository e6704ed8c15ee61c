"""Clause 14 (v4): the authenticated client is stored; a query clientId or account not its own gets 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.authenticated_events import identity_cases, identity_events
from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import require_outcome
from contract_tests.session import CheckSession

if TYPE_CHECKING:
    from contract_tests.contracts import Contract


def _judge(session: CheckSession, contract: Contract) -> Callable[[tuple[str, dict[str, Any]]], bool]:
    """Judges one example; returns whether the connect was the client's to make."""

    def example(case: tuple[str, dict[str, Any]]) -> bool:
        _, event = case
        require_outcome(contract, event, session.connect(event))
        return contract.oracle.denial(event) is None

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    sides = {True: 0, False: 0}
    judge = _judge(session, contract)

    def example(case: tuple[str, dict[str, Any]]) -> None:
        sides[judge(case)] += 1

    result = run_property(CLAUSE, session, identity_events(), example, explicit=identity_cases())
    if not result.message:
        result.message = f"{sides[True]} the client's own, {sides[False]} refused with 403"
    return result


CLAUSE = Clause(
    14,
    "identity",
    "the authorizer's clientId is stored; a query clientId or account not the client's is refused with 403",
    _check,
    _judge,
    generates=(
        "an authenticated client with 1-4 accounts, and a query with no, its own, another, an extended or"
        " a case-changed clientId, and no, one of its, or another account"
    ),
)
