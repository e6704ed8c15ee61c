"""How the engine runs a ``Property`` judgement with hypothesis: explicit cases first, then generated
ones, a Violation shrunk and kept, the harness's own errors (a backend gone) never taken for a verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase
from hypothesis.errors import Flaky

from contract_tests.clauses.judgement import Violation
from contract_tests.engine.rounds import Round
from contract_tests.errors import HarnessError

T = TypeVar("T")

FLAKY_NOTE = " (flaky: the same input passed when replayed, so the answer depends on more than the event)"


@contextmanager
def _constants_of_no_module() -> Iterator[None]:
    """hypothesis mixes into what it draws the literals of every local module the process has imported
    (the handler's, run in process; the gate's own, installed editable), so a seed would draw other
    examples in a process that imported more: the pytest plugin's, a replay, a clause checked alone.
    Drawn without them, a seed repeats its examples in any process. No setting turns them off: the
    provider's lookup is replaced for the length of a search."""
    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.constants_ast import Constants

    lookup = getattr(providers, "_get_local_constants", None)
    if lookup is None:  # a hypothesis without local constants: nothing to hold still
        yield
        return
    none = Constants()
    providers.CONSTANTS_CACHE.cache.clear()
    providers._get_local_constants = lambda: none
    try:
        yield
    finally:
        providers._get_local_constants = lookup
        providers.CONSTANTS_CACHE.cache.clear()


def first_violation(run: Callable[[], None], seen: Sequence[Violation] = ()) -> Violation | None:
    """Run a hypothesis test; return the (shrunk) Violation it ended on, else None.

    A handler whose answer is not a function of its input makes hypothesis report flakiness
    instead; that is still the handler's failure, reported with the last Violation ``seen``.
    """
    try:
        with _constants_of_no_module():
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


def hypothesis_settings(examples: int, database: ExampleDatabase | None = None, replay: bool = True) -> settings:
    """Quiet, deadline-free runs: the report, not hypothesis, prints the failure. Without ``--example-db``
    a run is its seed alone; with it, what the database holds is replayed first (when ``replay``: a
    campaign's first round) and what fails is kept."""
    replayed = (Phase.reuse,) if database is not None and replay else ()
    return settings(
        max_examples=examples,
        database=database,
        deadline=None,
        derandomize=False,
        report_multiple_bugs=False,
        print_blob=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        phases=(*replayed, Phase.generate, Phase.shrink),
    )


def search(
    strategy: st.SearchStrategy[T],
    check_example: Callable[[T], None],
    *,
    examples: int,
    this_round: Round,
    explicit: Sequence[T] = (),
    on_violation: Callable[[], None] = lambda: None,
    database_key: bytes = b"",
) -> tuple[Violation | None, int]:
    """Run ``check_example`` on ``explicit`` cases and this round's database's under ``database_key`` (the
    first round), then generated ones: the shrunk Violation it ended on (or None) and how many examples
    ran. ``on_violation`` runs after each failing example (the next one starts in a fresh environment: a
    failure never depends on an earlier one)."""
    count = 0
    aborted: list[HarnessError] = []
    seen: list[Violation] = []

    def body(case: T) -> None:
        nonlocal count
        if aborted:  # the backend or target failed: replay the same error at once while hypothesis winds down
            raise aborted[0]
        count += 1
        try:
            check_example(case)
        except Violation as violation:
            if violation.example is None:  # a scenario's step (a warm sequence's connect) names its own
                violation.example = case
            seen.append(violation)
            on_violation()
            raise
        except HarnessError as error:
            aborted.append(error)
            raise

    # Explicit cases run here, not as ``@example``s: hypothesis renders every explicit case with its
    # pretty-printer before running it (~1 s of the gate's CPU in a v5 check, profiled), and shrinks none.
    for case in explicit if this_round.first else ():
        try:
            body(case)
        except Violation as explicit_violation:
            return explicit_violation, count
    test: Any = given(strategy)(body)
    # The settings after the seed: ``@seed`` turns the database off for the settings it finds, and a run
    # given --example-db replays it before the seed's own examples.
    database = this_round.database
    test = hypothesis_settings(examples, database, this_round.first)(seed(this_round.seed)(test))
    if database is not None:
        # hypothesis keys a test by its function's source, the same function for every clause here: key it
        # by the clause instead, stable across versions of this code (hypothesis's ``find`` sets the same).
        test._hypothesis_internal_database_key = database_key
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
    return violation, count
