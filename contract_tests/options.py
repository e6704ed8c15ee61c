"""A check's options, declared once: the CLI's argparse options and the pytest plugin's are built from
them, and the reproduce command is written from them. Imports nothing heavy (``--help`` stays fast).
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_tests.example_db import example_db_spec
from contract_tests.example_db import shown as shown_example_db
from contract_tests.lambda_runtime import MEMORY_MB, TIMEOUT_S, holds_layer
from contract_tests.reserved_variables import DEFAULT_TABLE_VARIABLE, refusal, table_variable_refusal

#: The registries' names, spelled here so that parsing options loads no backend, runtime or contract
#: (a test holds them equal to ``BACKENDS``, ``RUNTIMES`` and ``CONTRACTS``).
BACKEND_NAMES = ("moto", "moto-server", "localstack", "dynamodb-local", "aws")
RUNTIME_NAMES = ("python", "nodejs", "provided", "inprocess")
#: The `$connect` versions, then the contracts of other functions (light: no contract is imported here).
VERSION_NAMES = ("v1", "v2", "v3", "v4", "v5")
CONTRACT_NAMES = (*VERSION_NAMES, "authorizer", "router")
#: The contracts whose function reads or writes the connections table (the authorizer's touches none).
TABLE_CONTRACT_NAMES = (*VERSION_NAMES, "router")
#: ``--sandbox``: where this machine allows it, always (or exit 2), never.
SANDBOX_MODES = ("auto", "on", "off")
DEFAULT_CONTRACT = "v1"
DEFAULT_EXAMPLES = 100
DEFAULT_REGION = "us-east-1"
#: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-5 …: a region is also part of a host name.
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 900:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 900 (Lambda's limit)")
    return value


def jobs(text: str) -> int:
    """``--jobs``: a number of processes taking clauses, or ``auto`` for one per processor this process may use."""
    if text == "auto":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        return positive(text)
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"{error}; or auto (one per processor)") from None


def example_db(text: str) -> str:
    try:
        return example_db_spec(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def shard(text: str) -> str:
    """``--shard K/N``, spelled canonically: the K-th of N shards, 1 <= K <= N."""
    match = re.fullmatch(r"([1-9][0-9]*)/([1-9][0-9]*)", text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not K/N (e.g. 2/3: the second of three shards)")
    index, count = int(match[1]), int(match[2])
    if index > count:
        raise argparse.ArgumentTypeError(f"{text!r}: shard {index} of {count} does not exist (K is from 1 to N)")
    return f"{index}/{count}"


_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?")


def duration(text: str) -> float:
    """``--duration``: 600, 90s, 10m, 2h or 1h30m, in seconds."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or not any(match.groups()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration (e.g. 90s, 10m, 2h, 1h30m; a number is seconds)")
    hours, minutes, rest = (float(part or 0) for part in match.groups())
    value = hours * 3600 + minutes * 60 + rest
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def assignment(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    why = refusal(name)
    if why:
        raise argparse.ArgumentTypeError(why)
    return name, value


def route_target(text: str) -> tuple[str, str]:
    route, equals, target = text.partition("=")
    if not equals or not route or not target:
        raise argparse.ArgumentTypeError(f"{text!r} is not ROUTE=TARGET (e.g. '$disconnect=src/disconnect.py:handler')")
    return route, target


def table_variable(text: str) -> str:
    why = table_variable_refusal(text)
    if why:
        raise argparse.ArgumentTypeError(why)
    return text


def region(text: str) -> str:
    if not REGION.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an AWS region name (e.g. {DEFAULT_REGION})")
    return text


def memory(text: str) -> int:
    value = positive(text)
    if not 128 <= value <= 10240:
        raise argparse.ArgumentTypeError("must be from 128 to 10240 (Lambda's range, in MB)")
    return value


def program(text: str) -> str:
    """A program named by its path is made absolute here: the function's processes start in its code folder,
    where a relative path means another file. Symbolic links are kept, since a virtualenv's python is one
    and resolving it would leave the virtualenv. A bare name is looked up on PATH when the function starts."""
    expanded = os.path.expanduser(text)
    return os.path.abspath(expanded) if os.sep in expanded else text


def layer(text: str) -> str:
    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder")
    if not holds_layer(folder):
        raise argparse.ArgumentTypeError(f"{text!r} holds no python/ or nodejs/ folder, as a layer's archive does")
    return str(folder.resolve())


@dataclass(frozen=True)
class Option:
    """One option of a check: ``--NAME`` on the command line, ``--connect-NAME`` in pytest."""

    name: str
    #: The ``CheckRequest`` field it fills.
    field: str
    help: str
    default: Any = None
    parse: Callable[[str], Any] | None = None
    choices: Sequence[str] | None = None
    metavar: str | None = None
    repeatable: bool = False
    switch: bool = False
    #: Written into the reproduce command even at its default (what a reader needs to see).
    always_shown: bool = False
    #: Where the function's storage lives: meaningless to a contract whose function stores nothing.
    storage: bool = False
    #: How a value is written where people and logs read it (a secret in it masked); as given when None.
    shown: Callable[[str], str] | None = None

    def add_to(self, add: Callable[..., Any], prefix: str = "", required: bool = False) -> None:
        """Declare the option with ``add`` (``ArgumentParser.add_argument`` or pytest's ``addoption``)."""
        kwargs: dict[str, Any] = {"dest": f"{prefix.replace('-', '_')}{self.field}", "help": self.help}
        if self.switch:
            kwargs["action"] = "store_true"
        else:
            kwargs.update(default=[] if self.repeatable else self.default, metavar=self.metavar)
            if self.repeatable:
                kwargs["action"] = "append"
            if self.parse is not None:
                kwargs["type"] = self.parse
            if self.choices is not None:
                kwargs["choices"] = list(self.choices)
        if required:
            kwargs["required"] = True
        add(f"--{prefix}{self.name}", **kwargs)

    def words(self, value: Any) -> list[str]:
        """This option as it appears in a command line that repeats the run; nothing at its default."""
        if self.switch:
            return [f"--{self.name}"] if value else []
        show = self.shown or (lambda text: text)
        if self.repeatable:
            return [word for item in value for word in (f"--{self.name}", show(_spelled(item)))]
        if value is None or (value == self.default and not self.always_shown):
            return []
        return [f"--{self.name}", show(_spelled(value))]


def _spelled(value: Any) -> str:
    if isinstance(value, tuple):
        return "=".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


CHECK_OPTIONS: tuple[Option, ...] = (
    Option(
        "handler",
        "handler",
        "package.module:function, path/to/file.py:function, or Lambda's file.function (with --code-dir)",
        metavar="TARGET",
        always_shown=True,
    ),
    Option(
        "contract",
        "contract",
        f"the contract version (default: {DEFAULT_CONTRACT}; `connect-contract contracts` lists them)",
        default=DEFAULT_CONTRACT,
        choices=CONTRACT_NAMES,
    ),
    Option("code-dir", "code_dir", "the function's code directory (Lambda's task root)", metavar="DIR"),
    Option(
        "template",
        "template",
        "an AWS SAM template: the function of each route (its CodeUri, Handler, Runtime and variables) and the"
        " authorizer in front of $connect are read from it, instead of --handler, --route and --authorizer; each"
        " function runs with its own Timeout and MemorySize unless --timeout or --memory says otherwise",
        metavar="PATH",
    ),
    Option(
        "route",
        "routes",
        "v5: the function serving one route of the contract ($disconnect, heartbeat), when it is not --handler"
        " (repeatable; by default --handler serves every route)",
        parse=route_target,
        metavar="ROUTE=TARGET",
        repeatable=True,
    ),
    Option(
        "authorizer",
        "authorizer",
        "v4: the REQUEST authorizer in front of $connect; each handshake gets a token minted for its client and"
        " goes through it first, and only its Allow reaches the handler (default: the gate writes its context)",
        metavar="TARGET",
    ),
    Option(
        "backend",
        "backend",
        "where DynamoDB lives (default: moto)",
        default="moto",
        choices=BACKEND_NAMES,
        always_shown=True,
        storage=True,
    ),
    Option(
        "endpoint",
        "endpoint",
        "reuse a running DynamoDB endpoint instead of starting one",
        metavar="URL",
        storage=True,
    ),
    Option(
        "yes-create-table",
        "create_real_table",
        "with --backend aws: agree to create (and afterwards delete) a PAY_PER_REQUEST table",
        switch=True,
        storage=True,
    ),
    Option(
        "runtime",
        "runtime",
        "where the handler runs: python or nodejs (the default, from the target's language: its own process "
        "through the Lambda Runtime API), provided (an executable bootstrap in --code-dir), or inprocess "
        "(imported into the gate's process: fast, for trusted Python only)",
        choices=RUNTIME_NAMES,
    ),
    Option(
        "interpreter",
        "interpreter",
        "the python or node program to run the handler with (its own virtualenv)",
        parse=program,
        metavar="PATH",
    ),
    Option(
        "sandbox",
        "sandbox",
        "run each execution environment in its own sandbox: its own namespaces, read-only files, a private /tmp,"
        " no network but the gate's (auto: where this machine allows; on: or exit 2; off: never)",
        default="auto",
        choices=SANDBOX_MODES,
    ),
    Option(
        "memory",
        "memory",
        f"the function's memory; more is Lambda's out-of-memory error (default: the template's MemorySize, else"
        f" {MEMORY_MB})",
        parse=memory,
        metavar="MB",
    ),
    Option(
        "env",
        "env",
        "a variable of the function's own configuration (repeatable)",
        parse=assignment,
        metavar="NAME=VALUE",
        repeatable=True,
    ),
    Option(
        "layer",
        "layers",
        "a folder holding what a layer of the function holds (python/, nodejs/), as Lambda unpacks it into /opt"
        " (repeatable, in the function's order; after the layers its --template holds)",
        parse=layer,
        metavar="DIR",
        repeatable=True,
    ),
    Option(
        "table-variable",
        "table_variables",
        "a variable the handler reads its table's name from, set to the run's table (repeatable; default:"
        f" {DEFAULT_TABLE_VARIABLE})",
        parse=table_variable,
        metavar="NAME",
        repeatable=True,
        storage=True,
    ),
    Option(
        "region",
        "region",
        f"AWS region the handler sees (default: {DEFAULT_REGION})",
        default=DEFAULT_REGION,
        parse=region,
    ),
    Option(
        "examples",
        "examples",
        f"examples per property clause (default: {DEFAULT_EXAMPLES})",
        default=DEFAULT_EXAMPLES,
        parse=positive,
        metavar="N",
        always_shown=True,
    ),
    Option("seed", "seed", "hypothesis seed; the report prints the one it used", parse=whole_number, metavar="N"),
    Option(
        "timeout",
        "timeout",
        f"the function's timeout; a longer invocation fails as in Lambda (default: the template's Timeout, else"
        f" Lambda's {TIMEOUT_S:g})",
        parse=seconds,
        metavar="SECONDS",
    ),
    Option(
        "jobs",
        "jobs",
        "run the clauses in N processes, this one and N-1 workers, each with its own table and environments"
        " (auto: one per processor); the report is the one run (default: 1)",
        default=1,
        parse=jobs,
        metavar="N|auto",
    ),
    Option(
        "duration",
        "duration",
        "a campaign: each property and warm-sequence clause keeps generating examples, round after round, until"
        " its share of this time is spent (90s, 10m, 2h), and stops at its first failure, shrunk; the report"
        " counts the examples and the distinct behaviours seen (default: --examples, once)",
        parse=duration,
        metavar="TIME",
    ),
    Option(
        "example-db",
        "example_dbs",
        "replay first what earlier runs saved there, and save there what this run finds: a directory, a Redis"
        " URL (redis://HOST:PORT/DB) or github:OWNER/REPO[/ARTIFACT] (a CI run's artifact, read only);"
        " repeatable, combined (default: none, a run is its seed alone)",
        parse=example_db,
        metavar="DIR|URL",
        repeatable=True,
        shown=shown_example_db,
    ),
    Option(
        "shard",
        "shard",
        "check only shard K of N of the clauses (one job of a CI matrix; needs --seed, the same in every"
        " shard); `connect-contract merge` joins the shards' JSON reports into one verdict",
        parse=shard,
        metavar="K/N",
    ),
    Option(
        "shard-durations",
        "shard_durations",
        "with --shard: balance the shards by the clause times an earlier JSON report recorded (default: the"
        " clauses dealt in the contract's order)",
        metavar="REPORT",
    ),
    Option(
        "clause",
        "clauses",
        "check only this clause (repeatable); `connect-contract clauses --contract V` lists them",
        metavar="ID",
        repeatable=True,
    ),
)


#: Options about running a whole check, which a pytest run (one test per clause, pytest-xdist's workers) has not.
WHOLE_CHECK_ONLY = ("jobs", "shard", "shard-durations")


def option(name: str) -> Option:
    """The check option ``--NAME`` (other commands share some, e.g. ``--contract``)."""
    return next(candidate for candidate in CHECK_OPTIONS if candidate.name == name)


#: What a replay takes from its command line: where and how to run; the rest comes from each case.
#: What ``--template`` reads from the stack: a command that repeats a run gives the template, not these.
FROM_TEMPLATE = ("handler", "code-dir", "route", "authorizer")

REPLAY_OPTIONS = (
    "handler",
    "code-dir",
    "template",
    "route",
    "authorizer",
    "backend",
    "endpoint",
    "yes-create-table",
    "runtime",
    "interpreter",
    "sandbox",
    "memory",
    "env",
    "layer",
    "table-variable",
    "region",
    "timeout",
)


def _chosen(names: Sequence[str] | None) -> list[Option]:
    return [option for option in CHECK_OPTIONS if names is None or option.name in names]


def add_check_options(
    add: Callable[..., Any], prefix: str = "", handler_required: bool = True, names: Sequence[str] | None = None
) -> None:
    """Declare the check options (all, or ``names``) with ``add``; ``prefix`` namespaces them in pytest."""
    for option in _chosen(names):
        option.add_to(add, prefix, required=handler_required and option.name == "handler")


def request_values(get: Callable[[str], Any], names: Sequence[str] | None = None) -> dict[str, Any]:
    """The ``CheckRequest`` fields from parsed options (all, or ``names``); ``get`` reads one by its ``dest``."""
    values = {}
    for option in _chosen(names):
        value = get(option.field)
        values[option.field] = tuple(value or ()) if option.repeatable else value
    return values
