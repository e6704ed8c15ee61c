"""``--jobs``: the clauses in worker processes give the serial run's report on the same seed (results,
counterexamples, a blocking failure reported once), in the contract's order, and leave no process."""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from contract_tests.backends.base import plain_client
from contract_tests.contracts import contract_named
from contract_tests.engine.parallel import STOP_GRACE_S, STUCK_S, _portable, _shared_backend
from contract_tests.localstack.layout import Layout
from contract_tests.process_tree import alive, family
from contract_tests.request import CheckRequest
from contract_tests.results import ClauseResult, Counterexample, Status
from contract_tests.tests.conftest import HANDLERS, clause_options, essence

REFERENCE = "reference_impl.handler:lambda_handler"
ITEM_IN_SECONDS = f"{HANDLERS / 'wrong' / 'item_created_seconds.py'}:handler"
#: What scheduling can change, on a share of the contract: the order of the report (the warm sequence
#: ``isolation`` is taken first), a clause failing beside passing ones, a blocking failure reported once, and
#: a clause whose environments are configured apart (``table-unset``).
SCHEDULED = clause_options(["response", "item", "table-unset", "isolation"])


@pytest.mark.parametrize(
    ("handler", "backend_name"),
    [
        pytest.param(ITEM_IN_SECONDS, "moto", id="item-in-seconds"),  # its other clauses pass
        pytest.param(f"{HANDLERS / 'wrong' / 'init_reads_wrong_variable.py'}:handler", "moto", id="init-error"),
        # one moto server, started by the check, which every worker reaches at its endpoint
        pytest.param(ITEM_IN_SECONDS, "moto-server", id="item-in-seconds-shared-server"),
    ],
)
def test_two_jobs_report_what_one_reports(run_cli: Any, tmp_path: Path, handler: str, backend_name: str) -> None:
    reports = {}
    for jobs in ("1", "2"):
        output = tmp_path / f"jobs-{jobs}.json"
        argv = ["--handler", handler, "--backend", backend_name, "--seed", "7", "--examples", "5", "--jobs", jobs]
        argv += SCHEDULED
        argv += ["--format", "json"]
        result = run_cli("check", *argv, "--output", str(output))
        assert result.status in (0, 1), result.out + result.err
        reports[jobs] = json.loads(output.read_text())
        lines = re.findall(r"^  \[[^]]+\] \d+ (\S+)", result.out, re.MULTILINE)
        assert lines == [clause["id"] for clause in reports[jobs]["clauses"]]  # the contract's order
    assert essence(reports["1"]) == essence(reports["2"])
    assert reports["1"]["verdict"] == reports["2"]["verdict"]


@pytest.mark.parametrize("name", ["moto-server", pytest.param("dynamodb-local", marks=pytest.mark.localstack)])
def test_workers_share_the_server_the_check_starts(name: str) -> None:
    if name == "dynamodb-local" and not Layout.default().is_installed():
        pytest.skip("needs `connect-contract localstack install` (the tox localstack and dynamodb-local environments)")
    with ExitStack() as stack:
        request = _shared_backend(CheckRequest(handler=REFERENCE, backend=name), stack)
        assert request.endpoint is not None
        client = plain_client(request.endpoint, request.region)
        assert "TableNames" in client.list_tables()
    with ExitStack() as stack:  # moto in process lives in each worker's own process: nothing to share
        assert _shared_backend(CheckRequest(handler=REFERENCE), stack).endpoint is None


def test_jobs_is_a_number_or_auto(run_cli: Any) -> None:
    for bad in ("0", "two"):
        result = run_cli("check", "--handler", REFERENCE, "--jobs", bad)
        assert result.status == 2
        assert "--jobs" in result.err and "or auto" in result.err
    assert run_cli("check", "--handler", REFERENCE, "--jobs", "auto", "--clause", "response").status == 0


