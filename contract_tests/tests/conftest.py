"""Shared helpers for the project's own tests."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
HANDLERS = FIXTURES / "handlers"
WRONG_HANDLERS = sorted((HANDLERS / "wrong").glob("*.py"))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def caught_clause(handler_file: Path) -> str:
    """The clause a wrong handler's docstring says must catch it."""
    match = re.search(r'^"""catches: ([a-z-]+)', handler_file.read_text(encoding="utf-8"))
    assert match, f"{handler_file.name} does not say which clause catches it"
    return match.group(1)


@dataclass
class CliRun:
    status: int
    out: str
    err: str

    @property
    def failed_clauses(self) -> list[str]:
        return re.findall(r"^\s+\[FAIL\] \d+ (\S+)", self.out, flags=re.M)

    @property
    def passed_clauses(self) -> list[str]:
        return re.findall(r"^\s+\[pass\] \d+ (\S+)", self.out, flags=re.M)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """Run ``connect-contract`` in this process and return its exit status and output."""

    def run(*argv: str) -> CliRun:
        capsys.readouterr()
        try:
            status = main(list(argv))
        except SystemExit as exit_:  # argparse's own usage errors
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return CliRun(status, captured.out, captured.err)

    return run


@pytest.fixture(params=["moto"])
def backend(request: pytest.FixtureRequest) -> str:
    """The DynamoDB backend a gate test runs on."""
    return str(request.param)
