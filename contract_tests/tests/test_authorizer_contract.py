"""The authorizer contract: both authorizers of the project conform through the Lambda runtimes, and
wrong authorizers of the kinds teams write are each caught by the clause they break."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from contract_tests.clauses.authorizer_checks import allows, gateway_error
from contract_tests.contracts import AUTHORIZER_CONTRACTS
from contract_tests.forgeries import FORGERIES, VALID, everyday_recipe, token_for
from contract_tests.observation import AuthorizerCall
from contract_tests.runtimes.base import Invocation
from contract_tests.session.authorizer import method_arn
from contract_tests.tests.conftest import HANDLERS, caught_clause, clause_options
from contract_tests.token_strategies import forged_recipes

WRONG_AUTHORIZERS = [
    *sorted((HANDLERS / "wrong" / "authorizer").glob("*.py")),
    *sorted((HANDLERS / "nodejs" / "wrong" / "authorizer").glob("*.mjs")),
]
#: The v4 clauses an authorizer in front decides (every handshake passes it alike): an Allow, a forgery's Deny.
IN_FRONT = ["response", "authentication", "identity", "token-secrecy"]
RING = {"2026-11": "current-secret-of-thirty-two-bytes", "2025-10": "previous-secret-still-accepted!!"}


def test_the_reference_authorizer_conforms_trying_at_least_1000_forgeries(run_cli: Any) -> None:
    """The default run: 100 examples per property clause, so ten times that many forgeries."""
    argv = [
        "--contract",
        "authorizer",
        "--handler",
        "reference_impl.authorizer:lambda_handler",
        "--clause",
        "forgeries",
    ]
    result = run_cli("check", *argv)
    assert result.status == 0, result.out + result.err
    assert "(no backend: it stores nothing)" in result.out
    tried = re.search(r"(\d+) forgeries of (\d+) of (\d+) classes, none allowed", result.out)
    assert tried is not None, result.out
    assert int(tried.group(1)) >= 1000 and tried.group(2) == tried.group(3) == str(len(FORGERIES))


@pytest.mark.usefixtures("node_modules")
def test_the_node_authorizer_conforms_through_the_runtime(run_cli: Any) -> None:
    """jose in Node.js, run by the Node.js runtime out of process, judged by the same clauses."""
    target = f"{HANDLERS / 'nodejs' / 'authorizer.mjs'}:handler"
    result = run_cli("check", "--contract", "authorizer", "--handler", target, "--examples", "30")
    assert result.status == 0, result.out + result.err
    assert result.passed_clauses == [clause.id for clause in AUTHORIZER_CONTRACTS["authorizer"].clauses]


def test_an_authorizer_that_refuses_with_deny_policies_conforms_alone_and_in_front(run_cli: Any) -> None:
    """Deny policies, list-valued Action and Resource, sorted accounts, an extra context scalar: all sound."""
    target = f"{HANDLERS / 'correct_authorizer_deny_policy.py'}:handler"
    alone = run_cli("check", "--contract", "authorizer", "--handler", target, "--examples", "10")
    assert alone.status == 0, alone.out + alone.err
    argv = ["--handler", "reference_impl.handler:lambda_handler_v4", "--authorizer", target, "--examples", "5"]
    behind = run_cli("check", "--contract", "v4", *argv, *clause_options(IN_FRONT))
    assert behind.status == 0, behind.out + behind.err
    assert behind.passed_clauses == IN_FRONT


def test_every_authorizer_clause_has_two_wrong_authorizers() -> None:
    caught = [caught_clause(path) for path in WRONG_AUTHORIZERS]
    assert all(caught.count(clause.id) >= 2 for clause in AUTHORIZER_CONTRACTS["authorizer"].clauses), caught


def _language_and_name(path: Path) -> str:
    return f"{'nodejs' if path.suffix == '.mjs' else 'python'}-{path.stem}"


@pytest.mark.parametrize("path", WRONG_AUTHORIZERS, ids=_language_and_name)
def test_wrong_authorizers_are_caught_by_their_clause(request: pytest.FixtureRequest, run_cli: Any, path: Path) -> None:
    if path.suffix == ".mjs":
        request.getfixturevalue("node_modules")
    clause = caught_clause(path)
    argv = ["--contract", "authorizer", "--handler", f"{path}:handler", "--clause", clause, "--examples", "20"]
    result = run_cli("check", *argv)
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == [clause], result.out
    assert "handler violates contract authorizer" in result.out


def test_a_saved_forgery_replays_against_the_ring_of_the_replay(run_cli: Any, failures_dir: Path) -> None:
    """A case keeps the token's recipe, not the token: replayed later, it is minted anew and still fails."""
    wrong = HANDLERS / "wrong" / "authorizer" / "forgery_expiry_not_verified.py"
    argv = ["--contract", "authorizer", "--handler", f"{wrong}:handler", "--clause", "forgeries"]
    assert run_cli("check", *argv, "--examples", "5").status == 1
    replayed = run_cli("replay", "--handler", f"{wrong}:handler", "--failures-dir", str(failures_dir))
    assert replayed.status == 1, replayed.out + replayed.err
    fixed = run_cli(
        "replay", "--handler", "reference_impl.authorizer:lambda_handler", "--failures-dir", str(failures_dir)
    )
    assert fixed.status == 0, fixed.out + fixed.err


