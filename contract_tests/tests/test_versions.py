"""Contract versions built on v1 (v2 TTL, v3 validated inputs, v4 authenticated connects), the registry, diff."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests import strategies
from contract_tests.backends import BACKENDS, BackendOptions
from contract_tests.contract_schemas import errors
from contract_tests.contracts import CONTRACTS, contract_named
from contract_tests.gateway import Identity, authenticated, with_authorizer
from contract_tests.oracle import DEFAULT_TTL_SECONDS, TtlOracle
from contract_tests.tests.conftest import (
    HANDLERS,
    RunningBackend,
    caught_clause,
    clause_options,
    sampled_on_other_backends,
)

pytestmark = pytest.mark.contract_versions

EXAMPLES = "20"
VERSIONED_WRONG = sorted((HANDLERS / "wrong").glob("v*/*.py"))
REFERENCE = {"v1": "lambda_handler", "v2": "lambda_handler_v2", "v3": "lambda_handler_v3", "v4": "lambda_handler_v4"}
ITEM = {
    "connectionId": {"S": "L0SM9cOFvHcCIhw="},
    "createdAt": {"N": "1731324924000"},
    "clientId": {"S": "agent-7"},
    "expiresAt": {"N": "1731332124"},
}


def _expires(backend: RunningBackend) -> bool:
    return "ttl-expiry" in BACKENDS[backend.name].capabilities


# ---- the reference handler and handlers written differently --------------------------------


@pytest.mark.parametrize(
    ("contract", "target"),
    [
        pytest.param(
            "v2", f"reference_impl.handler:{REFERENCE['v2']}", id="reference-v2", marks=pytest.mark.superseded_version
        ),
        pytest.param(
            "v3", f"reference_impl.handler:{REFERENCE['v3']}", id="reference-v3", marks=pytest.mark.superseded_version
        ),
        pytest.param(
            "v4",
            f"reference_impl.handler:{REFERENCE['v4']} --authorizer reference_impl.authorizer:lambda_handler",
            id="reference-v4-behind-the-reference-authorizer",
            # v5's reference stores through the same code; an authorizer in front stores nothing
            marks=pytest.mark.superseded_version,
        ),
        pytest.param(
            "v2", f"{HANDLERS / 'correct_v2_datetime.py'}:handler", id="datetime-v2", marks=pytest.mark.style_variant
        ),
        pytest.param(
            "v3", f"{HANDLERS / 'correct_v3_no_regex.py'}:handler", id="no-regex-v3", marks=pytest.mark.style_variant
        ),
        pytest.param(
            "v4",
            f"{HANDLERS / 'correct_v4_resource_api.py'}:handler",
            id="validation-first-v4",
            marks=pytest.mark.style_variant,
        ),
    ],
)
def test_correct_handlers_conform_to_each_version(
    run_cli: Any, backend: RunningBackend, contract: str, target: str
) -> None:
    handler = target.split()  # a handler, and the authorizer in front of it (v4 end to end)
    argv = ["--contract", contract, "--handler", *handler, *backend.cli_args]
    argv += clause_options(backend.conforming_clauses(contract))
    argv += ["--examples", backend.conforming_examples(int(EXAMPLES))]
    result = run_cli("check", *argv)
    assert result.status == 0, result.out + result.err
    total = len(contract_named(contract).clauses)
    if backend.conforming_clauses(contract):
        assert result.failed_clauses == [] and {"item", "expiry"} <= set(result.passed_clauses), result.out
    elif _expires(backend):
        assert f"handler conforms to contract {contract}" in result.out
        assert f"{total} of {total} clauses checked: {total} passed" in result.out
    else:
        assert "[not checked] 10 expiry" in result.out
        assert f"{total - 1} of {total} clauses checked: {total - 1} passed, 0 failed, 1 not checked" in result.out


NODE_AUTHORIZER = ("--authorizer", f"{HANDLERS / 'nodejs' / 'authorizer.mjs'}:handler")


@pytest.mark.usefixtures("node_modules")
@pytest.mark.parametrize(
    ("contract", "source", "authorizer"),
    [
        pytest.param("v3", "correct_v3.mjs", (), id="v3", marks=pytest.mark.style_variant),
        pytest.param(
            "v4",
            "correct_v4.mjs",
            NODE_AUTHORIZER,
            id="v4-behind-the-jose-authorizer",
            marks=[pytest.mark.handler_variant, pytest.mark.judged_on_localstack],
        ),
    ],
)
def test_a_node_handler_conforms(
    run_cli: Any, backend: RunningBackend, contract: str, source: str, authorizer: tuple[str, ...]
) -> None:
    """JavaScript's regular expressions, clock and authorizer context, checked by the same clauses; on
    other backends, those reading what the SDK for JavaScript stores (the item, the client's identity) and
    how it meets the backend's errors."""
    target = f"{HANDLERS / 'nodejs' / source}:handler"
    asked = backend.conforming_clauses(contract, ("identity", "storage-failure"))
    argv = ["--contract", contract, "--handler", target, *authorizer, *backend.cli_args, *clause_options(asked)]
    argv += ["--examples", backend.conforming_examples(int(EXAMPLES))]
    result = run_cli("check", *argv)
    assert result.status == 0, result.out + result.err
    assert result.failed_clauses == []
    assert set(asked) - {"expiry"} <= set(result.passed_clauses)
    assert ("[not checked] 10 expiry" in result.out) != _expires(backend)


def test_a_v1_handler_checked_against_v2_fails_naming_expires_at(run_cli: Any) -> None:
    result = run_cli(
        "check", "--contract", "v2", "--handler", "reference_impl.handler:lambda_handler", "--clause", "item",
        "--examples", "5", "--runtime", "inprocess",
    )  # fmt: skip
    assert result.status == 1
    assert 'stored item breaks the v2 item schema (v2/item): <root>: "expiresAt" is missing' in result.out
    assert "--contract v2" in result.out.split("reproduce:")[1]


# ---- wrong handlers, each on the clause it breaks --------------------------------------------


def test_every_new_clause_has_two_wrong_handlers() -> None:
    for name in ("v2", "v3", "v4", "v5"):
        new = {c.id for c in CONTRACTS[name].clauses} - {c.id for c in CONTRACTS[CONTRACTS[name].parent or ""].clauses}
        caught = [caught_clause(path) for path in VERSIONED_WRONG if path.parent.name == name]
        assert all(caught.count(clause) >= 2 for clause in new), (name, caught)


@pytest.mark.wrong_handler_matrix(sampled_on_other_backends(VERSIONED_WRONG))
@pytest.mark.parametrize("path", VERSIONED_WRONG, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_versioned_wrong_handlers_are_caught_by_their_clause(run_cli: Any, backend: RunningBackend, path: Path) -> None:
    clause, contract = caught_clause(path), path.parent.name
    if clause == "expiry" and not _expires(backend):
        pytest.skip(f"{backend.name} never deletes expired items; this handler is checked on the TTL backends")
    argv = ["--contract", contract, "--handler", f"{path}:handler", *backend.cli_args, "--clause", clause]
    result = run_cli("check", *argv, "--examples", EXAMPLES)
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == [clause], result.out
    assert f"handler violates contract {contract}" in result.out


def test_expiry_is_not_checked_on_a_backend_that_never_deletes(run_cli: Any) -> None:
    path = HANDLERS / "wrong" / "v2" / "expiry_ttl_as_string.py"
    argv = ["--contract", "v2", "--handler", f"{path}:handler", "--clause", "expiry", "--runtime", "inprocess"]
    result = run_cli("check", *argv)
    assert result.status == 0
    assert "not checked on this backend: moto does not delete expired items" in result.out
    assert "no verdict on the whole contract" in result.out


# ---- schemas and the oracle ------------------------------------------------------------------


def test_v2_item_is_the_v1_item_plus_expires_at() -> None:
    assert errors("v2/item", ITEM) == []
    v1_item = {k: v for k, v in ITEM.items() if k != "expiresAt"}
    assert errors("v1/item", v1_item) == []
    assert errors("v1/item", ITEM) == ['<root>: unexpected property "expiresAt"']
    assert errors("v2/item", v1_item) == ['<root>: "expiresAt" is missing']
    assert errors("v2/item", {**ITEM, "ttl": {"N": "1"}}) == ['<root>: unexpected property "ttl"']


@pytest.mark.parametrize(
    "expires",
    [{"N": "1731332124000"}, {"N": "1731332124.5"}, {"S": "1731332124"}, {"N": "173133212"}],
    ids=["milliseconds", "fraction", "string", "nine-digits"],
)
def test_v2_expires_at_is_integer_epoch_seconds(expires: dict[str, str]) -> None:
    assert errors("v2/item", {**ITEM, "expiresAt": expires})


def test_patterns_read_dollar_as_json_schema_does() -> None:
    """ECMA's "$" ends the input; Python's also matches before a final newline."""
    assert errors("v3/item", "123456789012\n", "account")
    assert errors("v1/item", {**ITEM, "createdAt": {"N": "1731324924000\n"}} | {"expiresAt": {"N": "1"}})
    assert errors("v3/item", "123456789012", "account") == []


def test_the_ttl_window_is_floor_of_start_to_ceiling_of_end_plus_ttl() -> None:
    oracle = TtlOracle()
    window = oracle.windows(1_731_324_924_400, 1_731_324_925_001, {})["expiresAt"]
    assert (window.low, window.high) == (1_731_324_924 + DEFAULT_TTL_SECONDS, 1_731_324_926 + DEFAULT_TTL_SECONDS)
    short = oracle.windows(1_731_324_924_000, 1_731_324_924_000, {"CONNECTION_TTL_SECONDS": "60"})["expiresAt"]
    assert (short.low, short.high) == (1_731_324_984, 1_731_324_984)


@pytest.mark.parametrize("rule", ["clientId", "account", "region"])
@given(data=st.data())
def test_generated_values_fall_on_the_side_they_claim(rule: str, data: st.DataObject) -> None:
    assert errors("v3/item", data.draw(strategies.valid_values(rule)), rule) == []
    description, value = data.draw(strategies.near_misses(rule))
    assert errors("v3/item", value, rule), description


def test_named_near_misses_are_invalid_and_edge_values_valid() -> None:
    for rule, kind, value in strategies.NEAR_MISS_CASES:
        assert errors("v3/item", value, rule), (rule, kind)
    for rule, values in strategies.VALID_EDGE_VALUES.items():
        assert all(errors("v3/item", value, rule) == [] for value in values), rule


def test_a_ttl_setting_that_is_not_seconds_is_a_usage_error(run_cli: Any) -> None:
    result = run_cli(
        "check", "--contract", "v2", "--handler", "reference_impl.handler:lambda_handler_v2",
        "--env", "CONNECTION_TTL_SECONDS=2h",
    )  # fmt: skip
    assert result.status == 2
    assert "CONNECTION_TTL_SECONDS='2h' is not a whole number of seconds" in result.err


# ---- the registry, the commands, the reports -------------------------------------------------


def test_each_version_is_its_parent_plus_changes() -> None:
    for contract in CONTRACTS.values():
        if contract.parent is None:
            continue
        parent = CONTRACTS[contract.parent]
        assert [c.id for c in contract.clauses][: len(parent.clauses)] == [c.id for c in parent.clauses]


def test_contracts_and_clauses_commands(run_cli: Any) -> None:
    listed = run_cli("contracts")
    assert listed.status == 0
    names = [line.split()[0] for line in listed.out.splitlines()]
    assert names == ["v1", "v2", "v3", "v4", "v5", "authorizer", "router"]
    v3 = run_cli("clauses", "--contract", "v3")
    assert [line.split()[1] for line in v3.out.splitlines()][-4:] == [
        "ttl",
        "expiry",
        "input-validation",
        "parameter-types",
    ]
    assert len(run_cli("clauses").out.splitlines()) == 8


def test_an_unknown_version_or_a_clause_of_another_version_is_a_usage_error(run_cli: Any) -> None:
    assert run_cli("check", "--contract", "v9", "--handler", "reference_impl.handler:lambda_handler").status == 2
    result = run_cli("check", "--handler", "reference_impl.handler:lambda_handler", "--clause", "ttl")
    assert result.status == 2
    assert "contract v1 has no clause 'ttl'" in result.err


def test_validate_resolves_a_role_through_the_contract(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "item.json"
    path.write_text(json.dumps(ITEM))
    assert run_cli("validate", "--schema", "item", "--contract", "v2", str(path)).status == 0
    result = run_cli("validate", "--schema", "item", str(path))
    assert result.status == 1
    assert 'unexpected property "expiresAt"' in result.out


def test_diff_classifies_changes_for_writers_and_readers(run_cli: Any) -> None:
    text = run_cli("diff", "v1", "v2")
    assert text.status == 0
    assert "+ expiresAt added: required N" in text.out
    assert "handlers (writers): breaking; readers of the table: compatible" in text.out
    assert "+ ttl added" in text.out and "+ expiry added" in text.out
    document = json.loads(run_cli("diff", "v2", "v3", "--format", "json").out)
    narrowed = {c["name"]: c for c in document["changes"] if c["kind"] == "narrowed"}
    assert set(narrowed) == {"clientId", "account", "region"}
    assert all(c["writers"] == "breaking" and c["readers"] == "compatible" for c in narrowed.values())
    assert document["breaking"] == {"writers": True, "readers": False}
    back = json.loads(run_cli("diff", "v3", "v1", "--format", "json").out)
    removed = [c for c in back["changes"] if c["name"] == "expiresAt"]
    assert removed[0]["kind"] == "removed" and removed[0]["readers"] == "breaking"


def test_junit_names_the_version(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "v3.xml"
    argv = ["--contract", "v3", "--handler", "reference_impl.handler:lambda_handler_v3", "--runtime", "inprocess"]
    result = run_cli("check", *argv, "--clause", "parameter-types", "--examples", "5", "--junit", str(path))
    assert result.status == 0, result.out
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "connect-contract.v3.moto"
    assert [case.get("name") for case in suite.iter("testcase")] == ["12-parameter-types"]


def test_the_run_table_has_ttl_on_expires_at_from_v2() -> None:
    from contract_tests.backends import make_backend
    from contract_tests.runtimes import RuntimeOptions, make_runtime
    from contract_tests.session import CheckSettings, ConnectSession
    from contract_tests.targets import parse_target

    target = parse_target("reference_impl.handler:lambda_handler_v2")
    with make_backend("moto", BackendOptions()) as backend:
        runtime = make_runtime("inprocess", target, RuntimeOptions())
        session = ConnectSession(runtime, backend, CheckSettings(), CONTRACTS["v2"].table)
        with session.opened():
            ttl = backend.client().describe_time_to_live(TableName=session.table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}


# ---- v4: the authorizer's context as the gate delivers it ------------------------------------


@given(strategies.any_valid_events())
def test_every_delivered_v4_event_fits_the_v4_event_schema(event: dict[str, Any]) -> None:
    assert errors("v4/connect-event", authenticated(event)) == []


def test_the_delivered_client_is_the_one_the_query_speaks_for() -> None:
    event = strategies.build_event(strategies.FIXED_CONTEXT, [("clientId", "agent-7"), ("account", "000000000042")])
    delivered = authenticated(event)
    authorizer = delivered["requestContext"]["authorizer"]
    assert (authorizer["clientId"], authorizer["principalId"]) == ("agent-7", "agent-7")
    assert "000000000042" in authorizer["accounts"].split(",") and "," in authorizer["accounts"]
    assert delivered["queryStringParameters"]["token"] == delivered["multiValueQueryStringParameters"]["token"][0]
    assert authenticated(delivered) == delivered, "delivering twice changes nothing: the oracle re-derives it"
    nobody = authenticated(strategies.build_event(strategies.FIXED_CONTEXT, [("clientId", "agent 7")]))
    assert errors("v3/item", nobody["requestContext"]["authorizer"]["clientId"], "clientId") == []


def test_a_stated_identity_is_kept_and_judged() -> None:
    oracle = CONTRACTS["v4"].oracle
    base = strategies.build_event(strategies.FIXED_CONTEXT, [("clientId", "Agent-7")])
    event = with_authorizer(base, Identity("agent-7", ("123456789012",)).context(), "agent-7")
    assert authenticated(event)["requestContext"]["authorizer"]["clientId"] == "agent-7"
    denial = oracle.denial(event)
    assert denial is not None and denial.status == 403 and '"Agent-7"' in str(denial)
    absent = with_authorizer(
        strategies.build_event(strategies.FIXED_CONTEXT, []), {"clientId": "agent-7", "accounts": "123456789012"}, "x"
    )
    assert oracle.denial(absent) is None
    assert oracle.expected_item(absent, {})["clientId"] == {"S": "agent-7"}


@pytest.mark.parametrize("status", [400, 403])
def test_a_value_both_invalid_and_not_the_clients_may_be_refused_either_way(status: int) -> None:
    from contract_tests.clauses import Violation
    from contract_tests.clauses.checks import require_outcome
    from contract_tests.observation import Observation
    from contract_tests.runtimes import Invocation

    event = strategies.build_event(strategies.FIXED_CONTEXT, [("clientId", "agent 7")])
    logs = ["refused: invalid clientId"]
    observation = Observation(Invocation(response={"statusCode": status, "body": "refused"}, logs=logs))
    assert require_outcome(CONTRACTS["v4"], event, observation) is None
    accepted = Observation(Invocation(response={"statusCode": 200, "body": "connected"}, logs=logs))
    with pytest.raises(Violation, match="did not refuse the connection"):
        require_outcome(CONTRACTS["v4"], event, accepted)


def test_a_handler_logging_off_the_request_path_is_judged_on_what_it_writes_not_when(run_cli: Any) -> None:
    """Its lines arrive 300 ms after each answer, during later connects: valid clientIds in full, 32 characters
    of a refused value. Judged with the environment's whole output, it conforms (its wrong twin,
    wrong/v3/validation_logs_value_late.py, logs the whole value and is caught)."""
    handler = f"{HANDLERS / 'correct_v3_async_logging.py'}:handler"
    result = run_cli("check", "--contract", "v3", "--handler", handler, "--clause", "input-validation")
    assert result.status == 0, result.out + result.err
