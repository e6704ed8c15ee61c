"""The ``nodejs`` runtime: the handler in a Node.js process (18 or newer), CommonJS or ES module."""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

from contract_tests.errors import TargetError
from contract_tests.runtimes.out_of_process import ProcessRuntime

CLIENT = resources.files("contract_tests.runtimes") / "clients" / "node_client.mjs"


class NodeRuntime(ProcessRuntime):
    language = "nodejs"
    name = "nodejs"
    execution_env = "AWS_Lambda_nodejs20.x"

    def node(self) -> str:
        chosen = self.options.interpreter or "node"
        found = shutil.which(chosen)
        if found is None:
            raise TargetError(f"{chosen!r} is not on PATH: JavaScript handlers need Node.js 18+ (--interpreter)")
        return found

    def command(self) -> list[str]:
        return [self.node(), str(CLIENT)]

    def program_paths(self) -> list[str]:
        """Node.js's installation: the folder above its ``bin`` (a version manager's lives in the home folder)."""
        return [str(Path(os.path.realpath(self.node())).parent.parent)]
