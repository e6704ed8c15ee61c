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
from dataclasses import dataclass

from contract_tests.sandbox.process import SandboxedProcess

#: An interpreter answers its version in well under a second; a hung one is cut off.
ASK_TIMEOUT_S = 30.0
#: How much of what a program said instead of its answer an error message quotes.
SAID_CHARACTERS = 200
#: Everything visible, everything read-only (``init.py`` makes every mount read-only before anything else).
READ_ONLY_EVERYWHERE: dict[str, object] = {"hide": [], "keep": [], "binds": {}}


@dataclass(frozen=True)
class Answer:
    """What a program printed: its last line, the answer asked for, and its first, where a program that
    cannot answer says why ("pyenv: python3.12: command not found")."""

    last: str
    first: str

    def why(self) -> str:
        """``; it said '…'`` when the program said anything but the answer, to end a message with."""
        return f"; it said {self.first[:SAID_CHARACTERS]!r}" if self.first and self.first != self.last else ""

    def said(self) -> str:
        """``; it said '…'`` quoting its first line, to end a message on an answer that could not be read
        (a sandbox's output joins what it printed on both streams: its one line may be its complaint)."""
        return f"; it said {self.first[:SAID_CHARACTERS]!r}" if self.first else ""


def ask(command: Sequence[str], cwd: str, *, contained: bool, timeout_s: float = ASK_TIMEOUT_S) -> Answer:
    """What ``command`` printed, its errors included (nothing when it did not end within ``timeout_s``)."""
    if not contained:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return Answer("", f"no answer within {timeout_s:.0f} s")
        except OSError as error:
            return Answer("", str(error))
        return Answer(_line(done.stdout, -1), _line(done.stderr, 0) or _line(done.stdout, 0))
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    process = SandboxedProcess(command, environment, cwd, listen=[], layout=READ_ONLY_EVERYWHERE, files={})
    printed: list[bytes] = []
    stdout = process.stdout
    assert stdout is not None  # SandboxedProcess always pipes the sandbox's output, its errors included
    reader = threading.Thread(target=lambda: printed.append(stdout.read()), name="sandbox-probe", daemon=True)
    reader.start()
    reader.join(timeout_s)
    process.kill()  # ended or cut off: nothing it started outlives the question
    reader.join(5)
    text = b"".join(printed).decode(errors="replace")
    return Answer(_line(text, -1), _line(text, 0))


def _line(text: str, index: int) -> str:
    """The first (0) or last (-1) line of ``text`` that is not blank, stripped; "" when there is none."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[index].strip() if lines else ""
