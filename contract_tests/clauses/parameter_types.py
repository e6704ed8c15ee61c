"""Clause 12 (v3): a parameter value that is not a string (only a direct invocation sends one) is refused.

Refused means a 4xx/5xx or a function error, and nothing stored. A falsy value (``null``, ``0``,
``false``, ``[]``, ``{}``) may also read as an absent parameter, as the common ``value or default``
idiom reads it: then the item is exactly the one without that parameter.
"""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.checks import (
    is_refusal,
    require_accepted,
    require_item,
    require_nothing_written,
    require_refused,
)
from contract_tests.clauses.judgement import Property
from contract_tests.contract_schemas import as_json
from contract_tests.contracts import Contract
from contract_tests.contracts.v3 import PARAMETER_TYPES
from contract_tests.observation import Observation
from contract_tests.oracle import query_parameters
from contract_tests.steps import Facts, Send
from contract_tests.strategies import non_string_parameter_cases, non_string_parameter_events, with_parameters

Case = tuple[str, Any, dict[str, Any]]


def judge(case: Case, observation: Observation, contract: Contract, facts: Facts) -> None:
    name, value, event = case
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


JUDGEMENT = Property[Case, Observation, Contract](
    clause=PARAMETER_TYPES,
    cases=lambda facts: non_string_parameter_events(),
    explicit=lambda facts: non_string_parameter_cases(),
    step=lambda case: Send(case[2]),
    judge=judge,
    refusal_control=True,
)
