"""DynamoDB Local's JVM on the client compiler alone (what the gate starts) against HotSpot's default
tiers, measured in one run: its CPU time and the wall time of the same requests.

    python benchmarks/jvm_compilers.py [--examples 1500] [--rounds 2]

Each example costs the backend what one example of a check does: the handler's PutItem, then the gate's
read-back Scan and reset DeleteItem. Needs `connect-contract localstack install` (DynamoDB Local's jar).
Machines are shared and noisy: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

from contract_tests.backends import BackendOptions
from contract_tests.backends.dynamodb_local import DynamoDBLocal
from contract_tests.localstack.layout import Layout

#: The user's own JAVA_TOOL_OPTIONS come after the gate's and win: this puts the server compiler back.
MODES = {"default tiers (C1 then C2)": "-XX:TieredStopAtLevel=4", "client compiler alone (the gate's)": ""}
TABLE = "jvm-benchmark"


def children_cpu_seconds() -> float:
    """CPU time of this process's children that ended: the JVM, once the backend stopped and reaped it."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(java_options: str, examples: int) -> tuple[float, float]:
    """The JVM's CPU seconds, start to stop, and the wall seconds of ``examples`` examples."""
    os.environ["JAVA_TOOL_OPTIONS"] = java_options
    before = children_cpu_seconds()
    with DynamoDBLocal(BackendOptions()) as backend:
        client = backend.client()
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "connectionId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "connectionId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        started = time.perf_counter()
        for number in range(examples):
            key = {"connectionId": {"S": f"connection-{number}"}}
            client.put_item(TableName=TABLE, Item={**key, "createdAt": {"N": str(number)}})
            client.scan(TableName=TABLE)
            client.delete_item(TableName=TABLE, Key=key)
        wall = time.perf_counter() - started
    return children_cpu_seconds() - before, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    if not Layout.default().is_installed():
        sys.exit("DynamoDB Local is not installed: run `connect-contract localstack install` first")
    inherited = os.environ.get("JAVA_TOOL_OPTIONS")
    results: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    try:
        for _ in range(options.rounds):  # interleaved, so a noisy moment hits both modes
            for mode, java_options in MODES.items():
                results[mode].append(one_run(java_options, options.examples))
    finally:
        if inherited is None:
            os.environ.pop("JAVA_TOOL_OPTIONS", None)
        else:
            os.environ["JAVA_TOOL_OPTIONS"] = inherited
    print(f"DynamoDB Local, {options.examples} examples (PutItem, Scan, DeleteItem), median of {options.rounds}")
    print(f"{'JVM':<36} {'JVM CPU s':>10} {'wall s':>8}")
    medians = {}
    for mode, runs in results.items():
        medians[mode] = (statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs))
        print(f"{mode:<36} {medians[mode][0]:>10.2f} {medians[mode][1]:>8.2f}")
    (default_cpu, default_wall), (gate_cpu, gate_wall) = medians.values()
    cpu_ratio, wall_ratio = gate_cpu / default_cpu, gate_wall / default_wall
    print(f"client compiler alone / default tiers: JVM CPU {cpu_ratio:.2f}x, wall {wall_ratio:.2f}x")


if __name__ == "__main__":
    main()
