"""Where the handler runs: one small interface, one module per runtime, chosen by ``--runtime`` or the target."""

from __future__ import annotations

from contract_tests.errors import HarnessError
from contract_tests.runtimes.base import HandlerInitError, Instance, Invocation, Runtime, RuntimeOptions
from contract_tests.runtimes.inprocess import InProcessRuntime
from contract_tests.runtimes.nodejs import NodeRuntime
from contract_tests.runtimes.provided import ProvidedRuntime
from contract_tests.runtimes.python import PythonRuntime
from contract_tests.targets import HandlerTarget

RUNTIMES: dict[str, type[Runtime]] = {
    "python": PythonRuntime,
    "nodejs": NodeRuntime,
    "provided": ProvidedRuntime,
    "inprocess": InProcessRuntime,
}


def make_runtime(name: str | None, target: HandlerTarget, options: RuntimeOptions) -> Runtime:
    """The runtime called ``name``, or the one the target's language implies (``python`` or ``nodejs``)."""
    chosen = name or target.language
    try:
        factory = RUNTIMES[chosen]
    except KeyError:
        raise HarnessError(f"unknown runtime {chosen!r}; choose one of: {', '.join(RUNTIMES)}") from None
    runtime = factory(target, options)
    if chosen in ("python", "nodejs", "inprocess") and target.language != runtime.language:
        raise HarnessError(f"--runtime {chosen} runs {runtime.language} handlers; {target.spec!r} is {target.language}")
    return runtime


__all__ = ["RUNTIMES", "HandlerInitError", "Instance", "Invocation", "Runtime", "RuntimeOptions", "make_runtime"]
