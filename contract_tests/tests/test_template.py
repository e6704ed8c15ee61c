"""``--template``: a stack checked as its SAM template deploys it (routes, functions, variables, the
authorizer in front of `$connect`), and what the gate says of a template it cannot read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from contract_tests.errors import HarnessError
from contract_tests.runtimes.deployed_python import GATE_VERSION, installed_beside, numbers
from contract_tests.runtimes.runtime_sdk import python_sdk_oldest
from contract_tests.sam_template import read_stack
from contract_tests.targets import parse_target
from contract_tests.tests.conftest import HANDLERS, ROOT, installed_pythons, python_stack

pytestmark = pytest.mark.contract_versions

TEMPLATE = ROOT / "template.yaml"


def test_the_projects_own_template_reads_as_deployed() -> None:
    stack = read_stack(str(TEMPLATE))
    assert sorted(stack.routes) == ["$connect", "$disconnect", "heartbeat"]
    assert {function.name for function in stack.routes.values()} == {
        "ConnectFunction",
        "DisconnectFunction",
        "HeartbeatFunction",
    }
    connect = stack.routes["$connect"]
    assert connect.target == f"{ROOT / 'reference_impl' / 'handler.py'}:lambda_handler_v5"
    assert connect.table_variables == ("CONNECTIONS_TABLE",)
    assert connect.variables == {"CONNECTION_TTL_SECONDS": "7200"}  # the parameter's Default
    assert stack.authorizer is not None and stack.authorizer.target.endswith("authorizer.py:lambda_handler")
    assert stack.authorizer.variables == {}  # its key ring is the gate's, as the issuer
    assert (connect.timeout_s, connect.memory_mb) == (3.0, 1024)
    assert (stack.authorizer.timeout_s, stack.authorizer.memory_mb) == (3.0, 256)


def test_the_projects_stack_conforms_to_v5_end_to_end(run_cli: Any) -> None:
    """Three functions, each its own environments, the reference authorizer in front of `$connect`."""
    result = run_cli("check", "--template", str(TEMPLATE), "--contract", "v5", "--examples", "10", "--format", "json")
    assert result.status == 0, result.out + result.err
    report = json.loads(result.out)
    request = report["request"]
    assert request["authorizer"].endswith("reference_impl/authorizer.py:lambda_handler")
    assert set(request["routes"]) == {"$disconnect", "heartbeat"}
    assert request["template"] == str(TEMPLATE)
    assert request["table_variables"] == ["CONNECTIONS_TABLE"]
    authentication = next(clause for clause in report["clauses"] if clause["id"] == "authentication")
    assert authentication["examples"] > 30  # the forged handshakes went through the template's authorizer
    failing = [clause["id"] for clause in report["clauses"] if clause["status"] == "failed"]
    assert failing == []


def _template(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(body))
    return path


RUNTIME = "Runtime: nodejs20.x"
NODE_STACK = """
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Ttl:
        Type: Number
        Default: 3600
    Globals:
      Function:
        Runtime: nodejs20.x
        Environment:
          Variables:
            TABLE_NAME: !Ref Connections
            CONNECTION_TTL_SECONDS: !Ref Ttl
    Resources:
      Connections:
        Type: AWS::DynamoDB::Table
      Api:
        Type: AWS::ApiGatewayV2::Api
      Connect:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: {code}
          Handler: correct_table_name.handler
      Integration:
        Type: AWS::ApiGatewayV2::Integration
        Properties:
          IntegrationUri: !Sub "arn:aws:apigateway:${{AWS::Region}}:lambda:path/functions/${{Connect.Arn}}/invocations"
      Route:
        Type: AWS::ApiGatewayV2::Route
        Properties:
          RouteKey: $connect
          Target: !Join ["/", ["integrations", !Ref Integration]]
