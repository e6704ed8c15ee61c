"""Variables of a function's configuration that are Lambda's or the gate's: refused in ``--env`` and in
case files, as Lambda refuses reserved keys (a function named by ``_HANDLER`` must be the one checked)."""

from __future__ import annotations

#: Lambda's reserved keys: its console and API refuse a function configuration that sets any of them.
LAMBDA = (
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
)
#: The variable the contract says a handler reads its table's name from (``--table-variable`` names others).
DEFAULT_TABLE_VARIABLE = "CONNECTIONS_TABLE"
#: What the gate itself sets, and why a value of the user's would undo the check.
GATE = {
    DEFAULT_TABLE_VARIABLE: "the gate sets it to the run's own table (a random name, so a hard-coded one is caught)",
    "AWS_ENDPOINT_URL": "the gate routes every AWS call through its observing proxy",
    "AWS_CA_BUNDLE": "the sandbox trusts its own certificate authority only",
    "NODE_EXTRA_CA_CERTS": "the sandbox trusts its own certificate authority only",
    "SSL_CERT_FILE": "the sandbox trusts its own certificate authority only",
    "REQUESTS_CA_BUNDLE": "the sandbox trusts its own certificate authority only",
    "CONNECT_CONTRACT_INSTANCE": "the gate marks each environment's processes with it, to end them all",
}
GATE_PREFIXES = {"AWS_ENDPOINT_URL_": "the gate routes every AWS call through its observing proxy"}


def refusal(name: str) -> str | None:
    """Why ``name`` may not be set by the user, or None where it may."""
    if name in LAMBDA:
        return f"{name} is reserved by Lambda (its runtime sets it; Lambda refuses it in a function's configuration)"
    if name in GATE:
        return f"{name} is the gate's: {GATE[name]}"
    for prefix, why in GATE_PREFIXES.items():
        if name.startswith(prefix):
            return f"{name} is the gate's: {why}"
    return None


def table_variable_refusal(name: str) -> str | None:
    """Why ``name`` cannot be a variable the gate sets to the run's table (``--table-variable``), or None."""
    if not name.isidentifier():
        return f"{name!r} is not a variable name"
    why = refusal(name)
    return None if why is None or name == DEFAULT_TABLE_VARIABLE else why
