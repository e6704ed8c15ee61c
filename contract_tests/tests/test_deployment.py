"""The SAM template deploys what the contract says: the table the harness creates, the variables the
handler reads, an IAM grant of exactly the calls clause 7 allows on that table alone, and the v4
REQUEST authorizer in front of $connect with the token's identity source."""

from __future__ import annotations

import ast
from typing import Any

import yaml

from contract_tests.clauses.aws_calls import ALLOWED_OPERATIONS
from contract_tests.contracts import CONTRACTS
from contract_tests.contracts.authorizer import RING_VARIABLE
from contract_tests.gateway import TOKEN_PARAMETER
from contract_tests.oracle import TTL_VARIABLE
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


def _resource(kind: str, name: str | None = None) -> dict[str, Any]:
    """The properties of the template's one resource of ``kind`` (of that logical ``name``, when several)."""
    resources = _template()["Resources"]
    (properties,) = [r["Properties"] for n, r in resources.items() if r["Type"] == kind and name in (None, n)]
    return dict(properties)


def test_the_table_is_the_latest_contracts_table_definition() -> None:
    latest = list(CONTRACTS.values())[-1].table
    table = _resource("AWS::DynamoDB::Table")
    assert table["KeySchema"] == [{"AttributeName": latest.key, "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": latest.key, "AttributeType": "S"}]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": latest.ttl_attribute, "Enabled": True}


def test_the_policy_grants_exactly_the_calls_clause_7_allows_on_that_table() -> None:
    function = _resource("AWS::Serverless::Function", "ConnectFunction")
    (policy,) = function["Policies"]
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == sorted(f"{service}:{operation}" for service, operation in ALLOWED_OPERATIONS)
    assert statement["Resource"] == {"GetAtt": "ConnectionsTable.Arn"}


def test_the_function_gets_the_variables_the_contract_names_and_a_real_entry_point() -> None:
    function = _resource("AWS::Serverless::Function", "ConnectFunction")
    variables = function["Environment"]["Variables"]
    assert variables["CONNECTIONS_TABLE"] == {"Ref": "ConnectionsTable"}
    assert TTL_VARIABLE in variables
    module, _, name = function["Handler"].rpartition(".")
    source = ROOT / function["CodeUri"] / f"{module}.py"
    defined = {node.name for node in ast.parse(source.read_text()).body if isinstance(node, ast.FunctionDef)}
    assert name in defined and name.endswith(f"_{list(CONTRACTS)[-1]}")


def test_the_connect_route_reaches_the_function() -> None:
    route = _resource("AWS::ApiGatewayV2::Route")
    assert route["RouteKey"] == "$connect"
    assert _resource("AWS::ApiGatewayV2::Api")["ProtocolType"] == "WEBSOCKET"
    assert "${ConnectFunction.Arn}" in _resource("AWS::ApiGatewayV2::Integration")["IntegrationUri"]["Sub"]


def test_the_connect_route_is_behind_the_reference_authorizer_reading_the_query_token() -> None:
    route = _resource("AWS::ApiGatewayV2::Route")
    assert (route["AuthorizationType"], route["AuthorizerId"]) == ("CUSTOM", {"Ref": "ConnectAuthorizer"})
    authorizer = _resource("AWS::ApiGatewayV2::Authorizer")
    assert authorizer["AuthorizerType"] == "REQUEST"
    assert authorizer["IdentitySource"] == [f"route.request.querystring.{TOKEN_PARAMETER}"]
    assert "${AuthorizerFunction.Arn}" in authorizer["AuthorizerUri"]["Sub"]
    function = _resource("AWS::Serverless::Function", "AuthorizerFunction")
    assert function["Handler"] == "authorizer.lambda_handler" and "Policies" not in function
    assert function["Environment"]["Variables"] == {RING_VARIABLE: {"Ref": "ConnectJwtKeys"}}
    assert _template()["Parameters"]["ConnectJwtKeys"]["NoEcho"] is True
    permission = _resource("AWS::Lambda::Permission", "AuthorizerPermission")
    assert permission["FunctionName"] == {"Ref": "AuthorizerFunction"}
    assert "/authorizers/${ConnectAuthorizer}" in permission["SourceArn"]["Sub"]


def test_the_functions_package_an_exact_jwt_library() -> None:
    """`sam build` installs reference_impl/requirements.txt: one exact PyJWT, as a deployment wants it."""
    lines = (ROOT / "reference_impl" / "requirements.txt").read_text().splitlines()
    assert [line for line in lines if line and not line.startswith("#")] == ["PyJWT==2.15.1"]
