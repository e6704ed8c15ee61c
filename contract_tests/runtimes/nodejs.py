"""The ``nodejs`` runtime: the handler in a Node.js process (18 or newer), CommonJS or ES module."""

from __future__ import annotations

import functools
import os
import shutil
from importlib import resources
from pathlib import Path

from contract_tests.errors import TargetError
from contract_tests.runtimes.out_of_process import ProcessRuntime
from contract_tests.sandbox.probe import ask

CLIENT = resources.files("contract_tests.runtimes") / "clients" / "node_client.mjs"
#: The oldest Node.js the client is written for: another program, or an older Node.js, fails every connect.
OLDEST = 18


class NodeRuntime(ProcessRuntime):
    language = "nodejs"
    name = "nodejs"
    execution_env = "AWS_Lambda_nodejs20.x"

    def node(self) -> str:
        chosen = self.options.interpreter or "node"
        found = shutil.which(chosen)
        if found is None:
            raise TargetError(f"{chosen!r} is not on PATH: JavaScript handlers need Node.js 18+ (--interpreter)")
        version = node_version(found, self.containment.contained)
        major = version.split(".")[0]
        named = f"--interpreter {chosen!r}" if self.options.interpreter else f"node ({found})"
        if not major.isdigit():
            raise TargetError(f"{named} is not Node.js (asked its version, it answered {version[:40]!r})")
        if int(major) < OLDEST:
            raise TargetError(f"{named} is Node.js {version}; JavaScript handlers need Node.js {OLDEST} or later")
        return found

    def command(self) -> list[str]:
        return [self.node(), str(CLIENT)]

    def program_paths(self) -> list[str]:
        """Node.js's installation: the folder above its ``bin`` (a version manager's lives in the home folder)."""
        return [str(Path(os.path.realpath(self.node())).parent.parent)]


@functools.cache  # one question per program and process: every environment of every check starts it
def node_version(program: str, contained: bool) -> str:
    """What ``program`` says is its Node.js version ("20.11.1"), or what it printed instead ("" if nothing)."""
    return ask([program, "-e", "process.stdout.write(process.versions.node)"], "/", contained=contained)
