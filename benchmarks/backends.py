"""Print start-up time, memory and per-example cost of each backend, measured in one run.

    python benchmarks/backends.py [--backends moto,moto-server,localstack] [--examples 200] [--full-check]

Machines are shared and noisy: read the ratios between backends, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from contract_tests.backends import BackendOptions, make_backend
from contract_tests.backends.localstack import LocalStack
from contract_tests.runtimes import RuntimeOptions, make_runtime
from contract_tests.session import CheckSettings, ConnectSession
from contract_tests.strategies import plain_events
from contract_tests.targets import parse_target

REFERENCE = "reference_impl.handler:lambda_handler"


def rss_mb(pids: set[int]) -> float:
    """Resident memory of these processes (LocalStack and its JVM)."""
    total_kb = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total_kb += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return total_kb / 1024


def own_rss_mb() -> float:
    return rss_mb({os.getpid()})


def generated_events(examples: int) -> tuple[list[dict[str, object]], float]:
    """``examples`` events from the check's own strategy, and the generation cost per event in ms."""
    events: list[dict[str, object]] = []

    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(plain_events())
    def draw(event: dict[str, object]) -> None:
        events.append(event)

    started = time.perf_counter()
    draw()
    return events, (time.perf_counter() - started) * 1000 / max(1, len(events))


def measure(name: str, data: list[dict[str, object]]) -> dict[str, str]:
    rss_before = own_rss_mb()
    started = time.perf_counter()
    backend = make_backend(name, BackendOptions())
    with backend:
        start_s = time.perf_counter() - started
        runtime = make_runtime("inprocess", parse_target(REFERENCE), RuntimeOptions())
        session = ConnectSession(runtime, backend, CheckSettings())
        with session.opened():
            session.connect(data[0])
            began = time.perf_counter()
            for event in data:
                session.connect(event)
            per_example = (time.perf_counter() - began) * 1000 / len(data)
            if isinstance(backend, LocalStack) and backend.process is not None:
                memory = f"{rss_mb(backend.process.family):.0f} MB (LocalStack + JVM)"
            else:
                memory = f"+{own_rss_mb() - rss_before:.0f} MB (in this process)"
    return {"backend": name, "start": f"{start_s:.2f} s", "memory": memory, "example": f"{per_example:.1f} ms"}


def full_check_s(name: str) -> str:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "contract_tests", "check", "--handler", REFERENCE, "--backend", name, "--seed", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    status = "" if done.returncode == 0 else f" (exit {done.returncode})"
    return f"{time.perf_counter() - started:.1f} s{status}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="moto,moto-server,localstack")
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--full-check", action="store_true", help="also time a default `check` on each backend")
    args = parser.parse_args()
    data, generation = generated_events(args.examples)
    print(f"event generation (composed strategies): {generation:.2f} ms per event")
    rows = []
    for name in args.backends.split(","):
        row = measure(name, data)
        if args.full_check:
            row["check"] = full_check_s(name)
        rows.append(row)
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(row[c].ljust(widths[c]) for c in columns))
    print(f"per example: cold import + invoke + scan + clear of the reference handler ({args.examples} runs)")


if __name__ == "__main__":
    main()
