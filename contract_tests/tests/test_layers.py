"""The house's layering, held: the contract is plain data at the bottom, clauses judge without driving
anything, and no import circle ties the layers together."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
#: What runs a function or reaches a backend: nothing of it may load with the contract.
MACHINERY = (
    "contract_tests.backends",
    "contract_tests.runtimes",
    "contract_tests.observers",
    "contract_tests.sandbox",
    "contract_tests.localstack",
    "contract_tests.session",
    "contract_tests.engine",
    "contract_tests.clauses",
)
THIRD_PARTY_MACHINERY = ("boto3", "botocore", "moto", "hypothesis")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        if "tests" in relative.parts:
            continue
        name = ".".join(relative.parts).removesuffix(".__init__")
        found[name] = path
    return found


def _imports(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The project's modules ``path`` imports, at any depth (a lazy import inside a function counts)."""

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("contract_tests"):
            targets = [resolve(f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [resolve(alias.name) for alias in node.names if alias.name.startswith("contract_tests")]
        else:
            continue
        yield from (target for target in targets if target is not None)


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: {target for target in _imports(path, known) if target != name} for name, path in known.items()}


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the path that closes it; None when the graph has none (a depth-first walk:
    no library of the project's reads imports)."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_import_graph_has_no_circle() -> None:
    circle = _circle(_graph())
    assert circle is None, " -> ".join(circle or [])


def test_a_circle_is_found_where_there_is_one() -> None:
    assert _circle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _circle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("contract_tests.contracts", MACHINERY),
        ("contract_tests.clauses", MACHINERY[:-1]),
    ],
)
def test_a_layer_imports_nothing_above_it(layer: str, forbidden: tuple[str, ...]) -> None:
    """The contract imports no clause, engine, session, runtime, observer or backend; a clause judges
    observations and never imports what drives a function."""
    graph = _graph()
    offending = sorted(
        f"{name} imports {target}"
        for name, targets in graph.items()
        if name == layer or name.startswith(layer + ".")
        for target in targets
        if any(target == above or target.startswith(above + ".") for above in forbidden)
    )
    assert not offending, offending


def test_importing_the_contract_loads_no_machinery() -> None:
    """``import contract_tests.contracts`` is plain data: docs, diff and export read it without boto3,
    hypothesis, a backend or a runtime."""
    probe = "import sys, contract_tests.contracts; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", probe], capture_output=True, text=True, check=True)
    loaded = done.stdout.split()
    heavy = [m for m in loaded if m.split(".")[0] in THIRD_PARTY_MACHINERY or m.startswith(MACHINERY)]
    assert heavy == []
    timed = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "contract_tests.contracts.v4" in timed and not [m for m in timed if m.startswith(MACHINERY)]


def test_every_declared_clause_has_its_judgement_and_every_judgement_a_declaration() -> None:
    from contract_tests.clauses import JUDGEMENTS, judgement_for
    from contract_tests.contracts import EVERY_CONTRACT

    declared = {clause for contract in EVERY_CONTRACT.values() for clause in contract.clauses}
    assert {judgement_for(clause).clause for clause in declared} == declared
    assert {judgement.clause for judgement in JUDGEMENTS.values()} == declared


def test_a_contract_refuses_a_clause_of_another_kind_of_function() -> None:
    from contract_tests.contracts import CONTRACTS
    from contract_tests.contracts.authorizer import AUTHORIZER_CLAUSES

    with pytest.raises(ValueError, match="bind another"):
        CONTRACTS["v1"].derive("v1x", "a trial", add=AUTHORIZER_CLAUSES[:1])


def test_every_kind_of_function_has_its_class_and_template_reader_and_nothing_else_forks_on_it() -> None:
    """A new kind of function is a class in ``FUNCTIONS`` and a reader in ``TEMPLATE_READERS``; no other module
    asks which contract class it holds (the contract package's registry and engine/functions.py's classes only
    narrow the kind they were given)."""
    from contract_tests.contracts import EVERY_CONTRACT
    from contract_tests.engine.functions import FUNCTIONS
    from contract_tests.engine.plan import TEMPLATE_READERS

    kinds = {contract.kind for contract in EVERY_CONTRACT.values()}
    assert set(FUNCTIONS) == kinds == set(TEMPLATE_READERS)
    classes = {"ContractBase", "Contract", "RouterContract", "AuthorizerContract"}
    forks = [
        f"{name}:{node.lineno}"
        for name, path in _modules().items()
        if name != "contract_tests.engine.functions" and not name.startswith("contract_tests.contracts")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "isinstance"
        and classes & {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
    ]
    assert forks == []
