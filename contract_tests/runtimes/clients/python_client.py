"""A Lambda runtime client for Python handlers: standard library only, any Python 3.9 or newer.

Run as a script by the harness under the function's own interpreter (``--interpreter``), so nothing
is installed into it. awslambdaric would do the same job but must be installed into that
interpreter, which a handler's own virtualenv should not need.
"""

import decimal
import importlib
import json
import logging
import math
import os
import sys
import time
import traceback
import urllib.request

END_OF_OUTPUT = "\x1econnect-contract:end "


class LambdaContext:
    """The attributes and methods of Lambda's Python context object."""

    def __init__(self, request_id, deadline_ms, function_arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, message):
        sys.stdout.write(message)
        sys.stdout.flush()


def _post(path, body, error_type=None):
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    request = urllib.request.Request(_api() + path, data=body, headers=headers, method="POST")
    urllib.request.urlopen(request).close()


def _api():
    return "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"


def _decimal(value):
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return math.nan if value.is_nan() else float(value)
        return int(value) if value == value.to_integral_value() and "E" not in str(value).upper() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def marshal_response(result):
    """The handler's answer as Lambda's Python runtime writes it: JSON, a Decimal (what boto3's resource API
    reads a Number as) written as a number. The ``inprocess`` runtime writes answers with this too."""
    return json.dumps(result, default=_decimal)


def _error_body(error, error_type=None, message=None):
    frames = traceback.extract_tb(error.__traceback__)
    if message is not None:  # the runtime's own error: no frame of the handler's
        stack = []
    elif isinstance(error, SyntaxError):
        stack = [f"{error.filename}:{error.lineno}"]
    else:
        root = os.environ.get("LAMBDA_TASK_ROOT", "/")
        own = [f for f in frames if f.filename.startswith(root) and "site-packages" not in f.filename]
        stack = [f"{f.filename}:{f.lineno}" for f in (own or frames)]
    if message is None:
        message = error.msg if isinstance(error, SyntaxError) else str(error)
        if error_type:  # an init error: Lambda's type first, then the exception's own
            message = f"{type(error).__name__}: {message}"
    body = {"errorType": error_type or type(error).__name__, "errorMessage": message, "stackTrace": stack}
    return json.dumps(body).encode()


def _end_output(request_id):
    sys.stdout.flush()
    sys.stderr.flush()
    sys.stdout.write(END_OF_OUTPUT + request_id + "\n")
    sys.stdout.flush()


def functions_of(module):
    """`` (its functions: a, b)``: what the module itself defines that a handler setting could name instead."""
    names = sorted(
        name
        for name, value in vars(module).items()
        if callable(value)
        and not isinstance(value, type)
        and not name.startswith("_")
        and getattr(value, "__module__", None) == module.__name__
    )
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return f" (its functions: {shown})" if names else " (it defines no function)"


def _load_handler():
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    sys.path.insert(0, task_root)
    # As Lambda's: the function's layers (its /opt/python) after its own code, the SDK the runtime includes
    # (its /var/runtime) after the function's own packages.
    sys.path[1:1] = [folder for folder in (sys.argv[1:2] or [""])[0].split(os.pathsep) if folder]
    sys.path.extend(sys.argv[2:3])
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and (module_name == error.name or module_name.startswith(error.name + ".")):
            message = f"no module named '{error.name}' (is the package installed, or is --code-dir right?)"
            _post("/init/error", json.dumps({"errorType": "Runtime.HandlerNotFound", "errorMessage": message}).encode())
            sys.exit(1)
        raise
    handler = getattr(module, function_name, None)
    if not callable(handler):
        message = f"module has no function '{function_name}'{functions_of(module)}"
        _post("/init/error", json.dumps({"errorType": "Runtime.HandlerNotFound", "errorMessage": message}).encode())
        sys.exit(1)
    return handler


def main():
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    # As Lambda's runtime does: the root logger prints records at WARNING and above, handlers may lower it.
    logging.basicConfig(format="[%(levelname)s] %(message)s", stream=sys.stdout)
    try:
        handler = _load_handler()
    except SystemExit:
        raise
    except BaseException as error:  # any failure while importing is Lambda's init error
        # Lambda's types, as its runtime names them: its own for an import or syntax error, else the exception's.
        kind = (
            "Runtime.UserCodeSyntaxError"
            if isinstance(error, SyntaxError)
            else "Runtime.ImportModuleError"
            if isinstance(error, ImportError)
            else None
        )
        _post("/init/error", _error_body(error, kind), kind or type(error).__name__)
        sys.exit(1)
    while True:
        with urllib.request.urlopen(_api() + "/invocation/next") as response:
            request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
            deadline_ms = int(response.headers["Lambda-Runtime-Deadline-Ms"])
            function_arn = response.headers["Lambda-Runtime-Invoked-Function-Arn"]
            trace_id = response.headers.get("Lambda-Runtime-Trace-Id")
            event = json.loads(response.read())
        # As Lambda's runtime does, for the X-Ray SDK (Powertools' Tracer) to find the invocation's trace.
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        context = LambdaContext(request_id, deadline_ms, function_arn)
        try:
            result = handler(event, context)
        except Exception as error:  # any failure is the function's error
            _end_output(request_id)
            _post(f"/invocation/{request_id}/error", _error_body(error), "Unhandled")
            continue
        try:
            body = marshal_response(result).encode()
        except (TypeError, ValueError) as error:
            _end_output(request_id)
            message = "Unable to marshal response: " + str(error)
            _post(f"/invocation/{request_id}/error", _error_body(error, "Runtime.MarshalError", message), "Unhandled")
            continue
        _end_output(request_id)
        _post(f"/invocation/{request_id}/response", body)


if __name__ == "__main__":
    main()
