"""The ``connect-contract`` command: parse arguments, run, print, and choose the exit status."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from contract_tests.backends import BACKENDS
from contract_tests.contract_diff import diff_contracts, render_diff
from contract_tests.contract_schemas import SCHEMA_FILES, errors
from contract_tests.contracts import CONTRACTS, DEFAULT_CONTRACT, SCHEMA_ROLES, contract_named
from contract_tests.errors import HarnessError
from contract_tests.junit import write_junit
from contract_tests.lambda_runtime import MEMORY_MB, TIMEOUT_S
from contract_tests.localstack.install import install
from contract_tests.localstack.layout import Layout
from contract_tests.localstack.process import LocalStackProcess
from contract_tests.report import clause_line, header, render_failures, summary
from contract_tests.runner import CheckRequest, run_check
from contract_tests.runtimes import RUNTIMES

EXIT_CONFORMS, EXIT_VIOLATES, EXIT_USAGE = 0, 1, 2


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 900:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 900 (Lambda's limit)")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _assignment(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    return name, value


def _memory(text: str) -> int:
    value = _positive(text)
    if not 128 <= value <= 10240:
        raise argparse.ArgumentTypeError("must be from 128 to 10240 (Lambda's range, in MB)")
    return value


def _add_contract_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--contract",
        default=DEFAULT_CONTRACT,
        choices=list(CONTRACTS),
        help=f"the contract version (default: {DEFAULT_CONTRACT}; `connect-contract contracts` lists them)",
    )


def _all_clause_ids() -> list[str]:
    """Every clause id of every version, in order of first appearance (each version checks its own)."""
    return list(dict.fromkeys(clause.id for contract in CONTRACTS.values() for clause in contract.clauses))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="connect-contract",
        description="Contract gate for API Gateway WebSocket $connect handlers.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="check a handler against the contract",
        description=(
            "Check a handler, unmodified, against a version of the contract (default: v1). "
            "Exit 0: conforms; 1: violates (the handler failing to initialise included); 2: usage or environment error."
        ),
    )
    check.add_argument(
        "--handler",
        required=True,
        metavar="TARGET",
        help="package.module:function, path/to/file.py:function, or Lambda's file.function (with --code-dir)",
    )
    check.add_argument("--code-dir", metavar="DIR", help="the function's code directory (Lambda's task root)")
    _add_contract_option(check)
    check.add_argument(
        "--backend", default="moto", choices=sorted(BACKENDS), help="where DynamoDB lives (default: moto)"
    )
    check.add_argument("--endpoint", metavar="URL", help="reuse a running DynamoDB endpoint instead of starting one")
    check.add_argument(
        "--examples", type=_positive, default=100, metavar="N", help="examples per property clause (default: 100)"
    )
    check.add_argument("--seed", type=_seed, metavar="N", help="hypothesis seed; the report prints the one it used")
    check.add_argument("--region", default="us-east-1", help="AWS region the handler sees (default: us-east-1)")
    check.add_argument(
        "--timeout",
        type=_seconds,
        default=TIMEOUT_S,
        metavar="SECONDS",
        help=f"the function's timeout; a longer invocation fails as in Lambda (default: {TIMEOUT_S:g})",
    )
    check.add_argument(
        "--clause",
        action="append",
        default=[],
        choices=_all_clause_ids(),
        metavar="ID",
        help=f"check only this clause (repeatable): {', '.join(_all_clause_ids())}",
    )
    check.add_argument(
        "--runtime",
        choices=sorted(RUNTIMES),
        help="where the handler runs: python or nodejs (the default, from the target's language: its own process "
        "through the Lambda Runtime API), provided (an executable bootstrap in --code-dir), or inprocess "
        "(imported into the gate's process: fast, for trusted Python only)",
    )
    check.add_argument(
        "--interpreter", metavar="PATH", help="the python or node program to run the handler with (its own virtualenv)"
    )
    check.add_argument(
        "--memory",
        type=_memory,
        default=MEMORY_MB,
        metavar="MB",
        help=f"the function's memory; more is Lambda's out-of-memory error (default: {MEMORY_MB})",
    )
    check.add_argument(
        "--env",
        type=_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable of the function's own configuration (repeatable)",
    )
    check.add_argument("--junit", metavar="PATH", help="also write the report as JUnit XML")
    check.add_argument(
        "--yes-create-table",
        action="store_true",
        help="with --backend aws: agree to create (and afterwards delete) a PAY_PER_REQUEST table",
    )
    clauses = commands.add_parser("clauses", help="list a contract version's clauses")
    _add_contract_option(clauses)
    commands.add_parser("contracts", help="list the contract versions, one line each")
    diff = commands.add_parser(
        "diff",
        help="what changed between two contract versions, for handlers and for readers of the table",
        description="Exit 0 always (a report, not a verdict); 2 for an unknown version.",
    )
    diff.add_argument("old", metavar="A", choices=list(CONTRACTS), help="the earlier version, e.g. v1")
    diff.add_argument("new", metavar="B", choices=list(CONTRACTS), help="the later version, e.g. v2")
    diff.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or JSON")
    validate = commands.add_parser(
        "validate",
        help="validate JSON files (events, items, responses) against a contract schema",
        description="Exit 0: every file is valid; 1: some file breaks the schema; 2: a file is unreadable or not JSON.",
    )
    validate.add_argument(
        "--schema",
        required=True,
        choices=[*SCHEMA_ROLES, *sorted(SCHEMA_FILES)],
        help="a role (event, item, response: the --contract version's schema) or a schema's own name",
    )
    _add_contract_option(validate)
    validate.add_argument("files", nargs="+", metavar="FILE", help="JSON documents, one per file")
    localstack = commands.add_parser("localstack", help="provision or run the LocalStack backend")
    actions = localstack.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("install", help="install LocalStack's DynamoDB for offline use (idempotent)")
    actions.add_parser("run", help="run LocalStack in the foreground, for --endpoint reuse; Ctrl-C stops it")
    return parser


def _check(args: argparse.Namespace) -> int:
    request = CheckRequest(
        handler=args.handler,
        code_dir=args.code_dir,
        contract=args.contract,
        backend=args.backend,
        endpoint=args.endpoint,
        examples=args.examples,
        seed=args.seed if args.seed is not None else secrets.randbelow(2**32),
        region=args.region,
        clauses=tuple(args.clause),
        create_real_table=args.yes_create_table,
        timeout=args.timeout,
        runtime=args.runtime,
        interpreter=args.interpreter,
        memory=args.memory,
        env=tuple(args.env),
    )
    print(header(request), flush=True)
    report = run_check(request, on_result=lambda result: print(clause_line(result), flush=True))
    print(render_failures(report))
    print(summary(report))
    if args.junit:
        write_junit(report, args.junit)
    return report.exit_status


def _validate(schema: str, files: Sequence[str]) -> int:
    """Every file is read and judged; exit 2 if any was unreadable, else 1 if any was invalid."""
    unreadable = invalid = 0
    for name in files:
        try:
            document = json.loads(Path(name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            print(f"connect-contract: error: {name}: cannot read it as JSON: {error}", file=sys.stderr)
            unreadable += 1
            continue
        problems = errors(schema, document)
        print(f"{name}: {'valid' if not problems else 'INVALID'} against {schema}")
        for problem in problems:
            print(f"  {problem}")
        invalid += bool(problems)
    return EXIT_USAGE if unreadable else EXIT_VIOLATES if invalid else EXIT_CONFORMS


def _localstack(action: str) -> int:
    if action == "install":
        install()
        return EXIT_CONFORMS
    process = LocalStackProcess(Layout.default())
    process.start()
    try:
        print(f"LocalStack (pid {process.pid}) is running: LOCALSTACK_ENDPOINT={process.endpoint}", flush=True)
        print("stop it with Ctrl-C", flush=True)
        signal.pause()
    finally:
        process.stop()
    return EXIT_CONFORMS


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM: unwinds like Ctrl-C (handlers never see it as their own error)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Both signals unwind like Ctrl-C, so started servers and created tables are cleaned up; SIGINT
    # is set explicitly because a shell without job control starts background commands ignoring it.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if args.command == "clauses":
            for clause in contract_named(args.contract).clauses:
                print(f"{clause.number} {clause.id:<17} {clause.title}")
            return EXIT_CONFORMS
        if args.command == "contracts":
            for contract in CONTRACTS.values():
                parent = f" (= {contract.parent} + changes)" if contract.parent else ""
                print(f"{contract.name}  {len(contract.clauses):>2} clauses{parent}: {contract.summary}")
            return EXIT_CONFORMS
        if args.command == "diff":
            changes = diff_contracts(contract_named(args.old), contract_named(args.new))
            print(render_diff(changes, args.format))
            return EXIT_CONFORMS
        if args.command == "validate":
            schema = contract_named(args.contract).schema(args.schema) if args.schema in SCHEMA_ROLES else args.schema
            return _validate(schema, args.files)
        if args.command == "localstack":
            return _localstack(args.action)
        return _check(args)
    except HarnessError as error:
        print(f"connect-contract: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as Unix tools do; flushing at exit would raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except KeyboardInterrupt as interruption:
        signum = interruption.signum if isinstance(interruption, Interrupted) else signal.SIGINT
        print(f"connect-contract: interrupted by {signal.Signals(signum).name}; cleaned up", file=sys.stderr)
        return 128 + signum
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
