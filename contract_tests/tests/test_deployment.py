"""The SAM template deploys what the contract says: the table the harness creates, the variables the
handler reads, and an IAM grant of exactly the calls clause 7 allows, on that table alone."""

from __future__ import annotations

import ast
from typing import Any

import yaml

from contract_tests.clauses.aws_calls import ALLOWED_OPERATIONS
from contract_tests.contracts import CONTRACTS
from contract_tests.expected import TTL_VARIABLE
from contract_tests.tests.conftest import ROOT


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags read as one-key mappings: ``!Ref X`` is ``{"Ref": "X"}``."""


_CloudFormationLoader.add_multi_constructor(
    "!",
    lambda loader, tag, node: {
        tag: loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node)
    },
)


def _template() -> dict[str, Any]:
    document: dict[str, Any] = yaml.load((ROOT / "template.yaml").read_text(), Loader=_CloudFormationLoader)
    return document


def _resource(kind: str) -> dict[str, Any]:
    (properties,) = [r["Properties"] for r in _template()["Resources"].values() if r["Type"] == kind]
    return dict(properties)


def test_the_table_is_the_latest_contracts_table_definition() -> None:
    latest = list(CONTRACTS.values())[-1].table
    table = _resource("AWS::DynamoDB::Table")
    assert table["KeySchema"] == [{"AttributeName": latest.key, "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": latest.key, "AttributeType": "S"}]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": latest.ttl_attribute, "Enabled": True}


def test_the_policy_grants_exactly_the_calls_clause_7_allows_on_that_table() -> None:
    function = _resource("AWS::Serverless::Function")
    (policy,) = function["Policies"]
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == sorted(f"{service}:{operation}" for service, operation in ALLOWED_OPERATIONS)
    assert statement["Resource"] == {"GetAtt": "ConnectionsTable.Arn"}


def test_the_function_gets_the_variables_the_contract_names_and_a_real_entry_point() -> None:
    function = _resource("AWS::Serverless::Function")
    variables = function["Environment"]["Variables"]
    assert variables["CONNECTIONS_TABLE"] == {"Ref": "ConnectionsTable"}
    assert TTL_VARIABLE in variables
    module, _, name = function["Handler"].rpartition(".")
    source = ROOT / function["CodeUri"] / f"{module}.py"
    defined = {node.name for node in ast.parse(source.read_text()).body if isinstance(node, ast.FunctionDef)}
    assert name in defined and name.endswith("_v3")


def test_the_connect_route_reaches_the_function() -> None:
    route = _resource("AWS::ApiGatewayV2::Route")
    assert route["RouteKey"] == "$connect"
    assert _resource("AWS::ApiGatewayV2::Api")["ProtocolType"] == "WEBSOCKET"
    assert "${ConnectFunction.Arn}" in _resource("AWS::ApiGatewayV2::Integration")["IntegrationUri"]["Sub"]
