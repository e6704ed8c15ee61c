"""Bad input gets exit 2 and one precise line on stderr, never a traceback or a verdict."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import Any

import pytest

from contract_tests.tests.conftest import FIXTURES


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--handler", "no_such_package.handler:run"], "no module named 'no_such_package'"),
        (["--handler", "missing/file.py:handler"], "no such file"),
        (
            ["--handler", "reference_impl.handler:no_such_function"],
            "has no function 'no_such_function' (its functions: authorized_client, build_item, invalid_parameter,"
            " lambda_handler, lambda_handler_v2, lambda_handler_v3, lambda_handler_v4, lambda_handler_v5, typed)",
        ),
        (
            ["--handler", "reference_impl.handler:no_such_function", "--runtime", "inprocess"],
            "has no function 'no_such_function' (its functions: authorized_client, build_item,",
        ),
        (["--handler", "justaname"], "expected MODULE:FUNCTION"),
        (["--handler", "app.handler", "--code-dir", "/no/such/dir"], "is not a directory"),
    ],
    ids=["module", "file", "function", "function-in-process", "notation", "code-dir"],
)
def test_target_errors_exit_2(run_cli: Any, argv: list[str], message: str) -> None:
    result = run_cli("check", *argv, "--examples", "5")
    assert result.status == 2
    assert message in result.err
    assert result.err.startswith("connect-contract: error: ")
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err + result.out
    assert "[pass]" not in result.out and "[FAIL]" not in result.out


@pytest.mark.parametrize(
    "argv",
    [
        ["--examples", "0"],
        ["--examples", "many"],
        ["--seed", "x"],
        ["--backend", "dynamo"],
        ["--clause", "nope"],
    ],
)
def test_usage_errors_exit_2(run_cli: Any, argv: list[str]) -> None:
    """One line: what was wrong and where the options are explained, not argparse's usage block above it."""
    result = run_cli("check", "--handler", "reference_impl.handler:lambda_handler", *argv)
    assert result.status == 2
    assert result.err.count("\n") == 1 and result.err.startswith("connect-contract"), result.err
    assert "error:" in result.err and argv[0].lstrip("-") in result.err


def test_a_missing_command_or_action_is_one_line_too(run_cli: Any) -> None:
    for argv in ([], ["localstack"], ["token", "mint"]):
        result = run_cli(*argv)
        assert result.status == 2 and result.err.count("\n") == 1, result.err
        assert "arguments are required" in result.err and result.err.startswith("connect-contract")
        assert result.err.endswith(f" (see connect-contract{''.join(' ' + word for word in argv)} --help)\n")


REFERENCE = "reference_impl.handler:lambda_handler"
QUICK = ["--runtime", "inprocess", "--clause", "response", "--examples", "1"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "--handler", REFERENCE, *QUICK, "--junit", "{file}/report.xml"], "--junit {file}/report.xml: "),
        (["check", "--handler", REFERENCE, *QUICK, "--output", "{folder}"], "--output {folder}: a folder; give the"),
        (["check", "--handler", REFERENCE, *QUICK, "--example-db", "{file}/examples"], "--example-db {file}/exam"),
        (["merge", "{folder}/shard.json", "--output", "{file}/merged.json"], "--output {file}/merged.json: "),
        (["docs", "--out", "{file}/pages"], "--out {file}/pages: cannot make the folder"),
        (
            ["replay", "--handler", REFERENCE, "{folder}", "--emit-pytest", "{folder}"],
            "--emit-pytest {folder}: a folder",
        ),
    ],
    ids=["junit", "output", "example-db", "merge-output", "docs-out", "emit-pytest"],
)
def test_a_place_that_cannot_be_written_is_one_line_before_anything_runs(
    run_cli: Any, tmp_path: Any, argv: list[str], message: str
) -> None:
    """A file where a folder must be, a folder where a file must be: said before a check is spent on it."""
    (tmp_path / "file").write_text("a file where a folder is needed")
    places = {"file": str(tmp_path / "file"), "folder": str(tmp_path)}
    result = run_cli(*(word.format(**places) for word in argv))
    assert result.status == 2, result.out + result.err
    assert result.err.startswith("connect-contract: error: " + message.format(**places)), result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "[pass]" not in result.out + result.err


