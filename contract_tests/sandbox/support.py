"""Whether this machine can contain a function (``--sandbox auto|on|off``), probed once per gate process."""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Containment:
    """Whether the functions of a check run sandboxed, and if not, why."""

    contained: bool
    why_not: str = ""

    def describe(self) -> str:
        if self.contained:
            return "contained: each execution environment in its own sandbox (namespaces, read-only files, no network)"
        return (
            f"not contained ({self.why_not}): the function runs as the gate's user, on the machine's network and "
            "files; its calls are seen only through AWS_ENDPOINT_URL_*"
        )


#: Trials before ``auto`` concludes the machine cannot sandbox: one can fail on a machine that can (measured
#: under a test suite's load: a trial's first process ended without a word), and falling back is silent.
PROBE_TRIALS = 3


@functools.cache
def _probe() -> str:
    """Empty when a trivial function runs sandboxed here; else what stopped it (the last of a few trials)."""
    problem = ""
    for _ in range(PROBE_TRIALS):
        problem = _trial()
        if not problem:
            return ""
    return problem


def _trial() -> str:
    from contract_tests.sandbox.layout import HOSTS_FILE, RESOLV_FILE, filesystem
    from contract_tests.sandbox.process import SandboxedProcess, SandboxError

    files = {HOSTS_FILE: "127.0.0.1 localhost\n", RESOLV_FILE: "nameserver 127.0.0.1\n"}
    try:
        process = SandboxedProcess(["true"], {}, "/", listen=[], layout=filesystem([], "/"), files=files)
    except SandboxError as error:
        return str(error)
    status = process.wait()
    process.kill()
    return "" if status == 0 else f"a trial function in the sandbox exited with {status}"


def containment(mode: str) -> Containment:
    """``off``: never; ``on``: always, or SandboxError (exit 2) saying why not; ``auto``: where it works."""
    if mode == "off":
        return Containment(False, "--sandbox off")
    from contract_tests.sandbox.process import SandboxError  # a report reads Containment without the machinery

    problem = _probe()
    if not problem:
        return Containment(True)
    if mode == "on":
        raise SandboxError(
            f"--sandbox on: {problem}. Unprivileged user namespaces may be disabled on this machine "
            "(sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04 "
            "kernel.apparmor_restrict_unprivileged_userns=0), or run with --sandbox off"
        )
    return Containment(False, f"this machine cannot make the sandbox: {problem}")
