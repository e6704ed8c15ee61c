"""``connect-contract merge``: the JSON reports of one check's ``--shard K/N`` runs read back and joined
into the report of the whole check, which every renderer (text, JSON, JUnit, GitHub) then reads as a
check's own. Refused, with the reason, unless they are all N shards of one check."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from contract_tests.contracts import contract_named
from contract_tests.errors import HarnessError
from contract_tests.input_files import InputFileError, read_json
from contract_tests.options import add_check_options, request_values
from contract_tests.request import CheckRequest
from contract_tests.results import ClauseResult, Counterexample, Report, Status
from contract_tests.sandbox.support import Containment

_STATUS = {"passed": Status.PASSED, "failed": Status.FAILED, "not-checked": Status.NOT_CHECKED}


class _Refusing(argparse.ArgumentParser):
    """Reads a report's recorded command: a word it cannot take is the report's fault, not a usage error."""

    def error(self, message: str) -> NoReturn:
        raise ValueError(message)


def _request(words: Sequence[str]) -> CheckRequest:
    parser = _Refusing(add_help=False)
    add_check_options(parser.add_argument, handler_required=False)
    args = parser.parse_args(list(words))
    return CheckRequest(**request_values(lambda field: getattr(args, field)))


def load_report(path: str) -> Report:
    """The report a ``check --format json`` wrote at ``path``, as the model the renderers read."""
    try:
        document = read_json(Path(path))
    except OSError as error:
        raise HarnessError(f"{path}: cannot read it ({error.strerror})") from None
    except InputFileError as error:
        raise HarnessError(f"{path}: cannot read it as a report: {error}") from None
    try:
        request = _request(document["request"]["command"])
        contract = contract_named(request.contract)
        clauses = {clause.id: clause for clause in contract.clauses}
        results = [_result(clauses[entry["id"]], entry) for entry in document["clauses"]]
        sandbox = document["sandbox"]
        return Report(
            request,
            int(document["seed"]),
            results,
            seconds=float(document["seconds"]),
            warnings=[str(warning) for warning in document["warnings"]],
            containment=Containment(bool(sandbox["contained"]), sandbox["why_not"] or ""),
            contract=contract,
            runtime=str(document["request"]["runtime"]),
        )
    except (KeyError, TypeError, ValueError, HarnessError):
        raise HarnessError(
            f"{path}: not the JSON report of a connect-contract check of this version (--format json)"
        ) from None


def _result(clause: Any, entry: dict[str, Any]) -> ClauseResult:
    shown = entry["counterexample"]
    example = None
    if shown is not None:
        example = Counterexample(shown["example"], shown["expected"], shown["actual"], shown.get("judged_by"))
    status = _STATUS[entry["status"]]
    return ClauseResult(
        clause,
        status,
        int(entry["examples"]),
        entry["message"] or "",
        example,
        entry["seconds"],
        {str(kind): int(count) for kind, count in entry["behaviours"].items()},
        entry["seed"],
        int(entry["rounds"]),
    )


def merge_reports(paths: Sequence[str]) -> Report:
    """The whole check the shards' reports at ``paths`` are the parts of: each clause's result from the
    shard that checked it, in the contract's order; the longest shard's time; every warning once."""
    shards = [(path, load_report(path)) for path in paths]
    first_path, first = shards[0]
    whole = first.request.unsplit()
    _, count = _shard_numbers(first_path, first)
    by_index: dict[int, str] = {}
    for path, report in shards:
        index, of = _shard_numbers(path, report)
        if of != count:
            raise HarnessError(f"{path} is shard {report.request.shard}, {first_path} one of {count}: not one split")
        if report.request.unsplit() != whole or report.seed != first.seed:
            raise HarnessError(
                f"{path} checked another run than {first_path}: {report.request.command(report.seed)} "
                f"against {first.request.command(first.seed)}"
            )
        if index in by_index:
            raise HarnessError(f"{path} and {by_index[index]} are both shard {index}/{count}")
        by_index[index] = path
    missing = [f"{index}/{count}" for index in range(1, count + 1) if index not in by_index]
    if missing:
        raise HarnessError(f"no report of shard {', '.join(missing)}: a merged report would claim clauses never run")
    results: dict[str, ClauseResult] = {}
    for _, report in shards:
        for result in report.results:
            if result.clause.id in results:
                raise HarnessError(f"clause {result.clause.id} was checked by two shards (were they split alike?)")
            results[result.clause.id] = result
    wanted = first.contract.select(whole.clauses)
    unchecked = [clause.id for clause in wanted if clause.id not in results]
    if unchecked:
        raise HarnessError(f"no shard checked clause {unchecked[0]} (were they split alike? same --shard-durations)")
    warnings = list(dict.fromkeys(warning for _, report in shards for warning in report.warnings))
    uncontained = [report.containment for _, report in shards if not report.containment.contained]
    return Report(
        whole,
        first.seed,
        [results[clause.id] for clause in wanted],
        seconds=max(report.seconds for _, report in shards),
        warnings=warnings,
        containment=uncontained[0] if uncontained else first.containment,
        contract=first.contract,
        runtime=first.runtime,
    )


def _shard_numbers(path: str, report: Report) -> tuple[int, int]:
    numbers = report.request.shard_numbers
    if numbers is None:
        raise HarnessError(f"{path} is a whole check's report, not a shard's (--shard K/N): nothing to merge")
    return numbers
