"""Options of the project's own test suite (pytest reads options only from the root conftest)."""

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backends",
        default="moto",
        help=(
            "comma-separated backends the backend-parametrized tests run on: "
            "moto, moto-server, localstack, dynamodb-local"
        ),
    )


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two test processes per core. A test mostly waits on what it started (a handler's
    processes, a backend's server, a check in a subprocess), so one per core leaves cores idle."""
    return 2 * (os.cpu_count() or 1)
