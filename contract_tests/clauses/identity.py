"""Clause 14 (v4): the authenticated client is stored; a query clientId or account not its own gets 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.authenticated_events import identity_cases, identity_events
from contract_tests.clauses.base import Clause, ClauseResult, run_two_sided
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
    judge = _judge(session, contract)
    return run_two_sided(
        CLAUSE,
        session,
        identity_events(),
        judge,
        explicit=identity_cases(),
        sides=("the client's own", "refused with 403"),
    )


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
