"""Load the contract's JSON Schemas and build format-checking validators from them."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from contract_tests.schema_files import SCHEMA_FILES


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Return the parsed schema registered under ``name`` (e.g. ``"v1/item"``)."""
    path = resources.files("contract_tests").joinpath("schemas").joinpath(SCHEMA_FILES[name])
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def registry() -> Registry[Any]:
    # Without "$schema", jsonschema keeps the contract's validator class across $refs instead of
    # switching to the stock one (whose pattern keyword has Python's "$").
    contents = [{k: v for k, v in load_schema(name).items() if k != "$schema"} for name in SCHEMA_FILES]
    resources_ = [Resource.from_contents(schema, default_specification=DRAFT7) for schema in contents]
    return Registry().with_resources((r.id() or "", r) for r in resources_)


@cache
def python_regex(pattern: str) -> str:
    """A JSON Schema (ECMA 262) pattern as Python reads it: ``$`` ends the input, never a final newline.

    Python's ``$`` also matches before a trailing ``\\n``, so ``^[0-9]{12}$`` would accept
    ``"123456789012\\n"``; ``\\Z`` is ECMA's ``$``. Hand-written: no maintained library translates this.
    """
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append("\\Z")
            continue
        out.append(char)
    return "".join(out)


def _ecma_pattern(
    checker: Draft7Validator, pattern: str, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if checker.is_type(instance, "string") and not re.search(python_regex(pattern), str(instance)):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_ContractValidator = validators.extend(Draft7Validator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]


@cache
def validator(name: str, definition: str | None = None) -> Draft7Validator:
    """A compiled validator for a schema, or for one of its ``definitions``, with format checks."""
    schema_id = load_schema(name)["$id"]
    ref = f"{schema_id}#/definitions/{definition}" if definition else schema_id
    compiled: Draft7Validator = _ContractValidator(
        {"$ref": ref}, registry=registry(), format_checker=Draft7Validator.FORMAT_CHECKER
    )
    return compiled


def as_json(value: object) -> str:
    """``value`` in JSON notation (``null``, ``"x"``), as every message of the harness spells values."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _message(error: ValidationError) -> str:
    """jsonschema's message in JSON notation (its own are Python reprs: ``None``, ``'x'``)."""
    value, expected = error.instance, error.validator_value
    if "propertyNames" in error.schema_path:
        # The closed list of attributes: the instance is the name that is not on it.
        return f"unexpected property {as_json(value)}"
    match error.validator:
        case "type":
            return f"{as_json(value)} is not of type {as_json(expected)}"
        case "const":
            return f"{as_json(value)} is not {as_json(expected)}"
        case "enum":
            return f"{as_json(value)} is not one of {as_json(expected)}"
        case "required":
            # One error per missing property, named only in the message: "'body' is a required property".
            return f"{as_json(ast.literal_eval(error.message.partition(' is a required')[0]))} is missing"
        case "additionalProperties" if isinstance(value, dict):
            schema = error.schema if isinstance(error.schema, dict) else {}
            allowed = set(schema.get("properties", {}))
            extra = sorted(name for name in value if name not in allowed)
            return f"unexpected {'property' if len(extra) == 1 else 'properties'} {', '.join(map(as_json, extra))}"
        case "minimum" | "maximum" | "minLength" | "maxLength" | "pattern" | "format":
            return f"{as_json(value)} breaks {error.validator} {as_json(expected)}"
    return error.message


def _location(error: ValidationError) -> str:
    return "/".join(map(str, error.absolute_path)) or "<root>"


def _closest_branch(error: ValidationError) -> tuple[str, list[ValidationError]] | None:
    """For a failed oneOf/anyOf: the branch that nearly fitted, and its errors.

    Closest = fewest errors on values that are present, then fewest errors: a response
    ``{"statusCode": 200}`` is an accepted one that lacks its body, not a refusal below 400.
    """
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return None
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)

    def distance(index: int) -> tuple[int, int]:
        found = branches[index]
        return sum(e.validator != "required" for e in found), len(found)

    index = min(branches, key=distance)
    branches_schema: list[dict[str, Any]] = error.validator_value  # type: ignore[assignment]
    branch = branches_schema[index]
    name = str(branch.get("$ref", "")).rpartition("/")[2] or f"branch {index + 1}"
    return name, branches[index]


def errors(name: str, instance: object, definition: str | None = None) -> list[str]:
    """Human-readable validation errors of ``instance`` against a schema, empty when valid.

    A oneOf/anyOf failure names the branch that nearly fitted and what breaks it there.
    """
    found = sorted(validator(name, definition).iter_errors(instance), key=lambda e: list(e.absolute_path))
    lines: list[str] = []
    for error in found:
        closest = None if "propertyNames" in error.schema_path else _closest_branch(error)
        if closest is None:
            lines.append(f"{_location(error)}: {_message(error)}")
            continue
        branch, branch_errors = closest
        lines += [f"{_location(e)}: {_message(e)} (closest: {branch})" for e in branch_errors]
    return lines
