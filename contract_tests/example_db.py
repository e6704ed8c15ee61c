"""``--example-db``: where hypothesis keeps what a run found, so a later run, another shard or a
teammate's laptop replays it before generating anything new. hypothesis's own databases, chosen by the
form of each value; several are combined, the read-only ones read and never written.

The saved failure cases (``failure_cases.py``) stay the human-readable layer above: a database holds
hypothesis's choice sequences, meaningful only to the same strategy."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from contract_tests.errors import HarnessError
from contract_tests.output_files import prepare

if TYPE_CHECKING:
    from hypothesis.database import ExampleDatabase

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
GITHUB = re.compile(r"github:(?P<owner>[A-Za-z0-9][A-Za-z0-9-]*)/(?P<repo>[A-Za-z0-9._-]+)(?:/(?P<artifact>[^/\s]+))?")
#: hypothesis's own default name for the artifact its GitHub database reads.
DEFAULT_ARTIFACT = "hypothesis-example-db"
#: Keys in a shared store (Redis) under this prefix: one server can serve other projects too.
REDIS_PREFIX = b"connect-contract:"
#: How long fetching a CI artifact may take before the check goes on without it.
GITHUB_TIMEOUT_S = 30
FORMS = "a directory, a Redis URL (redis://HOST:PORT/DB) or github:OWNER/REPO[/ARTIFACT]"


def example_db_spec(text: str) -> str:
    """``--example-db``'s value, refused at once when it is none of the forms (no database opened yet)."""
    if text.startswith(REDIS_SCHEMES) or GITHUB.fullmatch(text):
        return text
    if text.startswith("github:"):
        raise ValueError(f"{text!r} is not github:OWNER/REPO[/ARTIFACT]")
    if re.match(r"[a-z][a-z0-9+.-]*://", text):
        raise ValueError(f"{text!r}: a URL must be redis://, rediss:// or unix://; or give {FORMS}")
    if os.path.exists(text) and not os.path.isdir(text):
        raise ValueError(f"{text!r} is a file; give {FORMS}")
    return text


def shown(spec: str) -> str:
    """``spec`` as reports, reproduce lines and errors print it: a Redis URL's password as ``***``, so
    a CI log or a report artifact never holds it (put it back to run a printed line elsewhere)."""
    if not spec.startswith(REDIS_SCHEMES):
        return spec
    parts = urlsplit(spec)
    if parts.password is None:
        return spec
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class OpenedExampleDb(NamedTuple):
    #: What ``--example-db`` names, combined (None: no database, a run is its seed alone).
    database: ExampleDatabase | None
    #: Why a database named was left out (e.g. a CI artifact that could not be fetched); never fatal.
    warnings: list[str]


def open_example_db(specs: Sequence[str]) -> OpenedExampleDb:
    """The database ``specs`` name together: each one's examples replayed, every writable one given what
    this run finds. A server that does not answer stops the check; a CI artifact that cannot be fetched
    (none uploaded yet, no network) is left out with a warning, as a first CI run has none."""
    from hypothesis.database import MultiplexedDatabase

    opened: list[ExampleDatabase] = []
    warnings: list[str] = []
    for spec in specs:
        database, why_not = _one(spec)
        if why_not:
            warnings.append(f"--example-db {shown(spec)}: {why_not.rstrip('.')}: the check went on without it")
        else:
            opened.append(database)
    if not opened:
        return OpenedExampleDb(None, warnings)
    return OpenedExampleDb(opened[0] if len(opened) == 1 else MultiplexedDatabase(*opened), warnings)


def _one(spec: str) -> tuple[ExampleDatabase, str]:
    """The database ``spec`` names, and why it cannot be used ("" when it can)."""
    from hypothesis.database import DirectoryBasedExampleDatabase

    if spec.startswith(REDIS_SCHEMES):
        return _redis(spec), ""
    github = GITHUB.fullmatch(spec)
    if github is not None:
        return _github_artifact(github["owner"], github["repo"], github["artifact"] or DEFAULT_ARTIFACT)
    prepare("--example-db", Path(spec), folder=True)  # hypothesis would drop what it cannot write, unsaid
    return DirectoryBasedExampleDatabase(os.path.abspath(spec)), ""  # the same folder whatever the cwd later


def _github_artifact(owner: str, repo: str, artifact: str) -> tuple[ExampleDatabase, str]:
    import socket
    import warnings

    from hypothesis.database import GitHubArtifactDatabase, ReadOnlyDatabase
    from hypothesis.errors import HypothesisWarning

    # A CI run's artifact is read here, never written (hypothesis requires it read-only).
    database = ReadOnlyDatabase(GitHubArtifactDatabase(owner, repo, artifact_name=artifact))
    # hypothesis fetches on first read and, failing, warns and reads nothing: fetched here, so the
    # reason is one line of the report rather than warnings printed mid-check.
    # hypothesis asks GitHub with no timeout of its own: a network that drops packets would hang the check.
    timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(GITHUB_TIMEOUT_S)
    try:
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", HypothesisWarning)
            list(database.fetch(b"connect-contract:fetched"))
    finally:
        socket.setdefaulttimeout(timeout)
    why_not = " ".join(str(warning.message).strip() for warning in said if warning.category is HypothesisWarning)
    return database, why_not.removesuffix(" Disabling database.")


def _redis(url: str) -> ExampleDatabase:
    try:
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase
    except ImportError:
        raise HarnessError(
            f"--example-db {shown(url)}: the redis package is not installed; pip install 'connect-contract[redis]'"
        ) from None
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as error:
        raise HarnessError(f"--example-db {shown(url)}: no Redis server answers there ({error})") from None
    return RedisExampleDatabase(client, key_prefix=REDIS_PREFIX)


def database_key(contract: str, clause: str) -> bytes:
    """Where one clause's examples live in the database: the same for every run, shard and machine that
    checks ``clause`` of ``contract``, whatever the handler (a failure one version of a handler showed is
    replayed against the next)."""
    return f"{contract}/{clause}".encode()
