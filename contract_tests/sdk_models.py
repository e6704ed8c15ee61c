"""botocore's model files, read once per process.

A new botocore session parses the service model, the endpoint rules and the partitions again: ~0.1 s
of CPU a client (measured), and the harness makes a session for each of its own clients and each
in-process handler's default session, several a check. The files never change while a process runs,
so every session of the harness shares one loader, whose cache holds what it parsed.
"""

from __future__ import annotations

import functools

import botocore.loaders


@functools.cache
def shared_loader() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()
