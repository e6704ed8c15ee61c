"""Backends fail honestly (exit 2, never a handler verdict), clean up after themselves, and reuse endpoints."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from contract_tests.backends import BackendOptions, make_backend
from contract_tests.backends.base import plain_client
from contract_tests.backends.dynamodb_local import DynamoDBLocal
from contract_tests.backends.localstack import LocalStack
from contract_tests.localstack.jvm import java_tool_options
from contract_tests.localstack.layout import Layout
from contract_tests.localstack.process import LocalStackProcess, dynamodb_state, is_localstack
from contract_tests.loopback import free_loopback_port
from contract_tests.process_tree import alive, cmdline, descendants
from contract_tests.tests.conftest import (
    ROOT,
    RunningBackend,
    gone,
    killed_gate,
    one_process_at_a_time,
    selected_backends,
)

#: How long a server's keeper may take to end it and what it left: the server's own grace (10 s at most),
#: then a few seconds for its leftovers.
STOP_GRACE_S = 30.0

REFERENCE = "reference_impl.handler:lambda_handler"


@pytest.fixture
def localstack_endpoint(request: pytest.FixtureRequest, started_backends: dict[str, RunningBackend]) -> str:
    if "localstack" not in selected_backends(request.config):
        pytest.skip("needs --backends localstack (the tox localstack environment)")
    endpoint = started_backends["localstack"].endpoint
    assert endpoint
    return endpoint


@pytest.fixture
def booting_alone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests that boot a LocalStack of their own take turns across the test processes: on two cores,
    LocalStacks booting side by side once took one past its start-up limit."""
    with one_process_at_a_time(tmp_path_factory, "private-localstack"):
        yield


@pytest.mark.parametrize("name", ["moto-server", "localstack", "dynamodb-local", "aws"])
def test_unreachable_endpoint_is_exit_2(run_cli: Any, name: str) -> None:
    dead = f"http://127.0.0.1:{free_loopback_port()}"
    result = run_cli("check", "--handler", REFERENCE, "--backend", name, "--endpoint", dead, "--yes-create-table")
    assert result.status == 2, result.out + result.err
    assert dead in result.err or "127.0.0.1" in result.err
    assert "[FAIL]" not in result.out and "Traceback" not in result.err