@pytest.mark.parametrize("kind", sorted(FORGERIES))
def test_every_forgery_differs_from_the_token_it_forges(kind: str) -> None:
    recipe = everyday_recipe("2026-11")
    issued = token_for(recipe, RING, 1_800_000_000)
    forged = token_for({**recipe, "kind": kind}, RING, 1_800_000_000)
    assert forged != issued
    assert forged is None or not forged.startswith(issued + "=")


def test_forged_recipes_are_json_and_name_a_class() -> None:
    from hypothesis import given, settings

    @settings(max_examples=50, database=None)
    @given(forged_recipes(tuple(RING)))
    def check(recipe: dict[str, Any]) -> None:
        import json

        assert json.loads(json.dumps(recipe)) == recipe
        assert recipe["kind"] in FORGERIES and recipe["kind"] != VALID

    check()


def test_the_authorizer_contract_has_no_item_to_export_or_diff(run_cli: Any) -> None:
    exported = run_cli("export", "--odcs", "--contract", "authorizer")
    assert exported.status == 2
    assert "needs a $connect version: v1, v2, v3, v4" in exported.err
    listed = run_cli("contracts").out.splitlines()
    assert any(line.startswith("authorizer   4 clauses (the REQUEST authorizer of v4)") for line in listed)


# ---- v4 end to end: the authorizer in front of $connect ------------------------------------------


def test_an_authorizer_that_lets_nobody_in_stops_the_check_at_once(run_cli: Any) -> None:
    """Its wildcard "…/stage/*/*" matches no $connect: every handshake ends at API Gateway, reported once."""
    wrong = HANDLERS / "wrong" / "authorizer" / "allow_wildcard_resource.py"
    argv = ["--handler", "reference_impl.handler:lambda_handler_v4", "--authorizer", f"{wrong}:handler"]
    result = run_cli("check", "--contract", "v4", *argv, "--examples", "5")
    assert result.status == 1
    assert result.failed_clauses == ["response"]
    assert "API Gateway refused the handshake: the authorizer did not allow a valid token" in result.out
    assert result.out.count("the authorizer refuses a valid handshake, so every connect fails") == 14
    assert f"--authorizer {wrong}:handler" in result.out
    # The printed re-run keeps the authorizer in front: without it the saved case would pass and be removed.
    rerun = re.search(r"re-run: connect-contract (replay .*)$", result.out, flags=re.M)
    assert rerun is not None, result.out
    assert f"--authorizer {wrong}:handler" in rerun.group(1)
    replayed = run_cli(*shlex.split(rerun.group(1)))
    assert replayed.status == 1, replayed.out + replayed.err


def test_an_authorizer_needs_a_contract_with_one(run_cli: Any) -> None:
    argv = [
        "--handler",
        "reference_impl.handler:lambda_handler_v3",
        "--authorizer",
        "reference_impl.authorizer:lambda_handler",
    ]
    result = run_cli("check", "--contract", "v3", *argv)
    assert result.status == 2
    assert "--authorizer: contract v3 has no authorizer in front of $connect (v4 has)" in result.err


def test_validate_reads_the_authorizer_contracts_roles_and_names_the_ones_it_lacks(
    run_cli: Any, tmp_path: Path
) -> None:
    claims = tmp_path / "claims.json"
    claims.write_text('{"sub": "agent-7", "accounts": ["123456789012"], "aud": "connect", "exp": 1900000000}')
    assert run_cli("validate", "--schema", "claims", "--contract", "authorizer", str(claims)).status == 0
    lacking = run_cli("validate", "--schema", "item", "--contract", "authorizer", str(claims))
    assert lacking.status == 2
    assert "contract authorizer has no item schema; it has: event (v4/authorizer-event)" in lacking.err
    assert "Traceback" not in lacking.err


def test_the_github_summary_of_an_authorizer_check_names_no_backend() -> None:
    from contract_tests.github import step_summary
    from contract_tests.request import CheckRequest
    from contract_tests.results import Report

    request = CheckRequest(handler="reference_impl.authorizer:lambda_handler", contract="authorizer")
    summary = step_summary(Report(request, seed=1))
    assert "No backend (it stores nothing), runtime `python`" in summary and "moto" not in summary


