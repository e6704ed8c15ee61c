"""A question the gate asks a program the user named (the function's interpreter: its version, its
import path) before a function's sandbox can be planned.

Starting an interpreter runs code the user's packages bring (a virtualenv's ``.pth`` files), so the
question is asked in a sandbox too: one that hides nothing, since its answer is what the function's
sandbox will show, but takes away the network, every write and every process the program starts, and
is cut off after a time-out.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Sequence

from contract_tests.sandbox.process import SandboxedProcess

#: An interpreter answers its version in well under a second; a hung one is cut off.
ASK_TIMEOUT_S = 30.0
#: Everything visible, everything read-only (``init.py`` makes every mount read-only before anything else).
READ_ONLY_EVERYWHERE: dict[str, object] = {"hide": [], "keep": [], "binds": {}}


def ask(command: Sequence[str], cwd: str, *, contained: bool, timeout_s: float = ASK_TIMEOUT_S) -> str:
    """The last line ``command`` printed ("" when it printed nothing or did not end within ``timeout_s``)."""
    if not contained:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd, timeout=timeout_s)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return _last_line(done.stdout)
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    process = SandboxedProcess(command, environment, cwd, listen=[], layout=READ_ONLY_EVERYWHERE, files={})
    printed: list[bytes] = []
    stdout = process.stdout
    assert stdout is not None  # SandboxedProcess always pipes the sandbox's output
    reader = threading.Thread(target=lambda: printed.append(stdout.read()), name="sandbox-probe", daemon=True)
    reader.start()
    reader.join(timeout_s)
    process.kill()  # ended or cut off: nothing it started outlives the question
    reader.join(5)
    return _last_line(b"".join(printed).decode(errors="replace"))


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""
