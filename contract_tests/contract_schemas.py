"""Load the contract's JSON Schemas and build format-checking validators from them."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

# File names below the shipped schemas folder; profiles add entries, never edit v1's.
SCHEMA_FILES = {
    "connect-event": "connect-event.schema.json",
    "v1/item": "v1/item.schema.json",
    "v1/response": "v1/response.schema.json",
}


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Return the parsed schema registered under ``name`` (e.g. ``"v1/item"``)."""
    path = resources.files("contract_tests").joinpath("schemas").joinpath(SCHEMA_FILES[name])
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def _registry() -> Registry[Any]:
    resources_ = [Resource.from_contents(load_schema(name), default_specification=DRAFT7) for name in SCHEMA_FILES]
    return Registry().with_resources((r.id() or "", r) for r in resources_)


@cache
def validator(name: str, definition: str | None = None) -> Draft7Validator:
    """A compiled validator for a schema, or for one of its ``definitions``, with format checks."""
    schema_id = load_schema(name)["$id"]
    ref = f"{schema_id}#/definitions/{definition}" if definition else schema_id
    return Draft7Validator({"$ref": ref}, registry=_registry(), format_checker=Draft7Validator.FORMAT_CHECKER)


def errors(name: str, instance: object, definition: str | None = None) -> list[str]:
    """Human-readable validation errors of ``instance`` against a schema, empty when valid."""
    found = sorted(validator(name, definition).iter_errors(instance), key=lambda e: list(e.path))
    # best_match descends into oneOf/anyOf to the branch that nearly fitted: "clientId: 7 is not a string".
    precise = [best_match([error]) or error for error in found]
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in precise]
