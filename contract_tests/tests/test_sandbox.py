"""Containment: a function in its sandbox cannot reach, change or outlive what the gate can; and any SDK's
calls are seen, whether or not it honours AWS_ENDPOINT_URL_*."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from contract_tests import sandbox
from contract_tests.process_tree import cmdline
from contract_tests.sandbox.layout import filesystem
from contract_tests.sandbox.support import containment
from contract_tests.tests.conftest import HANDLERS, ROOT, RunningBackend

ESCAPES = HANDLERS / "hostile" / "escapes.py"
SDK_V2 = HANDLERS / "nodejs_sdk_v2"
#: Off moto, an old SDK's correct handler is checked on what it stores and the calls it makes: the other
#: clauses judge what it answers, alike on every backend.
STORING = ["--clause", "response", "--clause", "item", "--clause", "aws-calls"]
#: The last boto3 before AWS_ENDPOINT_URL_* (1.28): it always calls https://dynamodb.<region>.amazonaws.com.
INSTALLED = Path(sandbox.__file__).parent.parent / "schemas" / "v1" / "item.schema.json"

pytestmark = pytest.mark.skipif(
    not containment("auto").contained, reason=f"no sandbox on this machine: {containment('auto').why_not}"
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _daemons(marker: str) -> list[int]:
    return [int(entry.name) for entry in Path("/proc").glob("[0-9]*") if marker.encode() in cmdline(int(entry.name))]


@pytest.fixture
def escape_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started_backends: Any) -> dict[str, Any]:
    """A working directory, a code directory, a secret and a canary of this test's own, and a backend's port."""
    work, code = tmp_path / "work", tmp_path / "code"
    work.mkdir()
    code.mkdir()
    shutil.copy(ESCAPES, code / "escapes.py")
    canary = uuid.uuid4().hex
    secret = tmp_path / "credentials"
    secret.write_text(f"[default]\naws_secret_access_key = {canary}\n")
    installed_copy = tmp_path / "installed.json"
    shutil.copy(INSTALLED, installed_copy)
    monkeypatch.setenv("CONNECT_CONTRACT_TEST_CANARY", canary)
    monkeypatch.chdir(work)
    moto = started_backends["moto-server"]
    port = moto.endpoint.rsplit(":", 1)[1]
    daemon = uuid.uuid4().hex
    env = {
        "ESCAPE_DIR": str(work),
        "ESCAPE_SECRET": str(secret),
        "ESCAPE_CANARY": canary,
        "ESCAPE_PORT": port,
        "ESCAPE_DAEMON": daemon,
    }
    return {"work": work, "code": code, "env": env, "copy": installed_copy, "backend": moto, "daemon": daemon}


def _escape_check(run_cli: Any, setup: dict[str, Any], mode: str, installed: list[Path]) -> Any:
    env = {**setup["env"], "ESCAPE_INSTALLED": os.pathsep.join(str(path) for path in installed)}
    argv = ["--handler", "escapes.handler", "--code-dir", str(setup["code"]), "--sandbox", mode]
    argv += [*setup["backend"].cli_args, "--clause", "response", "--examples", "1", "--seed", "1"]
    argv += [word for name, value in env.items() for word in ("--env", f"{name}={value}")]
    return run_cli("check", *argv)


def test_a_hostile_handler_can_reach_change_or_outlive_nothing(run_cli: Any, escape_setup: dict[str, Any]) -> None:
    installed = [INSTALLED, escape_setup["copy"]]
    before = {path: _digest(path) for path in installed}
    result = _escape_check(run_cli, escape_setup, "on", installed)
    assert result.status == 0, result.out + result.err
    assert "sandbox: contained" in result.out
    assert {path: _digest(path) for path in installed} == before
    assert list(escape_setup["work"].iterdir()) == []
    assert sorted(path.name for path in escape_setup["code"].iterdir()) == ["escapes.py"]
    assert _daemons(escape_setup["daemon"]) == [], "the daemon outlived its sandbox"


def test_without_the_sandbox_the_same_attempts_succeed(run_cli: Any, escape_setup: dict[str, Any]) -> None:
    """The control: the attempts are real, and ``--sandbox off`` leaves them open (as the report says)."""
    try:
        result = _escape_check(run_cli, escape_setup, "off", [escape_setup["copy"]])
        assert result.status == 1, result.out + result.err
        assert "sandbox: not contained (--sandbox off)" in result.out
        for what in (
            "write the working directory",
            "write the code directory",
            "read the gate's environment",
            "read a secret outside the code",
            "reach the backend's port directly",
            "see another process than its own",
        ):
            assert what in result.out, what
        deadline = time.monotonic() + 5
        while not _daemons(escape_setup["daemon"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _daemons(escape_setup["daemon"]), "uncontained, a detached daemon with a clean environment survives"
    finally:
        for pid in _daemons(escape_setup["daemon"]):
            os.kill(pid, 9)


def test_the_home_folder_is_hidden_unless_the_check_runs_from_it(tmp_path: Path) -> None:
    home = os.path.realpath(os.path.expanduser("~"))
    hidden = [place["path"] for place in filesystem([], "/")["hide"]]
    assert home in hidden or any(home.startswith(place + "/") for place in hidden)
    assert home not in filesystem([], home)["keep"], "a check run from the home folder must not bring ~/.aws back"
    code = Path(home) / "project" / "src"
    assert filesystem([str(code)], "/")["keep"] == [str(code)]


# ---- every SDK observed -----------------------------------------------------------------------


def _calls(result: Any) -> list[str]:
    """The AWS calls a failing clause's example recorded."""
    report = json.loads(result.out)
    return [
        call
        for clause in report["clauses"]
        if clause["counterexample"]
        for call in clause["counterexample"]["actual"]["aws_calls"]
    ]


