"""The run's table read and emptied straight from moto's model, when that model lives in this process
(``moto``, in process or behind the server the gate starts): what a Scan and a DeleteItem per item
through botocore return and do, without serialising each call both ways — the read-back after every
example was a third of a check's time.

Items holding a binary attribute (anywhere, nested too) are read through the client instead: moto keeps
binaries in more than one form, and only its own response path turns them into what an SDK returns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contract_tests.backends.table import KEY_ATTRIBUTE, TableGone, TypedItem, canonical_item, clear_table, scan_items

if TYPE_CHECKING:
    from moto.dynamodb.models.table import Table
    from mypy_boto3_dynamodb import DynamoDBClient


def _table(region: str, name: str) -> Table | None:
    """The table called ``name`` in ``region`` of whichever account moto keeps it in (a run's name is unique)."""
    from moto.dynamodb.models import dynamodb_backends

    for regions in list(dynamodb_backends.values()):
        backend = regions.get(region) if region in regions else None
        table = backend.tables.get(name) if backend is not None else None
        if table is not None:
            return table
    return None


def _has_binary(value: Any) -> bool:
    kind = getattr(value, "type", None)
    if kind in ("B", "BS"):
        return True
    inner = getattr(value, "value", None)
    if isinstance(inner, dict):
        return any(_has_binary(nested) for nested in inner.values())
    if isinstance(inner, list):
        return any(_has_binary(nested) for nested in inner)
    return False


def read_items(client: DynamoDBClient, region: str, name: str) -> list[TypedItem]:
    """Every item of ``name``, as ``scan_items`` returns them (same order: moto scans in key order)."""
    table = _table(region, name)
    if table is None:
        raise TableGone(f"table {name!r} no longer exists")
    items = list(table.all_items())
    if any(_has_binary(attribute) for item in items for attribute in item.attrs.values()):
        return scan_items(client, name)
    return [canonical_item(item.to_json()["Attributes"]) for item in items]


def delete_items(client: DynamoDBClient, region: str, name: str, items: list[TypedItem]) -> None:
    """Delete ``items`` (as read) by their key, as ``clear_table`` does with DeleteItem."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    table = _table(region, name)
    if table is None or table.range_key_attr is not None or table.hash_key_attr != KEY_ATTRIBUTE:
        clear_table(client, name, items)
        return
    for item in items:
        if KEY_ATTRIBUTE in item:
            table.delete_item(DynamoType(item[KEY_ATTRIBUTE]), None)
