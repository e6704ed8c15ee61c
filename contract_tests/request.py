"""What a check was asked to do, and the command line that repeats it (light: parsing options loads nothing heavy)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from contract_tests.lambda_runtime import MEMORY_MB, TIMEOUT_S
from contract_tests.options import (
    CHECK_OPTIONS,
    DEFAULT_CONTRACT,
    DEFAULT_EXAMPLES,
    DEFAULT_REGION,
    FROM_TEMPLATE,
    REPLAY_OPTIONS,
    TABLE_CONTRACT_NAMES,
)
from contract_tests.reserved_variables import DEFAULT_TABLE_VARIABLE
from contract_tests.targets import parse_target

if TYPE_CHECKING:
    from contract_tests.runtimes import RuntimeOptions


#: The functions of ``CheckRequest.deployed``: the one checked (``--handler``), and the authorizer in front.
HANDLER = "handler"
AUTHORIZER = "authorizer"


@dataclass(frozen=True)
class Deployed:
    """A function's settings as its ``--template`` deploys it (None: the template leaves it out)."""

    #: ``HANDLER``, a route's name, or ``AUTHORIZER``.
    function: str
    timeout_s: float | None = None
    memory_mb: int | None = None
    #: The folders of the layers the template itself holds, in the function's order.
    layers: tuple[str, ...] = ()
    #: Its ``Runtime`` (``python3.12``, ``nodejs20.x``).
    runtime: str | None = None
    #: The authorizer's ``IdentitySource``: what API Gateway requires of a connect before running it.
    identity_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckRequest:
    """Everything ``connect-contract check`` (or ``pytest --connect-handler``) was asked to do."""

    handler: str
    code_dir: str | None = None
    #: v4: the authorizer target put in front of ``handler``, as API Gateway puts it (None: synthesized).
    authorizer: str | None = None
    #: The contract version's name (``connect-contract contracts`` lists them).
    contract: str = DEFAULT_CONTRACT
    backend: str = "moto"
    endpoint: str | None = None
    examples: int = DEFAULT_EXAMPLES
    seed: int | None = None
    region: str = DEFAULT_REGION
    clauses: tuple[str, ...] = ()
    create_real_table: bool = False
    #: ``--timeout`` (None: the template's ``Timeout``, else Lambda's default): see ``timeout_of``.
    timeout: float | None = None
    #: ``None``: the runtime the target's language implies (``python`` or ``nodejs``).
    runtime: str | None = None
    interpreter: str | None = None
    #: ``--sandbox``: auto, on or off.
    sandbox: str = "auto"
    #: ``--memory`` (None: the template's ``MemorySize``, else the gate's default): see ``memory_of``.
    memory: int | None = None
    #: The function's own configuration, ``NAME=VALUE`` pairs.
    env: tuple[tuple[str, str], ...] = ()
    #: ``--table-variable``: the variables the handler reads its table's name from (none: the contract's).
    table_variables: tuple[str, ...] = ()
    #: ``--route``: (route, target) for each route served by another function than ``handler``.
    routes: tuple[tuple[str, str], ...] = ()
    #: ``--template``: the SAM template ``handler``, ``routes``, ``authorizer`` and the variables come from.
    template: str | None = None
    #: ``--jobs``: worker processes the clauses run in (1: this process, one clause after another).
    jobs: int = 1
    #: ``--duration``: a campaign's seconds, shared by its generating clauses (None: one round of --examples).
    duration: float | None = None
    #: ``--example-db``: the hypothesis example databases replayed first and written to (none: the seed alone).
    example_dbs: tuple[str, ...] = ()
    #: ``--shard K/N``: check only the K-th of N shares of the clauses (None: all of them).
    shard: str | None = None
    #: ``--shard-durations``: an earlier JSON report whose clause times balance the shards.
    shard_durations: str | None = None
    #: ``--layer``: folders holding what a layer's archive holds (``python/``, ``nodejs/``), each function's,
    #: after its template's own layers.
    layers: tuple[str, ...] = ()
    #: Read from ``--template``: each function's settings as the stack deploys it.
    deployed: tuple[Deployed, ...] = ()

    @property
    def table_variable_names(self) -> tuple[str, ...]:
        """The variables set to the run's table: those asked for, else the contract's ``CONNECTIONS_TABLE``."""
        return tuple(dict.fromkeys(self.table_variables)) or (DEFAULT_TABLE_VARIABLE,)

    @property
    def uses_backend(self) -> bool:
        """Whether the contract's function reads or writes the table (the authorizer contract's does not)."""
        return self.contract in TABLE_CONTRACT_NAMES

    def runtime_name(self) -> str:
        return self.runtime or parse_target(self.handler, self.code_dir).language

    def deployed_of(self, function: str = HANDLER) -> Deployed:
        """``function`` as its template deploys it (nothing set without a template)."""
        return next((found for found in self.deployed if found.function == function), Deployed(function))

    def timeout_of(self, function: str = HANDLER) -> float:
        """``function``'s timeout: ``--timeout`` when given, else its template's ``Timeout``, else the default."""
        deployed = self.deployed_of(function).timeout_s
        return next(value for value in (self.timeout, deployed, TIMEOUT_S) if value is not None)

    def memory_of(self, function: str = HANDLER) -> int:
        """``function``'s memory: ``--memory`` when given, else its template's ``MemorySize``, else the default."""
        deployed = self.deployed_of(function).memory_mb
        return next(value for value in (self.memory, deployed, MEMORY_MB) if value is not None)

    def layers_of(self, function: str = HANDLER) -> tuple[str, ...]:
        """``function``'s layers: its template's own, then ``--layer``'s."""
        return (*self.deployed_of(function).layers, *self.layers)

    def runtime_options(self, function: str = HANDLER) -> RuntimeOptions:
        from contract_tests.runtimes import RuntimeOptions

        return RuntimeOptions(
            interpreter=self.interpreter,
            memory_mb=self.memory_of(function),
            timeout_s=self.timeout_of(function),
            layers=self.layers_of(function),
            extra_environment=dict(self.env),
            sandbox=self.sandbox,
            deployed_runtime=self.deployed_of(function).runtime,
        )

    def words_of(self, name: str) -> list[str]:
        """Option ``--name`` as a command line would give it (nothing at its default)."""
        chosen = next(option for option in CHECK_OPTIONS if option.name == name)
        return chosen.words(getattr(self, chosen.field))

    def _words(self, names: Sequence[str] | None = None) -> list[str]:
        return [
            word
            for option in CHECK_OPTIONS
            if (names is None or option.name in names)
            and (self.uses_backend or not option.storage)
            and not (self.template and option.name in FROM_TEMPLATE)
            for word in option.words(getattr(self, option.field))
        ]

    @property
    def shard_numbers(self) -> tuple[int, int] | None:
        """``--shard K/N`` as (K, N), None without it (the option's parser spelled it canonically)."""
        if self.shard is None:
            return None
        index, count = self.shard.split("/")
        return int(index), int(count)

    def unsplit(self) -> CheckRequest:
        """The same check however it is split: no worker processes, no shard."""
        return replace(self, jobs=1, shard=None, shard_durations=None)

    def command(self, seed: int, clause: str | None = None) -> str:
        """The exact command line that repeats this check (for one clause, when given), every option kept.
        A campaign's clause is repeated by the seed of the round that ended it, without the campaign."""
        # one clause, whichever shard or worker checked it
        if clause:
            request = replace(self.unsplit(), seed=seed, clauses=(clause,), duration=None)
        else:
            request = replace(self, seed=seed)
        return shlex.join(["connect-contract", "check", *request._words()])

    def replay_command(self, failures_dir: str | None = None) -> str:
        """The command that re-runs this check's saved cases where and as it ran (``--authorizer`` in front, too)."""
        where = ["--failures-dir", failures_dir] if failures_dir else []
        return shlex.join(["connect-contract", "replay", *self._words(REPLAY_OPTIONS), *where])
