"""Handlers out of process: Lambda's failure semantics as verdicts, Node.js twins, custom runtimes, own interpreters."""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests.process_tree import alive, descendants, marked
from contract_tests.runtimes.out_of_process import INSTANCE_MARK
from contract_tests.tests.conftest import (
    HANDLERS,
    RunningBackend,
    caught_clause,
    clause_options,
    sampled_on_other_backends,
)

TEST_TAG = "CONNECT_CONTRACT_TEST"
HOSTILE = HANDLERS / "hostile"
NODE = HANDLERS / "nodejs"
NODE_WRONG = sorted((NODE / "wrong").glob("*.*js"))


@pytest.fixture
def no_survivors() -> Iterator[list[str]]:
    """``--env`` arguments that tag every process a check starts for the handler; after the test none may run.

    The tag is inherited by whatever the handler starts, even a daemon that left the process tree,
    and is this test's own, so other checks running on the machine do not count.
    """
    token = uuid.uuid4().hex
    before = {pid for pid in descendants(os.getpid()) if alive(pid)}
    yield ["--env", f"{TEST_TAG}={token}"]
    left = [pid for pid in descendants(os.getpid()) if alive(pid) and pid not in before]
    assert left == [], f"processes left behind: {left}"
    tagged = [pid for pid in marked(TEST_TAG, token) if alive(pid)]
    assert tagged == [], f"processes of the handler still running: {tagged}"


# ---- Lambda's failure semantics ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "argv", "message"),
    [
        ("exits_without_answering", [], "Runtime exited without providing a reason"),
        ("kills_itself", [], "Runtime exited with error: signal: killed"),
        ("never_answers", ["--timeout", "1"], "Task timed out after 1.00 seconds"),
        ("writes_late", ["--timeout", "1"], "Task timed out after 1.00 seconds"),
        # A loaded machine may take over Lambda's default 3 s to touch 256 MB: the verdict is the memory's.
        (
            "hungry",
            ["--memory", "256", "--timeout", "30"],
            "Runtime.OutOfMemory: the function used more than its 256 MB",
        ),
    ],
)
def test_a_hostile_handler_gets_lambdas_verdict(
    run_cli: Any, backend: RunningBackend, no_survivors: list[str], name: str, argv: list[str], message: str
) -> None:
    handler = f"{HOSTILE / name}.py:handler"
    extra = [*argv, *no_survivors, "--clause", "item"]
    result = run_cli("check", "--handler", handler, *backend.cli_args, "--examples", "5", *extra)
    assert result.status == 1, result.out + result.err
    assert result.failed_clauses == ["item"]
    assert message in result.out.split("FAILURES", 1)[1].splitlines()[2]
    assert result.err == ""


def test_a_handler_that_leaves_children_is_judged_on_its_answer_and_its_children_end(
    run_cli: Any, no_survivors: list[str]
) -> None:
    """The whole contract (every way a clause starts and ends environments) on the default backend: what
    ends the children is the environment's end, the same on every backend (the hostile handlers above
    run on each)."""
    handler = f"{HOSTILE / 'spawns_children.py'}:handler"
    result = run_cli("check", "--handler", handler, "--examples", "10", *no_survivors)
    assert result.status == 0, result.out + result.err


def test_a_never_answering_handler_costs_one_time_out_not_one_per_example(run_cli: Any) -> None:
    handler = f"{HOSTILE / 'never_answers.py'}:handler"
    result = run_cli("check", "--handler", handler, "--examples", "10", "--timeout", "1")
    assert result.status == 1
    assert result.failed_clauses == ["response"]
    assert "(1 example," in result.out.splitlines()[1]
    assert result.out.count("the handler times out on a valid connect, so every connect fails") == 7


