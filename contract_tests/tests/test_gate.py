"""`connect-contract check` passes correct handlers and names the clause each wrong handler breaks."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests import strategies
from contract_tests.backends import BackendOptions, make_backend
from contract_tests.contracts.v1 import V1_CLAUSES
from contract_tests.runtimes import RuntimeOptions, make_runtime
from contract_tests.session import CheckSettings, ConnectSession
from contract_tests.targets import parse_target
from contract_tests.tests.conftest import (
    FIXTURES,
    HANDLERS,
    WRONG_HANDLERS,
    RunningBackend,
    caught_clause,
    clause_options,
    load_json,
    sampled_on_other_backends,
)

EXAMPLES = "25"
ALL_CLAUSES = [clause.id for clause in V1_CLAUSES]


@pytest.fixture
def new_york_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone is not UTC: a handler must still see Lambda's UTC."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    assert time.localtime().tm_gmtoff != 0
    yield
    monkeypatch.undo()
    time.tzset()


VARIANT = pytest.mark.handler_variant
#: Writes what the reference writes (the items, the calls), in another style: judged on moto alone.
STYLE = pytest.mark.style_variant


@pytest.mark.parametrize(
    ("argv", "variant"),
    [
        pytest.param(["--handler", "reference_impl.handler:lambda_handler"], None, id="reference"),
        pytest.param(
            ["--handler", f"{HANDLERS / 'correct_client_api.py'}:handler"], None, id="client-api", marks=STYLE
        ),
        pytest.param(
            ["--handler", "app.handler", "--code-dir", str(HANDLERS / "lambda_style")],
            None,
            id="lambda-notation",
            marks=STYLE,
        ),
        # ``variant``: beyond ``item``, the clauses reading what its own calls store: all it is judged on off moto
        pytest.param(
            ["--handler", f"{HANDLERS / 'correct_decimal_created_at.py'}:handler"],
            (),
            id="decimal-created-at",
            marks=VARIANT,
        ),
        pytest.param(
            ["--handler", f"{HANDLERS / 'correct_or_empty_idiom.py'}:handler"],
            ("query-strings",),
            id="or-empty",
            marks=VARIANT,
        ),
        pytest.param(
            ["--handler", f"{HANDLERS / 'correct_conditional_utcnow.py'}:handler"],
            ("isolation",),  # its condition, evaluated by the backend, meets repeated connects there
            id="utcnow",
            marks=VARIANT,
        ),
        pytest.param(
            ["--handler", f"{HANDLERS / 'correct_callable_class.py'}:handler"], None, id="callable-class", marks=STYLE
        ),
    ],
)
@pytest.mark.usefixtures("new_york_clock")
def test_correct_handlers_conform(
    run_cli: Any, backend: RunningBackend, argv: list[str], variant: tuple[str, ...] | None
) -> None:
    asked = backend.conforming_clauses("v1", variant)
    result = run_cli(
        "check",
        *argv,
        *clause_options(asked),
        *backend.cli_args,
        "--examples",
        backend.conforming_examples(int(EXAMPLES)),
    )
    assert result.status == 0, result.out + result.err
    assert result.passed_clauses == (asked or ALL_CLAUSES)
    if not asked:
        assert "handler conforms to contract v1" in result.out
        assert "contract: 8 of 8 clauses checked: 8 passed, 0 failed" in result.out


def test_every_clause_has_a_wrong_handler() -> None:
    assert {caught_clause(path) for path in WRONG_HANDLERS} == set(ALL_CLAUSES)


@pytest.mark.wrong_handler_matrix(sampled_on_other_backends(WRONG_HANDLERS))
@pytest.mark.parametrize("path", WRONG_HANDLERS, ids=lambda p: p.stem)
def test_wrong_handlers_are_caught_by_their_clause(run_cli: Any, backend: RunningBackend, path: Path) -> None:
    """Each wrong handler is checked on the clause it breaks; the whole contract runs in the test below."""
    clause = caught_clause(path)
    argv = ["--handler", f"{path}:handler", *backend.cli_args, "--examples", EXAMPLES, "--clause", clause]
    result = run_cli("check", *argv)
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == [clause], result.out
    assert f"clause {ALL_CLAUSES.index(clause) + 1} {clause}:" in result.out
    assert "minimal counterexample:" in result.out
    assert "--seed " in result.out and f"--clause {clause}" in result.out
    assert "handler violates contract v1" in result.out


@pytest.mark.parametrize("name", ["query_strips_whitespace", "calls_delete_table"])
def test_a_whole_contract_run_names_the_clause_and_judges_the_rest(run_cli: Any, name: str) -> None:
    path = HANDLERS / "wrong" / f"{name}.py"
    # in process: what is tested is the report of a whole check; out of process, each wrong handler's clause
    argv = ["--handler", f"{path}:handler", "--runtime", "inprocess", "--examples", "15", "--seed", "4"]
    result = run_cli("check", *argv)
    assert result.status == 1, result.out + result.err
    assert caught_clause(path) in result.failed_clauses
    assert len(result.failed_clauses) + len(result.passed_clauses) == len(ALL_CLAUSES)
    assert result.err == ""


def test_a_failure_reproduces_from_the_printed_command(run_cli: Any) -> None:
    handler = str(HANDLERS / "wrong" / "query_strips_whitespace.py") + ":handler"
    argv = ["check", "--handler", handler, "--examples", "20", "--clause", "query-strings"]
    first = run_cli(*argv, "--seed", "7")
    again = run_cli(*argv, "--seed", "7")
    assert first.status == again.status == 1

    def counterexample(out: str) -> str:
        return out.split("minimal counterexample:", 1)[1].split("expected:", 1)[0]

    assert counterexample(first.out) == counterexample(again.out)
    assert (
        first.out.split("minimal counterexample:")[0].split("FAILURES")[1]
        == again.out.split("minimal counterexample:")[0].split("FAILURES")[1]
    )


def test_junit_report(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "contract.xml"
    handler = str(HANDLERS / "wrong" / "storage_swallows_errors.py") + ":handler"
    argv = ["--handler", handler, "--runtime", "inprocess", "--examples", "10", "--seed", "3", "--junit", str(path)]
    result = run_cli("check", *argv)
    assert result.status == 1
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == [f"{c.number:02d}-{c.id}" for c in V1_CLAUSES]
    failure = cases["05-storage-failure"].find("failure")
    assert failure is not None and "never answers" not in (failure.get("message") or "")
    assert "did not refuse the connection" in (failure.get("message") or "")
    assert "--seed 3" in (failure.text or "")
    assert int(suite.get("failures") or 0) == len(result.failed_clauses)


def test_run_table_matches_the_table_fixture() -> None:
    definition = load_json(FIXTURES / "tables" / "connections.json")
    target = parse_target("reference_impl.handler:lambda_handler")
    with make_backend("moto", BackendOptions()) as backend:
        session = ConnectSession(make_runtime("inprocess", target, RuntimeOptions()), backend, CheckSettings())
        with session.opened():
            table = backend.client().describe_table(TableName=session.table)["Table"]
    assert table["KeySchema"] == definition["KeySchema"]
    assert table["AttributeDefinitions"] == definition["AttributeDefinitions"]
    assert table["BillingModeSummary"]["BillingMode"] == definition["BillingMode"]


def test_the_handler_writes_to_each_runs_own_table(tmp_path: Path) -> None:
    """The table the handler is told about is the one created for the run, and each run gets another."""
    (tmp_path / "seen.py").write_text(
        "import os\nTABLES = []\ndef handler(event, context):\n    TABLES.append(os.environ['CONNECTIONS_TABLE'])\n"
        "    return {'statusCode': 200, 'body': 'connected', 'tables': TABLES}\n"
    )
    target = parse_target(f"{tmp_path}/seen.py:handler")
    seen: list[str] = []
    with make_backend("moto", BackendOptions()) as backend:
        for _ in range(2):
            session = ConnectSession(make_runtime("inprocess", target, RuntimeOptions()), backend, CheckSettings())
            with session.opened():
                observation = session.connect(strategies.no_query_cases()[0])
                assert observation.invocation.response["tables"] == [session.table]
                assert session.table in backend.client().list_tables()["TableNames"]
            seen.append(session.table)
            assert session.table not in backend.client().list_tables()["TableNames"]
    assert len(set(seen)) == 2
