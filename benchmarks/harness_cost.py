"""The gate's own cost per handler invocation against the floor, and where the time goes, measured in one run.

    python benchmarks/harness_cost.py [--runtime inprocess|python] [--low 100 --high 400] [--quick]
    python benchmarks/harness_cost.py --growth 100,1000,10000 [--contract v5] [--runtime python] [--plot growth.png]

- floor: one warm invocation of the reference handler plus one read-back of its item (GetItem);
- harness: the slope of a whole default check between ``--examples low`` and ``high``, per invocation;
- breakdown: the share of one check spent generating, validating, invoking, observing, in hypothesis;
- handler: the reference handler against a bare ``PutItem`` of the same item (client API), both warm;
- growth (``--growth``): a whole default check at each ``--examples`` size, to show the time grows
  linearly with the examples (``--plot`` draws it; needs matplotlib, the ``bench`` extra); ``--contract``
  checks that version's reference (a warm environment keeps its events across clauses, and a judgement
  that searched them all at every connect once made a default v5 check take 14 minutes).

Machines here are shared and noisy: read the ratios printed, not the seconds. ``--quick`` is the mode CI
runs so that the benchmark cannot rot (small sizes; the numbers then mean little).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3

from contract_tests.contracts import CONTRACTS
from contract_tests.engine import run_check
from contract_tests.engine.functions import backend_for
from contract_tests.request import CheckRequest
from contract_tests.runtimes import make_runtime
from contract_tests.session import CheckSettings, ConnectSession
from contract_tests.strategies import FIXED_CONTEXT, build_event
from contract_tests.targets import parse_target

REFERENCE = "reference_impl.handler:lambda_handler"
#: Where a check's time goes, by the functions that do each kind of work (cumulative, not exclusive).
STAGES = {
    "generation (strategies)": ("strategies.py", "build_event"),
    "event checks (query maps, URL length)": ("strategies.py", "consistent"),
    "handler start (imports, init)": ("session/connect.py", "start_instance"),
    "handler invocation": ("session/connect.py", "invoke"),
    "read-back and reset (scan, delete)": ("session/connect.py", "observe"),
    "judging (schemas, oracle)": ("checks.py", "require_item"),
}


def _median_seconds(work: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _events(count: int) -> list[dict[str, Any]]:
    return [
        build_event({**FIXED_CONTEXT, "connectionId": f"bench-{index:05d}="}, [("clientId", "agent-7")])
        for index in range(count)
    ]


def floor_ms(runtime_name: str, invocations: int) -> float:
    """One warm invocation plus one GetItem of its item, per invocation, in ms."""
    target = parse_target(REFERENCE)
    request = CheckRequest(handler=REFERENCE, runtime=runtime_name)
    runtime = make_runtime(runtime_name, target, request.runtime_options())
    with backend_for(request, runtime) as backend:
        session = ConnectSession(runtime, backend, CheckSettings())
        with session.opened():
            slot = session.start_instance()
            client = backend.client()
            events = _events(invocations)
            session.invoke(slot, events[0])

            def round_trip() -> None:
                for event in events:
                    session.invoke(slot, event)
                    client.get_item(
                        TableName=session.table, Key={"connectionId": {"S": event["requestContext"]["connectionId"]}}
                    )

            seconds = _median_seconds(round_trip, 3)
            slot.stop()
    return seconds / invocations * 1000


def _counted_check(request: CheckRequest) -> tuple[float, int]:
    """Seconds of a whole check, and how many handler invocations it made."""
    calls = 0
    original = ConnectSession.invoke

    def counting(self: ConnectSession, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    ConnectSession.invoke = counting  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        report = run_check(request)
        seconds = time.perf_counter() - started
    finally:
        ConnectSession.invoke = original  # type: ignore[method-assign]
    if report.failed:
        raise SystemExit(f"the reference handler failed {report.failed[0].clause.id}: {report.failed[0].message}")
    return seconds, calls


def harness_ms(runtime: str, low: int, high: int) -> tuple[float, dict[int, tuple[float, int]]]:
    runs = {}
    for examples in (low, high):
        runs[examples] = _counted_check(CheckRequest(handler=REFERENCE, runtime=runtime, examples=examples, seed=1))
    (low_s, low_calls), (high_s, high_calls) = runs[low], runs[high]
    return (high_s - low_s) / (high_calls - low_calls) * 1000, runs


def breakdown(runtime: str, examples: int) -> tuple[float, dict[str, float]]:
    request = CheckRequest(handler=REFERENCE, runtime=runtime, examples=examples, seed=1)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.runcall(run_check, request)
    total = time.perf_counter() - started
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    shares = {}
    for stage, (file_name, function) in STAGES.items():
        cumulative = sum(v[3] for (path, _, name), v in stats.items() if path.endswith(file_name) and name == function)
        shares[stage] = cumulative
    return total, shares


def handler_against_put_item(count: int) -> float:
    """Reference handler / bare PutItem of the same item, both warm, on moto in process."""
    from moto import mock_aws

    os.environ.update({"CONNECTIONS_TABLE": "bench-connections", "AWS_DEFAULT_REGION": "us-east-1"})
    with mock_aws():
        import reference_impl.handler as reference

        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="bench-connections",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "connectionId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "connectionId", "KeyType": "HASH"}],
        )
        events = _events(count)
        items = [
            {
                "connectionId": {"S": e["requestContext"]["connectionId"]},
                "createdAt": {"N": str(int(time.time() * 1000))},
                "clientId": {"S": "agent-7"},
            }
            for e in events
        ]
        reference.lambda_handler(events[0], None)
        client.put_item(TableName="bench-connections", Item=items[0])
        ratios = []
        for _ in range(5):
            handler_s = _median_seconds(lambda: [reference.lambda_handler(e, None) for e in events], 1)
            bare_s = _median_seconds(
                lambda: [client.put_item(TableName="bench-connections", Item=item) for item in items], 1
            )
            ratios.append(handler_s / bare_s)
    return statistics.median(ratios)


def growth(runtime: str, sizes: list[int], contract: str = "v1") -> list[tuple[int, float, int]]:
    """(examples, seconds, invocations) of a whole check of ``contract``'s reference handler at each size."""
    handler = REFERENCE if contract == "v1" else f"{REFERENCE}_{contract}"
    rows = []
    for examples in sizes:
        request = CheckRequest(handler=handler, contract=contract, runtime=runtime, examples=examples, seed=1)
        seconds, calls = _counted_check(request)
        rows.append((examples, seconds, calls))
        each_ms = seconds / calls * 1000
        print(f"  check --examples {examples:<6} {seconds:8.1f} s  {calls:7d} invocations  {each_ms:6.2f} ms each")
    return rows