def test_an_instance_mark_finds_a_detached_process() -> None:
    """The mark survives setsid and a dead parent, where the process tree loses the process."""
    probe = uuid.uuid4().hex
    environment = {**os.environ, INSTANCE_MARK: probe}
    child = subprocess.Popen(["sleep", "30"], env=environment, start_new_session=True)
    try:
        # Popen returns once exec has begun; the kernel shows the new environment a moment later.
        deadline = time.monotonic() + 5
        while child.pid not in marked(INSTANCE_MARK, probe) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.pid in marked(INSTANCE_MARK, probe)
    finally:
        child.kill()
        child.wait()


# ---- Node.js handlers, the same verdicts as their Python twins ---------------------------------


@pytest.mark.handler_variant
@pytest.mark.usefixtures("node_modules")
@pytest.mark.parametrize("name", ["correct_esm.mjs", "correct_callback.cjs"])
def test_correct_node_handlers_conform(
    run_cli: Any, backend: RunningBackend, no_survivors: list[str], name: str
) -> None:
    # elsewhere than moto: what the SDK for JavaScript stores, and how it meets the backend's errors
    asked = backend.conforming_clauses("v1", ("storage-failure",))
    argv = ["--handler", f"{NODE / name}:handler", *backend.cli_args, *no_survivors, *clause_options(asked)]
    argv += ["--examples", backend.conforming_examples(25)]
    result = run_cli("check", *argv)
    assert result.status == 0, result.out + result.err
    assert "(nodejs runtime)" in result.out
    checked = len(asked) or 8
    assert f"contract: {checked} of 8 clauses checked: {checked} passed, 0 failed" in result.out


@pytest.mark.usefixtures("node_modules")
@pytest.mark.wrong_handler_matrix(sampled_on_other_backends(NODE_WRONG))
@pytest.mark.parametrize("path", NODE_WRONG, ids=lambda p: p.stem)
def test_wrong_node_handlers_fail_like_their_python_twins(run_cli: Any, backend: RunningBackend, path: Path) -> None:
    clause = caught_clause(path)
    twin = HANDLERS / "wrong" / f"{path.stem}.py"
    verdicts = []
    for handler in (path, twin):
        argv = ["--handler", f"{handler}:handler", *backend.cli_args, "--examples", "20", "--clause", clause]
        result = run_cli("check", *argv, "--seed", "5")
        assert result.status == 1, result.out + result.err
        verdicts.append((result.failed_clauses, re.search(rf"^clause \d+ {clause}: ([^:(]+)", result.out, re.M)))
    (node_failed, node_message), (python_failed, python_message) = verdicts
    assert node_failed == python_failed == [clause]
    assert node_message is not None and python_message is not None
    assert node_message.group(1) == python_message.group(1)


@pytest.mark.usefixtures("node_modules")
def test_lambda_notation_finds_a_javascript_file(run_cli: Any) -> None:
    result = run_cli("check", "--handler", "correct_esm.handler", "--code-dir", str(NODE), "--clause", "response")
    assert result.status == 0, result.out + result.err
    assert "(nodejs runtime)" in result.out


def test_lambda_notation_reads_the_file_and_the_function_as_lambdas_node_runtime_does(
    run_cli: Any, tmp_path: Path
) -> None:
    """The file's name ends at the first dot of the last part; the rest is a path among its exports."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.mjs").write_text(
        'export const routes = { connect: async () => ({ statusCode: 200, body: "connected" }) };\n'
    )
    argv = ["--code-dir", str(tmp_path), "--clause", "response", "--examples", "3"]
    nested = run_cli("check", "--handler", "src/index.routes.connect", *argv)
    assert nested.status == 0, nested.out + nested.err
    assert "(nodejs runtime)" in nested.out
    missing = run_cli("check", "--handler", "src/index.routes.disconnect", *argv)
    assert missing.status == 2 and "module has no function 'routes.disconnect'" in missing.err


@pytest.mark.parametrize("name", ["index.mjs", "index.cjs"])
def test_a_node_function_finds_its_layers_packages_as_on_lambda(run_cli: Any, tmp_path: Path, name: str) -> None:
    """A layer's nodejs/node_modules is on NODE_PATH, for ES modules too; the later layer wins."""
    for layer, answer in (("first", "not the last layer's"), ("last", "connected")):
        package = tmp_path / layer / "nodejs" / "node_modules" / "connect-answer"
        package.mkdir(parents=True)
        (package / "package.json").write_text('{"name": "connect-answer", "main": "index.js"}')
        (package / "index.js").write_text(f'exports.answer = {{ statusCode: 200, body: "{answer}" }};\n')
    (tmp_path / "code").mkdir()
    imported = (
        'import { answer } from "connect-answer";'
        if name.endswith("mjs")
        else ('const { answer } = require("connect-answer");')
    )
    exported = "export const handler" if name.endswith("mjs") else "exports.handler"
    (tmp_path / "code" / name).write_text(f"{imported}\n{exported} = async () => answer;\n")
    argv = ["--layer", str(tmp_path / "first"), "--layer", str(tmp_path / "last")]
    result = run_cli(
        "check", "--handler", f"{tmp_path / 'code' / name}:handler", *argv, "--clause", "response", "--examples", "3"
    )
    assert result.status == 0, result.out + result.err


