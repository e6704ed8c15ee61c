"""Every contract by name: the `$connect` versions (each its parent plus its changes), the authorizer's and
the router's."""

from __future__ import annotations

from contract_tests.contracts.authorizer import AUTHORIZER, AuthorizerContract
from contract_tests.contracts.base import Contract, ContractBase
from contract_tests.contracts.router import ROUTER, RouterContract
from contract_tests.contracts.v1 import V1
from contract_tests.contracts.v2 import V2
from contract_tests.contracts.v3 import V3
from contract_tests.contracts.v4 import V4
from contract_tests.contracts.v5 import V5
from contract_tests.errors import HarnessError
from contract_tests.options import DEFAULT_CONTRACT
from contract_tests.schema_files import SCHEMA_ROLES
from contract_tests.table_definition import TableDefinition

#: The versions of the `$connect` contract, in order: what docs, diff and export speak of.
CONTRACTS: dict[str, Contract] = {contract.name: contract for contract in (V1, V2, V3, V4, V5)}
#: Contracts of the functions in front of `$connect`.
AUTHORIZER_CONTRACTS: dict[str, AuthorizerContract] = {AUTHORIZER.name: AUTHORIZER}

#: Contracts of the functions that read the table the `$connect` versions write.
ROUTER_CONTRACTS: dict[str, RouterContract] = {ROUTER.name: ROUTER}

#: Every contract by name, whatever function it binds, in the order listings show them.
EVERY_CONTRACT: dict[str, ContractBase] = {**CONTRACTS, **AUTHORIZER_CONTRACTS, **ROUTER_CONTRACTS}


#: The longest clause id of any contract: listings and reports align their titles after it.
CLAUSE_ID_WIDTH = max(len(clause.id) for contract in EVERY_CONTRACT.values() for clause in contract.clauses)


def contract_named(name: str) -> ContractBase:
    found = EVERY_CONTRACT.get(name)
    if found is None:
        raise HarnessError(f"unknown contract {name!r}; choose one of: {', '.join(EVERY_CONTRACT)}")
    return found


def connect_contract_named(name: str, purpose: str) -> Contract:
    """A `$connect` version, for what only those have (an item, a table); HarnessError names the choices."""
    contract = contract_named(name)
    if not isinstance(contract, Contract):
        raise HarnessError(
            f"contract {name} binds the {contract.function}, not a $connect handler; {purpose} needs a $connect"
            f" version: {', '.join(CONTRACTS)}"
        )
    return contract


__all__ = [
    "AUTHORIZER_CONTRACTS",
    "CLAUSE_ID_WIDTH",
    "CONTRACTS",
    "DEFAULT_CONTRACT",
    "EVERY_CONTRACT",
    "ROUTER_CONTRACTS",
    "SCHEMA_ROLES",
    "AuthorizerContract",
    "Contract",
    "ContractBase",
    "RouterContract",
    "TableDefinition",
    "connect_contract_named",
    "contract_named",
]
