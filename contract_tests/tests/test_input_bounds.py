"""Files and variables the user hands the gate: a device, a FIFO, a folder, an oversize or too deep
document, a case field of the wrong type, a reserved variable — each exit 2 with one line, never a
hang, a traceback or a verdict."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from contract_tests.input_files import MAX_BYTES, MAX_DEPTH
from contract_tests.reserved_variables import LAMBDA


def _one_line_error(result: Any, message: str) -> None:
    assert result.status == 2, result.out + result.err
    assert message in result.err, result.err
    assert "Traceback" not in result.out + result.err
    assert "[pass]" not in result.out and "[FAIL]" not in result.out and "[fixed]" not in result.out


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


def _oversize(tmp_path: Path) -> Path:
    path = tmp_path / "big.json"
    with path.open("wb") as out:
        out.truncate(MAX_BYTES + 1)
    return path


def _deep(tmp_path: Path) -> Path:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    return path


def _just_too_deep(tmp_path: Path) -> Path:
    path = tmp_path / "deeper.json"
    path.write_text(json.dumps({"a": json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)}))
    return path


BAD_FILES = {
    "device": (lambda tmp_path: Path("/dev/zero"), "not a regular file"),
    "fifo": (_fifo, "a FIFO"),
    "directory": (lambda tmp_path: tmp_path, "a directory"),
    "oversize": (_oversize, "larger than 8 MiB"),
    "deep": (_deep, f"nested deeper than {MAX_DEPTH} levels"),
    "one-level-too-deep": (_just_too_deep, f"nested deeper than {MAX_DEPTH} levels"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_validate_refuses_what_is_no_json_file(run_cli: Any, tmp_path: Path, kind: str) -> None:
    make, message = BAD_FILES[kind]
    result = run_cli("validate", "--schema", "event", str(make(tmp_path)))
    _one_line_error(result, message)


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_replay_refuses_what_is_no_case_file(run_cli: Any, tmp_path: Path, kind: str) -> None:
    make, message = BAD_FILES[kind]
    path = make(tmp_path)
    if path.is_dir():  # a folder of cases is fine: one that holds a bad case is not
        path = tmp_path / "cases"
        path.mkdir()
        os.mkfifo(path / "case.json")
        message = "a FIFO"
    result = run_cli("replay", "--handler", "reference_impl.handler:lambda_handler", str(path))
    _one_line_error(result, message)


#: The files other commands read, each handed what is no such file: a device, a FIFO, a folder.
NOT_FILES = {
    "device": (lambda tmp_path: Path("/dev/zero"), "not a regular file"),
    "fifo": (_fifo, "a FIFO"),
    "directory": (lambda tmp_path: tmp_path, "a directory"),
}
READERS = {
    "template": ["check", "--template", "{path}"],
    "key-file": [
        *("token", "mint", "--key-file", "{path}", "--kid", "k"),
        *("--client-id", "c", "--accounts", "123456789012", "--ttl", "60"),
    ],
    "shard-report": ["merge", "{path}"],
}


@pytest.mark.parametrize("kind", sorted(NOT_FILES))
@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_template_a_key_file_and_a_shard_report_are_read_within_bounds(
    run_cli: Any, tmp_path: Path, reader: str, kind: str
) -> None:
    """/dev/zero was read until memory ran out, a FIFO waited forever for a writer."""
    make, message = NOT_FILES[kind]
    path = str(make(tmp_path))
    result = run_cli(*(word.format(path=path) for word in READERS[reader]))
    _one_line_error(result, message)
    assert result.err.count("\n") == 1


CASE = {
    "contract": "v1",
    "clause": "response",
    "example": {"requestContext": {"connectionId": "abc="}},
    "message": "m",
    "seed": 1,
    "environment": {},
    "format": 1,
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"environment": {"_HANDLER": "other.handler"}}, "_HANDLER is reserved by Lambda"),
        ({"environment": {"LAMBDA_TASK_ROOT": "/elsewhere"}}, "LAMBDA_TASK_ROOT is reserved by Lambda"),
        ({"environment": {"CONNECTIONS_TABLE": "mine"}}, "CONNECTIONS_TABLE is the gate's"),
        ({"environment": {"FEATURE": 1}}, "environment 'FEATURE' must be a string"),
        ({"environment": ["FEATURE=1"]}, "field 'environment' must be an object of strings"),
        ({"seed": "7"}, "field 'seed' must be a whole number or null"),
        ({"clause": ["response"]}, "field 'clause' must be a string"),
        ({"surprise": True}, "unknown field 'surprise'"),
    ],
)
def test_a_case_file_with_a_wrong_field_is_refused(
    run_cli: Any, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({**CASE, **change}))
    result = run_cli("replay", "--handler", "reference_impl.handler:lambda_handler", str(path))
    _one_line_error(result, message)
    assert path.exists(), "a refused case is never deleted as fixed"


def test_a_case_that_is_no_object_is_refused(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text("[1, 2]")
    result = run_cli("replay", "--handler", "reference_impl.handler:lambda_handler", str(path))
    _one_line_error(result, "a JSON object is")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        *((name, "is reserved by Lambda") for name in LAMBDA),
        ("CONNECTIONS_TABLE", "the run's own table"),
        ("AWS_ENDPOINT_URL", "observing proxy"),
        ("AWS_ENDPOINT_URL_DYNAMODB", "observing proxy"),
        ("AWS_CA_BUNDLE", "certificate authority"),
        ("CONNECT_CONTRACT_INSTANCE", "to end them all"),
    ],
)
def test_env_refuses_a_variable_of_lambda_or_of_the_gate(run_cli: Any, name: str, message: str) -> None:
    result = run_cli("check", "--handler", "reference_impl.handler:lambda_handler", "--env", f"{name}=x")
    assert result.status == 2
    assert message in result.err and name in result.err
    assert "Traceback" not in result.err


def test_env_keeps_the_functions_own_variables(run_cli: Any) -> None:
    argv = ["--handler", "reference_impl.handler:lambda_handler", "--clause", "response", "--examples", "1"]
    result = run_cli("check", *argv, "--env", "AWS_MAX_ATTEMPTS=2", "--env", "FEATURE_FLAGS=on")
    assert result.status == 0, result.out + result.err


@pytest.mark.parametrize("region", ["evil.example#", "us-east-1.attacker.net", "US-EAST-1", ""])
def test_a_region_is_a_region_name(run_cli: Any, region: str) -> None:
    """The region becomes part of the host the gate calls with --backend aws: nothing else may pass."""
    result = run_cli("check", "--handler", "reference_impl.handler:lambda_handler", "--region", region)
    assert result.status == 2
    assert "is not an AWS region name" in result.err


def test_a_machine_that_cannot_make_the_sandbox_is_said_so(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without util-linux's unshare: --sandbox on is exit 2 with the reason, auto runs and reports it uncontained."""
    from contract_tests.sandbox import support

    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "python3").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", str(bare))
    support._probe.cache_clear()
    try:
        argv = ["--handler", "reference_impl.handler:lambda_handler", "--clause", "response", "--examples", "1"]
        refused = run_cli("check", *argv, "--sandbox", "on")
        assert refused.status == 2
        assert "--sandbox on: util-linux's unshare and setpriv are not on PATH" in refused.err
        assert "Traceback" not in refused.err
        uncontained = run_cli("check", *argv)
        assert uncontained.status == 0, uncontained.out + uncontained.err
        assert "sandbox: not contained (this machine cannot make the sandbox" in uncontained.out
    finally:
        support._probe.cache_clear()
