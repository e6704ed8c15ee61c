"""Clause 6: with ``CONNECTIONS_TABLE`` unset the connect is refused and no table is written or made.

A handler checked with ``--table-variable`` has every variable named so unset.

Here a write is judged by its aim, not its outcome: with no table configured, a write that names a
table names one the handler guessed, and in a real account that table may well exist.
"""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.checks import require_nothing_written, require_refused
from contract_tests.clauses.judgement import Property, Violation
from contract_tests.contracts import Contract
from contract_tests.contracts.v1 import V1_CLAUSES
from contract_tests.observation import Observation
from contract_tests.steps import Facts, Send
from contract_tests.strategies import no_query_cases, plain_events

Event = dict[str, Any]


def judge(event: Event, observation: Observation, contract: Contract, facts: Facts) -> None:
    names = facts.table_variables
    why = f"{' and '.join(names)} {'is' if len(names) == 1 else 'are'} unset"
    require_refused(observation, contract, why)
    require_nothing_written(observation, why)
    guessed = [str(call) for call in observation.all_calls if call.is_write and call.table]
    if guessed:
        message = f"{why}, but the handler tried to write to a table it named itself: {', '.join(guessed)}"
        raise Violation(message, "no write call naming a table", observation.actual())
    # Judged by the handler's own recorded calls, not by listing tables: on a backend other
    # checks or deployments share, a table someone else made in the meantime is not this handler's.
    created = [str(call) for call in observation.all_calls if call.operation == "CreateTable"]
    if created:
        message = f"{why}, but the handler created a table: {', '.join(created)}"
        raise Violation(message, "no CreateTable call", observation.actual())


JUDGEMENT = Property[Event, Observation, Contract](
    clause=V1_CLAUSES[5],
    cases=lambda facts: plain_events(),
    explicit=lambda facts: no_query_cases(),
    step=lambda event: Send(event, without_table=True),
    judge=judge,
    examples=lambda examples: max(10, examples // 5),
    refusal_control=True,
)
