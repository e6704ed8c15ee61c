"""The ``inprocess`` runtime: the handler imported into the harness's own process (fast; trusted Python only).

A handler here shares the gate's interpreter and dependencies, cannot be killed past its timeout
(only abandoned), and is observed through botocore's hooks; the other runtimes have none of these limits.
"""

from __future__ import annotations

import copy
import functools
import importlib
import importlib.util
import io
import json
import logging
import os
import site
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import chdir, contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

from contract_tests.errors import TargetError
from contract_tests.lambda_runtime import MEMORY_MB, TIMEOUT_S, LambdaContext, trace_header
from contract_tests.observers.botocore_hooks import fresh_default_session
from contract_tests.runtimes.base import (
    INIT_ERROR_PREFIX,
    TIMED_OUT,
    HandlerInitError,
    Instance,
    Invocation,
    Runtime,
    timed_out,
)
from contract_tests.runtimes.deployed_python import GATE_VERSION, StandIn, deployed_version
from contract_tests.runtimes.python import CLIENT as PYTHON_CLIENT
from contract_tests.runtimes.runtime_sdk import python_layer_paths
from contract_tests.sandbox.addresses import Listener
from contract_tests.sandbox.support import Containment
from contract_tests.targets import HandlerTarget

Handler = Callable[[Any, Any], Any]


def _with_sep(path: str) -> str:
    return path.rstrip(os.sep) + os.sep


_INSTALLED = tuple({_with_sep(sys.prefix), _with_sep(sys.base_prefix), *map(_with_sep, site.getsitepackages())})


def is_own_code(path: str, code_root: Path) -> bool:
    """Whether ``path`` is the handler's code: below its root, and not an installed library."""
    return path.startswith(_with_sep(str(code_root))) and not path.startswith(_INSTALLED)


#: Lambda's own error types at initialisation, by the exception's kind; any other keeps its own class's name.
_LAMBDA_INIT_TYPES: dict[type[BaseException], str] = {
    ImportError: "Runtime.ImportModuleError: ",
    SyntaxError: "Runtime.UserCodeSyntaxError: ",
}


@functools.cache
def _python_client() -> Any:
    """The out-of-process runtime's client, as a module: answers are written by its ``marshal_response``."""
    spec = importlib.util.spec_from_file_location("connect_contract_python_client", str(PYTHON_CLIENT))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def marshal_response(response: Any) -> str:
    written: str = _python_client().marshal_response(response)
    return written


def _describe(error: BaseException, code_root: Path | None = None) -> str:
    """``Type: message at file:line``, at the innermost frame in the handler's own code if any."""
    if isinstance(error, SyntaxError):
        # The offending line is the error's own, not a frame of the traceback.
        return f"{type(error).__name__}: {error.msg} at {error.filename}:{error.lineno}"
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if code_root is not None and is_own_code(f.filename, code_root)]
    chosen = own or frames
    where = f" at {chosen[-1].filename}:{chosen[-1].lineno}" if chosen else ""
    return f"{type(error).__name__}: {error}{where}"


class HandlerLoader:
    """Imports a target afresh on demand, as a new Lambda execution environment would."""

    def __init__(self, target: HandlerTarget, layers: Sequence[str] = ()) -> None:
        self.target = target
        #: Where the function's layers hold packages, searched after its own code as on Lambda.
        self.layers = list(layers)
        self._baseline = set(sys.modules)
        self._loads = 0

    def _purge(self) -> None:
        """Forget the handler's own modules so module-level state starts over."""
        top = (self.target.module or "").split(".")[0]
        for name, module in list(sys.modules.items()):
            if name.startswith("contract_tests"):
                continue
            path = str(getattr(module, "__file__", "") or "")
            is_own_package = bool(top) and (name == top or name.startswith(top + "."))
            is_new_local = name not in self._baseline and is_own_code(path, self.target.task_root)
            if is_own_package or is_new_local or name.startswith("_connect_contract_handler_"):
                del sys.modules[name]

    def load(self) -> Handler:
        """Import the handler module from scratch and return its function."""
        self._purge()
        fresh_default_session()
        importlib.invalidate_caches()
        task_root = str(self.target.task_root)
        if task_root not in sys.path:
            sys.path.insert(0, task_root)
        sys.path[sys.path.index(task_root) + 1 : sys.path.index(task_root) + 1] = [
            folder for folder in self.layers if folder not in sys.path
        ]
        # No __pycache__ beside the handler: a check writes nothing into the user's folders.
        writing, sys.dont_write_bytecode = sys.dont_write_bytecode, True
        try:
            module = self._import()
        except TargetError:
            raise
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt):
                raise
            kind = next((name for base, name in _LAMBDA_INIT_TYPES.items() if isinstance(error, base)), "")
            raise HandlerInitError(f"{INIT_ERROR_PREFIX}{kind}{_describe(error, self.target.task_root)}") from error
        finally:
            sys.dont_write_bytecode = writing
        function = getattr(module, self.target.function, None)
        if not callable(function):
            missing = f"module has no function {self.target.function!r}{_python_client().functions_of(module)}"
            raise TargetError(f"--handler {self.target.spec!r}: {missing}")
        return function  # type: ignore[no-any-return]

    def _import(self) -> Any:
        target = self.target
        if target.file is not None:
            self._loads += 1
            name = f"_connect_contract_handler_{self._loads}"
            spec = importlib.util.spec_from_file_location(name, target.file)
            if spec is None or spec.loader is None:
                raise TargetError(f"--handler {target.spec!r}: {str(target.file)!r} is not a Python module")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            return module
        assert target.module is not None
        try:
            return importlib.import_module(target.module)
        except ModuleNotFoundError as error:
            if error.name and target.module.startswith(error.name):
                hint = " (is the package installed, or is --code-dir right?)"
                raise TargetError(f"--handler {target.spec!r}: no module named {error.name!r}{hint}") from error
            raise