"""


def test_globals_a_join_target_and_a_node_function(tmp_path: Path) -> None:
    code = tmp_path / "src"
    code.mkdir()
    (code / "correct_table_name.mjs").write_text("export const handler = async () => ({});\n")
    stack = read_stack(str(_template(tmp_path, NODE_STACK.format(code="src/"))))
    connect = stack.routes["$connect"]
    assert (connect.runtime, connect.target) == ("nodejs20.x", f"{code / 'correct_table_name.mjs'}:handler")
    assert connect.table_variables == ("TABLE_NAME",)
    assert connect.variables == {"CONNECTION_TTL_SECONDS": "3600"}
    assert stack.authorizer is None


def test_a_node_handler_is_read_as_lambdas_node_runtime_reads_it(tmp_path: Path) -> None:
    """``routes/index.handlers.connect``: the file ``routes/index``, the function ``handlers.connect``."""
    (tmp_path / "src" / "routes").mkdir(parents=True)
    (tmp_path / "src" / "routes" / "index.mjs").write_text("export const handlers = { connect: async () => ({}) };\n")
    body = NODE_STACK.format(code="src/").replace("correct_table_name.handler", "routes/index.handlers.connect")
    connect = read_stack(str(_template(tmp_path, body))).routes["$connect"]
    assert connect.target == f"{tmp_path / 'src' / 'routes' / 'index.mjs'}:handlers.connect"
    assert parse_target(connect.target).lambda_handler_setting == "index.handlers.connect"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--template", "missing.yaml"], "--template missing.yaml: cannot read it"),
        (["--template", str(TEMPLATE), "--handler", "x.py:handler"], "drop --handler"),
        (["--contract", "v5"], "--handler TARGET is required (or --template PATH"),
    ],
    ids=["unreadable", "with-handler", "neither"],
)
def test_template_usage_errors_exit_2(run_cli: Any, argv: list[str], message: str) -> None:
    result = run_cli("check", *argv)
    assert result.status == 2, result.out + result.err
    assert message in result.err
    assert "Traceback" not in result.err


def test_a_stack_without_a_route_the_contract_binds_is_a_usage_error(run_cli: Any, tmp_path: Path) -> None:
    code = tmp_path / "src"
    code.mkdir()
    (code / "correct_table_name.mjs").write_text("export const handler = async () => ({});\n")
    path = _template(tmp_path, NODE_STACK.format(code="src/"))
    result = run_cli("check", "--template", str(path), "--contract", "v5")
    assert result.status == 2, result.out + result.err
    assert "no route $disconnect, which contract v5 binds" in result.err


def test_the_authorizer_contract_checks_the_templates_authorizer(run_cli: Any, tmp_path: Path) -> None:
    """``--contract authorizer --template`` is the REQUEST authorizer in front of `$connect`, not `$connect`'s
    handler; a stack without one is a usage error."""
    result = run_cli("check", "--contract", "authorizer", "--template", str(TEMPLATE), "--examples", "5")
    assert result.status == 0, result.out + result.err
    assert "reference_impl/authorizer.py:lambda_handler" in result.out.splitlines()[0]
    code = tmp_path / "src"
    code.mkdir()
    (code / "correct_table_name.mjs").write_text("export const handler = async () => ({});\n")
    path = _template(tmp_path, NODE_STACK.format(code="src/"))
    result = run_cli("check", "--template", str(path), "--contract", "authorizer")
    assert result.status == 2, result.out + result.err
    assert "no REQUEST authorizer in front of $connect, which contract authorizer binds" in result.err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("Handler: correct_table_name.handler", "Handler: nowhere.handler"), "Connect: no "),
        (("Runtime: nodejs20.x", "Runtime: java21"), "runtime 'java21' is not one the gate runs"),
        (("Default: 3600", "Description: none"), "CONNECTION_TTL_SECONDS is !Ref Ttl, which has no Default"),
        (("RouteKey: $connect", "RouteKey: $default"), "no AWS::ApiGatewayV2::Route with RouteKey $connect"),
        (
            ("Runtime: nodejs20.x", "Runtime: nodejs20.x\n        Timeout: !Ref Ttl"),
            "Timeout 3600 is outside Lambda's 1-900",
        ),
        (
            ("Runtime: nodejs20.x", "Runtime: nodejs20.x\n        MemorySize: 64"),
            "MemorySize 64 is outside Lambda's 128-10240",
        ),
        (("Runtime: nodejs20.x", "Runtime: nodejs20.x\n        Timeout: soon"), "Timeout 'soon' is not a whole number"),
        (("CodeUri: src/", "CodeUri: s3://artifacts/connect.zip"), "its code is in no local folder"),
    ],
    ids=[
        "no-code",
        "runtime",
        "parameter-without-default",
        "no-connect-route",
        "timeout",
        "memory",
        "not-a-number",
        "code-in-s3",
    ],
)
def test_what_a_template_lacks_is_said_precisely(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    code = tmp_path / "src"
    code.mkdir()
    (code / "correct_table_name.mjs").write_text("export const handler = async () => ({});\n")
    path = _template(tmp_path, NODE_STACK.format(code="src/").replace(*change))
    with pytest.raises(HarnessError, match="--template .*" + message.replace("$", r"\$").replace("(", r"\(")):
        read_stack(str(path))


def test_a_template_stack_replays_with_the_template(run_cli: Any, tmp_path: Path, failures_dir: Path) -> None:
    """The reproduce and replay commands name the template, never the functions it names."""
    wrong = HANDLERS / "wrong" / "item_created_seconds.py"
    path = python_stack(tmp_path, wrong.parent, f"{wrong.stem}.handler")
    argv = ["--template", str(path), "--clause", "item", "--examples", "5", "--failures-dir", str(failures_dir)]
    result = run_cli("check", *argv)
    assert result.status == 1, result.out + result.err
    reproduce = result.out.split("reproduce:")[1].splitlines()[0]
    assert f"--template {path}" in reproduce and "--handler" not in reproduce
    assert "re-run: connect-contract replay --template" in result.out


#: The reference answering 1.2 s late.
SLOWER = """

