"""The schemas are valid draft-07, check formats, and say exactly what the contract says."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from contract_tests.contract_schemas import SCHEMA_FILES, errors, load_schema
from contract_tests.tests.conftest import FIXTURES, ROOT, load_json

EVENTS = sorted((FIXTURES / "events").glob("*.json"))
MALFORMED = sorted((FIXTURES / "events" / "malformed").glob("*.json"))
EXPECTED = sorted((FIXTURES / "expected").glob("*.item.json"))
ITEM = {"connectionId": {"S": "L0SM9cOFvHcCIhw="}, "createdAt": {"N": "1731324924000"}, "clientId": {"S": "unknown"}}


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_schema_is_valid_draft7(name: str) -> None:
    schema = load_schema(name)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)


def test_every_schema_file_is_registered() -> None:
    on_disk = {str(p.relative_to(ROOT / "schemas")) for p in (ROOT / "schemas").rglob("*.json")}
    assert on_disk == set(SCHEMA_FILES.values())


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: p.stem)
def test_event_fixtures_are_valid(path: Path) -> None:
    assert errors("connect-event", load_json(path)) == []


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.stem)
def test_malformed_fixtures_are_rejected(path: Path) -> None:
    assert errors("connect-event", load_json(path))


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_expected_items_are_valid_v1_items(path: Path) -> None:
    assert errors("v1/item", load_json(path)) == []


def test_every_event_fixture_has_an_expected_item() -> None:
    assert {p.stem for p in EVENTS} == {p.name.removesuffix(".item.json") for p in EXPECTED}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"account": {"NULL": True}}, "absent, never null"),
        ({"region": {"S": ""}}, "absent, never empty"),
        ({"createdAt": {"N": "1731324924"}}, "seconds, not milliseconds"),
        ({"createdAt": {"N": "1731324924000.5"}}, "not an integer"),
        ({"createdAt": {"S": "1731324924000"}}, "a string, not a Number"),
        ({"ttl": {"N": "1731328524"}}, "not a v1 attribute"),
        ({"clientId": {"S": ""}}, "empty clientId"),
    ],
)
def test_item_schema_rejects_contract_breaks(change: dict[str, object], why: str) -> None:
    assert errors("v1/item", {**ITEM, **change}), why


def test_item_schema_requires_the_three_attributes() -> None:
    for name in ITEM:
        assert errors("v1/item", {k: v for k, v in ITEM.items() if k != name})


@pytest.mark.parametrize(
    "response",
    [
        {"statusCode": 200, "body": "connected"},
        {"statusCode": 200, "body": "connected", "headers": {"X": "1"}, "isBase64Encoded": False},
    ],
)
def test_response_schema_accepts_connected(response: dict[str, object]) -> None:
    assert errors("v1/response", response, "accepted") == []


@pytest.mark.parametrize(
    "response",
    [
        {"statusCode": "200", "body": "connected"},
        {"statusCode": True, "body": "connected"},
        {"statusCode": 200, "body": "Connected"},
        {"statusCode": 200},
        {"statusCode": 200, "body": "connected", "connectionId": "x"},
        {"statusCode": 201, "body": "connected"},
    ],
)
def test_response_schema_rejects_near_misses(response: dict[str, object]) -> None:
    assert errors("v1/response", response, "accepted")


def test_refusal_is_a_4xx_or_5xx() -> None:
    assert errors("v1/response", {"statusCode": 400, "body": "bad"}, "refused") == []
    assert errors("v1/response", {"statusCode": 503}, "refused") == []
    for status in (200, 302, 600):
        assert errors("v1/response", {"statusCode": status}, "refused")


def test_formats_are_checked() -> None:
    event = load_json(FIXTURES / "events" / "no-query-string.json")
    event["requestContext"]["identity"]["sourceIp"] = "999.1.1.1"
    assert any("sourceIp" in e for e in errors("connect-event", event))
    event = load_json(FIXTURES / "events" / "no-query-string.json")
    event["requestContext"]["domainName"] = "not a host name!"
    assert any("domainName" in e for e in errors("connect-event", event))


def test_a_connect_event_has_no_message_id_or_body() -> None:
    event = load_json(FIXTURES / "events" / "no-query-string.json")
    event["requestContext"]["messageId"] = "abc"
    assert errors("connect-event", event)


def _formats(schema: object) -> set[str]:
    if isinstance(schema, dict):
        own = {schema["format"]} if isinstance(schema.get("format"), str) else set()
        return own.union(*(_formats(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_formats(value) for value in schema))
    return set()


def test_every_format_the_schemas_use_is_checked() -> None:
    """The package depends only on the format checkers its schemas need; a missing one would pass anything."""
    used = set().union(*(_formats(load_schema(name)) for name in SCHEMA_FILES))
    assert used == {"hostname", "ipv4", "ipv6"}
    assert used <= set(Draft7Validator.FORMAT_CHECKER.checkers)