class _LogCapture(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"[{record.levelname}] {record.getMessage()}")


@contextmanager
def captured_output(lines: list[str]) -> Iterator[None]:
    """Collect what the handler logs or prints, as Lambda's runtime sends it to CloudWatch."""
    root = logging.getLogger()
    handler = _LogCapture(lines)
    root.addHandler(handler)
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            yield
    finally:
        root.removeHandler(handler)
        lines.extend(line for line in (out.getvalue() + err.getvalue()).splitlines() if line.strip())


def invoke(
    handler: Handler,
    event: Any,
    region: str,
    code_root: Path | None = None,
    timeout_s: float = TIMEOUT_S,
    memory_mb: int = MEMORY_MB,
    request_id: str | None = None,
) -> Invocation:
    """Call ``handler`` with a JSON copy of ``event`` and a Lambda context, within Lambda's timeout."""
    result = Invocation()
    payload = copy.deepcopy(event)
    context = LambdaContext(region=region, timeout_s=timeout_s, memory_limit_in_mb=memory_mb)
    if request_id is not None:
        context.aws_request_id = request_id

    def call() -> None:
        try:
            response = handler(payload, context)
        except BaseException as error:  # noqa: BLE001 - any handler failure is a Lambda function error
            result.error = _describe(error, code_root)
            result.error_message = str(error)
            return
        try:  # Lambda sends the return value as JSON; what does not serialize is the runtime's error
            result.response = json.loads(marshal_response(response))
        except (TypeError, ValueError) as error:
            result.error_message = f"Unable to marshal response: {error}"
            result.error = f"Runtime.MarshalError: {result.error_message}"

    with captured_output(result.logs):
        result.started_ms = time.time_ns() // 1_000_000
        # A daemon thread, because a handler past its timeout cannot be killed, only abandoned.
        worker = threading.Thread(target=call, name="lambda-invocation", daemon=True)
        worker.start()
        worker.join(timeout_s)
        result.finished_ms = -(-time.time_ns() // 1_000_000)
        if worker.is_alive():
            result.response = None
            result.error = timed_out(timeout_s)
    return result


@contextmanager
def process_environment(environment: Mapping[str, str], task_root: Path) -> Iterator[None]:
    """This process given the function's environment (no stray AWS_* of the caller's), its zone and its
    working directory, then restored: Lambda starts a function in its task root, and code opens the files
    shipped with it by relative paths. The gate itself opens no relative path while a function runs."""
    try:
        with mock.patch.dict(os.environ), chdir(task_root):
            for name in [n for n in os.environ if n.startswith("AWS_") or n == "CONNECTIONS_TABLE"]:
                del os.environ[name]
            os.environ.update(environment)
            time.tzset()
            yield
    finally:
        time.tzset()


class InProcessInstance(Instance):
    """The handler module imported afresh, then called (warm) in a thread of this process per event."""

    def __init__(self, runtime: InProcessRuntime, environment: Mapping[str, str], handler: Handler) -> None:
        self._runtime = runtime
        self._environment = dict(environment)
        self._handler = handler
        self._abandoned = False

    @property
    def alive(self) -> bool:
        """False after a time-out: the abandoned call may still run, so the next event needs a new import."""
        return not self._abandoned

    def invoke(self, event: Any, timeout_s: float) -> Invocation:
        request_id = str(uuid.uuid4())
        # As Lambda's runtime sets it for each invocation, for the X-Ray SDK (Powertools' Tracer).
        traced = {**self._environment, "_X_AMZN_TRACE_ID": trace_header(request_id)}
        with process_environment(traced, self._runtime.task_root):
            region, memory = self._environment["AWS_REGION"], self._runtime.options.memory_mb
            result = invoke(self._handler, event, region, self._runtime.task_root, timeout_s, memory, request_id)
        self._abandoned = (result.error or "").startswith(TIMED_OUT)
        return result

    def stop(self) -> None:
        """Nothing to stop: a thread past its timeout cannot be ended, only abandoned."""


#: How a function deployed on another Python than the gate's runs on its own version.
IN_PROCESS_REMEDY = "check it out of process (--runtime python) on a Python {deployed} (--interpreter)"


class InProcessRuntime(Runtime):
    language = "python"
    name = "inprocess"
    out_of_process = False
    execution_env = f"AWS_Lambda_python{GATE_VERSION}"

    def __init__(self, target: HandlerTarget, options: Any) -> None:
        super().__init__(target, options)
        self.loader = HandlerLoader(target, python_layer_paths(options.layers, GATE_VERSION))
        wanted = deployed_version(options.deployed_runtime)
        #: In process, the function runs on the gate's Python, whatever its template deploys it on.
        self._stand_in = (
            StandIn(target.spec, wanted, GATE_VERSION, "(in process, the gate's own)", IN_PROCESS_REMEDY)
            if wanted not in (None, GATE_VERSION)
            else None
        )

    @property
    def containment(self) -> Containment:
        return Containment(False, "--runtime inprocess imports the handler into the gate's own process")

    def notes(self) -> list[str]:
        return [self._stand_in.note()] if self._stand_in else []

    def start(self, environment: Mapping[str, str], listeners: Sequence[Listener] = ()) -> InProcessInstance:
        try:
            with process_environment(environment, self.task_root), captured_output([]):
                handler = self.loader.load()
        except HandlerInitError as error:
            failure = self._stand_in.cannot_judge(str(error)) if self._stand_in else None
            if failure is not None:
                raise failure from error
            raise
        return InProcessInstance(self, environment, handler)
