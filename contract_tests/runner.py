"""Run a check: start the backend, open the session, run each clause, collect a report."""

from __future__ import annotations

import secrets
import shlex
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field

from contract_tests.backends import BackendOptions, make_backend
from contract_tests.clauses import CLAUSES_BY_ID, V1_CLAUSES, Clause, ClauseResult, Status
from contract_tests.errors import HarnessError, TargetError
from contract_tests.lambda_runtime import TIMEOUT_S
from contract_tests.session import CheckSession, CheckSettings
from contract_tests.targets import HandlerInitError, parse_target


@dataclass(frozen=True)
class CheckRequest:
    """Everything ``connect-contract check`` was asked to do."""

    handler: str
    code_dir: str | None = None
    backend: str = "moto"
    endpoint: str | None = None
    examples: int = 100
    seed: int | None = None
    region: str = "us-east-1"
    clauses: tuple[str, ...] = ()
    create_real_table: bool = False
    timeout: float = TIMEOUT_S

    def selected_clauses(self) -> list[Clause]:
        unknown = [c for c in self.clauses if c not in CLAUSES_BY_ID]
        if unknown:
            raise HarnessError(f"unknown clause {unknown[0]!r}; choose from: {', '.join(CLAUSES_BY_ID)}")
        return [c for c in V1_CLAUSES if not self.clauses or c.id in self.clauses]

    def command(self, seed: int, clause: str | None = None) -> str:
        """The exact command line that repeats this check (for one clause, when given)."""
        words = ["connect-contract", "check", "--handler", self.handler]
        if self.code_dir:
            words += ["--code-dir", self.code_dir]
        words += ["--backend", self.backend]
        if self.endpoint:
            words += ["--endpoint", self.endpoint]
        if self.create_real_table:
            words += ["--yes-create-table"]
        words += ["--examples", str(self.examples), "--seed", str(seed)]
        if self.timeout != TIMEOUT_S:
            words += ["--timeout", f"{self.timeout:g}"]
        for clause_id in [clause] if clause else self.clauses:
            words += ["--clause", clause_id]
        return shlex.join(words)


@dataclass
class Report:
    request: CheckRequest
    seed: int
    results: list[ClauseResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[ClauseResult]:
        return [r for r in self.results if r.status is Status.FAILED]

    @property
    def exit_status(self) -> int:
        return 1 if self.failed else 0


class OpenCheck:
    """A started backend and opened session, ready to run clauses one at a time (CLI and pytest plugin)."""

    def __init__(self, request: CheckRequest) -> None:
        if request.examples < 1:
            raise HarnessError("--examples must be at least 1")
        self.request = request
        self.seed = request.seed if request.seed is not None else secrets.randbelow(2**32)
        self.target = parse_target(request.handler, request.code_dir)
        self._stack = ExitStack()

    def __enter__(self) -> OpenCheck:
        request = self.request
        try:
            backend = self._stack.enter_context(
                make_backend(
                    request.backend,
                    BackendOptions(
                        region=request.region, endpoint=request.endpoint, create_real_table=request.create_real_table
                    ),
                )
            )
            settings = CheckSettings(
                examples=request.examples, seed=self.seed, region=request.region, timeout_s=request.timeout
            )
            self.session = CheckSession(self.target, backend, settings)
            self._stack.enter_context(self.session.opened())
            try:
                self.session.warm_handler()
            except HandlerInitError as error:
                raise TargetError(str(error)) from error
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def run_clause(self, clause: Clause) -> ClauseResult:
        started = time.perf_counter()
        result = clause.run(self.session)
        result.seconds = time.perf_counter() - started
        return result


def run_check(request: CheckRequest, on_result: Callable[[ClauseResult], None] | None = None) -> Report:
    """Check the handler against every selected clause; HarnessError means no verdict (exit 2)."""
    started = time.perf_counter()
    clauses: Sequence[Clause] = request.selected_clauses()
    with OpenCheck(request) as check:
        report = Report(request, check.seed)
        for clause in clauses:
            result = check.run_clause(clause)
            report.results.append(result)
            if on_result is not None:
                on_result(result)
    report.seconds = time.perf_counter() - started
    return report