def slow_handler(event, context):
    time.sleep(1.2)
    return lambda_handler(event, context)
"""


def test_a_function_is_checked_with_its_deployed_timeout_and_memory(run_cli: Any, tmp_path: Path) -> None:
    """A stack's function runs with its own Timeout and MemorySize (Globals' where it sets none), not the
    gate's defaults: here one that answers after 1.2 s times out as deployed with 1 s; --timeout overrides."""
    (tmp_path / "slow.py").write_text((ROOT / "reference_impl" / "handler.py").read_text() + SLOWER)
    globals_ = "Globals:\n      Function:\n        MemorySize: 512"
    path = python_stack(tmp_path, tmp_path, "slow.slow_handler", globals_, "\n          Timeout: 1")
    argv = ["--template", str(path), "--clause", "response", "--examples", "2", "--format", "json"]
    deployed = run_cli("check", *argv)
    assert deployed.status == 1, deployed.out + deployed.err
    assert "Task timed out after 1.00 seconds" in deployed.out
    request = json.loads(deployed.out)["request"]
    assert (request["timeout"], request["memory"]) == (1.0, 512)
    overridden = run_cli("check", *argv, "--timeout", "5")
    assert overridden.status == 0, overridden.out + overridden.err
    assert json.loads(overridden.out)["request"]["timeout"] == 5.0


#: A layer the stack holds, given to the function (and a public one it only names, where asked).
LAYERED = """
          Layers:
            - !Ref Shared{named}
      Shared:
        Type: AWS::Serverless::LayerVersion
        Properties:
          ContentUri: {layer}"""
#: A handler whose item comes from the layer's package.
FROM_LAYER = """\
import os

import boto3
from connect_items import item

TABLE = boto3.resource("dynamodb").Table(os.environ["CONNECTIONS_TABLE"])


def handler(event, context):
    if not event["requestContext"]["connectionId"]:
        raise ValueError("no connection id")
    TABLE.put_item(Item=item(event))
    return {"statusCode": 200, "body": "connected"}
"""
LAYER_PACKAGE = """\
import time


def item(event):
    query = event.get("queryStringParameters") or {}
    found = {"connectionId": event["requestContext"]["connectionId"], "createdAt": time.time_ns() // 1_000_000}
    found["clientId"] = query.get("clientId") or "unknown"
    found.update({name: query[name] for name in ("account", "region") if query.get(name)})
    return found
"""
PUBLIC_LAYER = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python311-x86_64:7"


