"""Shared helpers for the project's own tests."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Imported before any in-process pytester run: pytester drops the modules a run imported, and a second
# import of cryptography's Python side next to its native one breaks every certificate made after it
# ("curve must be an EllipticCurve instance"), failing the sandbox's TLS in every later test of the process.
import contract_tests.sandbox.certificates  # noqa: F401
from contract_tests.backends import BackendOptions, make_backend
from contract_tests.cli import main
from contract_tests.contracts import contract_named
from contract_tests.errors import BackendError
from contract_tests.process_tree import alive
from contract_tests.runtimes.deployed_python import GATE_VERSION

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
HANDLERS = FIXTURES / "handlers"
WRONG_HANDLERS = sorted((HANDLERS / "wrong").glob("*.py"))
#: A boto3 older than 1.28, which ignores AWS_ENDPOINT_URL_*: a handler's own virtualenv (--interpreter).
OLD_BOTO3 = "boto3==1.26.165"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def caught_clause(handler_file: Path) -> str:
    """The clause a wrong handler's docstring says must catch it."""
    match = re.search(r'^(?:"""|// )catches: ([a-z-]+)', handler_file.read_text(encoding="utf-8"))
    assert match, f"{handler_file.name} does not say which clause catches it"
    return match.group(1)


def timeless(text: str) -> str:
    """``text`` without wall-clock times (epoch numbers, an event's requestTime), which two runs never share."""
    return re.sub(r"\d{6,}|\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}", "…", text)


