"""GitHub Actions output: a Markdown table of clauses in the job's step summary, and an error annotation
per failed clause on the handler's line (the line a failure names, else the handler's definition)."""

from __future__ import annotations

import ast
import html
import importlib.util
import json
import re
from collections.abc import Mapping
from pathlib import Path

from contract_tests.errors import TargetError
from contract_tests.inert_text import inert
from contract_tests.report import examples_asked
from contract_tests.results import ClauseResult, Report, Status
from contract_tests.targets import HandlerTarget, parse_target

_MARK = {Status.PASSED: "✅ pass", Status.FAILED: "❌ **fail**", Status.NOT_CHECKED: "⚪ not checked"}


def handler_source(target: HandlerTarget) -> Path | None:
    if target.file is not None:
        return target.file
    if target.module is None:
        return None
    if target.code_dir is not None:
        candidate = target.code_dir / (target.module.replace(".", "/") + ".py")
        if candidate.is_file():
            return candidate
    try:
        spec = importlib.util.find_spec(target.module)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec is not None and spec.origin and spec.origin.endswith(".py") else None


def definition_line(source: Path, function: str) -> int:
    """Where ``function`` is defined (or assigned, or exported) in ``source``; 1 when it cannot be told."""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 1
    if source.suffix == ".py":
        try:
            tree = ast.parse(text)
        except SyntaxError as error:
            return error.lineno or 1
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function:
                return node.lineno
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == function for t in node.targets):
                return node.lineno
        return 1
    pattern = re.compile(rf"(function\s+{function}\b|\b(const|let|var)\s+{function}\b|exports\.{function}\s*=)")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return 1


def failure_line(result: ClauseResult, source: Path) -> int | None:
    """The handler's line a failure names (a traceback frame, an init error), if any."""
    text = result.message + json.dumps(result.counterexample.actual if result.counterexample else "", default=str)
    found = re.findall(rf'{re.escape(source.name)}(?:\\?", line |:)(\d+)', text)
    return int(found[-1]) if found else None


def _escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def error_annotations(report: Report, workspace: Path) -> list[str]:
    """One ``::error`` workflow command per failed clause."""
    request = report.request
    try:
        target = parse_target(request.handler, request.code_dir)
    except TargetError:
        target = None
    source = handler_source(target) if target is not None else None
    lines = []
    for result in report.failed:
        title = f"connect-contract {request.contract}: clause {result.clause.number} {result.clause.id}"
        where = ""
        if source is not None and target is not None:
            line = failure_line(result, source) or definition_line(source, target.function)
            try:
                shown = source.resolve().relative_to(workspace.resolve())
            except ValueError:
                shown = source
            where = f"file={_escape(str(shown), property_value=True)},line={line},"
        lines.append(f"::error {where}title={_escape(title, property_value=True)}::{_escape(inert(result.message))}")
    return lines


def step_summary(report: Report) -> str:
    request = report.request
    lines = [
        f"### connect-contract {request.contract}: `{request.handler}` {report.verdict.value}",
        "",
        (f"Backend `{request.backend}`, " if request.uses_backend else "No backend (it stores nothing), ")
        + f"runtime `{report.runtime}`, seed `{report.seed}`, "
        f"{examples_asked(request)}, {report.seconds:.1f} s.",
        "",
        "| # | clause | result | examples | time | detail |",
        "|---|---|---|---|---|---|",
    ]
    for result in report.results:
        detail = html.escape(inert(result.message), quote=False).replace("|", "\\|").replace("`", "\\`")
        lines.append(
            f"| {result.clause.number} | `{result.clause.id}` | {_MARK[result.status]} | {result.examples} "
            f"| {result.seconds:.1f} s | {detail} |"
        )
    for result in report.failed:
        lines += ["", f"<details><summary>Reproduce clause {result.clause.number} {result.clause.id}</summary>", ""]
        lines += ["```sh", request.command(report.seed, result.clause.id), "```", "", "</details>"]
    return "\n".join(lines) + "\n"


def write_github_outputs(report: Report, environ: Mapping[str, str]) -> list[str]:
    """Under ``GITHUB_ACTIONS=true``: append the step summary; return the annotation lines to print."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return []
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as out:
            out.write(step_summary(report))
    return error_annotations(report, Path(environ.get("GITHUB_WORKSPACE") or Path.cwd()))