def test_localstack_not_installed_says_what_to_run(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECT_CONTRACT_HOME", str(tmp_path))
    monkeypatch.delenv("LOCALSTACK_ENDPOINT", raising=False)
    result = run_cli("check", "--handler", REFERENCE, "--backend", "localstack")
    assert result.status == 2
    assert "run `connect-contract localstack install` first" in result.err


def test_dynamodb_local_not_installed_says_what_to_run(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECT_CONTRACT_HOME", str(tmp_path))
    result = run_cli("check", "--handler", REFERENCE, "--backend", "dynamodb-local")
    assert result.status == 2
    assert "DynamoDB Local is not installed" in result.err
    assert "run `connect-contract localstack install` first" in result.err


def test_a_jvm_the_gate_starts_is_tuned_first_then_the_users_options_then_what_must_hold() -> None:
    options = java_tool_options(" -XX:TieredStopAtLevel=4 -Xmx1g ", "-Djava.io.tmpdir=/private")
    assert options == "-XX:TieredStopAtLevel=1 -XX:TieredStopAtLevel=4 -Xmx1g -Djava.io.tmpdir=/private"
    assert java_tool_options("") == "-XX:TieredStopAtLevel=1"


@pytest.mark.localstack  # run where DynamoDB Local is provisioned, not skipped before
def test_dynamodb_local_start_and_stop_leave_no_process() -> None:
    if not Layout.default().is_installed():
        pytest.skip("needs `connect-contract localstack install` (the tox localstack and dynamodb-local environments)")
    backend = DynamoDBLocal(BackendOptions())
    with backend:
        server = backend._server
        assert server is not None
        [jvm] = server.server_pids()
        client = backend.client()
        assert client.list_tables()["TableNames"] == []
        assert b"DDB_LOCAL_TELEMETRY=0" in _environment_of(jvm), "offline: it reports nothing to AWS"
        assert _compilers_of(jvm) == {"C1"}, "a short-lived JVM: the client compiler only"
    assert not alive(jvm) and not alive(server.keeper_pid)
    assert backend.endpoint_url() is None


@pytest.mark.localstack
def test_a_killed_gate_leaves_no_dynamodb_local() -> None:
    """SIGKILL reaches no clean-up of the gate's: the server's keeper ends the JVM when the gate's end of
    their pipe closes."""
    if not Layout.default().is_installed():
        pytest.skip("needs `connect-contract localstack install` (the tox localstack and dynamodb-local environments)")
    with killed_gate(
        "from contract_tests.backends.base import BackendOptions",
        "from contract_tests.backends.dynamodb_local import DynamoDBLocal",
        "backend = DynamoDBLocal(BackendOptions()); backend.start()",
        "print(backend._server.keeper_pid, *backend._server.server_pids(), flush=True)",
        "import time; time.sleep(300)",
    ) as started:
        assert len(started) == 2, "the keeper and the JVM"
        assert gone(started, STOP_GRACE_S), "DynamoDB Local outlived the gate that started it"


def test_aws_needs_explicit_consent(run_cli: Any) -> None:
    result = run_cli("check", "--handler", REFERENCE, "--backend", "aws")
    assert result.status == 2
    assert "--yes-create-table" in result.err


def test_aws_code_path_creates_and_deletes_its_table(
    run_cli: Any, localstack_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    # Other test processes check on the same LocalStack: this check's own table is the one to look for.
    table, named = f"connect-contract-aws-path-{os.getpid()}", []
    monkeypatch.setattr("contract_tests.session.connect.run_table_name", lambda: named.append(table) or table)
    client = plain_client(localstack_endpoint, "us-east-1")
    result = run_cli(
        "check",
        "--handler",
        REFERENCE,
        "--backend",
        "aws",
        "--yes-create-table",
        "--endpoint",
        localstack_endpoint,
        "--examples",
        "10",
    )
    assert result.status == 0, result.out + result.err
    assert named == [table]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_table(TableName=table)


def test_localstack_reuse_from_environment(
    run_cli: Any, localstack_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCALSTACK_ENDPOINT", localstack_endpoint)
    result = run_cli("check", "--handler", REFERENCE, "--backend", "localstack", "--examples", "5", "--clause", "item")
    assert result.status == 0, result.out + result.err


@pytest.mark.usefixtures("booting_alone")
def test_localstack_start_and_stop_leave_no_process(localstack_endpoint: str) -> None:
    backend = LocalStack(BackendOptions())
    with pytest.raises(KeyboardInterrupt), backend:
        assert backend.process is not None
        family = backend.process.family
        assert len(family) >= 2 and all(alive(pid) for pid in family), "LocalStack and its JVM"
        scratch = backend.process.scratch
        assert scratch is not None and any(scratch.iterdir()), "the JVM's temporary files go to its own directory"
        [jvm] = [pid for pid in family if b"DynamoDBLocal.jar" in cmdline(pid)]
        assert _compilers_of(jvm) == {"C1"}, "a short-lived JVM: the client compiler only"
        raise KeyboardInterrupt
    assert not any(alive(pid) for pid in family)
    assert not scratch.exists()


@pytest.mark.usefixtures("booting_alone")
def test_a_crashed_localstack_leaves_no_jvm(localstack_endpoint: str) -> None:
    process = LocalStackProcess(Layout.default())
    process.start()
    family, scratch = process.family, process.scratch
    assert process.pid is not None and scratch is not None
    os.kill(process.pid, signal.SIGKILL)  # LocalStack dies without stopping DynamoDB Local
    try:
        # its keeper ends the JVM left behind, with no stop() from the gate
        deadline = time.monotonic() + STOP_GRACE_S
        while any(alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in family), "LocalStack's JVM or its keeper outlived it"
        assert not scratch.exists()
    finally:
        process.stop()


def _localstack_children(parent: int) -> list[int]:
    return [pid for pid in descendants(parent) if is_localstack(pid)]


def _spawn_check(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "contract_tests", "check", "--handler", REFERENCE, *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"},
    )


def _wait_until_checking(check: subprocess.Popen[str], endpoint: str | None = None) -> None:
    """Return once the check is past its start-up and inside its first clause."""
    assert check.stdout is not None
    check.stdout.readline()  # the header: printed before the backend starts
    deadline = time.monotonic() + 60
    while endpoint is None and time.monotonic() < deadline:
        children = _localstack_children(check.pid)
        if children and dynamodb_state(_endpoint_of(children[0])) == "running":
            break
        time.sleep(0.2)
    time.sleep(2.0)
    assert check.poll() is None, f"the check ended early: {check.stderr.read() if check.stderr else ''}"


def _wait_or_show_where(check: subprocess.Popen[str], timeout_s: float) -> int:
    """The check's exit status; if it does not end in time, a failure showing where each of its threads is
    (the check runs with faulthandler, which prints them on SIGABRT)."""
    try:
        return check.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        check.send_signal(signal.SIGABRT)
        _, err = check.communicate(timeout=30)
        pytest.fail(f"the check did not end {timeout_s:g} s after the signal; its threads then:\n{err[-20000:]}")


def _environment_of(pid: int) -> list[bytes]:
    """A process's ``NAME=value`` variables as it was started."""
    return Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")


def _compilers_of(jvm: int) -> set[str]:
    """The JIT compilers a HotSpot JVM runs, by its compiler threads' names ("C1 CompilerThread0", ...)."""
    names = (path.read_text().strip() for path in Path(f"/proc/{jvm}/task").glob("*/comm"))
    return {name.split()[0] for name in names if "CompilerThre" in name}


def _endpoint_of(pid: int) -> str:
    listen = next(v for v in _environment_of(pid) if v.startswith(b"GATEWAY_LISTEN=")).split(b"=", 1)[1].decode()
    return f"http://{listen}"


@pytest.mark.usefixtures("booting_alone")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_check_stops_localstack_and_its_jvm(localstack_endpoint: str, sig: signal.Signals) -> None:
    check = _spawn_check("--backend", "localstack", "--examples", "2000")
    family: set[int] = set()
    try:
        _wait_until_checking(check)
        [child] = _localstack_children(check.pid)
        family = {child, *descendants(child)}
        check.send_signal(sig)
        # LocalStack's own shutdown takes tens of seconds on a loaded machine.
        status = _wait_or_show_where(check, 180)
    finally:
        check.kill()
        if check.returncode is None or check.returncode != 128 + sig:
            for pid in family:  # whatever failed above, no LocalStack or JVM of this test outlives it
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
    assert status == 128 + sig
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(family) >= 2 and not any(alive(pid) for pid in family), "LocalStack or its JVM outlived the check"


@pytest.fixture
def doomed_backend(request: pytest.FixtureRequest, backend: RunningBackend) -> Iterator[tuple[str, Any]]:
    """A private HTTP backend of the test's own, which the test may stop mid-run."""
    if backend.name == "moto":
        pytest.skip("moto in-process has no endpoint to lose")
    if backend.name == "localstack":
        request.getfixturevalue("booting_alone")
        process = LocalStackProcess(Layout.default())
        process.start()
        yield process.endpoint, process.stop
        process.stop()
    else:
        with make_backend("moto-server", BackendOptions()) as server:
            yield str(server.endpoint_url()), server.stop


def test_backend_dying_mid_run_is_exit_2_not_a_violation(
    backend: RunningBackend, doomed_backend: tuple[str, Any]
) -> None:
    endpoint, stop = doomed_backend
    check = _spawn_check("--backend", backend.name, "--endpoint", endpoint, "--examples", "2000")
    try:
        _wait_until_checking(check, endpoint)
        stop()
        out, err = check.communicate(timeout=300)
    finally:
        check.kill()
    assert check.returncode == 2, out + err
    assert "[FAIL]" not in out
    *warnings, last = err.strip().splitlines()
    assert last.startswith("connect-contract: error: ") and "Traceback" not in err
    assert all(line.startswith("connect-contract: warning: could not delete table") for line in warnings)


def test_a_running_moto_server_leaves_the_processs_own_moto_mocks_alone() -> None:
    """A plugin user's session keeps moto's server up while their own tests open and close mock_aws."""
    from moto import mock_aws

    table = {
        "TableName": "users-own",
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    with make_backend("moto-server", BackendOptions()):
        for _ in range(2):
            with mock_aws():
                client = boto3.client("dynamodb", region_name="us-east-1")
                assert client.list_tables()["TableNames"] == [], "the mock starts empty: no leftover, no gate table"
                client.create_table(**table)
                assert client.list_tables()["TableNames"] == ["users-own"]


def test_the_dead_endpoint_stays_dead_while_the_backend_lives() -> None:
    """A port only free when drawn was once handed to the next proxy the gate started, which forwarded
    the "dead" endpoint's calls to the real backend: a correct handler then stored an item and failed."""
    backend = make_backend("moto-server", BackendOptions())
    with backend:
        dead = backend.unreachable_endpoint()
        assert dead is not None and backend.unreachable_endpoint() == dead
        port = int(dead.rsplit(":", 1)[1])
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        with socket.socket() as listener, pytest.raises(OSError, match="in use"):
            listener.bind(("127.0.0.1", port))
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))  # released with the backend


def test_an_embedded_moto_server_stops_with_its_serving_thread() -> None:
    """Its stop wakes werkzeug's serving loop with a connection rather than waiting for the loop's next
    look (every 0.5 s, paid once per check): the wake must still end the loop, not leave it serving."""
    import threading

    def serving() -> list[threading.Thread]:
        return [thread for thread in threading.enumerate() if "_server_entry" in thread.name]

    before = serving()
    with make_backend("moto-server", BackendOptions()) as backend:
        plain_client(backend.endpoint_url(), "us-east-1").list_tables()
        assert len(serving()) == len(before) + 1
    assert serving() == before


@pytest.mark.parametrize(("served", "name"), [(True, "moto"), (False, "moto-server")])
def test_moto_served_to_a_function_out_of_process_keeps_the_name_the_user_chose(served: bool, name: str) -> None:
    """``--backend moto`` with a function out of process runs moto's server over the model in this
    process: a check of the reference said 'on backend moto' and then 'moto-server does not delete
    expired items'. What a backend lacks is said under the name the user chose."""
    from contract_tests.backends.moto_server import MotoServer
    from contract_tests.table_definition import TableDefinition

    notes = MotoServer(BackendOptions(), model_in_process=served).capabilities_for(TableDefinition())
    assert notes["ttl-expiry"] == f"on this backend: {name} does not delete expired items during a check"


#: A handler whose PutItem moto's server cannot read (an AttributeValue of no type; DynamoDB answers a
#: ValidationException, moto's validator raises StopIteration and the server answers 500).
EMPTY_ATTRIBUTE_VALUE = """\
import os

import boto3

client = boto3.client("dynamodb", config=boto3.session.Config(retries={"mode": "standard", "total_max_attempts": 1}))


def handler(event, context):
    try:
        client.put_item(TableName=os.environ["CONNECTIONS_TABLE"], Item={"connectionId": {}})
    except Exception:
        return {"statusCode": 500, "body": "failed"}
    return {"statusCode": 200, "body": "connected"}
"""


def test_what_moto_fails_on_is_a_warning_not_a_traceback_wall(tmp_path: Path) -> None:
    """moto's server failing on a request with its own error printed werkzeug's traceback on the gate's
    output for every such request (28 in a check of AWS's chat sample); it is one warning line that names
    the error, and where a check answers as DynamoDB does. A process of its own: pytest's log capture
    would take werkzeug's lines here."""
    (tmp_path / "app.py").write_text(EMPTY_ATTRIBUTE_VALUE)
    argv = ["--handler", f"{tmp_path / 'app.py'}:handler", "--clause", "response", "--examples", "2"]
    argv += ["--failures-dir", str(tmp_path / "failures")]
    command = [sys.executable, "-m", "contract_tests", "check", *argv]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr  # its answer is 500 either way
    assert "Traceback" not in done.stdout + done.stderr
    (warning,) = [line for line in done.stdout.splitlines() if line.startswith("warning: moto failed")]
    assert "with an error of its own (StopIteration in validate_put_has_empty_keys, moto/dynamodb/" in warning
    assert "--backend localstack or dynamodb-local answers as DynamoDB does" in warning
