"""The contract's documentation is generated from the schemas and the contract values; the committed
pages are what they produce (a drift check), cover every attribute, and render as GitHub renders them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from contract_tests.contract_diff import attribute_facts
from contract_tests.contract_docs import first_difference, pages
from contract_tests.contracts import CONTRACTS
from contract_tests.tests.conftest import ROOT

DOCS = ROOT / "docs" / "contract"


def test_the_committed_pages_are_what_the_schemas_produce() -> None:
    assert first_difference(DOCS) is None


def test_every_attribute_of_every_version_is_documented() -> None:
    generated = pages()
    for contract in CONTRACTS.values():
        attributes, _ = attribute_facts(contract.schema("item"))
        page = generated[f"{contract.name}.md"]
        assert all(f"| `{name}` |" in page for name in attributes), contract.name
        assert all(f"| `{clause.id}` |" in page for clause in contract.clauses), contract.name


@pytest.mark.parametrize("name", sorted(pages()))
def test_pages_render_their_tables_and_code(name: str) -> None:
    """Every table row has its header's cells (an unescaped | would add one); every fence is closed."""
    text = pages()[name]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert any(token.type == "table_open" for token in tokens)
    cells: list[int] = []
    for token in tokens:
        if token.type in ("thead_open", "tbody_open"):
            continue
        if token.type == "tr_open":
            cells.append(0)
        elif token.type in ("th_open", "td_open"):
            cells[-1] += 1
        elif token.type == "table_close":
            assert len(set(cells)) == 1, (name, cells)
            cells = []
    for fence in (token for token in tokens if token.type == "fence" and token.info == "json"):
        json.loads(fence.content)


def _copy_of_the_project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    copy.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "tests")
    shutil.copytree(ROOT / "contract_tests", copy / "contract_tests", symlinks=True, ignore=ignore)
    for name in ("schemas", "docs"):
        shutil.copytree(ROOT / name, copy / name)
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _docs_check(copy: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(copy)}
    command = [sys.executable, "-m", "contract_tests", "docs", "--check"]
    return subprocess.run(command, cwd=copy, env=environment, capture_output=True, text=True, check=False)


def test_docs_check_fails_after_a_description_changes(tmp_path: Path) -> None:
    copy = _copy_of_the_project(tmp_path)
    assert _docs_check(copy).returncode == 0
    schema = copy / "schemas" / "v2" / "item.schema.json"
    document = json.loads(schema.read_text())
    document["definitions"]["attributes"]["properties"]["expiresAt"]["description"] = "When the item may go."
    schema.write_text(json.dumps(document))
    done = _docs_check(copy)
    assert done.returncode == 1
    assert "docs/contract/v2.md differs from what the schemas produce" in done.stdout


def test_docs_check_fails_after_an_attribute_changes(tmp_path: Path) -> None:
    copy = _copy_of_the_project(tmp_path)
    schema = copy / "schemas" / "v1" / "item.schema.json"
    document = json.loads(schema.read_text())
    document["definitions"]["attributes"]["properties"]["stage"] = {"$ref": "#/definitions/nonEmptyString"}
    document["definitions"]["attributeNames"]["enum"].append("stage")
    schema.write_text(json.dumps(document))
    done = _docs_check(copy)
    assert done.returncode == 1
    assert "docs/contract/v1.md differs" in done.stdout


def test_the_worked_example_is_the_fixtures_event_and_item() -> None:
    """v1's worked example is fixtures/events/agent-with-account-and-region.json and its expected item."""
    event = json.loads((ROOT / "fixtures" / "events" / "agent-with-account-and-region.json").read_text())
    item = json.loads((ROOT / "fixtures" / "expected" / "agent-with-account-and-region.item.json").read_text())
    fences = [t.content for t in MarkdownIt("commonmark").parse(pages()["v1.md"]) if t.type == "fence"]
    shown_event, shown_item = (json.loads(fence) for fence in fences)
    assert shown_event["queryStringParameters"] == event["queryStringParameters"]
    assert shown_event["requestContext"]["connectionId"] == event["requestContext"]["connectionId"]
    assert shown_item == item


@pytest.mark.parametrize("argv", [["docs", "--check"], ["docs"]])
def test_docs_outside_a_checkout_says_what_it_is_for_and_writes_nothing(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(*argv)
    assert result.status == 2
    assert "not in one" in result.err and "--out DIR" in result.err
    assert list(tmp_path.iterdir()) == []


def test_docs_writes_where_it_is_told_outside_a_checkout(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("docs", "--out", "contract-pages")
    assert result.status == 0, result.out + result.err
    assert (tmp_path / "contract-pages" / "v1.md").is_file()
