"""Real `$connect` handlers from public repositories, as look-alikes that keep each one's idiom
(fixtures/handlers/real/references.json): the ones adapted to the contract conform unmodified, their
table named by their own variable (--table-variable); the ones kept as found fail the clause their
defect breaks, in words that name it."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.tests.conftest import HANDLERS, ROOT, load_json

REFERENCES = load_json(HANDLERS / "real" / "references.json")["handlers"]


def _argv(reference: dict[str, Any]) -> list[str]:
    handler = reference["handler"]
    if "code_dir" in reference:
        where = ["--handler", handler, "--code-dir", str(ROOT / reference["code_dir"])]
    else:
        where = ["--handler", str(ROOT / handler)]
    return [*where, "--table-variable", reference["table_variable"]]


def test_the_references_name_nine_repositories_each_with_a_conforming_look_alike() -> None:
    conforming = {reference["repository"] for reference in REFERENCES if "as_found" not in reference}
    assert len(conforming) == 9 == len({reference["repository"] for reference in REFERENCES})


@pytest.mark.parametrize(
    "reference", [r for r in REFERENCES if "as_found" not in r], ids=lambda reference: reference["name"]
)
def test_a_look_alike_adapted_to_the_contract_conforms_unmodified(run_cli: Any, reference: dict[str, Any]) -> None:
    result = run_cli("check", *_argv(reference), "--examples", "5")
    assert result.status == 0, result.out + result.err
    assert result.failed_clauses == []


@pytest.mark.parametrize(
    "reference", [r for r in REFERENCES if "as_found" in r], ids=lambda reference: reference["name"]
)
def test_a_real_handler_as_found_fails_the_clause_its_defect_breaks(run_cli: Any, reference: dict[str, Any]) -> None:
    expected = reference["as_found"]
    result = run_cli("check", *_argv(reference), "--clause", expected["clause"], "--examples", "5")
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == [expected["clause"]]
    assert expected["says"] in result.out
