"""What changed between two contract versions, classified for writers (handlers) and readers of the table.

Attribute changes are computed from the schemas themselves: each attribute's constraints are
flattened through ``$ref`` and ``allOf`` into facts, so "narrowed" means the new version keeps
every old constraint and adds some, "widened" the reverse.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from contract_tests.contract_schemas import load_schema, registry
from contract_tests.contracts import SCHEMA_ROLES, Contract

if TYPE_CHECKING:
    # referencing exports its Resolver only from its private module; needed here for the annotation alone.
    from referencing._core import Resolver

BREAKING, COMPATIBLE, UNAFFECTED = "breaking", "compatible", "unaffected"
#: Keywords that document rather than constrain.
_ANNOTATIONS = frozenset({"description", "title", "$comment", "$id", "$schema", "definitions", "examples"})

Fact = tuple[str, str, str]


@dataclass(frozen=True)
class Change:
    part: str
    name: str
    kind: str
    detail: str
    writers: str
    readers: str


def _facts(schema: Any, path: str, resolver: Resolver[Any], annotations: bool) -> set[Fact]:
    """Every constraint of ``schema`` as (JSON path, keyword, value), through ``$ref`` and ``allOf``."""
    if not isinstance(schema, dict):
        return {(path, "schema", json.dumps(schema))}
    found: set[Fact] = set()
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS and not (annotations and keyword == "description"):
            continue
        if keyword == "$ref":
            resolved = resolver.lookup(value)
            found |= _facts(resolved.contents, path, resolved.resolver, annotations)
        elif keyword == "allOf":
            for sub in value:
                found |= _facts(sub, path, resolver, annotations)
        elif keyword == "properties":
            for name, sub in value.items():
                found |= _facts(sub, f"{path}/{name}", resolver, annotations)
        else:
            found.add((path, keyword, json.dumps(value, sort_keys=True)))
    return found


def attribute_facts(schema_name: str, annotations: bool = False) -> tuple[dict[str, set[Fact]], set[str]]:
    """A schema's top-level attributes with their facts (descriptions too, if asked), and the required ones."""
    schema = load_schema(schema_name)
    resolver = registry().resolver(base_uri=schema["$id"])
    attributes: dict[str, set[Fact]] = {}
    required: set[str] = set()
    for path, keyword, value in _facts(schema, "", resolver, annotations):
        if path == "" and keyword == "required":
            required |= set(json.loads(value))
        elif path:
            name, _, rest = path[1:].partition("/")
            attributes.setdefault(name, set()).add((rest, keyword, value))
    return attributes, required


def attribute_meaning(facts: set[Fact]) -> str:
    """An attribute's descriptions, its own first, then those of the rules it refers to, each once."""
    descriptions = sorted((rest != "", json.loads(value)) for rest, keyword, value in facts if keyword == "description")
    return " ".join(dict.fromkeys(text for _, text in descriptions))


def dynamodb_type(facts: set[Fact]) -> str:
    """The DynamoDB type an item attribute holds (``S``, ``N``), from its typed-JSON wrapper."""
    kinds = sorted({rest.split("/")[0] for rest, _, _ in facts if rest})
    return "/".join(kinds) or "?"


def _attribute_changes(part: str, old_name: str, new_name: str) -> list[Change]:
    old, old_required = attribute_facts(old_name)
    new, new_required = attribute_facts(new_name)
    typed = part == "item"
    changes: list[Change] = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        kind_of = dynamodb_type if typed else (lambda facts: "")
        if before is None and after is not None:
            required = name in new_required
            changes.append(
                Change(
                    part,
                    name,
                    "added",
                    f"{'required' if required else 'optional'} {kind_of(after)}".strip(),
                    BREAKING if required else COMPATIBLE,
                    COMPATIBLE,
                )
            )
        elif after is None and before is not None:
            changes.append(
                Change(
                    part,
                    name,
                    "removed",
                    f"was {'required' if name in old_required else 'optional'} {kind_of(before)}".strip(),
                    BREAKING,
                    BREAKING if name in old_required else COMPATIBLE,
                )
            )
        elif before is not None and after is not None:
            changes += _compare(part, name, before, after, kind_of(before), kind_of(after))
            if (name in old_required) != (name in new_required):
                now_required = name in new_required
                changes.append(
                    Change(
                        part,
                        name,
                        "now required" if now_required else "now optional",
                        "",
                        BREAKING if now_required else COMPATIBLE,
                        COMPATIBLE if now_required else BREAKING,
                    )
                )
    return changes


def _compare(part: str, name: str, before: set[Fact], after: set[Fact], old_type: str, new_type: str) -> list[Change]:
    if before == after:
        return []
    if old_type != new_type:
        return [Change(part, name, "retyped", f"{old_type} -> {new_type}", BREAKING, BREAKING)]
    added = ", ".join(f"{keyword} {value}" for _, keyword, value in sorted(after - before))
    dropped = ", ".join(f"{keyword} {value}" for _, keyword, value in sorted(before - after))
    if after > before:
        return [Change(part, name, "narrowed", f"adds {added}", BREAKING, COMPATIBLE)]
    if after < before:
        return [Change(part, name, "widened", f"drops {dropped}", COMPATIBLE, BREAKING)]
    return [Change(part, name, "changed", f"adds {added}; drops {dropped}", BREAKING, BREAKING)]


