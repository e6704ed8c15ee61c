"""Contract v5, the connection's life: `$disconnect`, the heartbeat route, the routing attributes; one
function for every route or one per route (``--route``); the oracle's decisions on their own."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from contract_tests.contract_schemas import errors
from contract_tests.contracts import CONTRACTS
from contract_tests.oracle import RoutingOracle, heartbeat_body_problem
from contract_tests.route_events import HEARTBEAT_BODIES, NOT_HEARTBEATS, fixed_disconnect, fixed_heartbeat, stored_item
from contract_tests.tests.conftest import HANDLERS, RunningBackend, clause_options

pytestmark = pytest.mark.contract_versions

V5 = CONTRACTS["v5"]
ROUTES = HANDLERS / "v5_routes"
REFERENCE = "reference_impl.handler:lambda_handler_v5"
#: The clauses v5 adds, run on their own where the v4 clauses before them add nothing to the test.
NEW_CLAUSES = [clause.id for clause in V5.clauses if clause.number >= 16]


def _as_three_functions(connect: str, disconnect: str, heartbeat: str) -> list[str]:
    return ["--handler", connect, "--route", f"$disconnect={disconnect}", "--route", f"heartbeat={heartbeat}"]


@pytest.mark.parametrize(
    ("handler", "variant"),
    [
        pytest.param(["--handler", REFERENCE], None, id="reference-one-function", marks=pytest.mark.later_reference),
        pytest.param(
            _as_three_functions(*(f"{ROUTES / name}.py:handler" for name in ("connect", "disconnect", "heartbeat"))),
            None,
            id="three-functions-resource-api-datetime",
            marks=pytest.mark.style_variant,  # the reference's calls, in another style
        ),
        pytest.param(
            ["--handler", f"{HANDLERS / 'correct_v5_client_api.py'}:handler"],
            # conditional deletes and updates whose failures return the old item, evaluated by the backend
            ("disconnect", "heartbeat", "lifecycle"),
            id="route-table-return-values-on-failure",
            marks=[pytest.mark.handler_variant, pytest.mark.judged_on_localstack],
        ),
    ],
)
def test_correct_v5_handlers_conform(
    run_cli: Any, backend: RunningBackend, handler: list[str], variant: tuple[str, ...] | None
) -> None:
    """The reference as three functions, behind its authorizer, is the project's stack (test_template.py)."""
    asked = backend.conforming_clauses("v5", variant)
    argv = ["--contract", "v5", *handler, *backend.cli_args, "--examples", backend.conforming_examples(10)]
    result = run_cli("check", *argv, *clause_options(asked))
    assert result.status == 0, result.out + result.err
    assert result.failed_clauses == []
    if backend.name == "localstack":
        assert "expiry" in result.passed_clauses and "interleavings" in result.passed_clauses
    if backend.name == "dynamodb-local":
        assert set(result.passed_clauses) == set(asked) - {"expiry"} and "interleavings" in asked
        assert "never deletes expired items a table's sparse index leaves out" in result.out
    else:
        assert set(asked or NEW_CLAUSES) <= set(result.passed_clauses)


def test_dynamodb_local_never_expires_an_item_its_sparse_index_leaves_out(backend: RunningBackend) -> None:
    """Why expiry is not checked on DynamoDB Local for v5: measured here, so a release that fixes its TTL
    sweep fails this test, and the capability can come back."""
    if backend.name != "dynamodb-local":
        pytest.skip("a defect of DynamoDB Local's")
    from contract_tests.backends.base import plain_client
    from contract_tests.backends.table import create_table, delete_table, put_item, run_table_name, scan_items

    client, table = plain_client(backend.endpoint, "us-east-1"), run_table_name()
    create_table(client, table, V5.table)
    try:
        past = int(time.time()) - 10
        put_item(client, table, {**ITEM, "expiresAt": {"N": str(past)}})
        outside = {name: value for name, value in ITEM.items() if name not in ("account", "accountRegion")}
        put_item(client, table, {**outside, "connectionId": {"S": "outside"}, "expiresAt": {"N": str(past)}})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(scan_items(client, table)) > 1:
            time.sleep(1)
        time.sleep(5)  # the sweep that deleted the indexed item had every chance at the other one
        assert [item["connectionId"]["S"] for item in scan_items(client, table)] == ["outside"]
    finally:
        delete_table(client, table)


