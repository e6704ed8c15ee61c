"""Verdicts say what the handler did, no more: init errors and deleted tables are exit 1; partial runs claim little."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contract_tests.backends import table as table_module
from contract_tests.errors import BackendError
from contract_tests.tests.conftest import HANDLERS

CORRECT = f"{HANDLERS / 'correct_or_empty_idiom.py'}:handler"


def test_an_init_error_is_a_verdict_on_the_first_clause(run_cli: Any) -> None:
    path = HANDLERS / "wrong" / "init_reads_wrong_variable.py"
    result = run_cli("check", "--handler", f"{path}:handler", "--examples", "5")
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == ["response"]
    assert f"every connect fails): KeyError: 'TABLE_NAME' at {path}:8" in result.out
    assert "Runtime.ImportModuleError" not in result.out  # Lambda names an exception at init by its class
    assert result.out.count("[not checked]") == 7
    assert "handler violates contract v1" in result.out and result.err == ""


def test_a_syntax_error_is_an_init_error_naming_its_line(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "typo.py").write_text("def handler(event, context):\n    return {'statusCode': 200,, }\n")
    result = run_cli("check", "--handler", f"{tmp_path}/typo.py:handler", "--examples", "5", "--clause", "item")
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == ["item"]
    assert f"SyntaxError: invalid syntax at {tmp_path}/typo.py:2" in result.out


def test_a_handler_that_deletes_its_table_is_a_verdict_not_a_harness_error(run_cli: Any) -> None:
    handler = f"{HANDLERS / 'wrong' / 'calls_delete_table.py'}:handler"
    result = run_cli("check", "--handler", handler, "--examples", "5", "--clause", "item", "--clause", "aws-calls")
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == ["item", "aws-calls"]
    assert "the handler's table was deleted during the connect" in result.out
    assert "dynamodb:DeleteTable" in result.out
    assert result.err == ""


def test_a_cleanup_error_never_replaces_the_verdict(run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(client: Any, name: str) -> None:
        raise BackendError(f"could not delete table {name!r}: access denied")

    monkeypatch.setattr("contract_tests.session.connect.delete_table", refuse)
    result = run_cli("check", "--handler", CORRECT, "--examples", "5", "--clause", "response")
    assert result.status == 0, result.out + result.err
    assert "warning: could not delete table" in result.out and "delete it yourself" in result.out
    assert table_module.delete_table is not refuse


def test_a_partial_run_claims_only_the_clauses_it_ran(run_cli: Any) -> None:
    result = run_cli("check", "--handler", CORRECT, "--examples", "5", "--clause", "item")
    assert result.status == 0
    assert "conforms" not in result.out
    assert "handler passes the 1 of 8 clauses checked (no verdict on the whole contract)" in result.out
    assert "contract: 1 of 8 clauses checked: 1 passed, 0 failed" in result.out


def test_a_refusal_clause_passed_by_refusing_everything_says_so(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "no.py").write_text("def handler(event, context):\n    return {'statusCode': 503, 'body': 'closed'}\n")
    result = run_cli(
        "check", "--handler", f"{tmp_path}/no.py:handler", "--examples", "5", "--clause", "storage-failure"
    )
    assert result.status == 0
    assert "passed only by refusing: the handler refuses a valid connect too" in result.out


def test_writes_the_backend_rejected_are_noted_not_judged(run_cli: Any) -> None:
    result = run_cli("check", "--handler", CORRECT, "--examples", "10", "--clause", "malformed-events")
    assert result.status == 0, result.out
    assert "writes rejected by DynamoDB stored nothing (e.g. PutItem ValidationException)" in result.out


def test_a_refusal_with_an_unreadable_body_is_explained(run_cli: Any) -> None:
    handler = f"{HANDLERS / 'wrong' / 'malformed_refuses_with_object_body.py'}:handler"
    result = run_cli("check", "--handler", handler, "--examples", "5", "--clause", "malformed-events")
    assert result.status == 1
    assert "did not refuse the connection: it answered statusCode 400, but not as a proxy response" in result.out
    assert 'body: {"error": "no connectionId"} is not of type "string"' in result.out


def test_a_check_writes_nothing_into_the_working_directory(tmp_path: Path) -> None:
    """A new process, as a user runs it: hypothesis's caches go to the state directory, not the cwd."""
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    argv = [sys.executable, "-m", "contract_tests", "check", "--handler", CORRECT, "--examples", "5"]
    environment = {**os.environ, "CONNECT_CONTRACT_HOME": str(home)}
    done = subprocess.run(
        [*argv, "--clause", "query-strings"], cwd=work, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert os.listdir(work) == []
    assert (home / "hypothesis").is_dir()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() if path.is_file() else b"/" for path in folder.rglob("*")}