def test_the_json_and_junit_reports_of_an_authorizer_check_name_no_backend(run_cli: Any, tmp_path: Path) -> None:
    import json
    import xml.etree.ElementTree as ET

    report, junit = tmp_path / "report.json", tmp_path / "report.xml"
    argv = ["--handler", "reference_impl.authorizer:lambda_handler", "--examples", "3", "--junit", str(junit)]
    result = run_cli("check", "--contract", "authorizer", *argv, "--format", "json", "--output", str(report))
    assert result.status == 0, result.out + result.err
    assert run_cli("validate", "--schema", "report", str(report)).status == 0
    assert json.loads(report.read_text())["request"]["backend"] is None
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "connect-contract.authorizer"


def test_an_authorizer_that_cannot_initialise_is_judged_once(run_cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "authorizer.py"
    source.write_text("import a_module_nobody_installed\n\n\ndef handler(event, context):\n    return {}\n")
    result = run_cli("check", "--contract", "authorizer", "--handler", f"{source}:handler")
    assert result.status == 1
    assert result.failed_clauses == ["allow"]
    assert result.out.count("the handler fails to initialise, so every call fails") == 3
    assert "No module named 'a_module_nobody_installed'" in result.out


ARN = method_arn({})  # the route of the gate's everyday handshake


def _policy(effect: str, resource: str = ARN, **extra: Any) -> dict[str, Any]:
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}
    return {"principalId": "anonymous", "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}, **extra}


@pytest.mark.parametrize(
    ("invocation", "status"),
    [
        (Invocation(error="Exception: Unauthorized", error_message="Unauthorized"), 401),
        (Invocation(response=_policy("Deny")), 403),
        (Invocation(response=_policy("Allow", ARN.replace("production", "staging"))), 403),
        (Invocation(response={"policyDocument": {"Statement": []}}), 403),
        (Invocation(error="Exception: Unauthorized: expired", error_message="Unauthorized: expired"), 500),
        (Invocation(error="Error: unauthorized", error_message="unauthorized"), 500),
        (Invocation(error="Task timed out after 3.00 seconds"), 500),
        (Invocation(response=None), 500),
        (Invocation(response={"principalId": "anonymous"}), 500),
        (Invocation(response=_policy("Deny", context={"accounts": ["123456789012"]})), 500),
    ],
    ids=[
        "unauthorized",
        "deny",
        "allow-elsewhere",
        "no-statement",
        "unauthorized-with-reason",
        "lower-case",
        "time-out",
        "null",
        "no-policy",
        "list-in-context",
    ],
)
def test_what_api_gateway_answers_a_refusal(invocation: Invocation, status: int) -> None:
    """401 only for the exact message "Unauthorized", 403 for a readable policy, 500 for anything else."""
    call = AuthorizerCall(event={"methodArn": ARN}, token="t", invocation=invocation)
    assert not allows(call)
    assert (gateway_error(call) is None) == (status != 500), gateway_error(call)


def test_each_line_is_judged_once_per_call_and_the_rest_when_quiet() -> None:
    """A call judges what the environment printed since its previous call against every token it was given;
    what came before was judged then. Reading the whole output at every call made token-secrecy cost ~0.5 s
    a call after the forgeries' thousand calls in the same environment."""
    from contract_tests.clauses import Violation
    from contract_tests.clauses.authorizer_checks import require_token_unlogged

    ring = {"2026-11": "k" * 32}
    first, second = (token_for({**everyday_recipe("2026-11"), "sub": sub}, ring, 1_800_000_000) for sub in "ab")
    earlier = [f"refused {first}"]
    call = AuthorizerCall(
        {"methodArn": "arn"},
        second,
        Invocation(response={"principalId": "b"}),
        environment_tokens=[first, second],
        environment_output=earlier,
        printed_since_previous=[],
    )
    require_token_unlogged(call)  # the line with the first token was the first call's to judge
    call.printed_since_previous = earlier
    with pytest.raises(Violation, match="holds the token of call 1"):
        require_token_unlogged(call)


def test_a_forged_token_the_authorizer_in_front_lets_through_fails_v4_end_to_end(run_cli: Any) -> None:
    """A correct handler behind an authorizer that never requires exp: the route as deployed lets a token
    without exp in, and the check says so by the forgery's class."""
    wrong = HANDLERS / "wrong" / "authorizer" / "forgery_exp_optional.py"
    argv = ["--handler", "reference_impl.handler:lambda_handler_v4", "--authorizer", f"{wrong}:handler"]
    result = run_cli("check", "--contract", "v4", *argv, "--clause", "authentication", "--examples", "10")
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == ["authentication"]
    assert "a forged token (no exp) got through the authorizer in front to the $connect handler" in result.out