@pytest.mark.usefixtures("node_modules")
def test_a_node_init_error_is_a_verdict(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "app.mjs").write_text(
        "const table = process.env.TABLE_NAME.trim();\nexport const handler = async () => table;\n"
    )
    result = run_cli("check", "--handler", f"{tmp_path}/app.mjs:handler", "--examples", "5")
    assert result.status == 1, result.out + result.err
    assert "every connect fails): TypeError: Cannot read properties of undefined" in result.out


# ---- custom runtimes, own interpreters, bad input ----------------------------------------------

BOOTSTRAP = """#!/bin/sh
# A custom runtime in shell: answers every connect, stores nothing.
while true; do
  headers=$(mktemp)
  curl -sS -D "$headers" -o /dev/null "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
  id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
  rm -f "$headers"
  echo "connect $id"
  curl -sS -o /dev/null -X POST -d '{"statusCode": 200, "body": "connected"}' \\
    "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$id/response"
done
"""


def test_a_custom_runtime_speaks_the_api_itself(run_cli: Any, tmp_path: Path, no_survivors: list[str]) -> None:
    bootstrap = tmp_path / "bootstrap"
    bootstrap.write_text(BOOTSTRAP)
    bootstrap.chmod(0o755)
    argv = ["--handler", "function.handler", "--code-dir", str(tmp_path), "--runtime", "provided", "--examples", "5"]
    argv += no_survivors
    answered = run_cli("check", *argv, "--clause", "response")
    assert answered.status == 0, answered.out + answered.err
    stored = run_cli("check", *argv, "--clause", "item")
    assert stored.status == 1
    assert "expected exactly one stored item, found 0" in stored.out
    assert '"connect ' in stored.out  # its own output, in the report


