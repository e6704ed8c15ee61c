"""What the engine tells the faces (CLI, pytest plugin) while a check runs: typed events, in order."""

from __future__ import annotations

from dataclasses import dataclass

from contract_tests.contracts.clause import Clause
from contract_tests.results import ClauseResult, Report


@dataclass(frozen=True)
class ClauseStarted:
    clause: Clause


@dataclass(frozen=True)
class ExampleDone:
    """One more example of a property clause judged: ``done`` of about ``planned`` (shrinking adds some;
    0 in a campaign, which runs for ``share_s`` seconds instead), ``behaviours`` distinct ones seen so far."""

    clause: Clause
    done: int
    planned: int
    behaviours: int = 0
    share_s: float | None = None


@dataclass(frozen=True)
class ClauseFinished:
    result: ClauseResult


@dataclass(frozen=True)
class CheckFinished:
    report: Report


Event = ClauseStarted | ExampleDone | ClauseFinished | CheckFinished
