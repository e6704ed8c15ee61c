"""Options of the project's own test suite (pytest reads options only from the root conftest)."""

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
