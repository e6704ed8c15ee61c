"""The ``provided`` runtime: Lambda's custom runtime, an executable ``bootstrap`` in ``--code-dir`` (Go, Rust …)."""

from __future__ import annotations

import os

from contract_tests.errors import TargetError
from contract_tests.runtimes.out_of_process import ProcessRuntime


class ProvidedRuntime(ProcessRuntime):
    language = "any"
    name = "provided"
    execution_env = "AWS_Lambda_provided.al2023"
    # A custom runtime speaks the API itself and prints no end-of-output marks.
    marks_output = False

    def command(self) -> list[str]:
        if self.target.code_dir is None:
            raise TargetError("--runtime provided needs --code-dir, the folder holding the executable 'bootstrap'")
        bootstrap = self.target.code_dir / "bootstrap"
        if not bootstrap.is_file() or not os.access(bootstrap, os.X_OK):
            raise TargetError(
                f"--runtime provided: {str(bootstrap)!r} is not an executable file (--code-dir names its folder)"
            )
        return [str(bootstrap)]
