"""The router contract: correct routers written three ways conform on every backend, each wrong one fails
the clause it breaks, AWS's chat sample adapted is caught by name; the management API, the Query page
cut and the liveness judgement on their own."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from contract_tests.clauses.judgement import Violation
from contract_tests.clauses.router_checks import require_routed, why_not_live
from contract_tests.contract_schemas import errors
from contract_tests.contracts import ROUTER_CONTRACTS
from contract_tests.management_api import GONE, RESET, ManagementApi
from contract_tests.observation import Invocation, Observation, RouterRun
from contract_tests.observers.botocore_hooks import HookChannel, install_hooks
from contract_tests.observers.proxy import ProxyChannel
from contract_tests.router_fleets import HERE, Agent, RouterCase, event_of, invalid_examples, item_of, mixed_fleet
from contract_tests.steps import Facts
from contract_tests.tests.conftest import (
    HANDLERS,
    RunningBackend,
    caught_clause,
    clause_options,
    sampled_on_other_backends,
)

pytestmark = pytest.mark.contract_versions

ROUTER = ROUTER_CONTRACTS["router"]
REFERENCE = "reference_impl/router.py:lambda_handler"
WRONG = sorted((HANDLERS / "wrong" / "router").glob("*.py")) + sorted(
    (HANDLERS / "nodejs" / "wrong" / "router").glob("*.mjs")
)


@pytest.mark.parametrize(
    ("handler", "variant", "deployed"),
    [
        # no router clause needs DynamoDB Local's own TTL sweep: judged on LocalStack, its engine
        pytest.param(
            REFERENCE,
            None,
            (),
            id="reference",
            marks=[pytest.mark.later_reference, pytest.mark.judged_on_localstack],
        ),
        # ``variant``: the clauses reading what its own queries get back from the backend
        pytest.param(
            f"{HANDLERS / 'router' / 'correct_router_resource_api.py'}:handler",
            ("delivery", "pruning", "clock-edges"),  # a filter expression the backend evaluates
            (),
            id="resource-api-manual-pages-filter-expression-threads",
            marks=[pytest.mark.handler_variant, pytest.mark.judged_on_localstack],
        ),
        pytest.param(
            f"{HANDLERS / 'nodejs' / 'correct_router.mjs'}:handler",
            ("delivery", "pruning"),  # the SDK's paginator over the backend's pages
            # its SDK tries a post reset or answered 5xx up to three times, with back-off, in an invocation
            # that also loads the management client: on a machine as busy as the suite makes it,
            # post-failures' scripted fleet once took more than Lambda's default 3 s
            ("--timeout", "10"),
            id="nodejs-sdk-v3-paginator-concurrent-posts",
            marks=[pytest.mark.handler_variant, pytest.mark.judged_on_localstack],
        ),
        pytest.param(
            f"{HANDLERS / 'nodejs_sdk_v2' / 'correct_router.js'}:handler",
            None,
            # it posts one after another, and its SDK retries a failing post three times whatever
            # AWS_MAX_ATTEMPTS says (up to 0.7 s of back-off each): post-failures' scripted fleet, four
            # connections failing, can need more than Lambda's default 3 s, on Lambda too
            ("--timeout", "10"),
            # its SDK retries a failing DeleteItem ten times whatever AWS_MAX_ATTEMPTS says: prune-failure's
            # failure must reach it at once, as it reaches the SDKs told one attempt
            id="nodejs-sdk-v2-chat-sample-style",
            marks=pytest.mark.style_variant,
        ),
    ],
)
def test_correct_routers_conform(
    run_cli: Any, backend: RunningBackend, handler: str, variant: tuple[str, ...] | None, deployed: tuple[str, ...]
) -> None:
    asked = backend.conforming_clauses("router", variant)
    argv = ["--contract", "router", "--handler", handler, *deployed, *backend.cli_args, *clause_options(asked)]
    result = run_cli("check", *argv, "--examples", backend.conforming_examples(10))
    assert result.status == 0, result.out + result.err
    assert result.passed_clauses == (asked or [clause.id for clause in ROUTER.clauses])


def test_every_router_clause_has_two_wrong_routers() -> None:
    caught = [caught_clause(path) for path in WRONG]
    assert all(caught.count(clause.id) >= 2 for clause in ROUTER.clauses), caught


@pytest.mark.wrong_handler_matrix(sampled_on_other_backends(WRONG))
@pytest.mark.parametrize("path", WRONG, ids=lambda path: path.stem)
def test_wrong_routers_are_caught_by_their_clause(run_cli: Any, backend: RunningBackend, path: Path) -> None:
    clause = caught_clause(path)
    entry = "handler" if path.suffix == ".mjs" else "lambda_handler"
    argv = ["--contract", "router", "--handler", f"{path}:{entry}", *backend.cli_args, "--clause", clause]
    result = run_cli("check", *argv, "--examples", "20")
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == [clause], result.out


def test_the_chat_samples_send_is_caught_and_its_prune_names_the_id_it_deleted(run_cli: Any) -> None:
    """AWS's WebSocket chat sample's `sendmessage` (SDK v3), adapted to the router's event and table: it reads
    the index instead of scanning the whole table, filters live items, posts to CONNECTIONS_ENDPOINT and
    answers the counts. Its two defects are kept: `e.statusCode === 410` (SDK v3 errors carry the status in
    `$metadata.httpStatusCode`), so a gone connection is rethrown and the whole send fails; and its prune
    deletes another id than the gone one (the sample deletes the sender's, `event.requestContext.connectionId`;
    a directly invoked router has no sender, so the adaptation deletes the id its loop saw last)."""
    sample = HANDLERS / "nodejs" / "wrong" / "router"
    argv = ["--contract", "router", "--clause", "pruning", "--examples", "10"]
    faithful = run_cli("check", *argv, "--handler", f"{sample / 'pruning_chat_sample.mjs'}:handler")
    assert faithful.status == 1
    assert "the router failed on a valid event: GoneException" in faithful.out
    assert "→ 410" in faithful.out
    mended = run_cli("check", *argv, "--handler", f"{sample / 'pruning_deletes_another_id.mjs'}:handler")
    assert mended.status == 1
    assert (
        "deleted ScriptedAgent03='s item, which was no gone connection (POST @connections/ScriptedAgent03= → 200)"
        in (mended.out)
    )


def test_a_router_that_reads_one_page_is_told_to_follow_last_evaluated_key(run_cli: Any) -> None:
    path = HANDLERS / "wrong" / "router" / "delivery_first_page_only.py"
    result = run_cli("check", "--contract", "router", "--handler", f"{path}:lambda_handler", "--clause", "delivery")
    assert "the router made 1 Query call" in result.out
    assert "follow LastEvaluatedKey" in result.out


def test_a_fleet_is_written_once_the_router_is_warm(run_cli: Any, failures_dir: Path, tmp_path: Path) -> None:
    """An agent expiring at the second of the write shows an inclusive expiry only if the router reads its
    clock in that second: a cold start (here over a second of imports) taken between the write and the
    invocation let the inclusive router pass the explicit cases and every replay of a saved one."""
    wrong = HANDLERS / "wrong" / "router" / "clock_edges_expiry_inclusive.py"
    slow = tmp_path / "slow_to_start.py"
    slow.write_text(f"import time\n\ntime.sleep(1.2)\n{wrong.read_text()}")
    handler = ["--handler", f"{slow}:lambda_handler"]
    checked = run_cli("check", "--contract", "router", *handler, "--clause", "clock-edges", "--examples", "5")
    assert checked.failed_clauses == ["clock-edges"], checked.out
    replayed = run_cli("replay", *handler, "--failures-dir", str(failures_dir))
    assert replayed.status == 1, replayed.out + replayed.err


def test_a_router_runs_in_process_too(run_cli: Any) -> None:
    argv = ["--contract", "router", "--handler", REFERENCE, "--runtime", "inprocess", "--examples", "10"]
    assert run_cli("check", *argv).status == 0
    wrong = HANDLERS / "wrong" / "router" / "aws_calls_scans.py"
    argv = ["--contract", "router", "--handler", f"{wrong}:lambda_handler", "--runtime", "inprocess"]
    result = run_cli("check", *argv, "--clause", "aws-calls")
    assert result.failed_clauses == ["aws-calls"]
    assert "never Scan" in result.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--env", "CONNECTIONS_ENDPOINT=https://x.execute-api.us-east-1.amazonaws.com/prod"], "is the gate's"),
        (["--env", "CONNECTION_IDLE_SECONDS=ten"], "is not a whole number of seconds"),
        (
            ["--route", "heartbeat=reference_impl/router.py:lambda_handler"],
            "has no route 'heartbeat'; it binds one router and no route",
        ),
        (["--authorizer", "reference_impl/authorizer.py:lambda_handler"], "has no authorizer in front"),
    ],
)
def test_router_usage_errors_exit_2(run_cli: Any, argv: list[str], message: str) -> None:
    result = run_cli("check", "--contract", "router", "--handler", REFERENCE, *argv)
    assert result.status == 2
    assert message in result.err


# ---- the management API ------------------------------------------------------------------------


def _request(url: str, method: str = "POST", body: bytes = b"{}") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body if method == "POST" else None, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_management_api_answers_as_scripted_and_records_every_request() -> None:
    api = ManagementApi()
    base = api.url(sandboxed=False)
    try:
        with api.scripting({"flaky=": [500, 200], "gone=": [GONE], "cut=": [RESET]}) as attempts:
            assert _request(f"{base}/@connections/flaky=")[0] == 500
            assert _request(f"{base}/@connections/flaky=")[0] == 200
            assert _request(f"{base}/@connections/flaky=")[0] == 200  # the last answer repeats
            status, headers, _ = _request(f"{base}/@connections/gone%3D")
            assert (status, headers["x-amzn-ErrorType"]) == (410, "GoneException")
            assert _request(f"{base}/@connections/never-scripted=")[0] == 410
            assert _request(f"{base}/@connections/flaky=", "GET")[0] == 200
            assert _request(base.rsplit("/", 1)[0] + "/other-stage/@connections/flaky=")[0] == 403
            with pytest.raises(OSError):
                _request(f"{base}/@connections/cut=")
    finally:
        api.close()
    assert [str(attempt) for attempt in attempts] == [
        "POST @connections/flaky= → 500",
        "POST @connections/flaky= → 200",
        "POST @connections/flaky= → 200",
        "POST @connections/gone= → 410",
        "POST @connections/never-scripted= → 410",
        "GET @connections/flaky= → 200",
        "POST @connections/ → 403",
        "POST @connections/cut= → reset",
    ]


def test_boto3_reads_a_gone_connection_as_gone_exception() -> None:
    api = ManagementApi()
    client = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=api.url(sandboxed=False),
        region_name="us-east-1",
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=Config(retries={"total_max_attempts": 1}),
    )
    try:
        with api.scripting({"live=": [200]}) as attempts:
            client.post_to_connection(ConnectionId="live=", Data=b'{"a": 1}')
            with pytest.raises(client.exceptions.GoneException):
                client.post_to_connection(ConnectionId="gone=", Data=b"{}")
    finally:
        api.close()
    assert attempts[0].body == b'{"a": 1}'


# ---- the Query page the gate lets through --------------------------------------------------------


def _fleet_table(client: Any, table: str, size: int) -> None:
    client.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "connectionId", "AttributeType": "S"},
            {"AttributeName": "accountRegion", "AttributeType": "S"},
            {"AttributeName": "createdAt", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "connectionId", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byAccountRegion",
                "KeySchema": [
                    {"AttributeName": "accountRegion", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    for index in range(size):
        item = item_of(Agent(f"agent{index:02d}="), ("123456789012", "us-east-1"), 1_796_000_000_000 + index)
        client.put_item(TableName=table, Item=item)


def _pages(client: Any, table: str, **extra: Any) -> list[int]:
    pages = client.get_paginator("query").paginate(
        TableName=table,
        IndexName="byAccountRegion",
        KeyConditionExpression="accountRegion = :p",
        ExpressionAttributeValues={":p": {"S": "123456789012#us-east-1"}},
        **extra,
    )
    return [len(page["Items"]) for page in pages]


def test_the_proxy_cuts_every_query_page_and_the_pages_still_hold_every_item() -> None:
    from contract_tests.backends import BackendOptions, make_backend

    with make_backend("moto-server", BackendOptions()) as backend:
        endpoint = backend.endpoint_url()
        assert endpoint
        keys = {"region_name": "us-east-1", "aws_access_key_id": "a", "aws_secret_access_key": "b"}
        _fleet_table(boto3.client("dynamodb", endpoint_url=endpoint, **keys), "fleet", 10)
        channel = ProxyChannel(endpoint, query_page=4)
        try:
            client = boto3.client("dynamodb", endpoint_url=channel.url, **keys)
            assert _pages(client, "fleet") == [4, 4, 2]
            assert _pages(client, "fleet", PaginationConfig={"PageSize": 3}) == [3, 3, 3, 1]  # its own smaller page
        finally:
            channel.close()


def test_the_botocore_hooks_cut_every_query_page_in_process() -> None:
    from moto import mock_aws

    install_hooks()  # as a check's first in-process environment does
    with mock_aws():
        client = boto3.session.Session().client("dynamodb", region_name="us-east-1")
        _fleet_table(client, "fleet", 9)
        with HookChannel(query_page=4).recording() as calls:
            assert _pages(client, "fleet") == [4, 4, 1]
        assert _pages(client, "fleet") == [9]  # outside a recording window, nothing is cut
    assert [(call.operation, call.index) for call in calls] == [("Query", "byAccountRegion")] * 3


# ---- the judgement on its own ------------------------------------------------------------------


def test_liveness_is_the_contracts_at_the_edges() -> None:
    event = event_of("123456789012", "us-east-1", {})
    now = 1_796_000_000_500

    def item(expires_in_s: int, silent_ms: int) -> dict[str, Any]:
        return item_of(Agent("a=", HERE, expires_in_s, silent_ms), ("123456789012", "us-east-1"), now)

    assert why_not_live(item(1, 0), event, 600, now) is None
    assert "at the very second" in str(why_not_live(item(0, 0), event, 600, now))
    assert why_not_live(item(60, 600_000), event, 600, now) is None
    assert "longer than the idle window of 600 s" in str(why_not_live(item(60, 600_001), event, 600, now))
    assert why_not_live(item(60, 600_001), event, 3600, now) is None
    other = item_of(Agent("b=", "another account"), ("123456789012", "us-east-1"), now)
    assert "not '123456789012#us-east-1'" in str(why_not_live(other, event, 600, now))


def _run(case: RouterCase, posted: dict[str, int], answer: Any, started_ms: int, finished_ms: int) -> RouterRun:
    from contract_tests.management_api import Attempt

    given = [item_of(agent, case.home, started_ms - 1) for agent in case.agents]
    invocation = Invocation(response=answer, started_ms=started_ms, finished_ms=finished_ms)
    attempts = [
        Attempt("POST", key, f"/production/@connections/{key}", b"{}", status) for key, status in posted.items()
    ]
    return RouterRun(Observation(invocation, items=given), given, attempts)


def test_an_agent_whose_liveness_changes_during_the_invocation_may_go_either_way() -> None:
    """It expires at the second after the invocation started, and the invocation ends in that second."""
    started = 1_796_000_000_900
    case = RouterCase(event_of("123456789012", "us-east-1", {}), (Agent("edge=", HERE, 1, 0),))
    facts = Facts(1, table="t")
    require_routed(
        case,
        _run(case, {"edge=": 200}, {"delivered": 1, "pruned": 0, "failed": 0}, started, started + 200),
        ROUTER,
        facts,
    )
    require_routed(
        case, _run(case, {}, {"delivered": 0, "pruned": 0, "failed": 0}, started, started + 200), ROUTER, facts
    )
    with pytest.raises(Violation, match="answered"):
        require_routed(
            case, _run(case, {}, {"delivered": 1, "pruned": 0, "failed": 0}, started, started + 200), ROUTER, facts
        )


def test_generated_events_fit_or_break_the_event_schema_as_they_claim() -> None:
    assert errors("router/event", mixed_fleet()["event"]) == []
    assert all(errors("router/event", case["event"]) for case in invalid_examples())
    assert json.loads(json.dumps(RouterCase.of(mixed_fleet()).plain())) == mixed_fleet()


def test_the_projects_template_names_its_router(run_cli: Any, tmp_path: Path) -> None:
    """The router is the template's one function whose Environment sets CONNECTIONS_ENDPOINT (the gate's own)."""
    template = HANDLERS.parents[1] / "template.yaml"
    result = run_cli("check", "--contract", "router", "--template", str(template), "--examples", "5")
    assert result.status == 0, result.out + result.err
    assert "reference_impl/router.py:lambda_handler" in result.out
    without = tmp_path / "template.yaml"
    text = template.read_text(encoding="utf-8")
    without.write_text(text.replace("CONNECTIONS_ENDPOINT:", "MANAGEMENT_URL:"), encoding="utf-8")
    result = run_cli("check", "--contract", "router", "--template", str(without))
    assert result.status == 2
    assert "the router is the one function whose Environment sets CONNECTIONS_ENDPOINT; none does" in result.err
