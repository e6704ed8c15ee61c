"""Out of process against in process: a default check of the reference handler on each runtime, as ratios.

    python benchmarks/runtimes.py [--rounds 3] [--examples 100] [--handler TARGET] [--backend moto]

The machines are shared and noisy, so the two runtimes alternate within one run and the ratio of
their medians is what counts, not the seconds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

REFERENCE = "reference_impl.handler:lambda_handler"


def check_seconds(handler: str, backend: str, examples: int, runtime: str | None) -> float:
    argv = [sys.executable, "-m", "contract_tests", "check", "--handler", handler, "--backend", backend]
    argv += ["--examples", str(examples), "--seed", "1", *(["--runtime", runtime] if runtime else [])]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"check failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--handler", default=REFERENCE)
    parser.add_argument("--backend", default="moto")
    args = parser.parse_args()
    seconds: dict[str, list[float]] = {"out of process": [], "inprocess": []}
    for _ in range(args.rounds):
        seconds["out of process"].append(check_seconds(args.handler, args.backend, args.examples, None))
        seconds["inprocess"].append(check_seconds(args.handler, args.backend, args.examples, "inprocess"))
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    for name, values in seconds.items():
        print(f"{name:<15} median {medians[name]:6.1f} s   runs: {', '.join(f'{v:.1f}' for v in values)}")
    ratio = medians["out of process"] / medians["inprocess"]
    print(f"out of process / inprocess: {ratio:.2f}x  (target: at most 1.5x)")


if __name__ == "__main__":
    main()
