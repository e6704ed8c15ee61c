"""The ``connect-contract`` command: parse arguments, run, print, and choose the exit status."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from contract_tests.errors import HarnessError
from contract_tests.failure_cases import DEFAULT_DIRECTORY as DEFAULT_FAILURES
from contract_tests.failure_cases import cases_of, load, save
from contract_tests.input_files import InputFileError, read_json
from contract_tests.options import REPLAY_OPTIONS, VERSION_NAMES, add_check_options, option, positive, request_values
from contract_tests.output_files import prepare, write_text
from contract_tests.request import CheckRequest
from contract_tests.schema_files import SCHEMA_FILES, VALIDATION_ROLES
from contract_tests.stop_signals import Interrupted, StopSignals

if TYPE_CHECKING:
    from contract_tests.results import Report

#: Where a checkout of this project keeps the generated pages.
DEFAULT_DOCS = "docs/contract"

# Everything else is imported by the command that needs it: `--help` and usage errors stay fast.

EXIT_CONFORMS, EXIT_VIOLATES, EXIT_USAGE = 0, 1, 2
REPORT_FORMATS = ("text", "json", "junit")


def _add_failures_dir(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--failures-dir", default=str(DEFAULT_FAILURES), metavar="DIR", help=f"{what} (default: {DEFAULT_FAILURES})"
    )


def _mint(args: argparse.Namespace) -> int:
    from contract_tests.tokens import claims, mint, read_key

    accounts = [account for account in args.accounts.split(",") if account] if args.accounts else []
    payload = claims(args.client_id, accounts, args.ttl)
    print(mint(payload, args.kid, read_key(args.key_file)))
    return EXIT_CONFORMS


class _Parser(argparse.ArgumentParser):
    """A usage error is one line that says where the options are explained: argparse's own printed the whole
    usage block above it (17 lines for check), burying the one line that says what was wrong."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(  # its subcommands' parsers are of its class too
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
    add_check_options(check.add_argument, handler_required=False)
    check.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        default="text",
        help="the report's format: text (default), json (schemas/report.schema.json) or junit; without --output "
        "a json or junit report goes to stdout and the progress lines to stderr",
    )
    check.add_argument(
        "--output", metavar="PATH", help="write the report in --format to PATH (text stays on the terminal)"
    )
    check.add_argument("--junit", metavar="PATH", help="also write the report as JUnit XML")
    check.add_argument(
        "--quiet",
        action="store_true",
        help="no progress lines (by default a live line on a terminal, and a line every few seconds when CI is set)",
    )
    _add_failures_dir(check, "where each failing clause saves its minimal counterexample")
    merge = commands.add_parser(
        "merge",
        help="join the JSON reports of one check's --shard runs into the whole check's report",
        description=(
            "Join the JSON reports of all N shards of one check (--shard K/N, the same options and --seed) into "
            "the whole check's report and verdict. Exit 0: conforms; 1: violates; 2: the reports are not all "
            "the shards of one check."
        ),
    )
    merge.add_argument("reports", nargs="+", metavar="REPORT", help="a shard's report (check --format json)")
    merge.add_argument("--format", choices=REPORT_FORMATS, default="text", help="the merged report's format")
    merge.add_argument("--output", metavar="PATH", help="write the merged report in --format to PATH")
    merge.add_argument("--junit", metavar="PATH", help="also write the merged report as JUnit XML")
    _add_failures_dir(merge, "where each defect of the whole check saves its minimal counterexample")
    replay = commands.add_parser(
        "replay",
        help="re-run saved failure cases against a handler",
        description="Exit 0: every case is fixed (its file removed unless --keep); 1: some case still fails; "
        "2: usage or environment error. With --emit-pytest, write the cases as a pytest module and exit 0.",
    )
    replay.add_argument("paths", nargs="*", metavar="PATH", help="case files or directories (default: --failures-dir)")
    add_check_options(replay.add_argument, names=REPLAY_OPTIONS)
    _add_failures_dir(replay, "the cases to replay when no PATH is given")
    replay.add_argument("--keep", action="store_true", help="keep the files of fixed cases")
    replay.add_argument("--emit-pytest", metavar="FILE", help="write the cases as a plain pytest module instead")
    clauses = commands.add_parser("clauses", help="list a contract version's clauses")
    option("contract").add_to(clauses.add_argument)
    commands.add_parser("contracts", help="list the contract versions, one line each")
    diff = commands.add_parser(
        "diff",
        help="what changed between two contract versions, for handlers and for readers of the table",
        description="Exit 0 always (a report, not a verdict); 2 for an unknown version.",
    )
    diff.add_argument("old", metavar="A", choices=VERSION_NAMES, help="the earlier version, e.g. v1")
    diff.add_argument("new", metavar="B", choices=VERSION_NAMES, help="the later version, e.g. v2")
    diff.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or JSON")
    docs = commands.add_parser(
        "docs",
        help="write the contract's documentation, a page per version, from the schemas",
        description="Exit 0: written (or, with --check, up to date); 1: with --check, a page differs.",
    )
    docs.add_argument(
        "--out", metavar="DIR", help=f"where the pages go (default, in a checkout of this project: {DEFAULT_DOCS})"
    )
    docs.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a page is not what the schemas produce"
    )
    export = commands.add_parser(
        "export", help="write the stored item's contract for data catalogs (Open Data Contract Standard v3)"
    )
    export.add_argument("--odcs", action="store_true", required=True, help="in ODCS v3 (the one format so far)")
    option("contract").add_to(export.add_argument)
    export.add_argument("--output", metavar="PATH", help="write to PATH instead of stdout")
    validate = commands.add_parser(
        "validate",
        help="validate JSON files (events, items, responses) against a contract schema",
        description="Exit 0: every file is valid; 1: some file breaks the schema; 2: a file is unreadable or not JSON.",
    )
    validate.add_argument(
        "--schema",
        required=True,
        choices=[*VALIDATION_ROLES, *sorted(SCHEMA_FILES)],
        help="a role (event, item, response, claims: the --contract's schema) or a schema's own name",
    )
    option("contract").add_to(validate.add_argument)
    validate.add_argument("files", nargs="+", metavar="FILE", help="JSON documents, one per file")
    token = commands.add_parser("token", help="connect tokens of contract v4 (a JWT in the query parameter token)")
    token_actions = token.add_subparsers(dest="action", required=True, metavar="ACTION")
    mint = token_actions.add_parser(
        "mint",
        help="print a signed token for a client and its accounts",
        description="Print a JWT signed HS256 with the key in --key-file, whose header names --kid: the key of "
        "CONNECT_JWT_KEYS ({kid: secret}) the authorizer verifies it with.",
    )
    mint.add_argument("--kid", required=True, help="the key's id in CONNECT_JWT_KEYS")
    mint.add_argument("--key-file", required=True, metavar="FILE", help="the secret (one final newline is ignored)")
    mint.add_argument("--client-id", required=True, help="the token's sub: the connection's clientId")
    mint.add_argument("--accounts", required=True, metavar="A,B", help="comma-separated 12-digit account ids")
    mint.add_argument("--ttl", required=True, type=positive, metavar="SECONDS", help="seconds until exp")
    localstack = commands.add_parser("localstack", help="provision or run the LocalStack backend")
    actions = localstack.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("install", help="install LocalStack's DynamoDB for offline use (idempotent)")
    actions.add_parser("run", help="run LocalStack in the foreground, for --endpoint reuse; Ctrl-C stops it")
    return parser


