"""The export for data catalogs is valid ODCS v3, by the standard's own JSON Schema and model."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft201909Validator
from open_data_contract_standard.model import OpenDataContractStandard

from contract_tests.contract_diff import attribute_facts
from contract_tests.contracts import CONTRACTS


def _odcs_schema() -> dict[str, Any]:
    text = resources.files("open_data_contract_standard").joinpath("schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@pytest.mark.parametrize("version", list(CONTRACTS))
def test_the_export_is_valid_odcs_and_covers_every_attribute(run_cli: Any, version: str) -> None:
    result = run_cli("export", "--odcs", "--contract", version)
    assert result.status == 0
    document = json.loads(result.out)
    validator = Draft201909Validator(_odcs_schema(), format_checker=Draft201909Validator.FORMAT_CHECKER)
    assert [error.message for error in validator.iter_errors(document)] == []
    OpenDataContractStandard.model_validate(document)
    (table,) = document["schema"]
    attributes, required = attribute_facts(CONTRACTS[version].schema("item"))
    exported = {p["name"]: p for p in table["properties"]}
    assert set(exported) == set(attributes)
    assert {name for name, p in exported.items() if p["required"]} == required
    assert exported["connectionId"]["primaryKey"] is True
    assert document["servers"][0]["type"] == "custom"
