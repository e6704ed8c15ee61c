"""Pytest plugin: ``pytest --connect-handler TARGET`` (or ``--connect-template PATH``) adds one test item per
contract clause.

Installed with the package, so it loads in every pytest run of the environment: it imports nothing
heavy (no boto3, moto or jsonschema) and changes no global state until ``--connect-handler`` (or
``--connect-template``) is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contract_tests.errors import HarnessError
from contract_tests.failure_cases import DEFAULT_DIRECTORY as DEFAULT_FAILURES
from contract_tests.failure_cases import cases_of, save
from contract_tests.lambda_runtime import LambdaContext
from contract_tests.options import CHECK_OPTIONS, WHOLE_CHECK_ONLY, add_check_options, request_values
from contract_tests.request import CheckRequest

if TYPE_CHECKING:
    from contract_tests.backends import Backend
    from contract_tests.contracts.clause import Clause
    from contract_tests.engine import Run

PREFIX = "connect-"
_OPEN_RUN = pytest.StashKey["Run | HarnessError | None"]()
#: What the closed check warned of (a stand-in Python, a table left behind), for the terminal summary.
_WARNINGS = pytest.StashKey[list[str]]()


#: Every check option but those about running a whole check: here each clause is a test.
PLUGIN_OPTIONS = tuple(option.name for option in CHECK_OPTIONS if option.name not in WHOLE_CHECK_ONLY)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("connect-contract", "contract gate for WebSocket $connect handlers")
    add_check_options(group.addoption, PREFIX, handler_required=False, names=PLUGIN_OPTIONS)
    group.addoption(
        "--connect-failures-dir",
        default=str(DEFAULT_FAILURES),
        metavar="DIR",
        help=f"where failing clauses save their cases for `connect-contract replay` (default: {DEFAULT_FAILURES})",
    )


def _request(config: pytest.Config) -> CheckRequest:
    values = request_values(lambda field: config.getoption(f"{PREFIX.replace('-', '_')}{field}"), PLUGIN_OPTIONS)
    return CheckRequest(**values)


class ContractClauseItem(pytest.Item):
    """One clause of the contract, run against the handler named by ``--connect-handler``."""

    def __init__(self, *, clause: Clause, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clause = clause
        self.add_marker("connect_contract")

    def _open_run(self) -> Run:
        """The check shared by every clause item; a check that could not start fails the first item only."""
        from contract_tests.engine import open_run

        stash = self.config.stash
        run = stash.get(_OPEN_RUN, None)
        if isinstance(run, HarnessError):
            pytest.skip(f"not run: the check could not start ({run})")
        if run is None:
            try:
                run = open_run(_request(self.config)).__enter__()
            except HarnessError as error:
                stash[_OPEN_RUN] = error
                raise
            stash[_OPEN_RUN] = run
        return run

    def runtest(self) -> None:
        from contract_tests.report import failure_details
        from contract_tests.results import Report, Status

        run = self._open_run()
        result = run.run_clause(self.clause)
        if result.status is Status.FAILED:
            report = Report(
                run.request,
                run.seed,
                [result],
                containment=run.runtime.containment,
                contract=run.contract,
                runtime=run.plan.runtime,
            )
            saved = save(cases_of(report), Path(self.config.getoption("connect_failures_dir")))
            replay = f"\n  saved for replay: {saved[0]}" if saved else ""
            raise ClauseFailed(failure_details(report, result) + replay)
        if result.status is Status.NOT_CHECKED:
            pytest.skip(result.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ClauseFailed | HarnessError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[str, int, str]:
        return "connect-contract", self.clause.number, f"clause {self.clause.number} {self.clause.id}"


class ContractClauses(pytest.Collector):
    """The clauses of the ``--connect-contract`` version, collected as ``connect-contract[v1]::1-response``."""

    def __init__(self, *, clauses: list[Clause], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clauses = clauses

    def collect(self) -> list[pytest.Item]:
        return [ContractClauseItem.from_parent(self, name=f"{c.number}-{c.id}", clause=c) for c in self.clauses]


class ClauseFailed(AssertionError):
    """A clause's failure, carrying the report's full description."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "connect_contract: a clause of the $connect contract (added by the plugin)")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not (config.getoption("connect_handler") or config.getoption("connect_template")):
        return
    request = _request(config)
    try:
        from contract_tests.contracts import contract_named

        clauses = contract_named(request.contract).select(request.clauses)
    except HarnessError as error:
        raise pytest.UsageError(str(error)) from None
    # Collected through the session, so they are counted and reported like any other test.
    name = f"connect-contract[{request.contract}]"
    collector = ContractClauses.from_parent(session, name=name, nodeid=name, clauses=clauses)
    items.extend(session.genitems(collector))


def _close_check(config: pytest.Config) -> None:
    run = config.stash.get(_OPEN_RUN, None)
    config.stash[_OPEN_RUN] = None
    if run is not None and not isinstance(run, HarnessError):
        run.__exit__(None, None, None)
        config.stash[_WARNINGS] = list(run.warnings)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    warnings = config.stash.get(_WARNINGS, [])
    if warnings:
        terminalreporter.write_sep("=", "connect-contract warnings", yellow=True)
        for warning in warnings:
            terminalreporter.write_line(f"warning: {warning}")


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After the last clause in a row, stop the backend and give other tests their environment back."""
    if isinstance(item, ContractClauseItem) and not isinstance(nextitem, ContractClauseItem):
        _close_check(item.config)


def pytest_unconfigure(config: pytest.Config) -> None:
    _close_check(config)


@pytest.fixture(scope="session")
def connect_contract_backend(pytestconfig: pytest.Config) -> Iterator[Backend]:
    """The ``--connect-backend`` backend, started once per test session (LocalStack included) and stopped at its end."""
    from contract_tests.backends import BackendOptions, make_backend

    options = BackendOptions(
        region=pytestconfig.getoption("connect_region"),
        endpoint=pytestconfig.getoption("connect_endpoint"),
        create_real_table=pytestconfig.getoption("connect_create_real_table"),
    )
    with make_backend(pytestconfig.getoption("connect_backend"), options) as backend:
        yield backend


@pytest.fixture
def lambda_context() -> Iterator[LambdaContext]:
    """A Lambda context object, as the Python runtime passes it to a handler."""
    yield LambdaContext(region="us-east-1")
