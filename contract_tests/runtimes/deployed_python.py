"""The Python version a function is deployed on (its template's ``Runtime: python3.12``), and what the gate
does when it cannot run that version: a version's syntax, and packages built for it (``sam build`` vendors
wheels for the deployed version), do not import on another, and that says nothing about the function."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from contract_tests.errors import TargetError
from contract_tests.runtimes.base import INIT_ERROR_PREFIX

LAMBDA_PYTHON = re.compile(r"python([0-9]+\.[0-9]+)")
#: The gate's own version: what ``--runtime inprocess`` and the python runtime's default run.
GATE_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
#: Lambda's error types for a function that does not import: what a version it was not written for causes.
VERSION_SENSITIVE = ("Runtime.UserCodeSyntaxError", "Runtime.ImportModuleError")


def numbers(version: str) -> tuple[int, ...]:
    """``(3, 12)`` for ``"3.12"``: versions compare as numbers (3.9 is older than 3.10)."""
    return tuple(int(part) for part in version.split("."))


def dotted(version: tuple[int, ...]) -> str:
    """``"3.12"`` for ``(3, 12)``."""
    return ".".join(map(str, version))


def deployed_version(runtime: str | None) -> str | None:
    """``3.12`` for Lambda's ``python3.12``; None for another runtime or none."""
    found = LAMBDA_PYTHON.fullmatch(runtime or "")
    return found.group(1) if found else None


#: Where a version manager whose shims run only the versions selected keeps every version it installed,
#: beside its ``shims`` folder: pyenv's ``versions/3.12.1``, asdf's and mise's ``installs/python/3.12.1``.
INSTALLS = ("versions", "installs/python")


def installed_beside(shim: str, version: str) -> list[str]:
    """The ``pythonX.Y`` programs a version manager installed for ``version`` (newest first), when ``shim`` is
    one of its shims: they run whether or not the version is selected where the gate runs."""
    shims = Path(shim).parent
    if shims.name != "shims":
        return []
    found = [
        program
        for place in INSTALLS
        for folder in (shims.parent / place).glob(f"{version}.*")
        if (program := folder / "bin" / f"python{version}").is_file()
    ]
    newest = sorted(
        found, key=lambda program: [int(part) for part in re.findall(r"[0-9]+", program.parent.parent.name)]
    )
    return [str(program) for program in reversed(newest)]


@dataclass(frozen=True)
class StandIn:
    """A function run on another Python than the one it is deployed on."""

    #: The target as the user named it.
    spec: str
    deployed: str
    running: str
    #: How the running version was chosen, ending the sentence that names it.
    how: str
    #: What runs the function on its deployed version.
    remedy: str = "give --interpreter a Python {deployed}"

    def note(self) -> str:
        """The report's warning: the verdict is the running version's."""
        return (
            f"{self.spec} is deployed on python{self.deployed} but ran on Python {self.running} {self.how};"
            f" its verdict is Python {self.running}'s"
        )

    def cannot_judge(self, init_error: str) -> TargetError | None:
        """Exit 2 instead of a violation when the function did not import on this version: syntax or a
        package of the deployed version's is no fault of the function (None for any other init error)."""
        error = init_error.removeprefix(INIT_ERROR_PREFIX)
        if not error.startswith(VERSION_SENSITIVE):
            return None
        return TargetError(
            f"{self.spec} did not import ({error}); it is deployed on python{self.deployed} and ran on Python"
            f" {self.running} {self.how}, so this says nothing of it: {self.remedy.format(deployed=self.deployed)}"
            " to judge it"
        )
