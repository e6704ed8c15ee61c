"""Clause 12 (v3): a parameter value that is not a string (only a direct invocation sends one) is refused.

Refused means a 4xx/5xx or a function error, and nothing stored. A falsy value (``null``, ``0``,
``false``, ``[]``, ``{}``) may also read as an absent parameter, as the common ``value or default``
idiom reads it: then the item is exactly the one without that parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import (
    is_refusal,
    refusal_verdict,
    require_accepted,
    require_item,
    require_nothing_written,
    require_refused,
)
from contract_tests.contract_schemas import as_json
from contract_tests.expected import query_parameters
from contract_tests.session import CheckSession
from contract_tests.strategies import (
    non_string_parameter_cases,
    non_string_parameter_events,
    with_parameters,
)

if TYPE_CHECKING:
    from contract_tests.contracts import Contract


def _judge(session: CheckSession, contract: Contract) -> Callable[[tuple[str, Any, dict[str, Any]]], None]:
    def example(case: tuple[str, Any, dict[str, Any]]) -> None:
        name, value, event = case
        observation = session.connect(event)
        why = f"queryStringParameters.{name} is {as_json(value)}, not a string"
        if is_refusal(observation, contract):
            require_nothing_written(observation, why)
        elif not value:
            without = {k: v for k, v in query_parameters(event).items() if k != name}
            absent = with_parameters(event, without)
            require_accepted(observation, contract)
            require_item(contract, absent, observation)
        else:
            require_refused(observation, contract, why)

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    judge = _judge(session, contract)
    result = run_property(CLAUSE, session, non_string_parameter_events(), judge, explicit=non_string_parameter_cases())
    return refusal_verdict(result, session, contract)


CLAUSE = Clause(
    12,
    "parameter-types",
    "a parameter value that is not a string is refused, nothing stored",
    _check,
    _judge,
    generates="a parameter value that is a number, boolean, list, object or null, in both query maps",
)