def test_a_handler_runs_under_its_own_interpreter(
    run_cli: Any, old_boto3: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Named by a path relative to where the gate runs, not to the code folder its processes start in (a
    relative path once answered exit 2 whenever --code-dir named another folder), and not resolved to the
    interpreter the virtualenv links to. The reference's whole contract under that interpreter is
    test_sandbox.py's (boto3 1.26 conforms)."""
    code, work = tmp_path / "function", tmp_path / "project" / "tests"  # not as deep: the path means another file
    code.mkdir()
    work.mkdir(parents=True)
    (code / "version.py").write_text(
        "import boto3\ndef handler(event, context):\n    print('boto3', boto3.__version__)\n    return None\n"
    )
    monkeypatch.chdir(work)
    interpreter = os.path.relpath(old_boto3, work)
    argv = ["--handler", "version.handler", "--code-dir", str(code), "--interpreter", interpreter]
    probe = run_cli("check", *argv, "--clause", "response")
    assert "boto3 1.26.165" in probe.out, probe.out + probe.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--handler", "reference_impl.handler:lambda_handler", "--runtime", "nodejs"], "runs nodejs handlers"),
        (["--handler", f"{NODE / 'correct_esm.mjs'}:handler", "--runtime", "inprocess"], "runs python handlers"),
        (["--handler", "function.handler", "--runtime", "provided"], "is not an executable file (--code-dir names"),
        (["--handler", "reference_impl.handler:lambda_handler", "--interpreter", "/no/python"], "no such program"),
        (
            ["--handler", f"{NODE / 'correct_esm.mjs'}:nothing"],
            "module has no function 'nothing' (it exports the functions handler)",
        ),
        (["--handler", "reference_impl.handler:lambda_handler", "--env", "not-a-name=1"], "is not NAME=VALUE"),
        (["--handler", "reference_impl.handler:lambda_handler", "--memory", "64"], "from 128 to 10240"),
    ],
    ids=[
        "node-for-python",
        "inprocess-for-js",
        "provided-without-dir",
        "interpreter",
        "node-function",
        "env",
        "memory",
    ],
)
def test_runtime_usage_errors_exit_2(run_cli: Any, argv: list[str], message: str) -> None:
    result = run_cli("check", *argv, "--examples", "5")
    assert result.status == 2, result.out + result.err
    assert message in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("handler", "answer", "message"),
    [
        ("reference_impl.handler:lambda_handler", "", "not a Python interpreter the python runtime can use"),
        ("reference_impl.handler:lambda_handler", '["3.8", []]', "is Python 3.8; the python runtime runs 3.9"),
        ("reference_impl.handler:lambda_handler", "5", "not a Python interpreter the python runtime"),
        (f"{NODE / 'correct_esm.mjs'}:handler", "", "is not Node.js (asked its version, it answered ''"),
        (f"{NODE / 'correct_esm.mjs'}:handler", "16.20.2", "is Node.js 16.20.2; JavaScript handlers need"),
    ],
    ids=["no-python", "python-3.8", "not-its-answer", "no-node", "node-16"],
)
def test_an_interpreter_the_runtime_cannot_use_is_a_usage_error(
    run_cli: Any, tmp_path: Path, handler: str, answer: str, message: str
) -> None:
    """Not a verdict on the handler (exit 1, as /bin/sh or a Python 3.6 once got): the check cannot start it."""
    interpreter = tmp_path / "interpreter"
    interpreter.write_text(f"#!/bin/sh\nprintf '%s' '{answer}'\n")
    interpreter.chmod(0o755)
    argv = ["--handler", handler, "--interpreter", str(interpreter), "--clause", "response", "--examples", "1"]
    result = run_cli("check", *argv)
    assert result.status == 2, result.out + result.err
    assert result.err.startswith(f"connect-contract: error: --interpreter {str(interpreter)!r}"), result.err
    assert message in result.err and "[FAIL]" not in result.out


@pytest.mark.parametrize("handler", ["reference_impl.handler:lambda_handler", f"{NODE / 'correct_esm.mjs'}:handler"])
def test_an_interpreter_that_cannot_answer_is_quoted_saying_why(run_cli: Any, tmp_path: Path, handler: str) -> None:
    """A version manager's shim for a version it does not have selected fails before it runs anything: its
    complaint, not only that the answer was unreadable, is what tells the user what to do."""
    shim = tmp_path / "python3.12"
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\necho >&2\necho 'more' >&2\nexit 127\n")
    shim.chmod(0o755)
    for sandbox in ("on", "off"):
        argv = ["--handler", handler, "--interpreter", str(shim), "--sandbox", sandbox, "--clause", "response"]
        result = run_cli("check", *argv)
        assert result.status == 2, result.out + result.err
        assert "; it said 'pyenv: python3.12: command not found')" in result.err, result.err


