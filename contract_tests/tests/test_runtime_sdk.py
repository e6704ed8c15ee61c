"""The SDK Lambda's runtimes include (boto3; the AWS SDK for JavaScript v3): a handler that does not ship
it starts as it does on Lambda, its own packages come first, and without the gate's Node.js copy only a
handler that needs it is stopped (exit 2), never judged. (A virtualenv's own boto3 coming first is
test_runtimes's ``test_a_handler_runs_under_its_own_interpreter``.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests.runtimes.deployed_python import numbers
from contract_tests.runtimes.python import OLDEST
from contract_tests.runtimes.runtime_sdk import PACKAGE, PACKAGES, python_sdk_oldest, runtime_sdk
from contract_tests.tests.conftest import ROOT, installed_pythons

# As the Lambda console writes it: one index.mjs, no package.json, the SDK the runtime's.
CONSOLE_STYLE = """\
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";

const client = new DynamoDBClient({});

export const handler = async (event) => {
  const query = event.queryStringParameters ?? {};
  const Item = {
    connectionId: { S: event.requestContext.connectionId },
    createdAt: { N: String(Date.now()) },
    clientId: { S: query.clientId || "unknown" },
  };
  if (query.account) Item.account = { S: query.account };
  if (query.region) Item.region = { S: query.region };
  await client.send(new PutItemCommand({ TableName: process.env.CONNECTIONS_TABLE, Item }));
  return { statusCode: 200, body: "connected" };
};
"""
# As esbuild bundles it for CDK and SAM: CommonJS, @aws-sdk/* left external.
BUNDLED_WITH_SDK_EXTERNAL = """\
"use strict";
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand } = require("@aws-sdk/lib-dynamodb");
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async (event) => {
  const query = event.queryStringParameters || {};
  const Item = { connectionId: event.requestContext.connectionId, createdAt: Date.now() };
  Item.clientId = query.clientId || "unknown";
  for (const name of ["account", "region"]) if (query[name]) Item[name] = query[name];
  await documents.send(new PutCommand({ TableName: process.env.CONNECTIONS_TABLE, Item }));
  return { statusCode: 200, body: "connected" };
};
"""
NEEDS_NOTHING = 'export const handler = async () => ({ statusCode: 200, body: "connected" });\n'


@pytest.fixture
def node() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("Node.js and npm are needed for the Node.js handler tests (e.g. `apt-get install nodejs npm`)")


@pytest.fixture
def unreachable_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A state home with no copy, and an npm that cannot reach its registry; the process forgets both after."""
    programs = tmp_path / "programs"
    programs.mkdir()
    npm = programs / "npm"
    npm.write_text("#!/bin/sh\necho 'npm error code ENOTFOUND' >&2\nexit 1\n")
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{programs}:{Path(str(shutil.which('node'))).parent}:/usr/bin:/bin")
    monkeypatch.setenv("CONNECT_CONTRACT_HOME", str(tmp_path / "home"))
    runtime_sdk.cache_clear()
    yield tmp_path / "home" / "node-runtime-sdk"
    runtime_sdk.cache_clear()


