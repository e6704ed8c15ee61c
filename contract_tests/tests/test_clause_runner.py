"""A clause's property run turns every handler failure into a verdict, flaky ones included."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from random import SystemRandom
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure

from contract_tests.clauses import Violation
from contract_tests.contracts.v1 import V1_CLAUSES
from contract_tests.engine import properties
from contract_tests.engine.properties import FLAKY_NOTE
from contract_tests.engine.run import property_result
from contract_tests.errors import BackendError
from contract_tests.results import ClauseResult, Status
from contract_tests.session import CheckSettings
from contract_tests.steps import Send
from contract_tests.tests.conftest import HANDLERS

SESSION: Any = SimpleNamespace(settings=CheckSettings(examples=50, seed=1), discard_instances=lambda: None)


def run_property(clause: Any, session: Any, strategy: Any, check: Any, *, explicit: Any = ()) -> ClauseResult:
    """The engine's property search, as a clause's run makes it (the session's examples and seed)."""
    settings = session.settings
    return property_result(
        clause,
        strategy,
        check,
        examples=settings.examples,
        seed_value=settings.seed,
        explicit=explicit,
        on_violation=session.discard_instances,
    )


def test_a_flaky_failure_is_a_failed_clause_not_a_crash() -> None:
    def sometimes(_: int) -> None:
        if SystemRandom().random() < 0.3:
            raise Violation("refused", "accepted", "refused")

    results = [run_property(V1_CLAUSES[0], SESSION, st.integers(), sometimes) for _ in range(10)]
    assert all(r.status is Status.FAILED for r in results)
    assert all(r.message in ("refused", "refused" + FLAKY_NOTE) for r in results)


def test_the_counterexample_is_the_shrunk_one() -> None:
    def above_ten(x: int) -> None:
        if x > 10:
            raise Violation(f"{x} is too big", "<= 10", x)

    result = run_property(V1_CLAUSES[0], SESSION, st.integers(), above_ten)
    assert result.counterexample is not None and result.counterexample.example == 11


def test_a_backend_lost_mid_clause_is_its_error_whatever_hypothesis_concluded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the backend is gone every example fails, ones that passed before too, and hypothesis may
    call that an inconsistent replay (FlakyFailure, seen in a full run): the check still ends with
    the backend's error (exit 2), never a traceback."""

    def inconsistent_replay(run: Any, seen: Any = ()) -> None:
        with contextlib.suppress(BackendError):
            run()
        raise FlakyFailure("Inconsistent results from replaying a test case!", [ValueError("replayed")])

    monkeypatch.setattr(properties, "first_violation", inconsistent_replay)

    def backend_gone(_: int) -> None:
        raise BackendError("backend 'moto-server' stopped answering")

    with pytest.raises(BackendError, match="stopped answering"):
        run_property(V1_CLAUSES[0], SESSION, st.integers(), backend_gone)


def test_explicit_cases_run_first_and_count() -> None:
    seen: list[int] = []
    result = run_property(V1_CLAUSES[0], SESSION, st.integers(), seen.append, explicit=[-7, -8])
    assert seen[:2] == [-7, -8] and result.examples == len(seen) and result.status is Status.PASSED


def test_a_flaky_stateful_run_is_a_failed_clause(run_cli: Any) -> None:
    """A handler that refuses at random makes stateful runs draw differently: still a failure, never a crash.
    In process: the engine's handling is what is checked, and there a warm container costs an import, not a
    process (out of process one run's shrinking took 3 to 250 containers, up to 35 s)."""
    handler = str(HANDLERS / "wrong" / "response_sometimes_refuses.py") + ":handler"
    argv = ["--handler", handler, "--clause", "isolation", "--examples", "30", "--runtime", "inprocess"]
    for seed in ("1", "2", "3"):
        result = run_cli("check", *argv, "--seed", seed)
        assert result.status == 1, result.out + result.err
        assert "Traceback" not in result.out + result.err


RETRIES_UNTIL_THE_DEADLINE = """
import os
import time

import boto3

client = boto3.client("dynamodb")


def handler(event, context):
    now_ms = time.time_ns() // 1_000_000
    item = {"connectionId": {"S": event["requestContext"]["connectionId"]}, "createdAt": {"N": str(now_ms)}}
    params = event.get("queryStringParameters") or {}
    item["clientId"] = {"S": params.get("clientId") or "unknown"}
    for name in ("account", "region"):
        if params.get(name):
            item[name] = {"S": params[name]}
    while True:  # as an SDK configured to retry for as long as the function lives
        try:
            client.put_item(TableName=os.environ["CONNECTIONS_TABLE"], Item=item)
            return {"statusCode": 200, "body": "connected"}
        except Exception:
            time.sleep(0.1)
"""


def test_a_storage_failure_waited_out_to_the_deadline_costs_one_deadline_per_kind(run_cli: Any, tmp_path: Path) -> None:
    """Each kind of storage failure is run until one example of it reaches the deadline; the rest of that kind
    would only wait as long to end alike, and the report says how many were not run and why. A 2 s deadline:
    at 1 s, a valid connect's first call (the SDK resolving its endpoint) once ran past it on a loaded machine."""
    (tmp_path / "patient.py").write_text(RETRIES_UNTIL_THE_DEADLINE, encoding="utf-8")
    argv = ["--handler", f"{tmp_path / 'patient.py'}:handler", "--clause", "storage-failure", "--timeout", "2"]
    result = run_cli("check", *argv, "--examples", "40")
    assert result.status == 0, result.out + result.err
    assert "not run: the first example of each of throttled, throttling" in result.out
    assert "ran to the 2 s deadline, as the rest would" in result.out


def test_warm_containers_mostly_live_the_whole_sequence() -> None:
    """A leak that shows only late in a container's life needs long sequences: the warm containers of a
    passing isolation run average at least 6 of their 8 connects (a plain list of connects averages 3.5
    here; the seed fixes the draw)."""
    from unittest import mock

    from contract_tests.engine import run_check
    from contract_tests.request import CheckRequest
    from contract_tests.session import ConnectSession

    request = CheckRequest("reference_impl.handler:lambda_handler", runtime="inprocess", clauses=("isolation",))
    original = ConnectSession.invoke
    with mock.patch.object(ConnectSession, "invoke", autospec=True, side_effect=original) as invoke:
        report = run_check(replace(request, examples=100, seed=1))
    (result,) = report.results
    assert result.status is Status.PASSED, result.message
    assert invoke.call_count >= 6 * result.examples, f"{invoke.call_count} connects in {result.examples} containers"


CACHES_DETAILS_PER_CLIENT = """
import os
import time

import boto3

table = boto3.resource("dynamodb").Table(os.environ["CONNECTIONS_TABLE"])
CLIENTS = {}


def handler(event, context):
    params = {k: v for k, v in (event.get("queryStringParameters") or {}).items() if v}
    client = params.get("clientId") or "unknown"
    details = CLIENTS.setdefault(client, {k: params[k] for k in ("account", "region") if k in params})
    item = {"connectionId": event["requestContext"]["connectionId"], "createdAt": int(time.time() * 1000)}
    table.put_item(Item={**item, "clientId": client, **details})
    return {"statusCode": 200, "body": "connected"}
"""


def isolation_result(handler: str, seed: int) -> Any:
    from contract_tests.engine import run_check
    from contract_tests.request import CheckRequest

    request = CheckRequest(handler, runtime="inprocess", clauses=("isolation",), examples=30, seed=seed)
    (result,) = run_check(request).results
    return result


@pytest.mark.parametrize("seed", [1, 2])
def test_the_named_warm_sequence_ends_the_usual_leak_s_search_at_once(seed: int) -> None:
    """Module-level parameters leaking into the next connect fail the named sequence (every parameter, a
    clientId alone, none), the first container: no generation, no shrinking (out of process, shrinking a
    generated leak started ~50 environments, 17-19 s)."""
    result = isolation_result(f"{HANDLERS / 'wrong' / 'isolation_leaks_parameters.py'}:handler", seed)
    assert result.status is Status.FAILED and result.examples == 1, result.message
    connects = result.counterexample.example["connects_in_one_warm_container"]
    assert [event.get("queryStringParameters") for event in connects] == [
        {"clientId": "agent-7", "account": "123456789012", "region": "eu-west-1"},
        {"clientId": "agent-8"},
    ]


def test_a_leak_the_named_sequence_misses_is_generated_and_shrunk(tmp_path: Path) -> None:
    """Details cached per clientId pass the named sequence (its clients differ) and leak once a client, or
    none, comes back: generation finds it and shrinks it to the two connects."""
    (tmp_path / "per_client.py").write_text(CACHES_DETAILS_PER_CLIENT, encoding="utf-8")
    result = isolation_result(f"{tmp_path / 'per_client.py'}:handler", seed=1)
    assert result.status is Status.FAILED and result.examples > 1, result.message
    assert len(result.counterexample.example["connects_in_one_warm_container"]) == 2


def test_a_cold_start_that_fails_to_initialise_is_not_repeated_for_every_event(run_cli: Any) -> None:
    """A handler reading its table's name at import fails to initialise with it unset, whatever the event:
    each later example would only start alike, so one cold start answers for them, and the report says so."""
    handler = f"{HANDLERS / 'correct_or_empty_idiom.py'}:handler"
    result = run_cli("check", "--handler", handler, "--clause", "table-unset", "--examples", "50", "--seed", "3")
    assert result.status == 0, result.out + result.err
    assert "11 not run: cold starts of their configuration failed to initialise 2 times in a row" in result.out


def test_a_cold_start_depends_on_the_configuration_and_never_on_the_event() -> None:
    event = {"requestContext": {"connectionId": "a"}}
    base = Send(event, without_table=True)
    alike = [Send({"other": "event"}, without_table=True), replace(base, token={"kid": "k"}, bypass_gateway=True)]
    assert {step.cold_start() for step in alike} == {base.cold_start()}
    unlike = [
        replace(base, without_table=False),
        replace(base, environment={"CONNECTIONS_TABLE": "t"}),
        replace(base, failure="table-missing"),
        replace(base, route="$disconnect"),
        replace(base, given=({"connectionId": {"S": "a"}},)),
    ]
    assert len({step.cold_start() for step in [base, *unlike]}) == 1 + len(unlike)