def test_a_users_project_is_left_as_it_was_by_checks_a_fix_replayed_and_docs(tmp_path: Path) -> None:
    """The handler in the working directory, as a user's project holds it: a passing check, a failing one, the
    fix replayed and ``docs --check`` leave it byte for byte as it was (no bytecode, no emptied folder)."""
    work, home = tmp_path / "project", tmp_path / "home"
    work.mkdir()
    correct = (HANDLERS / "correct_or_empty_idiom.py").read_bytes()
    (work / "app.py").write_bytes(correct)
    before = _snapshot(work)
    environment = {**os.environ, "CONNECT_CONTRACT_HOME": str(home)}

    def gate(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "contract_tests", *argv], cwd=work, env=environment, capture_output=True, text=True
        )

    check = ["check", "--handler", "app.handler", "--clause", "item", "--examples", "5"]
    assert gate(*check).returncode == 0
    assert _snapshot(work) == before
    (work / "app.py").write_bytes((HANDLERS / "wrong" / "item_created_seconds.py").read_bytes())
    assert gate(*check).returncode == 1
    assert any(name.startswith(".connect-contract") for name in _snapshot(work))  # the case a user re-runs
    (work / "app.py").write_bytes(correct)
    replayed = gate("replay", "--handler", "app.handler")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert _snapshot(work) == before
    assert gate("docs", "--check").returncode == 2
    assert _snapshot(work) == before


def test_a_time_in_the_wrong_unit_is_named_in_words() -> None:
    from contract_tests.clauses.checks import unit_mistake
    from contract_tests.oracle import Window

    created = Window(1_796_000_000_100, 1_796_000_000_200, "epoch ms")
    expires = Window(1_796_007_200, 1_796_007_201, "epoch s, TTL 7200 s")
    assert str(unit_mistake("createdAt", {"N": "1796000000"}, created)).startswith(
        "createdAt is epoch seconds (1796000000); the contract wants epoch milliseconds"
    )
    assert str(unit_mistake("expiresAt", {"N": "1796007200150"}, expires)).startswith(
        "expiresAt is epoch milliseconds (1796007200150); DynamoDB's TTL reads epoch seconds"
    )
    assert "createdAt has a fraction (1796000000150.5)" in str(
        unit_mistake("createdAt", {"N": "1796000000150.5"}, created)
    )
    for right_or_unrelated in ({"N": "1796000000150"}, {"N": "42"}, {"S": "1796000000"}, None, {"N": "NaN"}):
        assert unit_mistake("createdAt", right_or_unrelated, created) is None


def test_created_at_in_seconds_is_reported_as_seconds(run_cli: Any) -> None:
    handler = f"{HANDLERS / 'wrong' / 'item_created_seconds.py'}:handler"
    result = run_cli("check", "--handler", handler, "--runtime", "inprocess", "--examples", "5", "--clause", "item")
    assert result.status == 1
    assert "createdAt is epoch seconds (" in result.out and "the contract wants epoch milliseconds" in result.out


@pytest.mark.parametrize(
    ("wanted", "stored", "event", "said"),
    [
        (None, {"NULL": True}, {}, "account is stored as null; the contract wants no account at all"),
        ({"S": "x"}, None, {}, 'account is missing (the contract wants "x")'),
        (
            {"S": "123456789012"},
            {"N": "123456789012"},
            {},
            "account is stored as a Number; the contract wants a String",
        ),
        ({"S": "Agent-7"}, {"S": "agent-7"}, {}, 'account is "agent-7", the contract\'s "Agent-7" in another case'),
        ({"S": " a  b "}, {"S": "a b"}, {}, "with its whitespace changed"),
        (
            {"S": "second"},
            {"S": "first"},
            {"multiValueQueryStringParameters": {"account": ["first", "second"]}},
            "an earlier value of the repeated parameter; API Gateway's single-value map holds the last",
        ),
        ({"S": "a"}, {"S": "b"}, {}, None),
    ],
    ids=["null", "missing", "type", "case", "whitespace", "other-map", "just-another-value"],
)
def test_a_differing_attribute_is_said_in_words(
    wanted: dict[str, Any] | None, stored: dict[str, Any] | None, event: dict[str, Any], said: str | None
) -> None:
    from contract_tests.clauses.checks import difference

    found = difference("account", wanted, stored, event)
    assert (found is None) if said is None else (found is not None and said in found), found