@pytest.mark.parametrize("runtime", ["python", "inprocess", "nodejs"])
def test_a_function_runs_in_its_task_root(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runtime: str
) -> None:
    """Lambda starts a function in its task root: a file shipped with the code opens by a relative path
    (in process, the gate's own working directory was the function's: FileNotFoundError, every connect)."""
    code = tmp_path / "function"
    code.mkdir()
    (code / "answer.json").write_text('{"statusCode": 200, "body": "connected"}')
    (code / "app.py").write_text(
        "import json, os\nANSWER = json.load(open('answer.json'))\n"
        "def handler(event, context):\n"
        "    assert os.getcwd() == os.environ['LAMBDA_TASK_ROOT']\n"
        "    return json.load(open('answer.json'))\n"
    )
    (code / "app.mjs").write_text(
        'import { readFileSync } from "node:fs";\n'
        'const answer = () => JSON.parse(readFileSync("answer.json", "utf8"));\n'
        "answer();\nexport const handler = async () => {\n"
        "  if (process.cwd() !== process.env.LAMBDA_TASK_ROOT) throw new Error(process.cwd());\n"
        "  return answer();\n};\n"
    )
    monkeypatch.chdir(tmp_path)
    handler = f"{code / 'app.mjs'}:handler" if runtime == "nodejs" else "app.handler"
    argv = ["--handler", handler, "--code-dir", str(code), "--runtime", runtime, "--clause", "response"]
    result = run_cli("check", *argv, "--examples", "2")
    assert result.status == 0, result.out + result.err


def test_the_functions_own_configuration_reaches_it(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "configured.py").write_text(
        "import os\ndef handler(event, context):\n"
        "    assert os.environ['FEATURE'] == 'on=1' and os.environ['TZ'] == ':UTC', dict(os.environ)\n"
        "    return {'statusCode': 200, 'body': 'connected'}\n"
    )
    argv = ["--handler", f"{tmp_path}/configured.py:handler", "--clause", "response", "--examples", "5"]
    assert run_cli("check", *argv, "--env", "FEATURE=on=1").status == 0
    assert run_cli("check", *argv).status == 1


@pytest.mark.parametrize("runtime", ["python", "inprocess"])
def test_an_answer_is_written_as_lambdas_python_runtime_writes_it(run_cli: Any, tmp_path: Path, runtime: str) -> None:
    """A Decimal (a Number read through boto3's resource API) is a number; what JSON cannot hold is the
    runtime's Runtime.MarshalError, not the handler's own exception."""
    answers = {
        "number.py": 'Decimal("200"), "body": "connected"',
        "date_answer.py": '200, "body": datetime.date(2026, 1, 1)',
    }
    for name, answer in answers.items():
        (tmp_path / name).write_text(
            f"import datetime\nfrom decimal import Decimal\n\n\ndef handler(event, context):\n"
            f"    return {{'statusCode': {answer}}}\n"
        )
    argv = ("--runtime", runtime, "--clause", "response", "--examples", "5")
    assert run_cli("check", "--handler", f"{tmp_path}/number.py:handler", *argv).status == 0
    refused = run_cli("check", "--handler", f"{tmp_path}/date_answer.py:handler", *argv)
    assert refused.status == 1, refused.out + refused.err
    assert "Runtime.MarshalError: Unable to marshal response: Object of type date is not JSON" in refused.out


TRACE_HEADER = r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0"
TRACED = {
    "app.py": (
        "import os, re\n\n\ndef handler(event, context):\n"
        '    trace = os.environ.get("_X_AMZN_TRACE_ID", "none")\n'
        f'    return {{"statusCode": 200, "body": "connected" if re.fullmatch(r"{TRACE_HEADER}", trace) else trace}}\n'
    ),
    "app.mjs": (
        "export const handler = async () => {\n"
        '  const trace = process.env._X_AMZN_TRACE_ID ?? "none";\n'
        f'  return {{ statusCode: 200, body: /^{TRACE_HEADER}$/.test(trace) ? "connected" : trace }};\n'
        "};\n"
    ),
}