@pytest.mark.any_sdk
@pytest.mark.handler_variant
def test_the_reference_on_boto3_1_26_conforms(run_cli: Any, backend: RunningBackend, old_boto3: Path) -> None:
    """The whole contract on moto; elsewhere the clauses that store, as for SDK v2 below."""
    argv = ["--handler", "reference_impl.handler:lambda_handler", "--interpreter", str(old_boto3)]
    clauses = [] if backend.name == "moto" else STORING
    result = run_cli("check", *argv, *backend.cli_args, *clauses, "--examples", backend.conforming_examples(20))
    assert result.status == 0, result.out + result.err
    checked = 8 if backend.name == "moto" else 3
    assert f"contract: {checked} of 8 clauses checked: {checked} passed, 0 failed" in result.out


@pytest.mark.any_sdk
@pytest.mark.handler_variant
@pytest.mark.usefixtures("sdk_v2_modules")
def test_a_handler_on_the_aws_sdk_for_javascript_v2_conforms(run_cli: Any, backend: RunningBackend) -> None:
    """SDK v2 retries a failing call until the function's deadline (each storage-failure example costs the
    whole timeout): the whole contract on moto with few examples; elsewhere the clauses that store."""
    argv = ["--handler", "correct.handler", "--code-dir", str(SDK_V2), *backend.cli_args, "--examples", "3"]
    clauses = [] if backend.name == "moto" else STORING
    result = run_cli("check", *argv, *clauses)
    assert result.status == 0, result.out + result.err
    assert " 0 failed" in result.out


@pytest.mark.any_sdk
@pytest.mark.handler_variant
@pytest.mark.parametrize("sdk", ["boto3 1.26", "AWS SDK for JavaScript v2"])
def test_a_wrong_handler_on_an_old_sdk_is_caught_with_its_calls(
    run_cli: Any, backend: RunningBackend, sdk: str, request: pytest.FixtureRequest
) -> None:
    if sdk == "boto3 1.26":
        python = request.getfixturevalue("old_boto3")
        target = [
            "--handler",
            f"{HANDLERS / 'wrong' / 'item_created_seconds.py'}:handler",
            "--interpreter",
            str(python),
        ]
    else:
        request.getfixturevalue("sdk_v2_modules")
        target = ["--handler", "item_created_seconds.handler", "--code-dir", str(SDK_V2 / "wrong")]
    result = run_cli("check", *target, *backend.cli_args, "--clause", "item", "--examples", "5", "--format", "json")
    assert result.status == 1, result.out + result.err
    assert [clause["id"] for clause in json.loads(result.out)["clauses"] if clause["status"] == "failed"] == ["item"]
    assert any(call.startswith("dynamodb:PutItem on table") for call in _calls(result)), result.out


