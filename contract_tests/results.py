"""What a check concluded, as one model every renderer (text, JSON, JUnit, GitHub) reads: each clause's
result, and the verdict and exit status, computed here once."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any

from contract_tests.contracts import ContractBase, contract_named
from contract_tests.contracts.clause import Clause
from contract_tests.request import CheckRequest
from contract_tests.sandbox.support import Containment


class Status(enum.Enum):
    PASSED = "pass"
    FAILED = "FAIL"
    NOT_CHECKED = "not checked"


class Verdict(enum.Enum):
    """What a run may claim: a partial run (a clause not checked) never conforms."""

    CONFORMS = "conforms"
    VIOLATES = "violates"
    PARTIAL = "partial"


@dataclass
class Counterexample:
    """The minimal failing input, with what the contract expected and what the handler did."""

    example: Any
    expected: Any
    actual: Any
    #: The clause whose judgement re-runs ``example``, when not the failed clause's own (an init error
    #: is reported on the first clause run, whatever it is, but any valid connect shows it).
    judged_by: str | None = None


@dataclass
class ClauseResult:
    clause: Clause
    status: Status
    examples: int = 0
    message: str = ""
    counterexample: Counterexample | None = None
    seconds: float = 0.0
    #: How many examples showed each kind of behaviour (``Observation.behaviour``): what the search covered.
    behaviours: dict[str, int] = field(default_factory=dict)
    #: The seed that repeats this result, when not the run's: a campaign's failure, found in a later round.
    seed: int | None = None
    #: How many rounds of examples the clause searched (0: it generates none; more than 1: a campaign).
    rounds: int = 0


#: What varies between examples of one defect: numbers, values quoted by repr, long quoted text and
#: connection-id-like tokens (a short double-quoted word is an attribute's name: it tells defects apart).
_VARYING = re.compile(r"\d{3,}|'[^']*'|\"[^\"]{21,}\"|[A-Za-z0-9+/]{14}=")


def _defect_key(result: ClauseResult) -> tuple[str, str]:
    """A failure with its example's values masked: what the handler answered, and why that failed."""
    example = result.counterexample
    actual = example.actual if example is not None else None
    answer = actual.get("handler") or actual.get("init_error") if isinstance(actual, dict) else None
    return _VARYING.sub("…", result.message), _VARYING.sub("…", str(answer or ""))


@dataclass
class Report:
    request: CheckRequest
    seed: int
    results: list[ClauseResult] = field(default_factory=list)
    seconds: float = 0.0
    #: Problems after the verdict (e.g. a table that could not be deleted); they never change it.
    warnings: list[str] = field(default_factory=list)
    #: Whether the function ran sandboxed, and if not, why.
    containment: Containment = field(default_factory=lambda: Containment(False, "not started"))
    #: The contract checked, and the runtime the function ran in; by default as the request names them.
    contract: ContractBase = field(default=None)  # type: ignore[assignment]
    runtime: str = ""

    def __post_init__(self) -> None:
        if self.contract is None:
            self.contract = contract_named(self.request.contract)
        if not self.runtime:
            self.runtime = self.request.runtime_name()

    def reproduce(self, result: ClauseResult) -> str:
        """The command that checks ``result``'s clause alone as it ran (a campaign's, by its round's seed)."""
        return self.request.command(self.seed if result.seed is None else result.seed, result.clause.id)

    @property
    def failed(self) -> list[ClauseResult]:
        return [r for r in self.results if r.status is Status.FAILED]

    @property
    def defects(self) -> list[list[ClauseResult]]:
        """The failed clauses grouped by defect: one group per distinct failure (the same message and the
        same answer, values aside), in clause order; its first clause's example stands for the group."""
        groups: dict[tuple[str, str], list[ClauseResult]] = {}
        for result in self.failed:
            groups.setdefault(_defect_key(result), []).append(result)
        return list(groups.values())

    @property
    def whole_contract(self) -> bool:
        """Whether every clause of the contract ran to a pass or a failure."""
        checked = {r.clause.id for r in self.results if r.status is not Status.NOT_CHECKED}
        return checked == {clause.id for clause in self.contract.clauses}

    @property
    def verdict(self) -> Verdict:
        if self.failed:
            return Verdict.VIOLATES
        return Verdict.CONFORMS if self.whole_contract else Verdict.PARTIAL

    @property
    def exit_status(self) -> int:
        return 1 if self.verdict is Verdict.VIOLATES else 0