@pytest.mark.usefixtures("node_modules")
@pytest.mark.handler_variant
def test_a_node_v5_function_conforms_on_its_new_clauses(run_cli: Any, backend: RunningBackend) -> None:
    argv = ["--contract", "v5", "--handler", f"{HANDLERS / 'nodejs' / 'correct_v5.mjs'}:handler", *backend.cli_args]
    argv += clause_options(NEW_CLAUSES)
    result = run_cli("check", *argv, "--examples", backend.conforming_examples(20))
    assert result.status == 0, result.out + result.err
    assert result.passed_clauses == NEW_CLAUSES


def test_a_route_served_apart_is_judged_on_that_function(run_cli: Any) -> None:
    """The reference serves `$connect`; a wrong heartbeat function beside it fails heartbeat alone."""
    wrong = HANDLERS / "wrong" / "v5" / "heartbeat_unconditional.py"
    argv = _as_three_functions(REFERENCE, REFERENCE, f"{wrong}:handler")
    result = run_cli("check", "--contract", "v5", *argv, "--clause", "heartbeat", "--clause", "disconnect")
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == ["heartbeat"]
    assert "--route heartbeat=" in result.out.split("reproduce:")[1]


def test_split_functions_are_held_to_their_own_routes_grant(run_cli: Any) -> None:
    """One function may call what every route it serves may; a `$disconnect` function alone may not update."""
    marks_inactive = f"{HANDLERS / 'wrong' / 'v5' / 'disconnect_marks_inactive.py'}:handler"
    one = run_cli("check", "--contract", "v5", "--handler", marks_inactive, "--clause", "route-aws-calls")
    assert one.status == 0, one.out + one.err
    apart = run_cli(
        "check", "--contract", "v5", *_as_three_functions(REFERENCE, marks_inactive, REFERENCE),
        "--clause", "route-aws-calls",
    )  # fmt: skip
    assert apart.status == 1, apart.out + apart.err
    assert "dynamodb:UpdateItem" in apart.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--contract", "v4", "--route", "heartbeat=x.py:handler"], "contract v4 has no route 'heartbeat'"),
        (["--contract", "v5", "--route", "$connect=x.py:handler"], "`$connect` is served by --handler"),
        (["--contract", "v5", "--route", "ping=x.py:handler"], "its other routes: $disconnect, heartbeat"),
        (["--contract", "v5", "--route", "heartbeat"], "is not ROUTE=TARGET"),
        (
            ["--contract", "v5", "--route", "heartbeat=a.py:handler", "--route", "heartbeat=b.py:handler"],
            "--route heartbeat=… is given twice",
        ),
    ],
    ids=["route-on-v4", "connect-route", "unknown-route", "no-target", "twice"],
)
def test_route_usage_errors_exit_2(run_cli: Any, argv: list[str], message: str) -> None:
    result = run_cli("check", "--handler", REFERENCE, *argv)
    assert result.status == 2, result.out + result.err
    assert message in result.err
    assert "Traceback" not in result.err


# ---- the schemas and the oracle --------------------------------------------------------------

ITEM = stored_item(
    "L0SM9cOFvHcCIhw=", account="000000000042", region="eu-west-1", created_ms=1796000000000, seen_ms=1796000000000
)


def test_the_v5_item_holds_account_region_exactly_when_both_are_stored() -> None:
    assert errors("v5/item", ITEM) == []
    without_region = {name: value for name, value in ITEM.items() if name != "region"}
    assert errors("v5/item", without_region)  # accountRegion without region
    without_key = {name: value for name, value in ITEM.items() if name != "accountRegion"}
    assert errors("v5/item", without_key)  # account and region without accountRegion
    assert errors("v5/item", {**ITEM, "accountRegion": {"S": "eu-west-1#000000000042"}})
    assert errors("v5/item", {**ITEM, "lastSeenAt": {"N": "1796000000"}})  # seconds


