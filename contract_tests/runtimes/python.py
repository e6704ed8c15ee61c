"""The ``python`` runtime: the handler in its own Python process, any interpreter from 3.9 (``--interpreter``)."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from contract_tests.errors import TargetError
from contract_tests.runtimes.base import INIT_ERROR_PREFIX, HandlerInitError
from contract_tests.runtimes.deployed_python import (
    GATE_VERSION,
    StandIn,
    deployed_version,
    dotted,
    installed_beside,
    numbers,
)
from contract_tests.runtimes.out_of_process import ProcessInstance, ProcessRuntime
from contract_tests.runtimes.runtime_sdk import python_layer_paths, python_sdk, python_sdk_oldest
from contract_tests.sandbox.addresses import Listener
from contract_tests.sandbox.probe import Answer, ask

CLIENT = resources.files("contract_tests.runtimes") / "clients" / "python_client.py"
#: Lambda's oldest Python runtime still supported, and the oldest the client runs on.
OLDEST = (3, 9)
VERSION = re.compile(r"[0-9]+\.[0-9]+")
#: Run by the function's interpreter (Python 3.9+): its version, the folders of its installation and of
#: its import path, and where the handler's top-level package is found (an editable install maps it
#: from anywhere): what its sandbox must show it. Finding a top-level spec imports nothing.
ASK_INSTALLATION = """
import importlib.util, json, sys
top = sys.argv[1]
spec = importlib.util.find_spec(top) if top else None
found = list(spec.submodule_search_locations or []) if spec and spec.submodule_search_locations else []
found += [spec.origin] if spec and spec.origin and not found else []
folders = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path, *found]
print(json.dumps(["%d.%d" % sys.version_info[:2], [folder for folder in folders if folder]]))
"""


class PythonRuntime(ProcessRuntime):
    language = "python"
    name = "python"

    @property
    def chosen(self) -> str:
        """The interpreter as the user named it, else the deployed version's, else the gate's own."""
        return self._program[0]

    def interpreter(self) -> str:
        found = shutil.which(self.chosen)
        if found is None:
            raise TargetError(f"--interpreter {self.chosen!r}: no such program")
        return found

    @functools.cached_property
    def _program(self) -> tuple[str, str, tuple[str, list[str]] | None]:
        """The interpreter that runs the function, how it was chosen (the end of a sentence naming it), and
        its installation when choosing it asked already. Without ``--interpreter``, a function its template
        deploys on another Python than the gate's runs on that version's ``pythonX.Y`` where PATH has one (or
        the version manager whose shim it is installed it)."""
        if self.options.interpreter:
            return self.options.interpreter, f"(--interpreter {self.options.interpreter!r})", None
        wanted = deployed_version(self.options.deployed_runtime)
        if wanted is None or wanted == GATE_VERSION:
            return sys.executable, "(the gate's own)", None
        oldest, needs = python_sdk_oldest()
        if numbers(wanted) < oldest:
            # its boto3 would be the gate's, which does not import there: Lambda's own is older
            return (
                sys.executable,
                f"(the gate's own: the boto3 it gives a function needs {needs}, Python {dotted(oldest)}+)",
                None,
            )
        candidate = shutil.which(f"python{wanted}")
        if candidate is None:
            return sys.executable, f"(the gate's own: no python{wanted} on PATH)", None
        asked = self._ask(candidate)
        if isinstance(asked, tuple) and asked[0] == wanted:
            return candidate, f"({candidate})", asked
        for installed in installed_beside(candidate, wanted):
            found = self._ask(installed)
            if isinstance(found, tuple) and found[0] == wanted:
                return installed, f"({installed}, which the python{wanted} shim on PATH runs once selected)", found
        said = f"Python {asked[0]}" if isinstance(asked, tuple) else f"nothing it could read{asked.said()}"
        return sys.executable, f"(the gate's own: python{wanted} on PATH, {candidate}, answered {said})", None

    def _ask(self, program: str) -> tuple[str, list[str]] | Answer:
        """``program``'s version and the folders it reads (see ASK_INSTALLATION), or what it said instead."""
        top = (self.target.module or "").split(".")[0]
        asked = [program, "-I", "-c", ASK_INSTALLATION, top]
        answer = ask(asked, str(self.task_root), contained=self.containment.contained)
        try:
            version, folders = json.loads(answer.last)
        except (ValueError, TypeError):  # not JSON, or not two values
            return answer
        if not (isinstance(version, str) and VERSION.fullmatch(version) and isinstance(folders, list)):
            return answer
        return version, [str(folder) for folder in folders]

    @functools.cached_property
    def _installation(self) -> tuple[str, list[str]]:
        """The interpreter's version, and the folders it reads (see ASK_INSTALLATION)."""
        asked = self._program[2] or self._ask(self.interpreter())
        oldest = dotted(OLDEST)
        if not isinstance(asked, tuple):
            raise TargetError(
                f"--interpreter {self.chosen!r}: not a Python interpreter the python runtime can use (asked its"
                f" version and import path, it answered nothing it could read{asked.said()}); give a Python"
                f" {oldest} or later"
            )
        version = asked[0]
        if numbers(version) < OLDEST:
            raise TargetError(
                f"--interpreter {self.chosen!r} is Python {version}; the python runtime runs {oldest} and later,"
                " as Lambda does"
            )
        return asked

    @functools.cached_property
    def _stand_in(self) -> StandIn | None:
        """The function's run on another Python than the one its template deploys it on (None: the same,
        or no template)."""
        wanted = deployed_version(self.options.deployed_runtime)
        running = self._installation[0]
        if wanted is None or wanted == running:
            return None
        return StandIn(self.target.spec, wanted, running, self._program[1])

    def notes(self) -> list[str]:
        return [self._stand_in.note()] if self._stand_in else []

    def start(self, environment: Mapping[str, str], listeners: Sequence[Listener] = ()) -> ProcessInstance:
        try:
            return super().start(environment, listeners)
        except HandlerInitError as error:
            failure = self._stand_in.cannot_judge(str(error)) if self._stand_in else None
            failure = failure or self._unserved(str(error))
            if failure is not None:
                raise failure from error
            raise

    def _unserved(self, init_error: str) -> TargetError | None:
        """Exit 2 for a function that did not initialise under an interpreter older than the gate's boto3 runs
        on: the boto3 it was given fails there (Lambda's older runtimes have an older one), not the function."""
        oldest, needs = python_sdk_oldest()
        version = self._installation[0]
        if self._runtime_sdk is None or numbers(version) >= oldest:
            return None
        error = init_error.removeprefix(INIT_ERROR_PREFIX)
        return TargetError(
            f"{self.target.spec} did not initialise ({error}) on Python {version} {self._program[1]}, where the"
            f" boto3 the gate gives a function ({needs}) needs Python {dotted(oldest)} or later:"
            " give the function its own boto3 (installed in the interpreter's virtualenv) or a newer Python"
        )

    @property
    def execution_env(self) -> str:  # type: ignore[override]
        return f"AWS_Lambda_python{self._installation[0]}"

    def program_paths(self) -> list[str]:
        sdk = [str(place) for place in [self._runtime_sdk[0], *self._runtime_sdk[1]]] if self._runtime_sdk else []
        return [os.path.realpath(self.interpreter()), *self._installation[1], *self.options.layers, *sdk]

    @functools.cached_property
    def _runtime_sdk(self) -> tuple[Path, list[Path]] | None:
        """The boto3 Lambda's runtime gives a function, for another interpreter than the gate's (which has it)."""
        return python_sdk() if self._program[0] != sys.executable else None

    def command(self) -> list[str]:
        # -I: neither the client's folder nor the caller's PYTHON* variables reach the handler's sys.path.
        # -B: no __pycache__ beside the handler (a check writes nothing into the user's folders; on Lambda
        # the task root is read-only too).
        # Then the client's own arguments: the folders after the task root (the layers'), the runtime's SDK.
        layers = os.pathsep.join(python_layer_paths(self.options.layers, self._installation[0]))
        sdk = [str(self._runtime_sdk[0])] if self._runtime_sdk else []
        return [self.interpreter(), "-I", "-B", str(CLIENT), layers, *sdk]
