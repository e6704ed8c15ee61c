"""The ``python`` runtime: the handler in its own Python process, any interpreter from 3.9 (``--interpreter``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import resources

from contract_tests.errors import TargetError
from contract_tests.runtimes.out_of_process import ProcessRuntime

CLIENT = resources.files("contract_tests.runtimes") / "clients" / "python_client.py"


class PythonRuntime(ProcessRuntime):
    language = "python"
    name = "python"

    def interpreter(self) -> str:
        chosen = self.options.interpreter or sys.executable
        found = shutil.which(chosen)
        if found is None:
            raise TargetError(f"--interpreter {chosen!r}: no such program")
        return found

    @property
    def execution_env(self) -> str:  # type: ignore[override]
        interpreter = self.interpreter()
        if interpreter == sys.executable:
            version = f"{sys.version_info.major}.{sys.version_info.minor}"
        else:
            asked = [interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
            version = subprocess.run(asked, capture_output=True, text=True, check=False).stdout.strip()
        return f"AWS_Lambda_python{version}"

    def command(self) -> list[str]:
        # -I: neither the client's folder nor the caller's PYTHON* variables reach the handler's sys.path.
        return [self.interpreter(), "-I", str(CLIENT)]
