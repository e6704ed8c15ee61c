"""Parse a ``--handler`` target: which file or module, which function, which code directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contract_tests.errors import TargetError

JS_SUFFIXES = (".js", ".mjs", ".cjs")
SOURCE_SUFFIXES = (".py", *JS_SUFFIXES)
TYPESCRIPT_SUFFIXES = (".ts", ".mts", ".cts")


def _typescript(spec: str, path: Path) -> TargetError:
    return TargetError(
        f"--handler {spec!r}: {str(path)!r} is TypeScript, which Lambda does not run either; compile it"
        " (tsc, esbuild, sam build) and name the JavaScript file it makes"
    )


@dataclass(frozen=True)
class HandlerTarget:
    """Where a handler lives: an importable module or a file, and the function's name."""

    spec: str
    function: str
    module: str | None = None
    file: Path | None = None
    code_dir: Path | None = None

    @property
    def task_root(self) -> Path:
        if self.file is not None:
            return self.file.parent
        return self.code_dir or Path.cwd()

    @property
    def language(self) -> str:
        """``python`` or ``nodejs``, from the file's suffix (a module target is Python)."""
        return "nodejs" if self.file is not None and self.file.suffix in JS_SUFFIXES else "python"

    @property
    def lambda_handler_setting(self) -> str:
        """The handler as Lambda's ``_HANDLER`` would spell it."""
        module = self.file.stem if self.file is not None else self.module
        return f"{module}.{self.function}"


def parse_target(spec: str, code_dir: str | None = None, *, python: bool = False) -> HandlerTarget:
    """Parse ``package.module:function``, ``path/file.py:function`` or Lambda's ``file.function``.

    ``python``: the runtime chosen is Python's, so Lambda's notation names a Python module even where a
    JavaScript file of that name lies beside it (Lambda reads the setting with the function's runtime)."""
    root = Path(code_dir).resolve() if code_dir else None
    if root is not None and not root.is_dir():
        raise TargetError(f"--code-dir {code_dir!r} is not a directory")
    if ":" in spec:
        where, _, function = spec.rpartition(":")
        # A JavaScript function may be a path among the module's exports, as Lambda's Node.js runtime reads it.
        names = function.split(".") if where.endswith(JS_SUFFIXES) else [function]
        if not where or not all(name.isidentifier() for name in names):
            raise TargetError(f"--handler {spec!r}: expected MODULE:FUNCTION or PATH.py:FUNCTION")
        if where.endswith(SOURCE_SUFFIXES) or "/" in where or "\\" in where:
            path = (root / where) if root and not Path(where).is_absolute() else Path(where)
            if not path.is_file():
                raise TargetError(f"--handler {spec!r}: no such file {str(path)!r}")
            if path.suffix in TYPESCRIPT_SUFFIXES:
                raise _typescript(spec, path)
            return HandlerTarget(spec, function, file=path.resolve(), code_dir=root)
        return HandlerTarget(spec, function, module=where, code_dir=root)
    where, _, function = spec.rpartition(".")
    if not where or not function.isidentifier():
        raise TargetError(f"--handler {spec!r}: expected MODULE:FUNCTION, PATH.py:FUNCTION or Lambda's FILE.FUNCTION")
    base = root or Path.cwd()
    if not python:  # Lambda's notation names a file without its suffix: a JavaScript one is a file target.
        scripts = _files(base, where, JS_SUFFIXES)
        if scripts:
            return HandlerTarget(spec, function, file=scripts[0].resolve(), code_dir=root)
        module, nested = node_handler_parts(spec)
        scripts = _files(base, module, JS_SUFFIXES)
        if scripts and all(part.isidentifier() for part in nested.split(".")):
            return HandlerTarget(spec, nested, file=scripts[0].resolve(), code_dir=root)
    typescript = _files(base, where, TYPESCRIPT_SUFFIXES)
    if typescript and not (base / f"{where}.py").is_file():
        raise _typescript(spec, typescript[0])
    return HandlerTarget(spec, function, module=where.replace("/", "."), code_dir=base)


def node_handler_parts(handler: str) -> tuple[str, str]:
    """Lambda's Node.js handler setting as its runtime reads it: the file (no suffix) up to the first dot of
    the last part, and the rest, a path among the module's exports (``src/index.handlers.connect``)."""
    folder, _, last = handler.rpartition("/")
    module, _, function = last.partition(".")
    return f"{folder}/{module}" if folder else module, function


def _files(base: Path, name: str, suffixes: tuple[str, ...]) -> list[Path]:
    """The files Lambda's notation ``name`` may mean, in the order of ``suffixes`` (Lambda's runtime's)."""
    return [base / f"{name}{suffix}" for suffix in suffixes if (base / f"{name}{suffix}").is_file()]
