"""Targets are parsed in all three notations, imported fresh, and invoked as Lambda would."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contract_tests.errors import TargetError
from contract_tests.lambda_runtime import LambdaContext, lambda_environment
from contract_tests.runtimes.inprocess import HandlerLoader, invoke
from contract_tests.targets import parse_target

COUNTER = """
import os
CALLS = []
SEEN_TABLE = os.environ.get("CONNECTIONS_TABLE")

def handler(event, context):
    CALLS.append(event)
    return {"calls": len(CALLS), "table": SEEN_TABLE, "remaining": context.get_remaining_time_in_millis()}
"""


def test_parse_module_target() -> None:
    target = parse_target("reference_impl.handler:lambda_handler")
    assert (target.module, target.function, target.file) == ("reference_impl.handler", "lambda_handler", None)
    assert target.lambda_handler_setting == "reference_impl.handler.lambda_handler"


def test_parse_file_target(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(COUNTER)
    target = parse_target(f"{tmp_path}/app.py:handler")
    assert target.file == tmp_path / "app.py" and target.task_root == tmp_path


def test_parse_lambda_notation(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    target = parse_target("src/app.handler", str(tmp_path))
    assert (target.module, target.function, target.code_dir) == ("src.app", "handler", tmp_path)


@pytest.mark.parametrize("spec", ["src/connect.ts:handler", "src/connect.handler"])
def test_a_typescript_source_is_named_with_what_to_do(tmp_path: Path, spec: str) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "connect.ts").write_text("export const handler = async (): Promise<void> => {};\n")
    with pytest.raises(TargetError, match=r"connect.ts' is TypeScript, .*compile it"):
        parse_target(spec, str(tmp_path))


def test_bad_function_name() -> None:
    with pytest.raises(TargetError):
        parse_target("pkg.mod:not-a-name")


def test_each_load_is_a_cold_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app.py").write_text(COUNTER)
    loader = HandlerLoader(parse_target("app.handler", str(tmp_path)))
    monkeypatch.setenv("CONNECTIONS_TABLE", "first")
    warm = loader.load()
    assert invoke(warm, {}, "us-east-1").response["calls"] == 1
    assert invoke(warm, {}, "us-east-1").response["calls"] == 2
    monkeypatch.setenv("CONNECTIONS_TABLE", "second")
    cold = loader.load()
    assert invoke(cold, {}, "us-east-1").response == {
        "calls": 1,
        "table": "second",
        "remaining": pytest.approx(3000, abs=200),
    }


def test_invoke_passes_a_json_copy_and_reports_errors(tmp_path: Path) -> None:
    (tmp_path / "mutating.py").write_text(
        "def handler(event, context):\n    event['x'] = 1\n    raise ValueError('boom')\n"
    )
    event: dict[str, object] = {}
    result = invoke(HandlerLoader(parse_target(f"{tmp_path}/mutating.py:handler")).load(), event, "us-east-1")
    assert event == {}
    assert result.error is not None and result.error.startswith("ValueError: boom")


def test_an_answer_json_cannot_hold_is_the_runtimes_marshal_error(tmp_path: Path) -> None:
    """As Lambda's Python runtime: a Decimal is written as a number, a set is not JSON at all."""
    (tmp_path / "answers.py").write_text(
        "from decimal import Decimal\n"
        "def number(event, context):\n    return {'statusCode': Decimal(200)}\n"
        "def infinite(event, context):\n    return {'statusCode': Decimal('Infinity')}\n"
        "def a_set(event, context):\n    return {'statusCode': 200, 'body': {'connected'}}\n"
    )
    number = invoke(HandlerLoader(parse_target(f"{tmp_path}/answers.py:number")).load(), {}, "us-east-1")
    assert number.error is None and number.response == {"statusCode": 200}
    infinite = invoke(HandlerLoader(parse_target(f"{tmp_path}/answers.py:infinite")).load(), {}, "us-east-1")
    assert infinite.error is None and infinite.response == {"statusCode": float("inf")}
    a_set = invoke(HandlerLoader(parse_target(f"{tmp_path}/answers.py:a_set")).load(), {}, "us-east-1")
    assert (
        a_set.error == "Runtime.MarshalError: Unable to marshal response: Object of type set is not JSON serializable"
    )


def test_context_has_lambdas_attributes() -> None:
    context = LambdaContext(region="eu-west-1")
    assert context.invoked_function_arn.startswith("arn:aws:lambda:eu-west-1:")
    assert context.memory_limit_in_mb == 1024 and context.function_version == "$LATEST"
    assert len(context.aws_request_id) == 36
    assert 0 < context.get_remaining_time_in_millis() <= 3000
    assert context.identity.cognito_identity_id is None and context.client_context is None


def test_lambda_environment() -> None:
    env = lambda_environment("ap-northeast-2", "app.handler", os.getcwd())
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "ap-northeast-2"
    assert env["_HANDLER"] == "app.handler" and env["AWS_EXECUTION_ENV"].startswith("AWS_Lambda_python")


def test_a_handler_past_its_timeout_fails_like_lambda(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text("import time\ndef handler(event, context):\n    time.sleep(5)\n")
    handler = HandlerLoader(parse_target(f"{tmp_path}/slow.py:handler")).load()
    result = invoke(handler, {}, "us-east-1", timeout_s=0.2)
    assert result.error is not None and result.error.startswith("Task timed out after 0.20 seconds")
    assert result.finished_ms - result.started_ms < 2000