def test_a_clause_reproduced_alone_runs_without_jobs(run_cli: Any) -> None:
    result = run_cli("check", "--handler", ITEM_IN_SECONDS, "--jobs", "2", "--examples", "5", *SCHEDULED)
    reproduce = [line for line in result.out.splitlines() if "reproduce:" in line]
    assert reproduce and all("--jobs" not in line for line in reproduce)


@pytest.mark.parametrize(
    ("stop", "exit_status"),
    [
        pytest.param(lambda pid: os.kill(pid, signal.SIGTERM), 128 + signal.SIGTERM, id="sigterm"),
        # a terminal's Ctrl-C reaches the workers too, and then the parent's own stop
        pytest.param(lambda pid: os.killpg(pid, signal.SIGINT), 128 + signal.SIGINT, id="ctrl-c-to-the-group"),
    ],
)
def test_an_interrupted_parallel_check_leaves_no_process(
    tmp_path: Path, stop: Callable[[int], None], exit_status: int
) -> None:
    argv = [sys.executable, "-m", "contract_tests", "check", "--handler", REFERENCE, "--jobs", "2"]
    argv += ["--examples", "5000", "--failures-dir", str(tmp_path / "failures")]
    environment = {**os.environ, "CONNECT_CONTRACT_HOME": str(tmp_path / "home"), "CI": "true"}
    check = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment, start_new_session=True
    )
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while len(seen - {check.pid}) < 2 and time.monotonic() < deadline:  # the workers and their functions
            seen |= family(check.pid, check.pid)
            time.sleep(0.2)
        time.sleep(2)
        seen |= family(check.pid, check.pid)
        stop(check.pid)
        stopped = time.monotonic()
        # Within the grace a stopped worker gets before it is killed, and the kill. Alone this takes 1-2 s;
        # in busy whole-suite runs it took 30 s while a stop landing in hypothesis's gc callback was dropped
        # (test_stop_signals.py). A worker stuck that long prints its threads' stacks, shown in a warning.
        status = check.wait(timeout=STOP_GRACE_S + 15)
    finally:
        if check.poll() is None:
            os.killpg(check.pid, signal.SIGKILL)
    said = check.stderr.read() if check.stderr else ""
    took = time.monotonic() - stopped
    if took > STUCK_S:
        warnings.warn(f"an interrupted --jobs 2 check took {took:.0f} s to end; it said:\n{said}", stacklevel=1)
    assert status == exit_status, said
    assert len(seen) >= 3
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in seen if alive(pid)]


def test_a_result_crosses_to_the_parent_whole_and_an_example_pickle_cannot_carry_by_its_repr() -> None:
    clause = contract_named("v1").clauses[1]
    example = Counterexample({"requestContext": {"connectionId": "A="}}, {"createdAt": "ms"}, {"createdAt": 1})
    result = ClauseResult(clause, Status.FAILED, 7, "why", example, 1.5, {"200 stored": 7}, 1234, 3)
    assert pickle.loads(pickle.dumps(_portable(result))) == result

    holding_a_lock = replace(result, counterexample=replace(example, actual={"lock": threading.Lock()}))
    crossed = pickle.loads(pickle.dumps(_portable(holding_a_lock)))
    assert crossed.counterexample is not None and "lock" in crossed.counterexample.actual
    assert replace(crossed, counterexample=example) == result


def test_a_stopped_worker_still_cleaning_up_says_where_it_is() -> None:
    hangs = (
        "import os, signal, time\nimport contract_tests.engine.parallel as parallel\nparallel.STUCK_S = 0.2\n"
        "parallel._stops().install()\ntry:\n    os.kill(os.getpid(), signal.SIGTERM)\n    time.sleep(5)\n"
        "except KeyboardInterrupt:\n    time.sleep(3)  # a clean-up that hangs\n"
    )
    done = subprocess.run([sys.executable, "-c", hangs], capture_output=True, text=True, timeout=60)
    assert "most recent call first" in done.stderr and 'File "<string>", line 9' in done.stderr, done.stderr
