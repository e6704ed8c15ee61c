"""Machine-readable reports: JSON (valid against schemas/report.schema.json) and JUnit, to a file or stdout."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from contract_tests.contract_schemas import errors
from contract_tests.contracts import CONTRACTS
from contract_tests.tests.conftest import HANDLERS

WRONG = f"{HANDLERS / 'wrong' / 'query_strips_whitespace.py'}:handler"
FAST = ["--runtime", "inprocess", "--examples", "10", "--seed", "5"]


def test_json_on_stdout_is_valid_and_keeps_the_counterexample_whole(run_cli: Any) -> None:
    result = run_cli("check", "--handler", WRONG, *FAST, "--clause", "query-strings", "--format", "json")
    assert result.status == 1
    document = json.loads(result.out)
    assert errors("report", document) == []
    assert document["verdict"] == "violates" and document["exit_status"] == 1 and document["seed"] == 5
    (clause,) = document["clauses"]
    assert clause["status"] == "failed" and clause["id"] == "query-strings"
    example = clause["counterexample"]["example"]
    assert "headers" in example and "…" not in json.dumps(example)
    assert "--clause query-strings" in clause["reproduce"] and "--seed 5" in clause["reproduce"]
    assert "[FAIL] 3 query-strings" in result.err


def test_output_writes_the_format_and_the_terminal_keeps_text(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    argv = ["--contract", "v2", "--handler", "reference_impl.handler:lambda_handler_v2", *FAST]
    result = run_cli("check", *argv, "--clause", "ttl", "--clause", "expiry", "--format", "json", "--output", str(path))
    assert result.status == 0
    assert "[pass] 9 ttl" in result.out
    document = json.loads(path.read_text())
    assert errors("report", document) == []
    assert document["verdict"] == "partial"
    assert [c["status"] for c in document["clauses"]] == ["passed", "not-checked"]
    assert document["request"]["contract"] == "v2"


def test_junit_marks_not_checked_clauses_skipped(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    argv = ["--contract", "v2", "--handler", "reference_impl.handler:lambda_handler_v2", *FAST, "--clause", "expiry"]
    assert run_cli("check", *argv, "--format", "junit", "--output", str(path)).status == 0
    case = ET.parse(path).getroot().find("testsuite/testcase")
    assert case is not None and case.get("name") == "10-expiry"
    skipped = case.find("skipped")
    assert skipped is not None and "not checked on this backend" in (skipped.get("message") or "")


def test_a_text_report_file_matches_the_terminal(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    argv = ["--handler", "reference_impl.handler:lambda_handler", *FAST, "--clause", "response"]
    result = run_cli("check", *argv, "--output", str(path))
    assert result.status == 0
    assert path.read_text().strip() == result.out.strip()


def test_the_text_report_counts_in_words_that_agree(run_cli: Any) -> None:
    """A clause that failed on its first example ran "1 example", not "1 examples"."""
    handler = f"{HANDLERS / 'wrong' / 'response_status_string.py'}:handler"
    result = run_cli("check", "--handler", handler, *FAST, "--clause", "response")
    assert result.status == 1
    assert "(1 example," in result.out and "1 examples" not in result.out


def test_listings_say_each_thing_once_and_line_up(run_cli: Any) -> None:
    contracts = run_cli("contracts").out.splitlines()
    authorizer = next(line for line in contracts if line.startswith("authorizer "))
    assert authorizer.count("REQUEST authorizer") == 1, authorizer
    clauses = run_cli("clauses", "--contract", "v3").out.splitlines()
    assert len(clauses) == 12
    assert len({line.index(line.split()[1]) for line in clauses}) == 1, clauses  # ids in one column


def test_one_defect_is_reported_once_with_the_clauses_it_breaks(run_cli: Any, failures_dir: Path) -> None:
    """A handler answering 201 breaks every clause that expects 200 connected: one entry, one saved case."""
    handler = f"{HANDLERS / 'wrong' / 'response_created_201.py'}:handler"
    argv = ["--handler", handler, "--runtime", "inprocess", "--examples", "10", "--failures-dir", str(failures_dir)]
    result = run_cli("check", *argv)
    assert result.status == 1, result.out + result.err
    failed = result.failed_clauses
    assert {"response", "query-strings", "isolation"} <= set(failed)
    numbered = ", ".join(f"{CONTRACTS['v1'].clauses_by_id[clause].number} {clause}" for clause in failed)
    assert f"one defect, {len(failed)} clauses broken ({numbered})" in result.out
    assert result.out.count("minimal counterexample") == 1
    assert f"{len(failed)} failed (1 defect)" in result.out
    assert len(list(failures_dir.glob("*.json"))) == 1
    as_json = run_cli("check", *argv, "--format", "json")
    assert json.loads(as_json.out)["defects"] == [failed]


def test_values_are_masked_but_attribute_names_tell_defects_apart() -> None:
    from contract_tests.request import CheckRequest
    from contract_tests.results import ClauseResult, Counterexample, Report, Status

    clauses = CONTRACTS["v2"].clauses

    def failed(number: int, message: str, answer: str) -> ClauseResult:
        example = Counterexample({}, {}, {"handler": answer})
        return ClauseResult(clauses[number - 1], Status.FAILED, 1, message, example)

    report = Report(
        CheckRequest(handler="app.handler", contract="v2"), seed=1, contract=CONTRACTS["v2"], runtime="python"
    )
    report.results = [
        failed(1, 'stored item breaks the v2 item schema (v2/item): <root>: "expiresAt" is missing', "returned 200"),
        failed(2, "createdAt is epoch seconds (1796174592); the contract wants epoch milliseconds", "returned 200"),
        failed(3, 'stored item breaks the v2 item schema (v2/item): <root>: "expiresAt" is missing', "returned 200"),
        failed(9, "createdAt is epoch seconds (1796179999); the contract wants epoch milliseconds", "returned 200"),
        failed(
            11 - 1, 'stored item breaks the v2 item schema (v2/item): <root>: "createdAt" is missing', "returned 200"
        ),
    ]
    assert [[result.clause.number for result in group] for group in report.defects] == [[1, 3], [2, 9], [10]]
