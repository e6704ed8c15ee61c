"""Saved failures: each failing clause's minimal counterexample as a case file a replay re-runs.

A case holds everything that made the example fail: the contract version, the clause, the example
as its judgement takes it, the function's own configuration, the seed, and expected and actual.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.errors import HarnessError
from contract_tests.input_files import InputFileError, read_json
from contract_tests.reserved_variables import refusal, table_variable_refusal

FORMAT = 1
DEFAULT_DIRECTORY = Path(".connect-contract") / "failures"
#: The type each field of a case file must have (``example``, ``expected`` and ``actual`` are any JSON).
FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "contract": str,
    "clause": str,
    "message": str,
    "seed": (int, type(None)),
    "environment": dict,
    "table_variables": list,
    "handler": str,
    "reproduce": str,
    "format": int,
}
FIELD_NAMES = {
    "contract": "a string",
    "clause": "a string",
    "message": "a string",
    "seed": "a whole number or null",
    "environment": "an object of strings",
    "table_variables": "a list of variable names",
    "handler": "a string",
    "reproduce": "a string",
    "format": "a whole number",
}


@dataclass(frozen=True)
class FailureCase:
    contract: str
    clause: str
    example: Any
    message: str
    expected: Any = None
    actual: Any = None
    seed: int | None = None
    #: The function's own configuration (``--env``) when it failed, and the variables that named its table.
    environment: dict[str, str] = field(default_factory=dict)
    table_variables: list[str] = field(default_factory=list)
    #: What was checked, and how to repeat the whole clause (for the reader; a replay names its own handler).
    handler: str = ""
    reproduce: str = ""
    format: int = FORMAT

    def file_name(self) -> str:
        """Named by what it replays (the example under its configuration): a run with other options never
        overwrites it; the same failure found again does."""
        made = {"example": self.example, "environment": self.environment, "table_variables": self.table_variables}
        digest = hashlib.sha256(json.dumps(made, sort_keys=True, default=str).encode()).hexdigest()[:12]
        return f"{self.contract}-{self.clause}-{digest}.json"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, default=str) + "\n"

    @classmethod
    def from_document(cls, data: Any, origin: str) -> FailureCase:
        """The case a parsed file holds; HarnessError naming the first field that is missing or of the wrong type."""
        if not isinstance(data, dict):
            raise HarnessError(f"{origin}: not a connect-contract failure case (a JSON object is)")
        if data.get("format") != FORMAT:
            raise HarnessError(f"{origin}: a case file of format {data.get('format')!r}; this gate reads {FORMAT}")
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise HarnessError(f"{origin}: not a connect-contract failure case (unknown field {unknown[0]!r})")
        for name, kinds in FIELD_TYPES.items():
            if name in data and not isinstance(data[name], kinds):
                raise HarnessError(
                    f"{origin}: field {name!r} must be {FIELD_NAMES[name]}, not {type(data[name]).__name__}"
                )
        for name in ("contract", "clause", "example", "message"):
            if name not in data:
                raise HarnessError(f"{origin}: not a connect-contract failure case (no {name!r})")
        for name in data.get("table_variables", []):
            why = table_variable_refusal(name) if isinstance(name, str) else "not a string"
            if why:
                raise HarnessError(f"{origin}: table_variables: {name!r}: {why}")
        for name, value in data.get("environment", {}).items():
            if not isinstance(value, str):
                raise HarnessError(f"{origin}: environment {name!r} must be a string")
            why = refusal(name)
            if why:
                raise HarnessError(f"{origin}: environment: {why}")
        if isinstance(data.get("seed"), bool):
            raise HarnessError(f"{origin}: field 'seed' must be a whole number or null, not bool")
        return cls(**data)


def cases_of(report: Any) -> list[FailureCase]:
    """One case per defect of ``report`` (a runner ``Report``): its first failed clause's counterexample."""
    request = report.request
    cases = []
    for result in (group[0] for group in report.defects):
        example = result.counterexample
        if example is None:
            continue
        plain = json.loads(json.dumps(example.example, default=str))
        cases.append(
            FailureCase(
                contract=request.contract,
                clause=example.judged_by or result.clause.id,
                example=plain,
                message=result.message,
                expected=json.loads(json.dumps(example.expected, default=str)),
                actual=json.loads(json.dumps(example.actual, default=str)),
                seed=report.seed if result.seed is None else result.seed,
                environment=dict(request.env),
                table_variables=list(request.table_variables),
                handler=request.handler,
                reproduce=report.reproduce(result),
            )
        )
    return cases


def save(cases: list[FailureCase], directory: Path) -> list[Path]:
    """Write each case under ``directory`` (created when needed); the same example overwrites its file."""
    if not cases:
        return []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for case in cases:
            path = directory / case.file_name()
            path.write_text(case.to_json(), encoding="utf-8")
            paths.append(path)
    except OSError as error:
        raise HarnessError(f"could not save failure cases in {directory}: {error}") from error
    return paths


def load(paths: list[Path]) -> list[tuple[Path, FailureCase]]:
    """The cases in ``paths`` (files, or directories of ``*.json`` files), in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.json"))
        elif path.exists():
            files.append(path)  # read_json says what it is, when it is no regular file
        else:
            raise HarnessError(f"{path}: no such failure case or directory")
    loaded = []
    for file in files:
        try:
            document = read_json(file)
        except (OSError, InputFileError) as error:
            raise HarnessError(f"{file}: cannot read it as a failure case: {error}") from None
        loaded.append((file, FailureCase.from_document(document, str(file))))
    return loaded