@pytest.mark.parametrize("runtime", ["python", "inprocess"])
def test_a_function_gets_the_layers_its_template_gives_it(run_cli: Any, tmp_path: Path, runtime: str) -> None:
    """As Lambda unpacks a layer into /opt: its python/ is on the function's path, after the function's code."""
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text(FROM_LAYER)
    package = tmp_path / "layer" / "python" / "connect_items"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(LAYER_PACKAGE)
    layered = LAYERED.format(layer=tmp_path / "layer", named="")
    path = python_stack(tmp_path, tmp_path / "code", "app.handler", settings=layered)
    argv = ["--template", str(path), "--runtime", runtime, "--clause", "response", "--clause", "item"]
    result = run_cli("check", *argv, "--examples", "10")
    assert result.status == 0, result.out + result.err
    assert result.passed_clauses == ["response", "item"]


def test_a_layer_the_template_only_names_is_given_with_layer(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text(FROM_LAYER)
    package = tmp_path / "public" / "python" / "connect_items"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(LAYER_PACKAGE)
    (tmp_path / "shared" / "python").mkdir(parents=True)
    layered = LAYERED.format(layer=tmp_path / "shared", named=f"\n            - {PUBLIC_LAYER}")
    path = python_stack(tmp_path, tmp_path / "code", "app.handler", settings=layered)
    argv = ["--template", str(path), "--clause", "response", "--examples", "3"]
    unnamed = run_cli("check", *argv)
    assert unnamed.status == 2, unnamed.out + unnamed.err
    assert f"Connect has layers the template only names ({PUBLIC_LAYER}); give what each holds with --layer" in (
        unnamed.err
    )
    given = run_cli("check", *argv, "--layer", str(tmp_path / "public"))
    assert given.status == 0, given.out + given.err
    assert run_cli("check", *argv, "--layer", str(tmp_path / "code")).status == 2  # holds no python/ or nodejs/


#: A correct handler that imports only on the Python its template deploys it on (as code using that
#: version's syntax or its wheels does).
ONLY_ON = """\
import sys

if sys.version_info[:2] != {version}:
    raise ImportError("built for Python {dotted}")

from handler import lambda_handler  # noqa: E402 - the reference, beside it
"""
#: Lambda's runtime answering that it is not the version a shim was asked for.
UNSELECTED_SHIM = '#!/bin/sh\necho "pyenv: python{version}: command not found" >&2\nexit 127\n'


def _unserved(version: str) -> bool:
    """Whether the boto3 the gate gives a function does not run on Python ``version``."""
    return numbers(version) < python_sdk_oldest()[0]


def _other_python() -> tuple[Path, str] | None:
    """A Python this machine has besides the gate's that its boto3 runs on (its folder, its version)."""
    found = [(program, version) for version, program in installed_pythons().items() if version != GATE_VERSION]
    return next(((program.parent, version) for program, version in found if not _unserved(version)), None)


def _deployed_elsewhere(tmp_path: Path, version: str) -> Path:
    """A stack deploying, on Python ``version``, a correct handler that imports only on that version."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "handler.py").write_text((ROOT / "reference_impl" / "handler.py").read_text())
    major, minor = version.split(".")
    (code / "app.py").write_text(ONLY_ON.format(version=(int(major), int(minor)), dotted=version))
    return python_stack(tmp_path, code, "app.lambda_handler", version=version)


ARGV = ("--clause", "response", "--examples", "2")


def test_a_function_runs_on_the_python_its_template_deploys_it_on(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Runtime: python3.X`` other than the gate's: the function runs on PATH's python3.X (it was run on
    the gate's Python, and a handler written for 3.X failed to import: a false violation)."""
    found = _other_python()
    if found is None:
        pytest.skip(f"this machine has no Python but the gate's {GATE_VERSION} (the stand-in tests below run)")
    folder, version = found
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    result = run_cli("check", "--template", str(_deployed_elsewhere(tmp_path, version)), *ARGV, "--format", "json")
    assert result.status == 0, result.out + result.err
    report = json.loads(result.out)
    assert report["warnings"] == []
    assert report["request"]["interpreter"] is None  # chosen from the template, not asked for


def _unselected_version() -> str | None:
    """A Python version whose ``pythonX.Y`` on PATH is a version manager's shim that cannot run it (not
    selected) though the manager installed it: pyenv's, where its shims are on PATH."""
    for minor in range(9, 16):
        version = f"3.{minor}"
        shim = shutil.which(f"python{version}")
        if version == GATE_VERSION or _unserved(version) or shim is None or not installed_beside(shim, version):
            continue
        asked = subprocess.run([shim, "-c", "pass"], capture_output=True, check=False)
        if asked.returncode != 0:
            return version
    return None


def test_a_version_a_version_manager_installed_runs_though_not_selected(run_cli: Any, tmp_path: Path) -> None:
    """pyenv's ``python3.X`` shim runs only a selected version; the version it installed beside its shims
    runs the function all the same (the gate's Python stood in, and a handler for 3.X failed to import)."""
    version = _unselected_version()
    if version is None:
        pytest.skip("no version manager's shim for a version it installed but did not select is on PATH")
    result = run_cli("check", "--template", str(_deployed_elsewhere(tmp_path, version)), *ARGV, "--format", "json")
    assert result.status == 0, result.out + result.err
    assert json.loads(result.out)["warnings"] == []


def _no_such_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A Python version the gate is not, whose ``pythonX.Y`` on PATH is a version manager's shim that cannot
    run it (as pyenv's for a version not selected)."""
    version = f"3.{sys.version_info.minor + 1}"
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / f"python{version}"
    shim.write_text(UNSELECTED_SHIM.format(version=version))
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ['PATH']}")
    return version


@pytest.mark.parametrize("runtime", ["python", "inprocess"])
def test_a_function_that_imports_only_on_its_deployed_python_is_not_judged_on_another(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runtime: str
) -> None:
    """Where the deployed version cannot run, the gate's stands in; an import failure there says nothing of
    the function (syntax, or wheels built for the deployed version): exit 2 says so and what to give, not a
    violation (exit 1 before)."""
    version = _no_such_python(tmp_path, monkeypatch)
    template = _deployed_elsewhere(tmp_path, version)
    result = run_cli("check", "--template", str(template), "--runtime", runtime, *ARGV)
    assert result.status == 2, result.out + result.err
    error = result.err.strip().splitlines()[-1]
    assert f"built for Python {version}" in error
    assert f"deployed on python{version} and ran on Python {GATE_VERSION}" in error
    remedy = "give --interpreter" if runtime == "python" else "check it out of process (--runtime python)"
    assert f"{remedy} a Python {version}" in error or f"{remedy} on a Python {version}" in error
    if runtime == "python":
        assert f"it said 'pyenv: python{version}: command not found'" in error


def test_a_function_run_on_a_stand_in_python_says_so(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verdict given on the gate's Python for a function deployed on another carries a warning naming both."""
    version = _no_such_python(tmp_path, monkeypatch)
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text((ROOT / "reference_impl" / "handler.py").read_text())
    template = python_stack(tmp_path, code, "app.lambda_handler", version=version)
    result = run_cli("check", "--template", str(template), *ARGV, "--format", "json")
    assert result.status == 0, result.out + result.err
    (warning,) = json.loads(result.out)["warnings"]
    assert f"is deployed on python{version} but ran on Python {GATE_VERSION}" in warning
    assert f"its verdict is Python {GATE_VERSION}'s" in warning


def test_a_node_function_run_on_another_major_than_deployed_says_so(run_cli: Any, tmp_path: Path) -> None:
    """Node.js has no ``node22`` on PATH to choose: the report names the deployed runtime and the one that ran."""
    running = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    major = int(running.removeprefix("v").split(".")[0])
    code = tmp_path / "src"
    code.mkdir()
    (code / "correct_table_name.mjs").write_text("export const handler = async () => ({statusCode: 200});\n")
    warnings = {}
    for deployed in (major, major + 2):
        body = NODE_STACK.format(code="src/").replace("nodejs20.x", f"nodejs{deployed}.x")
        result = run_cli("check", "--template", str(_template(tmp_path, body)), *ARGV, "--format", "json")
        assert result.status == 1, result.out + result.err  # no body: a violation, whatever the version
        warnings[deployed] = json.loads(result.out)["warnings"]
    assert warnings[major] == []
    (warning,) = warnings[major + 2]
    assert (
        f"is deployed on nodejs{major + 2}.x but ran on Node.js {running.removeprefix('v')} (node on PATH)" in warning
    )


#: A function's code inline, as AWS's smaller samples write CloudFormation's own function type.
INLINE_HANDLER = """\
import os, time
import boto3

ddb = boto3.client("dynamodb")

def handler(event, context):
    table = os.environ.get("CONNECTIONS_TABLE")
    rc = event.get("requestContext") if isinstance(event, dict) else None
    cid = rc.get("connectionId") if isinstance(rc, dict) else None
    qs = event.get("queryStringParameters") if isinstance(event, dict) else None
    qs = {} if qs is None else qs
    if not table or not isinstance(cid, str) or not cid or not isinstance(qs, dict):
        return {"statusCode": 400, "body": "refused"}
    if any(not isinstance(qs.get(k, ""), str) for k in ("clientId", "account", "region")):
        return {"statusCode": 400, "body": "refused"}
    item = {"connectionId": {"S": cid}, "createdAt": {"N": str(time.time_ns() // 10**6)}}
    item["clientId"] = {"S": qs.get("clientId") or "unknown"}
    item.update({k: {"S": qs[k]} for k in ("account", "region") if qs.get(k)})
    try:
        ddb.put_item(TableName=table, Item=item)
    except Exception:
        return {"statusCode": 500, "body": "failed"}
    return {"statusCode": 200, "body": "connected"}
"""


def test_a_function_written_inline_runs_as_lambda_writes_it(run_cli: Any, tmp_path: Path) -> None:
    """``Code.ZipFile`` (and SAM's ``InlineCode``) is the file ``index.py`` (``index.js``): kept in the state
    home, nothing written beside the template (every inline function was a usage error before)."""
    path = python_stack(tmp_path, None, "index.handler", inline=INLINE_HANDLER, function="AWS::Lambda::Function")
    result = run_cli("check", "--template", str(path), "--clause", "item", "--clause", "storage-failure", *ARGV[2:])
    assert result.status == 0, result.out + result.err
    assert result.passed_clauses == ["item", "storage-failure"]
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["template.yaml"]
    body = NODE_STACK.format(code="unused").replace("CodeUri: unused", "InlineCode: exports.handler = async () => 1;")
    connect = read_stack(str(_template(tmp_path, body.replace("correct_table_name.handler", "index.handler"))))
    target = connect.routes["$connect"].target
    assert target.endswith("/index.js:handler")
    assert Path(target.rpartition(":")[0]).read_text() == "exports.handler = async () => 1;"


#: What ``cdk synth`` writes for a WebSocket API's `$connect` (aws-apigatewayv2-integrations'
#: WebSocketLambdaIntegration): the integration's URI a Join around GetAtt, the code an uploaded asset
#: whose folder ``aws:asset:path`` names beside the template.
CDK_STACK = {
    "Resources": {
        "ConnectionsTable0A1B2C3D": {"Type": "AWS::DynamoDB::Table"},
        "ConnectHandlerE5F6A7B8": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Code": {
                    "S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
                    "S3Key": "4f1c2d.zip",
                },
                "Handler": "handler.lambda_handler",
                "Runtime": f"python{GATE_VERSION}",
                "Environment": {"Variables": {"CONNECTIONS_TABLE": {"Ref": "ConnectionsTable0A1B2C3D"}}},
            },
            "Metadata": {"aws:asset:path": "asset.4f1c2d", "aws:asset:is-bundled": False, "aws:asset:property": "Code"},
        },
        "ApiConnectIntegration9C0D": {
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": {
                    "Fn::Join": [
                        "",
                        [
                            "arn:",
                            {"Ref": "AWS::Partition"},
                            ":apigateway:",
                            {"Ref": "AWS::Region"},
                            ":lambda:path/2015-03-31/functions/",
                            {"Fn::GetAtt": ["ConnectHandlerE5F6A7B8", "Arn"]},
                            "/invocations",
                        ],
                    ]
                },
            },
        },
        "ApiconnectRoute1E2F": {
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {
                "RouteKey": "$connect",
                "Target": {"Fn::Join": ["", ["integrations/", {"Ref": "ApiConnectIntegration9C0D"}]]},
            },
        },
    }
}


