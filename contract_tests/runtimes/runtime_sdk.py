"""The AWS SDK that Lambda's runtimes include, for handlers that import it without shipping it: boto3 on
Python (a function's requirements rarely list it), the AWS SDK for JavaScript v3 on Node.js 18 and later
(the Lambda console's ``index.mjs``, and CDK's and SAM's esbuild builds, which leave ``@aws-sdk/*`` to
the runtime).

Each is made once per state home and found as on Lambda: after the function's own packages. Python's
is a folder of links to the gate's own boto3 and what it imports (Lambda's ``/var/runtime``), appended
to the path of an ``--interpreter``. Node.js's is installed from the lock file beside this module (``npm
ci``, no package scripts) the first time a handler fails to start without it, and searched through
``NODE_PATH``, for ES modules too (the runtime client's resolve hook): see ``start`` in nodejs.py. So a
handler that ships its SDK never waits for npm, and without npm or the registry only a handler that
needs the copy is stopped, with the reason.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from contract_tests.errors import HarnessError
from contract_tests.state_home import made_once, state_home

PACKAGE = resources.files("contract_tests.runtimes") / "node_runtime_sdk"
FILES = ("package.json", "package-lock.json")
#: An install takes ~10 s here; a registry that stops answering must not hold a check for ever.
INSTALL_TIMEOUT_S = 300
#: The packages the Node.js copy holds (their dependencies come along): a handler importing another
#: runtime-included package ships it, or the check says so.
PACKAGES = (
    "@aws-sdk/client-dynamodb",
    "@aws-sdk/lib-dynamodb",
    "@aws-sdk/util-dynamodb",
    "@aws-sdk/client-apigatewaymanagementapi",
    "@aws-sdk/client-secrets-manager",
    "@aws-sdk/client-ssm",
    "@aws-sdk/client-kms",
    "@aws-sdk/client-sts",
    "@aws-sdk/credential-providers",
)
#: What Lambda's Python runtimes hold beside the handler's path: boto3 and the distributions it imports.
PYTHON_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")


def _under_layers(layers: tuple[str, ...], places: tuple[str, ...]) -> list[str]:
    """``places`` in each layer's folder: Lambda unpacks the layers one over another, so the last one's first."""
    return [str(Path(layer) / place) for layer in reversed(layers) for place in places]


def python_layer_paths(layers: tuple[str, ...], version: str) -> list[str]:
    """Where Lambda's Python runtime finds the layers' packages: ``/opt/python/lib/pythonX.Y/site-packages``
    and ``/opt/python``."""
    return _under_layers(layers, (f"python/lib/python{version}/site-packages", "python"))


def node_layer_paths(layers: tuple[str, ...], major: str) -> list[str]:
    """Where Lambda's Node.js runtime finds the layers' packages: ``/opt/nodejs/nodeNN/node_modules`` and
    ``/opt/nodejs/node_modules``."""
    return _under_layers(layers, (f"nodejs/node{major}/node_modules", "nodejs/node_modules"))


@dataclass(frozen=True)
class RuntimeSdk:
    """Where the Node.js copy's ``node_modules`` is, or why there is none."""

    node_modules: Path | None
    problem: str = ""


def installs() -> Path:
    """Where Node.js copies are installed, one per lock file."""
    return state_home() / "node-runtime-sdk"


def _npm_ci(scratch: Path) -> str:
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not on PATH"
    for name in FILES:
        (scratch / name).write_bytes((PACKAGE / name).read_bytes())
    command = [npm, "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    try:
        done = subprocess.run(
            command, cwd=scratch, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return f"npm ci did not finish in {INSTALL_TIMEOUT_S} s (is the npm registry reachable?)"
    if done.returncode == 0:
        return ""
    said = (done.stderr or done.stdout).strip().splitlines()
    return f"npm ci failed: {said[-1] if said else f'exit status {done.returncode}'}"


@functools.cache
def _lock_digest() -> str:
    return hashlib.sha256(b"".join((PACKAGE / name).read_bytes() for name in FILES)).hexdigest()[:16]


def node_modules_path() -> Path:
    """Where the Node.js copy's ``node_modules`` is, or will be once a handler needs it."""
    return installs() / _lock_digest() / "node_modules"


@functools.cache  # once per process: the first handler that needs it waits for the install, no other
def runtime_sdk() -> RuntimeSdk:
    """The Node.js copy, installed first if this state home has none."""
    folder = node_modules_path().parent
    problem = made_once(folder, _npm_ci)
    return RuntimeSdk(None, problem) if problem else RuntimeSdk(folder / "node_modules")


def _python_entries() -> dict[str, Path]:
    """Each top-level name (package, module, ``.dist-info``) of the distributions, and where the gate has it."""
    entries: dict[str, Path] = {}
    for name in PYTHON_DISTRIBUTIONS:
        distribution = metadata.distribution(name)
        for file in distribution.files or ():
            top = file.parts[0]
            if top not in ("..", "__pycache__"):
                entries[top] = Path(str(distribution.locate_file(top))).resolve()
    return entries


def _link_python_sdk(scratch: Path) -> str:
    for top, target in _python_entries().items():
        (scratch / top).symlink_to(target)
    return ""


@functools.cache
def python_sdk_oldest() -> tuple[tuple[int, int], str]:
    """The oldest Python the gate's boto3 and what it imports all run on (their ``Requires-Python``), and
    the distribution that needs it. Only ``>=`` bounds are read: no other kind limits an older Python."""
    oldest, needs = (0, 0), ""
    for name in PYTHON_DISTRIBUTIONS:
        required = metadata.metadata(name)["Requires-Python"] or ""
        for major, minor in re.findall(r">=\s*([0-9]+)\.([0-9]+)", required):
            if (int(major), int(minor)) > oldest:
                oldest, needs = (int(major), int(minor)), f"{name} {metadata.version(name)}"
    return oldest, needs


def python_sdk() -> tuple[Path, list[Path]]:
    """A folder holding only boto3 and what it imports (links to the gate's own), and the linked places:
    the folder is named for their versions, so a new boto3 makes a new one."""
    versions = ",".join(f"{name}={metadata.version(name)}" for name in PYTHON_DISTRIBUTIONS)
    folder = state_home() / "python-runtime-sdk" / hashlib.sha256(versions.encode()).hexdigest()[:16]
    problem = made_once(folder, _link_python_sdk)
    if problem:
        raise HarnessError(f"cannot make {folder}, where --interpreter finds boto3 as on Lambda: {problem}")
    return folder, list(_python_entries().values())
