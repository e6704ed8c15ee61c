"""Render a check's report for people: one line per clause, then each failure in full."""

from __future__ import annotations

from typing import Any

from contract_tests.contracts import CLAUSE_ID_WIDTH
from contract_tests.inert_text import inert, inert_json
from contract_tests.request import CheckRequest
from contract_tests.results import ClauseResult, Report, Status, Verdict

LONG_STRING = 400


def _shortened(value: Any) -> Any:
    """Long strings cut for reading (a URL-limit value is 4,000 characters); the shape is kept."""
    if isinstance(value, str) and len(value) > LONG_STRING:
        return f"{value[:200]}…{value[-40:]} ({len(value)} characters)"
    if isinstance(value, dict):
        return {k: _shortened(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shortened(v) for v in value]
    return value


def compact_event(event: Any) -> Any:
    """The parts of an event a $connect handler reads (the authorizer's context too); headers and the rest elided."""
    if not isinstance(event, dict):
        return event
    shown = {k: v for k, v in event.items() if k not in ("headers", "multiValueHeaders", "requestContext")}
    context = event.get("requestContext", "<absent>")
    if isinstance(context, dict):
        kept = {k: context[k] for k in ("connectionId", "authorizer") if k in context}
        hidden = len(context) - len(kept)
        context = {**kept, "…": f"{hidden} more fields as API Gateway sends them"} if hidden else kept
    return {"requestContext": context, **shown}


def compact_example(example: Any) -> Any:
    """A counterexample with every event in it compacted (events may be nested in a sequence)."""
    if isinstance(example, dict) and "requestContext" in example:
        return compact_event(example)
    if isinstance(example, dict):
        return {k: compact_example(v) for k, v in example.items()}
    if isinstance(example, list | tuple):
        return [compact_example(v) for v in example]
    return example


def as_json(value: Any) -> str:
    return inert_json(_shortened(value), indent=2, default=str)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def header(request: CheckRequest, seed: int, runtime: str) -> str:
    where = f"on backend {request.backend}" if request.uses_backend else "(no backend: it stores nothing)"
    return (
        f"connect-contract {request.contract}: checking {request.handler} ({runtime} runtime) "
        f"{where} (seed {seed}, {examples_asked(request)})"
    )


def examples_asked(request: CheckRequest) -> str:
    """How many examples each property clause was asked for: a number, or a campaign's time in rounds of it."""
    if request.duration is None:
        return f"{request.examples} examples per property clause"
    return f"a campaign of {request.duration:g} s in rounds of {request.examples} examples per property clause"


def campaign_note(result: ClauseResult) -> str:
    """How a clause's campaign went: rounds, the examples' rate, the distinct behaviours seen."""
    rate = result.examples / result.seconds if result.seconds else 0.0
    kinds = len(result.behaviours)
    return (
        f"campaign: {result.rounds} round{'' if result.rounds == 1 else 's'} ({rate:.1f} examples/s),"
        f" {kinds} distinct behaviour{'' if kinds == 1 else 's'}"
    )


def campaign_summary(report: Report) -> str:
    """What a campaign covered: examples, their rate, and the distinct behaviours each clause saw, summed."""
    examples = sum(result.examples for result in report.results)
    behaviours = sum(len(result.behaviours) for result in report.results)
    rate = examples / report.seconds if report.seconds else 0.0
    return (
        f"campaign: {examples} examples in {report.seconds:.0f}s ({rate:.1f}/s), {behaviours} distinct"
        f" behaviour{'' if behaviours == 1 else 's'} (summed over the clauses)"
    )


def clause_line(result: ClauseResult, *, campaign: bool = False) -> str:
    """One clause's result on one line; in a campaign, what its search covered too."""
    clause = result.clause
    message = inert(result.message)
    examples = f"{result.examples} example{'' if result.examples == 1 else 's'}"
    detail = examples if result.status is not Status.NOT_CHECKED else message
    if result.status is Status.PASSED and message:
        detail += f"; {message}"
    if campaign and result.rounds:
        detail += f"; {campaign_note(result)}"
    status = f"[{result.status.value:>4}]"
    title = f"{clause.id:<{CLAUSE_ID_WIDTH}} {clause.title}"
    return f"  {status} {clause.number} {title}  ({detail}, {result.seconds:.1f}s)"


def failure_details(report: Report, result: ClauseResult, *, compact: bool = True) -> str:
    """The failure in full: message, minimal counterexample, expected, actual, and how to re-run it."""
    parts = [f"clause {result.clause.number} {result.clause.id}: {inert(result.message)}"]
    example = result.counterexample
    if example is not None:
        shown = compact_example(example.example) if compact else example.example
        parts.append("  minimal counterexample:\n" + _indent(as_json(shown)))
        parts.append("  expected:\n" + _indent(as_json(example.expected)))
        parts.append("  actual:\n" + _indent(as_json(example.actual)))
    parts.append("  reproduce: " + report.reproduce(result))
    return "\n".join(parts)


def summary(report: Report) -> str:
    """The verdict, claiming no more than what ran: a partial run never 'conforms'."""
    passed = sum(r.status is Status.PASSED for r in report.results)
    not_checked = sum(r.status is Status.NOT_CHECKED for r in report.results)
    checked = passed + len(report.failed)
    name = report.request.contract
    total = len(report.contract.clauses)
    verdict = {
        Verdict.VIOLATES: f"handler violates contract {name}",
        Verdict.CONFORMS: f"handler conforms to contract {name}",
        Verdict.PARTIAL: f"handler passes the {checked} of {total} clauses checked (no verdict on the whole contract)",
    }[report.verdict]
    tail = f", {not_checked} not checked" if not_checked else ""
    defects = len(report.defects)
    causes = f" ({defects} defect{'' if defects == 1 else 's'})" if defects < len(report.failed) else ""
    counts = f"{checked} of {total} clauses checked: {passed} passed, {len(report.failed)} failed{causes}{tail}"
    lines = [f"{verdict} in {report.seconds:.1f}s", f"contract: {counts}", f"sandbox: {report.containment.describe()}"]
    if report.request.duration is not None:
        lines.append(campaign_summary(report))
    lines += [f"warning: {warning}" for warning in report.warnings]
    return "\n".join(lines)


def render_failures(report: Report) -> str:
    """One entry per defect: the first clause it breaks in full, the others it breaks listed under it."""
    if not report.failed:
        return ""
    return "\nFAILURES\n\n" + "\n\n".join(_defect(report, group) for group in report.defects) + "\n"


def _defect(report: Report, group: list[ClauseResult]) -> str:
    first, others = group[0], group[1:]
    if not others:
        return failure_details(report, first)
    listed = ", ".join(f"{result.clause.number} {result.clause.id}" for result in group)
    lines = [f"one defect, {len(group)} clauses broken ({listed}); the first shown, the others fail the same way:"]
    lines.append(failure_details(report, first))
    lines += [
        f"  also clause {result.clause.number} {result.clause.id}: reproduce: " + report.reproduce(result)
        for result in others
    ]
    return "\n".join(lines)


def render_text(report: Report) -> str:
    """The whole text report: what the terminal showed line by line while the check ran."""
    campaign = report.request.duration is not None
    lines = [header(report.request, report.seed, report.runtime)]
    lines += [clause_line(result, campaign=campaign) for result in report.results]
    return "\n".join([*lines, render_failures(report), summary(report)]) + "\n"