def test_a_template_cdk_synthesized_is_checked_from_its_asset_folders(run_cli: Any, tmp_path: Path) -> None:
    """``cdk.out/Stack.template.json``: a function's code is the asset folder its metadata names (a usage
    error before: 'CodeUri needed'), its integration named through Fn::GetAtt."""
    asset = tmp_path / "asset.4f1c2d"
    asset.mkdir()
    (asset / "handler.py").write_text((ROOT / "reference_impl" / "handler.py").read_text())
    path = tmp_path / "ConnectStack.template.json"
    path.write_text(json.dumps(CDK_STACK, indent=1))
    connect = read_stack(str(path)).routes["$connect"]
    assert connect.target == f"{asset / 'handler.py'}:lambda_handler"
    assert connect.table_variables == ("CONNECTIONS_TABLE",)
    result = run_cli("check", "--template", str(path), "--clause", "item", "--examples", "3")
    assert result.status == 0, result.out + result.err
    layer = tmp_path / "asset.9e8d7c"
    (layer / "python").mkdir(parents=True)
    layered = json.loads(json.dumps(CDK_STACK))
    layered["Resources"]["SharedLayer5A6B"] = {
        "Type": "AWS::Lambda::LayerVersion",
        "Properties": {"Content": {"S3Bucket": "assets", "S3Key": "9e8d7c.zip"}},
        "Metadata": {"aws:asset:path": "asset.9e8d7c", "aws:asset:property": "Content"},
    }
    layered["Resources"]["ConnectHandlerE5F6A7B8"]["Properties"]["Layers"] = [{"Ref": "SharedLayer5A6B"}]
    path.write_text(json.dumps(layered))
    assert read_stack(str(path)).routes["$connect"].layers == (str(layer),)


