"""Re-run saved failure cases against a handler (still failing, or fixed), or write them as a pytest module."""

from __future__ import annotations

import pprint
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from contract_tests.engine import Run, plan
from contract_tests.errors import HarnessError
from contract_tests.failure_cases import FailureCase
from contract_tests.output_files import write_text
from contract_tests.request import CheckRequest


@dataclass(frozen=True)
class Replayed:
    path: Path | None
    case: FailureCase
    fixed: bool
    #: Why it still fails (empty once fixed).
    message: str = ""


def _run_request(request: CheckRequest, case: FailureCase) -> CheckRequest:
    """The check a case needs: its contract and configuration, the rest as the replay was asked."""
    environment = {**case.environment, **dict(request.env)}
    table_variables = request.table_variables or tuple(case.table_variables)
    return replace(
        request, contract=case.contract, env=tuple(environment.items()), table_variables=table_variables, clauses=()
    )


def replay(cases: Sequence[tuple[Path | None, FailureCase]], request: CheckRequest) -> Iterator[Replayed]:
    """Each case's example through its clause's judgement, one check per contract and configuration."""
    groups: dict[CheckRequest, list[tuple[Path | None, FailureCase]]] = {}
    for path, case in cases:
        groups.setdefault(_run_request(request, case), []).append((path, case))
    for run_request, group in groups.items():
        with Run(plan(run_request)) as run:
            for path, case in group:
                clause = run.contract.clauses_by_id.get(case.clause)
                if clause is None:
                    raise HarnessError(f"{path or 'case'}: contract {case.contract} has no clause {case.clause!r}")
                why = run.replay(clause, case.example)
                yield Replayed(path, case, why is None, why or "")


def replay_case(case: dict[str, Any], handler: str, **options: Any) -> str | None:
    """Why one saved case still fails against ``handler``, or None once fixed (the emitted tests call this)."""
    (result,) = replay([(None, FailureCase(**case))], CheckRequest(handler=handler, **options))
    return None if result.fixed else result.message


PYTEST_MODULE = '''"""Regression tests: contract failures saved by connect-contract, each case inlined.

Written by `connect-contract replay --emit-pytest`; each test re-runs one minimal counterexample
through its clause against the handler below, and passes once the handler is fixed.
"""

import pytest

from contract_tests.replay import replay_case

HANDLER = {handler!r}
OPTIONS = {options}

CASES = {cases}


@pytest.mark.parametrize("case", CASES, ids=[f"{{c['contract']}}-{{c['clause']}}-{{i}}" for i, c in enumerate(CASES)])
def test_saved_failure_is_fixed(case):
    problem = replay_case(case, HANDLER, **OPTIONS)
    assert problem is None, problem
'''


def emit_pytest(cases: Sequence[FailureCase], request: CheckRequest, path: Path) -> None:
    """Write a plain pytest module with ``cases`` inlined, run against ``request``'s handler and options."""
    # the timeout and memory the check ran with, a template's where it gave them
    ran, defaults = (
        replace(given, timeout=given.timeout_of(), memory=given.memory_of())
        for given in (request, CheckRequest(handler=request.handler))
    )
    kept = (
        "code_dir",
        "backend",
        "endpoint",
        "runtime",
        "interpreter",
        "memory",
        "env",
        "table_variables",
        "region",
        "timeout",
    )
    options = {name: getattr(ran, name) for name in kept if getattr(ran, name) != getattr(defaults, name)}
    documents = [{k: v for k, v in vars(case).items() if k not in ("expected", "actual")} for case in cases]
    text = PYTEST_MODULE.format(
        handler=request.handler, options=pprint.pformat(options), cases=pprint.pformat(documents, width=110)
    )
    write_text("--emit-pytest", path, text)