def test_generated_route_events_fit_their_schemas() -> None:
    assert errors("v5/disconnect-event", fixed_disconnect()) == []
    assert errors("v5/heartbeat-event", fixed_heartbeat()) == []
    assert errors("connect-event", fixed_heartbeat())  # no $connect event: a routeKey, a body


def test_heartbeat_bodies_fall_on_the_side_they_claim() -> None:
    assert [body for body in HEARTBEAT_BODIES if heartbeat_body_problem(body)] == []
    assert [body for body in NOT_HEARTBEATS if heartbeat_body_problem(body) is None] == []
    assert heartbeat_body_problem(json.dumps({"action": "heartbeat", "extra": [1, 2]})) is None


@pytest.mark.parametrize(
    ("seen_ms", "required"),
    [(None, True), (999, True), (1000, None), (1499, None), (1500, False), (9999, False)],
    ids=["before-v5", "earlier", "at-start", "inside", "at-end", "newer"],
)
def test_a_heartbeat_refreshes_unless_a_newer_one_landed_first(seen_ms: int | None, required: bool | None) -> None:
    """Invoked over [1000, 1500] ms: a stored reading before it must be refreshed, one after it kept, and
    one inside it may go either way (the handler's clock may read either side of it)."""
    stored = {"connectionId": {"S": "c"}} | ({"lastSeenAt": {"N": str(seen_ms)}} if seen_ms is not None else {})
    oracle = V5.oracle
    assert isinstance(oracle, RoutingOracle)
    refresh = oracle.refresh(stored, 1000, 1500, {})
    assert refresh.required is required
    assert (refresh.windows["lastSeenAt"].low, refresh.windows["lastSeenAt"].high) == (1000, 1500)


def test_v5_declares_its_routes_and_their_grants() -> None:
    assert list(V5.routes) == ["$connect", "$disconnect", "heartbeat"]
    assert V5.operations(["$disconnect"]) == {"DeleteItem", "GetItem"}
    assert V5.operations(V5.routes) == {"PutItem", "UpdateItem", "DeleteItem", "GetItem"}
    assert [(index.name, index.partition, index.sort) for index in V5.table.indexes] == [
        ("byAccountRegion", "accountRegion", "createdAt")
    ]


def test_interleavings_are_not_checked_in_process(run_cli: Any) -> None:
    """In process one invocation runs at a time: nothing can run while a write waits, so no verdict."""
    argv = ["--contract", "v5", "--handler", REFERENCE, "--runtime", "inprocess", "--clause", "interleavings"]
    result = run_cli("check", *argv)
    assert result.status == 0, result.out + result.err
    assert "[not checked] 22 interleavings" in result.out
    assert "not checked in process: the inprocess runtime cannot run a second invocation while one waits" in result.out


def test_other_routes_guarded_by_their_owner_conform(run_cli: Any) -> None:
    """Every event of a connection carries its client's authorizer context, also one that finds no item
    (a heartbeat before any connect of it in a lifecycle program): a handler checking it is no violator."""
    handler = f"{HANDLERS / 'correct_v5_owner_checked.py'}:handler"
    argv = ["--contract", "v5", "--handler", handler, *clause_options(NEW_CLAUSES)]
    result = run_cli("check", *argv, "--examples", "30", "--seed", "7")
    assert result.status == 0, result.out + result.err
    assert result.passed_clauses == NEW_CLAUSES


def test_an_item_a_heartbeat_refreshed_must_still_expire(run_cli: Any, backend: RunningBackend) -> None:
    """Under v5, clause 10 sends each connection a heartbeat before the sweep: a refresh in milliseconds
    keeps the item forever, which the backend's own sweep shows (LocalStack, the one that expires v5's)."""
    if backend.name != "localstack":
        pytest.skip("expiry of v5's items is proven on LocalStack (see the DynamoDB Local defect above)")
    wrong = f"{HANDLERS / 'wrong' / 'v5' / 'heartbeat_expires_in_ms.py'}:handler"
    result = run_cli("check", "--contract", "v5", "--handler", wrong, *backend.cli_args, "--clause", "expiry")
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == ["expiry"]
    assert "outlived their TTL" in result.out
