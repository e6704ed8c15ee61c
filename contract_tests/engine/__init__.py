"""The engine: a check planned once, run clause by clause on the function its contract binds, told as events."""

from __future__ import annotations

from contract_tests.engine.events import CheckFinished, ClauseFinished, ClauseStarted, Event
from contract_tests.engine.plan import Plan, plan
from contract_tests.engine.run import Check, execute, open_check, run_check

__all__ = [
    "Check",
    "CheckFinished",
    "ClauseFinished",
    "ClauseStarted",
    "Event",
    "Plan",
    "execute",
    "open_check",
    "plan",
    "run_check",
]
