"""A whole check as its user asks for it: planned (unless it was), then run in this process one clause
after another, or in ``--jobs`` worker processes."""

from __future__ import annotations

from collections.abc import Callable

from contract_tests.engine.events import Event
from contract_tests.engine.parallel import execute_in_workers, tasks_of
from contract_tests.engine.plan import Plan, plan
from contract_tests.engine.run import execute
from contract_tests.request import CheckRequest
from contract_tests.results import Report


def run_check(asked: CheckRequest | Plan, on_event: Callable[[Event], None] | None = None) -> Report:
    """Run a whole check and return its report, telling ``on_event`` of each event as it comes."""
    resolved = asked if isinstance(asked, Plan) else plan(asked)
    tell = on_event or (lambda event: None)
    if resolved.request.jobs > 1 and len(tasks_of(resolved)) > 1:  # clauses, or one campaign's slices
        return execute_in_workers(resolved, tell)
    return execute(resolved, tell)
