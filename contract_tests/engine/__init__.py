"""The engine: a check planned once, run clause by clause on the function its contract binds, told as events."""

from __future__ import annotations

from contract_tests.engine.check import run_check
from contract_tests.engine.events import CheckFinished, ClauseFinished, ClauseStarted, Event, ExampleDone
from contract_tests.engine.plan import Plan, plan
from contract_tests.engine.run import Run, execute, open_run

__all__ = [
    "CheckFinished",
    "ClauseFinished",
    "ClauseStarted",
    "Event",
    "ExampleDone",
    "Plan",
    "Run",
    "execute",
    "open_run",
    "plan",
    "run_check",
]
