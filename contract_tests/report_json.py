"""A check's report as JSON (``schemas/report.schema.json``): every counterexample in full, for machines."""

from __future__ import annotations

import json
import shlex
from importlib.metadata import version
from pathlib import Path
from typing import Any

from contract_tests.example_db import shown
from contract_tests.inert_text import inert_json
from contract_tests.results import ClauseResult, Counterexample, Report, Status

FORMAT = 1
_STATUS = {Status.PASSED: "passed", Status.FAILED: "failed", Status.NOT_CHECKED: "not-checked"}


def _clause(report: Report, result: ClauseResult) -> dict[str, Any]:
    example = result.counterexample
    failed = result.status is Status.FAILED
    return {
        "number": result.clause.number,
        "id": result.clause.id,
        "title": result.clause.title,
        "status": _STATUS[result.status],
        "examples": result.examples,
        "seconds": round(result.seconds, 3),
        "message": result.message,
        "counterexample": None if example is None else _counterexample(example),
        "reproduce": report.reproduce(result) if failed else None,
        "seed": result.seed,
        "rounds": result.rounds,
        "behaviours": result.behaviours,
    }


def _counterexample(example: Counterexample) -> dict[str, Any]:
    shown = {"example": example.example, "expected": example.expected, "actual": example.actual}
    return shown | ({"judged_by": example.judged_by} if example.judged_by else {})


def report_document(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready value; tuples become lists and anything else unusual its string."""
    request = report.request
    document = {
        "format": FORMAT,
        "tool": f"connect-contract {version('connect-contract')}",
        "request": {
            "handler": request.handler,
            "code_dir": request.code_dir,
            "authorizer": request.authorizer,
            "routes": dict(request.routes),
            "template": request.template,
            "contract": request.contract,
            "backend": request.backend if request.uses_backend else None,
            "endpoint": request.endpoint,
            "runtime": report.runtime,
            "interpreter": request.interpreter,
            "sandbox": request.sandbox,
            "examples": request.examples,
            "region": request.region,
            "timeout": request.timeout_of(),
            "memory": request.memory_of(),
            "env": dict(request.env),
            "table_variables": list(request.table_variable_names) if request.uses_backend else None,
            "clauses": list(request.clauses),
            "example_dbs": [shown(spec) for spec in request.example_dbs],
            "duration": request.duration,
            "shard": request.shard,
            "command": shlex.split(request.command(report.seed))[2:],
        },
        "seed": report.seed,
        "verdict": report.verdict.value,
        "exit_status": report.exit_status,
        "seconds": round(report.seconds, 3),
        "clauses": [_clause(report, result) for result in report.results],
        "defects": [[result.clause.id for result in group] for group in report.defects],
        "warnings": list(report.warnings),
        "sandbox": {"contained": report.containment.contained, "why_not": report.containment.why_not or None},
    }
    parsed: dict[str, Any] = json.loads(json.dumps(document, default=str))
    return parsed


def render_json(report: Report) -> str:
    return inert_json(report_document(report), indent=2) + "\n"


def write_json(report: Report, path: str | Path) -> None:
    Path(path).write_text(render_json(report), encoding="utf-8")
