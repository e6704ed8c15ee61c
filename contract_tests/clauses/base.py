"""What a clause is, what it concludes, and how a property clause drives hypothesis."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from contract_tests.errors import HarnessError
from contract_tests.session import CheckSettings

if TYPE_CHECKING:
    from contract_tests.contracts.base import ContractBase

T = TypeVar("T")


class Status(enum.Enum):
    PASSED = "pass"
    FAILED = "FAIL"
    NOT_CHECKED = "not checked"


class Violation(AssertionError):
    """The handler broke the clause on one example; hypothesis shrinks towards the smallest one."""

    def __init__(self, message: str, expected: Any, actual: Any) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual
        self.example: Any = None


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


@dataclass(frozen=True)
class Clause:
    """One numbered promise of the contract and the check that can break it."""

    number: int
    id: str
    title: str
    #: The check on the session of its contract's kind: a CheckSession (`$connect`) or an AuthorizerSession.
    check: Callable[[Any, Any], ClauseResult] = field(repr=False, compare=False)
    #: One example's judgement on a session (raises Violation), as ``check`` applies it: what a replay re-runs.
    judge: Callable[[Any, Any], Callable[[Any], object]] = field(repr=False, compare=False)
    #: What the clause feeds the handler, for the generated docs.
    generates: str = ""
    #: The clause judges what a function does while it initialises, so it starts in new environments;
    #: the others take the warm ones the previous clause left (a process start costs more than 20 connects).
    fresh_start: bool = False

    def run(self, session: ClauseSession, contract: ContractBase) -> ClauseResult:
        return self.check(session, contract)


FLAKY_NOTE = " (flaky: the same input passed when replayed, so the answer depends on more than the event)"


def first_violation(run: Callable[[], None], seen: Sequence[Violation] = ()) -> Violation | None:
    """Run a hypothesis test; return the (shrunk) Violation it ended on, else None.

    A handler whose answer is not a function of its input makes hypothesis report flakiness
    instead; that is still the handler's failure, reported with the last Violation ``seen``.
    """
    try:
        run()
    except Violation as violation:
        return violation
    except Flaky as error:
        inner = [e for e in getattr(error, "exceptions", ()) if isinstance(e, Violation)]
        candidates = inner or list(seen)
        if not candidates:
            raise
        candidates[-1].message += FLAKY_NOTE
        return candidates[-1]
    return None


def verdict(clause: Clause, violation: Violation | None, examples: int, passed_message: str = "") -> ClauseResult:
    if violation is None:
        return ClauseResult(clause, Status.PASSED, examples, passed_message)
    counterexample = Counterexample(violation.example, violation.expected, violation.actual)
    return ClauseResult(clause, Status.FAILED, examples, violation.message, counterexample)


def hypothesis_settings(examples: int) -> settings:
    """Quiet, database-free, deadline-free runs: the report, not hypothesis, prints the failure."""
    return settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        report_multiple_bugs=False,
        print_blob=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
    )


class ClauseSession(Protocol):
    """What a property clause needs of any session: how hard to look, and fresh environments after a failure."""

    settings: CheckSettings

    def discard_instances(self) -> None: ...


def run_property(
    clause: Clause,
    session: ClauseSession,
    strategy: st.SearchStrategy[T],
    check_example: Callable[[T], None],
    *,
    examples: int | None = None,
    explicit: Sequence[T] = (),
    passed_message: str = "",
) -> ClauseResult:
    """Run ``check_example`` on ``explicit`` cases, then generated ones; a Violation is shrunk and kept."""
    count = 0
    aborted: list[HarnessError] = []
    seen: list[Violation] = []

    def body(example: T) -> None:
        nonlocal count
        if aborted:  # the backend or target failed: replay the same error at once while hypothesis winds down
            raise aborted[0]
        count += 1
        try:
            check_example(example)
        except Violation as violation:
            violation.example = example
            seen.append(violation)
            # The next example starts in a fresh environment: a failure never depends on an earlier one.
            session.discard_instances()
            raise
        except HarnessError as error:
            aborted.append(error)
            raise

    test = given(strategy)(body)
    for case in reversed(explicit):
        test = example(case)(test)
    test = seed(session.settings.seed)(hypothesis_settings(examples or session.settings.examples)(test))
    try:
        violation = first_violation(test, seen)
    except Exception:
        # Once the backend or target is gone every example fails, earlier passing ones too, which
        # hypothesis may report as an inconsistent replay: the harness's own error is what happened.
        if aborted:
            raise aborted[0] from None
        raise
    if aborted:
        raise aborted[0]
    return verdict(clause, violation, count, passed_message)


def run_two_sided(
    clause: Clause,
    session: ClauseSession,
    strategy: st.SearchStrategy[T],
    judge: Callable[[T], bool],
    *,
    explicit: Sequence[T],
    sides: tuple[str, str],
) -> ClauseResult:
    """``run_property`` for a judgement that says which side of a rule each example fell on; a pass
    reports how many examples fell on each (``sides`` names them: the accepted, then the refused)."""
    counts = {True: 0, False: 0}

    def example(case: T) -> None:
        counts[judge(case)] += 1

    result = run_property(clause, session, strategy, example, explicit=explicit)
    if not result.message:
        result.message = f"{counts[True]} {sides[0]}, {counts[False]} {sides[1]}"
    return result


G = TypeVar("G")


def judge_settled_output(
    result: ClauseResult,
    settled: Callable[[], Sequence[tuple[G, list[str]]]],
    late: Callable[[G, list[str]], str | None],
    example_of: Callable[[G], Any],
    expected: Any,
) -> ClauseResult:
    """A passed clause judged once more on what each warm environment printed (``settled`` gives, once they
    are quiet, what each was given and all it printed): a line written after the last example counts too."""
    if result.status is not Status.PASSED:
        return result
    for inputs, lines in settled():
        why = late(inputs, lines)
        if why is not None:
            example = Counterexample(example_of(inputs), expected, {"environment_output": lines[-5:]})
            return ClauseResult(result.clause, Status.FAILED, result.examples, why, example)
    return result
