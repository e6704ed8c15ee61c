"""``--table-variable``: a handler that names its table by a variable of its own is checked unmodified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract_tests.tests.conftest import HANDLERS

OWN_VARIABLE = f"{HANDLERS / 'correct_table_name_variable.py'}:handler"
FALLS_BACK = f"{HANDLERS / 'wrong' / 'table_variable_falls_back.py'}:handler"
FAST = ["--runtime", "inprocess", "--examples", "10", "--seed", "3"]


def test_a_handler_reading_its_own_variable_conforms_when_told_which(run_cli: Any, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    argv = ["--table-variable", "TABLE_NAME", *FAST, "--format", "json", "--output", str(report)]
    told = run_cli("check", "--handler", OWN_VARIABLE, *argv)
    assert told.status == 0, told.out + told.err
    assert json.loads(report.read_text())["request"]["table_variables"] == ["TABLE_NAME"]
    untold = run_cli("check", "--handler", OWN_VARIABLE, *FAST, "--clause", "response")
    assert untold.status == 1 and "KeyError: 'TABLE_NAME'" in untold.out


def test_every_table_variable_is_unset_where_the_clause_unsets_the_table(run_cli: Any) -> None:
    argv = ["--handler", FALLS_BACK, "--table-variable", "TABLE_NAME", *FAST]
    assert run_cli("check", *argv, "--clause", "response").status == 0
    unset = run_cli("check", *argv, "--clause", "table-unset")
    assert unset.status == 1
    assert "TABLE_NAME is unset, but the handler tried to write to a table it named itself" in unset.out
    assert "--table-variable TABLE_NAME" in unset.out  # the reproduce command keeps it


def test_several_table_variables_all_name_the_run_table(run_cli: Any) -> None:
    argv = ["--handler", OWN_VARIABLE, "--table-variable", "TABLE_NAME", "--table-variable", "CONNECTIONS_TABLE"]
    result = run_cli("check", *argv, *FAST, "--clause", "storage-failure", "--clause", "table-unset")
    assert result.status == 0, result.out + result.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--table-variable", "TABLE_NAME", "--env", "TABLE_NAME=mine"], "--env TABLE_NAME: the gate's"),
        (["--table-variable", "AWS_REGION"], "AWS_REGION is reserved by Lambda"),
        (["--table-variable", "not a name"], "'not a name' is not a variable name"),
    ],
)
def test_a_table_variable_the_gate_cannot_own_is_refused(run_cli: Any, argv: list[str], message: str) -> None:
    result = run_cli("check", "--handler", OWN_VARIABLE, *argv, *FAST)
    assert result.status == 2
    assert message in result.err and "Traceback" not in result.err


def test_a_saved_case_keeps_its_table_variables_and_replays_with_them(run_cli: Any, failures_dir: Path) -> None:
    argv = ["--handler", FALLS_BACK, "--table-variable", "TABLE_NAME", *FAST, "--clause", "table-unset"]
    assert run_cli("check", *argv).status == 1
    (saved,) = failures_dir.iterdir()
    assert json.loads(saved.read_text())["table_variables"] == ["TABLE_NAME"]
    still = run_cli("replay", "--handler", FALLS_BACK, "--runtime", "inprocess")
    assert still.status == 1 and "TABLE_NAME is unset" in still.out, still.out + still.err
    fixed = run_cli("replay", "--handler", OWN_VARIABLE, "--runtime", "inprocess")
    assert fixed.status == 0, fixed.out + fixed.err


def test_runs_under_other_options_keep_their_own_cases(run_cli: Any, failures_dir: Path) -> None:
    wrong = f"{HANDLERS / 'wrong' / 'response_body_capitalised.py'}:handler"
    for feature in ("on", "off"):
        argv = ["--handler", wrong, *FAST, "--clause", "response", "--env", f"FEATURE={feature}"]
        assert run_cli("check", *argv).status == 1
    saved = sorted(failures_dir.iterdir())
    assert len(saved) == 2
    assert {json.loads(path.read_text())["environment"]["FEATURE"] for path in saved} == {"on", "off"}
