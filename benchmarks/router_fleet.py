"""A router checked against one big fleet: every agent live in one partition, measured in one run.

    python benchmarks/router_fleet.py [--sizes 10,100,1000] [--runtime python|nodejs|inprocess] [--backend moto]
    python benchmarks/router_fleet.py --quick

Each size is one example of the delivery clause (fleet written, router invoked, posts and table judged),
so the time covers writing the fleet, the router's Query pages (cut at the gate's page size) and posts,
and the read-back. The issue's target: 1,000 agents in under a minute on moto. Machines here are shared
and noisy: read the per-agent cost and its growth, not single seconds.
"""

from __future__ import annotations

import argparse
import time

from contract_tests.clauses.router_checks import require_routed
from contract_tests.contracts import RouterContract
from contract_tests.engine.plan import plan
from contract_tests.engine.run import Run
from contract_tests.request import CheckRequest
from contract_tests.router_fleets import RouterCase, big_fleet

TARGETS = {
    "python": "reference_impl/router.py:lambda_handler",
    "inprocess": "reference_impl/router.py:lambda_handler",
    "nodejs": "fixtures/handlers/nodejs/correct_router.mjs:handler",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--runtime", choices=sorted(TARGETS), default="python")
    parser.add_argument("--backend", default="moto")
    parser.add_argument("--quick", action="store_true", help="small sizes, so CI keeps the benchmark working")
    options = parser.parse_args()
    sizes = [10, 40] if options.quick else [int(size) for size in options.sizes.split(",")]
    request = CheckRequest(
        handler=TARGETS[options.runtime],
        contract="router",
        backend=options.backend,
        runtime=None if options.runtime != "inprocess" else "inprocess",
        timeout=300,
    )
    with Run(plan(request)) as run:
        function, facts, contract = run.function, run.function.facts, run.contract
        assert isinstance(contract, RouterContract)
        print(f"router fleet on {options.backend}, {options.runtime} runtime")
        print(f"{'agents':>8} {'seconds':>9} {'ms per agent':>13}")
        for size in sizes:
            case = big_fleet(size)
            started = time.perf_counter()
            outcome = function.perform(RouterCase.of(case))
            require_routed(RouterCase.of(case), outcome, contract, facts)
            seconds = time.perf_counter() - started
            print(f"{size:>8} {seconds:>9.2f} {seconds * 1000 / size:>13.2f}")


if __name__ == "__main__":
    main()
