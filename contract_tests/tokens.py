"""Connect tokens of contract v4: a JWT whose claims the v4/token-claims schema defines, minted with PyJWT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from pathlib import Path

from contract_tests.errors import HarnessError
from contract_tests.input_files import InputFileError, read_text

ALGORITHM = "HS256"
AUDIENCE = "connect"
CLAIMS_SCHEMA = "v4/token-claims"
#: Shorter strings than this are no credential, and turn up in log lines by chance.
SECRET_LENGTH = 16
#: Far more than any HS256 key; a larger file (or a device) is no key file.
KEY_BYTES = 64 << 10


def claims(client_id: str, accounts: Sequence[str], ttl_s: int) -> dict[str, object]:
    """A token's claims, issued now, checked against the schema: HarnessError names the first field it breaks."""
    from contract_tests.contract_schemas import errors

    issued = int(time.time())
    payload: dict[str, object] = {
        "sub": client_id,
        "accounts": list(accounts),
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + ttl_s,
    }
    problems = errors(CLAIMS_SCHEMA, payload)
    if problems:
        raise HarnessError(f"these claims would not make a valid connect token: {problems[0]}")
    return payload


def mint(payload: dict[str, object], kid: str, secret: str) -> str:
    """The compact JWT of ``payload``, signed HS256 with ``secret``, its header naming ``kid``."""
    import jwt

    return jwt.encode(payload, secret, algorithm=ALGORITHM, headers={"kid": kid})


def read_key(path: str) -> str:
    """A key file's secret: its text, less one final newline (as ``$(cat FILE)`` reads it)."""
    try:
        secret = read_text(Path(path), KEY_BYTES, "key").removesuffix("\n")
    except (OSError, InputFileError) as error:
        raise HarnessError(f"--key-file {path!r}: cannot read it ({error})") from error
    if not secret:
        raise HarnessError(f"--key-file {path!r} is empty: an HS256 key needs at least one byte (32 recommended)")
    return secret


def leaks(text: str, token: str) -> bool:
    """Whether ``text`` holds the token or its signature, the secret part (short strings match by chance)."""
    signature = token.rpartition(".")[2]
    return len(token) >= SECRET_LENGTH and (token in text or (len(signature) >= SECRET_LENGTH and signature in text))


def first_leaked(tokens: Sequence[str | None], lines: Sequence[str]) -> int | None:
    """The 1-based number of the first of ``tokens`` some line of ``lines`` leaks, or None: an environment's
    output judged against every token it was given, whenever each line was written."""
    for number, token in enumerate(tokens, start=1):
        if token and any(leaks(line, token) for line in lines):
            return number
    return None


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed(header: dict[str, object], payload: dict[str, object], secret: str, digest: str = "sha256") -> str:
    """A JWT with exactly this header and payload, HMAC-signed with ``digest`` whatever the header says.

    Written by hand because JWT libraries refuse to make the tokens a forgery search needs: a header
    naming one algorithm over another's signature, ``alg: none``, claims they would not encode.
    """
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    mac = hmac.new(secret.encode(), signing_input.encode("ascii"), getattr(hashlib, digest)).digest()
    return f"{signing_input}.{b64url(mac)}"
