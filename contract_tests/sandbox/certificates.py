"""The per-check certificate authority the sandbox trusts, and the proxy's certificate for AWS's names.

Generated afresh in each gate process with trustme (never a fixed key), so nothing outside this
check can present a certificate the function accepts.
"""

from __future__ import annotations

import functools
import ssl

import trustme

from contract_tests.sandbox.hostnames import certificate_names


@functools.cache
def _authority() -> trustme.CA:
    return trustme.CA(organization_name="connect-contract", organization_unit_name="per-check sandbox CA")


def authority_pem() -> str:
    """The CA certificate, PEM: what the function's SDK is told to trust."""
    return _authority().cert_pem.bytes().decode()


@functools.cache
def server_context(region: str) -> ssl.SSLContext:
    """A server-side TLS context presenting a certificate for every DynamoDB endpoint name."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _authority().issue_cert(*certificate_names(region)).configure_cert(context)
    return context
