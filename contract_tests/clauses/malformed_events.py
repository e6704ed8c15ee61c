"""Clause 4: an event without a usable connectionId or with wrongly typed fields is refused, unstored."""

from __future__ import annotations

from typing import Any

from contract_tests.clauses.base import Clause, ClauseResult, run_property
from contract_tests.clauses.checks import require_nothing_written, require_refused
from contract_tests.session import CheckSession
from contract_tests.strategies import malformed_corner_cases, malformed_events


def _check(session: CheckSession) -> ClauseResult:
    def example(case: tuple[str, Any]) -> None:
        description, event = case
        observation = session.cold_run(event)
        require_refused(observation, f"the event is malformed ({description})")
        require_nothing_written(observation, f"the event is malformed ({description})")

    return run_property(CLAUSE, session, malformed_events(), example, explicit=malformed_corner_cases())


CLAUSE = Clause(4, "malformed-events", "malformed events are refused and nothing is stored", _check)