def _table_changes(old: Contract, new: Contract) -> list[Change]:
    changes = []
    if old.table.key != new.table.key:
        changes.append(Change("table", "key", "changed", f"{old.table.key} -> {new.table.key}", BREAKING, BREAKING))
    if old.table.ttl_attribute != new.table.ttl_attribute:
        detail = f"TTL on {old.table.ttl_attribute or 'nothing'} -> TTL on {new.table.ttl_attribute or 'nothing'}"
        note = "expired items disappear, lazily: filter on the TTL attribute" if new.table.ttl_attribute else ""
        changes.append(Change("table", "ttl", "changed", f"{detail}; {note}".rstrip("; "), UNAFFECTED, COMPATIBLE))
    before, after = {i.name: i for i in old.table.indexes}, {i.name: i for i in new.table.indexes}
    for name, index in after.items():
        if name not in before:
            detail = f"global secondary index on {index.partition} (S), sorted by {index.sort} (N)"
            changes.append(Change("table", name, "added", detail, UNAFFECTED, COMPATIBLE))
    for name in before.keys() - after.keys():
        changes.append(Change("table", name, "removed", "a reader's queries on it fail", UNAFFECTED, BREAKING))
    return changes


def _route_changes(old: Contract, new: Contract) -> list[Change]:
    """Routes a handler must now serve (breaking for handlers), and grants that changed."""
    changes = []
    for route, operations in new.routes.items():
        grant = ", ".join(sorted(operations))
        if route not in old.routes:
            changes.append(Change("routes", route, "added", f"may call {grant}", BREAKING, UNAFFECTED))
        elif old.routes[route] != operations:
            changes.append(Change("routes", route, "changed", f"may call {grant}", BREAKING, UNAFFECTED))
    for route in old.routes.keys() - new.routes.keys():
        changes.append(Change("routes", route, "removed", "", COMPATIBLE, UNAFFECTED))
    return changes


def _clause_changes(old: Contract, new: Contract) -> list[Change]:
    before, after = old.clauses_by_id, new.clauses_by_id
    changes = []
    for clause_id, clause in after.items():
        if clause_id not in before:
            changes.append(
                Change("clauses", clause_id, "added", f"{clause.number}: {clause.title}", BREAKING, UNAFFECTED)
            )
        elif before[clause_id] != clause:
            changes.append(
                Change("clauses", clause_id, "replaced", f"{clause.number}: {clause.title}", BREAKING, UNAFFECTED)
            )
    for clause_id, clause in before.items():
        if clause_id not in after:
            changes.append(
                Change("clauses", clause_id, "removed", f"{clause.number}: {clause.title}", COMPATIBLE, UNAFFECTED)
            )
    return changes


@dataclass(frozen=True)
class ContractDiff:
    old: Contract
    new: Contract
    changes: list[Change]

    def breaking_for(self, side: str) -> bool:
        return any(getattr(change, side) == BREAKING for change in self.changes)


def diff_contracts(old: Contract, new: Contract) -> ContractDiff:
    changes: list[Change] = []
    for role in SCHEMA_ROLES:
        if old.schema(role) != new.schema(role):
            changes += _attribute_changes(role, old.schema(role), new.schema(role))
    changes += _table_changes(old, new) + _route_changes(old, new)
    return ContractDiff(old, new, changes + _clause_changes(old, new))


_PARTS = (*SCHEMA_ROLES, "table", "routes", "clauses")
_MARKS = {"added": "+", "removed": "-"}


def render_diff(diff: ContractDiff, form: str = "text") -> str:
    old, new = diff.old, diff.new
    if form == "json":
        document = {
            "from": old.name,
            "to": new.name,
            "schemas": {role: {"from": old.schema(role), "to": new.schema(role)} for role in SCHEMA_ROLES},
            "changes": [asdict(change) for change in diff.changes],
            "breaking": {"writers": diff.breaking_for("writers"), "readers": diff.breaking_for("readers")},
        }
        return json.dumps(document, indent=2)
    lines = [f"contract {old.name} -> {new.name}", f"  {new.name}: {new.summary}"]
    for part in _PARTS:
        found = [change for change in diff.changes if change.part == part]
        label = f"{part} ({old.schema(part)} -> {new.schema(part)})" if part in SCHEMA_ROLES else part
        if not found:
            same = ""
            if part in SCHEMA_ROLES:
                renamed = old.schema(part) != new.schema(part)
                same = f" in shape ({old.schema(part)} -> {new.schema(part)})" if renamed else f" ({old.schema(part)})"
            lines.append(f"{part}: unchanged{same}")
            continue
        lines.append(label)
        for change in found:
            mark = _MARKS.get(change.kind, "~")
            detail = f": {change.detail}" if change.detail else ""
            lines.append(f"  {mark} {change.name} {change.kind}{detail}")
            lines.append(f"      handlers (writers): {change.writers}; readers of the table: {change.readers}")
    lines.append(
        f"breaking for handlers: {'yes' if diff.breaking_for('writers') else 'no'}; "
        f"for readers of the table: {'yes' if diff.breaking_for('readers') else 'no'}"
    )
    return "\n".join(lines)
