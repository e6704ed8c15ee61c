"""A function's code written in its template (CloudFormation's ``Code: {ZipFile: ...}``, SAM's
``InlineCode``): the one file Lambda makes of it, ``index.py`` or ``index.js`` (a CommonJS module), kept
in the state home by its content, so a check writes nothing beside the template and checks share it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from contract_tests.errors import HarnessError
from contract_tests.state_home import made_once, state_home

#: The file CloudFormation writes inline code to, by the function's language.
INLINE_FILES = {"python": "index.py", "nodejs": "index.js"}


def inline_code_folder(source: str, language: str) -> Path:
    """The folder holding ``source`` as the file Lambda makes of it for a ``language`` function."""
    name = INLINE_FILES[language]
    digest = hashlib.sha256(f"{name}\0{source}".encode()).hexdigest()[:16]
    folder = state_home() / "inline-code" / digest

    def write(scratch: Path) -> str:
        (scratch / name).write_text(source)
        return ""

    problem = made_once(folder, write)
    if problem:
        raise HarnessError(f"cannot make {folder}, where the template's inline code is run from: {problem}")
    return folder
