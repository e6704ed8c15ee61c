"""A whole default check, out of process as a user runs it, one clause after another and in ``--jobs``
worker processes, measured in one run (rounds interleaved, the median of each kept).

    python benchmarks/parallel_check.py [--jobs 2,auto] [--rounds 3] [--handler TARGET] [--examples N]
                                        [--backend NAME]
    python benchmarks/parallel_check.py --quick

``--jobs 1`` is the serial run itself (no worker is started), so its ratio is 1 by construction. Machines
here are shared and noisy: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

REFERENCE = "reference_impl.handler:lambda_handler"


def busy_core_seconds() -> float:
    """The machine's busy CPU time so far, every core and process (the sandboxed functions' included,
    which no rusage of the gate's sees); 0 where /proc/stat is missing."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def timed(argv: list[str]) -> tuple[float, float]:
    """The wall time of one check, and the machine's core-seconds spent meanwhile."""
    started, busy = time.perf_counter(), busy_core_seconds()
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started, busy_core_seconds() - busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", default="2,auto", help="comma-separated --jobs values to compare with serial")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--handler", default=REFERENCE)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--backend", default="moto", help="a backend the check starts (a server is shared by all)")
    parser.add_argument("--quick", action="store_true", help="one round of 5 examples, so CI keeps it working")
    args = parser.parse_args()
    rounds, examples = (1, 5) if args.quick else (args.rounds, args.examples)
    modes = ["1", *args.jobs.split(",")]
    with tempfile.TemporaryDirectory() as failures:
        base = [sys.executable, "-m", "contract_tests", "check", "--handler", args.handler, "--seed", "1"]
        base += ["--examples", str(examples), "--backend", args.backend, "--quiet", "--failures-dir", failures]
        times: dict[str, list[float]] = {mode: [] for mode in modes}
        cpu: dict[str, list[float]] = {mode: [] for mode in modes}
        for _ in range(rounds):
            for mode in modes:
                seconds, core_seconds = timed([*base, "--jobs", mode])
                times[mode].append(seconds)
                cpu[mode].append(core_seconds)
    serial, serial_cpu = statistics.median(times["1"]), statistics.median(cpu["1"])
    print(f"default check of {args.handler} on {args.backend} ({examples} examples per property clause),", end=" ")
    print(f"median of {rounds}:")
    for mode in modes:
        seconds, core_seconds = statistics.median(times[mode]), statistics.median(cpu[mode])
        label = "serial (--jobs 1)" if mode == "1" else f"--jobs {mode}"
        spent = f"{core_seconds:6.1f} core-s {core_seconds / serial_cpu:.2f}x" if serial_cpu else ""
        print(f"  {label:<20} {seconds:6.1f} s   {seconds / serial:.2f}x serial   {spent}")


if __name__ == "__main__":
    main()
