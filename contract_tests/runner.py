"""Run a check: start the backend, open the session, run each clause, collect a report."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

from contract_tests.authorizer_gateway import AuthorizerInFront
from contract_tests.authorizer_session import AuthorizerCall, AuthorizerSession
from contract_tests.clauses import Clause, ClauseResult, Counterexample, Status
from contract_tests.clauses.checks import ACCEPTED
from contract_tests.contracts import Contract
from contract_tests.errors import HarnessError
from contract_tests.gateway import Direct, Gateway
from contract_tests.request import CheckRequest
from contract_tests.runtimes import make_runtime
from contract_tests.runtimes.base import TIMED_OUT
from contract_tests.sandbox.support import Containment
from contract_tests.session import CheckSession, CheckSettings, Observation
from contract_tests.state_home import state_home
from contract_tests.strategies import no_query_cases
from contract_tests.targets import parse_target


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

    @property
    def failed(self) -> list[ClauseResult]:
        return [r for r in self.results if r.status is Status.FAILED]

    @property
    def whole_contract(self) -> bool:
        """Whether every clause of the contract ran to a pass or a failure."""
        checked = {r.clause.id for r in self.results if r.status is not Status.NOT_CHECKED}
        return checked == {clause.id for clause in self.request.contract_value().clauses}

    @property
    def exit_status(self) -> int:
        return 1 if self.failed else 0


@contextmanager
def _hypothesis_storage() -> Iterator[None]:
    """Keep hypothesis's caches out of the user's working directory, for the length of a check."""
    previous = storage_directory(intent_to_write=False).home_directory
    set_hypothesis_home_dir(state_home() / "hypothesis")
    try:
        yield
    finally:
        set_hypothesis_home_dir(previous)


class OpenCheck:
    """A started backend and opened session, ready to run clauses one at a time (CLI and pytest plugin)."""

    def __init__(self, request: CheckRequest) -> None:
        if request.examples < 1:
            raise HarnessError("--examples must be at least 1")
        self.request = request
        self.contract = request.contract_value()
        contract = self.contract
        problems = contract.oracle.configuration_errors(dict(request.env)) if isinstance(contract, Contract) else []
        if problems:
            raise HarnessError(f"contract {self.contract.name}: --env {problems[0]}")
        self.seed = request.seed if request.seed is not None else secrets.randbelow(2**32)
        self.target = parse_target(request.handler, request.code_dir)
        self.runtime = make_runtime(request.runtime, self.target, request.runtime_options())
        self._stack = ExitStack()
        self.session: CheckSession | AuthorizerSession
        #: The first call, when it showed that every call fails: an init error, or a time-out on a valid event.
        self.blocking_failure: Observation | AuthorizerCall | None = None
        self._blocking_failure_reported = False

    def __enter__(self) -> OpenCheck:
        request = self.request
        try:
            self._stack.enter_context(_hypothesis_storage())
            settings = CheckSettings(
                examples=request.examples, seed=self.seed, region=request.region, timeout_s=request.timeout
            )
            # One cold start first: a target that cannot be found stops here (exit 2), and a function
            # that cannot initialise is judged once instead of failing every example of every clause.
            first: Observation | AuthorizerCall
            if isinstance(self.contract, Contract):
                backend = self._stack.enter_context(request.new_backend(self.runtime))
                table, gateway = self.contract.table, self._gateway(self.contract, settings)
                self.session = CheckSession(self.runtime, backend, settings, table, gateway)
                self._stack.enter_context(self.session.opened())
                first = self.session.connect(no_query_cases()[0])
                if first.authorizer_answer is not None:  # the authorizer refused the first valid handshake
                    self.blocking_failure = first
            else:
                self.session = self._stack.enter_context(AuthorizerSession(self.runtime, settings).opened())
                control = self.session.control_case()
                first = self.session.call(control["token"], control["connect"])
            timed_out = (first.invocation.error or "").startswith(TIMED_OUT)
            if first.init_error or timed_out:
                self.blocking_failure = first
        except BaseException as error:
            self._stack.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    def _gateway(self, contract: Contract, settings: CheckSettings) -> Gateway:
        """The contract's gateway, or with ``--authorizer`` that function in front of `$connect`."""
        request = self.request
        if request.authorizer is None:
            return contract.gateway
        if isinstance(contract.gateway, Direct):
            raise HarnessError(
                f"--authorizer: contract {contract.name} has no authorizer in front of $connect (v4 has)"
            )
        target = parse_target(request.authorizer, request.code_dir)
        kind = "inprocess" if request.runtime == "inprocess" else None
        runtime = make_runtime(kind, target, request.runtime_options())
        session = self._stack.enter_context(AuthorizerSession(runtime, settings).opened())
        return AuthorizerInFront(session)

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)  # type: ignore[arg-type]

    @property
    def warnings(self) -> list[str]:
        return self.session.warnings

    def run_clause(self, clause: Clause) -> ClauseResult:
        started = time.perf_counter()
        if clause.fresh_start:
            self.session.discard_instances()
        if self.blocking_failure:
            result = self._blocking_failure_result(clause)
        else:
            result = clause.run(self.session, self.contract)
        result.seconds = time.perf_counter() - started
        return result

    def _blocking_failure_result(self, clause: Clause) -> ClauseResult:
        """Reported once, on the first clause run; the other clauses are not run (every example would end so).

        This is also how a clause stops early on a handler that never answers: one time-out, not hundreds.
        """
        failure = self.blocking_failure
        assert failure is not None
        noun = "connect" if isinstance(failure, Observation) else "call"
        if self._blocking_failure_reported:
            if failure.init_error:
                why = "the handler fails to initialise"
            elif isinstance(failure, Observation) and failure.authorizer_answer is not None:
                why = "the authorizer refuses a valid handshake"
            else:
                why = f"the handler times out on a valid {noun}"
            return ClauseResult(clause, Status.NOT_CHECKED, 0, f"{why}, so every {noun} fails (see above)")
        self._blocking_failure_reported = True
        message = failure.init_error or f"the {noun} failed on a valid event: {failure.invocation.error}"
        if isinstance(self.session, AuthorizerSession):
            control = self.session.control_case()
            example = Counterexample(control, "an Allow", failure.actual(), judged_by=self.contract.clauses[0].id)
        else:
            example = Counterexample(no_query_cases()[0], ACCEPTED, failure.actual(), judged_by="response")
        return ClauseResult(clause, Status.FAILED, 1, message, example)


def run_check(request: CheckRequest, on_result: Callable[[ClauseResult], None] | None = None) -> Report:
    """Check the handler against every selected clause; HarnessError means no verdict (exit 2)."""
    started = time.perf_counter()
    clauses: Sequence[Clause] = request.selected_clauses()
    with OpenCheck(request) as check:
        report = Report(request, check.seed, warnings=check.warnings, containment=check.runtime.containment)
        for clause in clauses:
            result = check.run_clause(clause)
            report.results.append(result)
            if on_result is not None:
                on_result(result)
    report.seconds = time.perf_counter() - started
    return report
