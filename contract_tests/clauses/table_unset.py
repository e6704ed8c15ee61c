"""Clause 6: with ``CONNECTIONS_TABLE`` unset the connect is refused and no table is written or made.

Here a write is judged by its aim, not its outcome: with no table configured, a write that names a
table names one the handler guessed, and in a real account that table may well exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from contract_tests.clauses.base import Clause, ClauseResult, Violation, run_property
from contract_tests.clauses.checks import refusal_verdict, require_nothing_written, require_refused
from contract_tests.session import UNSET, CheckSession
from contract_tests.strategies import no_query_cases, plain_events

if TYPE_CHECKING:
    from contract_tests.contracts import Contract


def _judge(session: CheckSession, contract: Contract) -> Callable[[dict[str, Any]], None]:
    why = "CONNECTIONS_TABLE is unset"

    def example(event: dict[str, Any]) -> None:
        observation = session.connect(event, environment={"CONNECTIONS_TABLE": UNSET})
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

    return example


def _check(session: CheckSession, contract: Contract) -> ClauseResult:
    examples = max(10, session.settings.examples // 5)
    judge = _judge(session, contract)
    result = run_property(CLAUSE, session, plain_events(), judge, examples=examples, explicit=no_query_cases())
    return refusal_verdict(result, session, contract)


CLAUSE = Clause(
    6,
    "table-unset",
    "CONNECTIONS_TABLE unset: refused, no write to any table",
    _check,
    _judge,
    generates="everyday events with CONNECTIONS_TABLE removed before the cold start",
)