def test_the_project_root_is_not_written_by_a_check(run_cli: Any) -> None:
    """The handler's interpreter writes no bytecode beside its code: the code directory is read-only."""
    before = sorted(path.name for path in (ROOT / "reference_impl").iterdir())
    result = run_cli(
        "check", "--handler", "reference_impl.handler:lambda_handler", "--clause", "response", "--examples", "1"
    )
    assert result.status == 0, result.out + result.err
    assert sorted(path.name for path in (ROOT / "reference_impl").iterdir()) == before


def test_a_host_the_function_cannot_reach_is_named_in_the_report(run_cli: Any) -> None:
    handler = f"{HANDLERS / 'hostile' / 'calls_home.py'}:handler"
    result = run_cli("check", "--handler", handler, "--clause", "response", "--examples", "1", "--format", "json")
    assert result.status == 1
    actual = json.loads(result.out)["clauses"][0]["counterexample"]["actual"]
    assert actual["unreachable_hosts"] == [
        "telemetry.example.com (not reachable from the sandbox: only DynamoDB's endpoints are)"
    ]


def _second_token_case() -> tuple[str, dict[str, Any]]:
    from contract_tests.authenticated_events import token_cases

    kind, event = token_cases()[1]
    return kind, {**event, "requestContext": {**event["requestContext"], "connectionId": "later-connect="}}


def test_a_token_logged_after_the_answer_is_judged_with_its_environment() -> None:
    """A queued log handler writes the event 300 ms after the answer, during the next connect or after the
    last one: the line still belongs to the environment, and is judged against every token it was given."""
    from contract_tests.authenticated_events import token_cases
    from contract_tests.clauses import Violation
    from contract_tests.clauses.token_secrecy import late_leak, require_token_kept_secret
    from contract_tests.engine import open_run
    from contract_tests.engine.functions import ConnectHandler
    from contract_tests.request import CheckRequest

    handler = f"{HANDLERS / 'wrong' / 'v4' / 'token_logged_late.py'}:handler"
    with open_run(CheckRequest(handler=handler, contract="v4", examples=1, seed=1)) as check:
        assert isinstance(check.function, ConnectHandler)
        session = check.function.session
        first = token_cases()[0][1]
        session.connect(first)
        time.sleep(0.5)  # the first connect's line arrives before the second connect starts
        later = _second_token_case()[1]
        observation = session.connect(later)
        assert not any("later-connect=" in line for line in observation.invocation.logs)
        with pytest.raises(Violation, match="holds the token of connect"):
            require_token_kept_secret(observation, later)
        settled = session.settled_output()
    assert any(late_leak(events, lines) for events, lines in settled)


def test_the_sandbox_shows_a_module_handler_where_its_interpreter_finds_it(tmp_path: Path) -> None:
    """An editable install maps a package from anywhere (a clone under /tmp, a home folder): the sandbox
    binds back where the function's interpreter finds the handler's package, not only its code directory."""
    import reference_impl
    from contract_tests.runtimes import RuntimeOptions, make_runtime
    from contract_tests.targets import parse_target

    runtime = make_runtime(None, parse_target("reference_impl.handler:lambda_handler", None), RuntimeOptions())
    package = str(Path(reference_impl.__file__).resolve().parent)
    assert package in runtime.program_paths()  # type: ignore[attr-defined]


def test_a_handler_that_stops_every_process_it_can_stops_only_itself(run_cli: Any) -> None:
    """Never run uncontained: there SIGSTOP to -1 would stop the gate and every process of its user."""
    handler = f"{HANDLERS / 'hostile' / 'stops_everything.py'}:handler"
    started = time.monotonic()
    argv = ["--handler", handler, "--sandbox", "on", "--clause", "response", "--examples", "1", "--timeout", "1"]
    result = run_cli("check", *argv)
    assert result.status == 1, result.out + result.err
    assert "Task timed out after 1.00 seconds" in result.out
    assert time.monotonic() - started < 60


