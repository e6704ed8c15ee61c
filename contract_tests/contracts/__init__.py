"""Every version of the contract, by name; each is its parent plus its changes."""

from __future__ import annotations

from contract_tests.contracts.base import Contract
from contract_tests.contracts.v1 import V1
from contract_tests.contracts.v2 import V2
from contract_tests.contracts.v3 import V3
from contract_tests.contracts.v4 import V4
from contract_tests.errors import HarnessError
from contract_tests.options import DEFAULT_CONTRACT
from contract_tests.schema_files import SCHEMA_ROLES
from contract_tests.table_definition import TableDefinition

CONTRACTS: dict[str, Contract] = {contract.name: contract for contract in (V1, V2, V3, V4)}


def contract_named(name: str) -> Contract:
    try:
        return CONTRACTS[name]
    except KeyError:
        raise HarnessError(f"unknown contract {name!r}; choose one of: {', '.join(CONTRACTS)}") from None


__all__ = ["CONTRACTS", "DEFAULT_CONTRACT", "SCHEMA_ROLES", "Contract", "TableDefinition", "contract_named"]
