"""Clause 13 (v4): a connect with no authenticated client on it is refused, and nothing is stored.

On a v4 route API Gateway runs the authorizer first, so such a connect means the route lost its
authorizer (or got another kind): the handler is the last line, and must not fall back to the query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.authenticated_events import unauthenticated_cases, unauthenticated_events
from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import refusal_verdict, require_nothing_written, require_refused
from contract_tests.session import CheckSession

if TYPE_CHECKING:
    from contract_tests.contracts import Contract


def _judge(session: CheckSession, contract: Contract) -> Callable[[tuple[str, dict[str, Any]]], None]:
    def example(case: tuple[str, dict[str, Any]]) -> None:
        description, event = case
        observation = session.connect(event, bypass_gateway=True)
        why = f"the connect carries {description}, so no client is authenticated"
        require_refused(observation, contract, why)
        require_nothing_written(observation, why)

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    judge = _judge(session, contract)
    result = run_property(CLAUSE, session, unauthenticated_events(), judge, explicit=unauthenticated_cases())
    return refusal_verdict(result, session, contract)


CLAUSE = Clause(
    13,
    "authentication",
    "a connect without the authorizer's clientId is refused, nothing stored",
    _check,
    _judge,
    generates=(
        "everyday connects sent past the authorizer: no requestContext.authorizer, one without clientId,"
        " one whose clientId is empty"
    ),
)