def test_one_failed_trial_does_not_turn_the_sandbox_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under load a trial can fail on a machine that sandboxes; auto would then run uncontained silently."""
    from contract_tests.sandbox import support

    outcomes = iter(["the sandbox could not be laid out: its first process ended", ""])
    monkeypatch.setattr(support, "_trial", lambda: next(outcomes))
    support._probe.cache_clear()
    try:
        assert support.containment("auto").contained
    finally:
        support._probe.cache_clear()


def test_a_sandboxed_router_reaches_the_management_api_by_its_real_name(run_cli: Any, tmp_path: Path) -> None:
    """Inside the sandbox CONNECTIONS_ENDPOINT is the URL AWS gives a stage; the name resolves to the gate,
    and its certificate is the gate's authority's: a router that insists on that form conforms."""
    router = (ROOT / "reference_impl" / "router.py").read_text(encoding="utf-8")
    insisting = router.replace(
        "def lambda_handler(event: Any, context: Any) -> dict[str, int]:\n",
        "def lambda_handler(event: Any, context: Any) -> dict[str, int]:\n"
        "    endpoint = os.environ['CONNECTIONS_ENDPOINT']\n"
        "    form = r'https://[a-z0-9]{10}\\.execute-api\\.eu-central-2\\.amazonaws\\.com/\\w+'\n"
        "    if not re.fullmatch(form, endpoint):\n"
        "        raise RuntimeError(f'not an execute-api URL: {endpoint}')\n",
    )
    assert insisting != router
    (tmp_path / "router.py").write_text(insisting, encoding="utf-8")
    argv = ["--contract", "router", "--handler", f"{tmp_path / 'router.py'}:lambda_handler", "--region", "eu-central-2"]
    result = run_cli("check", *argv, "--clause", "delivery", "--clause", "pruning", "--examples", "5")
    assert result.status == 0, result.out + result.err


def test_an_interpreters_own_startup_code_runs_contained_when_the_gate_asks_it_its_installation(
    run_cli: Any, tmp_path: Path
) -> None:
    """The gate asks --interpreter its version and import path before a sandbox can be planned; starting it
    runs the ``.pth`` files of its virtualenv (a dependency's, a supply chain's). Asked outside any sandbox,
    that code once wrote where the gate can, and a process it started outlived the check."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    [site_packages] = venv.glob("lib/python3*/site-packages")
    written, marker = tmp_path / "written-at-startup", f"connect-contract-pth-{uuid.uuid4().hex}"
    daemon = f"python3 -c 'import time; time.sleep(60)  # {marker}' &"  # the system's Python: no .pth of the venv
    startup = (
        f"import subprocess; open({str(written)!r}, 'a').close(); subprocess.Popen(['/bin/sh', '-c', {daemon!r}],"
        " start_new_session=True, env={'PATH': '/usr/bin:/bin'}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"
    )
    (site_packages / "startup.pth").write_text(startup + "\n")
    app = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'connected'}\n"
    (tmp_path / "app.py").write_text(app)
    argv = ["--handler", f"{tmp_path / 'app.py'}:handler", "--interpreter", str(venv / "bin" / "python")]
    try:
        result = run_cli("check", *argv, "--clause", "response", "--examples", "1")
        assert result.status == 0, result.out + result.err
        assert not written.exists(), "the interpreter's startup wrote outside a sandbox"
        assert not _daemons(marker), "a process the interpreter's startup began outlived the check"
    finally:
        for pid in _daemons(marker):
            os.kill(pid, signal.SIGKILL)


def test_a_program_that_ends_at_once_is_answered_not_taken_for_a_failed_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sandbox's "listeners" handshake and the "exit …" line of a function that ends at once travel on one
    stream: read together (a busy gate reads late), the handshake looked failed and a question to a version
    manager's shim was exit 2 ("the sandbox could not be laid out: pyenv: python3.12: command not found")."""
    from contract_tests.sandbox import probe
    from contract_tests.sandbox import process as sandbox_process

    received = sandbox_process.socket.recv_fds

    def late(*args: Any) -> Any:
        time.sleep(0.5)  # both lines are in the socket by now
        return received(*args)

    monkeypatch.setattr(sandbox_process.socket, "recv_fds", late)
    answer = probe.ask(["/bin/sh", "-c", "echo 'not selected' >&2; exit 127"], "/", contained=True)
    assert answer.last == "not selected"