def essence(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What must not depend on --jobs or --shard: each clause's status, examples, message and example, times aside."""
    return [
        (
            c["id"],
            c["status"],
            c["examples"],
            timeless(c.get("message") or ""),
            timeless(json.dumps((c.get("counterexample") or {}).get("example"))),
        )
        for c in report["clauses"]
    ]


@dataclass
class CliRun:
    status: int
    out: str
    err: str

    @property
    def failed_clauses(self) -> list[str]:
        return re.findall(r"^\s+\[FAIL\] \d+ (\S+)", self.out, flags=re.M)

    @property
    def passed_clauses(self) -> list[str]:
        return re.findall(r"^\s+\[pass\] \d+ (\S+)", self.out, flags=re.M)


@pytest.fixture
def failures_dir(tmp_path: Path) -> Path:
    """Where the test's checks save their failure cases (never the project's checkout)."""
    return tmp_path / ".connect-contract" / "failures"


@pytest.fixture(autouse=True)
def _no_ci_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports under test are the same on a laptop and in CI: progress lines are tested on their own."""
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def run_cli(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str], failures_dir: Path) -> Any:
    """Run ``connect-contract`` in this process and return its exit status and output."""
    packages = {str(HANDLERS / "nodejs") + "/": "node_modules", str(HANDLERS / "nodejs_sdk_v2") + "/": "sdk_v2_modules"}

    def run(*argv: str) -> CliRun:
        for folder, fixture in packages.items():  # a test passes alone, not only after one that installed them
            if any(folder in arg or arg + "/" == folder for arg in argv):
                request.getfixturevalue(fixture)
        if argv[:1] in (("check",), ("replay",), ("merge",)) and "--failures-dir" not in argv:
            argv = (*argv, "--failures-dir", str(failures_dir))
        capsys.readouterr()
        try:
            status = main(list(argv))
        except SystemExit as exit_:  # argparse's own usage errors
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return CliRun(status, captured.out, captured.err)

    return run


#: A stack of one Python function on `$connect`, its table the run's (dedented, as ``python_stack`` writes it).
PYTHON_STACK = """
    {globals}
    Resources:
      Table:
        Type: AWS::DynamoDB::Table
      Connect:
        Type: {function}
        Properties:
{code}
          Handler: {handler}
          Runtime: python{version}{settings}
          Environment:
            Variables:
              CONNECTIONS_TABLE: !Ref Table
      Integration:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          IntegrationUri: !Sub "arn:aws:apigateway:us-east-1:lambda:path/functions/${{Connect.Arn}}/invocations"
      Route:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          RouteKey: $connect
          Target: !Sub "integrations/${{Integration}}"
"""


def python_stack(
    folder: Path,
    code: Path | None,
    handler: str,
    globals_: str = "",
    settings: str = "",
    version: str = GATE_VERSION,
    *,
    inline: str | None = None,
    function: str = "AWS::Serverless::Function",
) -> Path:
    """``folder/template.yaml``: the function's code in ``code`` (its CodeUri), or ``inline`` (Code.ZipFile)."""
    where = f"          CodeUri: {code}"
    if inline is not None:
        where = "          Code:\n            ZipFile: |\n" + textwrap.indent(inline, " " * 14)
    body = PYTHON_STACK.format(
        globals=globals_,
        function=function,
        code=where.rstrip("\n"),
        handler=handler,
        version=version,
        settings=settings,
    )
    path = folder / "template.yaml"
    path.write_text(textwrap.dedent(body))
    return path


def installed_pythons() -> dict[str, Path]:
    """Each Python version this machine has (``3.12``) and a program that runs it: on PATH, or installed by a
    version manager whose shims are on PATH (pyenv's run only the versions it selected; the rest lie in its
    ``versions/``)."""
    folders = [Path(folder) for folder in os.environ.get("PATH", "").split(os.pathsep) if folder]
    folders += [
        found for folder in folders if folder.name == "shims" for found in folder.parent.glob("versions/3.*/bin")
    ]
    pythons: dict[str, Path] = {}
    for folder in folders:
        for program in sorted(folder.glob("python3.[0-9]*")):
            version = program.name.removeprefix("python")
            if version in pythons or not version.replace(".", "").isdigit():
                continue
            asked = [str(program), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
            if subprocess.run(asked, capture_output=True, text=True, check=False).stdout.strip() == version:
                pythons[version] = program
    return pythons


LOCAL_BACKENDS = ("moto", "moto-server", "localstack", "dynamodb-local")


@contextmanager
def killed_gate(*statements: str) -> Iterator[set[int]]:
    """A Python process that runs ``statements``, the last printing the pids of what it started, then is
    SIGKILLed: what it started, for the test to watch end. Whatever the test fails on, none outlives it."""
    gate = subprocess.Popen([sys.executable, "-c", "; ".join(statements)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert gate.stdout is not None
    started = {int(pid) for pid in gate.stdout.readline().split()}
    try:
        gate.kill()
        gate.wait()
        yield started
    finally:
        gate.kill()
        for pid in started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def gone(pids: set[int], within_s: float) -> bool:
    """Whether every one of ``pids`` has ended within ``within_s`` seconds."""
    deadline = time.monotonic() + within_s
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(pid) for pid in pids)


def clause_options(clauses: list[str]) -> list[str]:
    """``--clause`` options checking ``clauses`` (none: every clause of the contract)."""
    return [word for clause in clauses for word in ("--clause", clause)]


def selected_backends(config: pytest.Config) -> list[str]:
    names = [name.strip() for name in str(config.getoption("backends")).split(",") if name.strip()]
    unknown = [name for name in names if name not in LOCAL_BACKENDS]
    if unknown or not names:
        raise pytest.UsageError(f"--backends: choose from {', '.join(LOCAL_BACKENDS)}, got {unknown or names}")
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", selected_backends(metafunc.config), indirect=True)


#: Clauses whose verdict rests on what a backend stores or deletes: where backends differ.
STORAGE_CLAUSES = frozenset({"item", "expiry"})


def sampled_on_other_backends(paths: list[Path]) -> set[Path]:
    """The wrong handlers checked on backends other than moto: every one of a storage clause, one of any other.

    The whole matrix runs on moto; elsewhere a wrong handler of a clause that only reads the
    handler's answer or its calls would repeat moto's verdict at several times the cost.
    """
    first: dict[str, Path] = {}
    for path in sorted(paths):
        first.setdefault(f"{path.parent.name}/{caught_clause(path)}", path)
    return {path for path in paths if caught_clause(path) in STORAGE_CLAUSES} | set(first.values())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept, dropped = [], []
    provisioned = "localstack" in selected_backends(config)
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "backend" in fixtures:
            item.add_marker("backend")
        if "localstack_endpoint" in fixtures:
            item.add_marker("localstack")
        params = getattr(item, "callspec", None)
        params = params.params if params is not None else {}
        backend = params.get("backend", "moto")
        sample = item.get_closest_marker("wrong_handler_matrix")
        if item.get_closest_marker("localstack") and not provisioned:
            # It runs where LocalStack and DynamoDB Local are provisioned (tox's localstack commands), once.
            dropped.append(item)
        elif backend == "moto-server" and (
            sample or item.get_closest_marker("handler_variant") or item.get_closest_marker("later_reference")
        ):
            # moto out of process is this same server, reached over the same HTTP: they ran there.
            dropped.append(item)
        elif backend == "dynamodb-local" and (
            item.get_closest_marker("judged_on_localstack")
            or not (item.get_closest_marker("contract_versions") or item.get_closest_marker("any_sdk"))
        ):
            # LocalStack's DynamoDB is DynamoDB Local: here run what its own TTL sweep and the SDKs that
            # ignore AWS_ENDPOINT_URL_* decide, and the rest once, on LocalStack.
            dropped.append(item)
        elif backend != "moto" and item.get_closest_marker("style_variant"):
            # Its style is judged by the clauses alike everywhere; its writes are the reference's.
            dropped.append(item)
        elif backend != "moto" and item.get_closest_marker("superseded_version"):
            # The later version's reference runs every one of its clauses on this backend.
            dropped.append(item)
        elif sample and backend != "moto" and params["path"] not in sample.args[0]:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@dataclass
class RunningBackend:
    """A backend started once for the whole test session, and how a check reaches it."""

    name: str
    endpoint: str | None

    @property
    def cli_args(self) -> list[str]:
        return ["--backend", self.name, *(["--endpoint", self.endpoint] if self.endpoint else [])]

    def conforming_examples(self, on_moto: int) -> str:
        """``--examples`` for a correct handler's whole-contract run: ``on_moto`` on moto, half elsewhere.

        Generation is the same on every backend and is judged in full on moto; elsewhere (moto's
        server over HTTP, LocalStack, DynamoDB Local) the run is there for what the backend stores.
        """
        return str(on_moto if self.name == "moto" else max(5, on_moto // 2))

    def conforming_clauses(self, contract: str, variant: Sequence[str] | None = None) -> list[str]:
        """The clauses a correct handler's run checks here (none named: every one of the contract).

        On moto, every clause, for every handler: generation, answers and calls are judged there in full.
        Elsewhere a run is for what the backend stores and returns: the reference is judged on every
        clause on LocalStack; a handler written unlike it (``variant``: the clauses that read what its
        own calls store or get back, e.g. a condition or a filter the backend evaluates) on those, on
        ``item`` and on the clauses needing a capability of the backend (its TTL sweep). DynamoDB Local
        is LocalStack's DynamoDB, where those whole-contract runs happened: there every handler runs
        only ``item`` and the capability clauses, what this backend does on its own."""
        if self.name == "dynamodb-local":
            chosen = {"item"}
        elif self.name == "moto" or variant is None:
            return []
        else:
            chosen = {"item", *variant}
        return [clause.id for clause in contract_named(contract).clauses if clause.requires or clause.id in chosen]


@pytest.fixture(scope="session")
def started_backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RunningBackend]]:
    """This test process's HTTP backends, each started on first use and stopped when the session ends.

    One per test process, not one per run: a LocalStack or a DynamoDB Local shared by four test
    processes serialises their requests (measured: the LocalStack tests took 334 s instead of 188 s,
    the DynamoDB Local tests 137-143 s instead of 90-107 s). They boot one at a time, since four
    LocalStacks booting side by side on two cores once took one past its start-up limit. A backend that
    failed to start fails each test that needs it with its error, without a new wait for each.
    """
    with ExitStack() as stack:
        failed: dict[str, BackendError] = {}

        class Starter(dict[str, RunningBackend]):
            def __missing__(self, name: str) -> RunningBackend:
                if name in failed:
                    raise failed[name]
                endpoint = None
                if name != "moto":
                    try:
                        # Not test_backends' lock for private LocalStacks: a test holding that one asks for this
                        # process's backend, and a second flock on the same lock file would wait for itself.
                        with one_process_at_a_time(tmp_path_factory, "booting-a-backend"):
                            endpoint = stack.enter_context(make_backend(name, BackendOptions())).endpoint_url()
                    except BackendError as error:
                        failed[name] = error
                        raise
                self[name] = RunningBackend(name, endpoint)
                return self[name]

        yield Starter()


@pytest.fixture
def backend(request: pytest.FixtureRequest, started_backends: dict[str, RunningBackend]) -> RunningBackend:
    """The DynamoDB backend a test body runs on (``--backends`` chooses; the same body runs on each)."""
    return started_backends[str(request.param)]


@contextmanager
def one_process_at_a_time(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[None]:
    """Hold a lock the test processes running side by side (pytest -n) share: the others wait for it."""
    with open(tmp_path_factory.getbasetemp().parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def old_boto3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with boto3 1.26, which ignores AWS_ENDPOINT_URL_*; made once per run, whoever comes first."""
    venv = tmp_path_factory.getbasetemp().parent / "boto3-1.26"
    python = venv / "bin" / "python"
    with one_process_at_a_time(tmp_path_factory, "boto3-1.26"):
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            done = subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", OLD_BOTO3],
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stdout + done.stderr
    return python


def _npm_ci(tmp_path_factory: pytest.TempPathFactory, project: Path) -> Path:
    """``project``'s packages, installed from its lock file once, whoever comes first."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("Node.js and npm are needed for the Node.js handler tests (e.g. `apt-get install nodejs npm`)")
    modules = project / "node_modules"
    with one_process_at_a_time(tmp_path_factory, f"npm-ci-{project.name}"):
        wanted = load_json(project / "package.json")["dependencies"]
        if not all((modules / name).is_dir() for name in wanted):
            done = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=project,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stdout + done.stderr
    return modules


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packages the Node.js handlers import (AWS SDK v3, jose)."""
    return _npm_ci(tmp_path_factory, HANDLERS / "nodejs")


@pytest.fixture(scope="session")
def sdk_v2_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The AWS SDK for JavaScript v2, which the handlers under nodejs_sdk_v2 import."""
    return _npm_ci(tmp_path_factory, HANDLERS / "nodejs_sdk_v2")
