"""Where moto and LocalStack (DynamoDB Local) differ, pinned per backend; docs/backends.md lists each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from contract_tests.backends.base import plain_client
from contract_tests.backends.table import create_table, delete_table, run_table_name, scan_items
from contract_tests.tests.conftest import RunningBackend

FAITHFUL = {"moto": False, "moto-server": False, "localstack": True}


@pytest.fixture
def table(backend: RunningBackend) -> Iterator[tuple[Any, str]]:
    from moto import mock_aws

    with mock_aws() if backend.name == "moto" else _nothing():
        client = plain_client(backend.endpoint, "us-east-1")
        name = run_table_name()
        create_table(client, name)
        yield client, name
        delete_table(client, name)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_numbers_are_read_back_canonical(backend: RunningBackend, table: tuple[Any, str]) -> None:
    """DynamoDB returns 1731324924000 for 1731324924000.000; moto returns what was written."""
    client, name = table
    client.put_item(TableName=name, Item={"connectionId": {"S": "a"}, "createdAt": {"N": "001731324924000.000"}})
    raw = client.get_item(TableName=name, Key={"connectionId": {"S": "a"}})["Item"]["createdAt"]["N"]
    assert (raw == "1731324924000") is FAITHFUL[backend.name]
    [item] = scan_items(client, name)
    assert item["createdAt"] == {"N": "1731324924000"}, "the harness reads Numbers canonically on every backend"


def test_number_precision_is_capped_at_38_digits(backend: RunningBackend, table: tuple[Any, str]) -> None:
    client, name = table
    rejected = False
    try:
        client.put_item(TableName=name, Item={"connectionId": {"S": "b"}, "n": {"N": "1" * 39}})
    except ClientError as error:
        rejected = error.response["Error"]["Code"] == "ValidationException"
    assert rejected is FAITHFUL[backend.name]


def test_table_names_need_three_characters(backend: RunningBackend, table: tuple[Any, str]) -> None:
    client, _ = table
    rejected = False
    try:
        create_table(client, "ab")
        delete_table(client, "ab")
    except Exception as error:  # noqa: BLE001 - the harness wraps the ValidationException
        rejected = "ValidationException" in str(error)
    assert rejected is FAITHFUL[backend.name]


def test_reserved_words_are_rejected_everywhere(backend: RunningBackend, table: tuple[Any, str]) -> None:
    """REGION is a reserved word: an UpdateItem handler must alias it on every backend alike."""
    client, name = table
    with pytest.raises(ClientError, match="reserved keyword"):
        client.update_item(
            TableName=name,
            Key={"connectionId": {"S": "c"}},
            UpdateExpression="SET region = :r",
            ExpressionAttributeValues={":r": {"S": "us-east-1"}},
        )