@pytest.mark.parametrize(
    "name",
    ["!Ref TableName", '!Sub "${AWS::StackName}-connections"', "chat-connections"],
    ids=["parameter", "sub", "literal"],
)
def test_a_variable_written_as_the_tables_name_is_the_runs_table(tmp_path: Path, name: str) -> None:
    """AWS's WebSocket chat sample names its table with a parameter, and gives the functions the same
    ``!Ref TableName``: that variable is the table's name, set to the run's table (it was taken for a literal,
    the parameter's default, a table the run does not have: every connect failed)."""
    body = NODE_STACK.format(code="src/").replace("TABLE_NAME: !Ref Connections", f"TABLE_NAME: {name}")
    body = body.replace(
        "Connections:\n        Type: AWS::DynamoDB::Table",
        f"Connections:\n        Type: AWS::DynamoDB::Table\n        Properties:\n          TableName: {name}",
    )
    body = body.replace(
        "Parameters:", "Parameters:\n      TableName:\n        Type: String\n        Default: chat-connections"
    )
    code = tmp_path / "src"
    code.mkdir()
    (code / "correct_table_name.mjs").write_text("export const handler = async () => ({});\n")
    connect = read_stack(str(_template(tmp_path, body))).routes["$connect"]
    assert connect.table_variables == ("TABLE_NAME",)
    assert "TABLE_NAME" not in connect.variables


