"""Pytest plugin: ``pytest --connect-handler TARGET`` adds one test item per contract clause."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract_tests.backends import BACKENDS, Backend, BackendOptions, make_backend
from contract_tests.clauses import Clause, Status
from contract_tests.contracts import CONTRACTS, DEFAULT_CONTRACT, contract_named
from contract_tests.errors import HarnessError
from contract_tests.lambda_runtime import LambdaContext
from contract_tests.report import failure_details
from contract_tests.runner import CheckRequest, OpenCheck, Report
from contract_tests.runtimes import RUNTIMES

_OPEN_CHECK = pytest.StashKey[OpenCheck | None]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("connect-contract", "contract gate for WebSocket $connect handlers")
    group.addoption("--connect-handler", metavar="TARGET", help="check this handler against the contract")
    group.addoption(
        "--connect-contract",
        default=DEFAULT_CONTRACT,
        choices=list(CONTRACTS),
        help=f"the contract version (default: {DEFAULT_CONTRACT})",
    )
    group.addoption("--connect-code-dir", metavar="DIR", help="the handler's code directory (Lambda's task root)")
    group.addoption(
        "--connect-backend", default="moto", choices=sorted(BACKENDS), help="DynamoDB backend (default: moto)"
    )
    group.addoption("--connect-endpoint", metavar="URL", help="reuse a running DynamoDB endpoint")
    group.addoption("--connect-examples", type=int, default=100, metavar="N", help="examples per property clause")
    group.addoption("--connect-seed", type=int, metavar="N", help="hypothesis seed for the contract clauses")
    group.addoption(
        "--connect-runtime",
        choices=sorted(RUNTIMES),
        help="where the handler runs (default: its own process, from the target's language)",
    )
    group.addoption("--connect-interpreter", metavar="PATH", help="the python or node program that runs the handler")


def _request(config: pytest.Config) -> CheckRequest:
    return CheckRequest(
        handler=config.getoption("connect_handler"),
        contract=config.getoption("connect_contract"),
        code_dir=config.getoption("connect_code_dir"),
        backend=config.getoption("connect_backend"),
        endpoint=config.getoption("connect_endpoint"),
        examples=config.getoption("connect_examples"),
        seed=config.getoption("connect_seed"),
        runtime=config.getoption("connect_runtime"),
        interpreter=config.getoption("connect_interpreter"),
    )


class ContractClauseItem(pytest.Item):
    """One clause of the contract, run against the handler named by ``--connect-handler``."""

    def __init__(self, *, clause: Clause, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clause = clause
        self.add_marker("connect_contract")

    def _open_check(self) -> OpenCheck:
        stash = self.config.stash
        check = stash.get(_OPEN_CHECK, None)
        if check is None:
            check = OpenCheck(_request(self.config)).__enter__()
            stash[_OPEN_CHECK] = check
        return check

    def runtest(self) -> None:
        check = self._open_check()
        result = check.run_clause(self.clause)
        if result.status is Status.FAILED:
            report = Report(check.request, check.seed, [result])
            raise ClauseFailed(failure_details(report, result))
        if result.status is Status.NOT_CHECKED:
            pytest.skip(result.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ClauseFailed | HarnessError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[str, int, str]:
        return "connect-contract", self.clause.number, f"clause {self.clause.number} {self.clause.id}"


class ClauseFailed(AssertionError):
    """A clause's failure, carrying the report's full description."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "connect_contract: a clause of the $connect contract (added by the plugin)")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("connect_handler"):
        return
    items.extend(
        ContractClauseItem.from_parent(session, name=f"connect-contract[{clause.number}-{clause.id}]", clause=clause)
        for clause in contract_named(config.getoption("connect_contract")).clauses
    )


def _close_check(config: pytest.Config) -> None:
    check = config.stash.get(_OPEN_CHECK, None)
    if check is not None:
        config.stash[_OPEN_CHECK] = None
        check.__exit__(None, None, None)


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After the last clause in a row, stop the backend and give other tests their environment back."""
    if isinstance(item, ContractClauseItem) and not isinstance(nextitem, ContractClauseItem):
        _close_check(item.config)


def pytest_unconfigure(config: pytest.Config) -> None:
    _close_check(config)


@pytest.fixture(scope="session")
def connect_contract_backend(pytestconfig: pytest.Config) -> Iterator[Backend]:
    """The ``--connect-backend`` backend, started once per test session (LocalStack included) and stopped at its end."""
    options = BackendOptions(endpoint=pytestconfig.getoption("connect_endpoint"))
    with make_backend(pytestconfig.getoption("connect_backend"), options) as backend:
        yield backend


@pytest.fixture
def lambda_context() -> Iterator[LambdaContext]:
    """A Lambda context object, as the Python runtime passes it to a handler."""
    yield LambdaContext(region="us-east-1")
