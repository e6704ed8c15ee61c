"""Find a handler from a ``--handler`` target, import it fresh, and invoke it the way Lambda does."""

from __future__ import annotations

import copy
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.aws_calls import HOOKS, AwsCall, fresh_default_session
from contract_tests.errors import TargetError
from contract_tests.lambda_runtime import TIMEOUT_S, LambdaContext

Handler = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class HandlerTarget:
    """Where a handler lives: an importable module or a file, and the function's name."""

    spec: str
    function: str
    module: str | None = None
    file: Path | None = None
    code_dir: Path | None = None

    @property
    def task_root(self) -> Path:
        if self.file is not None:
            return self.file.parent
        return self.code_dir or Path.cwd()

    @property
    def lambda_handler_setting(self) -> str:
        """The handler as Lambda's ``_HANDLER`` would spell it."""
        module = self.file.stem if self.file is not None else self.module
        return f"{module}.{self.function}"


def parse_target(spec: str, code_dir: str | None = None) -> HandlerTarget:
    """Parse ``package.module:function``, ``path/file.py:function`` or Lambda's ``file.function``."""
    root = Path(code_dir).resolve() if code_dir else None
    if root is not None and not root.is_dir():
        raise TargetError(f"--code-dir {code_dir!r} is not a directory")
    if ":" in spec:
        where, _, function = spec.rpartition(":")
        if not where or not function.isidentifier():
            raise TargetError(f"--handler {spec!r}: expected MODULE:FUNCTION or PATH.py:FUNCTION")
        if where.endswith(".py") or "/" in where or "\\" in where:
            path = (root / where) if root and not Path(where).is_absolute() else Path(where)
            if not path.is_file():
                raise TargetError(f"--handler {spec!r}: no such file {str(path)!r}")
            return HandlerTarget(spec, function, file=path.resolve(), code_dir=root)
        return HandlerTarget(spec, function, module=where, code_dir=root)
    module, _, function = spec.replace("/", ".").rpartition(".")
    if not module or not function.isidentifier():
        raise TargetError(f"--handler {spec!r}: expected MODULE:FUNCTION, PATH.py:FUNCTION or Lambda's FILE.FUNCTION")
    return HandlerTarget(spec, function, module=module, code_dir=root or Path.cwd())


class HandlerInitError(Exception):
    """The handler's module raised while being imported: Lambda's init error, so every connect fails.

    A defect of the handler (a verdict), unlike a TargetError (nothing to check). ``calls`` holds
    the AWS calls the module made before it failed.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.calls: list[AwsCall] = []


def _with_sep(path: str) -> str:
    return path.rstrip(os.sep) + os.sep


_INSTALLED = tuple({_with_sep(sys.prefix), _with_sep(sys.base_prefix), *map(_with_sep, site.getsitepackages())})


def is_own_code(path: str, code_root: Path) -> bool:
    """Whether ``path`` is the handler's code: below its root, and not an installed library."""
    return path.startswith(_with_sep(str(code_root))) and not path.startswith(_INSTALLED)


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

    def __init__(self, target: HandlerTarget) -> None:
        self.target = target
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
        try:
            module = self._import()
        except TargetError:
            raise
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt):
                raise
            raise HandlerInitError(
                f"the handler failed to initialise (Lambda's Runtime.ImportModuleError; every connect fails): "
                f"{_describe(error, self.target.task_root)}"
            ) from error
        function = getattr(module, self.target.function, None)
        if not callable(function):
            raise TargetError(f"--handler {self.target.spec!r}: module has no function {self.target.function!r}")
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


@dataclass
class Invocation:
    """What one call of the handler did: its answer or its error, its AWS calls, its output."""

    response: Any = None
    error: str | None = None
    calls: list[AwsCall] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    started_ms: int = 0
    finished_ms: int = 0

    def summary(self) -> str:
        if self.error is not None:
            return f"raised {self.error}"
        return f"returned {json.dumps(self.response, ensure_ascii=False)}"


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
    handler: Handler, event: Any, region: str, code_root: Path | None = None, timeout_s: float = TIMEOUT_S
) -> Invocation:
    """Call ``handler`` with a JSON copy of ``event`` and a Lambda context, within Lambda's timeout."""
    result = Invocation()
    payload = copy.deepcopy(event)
    context = LambdaContext(region=region, timeout_s=timeout_s)

    def call() -> None:
        try:
            response = handler(payload, context)
            # Lambda sends the return value as JSON; what does not serialize is a function error.
            result.response = json.loads(json.dumps(response))
        except BaseException as error:  # noqa: BLE001 - any handler failure is a Lambda function error
            result.error = _describe(error, code_root)

    with captured_output(result.logs), HOOKS.recording() as calls:
        result.started_ms = time.time_ns() // 1_000_000
        # A daemon thread, because a handler past its timeout cannot be killed, only abandoned.
        worker = threading.Thread(target=call, name="lambda-invocation", daemon=True)
        worker.start()
        worker.join(timeout_s)
        result.finished_ms = -(-time.time_ns() // 1_000_000)
        if worker.is_alive():
            result.response = None
            result.error = f"Task timed out after {timeout_s:.2f} seconds (Lambda stops the function)"
    result.calls = list(calls)
    return result


def record_import(loader: HandlerLoader) -> tuple[Handler, list[AwsCall]]:
    """Load the handler inside a recording window, so import-time AWS calls are seen too."""
    with HOOKS.recording() as calls, captured_output([]):
        try:
            handler = loader.load()
        except HandlerInitError as error:
            error.calls = list(calls)
            raise
    return handler, list(calls)
