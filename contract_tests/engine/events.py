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
    """One more example of a property clause judged: ``done`` of about ``planned`` (shrinking adds some)."""

    clause: Clause
    done: int
    planned: int


@dataclass(frozen=True)
class ClauseFinished:
    result: ClauseResult


@dataclass(frozen=True)
class CheckFinished:
    report: Report


Event = ClauseStarted | ExampleDone | ClauseFinished | CheckFinished
