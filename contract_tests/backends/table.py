"""The run's connections table: created from the project's table definition, read back typed."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from contract_tests.errors import BackendError
from contract_tests.table_definition import TableDefinition

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TypedItem = dict[str, Any]

KEY_ATTRIBUTE = "connectionId"


def run_table_name() -> str:
    """A fresh name per run, so a handler with a hard-coded table name is caught."""
    return f"connect-contract-{uuid.uuid4().hex[:12]}"


def create_table(client: DynamoDBClient, name: str, definition: TableDefinition | None = None) -> None:
    """Create ``name`` from ``definition`` (on-demand, String key, its indexes, TTL if it has one) and wait until it
    is active."""
    definition = definition or TableDefinition()
    types: dict[str, Literal["S", "N"]] = {definition.key: "S"}
    for index in definition.indexes:
        types.update({index.partition: "S", index.sort: "N"})
    indexes: dict[str, Any] = {}
    if definition.indexes:
        indexes["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition, "KeyType": "HASH"},
                    {"AttributeName": index.sort, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in definition.indexes
        ]
    try:
        client.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": attribute, "AttributeType": kind} for attribute, kind in types.items()
            ],
            KeySchema=[{"AttributeName": definition.key, "KeyType": "HASH"}],
            **indexes,
        )
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        if definition.ttl_attribute:
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": definition.ttl_attribute},
            )
    except (BotoCoreError, ClientError) as error:
        raise BackendError(f"could not create table {name!r}: {error}") from error
    if definition.ttl_attribute:
        _require_ttl(client, name, definition.ttl_attribute)


def _require_ttl(client: DynamoDBClient, name: str, attribute: str) -> None:
    """DescribeTimeToLive must show TTL on ``attribute``: a backend that ignores it cannot judge expiry."""
    try:
        described = client.describe_time_to_live(TableName=name).get("TimeToLiveDescription", {})
    except (BotoCoreError, ClientError) as error:
        raise BackendError(f"could not read the TTL setting of table {name!r}: {error}") from error
    if described.get("TimeToLiveStatus") not in ("ENABLING", "ENABLED") or described.get("AttributeName") != attribute:
        raise BackendError(f"table {name!r} was created with TTL on {attribute!r}, but the backend reports {described}")


def put_item(client: DynamoDBClient, name: str, item: TypedItem) -> None:
    try:
        client.put_item(TableName=name, Item=item)
    except (BotoCoreError, ClientError) as error:
        raise BackendError(f"could not write to table {name!r}: {error}") from error


class TableGone(BackendError):
    """The run's table no longer exists: the handler deleted it (a verdict, unlike other backend errors)."""


def _is_missing_table(error: BotoCoreError | ClientError) -> bool:
    return isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") == "ResourceNotFoundException"


def delete_table(client: DynamoDBClient, name: str) -> None:
    """Delete the run's table; one that is already gone needs nothing more."""
    try:
        client.delete_table(TableName=name)
    except (BotoCoreError, ClientError) as error:
        if _is_missing_table(error):
            return
        raise BackendError(f"could not delete table {name!r}: {error}") from error


def canonical_number(text: str) -> str:
    """A Number as DynamoDB returns it: ``0012.50`` reads back as ``12.5``; moto keeps what was sent."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if not value.is_finite():
        return text
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def canonical_item(item: TypedItem) -> TypedItem:
    """``item`` with every top-level Number in DynamoDB's canonical form, so verdicts agree across backends."""
    return {name: {"N": canonical_number(value["N"])} if set(value) == {"N"} else value for name, value in item.items()}


def scan_items(client: DynamoDBClient, name: str) -> list[TypedItem]:
    """Every item in ``name``, strongly consistent, in DynamoDB's typed JSON (Numbers canonical)."""
    items: list[TypedItem] = []
    kwargs: dict[str, Any] = {"TableName": name, "ConsistentRead": True}
    try:
        while True:
            page = client.scan(**kwargs)
            items.extend(canonical_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    except (BotoCoreError, ClientError) as error:
        if _is_missing_table(error):
            raise TableGone(f"table {name!r} no longer exists") from error
        raise BackendError(f"could not read table {name!r}: {error}") from error


def clear_table(client: DynamoDBClient, name: str, items: list[TypedItem]) -> None:
    """Delete ``items`` (as scanned) so the next example starts from an empty table."""
    try:
        for item in items:
            if KEY_ATTRIBUTE in item:
                client.delete_item(TableName=name, Key={KEY_ATTRIBUTE: item[KEY_ATTRIBUTE]})
    except (BotoCoreError, ClientError) as error:
        raise BackendError(f"could not clear table {name!r}: {error}") from error
