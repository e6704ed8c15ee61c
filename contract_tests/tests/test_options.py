"""One options model: the CLI, the pytest plugin and the reproduce command are built from it, and both
faces start light (nothing heavy imported, no global state changed until a check runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from contract_tests.backends import BACKENDS
from contract_tests.contracts import CONTRACTS, EVERY_CONTRACT, ROUTER_CONTRACTS
from contract_tests.options import (
    BACKEND_NAMES,
    CHECK_OPTIONS,
    CONTRACT_NAMES,
    RUNTIME_NAMES,
    TABLE_CONTRACT_NAMES,
    VERSION_NAMES,
    program,
)
from contract_tests.request import CheckRequest
from contract_tests.runtimes import RUNTIMES

HEAVY = ("boto3", "botocore", "moto", "jsonschema", "hypothesis", "flask")


def test_the_light_name_lists_match_the_registries() -> None:
    assert set(BACKEND_NAMES) == set(BACKENDS)
    assert set(RUNTIME_NAMES) == set(RUNTIMES)
    assert tuple(CONTRACTS) == VERSION_NAMES
    assert tuple(EVERY_CONTRACT) == CONTRACT_NAMES
    assert (*CONTRACTS, *ROUTER_CONTRACTS) == TABLE_CONTRACT_NAMES


def test_every_request_field_is_an_option() -> None:
    derived = {"deployed"}  # read from --template's functions, never given
    assert {option.field for option in CHECK_OPTIONS} == {f.name for f in fields(CheckRequest)} - derived


def test_the_reproduce_command_keeps_every_option_that_changes_the_run() -> None:
    request = CheckRequest(
        handler="app.handler",
        code_dir="build",
        contract="v3",
        backend="aws",
        endpoint="http://127.0.0.1:4566",
        create_real_table=True,
        runtime="python",
        interpreter="/opt/py/bin/python",
        memory=256,
        env=(("CONNECTION_TTL_SECONDS", "60"), ("LOG_LEVEL", "debug")),
        region="eu-west-1",
        examples=40,
        timeout=1.5,
        clauses=("ttl", "expiry"),
    )
    assert request.command(7) == (
        "connect-contract check --handler app.handler --contract v3 --code-dir build --backend aws "
        "--endpoint http://127.0.0.1:4566 --yes-create-table --runtime python --interpreter /opt/py/bin/python "
        "--memory 256 --env CONNECTION_TTL_SECONDS=60 --env LOG_LEVEL=debug --region eu-west-1 --examples 40 "
        "--seed 7 --timeout 1.5 --clause ttl --clause expiry"
    )
    assert request.command(7, "ttl").endswith("--seed 7 --timeout 1.5 --clause ttl")
    plain = CheckRequest(handler="app.handler")
    assert plain.command(1) == "connect-contract check --handler app.handler --backend moto --examples 100 --seed 1"


def test_an_authorizer_reproduce_command_names_no_backend() -> None:
    """The authorizer's function stores nothing: "--backend moto" in its command would mislead a reader."""
    request = CheckRequest(handler="auth.handler", contract="authorizer", backend="localstack", endpoint="http://x:1")
    assert request.command(3, "forgeries") == (
        "connect-contract check --handler auth.handler --contract authorizer --examples 100 --seed 3 --clause forgeries"
    )


@pytest.mark.parametrize(
    "code",
    [
        "import contract_tests.pytest_plugin",
        "from contract_tests.cli import build_parser; build_parser().format_help()",
    ],
    ids=["plugin", "cli-help"],
)
def test_starting_imports_nothing_heavy(code: str) -> None:
    probe = f"import sys; {code}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_importing_the_harness_changes_no_botocore_state() -> None:
    probe = (
        "import botocore.handlers as h; before = list(h.BUILTIN_HANDLERS); "
        "import contract_tests.session, contract_tests.engine, contract_tests.pytest_plugin; "
        "print(h.BUILTIN_HANDLERS == before)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_a_program_path_is_made_absolute_without_leaving_a_virtualenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The function's processes start in its code folder: a relative --interpreter is read where the gate runs."""
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").symlink_to(sys.executable)
    monkeypatch.chdir(tmp_path)
    assert program("venv/bin/python") == str(tmp_path / "venv" / "bin" / "python")  # the link, not its target
    assert program("node") == "node"  # looked up on PATH when the function starts
    assert program("~/bin/node") == os.path.expanduser("~/bin/node")
