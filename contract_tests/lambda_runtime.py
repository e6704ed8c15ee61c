"""Lambda's invocation surroundings: the context object and the standard environment."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

FUNCTION_NAME = "connect-contract-handler"
ACCOUNT_ID = "123456789012"
MEMORY_MB = 1024
TIMEOUT_S = 3.0


@dataclass
class CognitoIdentity:
    """``context.identity``; API Gateway invocations carry none, so both ids are None."""

    cognito_identity_id: str | None = None
    cognito_identity_pool_id: str | None = None


@dataclass
class LambdaContext:
    """The attributes and methods of ``awslambdaric``'s context; no library ships one to import."""

    region: str
    function_name: str = FUNCTION_NAME
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = MEMORY_MB
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = f"/aws/lambda/{FUNCTION_NAME}"
    log_stream_name: str = field(default_factory=lambda: time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex)
    identity: CognitoIdentity = field(default_factory=CognitoIdentity)
    client_context: None = None
    timeout_s: float = TIMEOUT_S
    _deadline: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s

    @property
    def invoked_function_arn(self) -> str:
        return function_arn(self.region, self.function_name)

    @property
    def tenant_id(self) -> None:
        return None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def log(self, message: str) -> None:
        print(message, end="", flush=True)


def holds_layer(folder: Path) -> bool:
    """Whether ``folder`` holds what a layer's archive does (``python/`` or ``nodejs/``, unpacked into /opt)."""
    return any((folder / language).is_dir() for language in ("python", "nodejs"))


def trace_header(request_id: str) -> str:
    """The X-Ray trace header of an invocation, in Lambda's form (``Root=1-<time>-<24 hex>;Parent=…``),
    not sampled: what the runtime puts in ``_X_AMZN_TRACE_ID`` for the X-Ray SDK."""
    digits = uuid.uuid5(uuid.NAMESPACE_OID, request_id).hex
    return f"Root=1-{int(time.time()):08x}-{digits[:24]};Parent={digits[16:]};Sampled=0"


def function_arn(region: str, function_name: str = FUNCTION_NAME) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{function_name}"


def lambda_environment(
    region: str, handler: str, task_root: str, execution_env: str = "AWS_Lambda_python3.11", memory_mb: int = MEMORY_MB
) -> dict[str, str]:
    """The variables Lambda sets before its runtime starts a handler."""
    return {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": execution_env,
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{FUNCTION_NAME}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "connect-contract/[$LATEST]0",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "LAMBDA_TASK_ROOT": task_root,
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "_HANDLER": handler,
        "TZ": ":UTC",
    }
