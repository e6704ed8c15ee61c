"""Clause 4: an event without a usable identity is refused and nothing is stored.

A query map that is not an object carries no parameters: refusing the connect, or storing exactly
the item for "no parameters", are both correct.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import (
    is_refusal,
    refusal_verdict,
    rejected_writes,
    require_accepted,
    require_item,
    require_nothing_written,
    require_refused,
)
from contract_tests.expected import has_identity
from contract_tests.session import CheckSession, Observation
from contract_tests.strategies import malformed_corner_cases, malformed_events

if TYPE_CHECKING:
    from contract_tests.contracts import Contract


def _judge(session: CheckSession, contract: Contract) -> Callable[[tuple[str, Any]], Observation]:
    def example(case: tuple[str, Any]) -> Observation:
        description, event = case
        observation = session.connect(event)
        why = f"the event is malformed ({description})"
        if not has_identity(event) or is_refusal(observation, contract):
            require_refused(observation, contract, why)
            require_nothing_written(observation, why)
        else:
            require_accepted(observation, contract)
            require_item(contract, event, observation)
        return observation

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    rejected: list[str] = []
    judge = _judge(session, contract)

    def example(case: tuple[str, Any]) -> None:
        rejected.extend(rejected_writes(judge(case)))

    result = run_property(CLAUSE, session, malformed_events(), example, explicit=malformed_corner_cases())
    return refusal_verdict(result, session, contract, rejected)


CLAUSE = Clause(
    4,
    "malformed-events",
    "events without a usable identity are refused and nothing is stored",
    _check,
    _judge,
    generates=(
        "every named mutation of the fields a handler reads: event, requestContext or connectionId "
        "missing, empty or of another type; both query maps not an object"
    ),
)
