"""moto's HTTP server (``ThreadedMotoServer``) on a loopback port: moto's model, reached over the wire."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from contract_tests.backends.base import Backend, BackendOptions
from contract_tests.errors import BackendError
from contract_tests.loopback import free_loopback_port

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer


class MotoServer(Backend):
    """Starts ``ThreadedMotoServer`` in this process, or reuses a moto server at ``--endpoint``."""

    name = "moto-server"
    capabilities = frozenset({"network-outage"})

    def __init__(self, options: BackendOptions) -> None:
        super().__init__(options)
        self._server: ThreadedMotoServer | None = None
        self._endpoint = options.endpoint

    def endpoint_url(self) -> str | None:
        return self._endpoint

    def start(self) -> None:
        if self._endpoint is None:
            # werkzeug logs every request at INFO on the root handlers: noise in the report and the handler's logs.
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
            port = free_loopback_port()
            from moto.server import ThreadedMotoServer  # importing moto changes botocore's handlers

            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
            self._server.start()
            self._endpoint = f"http://127.0.0.1:{port}"
        try:
            urllib.request.urlopen(self._endpoint + "/moto-api/data.json", timeout=5).close()
        except (OSError, urllib.error.URLError) as error:
            self.stop()
            raise BackendError(f"no moto server answers at {self._endpoint}: {error}") from error

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()
            self._endpoint = self.options.endpoint
