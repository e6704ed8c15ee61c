"""The stored item's contract in the Open Data Contract Standard (ODCS v3), for data catalogs.

ODCS has no DynamoDB server type: the table is a ``custom`` server, DynamoDB's attribute types are
the properties' ``physicalType``, and the key and TTL attribute are custom properties.
"""

from __future__ import annotations

import json
from typing import Any

from contract_tests.contract_diff import attribute_facts, attribute_meaning, dynamodb_type
from contract_tests.contract_schemas import load_schema
from contract_tests.contracts import Contract

API_VERSION = "v3.1.0"
_LOGICAL = {"S": "string", "N": "integer"}


def _property(name: str, facts: set[tuple[str, str, str]], required: bool, key: str) -> dict[str, Any]:
    physical = dynamodb_type(facts)
    patterns = [json.loads(v) for rest, k, v in sorted(facts) if rest and k == "pattern"]
    entry: dict[str, Any] = {
        "name": name,
        "physicalName": name,
        "logicalType": _LOGICAL.get(physical, "string"),
        "physicalType": physical,
        "required": required,
        "description": attribute_meaning(facts),
    }
    if name == key:
        entry.update(primaryKey=True, primaryKeyPosition=1)
    if patterns:
        # Numbers travel as strings in DynamoDB's JSON: their pattern constrains that text.
        if physical == "S":
            entry["logicalTypeOptions"] = {"pattern": patterns[-1]}
        entry["customProperties"] = [{"property": "dynamodbPattern", "value": pattern} for pattern in patterns]
    return entry


def odcs_document(contract: Contract) -> dict[str, Any]:
    item = contract.schema("item")
    attributes, required = attribute_facts(item, annotations=True)
    table = contract.table
    custom = [{"property": "partitionKey", "value": table.key}, {"property": "billingMode", "value": "PAY_PER_REQUEST"}]
    if table.ttl_attribute:
        custom.append({"property": "timeToLiveAttribute", "value": table.ttl_attribute})
    custom += [
        {
            "property": "globalSecondaryIndex",
            "value": f"{index.name}: {index.partition} (S), sorted by {index.sort} (N)",
        }
        for index in table.indexes
    ]
    return {
        "apiVersion": API_VERSION,
        "kind": "DataContract",
        "id": f"urn:connect-contract:{contract.name}:connections",
        "name": "WebSocket connections",
        "version": f"{contract.name.removeprefix('v')}.0.0",
        "status": "active",
        "description": {
            "purpose": "One item per accepted API Gateway WebSocket connection, written by the $connect handler"
            + (", refreshed by heartbeats and deleted on $disconnect." if len(contract.routes) > 1 else "."),
            "usage": f"Check a handler with `connect-contract check --contract {contract.name}`.",
            "limitations": "DynamoDB deletes expired items lazily: readers filter on the TTL attribute themselves."
            if table.ttl_attribute
            else "Items are never deleted by the table.",
        },
        "servers": [
            {
                "server": "connections-table",
                "type": "custom",
                "description": "The Amazon DynamoDB table named by the function's CONNECTIONS_TABLE.",
                "customProperties": [{"property": "service", "value": "dynamodb"}, *custom],
            }
        ],
        "schema": [
            {
                "name": "connections",
                "physicalName": "CONNECTIONS_TABLE",
                "physicalType": "table",
                "logicalType": "object",
                "description": load_schema(item)["description"],
                "properties": [
                    _property(name, facts, name in required, table.key) for name, facts in sorted(attributes.items())
                ],
            }
        ],
    }
