"""The ``python`` runtime: the handler in its own Python process, any interpreter from 3.9 (``--interpreter``)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from importlib import resources

from contract_tests.errors import TargetError
from contract_tests.runtimes.out_of_process import ProcessRuntime

CLIENT = resources.files("contract_tests.runtimes") / "clients" / "python_client.py"
ASK_INSTALLATION = (
    "import sys; print('%d.%d' % sys.version_info[:2],"
    " sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)"
)


class PythonRuntime(ProcessRuntime):
    language = "python"
    name = "python"

    def interpreter(self) -> str:
        chosen = self.options.interpreter or sys.executable
        found = shutil.which(chosen)
        if found is None:
            raise TargetError(f"--interpreter {chosen!r}: no such program")
        return found

    @functools.cached_property
    def _installation(self) -> tuple[str, list[str]]:
        """The interpreter's version and the folders of its installation (its virtualenv's and its base's)."""
        interpreter = self.interpreter()
        if interpreter == sys.executable:
            version = f"{sys.version_info.major}.{sys.version_info.minor}"
            return version, [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
        asked = [interpreter, "-I", "-c", ASK_INSTALLATION]
        answer = subprocess.run(asked, capture_output=True, text=True, check=False).stdout.split()
        return (answer[0], answer[1:]) if answer else ("", [])

    @property
    def execution_env(self) -> str:  # type: ignore[override]
        return f"AWS_Lambda_python{self._installation[0]}"

    def program_paths(self) -> list[str]:
        return [os.path.realpath(self.interpreter()), *self._installation[1]]

    def command(self) -> list[str]:
        # -I: neither the client's folder nor the caller's PYTHON* variables reach the handler's sys.path.
        return [self.interpreter(), "-I", str(CLIENT)]
