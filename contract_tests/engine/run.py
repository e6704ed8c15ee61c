"""The engine: an open run (runtime, backend, session) that runs any clause of its contract on the
function the contract binds, through the clause's declared judgement; and a whole check as events."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from hypothesis import currently_in_test_context, event
from hypothesis.configuration import set_hypothesis_home_dir, storage_directory
from hypothesis.database import ExampleDatabase

from contract_tests.backends import BACKENDS
from contract_tests.clauses import judgement_for
from contract_tests.clauses.checks import refusal_notes, rejected_writes
from contract_tests.clauses.judgement import AnyJudgement, Expiry, Property, Violation, WarmSequence
from contract_tests.contracts import ContractBase
from contract_tests.contracts.clause import Clause
from contract_tests.engine.events import CheckFinished, ClauseFinished, ClauseStarted, Event, ExampleDone
from contract_tests.engine.functions import FUNCTIONS, Function
from contract_tests.engine.plan import Plan, plan
from contract_tests.engine.properties import search
from contract_tests.engine.rounds import Round, Searched, clause_share_s, search_rounds
from contract_tests.errors import HarnessError
from contract_tests.example_db import database_key, open_example_db
from contract_tests.observation import behaviour_of
from contract_tests.request import CheckRequest
from contract_tests.results import ClauseResult, Counterexample, Report, Status
from contract_tests.runtimes import make_runtime
from contract_tests.runtimes.base import TIMED_OUT
from contract_tests.session import CheckSettings
from contract_tests.state_home import state_home
from contract_tests.steps import Send

#: Cold starts of one configuration that failed to initialise in a row before its later examples are not
#: run: more than one, so that a handler failing only its first initialisation is still run further.
INIT_FAILURES_SETTLE = 2


@contextmanager
def _hypothesis_storage() -> Iterator[None]:
    """Keep hypothesis's caches out of the user's working directory, for the length of a check."""
    previous = storage_directory(intent_to_write=False).home_directory
    set_hypothesis_home_dir(state_home() / "hypothesis")
    try:
        yield
    finally:
        set_hypothesis_home_dir(previous)


def _verdict(clause: Clause, violation: Violation | None, examples: int, passed: str = "") -> ClauseResult:
    if violation is None:
        return ClauseResult(clause, Status.PASSED, examples, passed)
    counterexample = Counterexample(violation.example, violation.expected, violation.actual)
    return ClauseResult(clause, Status.FAILED, examples, violation.message, counterexample)


def _searched_verdict(clause: Clause, searched: Searched, passed: str = "") -> ClauseResult:
    result = _verdict(clause, searched.violation, searched.examples, passed)
    result.rounds = searched.rounds
    result.seed = searched.seed
    return result


def property_result(
    clause: Clause,
    strategy: Any,
    check_example: Callable[[Any], None],
    *,
    examples: int,
    seed_value: int,
    explicit: Sequence[Any] = (),
    on_violation: Callable[[], None] = lambda: None,
    database: ExampleDatabase | None = None,
    database_key: bytes = b"",
    share_s: float | None = None,
    part: tuple[int, int] = (0, 1),
    given_up: Callable[[], bool] = lambda: False,
) -> ClauseResult:
    """A property search's verdict on ``clause``: passed, or failed on the shrunk counterexample, after
    one round, or in a campaign rounds for ``share_s`` seconds (of its slice ``part``)."""

    def one_round(this_round: Round) -> tuple[Violation | None, int]:
        return search(
            strategy,
            check_example,
            examples=examples,
            this_round=this_round,
            explicit=explicit,
            on_violation=on_violation,
            database_key=database_key,
        )

    searched = search_rounds(one_round, seed_value, share_s, database, part, given_up=given_up)
    return _searched_verdict(clause, searched)


class Run:
    """A check under way: its backend started and session open, running clauses one at a time (CLI, pytest
    plugin, replay)."""

    def __init__(self, resolved: Plan, on_event: Callable[[Event], None] | None = None) -> None:
        self.plan = resolved
        #: Told of progress within a clause (ExampleDone), as it happens.
        self._tell = on_event or (lambda event: None)
        self.runtime = make_runtime(resolved.request.runtime, resolved.target, resolved.request.runtime_options())
        self._stack = ExitStack()
        self.function: Function
        #: The first step, when it showed that every step fails: an init error, a time-out on a valid
        #: event, or (in front of `$connect`) an authorizer refusing a valid handshake.
        self.blocking_failure: Any = None
        self._blocking_failure_reported = False
        #: ``--example-db``: what each search replays first and where it keeps what fails.
        self.example_db: ExampleDatabase | None = None
        #: ``--duration``: each generating clause's share of the campaign (None: one round of examples).
        self._share_s = clause_share_s(resolved.request.duration, resolved.clauses, resolved.request.jobs)
        #: The clause under way: how many of its steps showed each behaviour, and its slice of a campaign.
        self._behaviours: Counter[str] = Counter()
        self._part = (0, 1)
        self._given_up: Callable[[], bool] = lambda: False

    def __enter__(self) -> Run:
        request = self.request
        try:
            self._stack.enter_context(_hypothesis_storage())
            example_db = open_example_db(request.example_dbs)
            self.example_db = example_db.database
            settings = CheckSettings(examples=request.examples, seed=self.seed, region=request.region)
            self.function = FUNCTIONS[self.contract.kind](self.plan, self.runtime, settings, self._stack)
            self.warnings.extend(example_db.warnings)
            # One cold start first: a target that cannot be found stops here (exit 2), and a function
            # that cannot initialise is judged once instead of failing every example of every clause.
            first = self.function.first()
            notes = (note for runtime in self.function.runtimes for note in runtime.notes())
            self.warnings.extend(note for note in dict.fromkeys(notes) if note not in self.warnings)
            timed_out = (first.invocation.error or "").startswith(TIMED_OUT)
            if first.init_error or timed_out or self.function.refused_in_front(first):
                self.blocking_failure = first
        except BaseException as error:
            self._stack.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    @property
    def request(self) -> CheckRequest:
        return self.plan.request

    @property
    def contract(self) -> ContractBase:
        return self.plan.contract

    @property
    def seed(self) -> int:
        return self.plan.seed

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)  # type: ignore[arg-type]

    @property
    def warnings(self) -> list[str]:
        return self.function.warnings

    def blocking_reason(self) -> str | None:
        """Why every step fails, as a replayed case reports it; None when the first step did not show so."""
        failure = self.blocking_failure
        if failure is None:
            return None
        return str(
            failure.init_error or f"the {self.function.noun} failed on a valid event: {failure.invocation.error}"
        )

    # ---- running clauses -------------------------------------------------------------------------

    def run_clause(
        self,
        clause: Clause,
        *,
        reports_blocking_failure: bool | None = None,
        part: tuple[int, int] = (0, 1),
        given_up: Callable[[], bool] = lambda: False,
    ) -> ClauseResult:
        """``clause``'s result (of its slice ``part``, K of N, when a campaign deals its rounds to workers;
        ``given_up`` says between rounds that another slice of it already failed). A failure that blocks
        every step is reported on the first clause run, unless ``reports_blocking_failure`` says whether
        this one reports it (a worker of a parallel check)."""
        started = time.perf_counter()
        self._behaviours, self._part, self._given_up = Counter(), part, given_up
        if clause.fresh_start:
            self.function.discard_instances()
        if self.blocking_failure is not None:
            if reports_blocking_failure is not None:
                self._blocking_failure_reported = not reports_blocking_failure
            result = self._blocking_failure_result(clause)
        else:
            result = self._run(judgement_for(clause))
        result.seconds = time.perf_counter() - started
        result.behaviours = dict(self._behaviours)
        return result

    def _observed(self, observed: Any) -> None:
        """Count the kind of thing a step did; hypothesis hears it too (its statistics and observability)."""
        kind = behaviour_of(observed)
        if currently_in_test_context():  # an explicit case runs outside hypothesis (engine.properties)
            event(kind)
        self._behaviours[kind] += 1

    def _missing_capability(self, clause: Clause) -> str | None:
        """Why this run cannot check ``clause`` (a capability it requires is missing), or None."""
        capabilities = self.function.capabilities()
        return next((why for name in sorted(clause.requires) if (why := capabilities[name]) is not None), None)

    def _run(self, judgement: AnyJudgement) -> ClauseResult:
        clause = judgement.clause
        missing = self._missing_capability(clause)
        if missing is not None:
            message = f"not checked {missing}"
            return ClauseResult(clause, Status.NOT_CHECKED, 0, message)
        if isinstance(judgement, Property):
            return self._property(judgement)
        if isinstance(judgement, WarmSequence):
            passed = ""

            def one_round(this_round: Round) -> tuple[Violation | None, int]:
                nonlocal passed
                violation, count, passed = self.function.warm_sequences(
                    judgement, self.contract, this_round, self._observed
                )
                return violation, count

            searched = search_rounds(
                one_round, self.seed, self._share_s, self.example_db, self._part, given_up=self._given_up
            )
            return _searched_verdict(clause, searched, passed)
        events = judgement.events(self.contract)
        try:
            self.function.expire(judgement, self.contract, events)
        except Violation as violation:
            return _verdict(clause, violation, len(events))
        return _verdict(
            clause, None, len(events), f"{len(events)} items deleted by {self.function.facts.backend}'s TTL sweep"
        )

    def _property(self, judgement: Property[Any, Any, Any]) -> ClauseResult:
        function, contract, facts = self.function, self.contract, self.function.facts
        vacuous = judgement.vacuous(facts) if judgement.vacuous is not None else None
        if vacuous is not None:
            return ClauseResult(judgement.clause, Status.PASSED, 0, vacuous)
        cases: list[Any] = []
        sides = {True: 0, False: 0}
        rejected: list[str] = []
        explicit = judgement.explicit(facts)
        examples = judgement.examples(facts.examples)
        #: Kinds of case (``Property.settles``) whose example ran to the deadline, and the later ones not run.
        settled: dict[Any, int] = {}
        #: Cold starts (``Send.cold_start``): how many in a row failed to initialise.
        failed_inits: Counter[Hashable] = Counter()
        failed: list[bool] = []

        done = not_started = 0
        planned = 0 if self._share_s is not None else examples + len(explicit)

        def example(case: Any) -> None:
            nonlocal done, not_started
            done += 1
            if judgement.passed is not None:  # only what a pass's message reads is kept (a campaign is long)
                cases.append(case)
            self._tell(ExampleDone(judgement.clause, done, planned, len(self._behaviours), self._share_s))
            kind = judgement.settles(case) if judgement.settles is not None and not failed else None
            if kind in settled:
                settled[kind] += 1
                return
            step = judgement.step(case)
            cold_start = step.cold_start() if isinstance(step, Send) and not failed else None
            if cold_start is not None and failed_inits[cold_start] >= INIT_FAILURES_SETTLE:
                not_started += 1
                return
            observation = function.perform(step)
            self._observed(observation)
            side = judgement.judge(case, observation, contract, facts)
            if cold_start is not None:
                failed_inits[cold_start] = failed_inits[cold_start] + 1 if observation.init_error else 0
            if judgement.sides is not None:
                sides[bool(side)] += 1
            if judgement.notes_rejected_writes:
                rejected.extend(rejected_writes(observation))
            if kind is not None and (observation.invocation.error or "").startswith(TIMED_OUT):
                settled[kind] = 0

        def violated() -> None:
            failed.append(True)  # a failing case is shrunk and replayed: from now on every case runs
            function.discard_instances()

        result = property_result(
            judgement.clause,
            judgement.cases(facts),
            example,
            examples=examples,
            seed_value=self.seed,
            explicit=explicit,
            on_violation=violated,
            database=self.example_db,
            database_key=database_key(self.contract.name, judgement.clause.id),
            share_s=self._share_s,
            part=self._part,
            given_up=self._given_up,
        )
        if result.status is not Status.PASSED:
            return result
        if judgement.sides is not None:
            result.message = f"{sides[True]} {judgement.sides[0]}, {sides[False]} {judgement.sides[1]}"
        elif judgement.passed is not None:
            result.message = judgement.passed(cases, facts)
        notes = []
        skipped = sum(settled.values())
        if skipped:
            notes.append(
                f"{skipped} not run: the first example of each of {', '.join(map(str, settled))} ran to the"
                f" {self.request.timeout_of():g} s deadline, as the rest would"
            )
        if not_started:
            notes.append(
                f"{not_started} not run: cold starts of their configuration failed to initialise"
                f" {INIT_FAILURES_SETTLE} times in a row, as theirs would (the same code and configuration;"
                " an event reaches the handler only after its initialisation)"
            )
        if notes:
            result.message = "; ".join(part for part in (result.message, *notes) if part)
        late = judgement.late
        if late is not None:
            for inputs, lines in function.settled_output():
                why = late.why(inputs, lines, contract)
                if why is not None:
                    shown = Counterexample(
                        late.example(inputs, facts), late.expected, {"environment_output": lines[-5:]}
                    )
                    return ClauseResult(result.clause, Status.FAILED, result.examples, why, shown)
        if judgement.refusal_control:
            result.message = refusal_notes(result.message, rejected, function.refuses_valid(contract))
        return result

    def _blocking_failure_result(self, clause: Clause) -> ClauseResult:
        """Reported once, on the first clause run; the other clauses are not run (every example would end so).

        This is also how a clause stops early on a handler that never answers: one time-out, not hundreds.
        """
        failure = self.blocking_failure
        noun = self.function.noun
        if self._blocking_failure_reported:
            if failure.init_error:
                why = "the handler fails to initialise"
            elif self.function.refused_in_front(failure):
                why = "the authorizer refuses a valid handshake"
            else:
                why = f"the handler times out on a valid {noun}"
            return ClauseResult(clause, Status.NOT_CHECKED, 0, f"{why}, so every {noun} fails (see above)")
        self._blocking_failure_reported = True
        message = self.blocking_reason() or ""
        case, expected = self.function.control()
        example = Counterexample(case, expected, failure.actual(), judged_by=self.contract.clauses[0].id)
        return ClauseResult(clause, Status.FAILED, 1, message, example)

    # ---- replaying one saved case ----------------------------------------------------------------

    def replay(self, clause: Clause, case: Any) -> str | None:
        """Why a saved example of ``clause`` still fails, through the clause's own judgement; None once fixed."""
        why = self.blocking_reason()
        if why is not None:
            return why
        judgement = judgement_for(clause)
        missing = self._missing_capability(clause)
        if missing is not None:
            able = [
                f"--backend {name}"
                for name, backend in BACKENDS.items()
                if clause.requires <= getattr(backend, "capabilities", frozenset())
            ]
            where = f"; replay {clause.id} on {' or '.join(able)}" if able else ""
            raise HarnessError(f"not replayable {missing}{where}")
        function = self.function
        function.discard_instances()
        try:
            if isinstance(judgement, Property):
                judgement.judge(case, function.perform(judgement.step(case)), self.contract, function.facts)
            elif isinstance(judgement, WarmSequence):
                function.replay_warm_sequence(judgement, self.contract, case)
            elif isinstance(judgement, Expiry):
                function.expire(judgement, self.contract, [case])
        except Violation as violation:
            return violation.message
        finally:
            function.discard_instances()
        return None


def open_run(request: CheckRequest) -> Run:
    """The check ``request`` asks for, planned (not yet started: use it as a context manager)."""
    return Run(plan(request))


def execute(resolved: Plan, on_event: Callable[[Event], None]) -> Report:
    """Run a whole check, telling ``on_event`` of each event as it happens (the last is CheckFinished);
    the report. HarnessError means no verdict (exit 2)."""
    started = time.perf_counter()
    with Run(resolved, on_event) as run:
        report = Report(
            resolved.request,
            run.seed,
            warnings=run.warnings,
            containment=run.runtime.containment,
            contract=resolved.contract,
            runtime=resolved.runtime,
        )
        for clause in resolved.clauses:
            on_event(ClauseStarted(clause))
            result = run.run_clause(clause, reports_blocking_failure=resolved.reports_blocking_failure(clause))
            report.results.append(result)
            on_event(ClauseFinished(result))
    report.seconds = time.perf_counter() - started
    on_event(CheckFinished(report))
    return report
