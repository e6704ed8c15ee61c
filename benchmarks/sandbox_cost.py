"""Print what containment costs: the default check of the reference, sandboxed and not, on the same seeds,
interleaved in one run, and the ratio of their medians.

    python benchmarks/sandbox_cost.py [--seeds 1,2,3] [--handler TARGET] [--code-dir DIR]

Machines are shared and noisy: read the ratio, measured in one run, not the absolute seconds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed_check(handler: str, code_dir: str | None, seed: int, sandbox: str) -> float:
    argv = [sys.executable, "-m", "contract_tests", "check", "--handler", handler, "--seed", str(seed)]
    argv += ["--sandbox", sandbox, "--failures-dir", str(ROOT / ".connect-contract" / "bench-failures")]
    argv += ["--code-dir", code_dir] if code_dir else []
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"the check with --sandbox {sandbox} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--handler", default="reference_impl.handler:lambda_handler")
    parser.add_argument("--code-dir")
    args = parser.parse_args()
    times: dict[str, list[float]] = {"on": [], "off": []}
    for seed in (int(seed) for seed in args.seeds.split(",")):
        for sandbox in ("on", "off"):  # interleaved, so a busy moment weighs on both
            times[sandbox].append(timed_check(args.handler, args.code_dir, seed, sandbox))
            print(f"seed {seed} --sandbox {sandbox}: {times[sandbox][-1]:.1f} s", flush=True)
    contained, plain = statistics.median(times["on"]), statistics.median(times["off"])
    print(f"median: contained {contained:.1f} s, not contained {plain:.1f} s; ratio {contained / plain:.2f}x")


if __name__ == "__main__":
    main()