@pytest.mark.parametrize(("name", "runtime"), [("app.py", "python"), ("app.py", "inprocess"), ("app.mjs", "nodejs")])
def test_each_invocation_has_its_trace_header_as_on_lambda(
    run_cli: Any, tmp_path: Path, name: str, runtime: str
) -> None:
    """The X-Ray SDK (Powertools' Tracer) reads the invocation's trace from ``_X_AMZN_TRACE_ID``."""
    (tmp_path / name).write_text(TRACED[name])
    argv = ["--handler", f"{tmp_path / name}:handler", "--runtime", runtime, "--clause", "response", "--examples", "5"]
    result = run_cli("check", *argv)
    assert result.status == 0, result.out + result.err


@pytest.mark.parametrize("runtime", ["python", "inprocess"])
def test_a_check_writes_no_bytecode_beside_the_handler(run_cli: Any, tmp_path: Path, runtime: str) -> None:
    """The README promises a check writes nothing into the user's folders; uncontained, the handler's
    interpreter would write __pycache__ beside it (on Lambda the task root is read-only)."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "helper.py").write_text("PREFIX = 'ok'\n")
    (code / "app.py").write_text(
        "import helper\n\ndef handler(event, context):\n    return {'statusCode': 200, 'body': 'connected'}\n"
    )
    argv = ["--handler", "app.handler", "--code-dir", str(code), "--runtime", runtime, "--sandbox", "off"]
    result = run_cli("check", *argv, "--clause", "response", "--examples", "2")
    assert result.status == 0, result.out + result.err
    assert sorted(p.name for p in code.iterdir()) == ["app.py", "helper.py"]


@pytest.mark.parametrize("runtime", ["python", "inprocess"])
@pytest.mark.parametrize(
    ("code", "named"),
    [
        ("import module_nobody_installed\n", "Runtime.ImportModuleError: ModuleNotFoundError: No module named"),
        ("def handler(event, context)\n    return 1\n", "Runtime.UserCodeSyntaxError: SyntaxError:"),
        ("import os\nTABLE = os.environ['TABLE_NAME']\n", "every connect fails): KeyError: 'TABLE_NAME'"),
    ],
    ids=["import", "syntax", "exception"],
)
def test_an_init_error_is_named_as_lambda_names_it(
    run_cli: Any, tmp_path: Path, runtime: str, code: str, named: str
) -> None:
    (tmp_path / "app.py").write_text(code + "\ndef handler(event, context):\n    return None\n")
    argv = ["--handler", f"{tmp_path}/app.py:handler", "--runtime", runtime, "--clause", "response"]
    result = run_cli("check", *argv, "--examples", "2")
    assert result.status == 1, result.out + result.err
    assert named in result.out, result.out


@pytest.mark.usefixtures("node_modules")
def test_a_node_module_not_found_at_init_is_lambdas_import_error(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "app.mjs").write_text("import 'package-nobody-installed';\nexport const handler = async () => 1;\n")
    result = run_cli("check", "--handler", f"{tmp_path}/app.mjs:handler", "--clause", "response", "--examples", "2")
    assert result.status == 1, result.out + result.err
    assert "Runtime.ImportModuleError: Error: Cannot find package 'package-nobody-installed'" in result.out, result.out


CONNECTED = '{ statusCode: 200, body: "connected" }'
#: How Lambda's Node.js runtime (18 to 22) takes a handler's answer: a handler, what it answers.
NODE_ANSWERS = {
    "async-declaring-an-unused-callback": (
        f"export const handler = async (event, context, callback) => ({CONNECTED});",
        "",
    ),
    "async-calling-its-callback-then-resolving": (
        f"export const handler = async (event, context, callback) => {{ callback(null, {CONNECTED}); }};",
        "",
    ),
    "context-succeed": (f"export function handler(event, context) {{ context.succeed({CONNECTED}); }}", ""),
    "context-done": (f"export function handler(event, context) {{ context.done(null, {CONNECTED}); }}", ""),
    # The callback's answer leaves once the event loop is empty: what the handler did to it meanwhile counts.
    "callback-answer-sent-once-the-loop-is-empty": (
        "export function handler(event, context, callback) {\n"
        '  const answer = { statusCode: 500, body: "not yet" };\n'
        "  callback(null, answer);\n"
        '  setTimeout(() => Object.assign(answer, { statusCode: 200, body: "connected" }), 50);\n'
        "}",
        "",
    ),
    "callback-not-waiting-for-a-timer-left-running": (
        "setInterval(() => {}, 1000);\n"
        "export function handler(event, context, callback) {\n"
        "  context.callbackWaitsForEmptyEventLoop = false;\n"
        f"  callback(null, {CONNECTED});\n"
        "}",
        "",
    ),
    "value-returned-by-a-handler-not-async": (
        f"export function handler(event) {{ return {CONNECTED}; }}",
        "returned null",
    ),
    "callback-waiting-for-a-timer-left-running": (
        "setInterval(() => {}, 1000);\n"
        f"export const handler = (event, context, callback) => callback(null, {CONNECTED});",
        "Task timed out after 2.00 seconds",
    ),
    "async-promise-that-never-settles": (
        "export const handler = async () => new Promise(() => {});",
        "Runtime.NodeJsExit: Runtime exited without providing a reason",
    ),
}


@pytest.mark.parametrize(("source", "refused"), NODE_ANSWERS.values(), ids=NODE_ANSWERS)
def test_a_node_handler_answers_as_lambdas_runtime_takes_it(
    run_cli: Any, tmp_path: Path, source: str, refused: str
) -> None:
    (tmp_path / "app.mjs").write_text(source + "\n")
    argv = ["--handler", f"{tmp_path}/app.mjs:handler", "--clause", "response", "--examples", "3", "--timeout", "2"]
    result = run_cli("check", *argv)
    assert result.status == (1 if refused else 0), result.out + result.err
    assert refused in result.out


def test_a_line_printed_after_the_only_answer_is_in_the_settled_output(tmp_path: Path) -> None:
    """A timer that logs 300 ms after the last answer outlasts 200 ms of quiet; the linger since that
    answer still waits for it (before, a clause whose examples ran fast ended before such a line came)."""
    from contract_tests.runtimes import RuntimeOptions, make_runtime
    from contract_tests.session.environments import LATE_OUTPUT_LIMIT_S, LATE_OUTPUT_LINGER_S, LATE_OUTPUT_QUIET_S
    from contract_tests.targets import parse_target

    handler = tmp_path / "late.py"
    handler.write_text(
        "import threading\n\n"
        "def handler(event, context):\n"
        "    threading.Timer(0.3, print, args=('late line',), kwargs={'flush': True}).start()\n"
        "    return {'statusCode': 200}\n"
    )
    runtime = make_runtime("python", parse_target(f"{handler}:handler", None), RuntimeOptions())
    instance = runtime.start(runtime.lambda_variables("us-east-1"))
    try:
        assert instance.invoke({}, 5).error is None
        assert "late line" not in instance.output()
        instance.settle(LATE_OUTPUT_QUIET_S, LATE_OUTPUT_LINGER_S, LATE_OUTPUT_LIMIT_S)
        assert "late line" in instance.output()
    finally:
        instance.stop()


def test_fresh_environments_start_a_spare_behind_only_while_more_follow() -> None:
    """Clauses using many environments get the next one started while this one is in use; the last one
    asked for starts none behind it (a start is a process and ~0.2 core-s of the function's imports)."""
    from types import SimpleNamespace

    from contract_tests.session.environments import Environment, EnvironmentPool

    started: list[Environment] = []

    def start() -> Environment:
        instance: Any = SimpleNamespace(alive=True, stop=lambda: None)
        started.append(Environment(instance, None, [], {}, 3.0))
        return started[-1]

    pool = EnvironmentPool(start_ahead=True)
    try:
        used = [pool.fresh(start), pool.fresh(start), pool.fresh(start, more=False)]
    finally:
        pool.close()
    assert len(started) == 3
    assert sorted(map(id, used)) == sorted(map(id, started))