def test_an_authorizer_reading_its_identity_from_a_header_refuses_the_contracts_connects(
    run_cli: Any, tmp_path: Path
) -> None:
    """API Gateway runs a REQUEST authorizer only once the connect carries every identity source; a stack
    whose authorizer asks for a header (as REST APIs do; a browser's WebSocket cannot send one) refuses
    every connect of contract v4, whose token is in the query string: judged so, not passed."""
    assert read_stack(str(TEMPLATE)).authorizer.identity_sources == ("route.request.querystring.token",)  # type: ignore[union-attr]
    text = TEMPLATE.read_text().replace("CodeUri: reference_impl/", f"CodeUri: {ROOT / 'reference_impl'}/")
    header = text.replace("- route.request.querystring.token", "- route.request.header.Authorization")
    path = tmp_path / "template.yaml"
    path.write_text(header)
    result = run_cli("check", "--template", str(path), "--contract", "v4", "--clause", "response", "--examples", "2")
    assert result.status == 1, result.out + result.err
    assert "the template's IdentitySource asks for route.request.header.Authorization" in result.out


def test_a_stack_without_the_authorizer_a_guarded_contract_puts_in_front_is_a_usage_error(
    run_cli: Any, tmp_path: Path
) -> None:
    """v4 and v5 bind `$connect` behind a REQUEST authorizer; a template without one was checked as if
    API Gateway gave the handler an authorizer's context, which that stack never does."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text((ROOT / "reference_impl" / "handler.py").read_text())
    path = python_stack(tmp_path, code, "app.lambda_handler_v4")
    result = run_cli("check", "--template", str(path), "--contract", "v4", "--clause", "response", "--examples", "2")
    assert result.status == 2, result.out + result.err
    assert "no REQUEST authorizer in front of $connect (AuthorizerId), which contract v4 puts there" in result.err


def test_an_integration_names_its_function_in_a_sub_s_variables(tmp_path: Path) -> None:
    """``!Sub [uri, {Fn: !GetAtt Connect.Arn}]``: the function is in the variables' values, not the string."""
    code = tmp_path / "src"
    code.mkdir()
    (code / "correct_table_name.mjs").write_text("export const handler = async () => ({});\n")
    uri = '!Sub "arn:aws:apigateway:${{AWS::Region}}:lambda:path/functions/${{Connect.Arn}}/invocations"'
    listed = '!Sub ["arn:aws:apigateway:us-east-1:lambda:path/functions/${Fn}/invocations", {Fn: !GetAtt Connect.Arn}]'
    body = NODE_STACK.format(code="src/")
    assert uri.format() in body
    stack = read_stack(str(_template(tmp_path, body.replace(uri.format(), listed))))
    assert stack.routes["$connect"].name == "Connect"


def test_a_version_older_than_the_gates_boto3_runs_is_stood_in_for(run_cli: Any, tmp_path: Path) -> None:
    """Lambda's python3.9 gives a function a boto3 of its own; the gate's (here needing 3.10) does not import
    on 3.9, so a 3.9 found on PATH would fail every function that imports boto3: the gate's Python stands
    in, and the warning says why."""
    oldest = python_sdk_oldest()[0]
    if oldest <= (3, 9):
        pytest.skip("the gate's boto3 runs on every Python Lambda still has")
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text((ROOT / "reference_impl" / "handler.py").read_text())
    template = python_stack(tmp_path, code, "app.lambda_handler", version="3.9")
    result = run_cli("check", "--template", str(template), *ARGV, "--format", "json")
    assert result.status == 0, result.out + result.err
    (warning,) = json.loads(result.out)["warnings"]
    assert f"the boto3 it gives a function needs {python_sdk_oldest()[1]}, Python 3.{oldest[1]}+" in warning