def _check(args: argparse.Namespace) -> int:
    from contract_tests.engine import ClauseFinished, Event, plan, run_check
    from contract_tests.progress import Progress, mode_for
    from contract_tests.report import clause_line, header

    request = CheckRequest(**request_values(lambda field: getattr(args, field)))
    _prepare_reports(args)
    terminal = _terminal(args)

    def say(line: str) -> None:
        print(line, file=terminal, flush=True)

    resolved = plan(request)  # the contract, targets and seed, resolved once
    request = resolved.request  # with what a --template named filled in
    say(header(request, resolved.seed, resolved.runtime))

    ci = os.environ.get("CI", "").lower() in ("true", "1")
    progress = Progress(terminal, mode_for(terminal, args.quiet, ci))

    def on_event(event: Event) -> None:
        progress(event)
        if isinstance(event, ClauseFinished):
            say(clause_line(event.result, campaign=request.duration is not None))

    try:
        report = run_check(resolved, on_event)
    finally:
        progress.close()
    _deliver(report, args, say)
    _save_cases(report, args, say)
    return report.exit_status


def _prepare_reports(args: argparse.Namespace) -> None:
    """The report files asked for, checked writable before a check or a merge is spent on them."""
    for flag, path in (("--output", args.output), ("--junit", args.junit)):
        if path:
            prepare(flag, Path(path))


