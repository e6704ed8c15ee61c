"""Real DynamoDB: opt-in, standard credential chain, a PAY_PER_REQUEST table per run, always deleted."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import boto3
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError

from contract_tests.backends.base import OBSERVER_CONFIG, Backend, BackendOptions
from contract_tests.errors import BackendError, HarnessError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Passed through to the handler: the standard credential chain's own variables.
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
)


class RealDynamoDB(Backend):
    """Your AWS account's DynamoDB; ``--endpoint`` points the same code path at another endpoint."""

    name = "aws"

    def __init__(self, options: BackendOptions) -> None:
        super().__init__(options)
        self._credentials = {name: os.environ[name] for name in CREDENTIAL_VARIABLES if name in os.environ}

    def endpoint_url(self) -> str | None:
        return self.options.endpoint

    def handler_environment(self) -> dict[str, str]:
        endpoint = self.endpoint_url()
        return {**self._credentials, **({"AWS_ENDPOINT_URL_DYNAMODB": endpoint} if endpoint else {})}

    def signing_credentials(self) -> Credentials | None:
        """The standard chain's credentials: the handler signs for the loopback proxy, which signs anew for AWS."""
        found = boto3.session.Session(profile_name=self._credentials.get("AWS_PROFILE")).get_credentials()
        if found is None:
            raise BackendError("no AWS credentials in the standard chain (environment, profile, role) to sign with")
        return found

    def client(self) -> DynamoDBClient:
        session = boto3.session.Session(profile_name=self._credentials.get("AWS_PROFILE"))
        return session.client(
            "dynamodb", region_name=self.options.region, endpoint_url=self.endpoint_url(), config=OBSERVER_CONFIG
        )

    def start(self) -> None:
        if not self.options.create_real_table:
            raise HarnessError(
                "--backend aws creates a PAY_PER_REQUEST DynamoDB table in your AWS account for the run "
                "(and deletes it afterwards); add --yes-create-table to agree"
            )
        try:
            self.client().list_tables(Limit=1)
        except (BotoCoreError, ClientError) as error:
            where = self.endpoint_url() or f"region {self.options.region}"
            raise BackendError(
                f"cannot reach DynamoDB ({where}) with the standard credential chain: {error}"
            ) from error

    def stop(self) -> None:
        """Nothing to stop: the run's table is deleted by the session that created it."""
