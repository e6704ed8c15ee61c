"""The read-back straight from moto's model is what a Scan through botocore returns, item for item and
in the same order, whatever the attribute types; it deletes what a DeleteItem per item deletes, and
writes what a PutItem writes, refusing what PutItem refuses."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from contract_tests.backends import BackendOptions
from contract_tests.backends.moto_inprocess import MotoInProcess
from contract_tests.backends.moto_model import delete_items, read_items, write_item
from contract_tests.backends.table import TableGone, create_table, put_item, scan_items
from contract_tests.errors import BackendError
from contract_tests.table_definition import TableDefinition

REGION = "eu-west-1"
TABLE = "connect-contract-model-read"
PLAIN = [
    {"connectionId": {"S": "b="}, "createdAt": {"N": "1.50"}, "clientId": {"S": "ü ✓"}},
    {"connectionId": {"S": "a="}, "createdAt": {"N": "00017"}, "ttl": {"N": "-0"}},
    {
        "connectionId": {"S": "c="},
        "query": {"M": {"n": {"N": "2.0"}, "l": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": False}]}}},
        "tags": {"SS": ["b", "a"]},
        "sizes": {"NS": ["3", "1.0"]},
        "empty": {"M": {}},
    },
    {
        "connectionId": {"S": "e="},
        "deep": {
            "L": [
                {"M": {"sets": {"M": {"s": {"SS": ["x"]}, "n": {"NS": ["1.10", "-2"]}}}}},
                {"L": [{"N": "1e2"}, {"S": ""}, {"M": {"z": {"BOOL": True}}}]},
            ]
        },
        "blank": {"S": ""},
        "nothing": {"NULL": True},
    },
]
BINARY = {"connectionId": {"S": "d="}, "raw": {"B": b"\x00\xff"}, "nested": {"M": {"b": {"BS": [b"\x01"]}}}}


@pytest.fixture
def client() -> Iterator[Any]:
    with MotoInProcess(BackendOptions(region=REGION)) as backend:
        client = backend.client()
        create_table(client, TABLE, TableDefinition())
        yield client


@pytest.mark.parametrize("items", [PLAIN, [*PLAIN, BINARY]], ids=["plain", "with-binary"])
def test_the_model_read_is_the_scan(client: Any, items: list[dict[str, Any]]) -> None:
    for item in items:
        client.put_item(TableName=TABLE, Item=item)
    assert read_items(client, REGION, TABLE) == scan_items(client, TABLE)
    assert len(read_items(client, REGION, TABLE)) == len(items)


def test_delete_leaves_what_it_was_not_given_and_a_deleted_table_is_gone(client: Any) -> None:
    for item in PLAIN:
        client.put_item(TableName=TABLE, Item=item)
    read = read_items(client, REGION, TABLE)
    delete_items(client, REGION, TABLE, read[:2])
    assert scan_items(client, TABLE) == read[2:]
    client.delete_table(TableName=TABLE)
    with pytest.raises(TableGone):
        read_items(client, REGION, TABLE)


@pytest.mark.parametrize("items", [PLAIN, [*PLAIN, BINARY]], ids=["plain", "with-binary"])
def test_the_model_write_is_the_put_item(client: Any, items: list[dict[str, Any]]) -> None:
    create_table(client, "put-through-the-client", TableDefinition())
    written = copy.deepcopy(items)
    for item in written:
        write_item(client, REGION, TABLE, item)
        client.put_item(TableName="put-through-the-client", Item=item)
    assert scan_items(client, TABLE) == scan_items(client, "put-through-the-client")
    written[2]["query"]["M"]["n"]["N"] = "99"  # the caller's item stays its own
    assert scan_items(client, TABLE) == scan_items(client, "put-through-the-client")
    write_item(client, REGION, TABLE, {**PLAIN[0], "createdAt": {"N": "2"}})  # a put replaces the item whole
    assert {"connectionId": {"S": "b="}, "createdAt": {"N": "2"}, "clientId": {"S": "ü ✓"}} in scan_items(client, TABLE)


@pytest.mark.parametrize(
    "item",
    [{"connectionId": {"S": ""}}, {"createdAt": {"N": "1"}}, {"connectionId": {"N": "1"}}],
    ids=["empty-key", "no-key", "key-of-another-type"],
)
def test_the_model_write_refuses_what_put_item_refuses(client: Any, item: dict[str, Any]) -> None:
    with pytest.raises(BackendError) as through_the_client:
        put_item(client, TABLE, item)
    with pytest.raises(BackendError) as through_the_model:
        write_item(client, REGION, TABLE, item)
    assert str(through_the_model.value) == str(through_the_client.value)
    assert scan_items(client, TABLE) == []