def _handler(folder: Path, name: str, source: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(source)
    return f"{folder / name}:handler"


def test_a_virtualenv_without_boto3_gets_the_runtimes(run_cli: Any, tmp_path: Path) -> None:
    """A function's requirements rarely list boto3: Lambda's Python runtime has it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    argv = ["--handler", "reference_impl.handler:lambda_handler", "--interpreter", str(tmp_path / "venv/bin/python")]
    result = run_cli("check", *argv, "--clause", "response", "--clause", "item", "--examples", "10")
    assert result.status == 0, result.out + result.err
    assert result.passed_clauses == ["response", "item"]


@pytest.mark.usefixtures("node")
@pytest.mark.parametrize(
    ("name", "source"),
    [("index.mjs", CONSOLE_STYLE), ("index.js", BUNDLED_WITH_SDK_EXTERNAL)],
    ids=["es-module-as-the-console-writes-it", "commonjs-bundled-with-the-sdk-external"],
)
def test_a_handler_using_the_runtimes_sdk_is_checked_as_on_lambda(
    run_cli: Any, tmp_path: Path, name: str, source: str
) -> None:
    target = _handler(tmp_path / "function", name, source)
    result = run_cli("check", "--handler", target, "--clause", "response", "--clause", "item", "--examples", "10")
    assert result.status == 0, result.out + result.err
    assert result.passed_clauses == ["response", "item"]


@pytest.mark.usefixtures("node")
def test_the_handlers_own_packages_come_before_the_runtimes(run_cli: Any, tmp_path: Path) -> None:
    own = tmp_path / "function" / "node_modules" / "@aws-sdk" / "client-sts"
    own.mkdir(parents=True)
    (own / "package.json").write_text(json.dumps({"name": "@aws-sdk/client-sts", "main": "index.js"}))
    (own / "index.js").write_text('exports.STSClient = "the handler\'s own";\n')
    source = (
        'import { STSClient } from "@aws-sdk/client-sts";\n'
        'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\n'
        "export const handler = async () => ({ statusCode: 200, body: `${STSClient}, ${typeof DynamoDBClient}` });\n"
    )
    target = _handler(tmp_path / "function", "index.mjs", source)
    result = run_cli("check", "--handler", target, "--clause", "response", "--examples", "3")
    assert result.status == 1, result.out + result.err  # the answer shows what it imported
    assert 'body: "the handler\'s own, function" is not "connected"' in result.out


@pytest.mark.usefixtures("node")
def test_a_runtime_package_the_gates_copy_lacks_is_exit_2_naming_it(run_cli: Any, tmp_path: Path) -> None:
    source = 'import { S3Client } from "@aws-sdk/client-s3";\n' + NEEDS_NOTHING
    result = run_cli("check", "--handler", _handler(tmp_path, "index.mjs", source), "--examples", "3")
    assert result.status == 2, result.out + result.err
    assert "imports @aws-sdk/client-s3: Lambda's Node.js runtime includes" in result.err
    assert "ship @aws-sdk/client-s3 with the handler" in result.err and "Traceback" not in result.err


@pytest.mark.usefixtures("node")
def test_without_the_gates_copy_only_a_handler_needing_it_is_stopped(
    run_cli: Any, tmp_path: Path, unreachable_registry: Path
) -> None:
    needing_nothing = _handler(tmp_path / "b", "index.mjs", NEEDS_NOTHING)
    answered = run_cli("check", "--handler", needing_nothing, "--clause", "response", "--examples", "3")
    assert answered.status == 0, answered.out + answered.err
    assert not unreachable_registry.exists()  # npm was not even asked
    needing_it = _handler(tmp_path / "a", "index.js", BUNDLED_WITH_SDK_EXTERNAL)
    needing = run_cli("check", "--handler", needing_it, "--examples", "3")
    assert needing.status == 2, needing.out + needing.err
    assert (
        f"could not install its copy into {unreachable_registry}: npm ci failed: npm error code ENOTFOUND"
        in needing.err
    )
    assert [path.name for path in unreachable_registry.iterdir()] == [".lock"]  # no half install left


def test_the_copy_holds_what_its_lock_file_pins() -> None:
    manifest = json.loads((PACKAGE / "package.json").read_text())
    lock = json.loads((PACKAGE / "package-lock.json").read_text())
    assert set(manifest["dependencies"]) == set(PACKAGES)
    assert lock["packages"][""]["dependencies"] == manifest["dependencies"]


def test_a_function_on_a_python_older_than_the_gates_boto3_is_not_judged_there(run_cli: Any) -> None:
    """Under an ``--interpreter`` older than the gate's boto3 runs on (3.9 for boto3 1.44), the boto3 the gate
    gives the function fails to import: exit 2 says so and what to give, not a violation (exit 1 before)."""
    oldest, needs = python_sdk_oldest()
    older = [program for version, program in installed_pythons().items() if OLDEST <= numbers(version) < oldest]
    if not older:
        pytest.skip(f"this machine has no Python from 3.9 older than {oldest}, where the gate's boto3 runs")
    reference = f"{ROOT / 'reference_impl' / 'handler.py'}:lambda_handler"
    argv = ["--handler", reference, "--interpreter", str(older[0]), "--clause", "response", "--examples", "2"]
    result = run_cli("check", *argv)
    assert result.status == 2, result.out + result.err
    assert f"where the boto3 the gate gives a function ({needs}) needs Python 3.{oldest[1]} or later" in result.err