def _terminal(args: argparse.Namespace) -> TextIO:
    """Where the lines for a person go: stderr when the machine-readable report takes stdout."""
    return sys.stderr if args.format != "text" and not args.output else sys.stdout


def _save_cases(report: Report, args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """One case per defect in ``--failures-dir``, for ``replay``."""
    saved = save(cases_of(report), Path(args.failures_dir))
    if saved:
        elsewhere = args.failures_dir if args.failures_dir != str(DEFAULT_FAILURES) else None
        say(
            f"saved {len(saved)} failure case{'s' if len(saved) > 1 else ''} in {args.failures_dir}; "
            f"re-run: {report.request.replay_command(elsewhere)}"
        )


def _deliver(report: Report, args: argparse.Namespace, say: Callable[[str], None]) -> None:
    """The report's failures and verdict said, written in ``--format`` (and ``--junit``) where asked, and
    handed to GitHub Actions when it runs the command."""
    from contract_tests.github import write_github_outputs
    from contract_tests.junit import render_junit
    from contract_tests.report import render_failures, render_text, summary
    from contract_tests.report_json import render_json

    say(render_failures(report))
    say(summary(report))
    rendered = {
        "text": lambda: render_text(report),
        "json": lambda: render_json(report),
        "junit": lambda: render_junit(report),
    }
    if args.output:
        write_text("--output", Path(args.output), rendered[args.format]())
    elif args.format != "text":
        sys.stdout.write(rendered[args.format]())
    if args.junit:
        write_text("--junit", Path(args.junit), rendered["junit"]())
    for line in write_github_outputs(report, os.environ):
        print(line, flush=True)


def _merge(args: argparse.Namespace) -> int:
    from contract_tests.report import clause_line, header
    from contract_tests.report_merge import merge_reports

    _prepare_reports(args)
    report = merge_reports(args.reports)
    terminal = _terminal(args)

    def say(line: str) -> None:
        print(line, file=terminal, flush=True)

    say(header(report.request, report.seed, report.runtime))
    say(f"merged {len(args.reports)} shard reports: {', '.join(args.reports)}")
    for result in report.results:
        say(clause_line(result, campaign=report.request.duration is not None))
    _deliver(report, args, say)
    _save_cases(report, args, say)
    return report.exit_status


def _replay(args: argparse.Namespace) -> int:
    from contract_tests.replay import emit_pytest, replay

    request = CheckRequest(**request_values(lambda field: getattr(args, field), REPLAY_OPTIONS))
    if args.emit_pytest:
        prepare("--emit-pytest", Path(args.emit_pytest))
    saved_dir = Path(args.failures_dir)
    if not args.paths and not any(saved_dir.glob("*.json")):
        # Nothing saved is the state a CI step that replays saved cases meets once everything is fixed.
        print(f"no saved failure cases in {saved_dir}: nothing to replay (a failing check saves them there)")
        return EXIT_CONFORMS
    loaded = load([Path(p) for p in args.paths] or [saved_dir])
    if not loaded:
        raise HarnessError(f"no failure cases in {', '.join(args.paths)}")
    if args.emit_pytest:
        emit_pytest([case for _, case in loaded], request, Path(args.emit_pytest))
        print(f"wrote {len(loaded)} case{'s' if len(loaded) > 1 else ''} to {args.emit_pytest}")
        return EXIT_CONFORMS
    failing = 0
    for result in replay(loaded, request):
        case = result.case
        where = f"{case.contract} {case.clause}"
        if result.fixed:
            print(f"  [fixed] {where}  ({result.path})", flush=True)
            if result.path is not None and not args.keep:
                result.path.unlink(missing_ok=True)
        else:
            failing += 1
            print(f"  [FAIL]  {where}: {result.message}  ({result.path})", flush=True)
    if failing:
        print(f"{failing} of {len(loaded)} saved {'case still fails' if failing == 1 else 'cases still fail'}")
    else:
        print("the saved case is fixed" if len(loaded) == 1 else f"all {len(loaded)} saved cases are fixed")
    if not args.paths:  # the folders the gate made for its cases, once emptied: nothing of them stays behind
        made = [saved_dir, DEFAULT_FAILURES.parent] if saved_dir == DEFAULT_FAILURES else [saved_dir]
        for folder in made:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    return EXIT_VIOLATES if failing else EXIT_CONFORMS


def _in_a_checkout() -> bool:
    """Whether the working directory is in a checkout of this project (its pyproject.toml names it)."""
    for folder in (Path.cwd(), *Path.cwd().parents):
        try:
            metadata = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        return bool(metadata.get("project", {}).get("name") == "connect-contract")
    return False


def _docs(directory: Path, check: bool, out_given: bool) -> int:
    from contract_tests.contract_docs import first_difference, write

    if check and not _in_a_checkout():
        raise HarnessError(
            "docs --check keeps connect-contract's own pages (docs/contract of a checkout of the project) up to"
            " date; this folder is not in one. To read the contract, see its pages; to write them somewhere of"
            " your own: connect-contract docs --out DIR"
        )
    if not check and not out_given and not _in_a_checkout():
        raise HarnessError(
            "docs writes the contract's pages, by default into docs/contract of a checkout of connect-contract;"
            " this folder is not in one: give --out DIR to write them somewhere of your own"
        )
    if check:
        difference = first_difference(directory)
        if difference:
            print(f"connect-contract: {difference}; regenerate with `connect-contract docs --out {directory}`")
            return EXIT_VIOLATES
        print(f"{directory}: up to date")
        return EXIT_CONFORMS
    prepare("--out", directory, folder=True)
    try:
        written = write(directory)
    except OSError as error:
        raise HarnessError(f"--out {directory}: cannot write its pages ({error.strerror or error})") from None
    print(f"wrote {len(written)} pages to {directory}")
    return EXIT_CONFORMS


def _validate(schema: str, files: Sequence[str]) -> int:
    """Every file is read and judged; exit 2 if any was unreadable, else 1 if any was invalid."""
    from contract_tests.contract_schemas import errors

    unreadable = invalid = 0
    for name in files:
        try:
            document = read_json(Path(name))
        except (OSError, InputFileError) as error:
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
    from contract_tests.localstack.install import install
    from contract_tests.localstack.layout import Layout
    from contract_tests.localstack.process import LocalStackProcess

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


def _run(args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(args)
    if args.command == "validate":
        if args.schema in VALIDATION_ROLES:
            from contract_tests.contracts import contract_named

            return _validate(contract_named(args.contract).schema(args.schema), args.files)
        return _validate(args.schema, args.files)
    if args.command == "localstack":
        return _localstack(args.action)
    if args.command == "token":
        return _mint(args)
    if args.command == "replay":
        return _replay(args)
    if args.command == "merge":
        return _merge(args)
    if args.command == "docs":
        return _docs(Path(args.out or DEFAULT_DOCS), args.check, args.out is not None)
    if args.command == "export":
        from contract_tests.contracts import connect_contract_named
        from contract_tests.odcs_export import odcs_document

        document = odcs_document(connect_contract_named(args.contract, "a data contract of the stored item"))
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if args.output:
            write_text("--output", Path(args.output), text)
        else:
            sys.stdout.write(text)
        return EXIT_CONFORMS
    from contract_tests.contracts import CLAUSE_ID_WIDTH, CONTRACTS, EVERY_CONTRACT, contract_named

    if args.command == "clauses":
        for clause in contract_named(args.contract).clauses:
            print(f"{clause.number:>2} {clause.id:<{CLAUSE_ID_WIDTH}} {clause.title}")
    elif args.command == "contracts":
        width = max(len(name) for name in EVERY_CONTRACT)
        for contract in EVERY_CONTRACT.values():
            lineage = f" ({contract.lineage})" if contract.lineage else ""
            print(f"{contract.name:<{width}}  {len(contract.clauses):>2} clauses{lineage}: {contract.summary}")
    else:
        from contract_tests.contract_diff import diff_contracts, render_diff

        print(render_diff(diff_contracts(CONTRACTS[args.old], CONTRACTS[args.new]), args.format))
    return EXIT_CONFORMS


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Both signals unwind like Ctrl-C, so started servers and created tables are cleaned up; SIGINT
    # is set explicitly because a shell without job control starts background commands ignoring it.
    stops = StopSignals()
    stops.install()
    try:
        return _run(args)
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
        stops.uninstall()