def test_reports_are_written_into_folders_made_for_them_and_a_failed_write_is_one_line(
    run_cli: Any, tmp_path: Any
) -> None:
    junit, output = tmp_path / "reports" / "junit" / "contract.xml", tmp_path / "json" / "report.json"
    result = run_cli("check", "--handler", REFERENCE, *QUICK, "--junit", str(junit), "--output", str(output))
    assert result.status == 0, result.out + result.err
    assert junit.is_file() and output.is_file()
    # /proc takes no new file, though it may look writable: the check runs, then the write fails
    result = run_cli("check", "--handler", REFERENCE, *QUICK, "--output", "/proc/connect-contract.json")
    assert result.status == 2, result.out + result.err
    assert result.err.startswith("connect-contract: error: --output /proc/connect-contract.json: ")
    assert "Traceback" not in result.err


def test_clauses_lists_the_contract(run_cli: Any) -> None:
    result = run_cli("clauses")
    assert result.status == 0
    assert len(result.out.strip().splitlines()) == 8


def test_a_hanging_handler_is_a_violation_not_a_hang(run_cli: Any, tmp_path: Any) -> None:
    (tmp_path / "hangs.py").write_text("import time\ndef handler(event, context):\n    time.sleep(30)\n")
    result = run_cli("check", "--handler", f"{tmp_path}/hangs.py:handler", "--clause", "response", "--timeout", "0.3")
    assert result.status == 1
    assert "Task timed out after 0.30 seconds" in result.out
    assert "--timeout 0.3" in result.out


def test_timeout_must_be_positive(run_cli: Any) -> None:
    result = run_cli("check", "--handler", "reference_impl.handler:lambda_handler", "--timeout", "0")
    assert result.status == 2


def test_validate_reports_each_file(run_cli: Any) -> None:
    good = FIXTURES / "events" / "no-query-string.json"
    bad = FIXTURES / "events" / "malformed" / "connection-id-number.json"
    result = run_cli("validate", "--schema", "connect-event", str(good), str(bad))
    assert result.status == 1
    assert f"{good}: valid against connect-event" in result.out
    assert f"{bad}: INVALID against connect-event" in result.out
    assert "requestContext/connectionId" in result.out
    assert run_cli("validate", "--schema", "v1/item", str(FIXTURES / "expected" / "empty-values.item.json")).status == 0


def test_validate_unreadable_file_is_exit_2_and_the_others_are_still_judged(run_cli: Any, tmp_path: Any) -> None:
    broken = tmp_path / "event.json"
    broken.write_text("{not json")
    good = FIXTURES / "events" / "no-query-string.json"
    bad = FIXTURES / "events" / "malformed" / "connection-id-number.json"
    result = run_cli("validate", "--schema", "connect-event", str(broken), str(good), str(bad))
    assert result.status == 2
    assert result.err.count("cannot read it as JSON") == 1 and "Traceback" not in result.err
    assert f"{good}: valid" in result.out and f"{bad}: INVALID" in result.out


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ({"statusCode": "200", "body": "connected"}, 'statusCode: "200" is not of type "integer" (closest: refused)'),
        ({"statusCode": 200}, '<root>: "body" is missing (closest: accepted)'),
        ({"statusCode": 200, "body": None}, 'body: null is not "connected" (closest: accepted)'),
        ({"statusCode": 403, "body": 7}, 'body: 7 is not of type "string" (closest: refused)'),
    ],
)
def test_validate_names_the_field_and_the_closest_branch(
    run_cli: Any, tmp_path: Any, response: dict[str, Any], message: str
) -> None:
    path = tmp_path / "response.json"
    path.write_text(json.dumps(response))
    result = run_cli("validate", "--schema", "v1/response", str(path))
    assert result.status == 1
    assert result.out.splitlines()[1:] == [f"  {message}"]


def test_a_reader_that_goes_away_gets_no_traceback() -> None:
    """``connect-contract diff v1 v3 | head -1``: the pipe closes early, the command ends quietly (141)."""
    read, write = os.pipe()
    os.close(read)
    code = "import sys; from contract_tests.cli import main; sys.exit(main(['diff', 'v1', 'v3']))"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], stdout=write, stderr=subprocess.PIPE, text=True, check=False
        )
    finally:
        os.close(write)
    assert done.returncode == 128 + signal.SIGPIPE
    assert done.stderr == ""
