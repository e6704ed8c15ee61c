"""Output is data, never markup: whatever a function prints, raises or answers, every report stays
well-formed and inert, and the gate keeps a bounded part of it."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from contract_tests.contract_schemas import errors
from contract_tests.inert_text import inert
from contract_tests.runtimes.output import BoundedOutput
from contract_tests.tests.conftest import HANDLERS, ROOT

HOSTILE = HANDLERS / "hostile"


def test_reports_of_a_handler_printing_markup_stay_well_formed_and_inert(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    junit, report = tmp_path / "report.xml", tmp_path / "report.json"
    handler = f"{HOSTILE / 'prints_markup.py'}:handler"
    argv = ["--handler", handler, "--clause", "response", "--clause", "query-strings", "--examples", "3"]
    result = run_cli("check", *argv, "--junit", str(junit))
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == ["response", "query-strings"]
    ET.parse(junit)  # a real XML parser: an ESC byte or a lone surrogate would make it fail
    for line in result.out.splitlines():
        if line.lstrip().startswith("::"):
            assert line.startswith("::error file="), f"a workflow command the gate did not write: {line!r}"
    assert "\x1b" not in result.out and "\x9b" not in result.out
    text = summary.read_text(encoding="utf-8")
    assert "<script>" not in text and "\x1b" not in text
    json_run = run_cli("check", *argv, "--format", "json", "--output", str(report))
    assert json_run.status == 1
    document = json.loads(report.read_text(encoding="utf-8"))
    assert errors("report", document) == []


def test_inert_text_escapes_what_terminals_xml_and_workflows_read() -> None:
    assert inert("a\nb\r\x1b[31m\x9b\x00\u2028\ud800ok ü") == "a\\nb\\r\\x1b[31m\\x9b\\x00\\u2028\\ud800ok ü"


def test_bounded_output_keeps_head_and_tail_and_counts_the_rest() -> None:
    output = BoundedOutput(head_bytes=20, tail_bytes=20)
    for number in range(100):
        output.add(f"line {number:03d}")  # 9 bytes with its end
    kept = output.since(0)
    assert kept[:2] == ["line 000", "line 001"]
    assert kept[2] == "[connect-contract: 96 lines of output not kept]"
    assert kept[3:] == ["line 098", "line 099"]
    assert output.since(99) == ["line 099"]
    assert output.count == 100


def _peak_kib(handler: str) -> tuple[int, str]:
    """The gate's peak resident memory over one check of ``handler`` (a process of its own), and its report."""
    measure = (
        "import resource, sys; from contract_tests.cli import main; status = main(sys.argv[1:]); "
        "print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(status)"
    )
    argv = ["check", "--handler", handler, "--clause", "response", "--examples", "1", "--timeout", "60"]
    done = subprocess.run([sys.executable, "-c", measure, *argv], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return int(done.stderr.rsplit("peak", 1)[1].split()[0]), done.stdout


def test_hundreds_of_megabytes_of_output_cost_the_gate_megabytes() -> None:
    """A function that prints 256 MB (one line of it 64 MB) costs the gate under 64 MB more than the reference
    does in the same conditions (alone, the gate peaks near 120 MB either way): the gate keeps a bounded part
    whatever the size, and reading more would only cost the suite time."""
    baseline, _ = _peak_kib("reference_impl.handler:lambda_handler")
    peak, report = _peak_kib(f"{HOSTILE / 'prints_hundreds_of_megabytes.py'}:handler")
    assert peak - baseline < 64 * 1024, (
        f"the gate peaked at {peak // 1024} MB, {baseline // 1024} MB without:\n{report}"
    )
