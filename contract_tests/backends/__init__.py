"""Where DynamoDB lives during a check: one small interface, one module per backend."""

from __future__ import annotations

from collections.abc import Callable

from contract_tests.backends.aws import RealDynamoDB
from contract_tests.backends.base import Backend, BackendOptions
from contract_tests.backends.dynamodb_local import DynamoDBLocal
from contract_tests.backends.localstack import LocalStack
from contract_tests.backends.moto_inprocess import MotoInProcess
from contract_tests.backends.moto_server import MotoServer
from contract_tests.errors import HarnessError

BACKENDS: dict[str, Callable[[BackendOptions], Backend]] = {
    "moto": MotoInProcess,
    "moto-server": MotoServer,
    "dynamodb-local": DynamoDBLocal,
    "localstack": LocalStack,
    "aws": RealDynamoDB,
}


def make_backend(name: str, options: BackendOptions) -> Backend:
    """The backend called ``name``, not yet started."""
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise HarnessError(f"unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}") from None
    return factory(options)


__all__ = ["BACKENDS", "Backend", "BackendOptions", "make_backend"]