def plot(rows: list[tuple[int, float, int]], runtime: str, path: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("--plot needs matplotlib: pip install -e '.[bench]'") from None
    examples, seconds, calls = zip(*rows, strict=True)
    fit = statistics.linear_regression(calls, seconds)
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.loglog(examples, seconds, "o", label="whole check (measured)")
    fitted = [fit.intercept + fit.slope * c for c in calls]
    label = f"{fit.intercept:.1f} s + {fit.slope * 1000:.1f} ms per invocation (least squares)"
    axes.loglog(examples, fitted, "--", label=label)
    axes.set_xlabel("--examples (per property clause)")
    axes.set_ylabel("seconds")
    axes.set_title(f"check time of the reference handler ({runtime} runtime, moto)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    print(f"plot written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", default="inprocess", choices=("inprocess", "python"))
    parser.add_argument("--low", type=int, default=100)
    parser.add_argument("--high", type=int, default=400)
    parser.add_argument("--quick", action="store_true", help="small sizes, so CI can run it")
    parser.add_argument("--growth", metavar="N,N,…", help="only time whole checks at these --examples sizes")
    parser.add_argument("--contract", default="v1", choices=tuple(CONTRACTS), help="with --growth")
    parser.add_argument("--plot", metavar="PNG", help="with --growth: draw the times into this file")
    args = parser.parse_args()
    if args.growth:
        try:
            sizes = [int(size) for size in args.growth.split(",")]
        except ValueError:
            parser.error(f"--growth: comma-separated whole numbers, got {args.growth!r}")
        print(f"contract {args.contract}, runtime {args.runtime}, backend moto")
        rows = growth(args.runtime, sizes, args.contract)
        if len(rows) > 1:
            _, times, counts = zip(*rows, strict=True)
            fit = statistics.linear_regression(counts, times)
            worst = max(abs(fit.intercept + fit.slope * c - t) / t for c, t in zip(counts, times, strict=True))
            per_call_ms = fit.slope * 1000
            print(f"linear fit: {fit.intercept:.1f} s + {per_call_ms:.2f} ms per call; worst point off {worst:.0%}")
        if args.plot:
            plot(rows, args.runtime, args.plot)
        return
    low, high = (5, 15) if args.quick else (args.low, args.high)
    invocations = 20 if args.quick else 200

    floor = floor_ms(args.runtime, invocations)
    harness, runs = harness_ms(args.runtime, low, high)
    print(f"runtime {args.runtime}, backend moto")
    for examples, (seconds, calls) in runs.items():
        print(f"  check --examples {examples:<5} {seconds:6.1f} s  {calls:6d} invocations")
    print(f"floor (warm invoke + GetItem):   {floor:7.2f} ms per invocation")
    print(f"harness (slope {low}->{high}):      {harness:7.2f} ms per invocation")
    print(f"harness / floor:                 {harness / floor:7.2f}x  (target: at most 2x)")
    total, shares = breakdown(args.runtime, low)
    print(f"where one check's {total:.1f} s go (--examples {low}; cumulative, stages overlap):")
    for stage, seconds in shares.items():
        print(f"  {stage:<38} {seconds:6.2f} s  {seconds / total:5.0%}")
    ratio = handler_against_put_item(20 if args.quick else 300)
    print(f"reference handler / bare PutItem: {ratio:7.2f}x  (target: at most 1.10x)")


if __name__ == "__main__":
    main()
