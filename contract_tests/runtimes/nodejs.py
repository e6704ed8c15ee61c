"""The ``nodejs`` runtime: the handler in a Node.js process (18 or newer), CommonJS or ES module."""

from __future__ import annotations

import functools
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from contract_tests.errors import TargetError
from contract_tests.runtimes.base import HandlerInitError
from contract_tests.runtimes.out_of_process import ProcessInstance, ProcessRuntime
from contract_tests.runtimes.runtime_sdk import (
    PACKAGES,
    installs,
    node_layer_paths,
    node_modules_path,
    runtime_sdk,
)
from contract_tests.sandbox.addresses import Listener
from contract_tests.sandbox.probe import Answer, ask

CLIENT = resources.files("contract_tests.runtimes") / "clients" / "node_client.mjs"
#: The oldest Node.js the client is written for: another program, or an older Node.js, fails every connect.
OLDEST = 18
#: What Node.js says of a package it cannot find, CommonJS and ES module alike.
MISSING_PACKAGE = re.compile(r"Cannot find (?:package|module) '((?:@[^'/]+/)?[^'/.][^'/]*)")
#: Lambda's Node.js runtimes (``nodejs20.x``), their major version.
DEPLOYED_NODE = re.compile(r"nodejs([0-9]+)\.x")
#: Told to the runtime client: ES modules search NODE_PATH too (its resolve hook costs each start ~80 ms).
IMPORTS_SEARCH_NODE_PATH = "--imports-search-node-path"


class NodeRuntime(ProcessRuntime):
    language = "nodejs"
    name = "nodejs"

    def node(self) -> str:
        chosen = self.options.interpreter or "node"
        found = shutil.which(chosen)
        if found is None:
            raise TargetError(f"{chosen!r} is not on PATH: JavaScript handlers need Node.js 18+ (--interpreter)")
        answer = node_version(found, self.containment.contained)
        version = answer.last
        major = version.split(".")[0]
        named = f"--interpreter {chosen!r}" if self.options.interpreter else f"node ({found})"
        if not major.isdigit():
            raise TargetError(f"{named} is not Node.js (asked its version, it answered {version[:40]!r}{answer.why()})")
        if int(major) < OLDEST:
            raise TargetError(f"{named} is Node.js {version}; JavaScript handlers need Node.js {OLDEST} or later")
        return found

    @property
    def _version(self) -> str:
        """The version of the Node.js that runs the function ("20.11.1")."""
        return node_version(self.node(), self.containment.contained).last

    @property
    def _major(self) -> str:
        """Its major version ("20"), as Lambda's runtimes and layers name it."""
        return self._version.split(".")[0]

    @property
    def execution_env(self) -> str:  # type: ignore[override]
        return f"AWS_Lambda_nodejs{self._major}.x"

    def notes(self) -> list[str]:
        deployed = DEPLOYED_NODE.fullmatch(self.options.deployed_runtime or "")
        running = self._major
        if deployed is None or deployed.group(1) == running:
            return []
        how = f"--interpreter {self.options.interpreter!r}" if self.options.interpreter else "node on PATH"
        return [
            f"{self.target.spec} is deployed on {deployed.group(0)} but ran on Node.js {self._version} ({how});"
            f" its verdict is Node.js {running}'s"
        ]

    #: Set once an ES module needed a package that only NODE_PATH holds: every later start searches it.
    imports_search_node_path = False

    def command(self) -> list[str]:
        return [self.node(), str(CLIENT), *([IMPORTS_SEARCH_NODE_PATH] if self.imports_search_node_path else [])]

    def program_paths(self) -> list[str]:
        """Node.js's installation (the folder above its ``bin``: a version manager's lives in the home
        folder), and the runtime's SDK once installed."""
        sdk = node_modules_path()
        installation = str(Path(os.path.realpath(self.node())).parent.parent)
        return [installation, *self.options.layers, *([str(sdk)] if sdk.is_dir() else [])]

    def lambda_variables(self, region: str) -> dict[str, str]:
        """Lambda's, with its ``NODE_PATH``: the layers' packages, the runtime's SDK, then the task root."""
        layers = node_layer_paths(self.options.layers, self._major)
        searched = [*layers, str(node_modules_path()), str(self.task_root.resolve())]
        return {**super().lambda_variables(region), "NODE_PATH": os.pathsep.join(searched)}

    def start(self, environment: Mapping[str, str], listeners: Sequence[Listener] = ()) -> ProcessInstance:
        """A new environment. One that failed to initialise for want of a package Lambda's runtime would
        give it starts again once the gate can give it too (see ``_offer``)."""
        while True:
            try:
                return super().start(environment, listeners)
            except HandlerInitError as error:
                missing = MISSING_PACKAGE.search(str(error))
                if missing is not None and self._offer(missing.group(1), environment):
                    continue
                if missing is not None and missing.group(1).startswith("@aws-sdk/"):
                    raise TargetError(_without_sdk(missing.group(1))) from error
                raise

    def _offer(self, package: str, environment: Mapping[str, str]) -> bool:
        """Whether the next start can find ``package``, as on Lambda: ES modules told to search NODE_PATH
        (their import failed to link, so nothing of them ran), or the runtime's SDK installed."""
        searched = [Path(folder) for folder in environment.get("NODE_PATH", "").split(os.pathsep) if folder]
        if any((folder / package).exists() for folder in searched):
            if self.imports_search_node_path:
                return False
            self.imports_search_node_path = True
            return True
        sdk = node_modules_path()
        if not package.startswith("@aws-sdk/") or sdk not in searched or sdk.is_dir():
            return False
        if runtime_sdk().node_modules is None:
            return False
        self._plans.clear()  # the sandbox binds the copy from now on
        return True


@functools.cache  # one question per program and process: every environment of every check starts it
def node_version(program: str, contained: bool) -> Answer:
    """What ``program`` says is its Node.js version ("20.11.1" its last line), or what it printed instead."""
    return ask([program, "-e", "process.stdout.write(process.versions.node)"], "/", contained=contained)


def _without_sdk(package: str) -> str:
    """Why a handler importing ``package``, which Lambda's runtime would give it, cannot be checked here."""
    sdk = runtime_sdk()
    included = "Lambda's Node.js runtime includes the AWS SDK for JavaScript v3"
    if sdk.node_modules is None:
        return (
            f"the handler imports {package}: {included}, and the gate could not install its copy into {installs()}:"
            f" {sdk.problem}; give the gate npm and the npm registry once, or ship the SDK with the handler"
        )
    if (sdk.node_modules / package).is_dir():  # in the copy, but this Node.js cannot search it for ES modules
        return (
            f"the handler imports {package}: {included}, which an ES module finds only on Node.js 18.19, 20.6"
            " and later (module.register); give a newer Node.js (--interpreter), or ship the SDK with the handler"
        )
    return (
        f"the handler imports {package}: {included}, but the gate's copy holds {', '.join(PACKAGES)} and what"
        f" they need; ship {package} with the handler (bundle it, or npm install it beside the handler)"
    )
