"""A whole default check, out of process as a user runs it, one clause after another and in ``--jobs``
worker processes, measured in one run (rounds interleaved, the median of each kept).

    python benchmarks/parallel_check.py [--jobs 2,auto] [--rounds 3] [--handler TARGET] [--examples N]
    python benchmarks/parallel_check.py --quick

``--jobs 1`` is the serial run itself (no worker is started), so its ratio is 1 by construction. Machines
here are shared and noisy: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

REFERENCE = "reference_impl.handler:lambda_handler"


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", default="2,auto", help="comma-separated --jobs values to compare with serial")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--handler", default=REFERENCE)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="one round of 5 examples, so CI keeps it working")
    args = parser.parse_args()
    rounds, examples = (1, 5) if args.quick else (args.rounds, args.examples)
    modes = ["1", *args.jobs.split(",")]
    with tempfile.TemporaryDirectory() as failures:
        base = [sys.executable, "-m", "contract_tests", "check", "--handler", args.handler, "--seed", "1"]
        base += ["--examples", str(examples), "--quiet", "--failures-dir", failures]
        times: dict[str, list[float]] = {mode: [] for mode in modes}
        for _ in range(rounds):
            for mode in modes:
                times[mode].append(timed([*base, "--jobs", mode]))
    serial = statistics.median(times["1"])
    print(f"default check of {args.handler} ({examples} examples per property clause), median of {rounds}:")
    for mode in modes:
        seconds = statistics.median(times[mode])
        label = "serial (--jobs 1)" if mode == "1" else f"--jobs {mode}"
        print(f"  {label:<20} {seconds:6.1f} s   {seconds / serial:.2f}x serial")


if __name__ == "__main__":
    main()
