"""Saved failures and replay: a failing check saves its minimal counterexamples; replay re-runs exactly
those, exit 1 while any still fails and 0 once all are fixed; the cases also become a pytest module."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contract_tests.tests.conftest import HANDLERS, caught_clause

FAILURES = Path(".connect-contract") / "failures"
REFERENCE = {"v1": "lambda_handler", "v2": "lambda_handler_v2", "v3": "lambda_handler_v3"}


def _gate(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contract_tests", *argv], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_a_failure_is_saved_replayed_fixed_and_emitted_as_pytest(tmp_path: Path) -> None:
    shutil.copy(HANDLERS / "wrong" / "query_strips_whitespace.py", tmp_path / "connect.py")
    fast = ["--handler", "connect.py:handler", "--runtime", "inprocess"]
    checked = _gate(tmp_path, "check", *fast, "--clause", "query-strings", "--examples", "10")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    (saved,) = (tmp_path / FAILURES).iterdir()
    case = json.loads(saved.read_text())
    assert (case["contract"], case["clause"], case["format"]) == ("v1", "query-strings", 1)
    assert "stored item differs" in case["message"] and case["seed"] is not None
    assert "connect-contract replay --handler connect.py:handler" in checked.stdout

    still = _gate(tmp_path, "replay", *fast)
    assert still.returncode == 1 and "[FAIL]  v1 query-strings: stored item differs" in still.stdout
    assert _gate(tmp_path, "replay", *fast, "--emit-pytest", "test_saved.py").returncode == 0
    pytest_run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_saved.py"]
    assert subprocess.run(pytest_run, cwd=tmp_path, capture_output=True, check=False).returncode == 1

    fixed = (HANDLERS.parent.parent / "reference_impl" / "handler.py").read_text()
    (tmp_path / "connect.py").write_text(fixed.replace("def lambda_handler(", "def handler("))
    assert subprocess.run(pytest_run, cwd=tmp_path, capture_output=True, check=False).returncode == 0
    replayed = _gate(tmp_path, "replay", *fast)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "[fixed] v1 query-strings" in replayed.stdout
    assert not (tmp_path / FAILURES).exists()  # emptied, the folder the gate made is gone too
    assert not (tmp_path / ".connect-contract").exists()  # and the folder the gate made above it


@pytest.mark.parametrize(
    "wrong",
    [
        "response_status_string.py",
        "item_extra_attribute.py",
        "malformed_defaults_connection_id.py",
        "storage_swallows_errors.py",
        "table_guessed_name.py",
        "calls_describe_table.py",
        "isolation_leaks_parameters.py",
        "init_reads_wrong_variable.py",
        "v2/ttl_ignores_setting.py",
        "v3/validation_logs_whole_value.py",
        "v3/types_coerced_with_str.py",
    ],
)
def test_every_kind_of_case_replays_against_the_broken_and_the_fixed_handler(
    run_cli: Any, failures_dir: Path, wrong: str
) -> None:
    """Each clause's example survives the file round trip: the wrong handler still fails it, the reference passes."""
    path = HANDLERS / "wrong" / wrong
    contract = path.parent.name if path.parent.name in REFERENCE else "v1"
    clause = caught_clause(path)
    argv = ["--contract", contract, "--runtime", "inprocess", "--examples", "10", "--clause", clause]
    assert run_cli("check", "--handler", f"{path}:handler", *argv).status == 1
    saved = sorted(failures_dir.iterdir())
    assert len(saved) == 1

    still = run_cli("replay", "--handler", f"{path}:handler", "--runtime", "inprocess")
    assert still.status == 1, still.out + still.err
    assert "1 of 1 saved case still fails" in still.out
    reference = f"reference_impl.handler:{REFERENCE[contract]}"
    fixed = run_cli("replay", "--handler", reference, "--runtime", "inprocess", "--keep")
    assert fixed.status == 0, fixed.out + fixed.err
    assert saved == sorted(failures_dir.iterdir())


def test_replay_with_nothing_saved_says_so_and_passes(run_cli: Any, failures_dir: Path) -> None:
    """A CI step that replays saved cases meets nothing saved once everything is fixed: not an error."""
    for _ in range(2):  # no folder at all, then an empty one
        result = run_cli("replay", "--handler", "reference_impl.handler:lambda_handler")
        assert result.status == 0, result.out + result.err
        assert "no saved failure cases in " in result.out and "nothing to replay" in result.out
        failures_dir.mkdir(parents=True, exist_ok=True)


def test_replay_of_paths_that_hold_no_case_is_a_usage_error(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("replay", "--handler", "reference_impl.handler:lambda_handler", str(tmp_path))
    assert result.status == 2
    assert f"no failure cases in {tmp_path}" in result.err


def test_a_file_that_is_not_a_case_is_a_usage_error(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "case.json").write_text('{"hello": 1}')
    result = run_cli("replay", str(tmp_path / "case.json"), "--handler", "reference_impl.handler:lambda_handler")
    assert result.status == 2
    assert "case.json: a case file of format None" in result.err


def test_a_passing_check_saves_nothing(run_cli: Any, failures_dir: Path) -> None:
    argv = ["--handler", "reference_impl.handler:lambda_handler", "--runtime", "inprocess", "--examples", "5"]
    assert run_cli("check", *argv, "--clause", "response").status == 0
    assert not failures_dir.exists()


def test_once_every_saved_case_is_fixed_their_folder_goes_too(run_cli: Any, failures_dir: Path) -> None:
    wrong = f"{HANDLERS / 'wrong' / 'response_body_capitalised.py'}:handler"
    argv = ["--runtime", "inprocess", "--examples", "5", "--clause", "response"]
    assert run_cli("check", "--handler", wrong, *argv).status == 1
    assert len(list(failures_dir.iterdir())) == 1
    fixed = run_cli("replay", "--handler", "reference_impl.handler:lambda_handler", "--runtime", "inprocess")
    assert fixed.status == 0, fixed.out + fixed.err
    assert "the saved case is fixed" in fixed.out
    assert not failures_dir.exists()
