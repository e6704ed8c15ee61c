"""moto's HTTP server (``ThreadedMotoServer``) on a loopback port: moto's model, reached over the wire."""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract_tests.backends import moto_model
from contract_tests.backends.base import Backend, BackendOptions, plain_client
from contract_tests.backends.table import TypedItem
from contract_tests.errors import BackendError
from contract_tests.loopback import free_loopback_port

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer
    from mypy_boto3_dynamodb import DynamoDBClient


class _ServerFailures(logging.Handler):
    """The requests moto's server failed on with an error of its own (werkzeug logs each one's traceback and
    answers 500): counted by the error and where moto raised it, for the report, not printed."""

    def __init__(self) -> None:
        # Every level: werkzeug adds a handler printing to stderr unless one takes its logger's own level.
        super().__init__(logging.NOTSET)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.ERROR:
            return
        # werkzeug writes the traceback into the message ("Error on request:" and its text)
        lines = [line.strip() for line in record.getMessage().splitlines() if line.strip()]
        frames = [found for line in lines if (found := _FRAME.fullmatch(line)) and not found["name"].startswith("<")]
        where = ""
        if frames:
            file = Path(frames[-1]["file"])
            shown = "/".join(file.parts[file.parts.index("moto") :]) if "moto" in file.parts else file.name
            where = f" in {frames[-1]['name']}, {shown}:{frames[-1]['line']}"
        self.seen[f"{lines[-1][:120] if lines else 'an error'}{where}"] += 1

    def take(self) -> Counter[str]:
        with self.lock or contextlib.nullcontext():
            seen, self.seen = self.seen, Counter()
        return seen


#: A traceback's frame line.
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>[0-9]+), in (?P<name>.+)')
#: One for the process: werkzeug's logger is the process's, whichever server logs.
_FAILURES = _ServerFailures()


def _quiet_werkzeug() -> None:
    """werkzeug logs every request at INFO and each failure's traceback at ERROR on the root handlers: noise
    in the report and the handler's logs; the failures are counted instead (``_ServerFailures``)."""
    logger = logging.getLogger("werkzeug")
    logger.setLevel(logging.WARNING)
    if _FAILURES not in logger.handlers:
        logger.addHandler(_FAILURES)
    logger.propagate = False


class MotoServer(Backend):
    """Starts ``ThreadedMotoServer`` in this process, or reuses a moto server at ``--endpoint``."""

    name = "moto-server"
    capabilities = frozenset({"network-outage"})
    shareable = True

    def __init__(self, options: BackendOptions, *, model_in_process: bool = False) -> None:
        super().__init__(options)
        self._server: ThreadedMotoServer | None = None
        #: ``--backend moto`` with a function out of process: the harness reads moto's model in this
        #: process (as ``moto`` in process does, botocore patched for the check) instead of over HTTP.
        self._model_in_process = model_in_process and options.endpoint is None
        if model_in_process:
            self.name = "moto"  # the backend the user chose, served to a function out of process: say so
        self._mock: Any = None
        self._endpoint = options.endpoint

    def endpoint_url(self) -> str | None:
        return self._endpoint

    def start(self) -> None:
        if self._endpoint is None:
            _quiet_werkzeug()
            _FAILURES.take()  # another server's, earlier in this process
            port = free_loopback_port()
            from moto.server import ThreadedMotoServer  # importing moto changes botocore's handlers

            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
            self._server.start()
            self._endpoint = f"http://127.0.0.1:{port}"
            if self._model_in_process:
                # The server serves the model this process holds, so the harness's read-back and reset
                # skip HTTP (2.4 ms a call over the wire, 0.9 ms through botocore in process, less read
                # from the model itself: ``moto_model``).
                # Only calls to AWS's own host names are intercepted; the handler's go to the endpoint.
                from moto import mock_aws

                self._mock = mock_aws()
                self._mock.start(reset=False)
        try:
            urllib.request.urlopen(self._endpoint + "/moto-api/data.json", timeout=5).close()
        except (OSError, urllib.error.URLError) as error:
            self.stop()
            raise BackendError(f"no moto server answers at {self._endpoint}: {error}") from error

    def take_notes(self) -> list[str]:
        failures = _FAILURES.take() if self._server is not None else Counter()
        return [
            f"moto failed on {count} of the function's requests with an error of its own ({error}), answering"
            " them 500: DynamoDB answers such a request itself (a malformed one with a ValidationException), so"
            " what the function did next is judged on moto's answer; --backend localstack or dynamodb-local"
            " answers as DynamoDB does"
            for error, count in failures.most_common()
        ]

    def client(self) -> DynamoDBClient:
        if self._mock is None:
            return super().client()
        return plain_client(None, self.options.region)

    def read_items(self, client: DynamoDBClient, name: str) -> list[TypedItem]:
        if self._mock is None:
            return super().read_items(client, name)
        return moto_model.read_items(client, self.options.region, name)

    def delete_items(self, client: DynamoDBClient, name: str, items: list[TypedItem]) -> None:
        if self._mock is None:
            super().delete_items(client, name, items)
        else:
            moto_model.delete_items(client, self.options.region, name, items)

    def put_item(self, client: DynamoDBClient, name: str, item: TypedItem) -> None:
        if self._mock is None:
            super().put_item(client, name, item)
        else:
            moto_model.write_item(client, self.options.region, name, item)

    def stop(self) -> None:
        server, self._server = self._server, None
        mock, self._mock = self._mock, None
        if mock is not None:
            mock.stop()
        if server is not None:
            _stop_promptly(server)
            self._endpoint = self.options.endpoint


def _stop_promptly(server: ThreadedMotoServer) -> None:
    """``server.stop()``, without waiting up to half a second for werkzeug's loop to look for the stop: it
    polls its socket every 0.5 s, and a connection wakes it at once (a connection it takes before the stop
    is an empty request, answered by nothing)."""
    stopping = threading.Thread(target=server.stop, name="moto-server-stop", daemon=True)
    stopping.start()
    address = server.get_host_and_port()
    while stopping.is_alive():
        with contextlib.suppress(OSError):
            socket.create_connection(address, timeout=0.1).close()
        stopping.join(0.01)
