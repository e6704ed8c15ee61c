"""The run's table read, emptied and given the harness's own items straight through moto's model, when
that model lives in this process (``moto``, in process or behind the server the gate starts): what a
Scan, a DeleteItem and a PutItem per item through botocore return and do, without serialising each call
both ways — the read-back after every example was a third of a check's time, a router's fleet written
item by item a tenth of the gate's.

Items holding a binary attribute (anywhere, nested too) go through the client instead: moto keeps
binaries in more than one form, and only its own request and response paths convert them."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from contract_tests.backends.table import (
    KEY_ATTRIBUTE,
    TableGone,
    TypedItem,
    canonical_item,
    clear_table,
    put_item,
    scan_items,
)

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


def _holds_binary(value: Any) -> bool:
    """Whether a typed attribute value as an SDK sends it (``{"B": ...}``, nested too) holds a binary."""
    if isinstance(value, dict):
        return any(kind in ("B", "BS") or _holds_binary(inner) for kind, inner in value.items())
    if isinstance(value, list):
        return any(_holds_binary(inner) for inner in value)
    return False


def write_item(client: DynamoDBClient, region: str, name: str, item: TypedItem) -> None:
    """Write ``item`` as PutItem does: moto's own checks of the item and its key, then its model."""
    from moto.dynamodb.exceptions import MockValidationException
    from moto.dynamodb.responses import (
        validate_put_has_empty_attrs,
        validate_put_has_empty_keys,
        validate_put_has_gsi_keys_set_to_none,
    )

    table = _table(region, name)
    if table is None or _holds_binary(item):
        put_item(client, name, item)
        return
    written = copy.deepcopy(item)  # moto keeps parts of what it is given; the caller keeps the item
    try:
        # PutItem's own checks, as moto's request path makes them
        validate_put_has_empty_keys(written, table)
        validate_put_has_empty_attrs(written, table)
        validate_put_has_gsi_keys_set_to_none(written, table)
        table.put_item(written, overwrite=True)
    except MockValidationException:
        put_item(client, name, item)  # for the error the client reports
