"""The SAM template deploys what the latest contract says: the table the harness creates (its index
included), the variables the handler reads, one function per route with an IAM grant of exactly the
calls the contract allows that route on that table alone, and the REQUEST authorizer in front of
$connect with the token's identity source."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from contract_tests.contracts import CONTRACTS
from contract_tests.contracts.authorizer import RING_VARIABLE
from contract_tests.gateway import TOKEN_PARAMETER
from contract_tests.oracle import TTL_VARIABLE
from contract_tests.sam_template import load_template
from contract_tests.tests.conftest import ROOT


def _template() -> dict[str, Any]:
    return load_template(ROOT / "template.yaml")


def _resource(kind: str, name: str | None = None) -> dict[str, Any]:
    """The properties of the template's one resource of ``kind`` (of that logical ``name``, when several)."""
    resources = _template()["Resources"]
    (properties,) = [r["Properties"] for n, r in resources.items() if r["Type"] == kind and name in (None, n)]
    return dict(properties)


LATEST = list(CONTRACTS.values())[-1]
#: Each route's function, by the logical name the template gives it.
FUNCTIONS = {"$connect": "ConnectFunction", "$disconnect": "DisconnectFunction", "heartbeat": "HeartbeatFunction"}


def _route(key: str) -> dict[str, Any]:
    (route,) = [
        r["Properties"]
        for r in _template()["Resources"].values()
        if r["Type"] == "AWS::ApiGatewayV2::Route" and r["Properties"]["RouteKey"] == key
    ]
    return dict(route)


def test_the_table_is_the_latest_contracts_table_definition() -> None:
    latest = LATEST.table
    table = _resource("AWS::DynamoDB::Table")
    assert table["KeySchema"] == [{"AttributeName": latest.key, "KeyType": "HASH"}]
    types = {latest.key: "S"} | {a: t for i in latest.indexes for a, t in ((i.partition, "S"), (i.sort, "N"))}
    assert table["AttributeDefinitions"] == [{"AttributeName": a, "AttributeType": t} for a, t in types.items()]
    assert table["GlobalSecondaryIndexes"] == [
        {
            "IndexName": index.name,
            "KeySchema": [
                {"AttributeName": index.partition, "KeyType": "HASH"},
                {"AttributeName": index.sort, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        for index in latest.indexes
    ]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": latest.ttl_attribute, "Enabled": True}


def test_every_route_has_its_function_and_nothing_else() -> None:
    routes = [r["Properties"]["RouteKey"] for r in _template()["Resources"].values() if r["Type"].endswith("::Route")]
    assert sorted(routes) == sorted(LATEST.routes) == sorted(FUNCTIONS)


@pytest.mark.parametrize("route", list(FUNCTIONS))
def test_each_routes_policy_grants_exactly_the_calls_the_contract_allows_it(route: str) -> None:
    function = _resource("AWS::Serverless::Function", FUNCTIONS[route])
    (policy,) = function["Policies"]
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == sorted(f"dynamodb:{operation}" for operation in LATEST.routes[route])
    assert statement["Resource"] == {"Fn::GetAtt": ["ConnectionsTable", "Arn"]}


@pytest.mark.parametrize("route", list(FUNCTIONS))
def test_each_function_gets_the_variables_the_contract_names_and_a_real_entry_point(route: str) -> None:
    function = _resource("AWS::Serverless::Function", FUNCTIONS[route])
    variables = function["Environment"]["Variables"]
    assert variables["CONNECTIONS_TABLE"] == {"Ref": "ConnectionsTable"}
    assert TTL_VARIABLE in variables
    module, _, name = function["Handler"].rpartition(".")
    source = ROOT / function["CodeUri"] / f"{module}.py"
    defined = {node.name for node in ast.parse(source.read_text()).body if isinstance(node, ast.FunctionDef)}
    assert name in defined and name.endswith(f"_{LATEST.name}")


@pytest.mark.parametrize("route", list(FUNCTIONS))
def test_each_route_reaches_its_function(route: str) -> None:
    assert _resource("AWS::ApiGatewayV2::Api")["ProtocolType"] == "WEBSOCKET"
    target = _route(route)["Target"]["Fn::Sub"].removeprefix("integrations/${").removesuffix("}")
    integration = _resource("AWS::ApiGatewayV2::Integration", target)
    assert f"${{{FUNCTIONS[route]}.Arn}}" in integration["IntegrationUri"]["Fn::Sub"]
    permission = next(
        r["Properties"]
        for r in _template()["Resources"].values()
        if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["FunctionName"] == {"Ref": FUNCTIONS[route]}
    )
    assert permission["SourceArn"]["Fn::Sub"].endswith(f"/*/{route}")


def test_the_connect_route_is_behind_the_reference_authorizer_reading_the_query_token() -> None:
    assert "AuthorizationType" not in _route("$disconnect") and "AuthorizationType" not in _route("heartbeat")
    route = _route("$connect")
    assert (route["AuthorizationType"], route["AuthorizerId"]) == ("CUSTOM", {"Ref": "ConnectAuthorizer"})
    authorizer = _resource("AWS::ApiGatewayV2::Authorizer")
    assert authorizer["AuthorizerType"] == "REQUEST"
    assert authorizer["IdentitySource"] == [f"route.request.querystring.{TOKEN_PARAMETER}"]
    assert "${AuthorizerFunction.Arn}" in authorizer["AuthorizerUri"]["Fn::Sub"]
    function = _resource("AWS::Serverless::Function", "AuthorizerFunction")
    assert function["Handler"] == "authorizer.lambda_handler" and "Policies" not in function
    assert function["Environment"]["Variables"] == {RING_VARIABLE: {"Ref": "ConnectJwtKeys"}}
    assert _template()["Parameters"]["ConnectJwtKeys"]["NoEcho"] is True
    permission = _resource("AWS::Lambda::Permission", "AuthorizerPermission")
    assert permission["FunctionName"] == {"Ref": "AuthorizerFunction"}
    assert "/authorizers/${ConnectAuthorizer}" in permission["SourceArn"]["Fn::Sub"]


def test_the_functions_package_an_exact_jwt_library() -> None:
    """`sam build` installs reference_impl/requirements.txt: one exact PyJWT, as a deployment wants it."""
    lines = (ROOT / "reference_impl" / "requirements.txt").read_text().splitlines()
    assert [line for line in lines if line and not line.startswith("#")] == ["PyJWT==2.15.1"]
